//! Appending to the ledger: a batch of sealed writes in one transaction that holds the ledger head,
//! with the disclosures and decisions it records. See `vault` for the keys records are sealed under.

use std::collections::BTreeSet;

use tracing::instrument;

use super::disclosures::{DECISION_COLUMNS, DISCLOSURE_COLUMNS};
use super::encode::{DbTime, from_index, to_index, to_json};
use super::statements::placeholders;
use crate::model::{DecisionRecord, NewDisclosure};
use crate::seal::{Seal, SealedWrite};
use crate::store::{Checkpointer, StoreError};
use crate::vault::{Kek, epoch_of};

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all, fields(writes = writes.len()))]
        pub(super) async fn commit_batch(
            &self,
            writes: &[SealedWrite],
            checkpointer: Option<&dyn Checkpointer>,
        ) -> Result<Vec<Option<u64>>, StoreError> {
            if writes.is_empty() && checkpointer.is_none() {
                return Ok(Vec::new());
            }
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            let (size,): (i64,) = sqlx::query_as(DB::LOCK_LEDGER_HEAD)
                .fetch_one(&mut *tx)
                .await?;
            let first = to_index(size)?;
            let decisions: Vec<_> = writes.iter().map(|w| &w.decision).collect();
            let disclosures: Vec<_> = writes
                .iter()
                .filter_map(|w| w.disclosure.as_ref().map(|(record, seal)| (record, seal)))
                .collect();
            Self::insert_decisions(&mut tx, &decisions).await?;
            if !disclosures.is_empty() {
                Self::insert_disclosures(&mut tx, self.sealing_key()?, first, &disclosures).await?;
                for write in writes {
                    if let (Some((record, _)), Some(deferral)) = (&write.disclosure, &write.deferral) {
                        Self::insert_deferral(&mut tx, &record.id, deferral, record.at).await?;
                    }
                }
                let size = first + disclosures.len() as u64;
                sqlx::query("UPDATE ledger_head SET size = $1 WHERE id = 1")
                    .bind(from_index(size)?)
                    .execute(&mut *tx)
                    .await?;
            }
            let checkpoint = match checkpointer {
                Some(checkpointer) => {
                    let leaves: Vec<_> = disclosures.iter().map(|(_, seal)| seal.leaf_hash).collect();
                    Some(Self::checkpoint_in(&mut tx, checkpointer, first, &leaves).await?)
                }
                None => None,
            };
            tx.commit().await?;
            if let Some((pending, stored)) = checkpoint {
                pending.committed(stored);
            }
            // Disclosures take consecutive indexes in the order given.
            let mut next = first;
            Ok(writes
                .iter()
                .map(|w| {
                    w.disclosure.as_ref().map(|_| {
                        next += 1;
                        next - 1
                    })
                })
                .collect())
        }

        /// The ledger's size, its head locked until the caller commits: the next entry's index.
        pub(super) async fn lock_head(conn: &mut DB::Connection) -> Result<i64, StoreError> {
            let (size,): (i64,) = sqlx::query_as(DB::LOCK_LEDGER_HEAD)
                .fetch_one(&mut *conn)
                .await?;
            Ok(size)
        }

        /// Moves the head past the entry just written at index `size`.
        pub(super) async fn advance_head(conn: &mut DB::Connection, size: i64) -> Result<(), StoreError> {
            sqlx::query("UPDATE ledger_head SET size = $1 WHERE id = 1")
                .bind(size + 1)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }

        /// Every decision of a batch in one statement (one round trip, whatever the batch size).
        pub(super) async fn insert_decisions(
            conn: &mut DB::Connection,
            decisions: &[&DecisionRecord],
        ) -> Result<(), StoreError> {
            if decisions.is_empty() {
                return Ok(());
            }
            let json = decisions
                .iter()
                .map(|d| Ok((to_json(&d.categories)?, to_json(&d.violations)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let sql = format!(
                "INSERT INTO decisions ({DECISION_COLUMNS}) VALUES {}",
                placeholders(decisions.len(), 16, DB::placeholder)
            );
            let mut insert = sqlx::query(&sql);
            for (d, (categories, violations)) in decisions.iter().zip(&json) {
                insert = insert
                    .bind(d.id.as_str())
                    .bind(DbTime(d.at))
                    .bind(d.mode.as_str())
                    .bind(d.partner.as_str())
                    .bind(d.professional.as_str())
                    .bind(d.role.as_str())
                    .bind(d.activity.as_str())
                    .bind(d.source.as_str())
                    .bind(d.recipient.as_str())
                    .bind(d.subject.as_str())
                    .bind(categories.as_str())
                    .bind(d.outcome.as_str())
                    .bind(violations.as_str())
                    .bind(d.consent_id.as_deref())
                    .bind(d.error.as_deref())
                    .bind(d.register_version.as_str());
            }
            insert.execute(conn).await?;
            Ok(())
        }

        /// Every disclosure of a batch in one statement, at consecutive log indexes from `first`, each
        /// record sealed under its subject's key for its retention month (made here if it is the first).
        pub(super) async fn insert_disclosures(
            conn: &mut DB::Connection,
            kek: &Kek,
            first: u64,
            disclosures: &[(&NewDisclosure, &Seal)],
        ) -> Result<(), StoreError> {
            let Some((earliest, _)) = disclosures.first() else {
                return Ok(());
            };
            let wanted: BTreeSet<(&str, String)> = disclosures
                .iter()
                .map(|(d, _)| (d.subject.as_str(), epoch_of(d.retain_until)))
                .collect();
            let keys = Self::record_keys(&mut *conn, kek, &wanted, earliest.at).await?;
            let rows = disclosures
                .iter()
                .enumerate()
                .map(|(i, (d, seal))| {
                    let key = keys
                        .get(&(d.subject.as_str().to_owned(), epoch_of(d.retain_until)))
                        .ok_or_else(|| StoreError::Corrupt("a record key was not made".into()))?;
                    let personal = to_json(&d.personal(&seal.salt))?;
                    let sealed = key
                        .seal(&d.id, d.subject.as_str(), personal.as_bytes())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok((from_index(first + i as u64)?, sealed))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let sql = format!(
                "INSERT INTO disclosures ({DISCLOSURE_COLUMNS}) VALUES {}",
                placeholders(disclosures.len(), 15, DB::placeholder)
            );
            let mut insert = sqlx::query(&sql);
            for ((d, seal), (index, sealed)) in disclosures.iter().zip(&rows) {
                insert = insert
                    .bind(*index)
                    .bind(d.id.as_str())
                    .bind(DbTime(d.at))
                    .bind(d.mode.as_str())
                    .bind(d.source.as_str())
                    .bind(d.recipient.as_str())
                    .bind(d.subject.as_str())
                    .bind(d.activity.as_str())
                    .bind(d.legal_basis.as_str())
                    .bind(d.decision_id.as_str())
                    .bind(DbTime(d.retain_until))
                    .bind(epoch_of(d.retain_until))
                    .bind(hex::encode(seal.record_digest))
                    .bind(sealed.as_str())
                    .bind(hex::encode(seal.leaf_hash));
            }
            insert.execute(conn).await?;
            Ok(())
        }

        /// The key-encryption key; a store opened only to inspect may have none.
        pub(super) fn sealing_key(&self) -> Result<&Kek, StoreError> {
            self.kek.as_ref().ok_or_else(|| {
                StoreError::WrongKey("the store was opened without the ledger key".into())
            })
        }
    }
}
