//! Retention: consents past their end get an expiry entry in the log, and what is past its retention
//! period is purged.

use chrono::{DateTime, Utc};
use tracing::instrument;

use super::encode::DbTime;
use crate::SubjectId;
use crate::model::{
    ConsentChange, ConsentEntry, EXPIRY_ACTOR, RepresentationChange, RepresentationEntry,
};
use crate::store::StoreError;

/// Expired consents logged per transaction.
const EXPIRY_CHUNK: usize = 500;

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn log_expiries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
            let mut logged = 0;
            loop {
                let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
                // The ledger head first: a replica doing the same waits here, then finds these logged.
                sqlx::query(DB::LOCK_LEDGER_HEAD).execute(&mut *tx).await?;
                // Expired: its validity ended while it was still in force (not revoked, replaced or
                // refused before the end).
                let due: Vec<(String, String, DbTime)> = sqlx::query_as(&format!(
                    "SELECT id, subject, valid_until FROM consents c
                     WHERE valid_until <= $1
                       AND (revoked_at IS NULL OR revoked_at > valid_until)
                       AND (superseded_at IS NULL OR superseded_at > valid_until)
                       AND (refused_at IS NULL OR refused_at > valid_until)
                       AND NOT EXISTS (SELECT 1 FROM consent_entries e
                                       WHERE e.consent_id = c.id AND e.event = 'expired')
                     ORDER BY valid_until, id LIMIT {EXPIRY_CHUNK}"
                ))
                .bind(DbTime(now))
                .fetch_all(&mut *tx)
                .await?;
                let found = due.len();
                for (id, subject, valid_until) in due {
                    let entry = ConsentEntry::seal(
                        &id,
                        SubjectId::from_stored(subject),
                        valid_until.0,
                        ConsentChange::Expired,
                        EXPIRY_ACTOR.to_owned(),
                        None,
                        None,
                    )?;
                    Self::append_consent_entry(&mut tx, &entry, None).await?;
                }
                tx.commit().await?;
                logged += found as u64;
                if found < EXPIRY_CHUNK {
                    break;
                }
            }
            loop {
                let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
                sqlx::query(DB::LOCK_LEDGER_HEAD).execute(&mut *tx).await?;
                // A representation expired: its period ended before anyone ended it.
                let due: Vec<(String, String, DbTime)> = sqlx::query_as(&format!(
                    "SELECT id, represented, valid_until FROM representations r
                     WHERE valid_until <= $1 AND (ended_at IS NULL OR ended_at > valid_until)
                       AND NOT EXISTS (SELECT 1 FROM representation_entries e
                                       WHERE e.representation_id = r.id AND e.event = 'expired')
                     ORDER BY valid_until, id LIMIT {EXPIRY_CHUNK}"
                ))
                .bind(DbTime(now))
                .fetch_all(&mut *tx)
                .await?;
                let found = due.len();
                for (id, represented, valid_until) in due {
                    let entry = RepresentationEntry::seal(
                        &id,
                        SubjectId::from_stored(represented),
                        valid_until.0,
                        RepresentationChange::Expired,
                        EXPIRY_ACTOR,
                    )?;
                    Self::append_representation_entry(&mut tx, &entry).await?;
                }
                tx.commit().await?;
                logged += found as u64;
                if found < EXPIRY_CHUNK {
                    return Ok(logged);
                }
            }
        }

        #[instrument(skip_all)]
        pub(super) async fn purge_consents(
            &self,
            before: DateTime<Utc>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let result = sqlx::query(
                "UPDATE consents SET note = NULL, grantor = NULL, evidence_recorded_by = '', purged_at = $2
                 WHERE purged_at IS NULL
                   AND (valid_until < $1 OR revoked_at < $1 OR superseded_at < $1 OR refused_at < $1)",
            )
            .bind(DbTime(before))
            .bind(DbTime(now))
            .execute(&self.pool)
            .await?;
            Ok(DB::rows_affected(&result))
        }

        #[instrument(skip_all)]
        pub(super) async fn purge_decisions(
            &self,
            cutoffs: &[(String, DateTime<Utc>)],
            otherwise: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let mut purged = 0;
            for (activity, before) in cutoffs {
                let result = sqlx::query("DELETE FROM decisions WHERE activity = $1 AND at < $2")
                    .bind(activity.as_str())
                    .bind(DbTime(*before))
                    .execute(&mut *tx)
                    .await?;
                purged += DB::rows_affected(&result);
            }
            let listed = (0..cutoffs.len())
                .map(|i| DB::placeholder(i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            // One placeholder style in the statement: SQLite numbers an anonymous `?` apart from `$N`.
            let first = DB::placeholder(1);
            let others = if cutoffs.is_empty() {
                format!("DELETE FROM decisions WHERE at < {first}")
            } else {
                format!("DELETE FROM decisions WHERE at < {first} AND activity NOT IN ({listed})")
            };
            let mut query = sqlx::query(&others).bind(DbTime(otherwise));
            for (activity, _) in cutoffs {
                query = query.bind(activity.as_str());
            }
            purged += DB::rows_affected(&query.execute(&mut *tx).await?);
            tx.commit().await?;
            Ok(purged)
        }
    }
}
