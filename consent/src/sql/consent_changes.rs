//! How a consent changes inside a write transaction: a new version, a transition between states,
//! the event it records and the ledger entry that covers it.

use chrono::{DateTime, SubsecRound as _, Utc};

use super::consent_rows::CONSENT_COLUMNS;
use super::encode::{DbTime, to_json};
use super::statements::ConsentKey;
use crate::SubjectId;
use crate::model::{Actor, Consent, ConsentChange, ConsentEntry, Grantor, NewConsent};
use crate::store::StoreError;

sql_impl! {
    impl SqlStore {
        /// Adds a step to a consent's history, and the same step to the public log as a consent
        /// entry, in the caller's transaction.
        pub(super) async fn add_event(
            conn: &mut DB::Connection,
            consent_id: &str,
            at: DateTime<Utc>,
            event: ConsentChange,
            by: &Actor,
        ) -> Result<(), StoreError> {
            let at = at.trunc_subsecs(6);
            // The caller changed the consent row first, so its row lock serialises events per consent.
            let (seq,): (i64,) = sqlx::query_as(
                "INSERT INTO consent_events (consent_id, seq, at, event, actor, professional, representation_id)
                 SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM consent_events WHERE consent_id = $1
                 RETURNING CAST(seq AS BIGINT)",
            )
            .bind(consent_id)
            .bind(DbTime(at))
            .bind(event.as_str())
            .bind(by.party.as_str())
            .bind(by.professional.as_deref())
            .bind(by.representation.as_deref())
            .fetch_one(&mut *conn)
            .await?;
            let (subject,): (String,) = sqlx::query_as("SELECT subject FROM consents WHERE id = $1")
                .bind(consent_id)
                .fetch_one(&mut *conn)
                .await?;
            let entry = ConsentEntry::seal(
                consent_id,
                SubjectId::from_stored(subject),
                at,
                event,
                by.party.clone(),
                by.professional.clone(),
                by.representation.clone(),
            )?;
            Self::append_consent_entry(conn, &entry, Some(seq)).await
        }

        /// Appends `entry` to the log at the ledger's head (locked here until the caller commits).
        pub(super) async fn append_consent_entry(
            conn: &mut DB::Connection,
            entry: &ConsentEntry,
            seq: Option<i64>,
        ) -> Result<(), StoreError> {
            let size = Self::lock_head(conn).await?;
            sqlx::query(
                "INSERT INTO consent_entries (log_index, id, at, event, actor, consent_id, seq, subject,
                                              professional, representation_id, salt, record_digest, leaf_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(size)
            .bind(entry.id.as_str())
            .bind(DbTime(entry.at))
            .bind(entry.event.as_str())
            .bind(entry.actor.as_str())
            .bind(entry.consent_id.as_str())
            .bind(seq)
            .bind(entry.subject.as_str())
            .bind(entry.professional.as_deref())
            .bind(entry.representation.as_deref())
            .bind(entry.salt.as_str())
            .bind(hex::encode(entry.record_digest))
            .bind(hex::encode(entry.leaf_hash))
            .execute(&mut *conn)
            .await?;
            Self::advance_head(conn, size).await
        }

        /// Inserts version `version` of a consent (1 when first recorded; the next one when it amends
        /// `supersedes`), with its first history event (`recorded` or `amended`).
        pub(super) async fn insert_version(
            conn: &mut DB::Connection,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
            version: u32,
            supersedes: Option<&str>,
        ) -> Result<(), StoreError> {
            let (grantor, representation) = match &c.grantor {
                Grantor::Subject => (None, None),
                Grantor::Representative {
                    person,
                    representation,
                    ..
                } => (Some(person.as_str()), representation.as_deref()),
            };
            sqlx::query(&format!(
                "INSERT INTO consents ({CONSENT_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, \
                         $16, $17, $18, $19, $20, $21, NULL, NULL, NULL)"
            ))
            .bind(id)
            .bind(c.subject.as_str())
            .bind(to_json(&c.recipients)?)
            .bind(c.sources.as_ref().map(to_json).transpose()?)
            .bind(to_json(&c.categories)?)
            .bind(to_json(&c.activities)?)
            .bind(DbTime(c.valid_from))
            .bind(DbTime(c.valid_until))
            .bind(c.evidence.method.as_str())
            .bind(c.evidence.document_sha256.as_str())
            .bind(c.evidence.recorded_by.as_str())
            .bind(c.note.as_deref())
            .bind(c.recorded_by.party.as_str())
            .bind(DbTime(now))
            .bind(c.confirmed.then_some(DbTime(now)))
            .bind(c.grantor.role_str())
            .bind(grantor)
            .bind(representation)
            .bind(c.language.as_str())
            .bind(i64::from(version))
            .bind(supersedes)
            .execute(&mut *conn)
            .await?;
            let event = if supersedes.is_some() {
                ConsentChange::Amended
            } else {
                ConsentChange::Recorded
            };
            Self::add_event(conn, id, now, event, &c.recorded_by).await
        }

        /// One step in a consent's life: `update` (binding the time, then the id) changes at most one
        /// row; when it does, the event is added to the history in the same transaction. Repeating a
        /// step changes nothing (idempotent); a concurrent step holds the row lock, and this one then
        /// finds the row changed and does nothing.
        pub(super) async fn transition(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
            update: &str,
            event: ConsentChange,
        ) -> Result<Option<Consent>, StoreError> {
            // On the ledger's connection: the step is also a log entry.
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            let result = sqlx::query(update)
                .bind(DbTime(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if DB::rows_affected(&result) == 1 {
                Self::add_event(&mut tx, id, now, event, by).await?;
            }
            let consent = Self::load_consents(&mut tx, ConsentKey::Id, id)
                .await?
                .pop();
            tx.commit().await?;
            Ok(consent)
        }
    }
}
