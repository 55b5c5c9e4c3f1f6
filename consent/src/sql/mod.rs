//! The SQL both databases share, written once: [`SqlStore`] implements [`Store`] for any [`Backend`].
//! Statements use `$N` placeholders, which SQLite accepts too. What truly differs per database (how
//! to connect, the durability check, how a transaction begins, how the ledger head is locked, and how
//! a time is stored) lives in `sqlite.rs` and `postgres.rs` and in [`DbTime`].

/// Writes an impl block on [`SqlStore`] for every database the shared SQL runs on: the one list
/// of what that SQL needs of a database. A macro and not a trait with these bounds, because Rust
/// does not carry a trait's where-clauses (on types other than `Self`) to the code that uses it.
/// Every row type's `FromRow` follows from the column types listed, through its derive.
macro_rules! sql_impl {
    ($(#[$attr:meta])* impl $trait_:ident for SqlStore { $($body:tt)* }) => {
        $crate::sql::sql_impl!(@ [$(#[$attr])* impl<DB> $trait_ for] { $($body)* });
    };
    ($(#[$attr:meta])* impl SqlStore { $($body:tt)* }) => {
        $crate::sql::sql_impl!(@ [$(#[$attr])* impl<DB>] { $($body)* });
    };
    (@ [$($head:tt)*] { $($body:tt)* }) => {
        $($head)* $crate::sql::SqlStore<DB>
        where
            DB: $crate::sql::Backend,
            for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
            for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
            for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> $crate::sql::DbTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<$crate::sql::DbTime>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'r> String: sqlx::Decode<'r, DB>,
            for<'r> i64: sqlx::Decode<'r, DB>,
            for<'r> $crate::sql::DbTime: sqlx::Decode<'r, DB>,
            for<'r> &'r str: sqlx::ColumnIndex<DB::Row>,
            usize: sqlx::ColumnIndex<DB::Row>,
        {
            $($body)*
        }
    };
}
use sql_impl;

mod audit;
mod direct;
mod encode;
mod ledger;
mod rows;
mod statements;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Database, Pool};
use tracing::instrument;

pub use encode::DbTime;
use encode::{from_index, to_index};
use rows::{
    CONSENT_COLUMNS, CONSENT_ENTRY_COLUMNS, CheckpointRow, ConsentEntryRow, ConsentRow,
    DECISION_COLUMNS, DISCLOSURE_SELECT, DecisionRow, DisclosureRow, ERASURE_COLUMNS, ErasureRow,
    NOTIFICATION_COLUMNS, NotificationRow, REFUSAL_COLUMNS, REPRESENTATION_COLUMNS,
    REPRESENTATION_ENTRY_COLUMNS, RecordedRepresentationRow, RefusalRow, RepresentationEntryRow,
    RepresentationRow, consents_with_history,
};
use statements::ConsentKey;

/// Expired consents logged per transaction.
const EXPIRY_CHUNK: usize = 500;

use crate::SubjectId;
use crate::model::{
    Actor, Consent, ConsentChange, ConsentEntry, DecisionRecord, Disclosure, EXPIRY_ACTOR, Erase,
    ErasureEntry, LedgerEntry, NewConsent, NewRefusal, NewRepresentation, Outcome, Refusal,
    Representation, RepresentationChange, RepresentationEntry,
};
use crate::model::{Attempt, NewNotification, Notification};
use crate::model::{
    AuditQuery, AuditRead, DeferralRecord, PageSession, RecordedRepresentation, Review,
    ReviewSelection,
};
use crate::seal::SealedWrite;
use crate::store::{Checkpointer, Store, StoreError, StoredCheckpoint};
use crate::vault::Kek;

/// How the shared SQL runs on one database.
pub trait Backend: Database {
    /// Starts a read transaction whose statements all see one snapshot.
    const BEGIN_READ: &'static str;
    /// Starts a write transaction.
    const BEGIN_WRITE: &'static str;
    /// Reads the ledger size inside a write transaction and holds it until commit, so that writers
    /// (also on other replicas) take turns and ledger indexes stay consecutive and unique.
    const LOCK_LEDGER_HEAD: &'static str;

    /// The placeholder of parameter `n` (1-based) in a long, generated VALUES list. SQLite looks a
    /// named parameter (`$N`) up by scanning all of a statement's names, which is quadratic in a
    /// batch insert of a thousand parameters; its anonymous `?` is bound by position instead.
    fn placeholder(n: usize) -> String {
        format!("${n}")
    }

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

/// The store on one database.
#[derive(Debug)]
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
    /// Where transactions that append to the ledger run. On SQLite one connection of its own: its
    /// page cache stays warm from one commit to the next, and appends queue for it instead of
    /// polling SQLite's write lock. On PostgreSQL the same pool (the ledger head row serialises).
    ledger: Pool<DB>,
    /// Seals and opens ledger records; `None` only in a store opened to inspect without it.
    kek: Option<Kek>,
    /// On SQLite, the reads every exchange makes, on the caller's thread (see `direct`).
    direct: Option<direct::DirectReads>,
}

/// An Amsterdammer's consents, oldest first, without their histories.
fn consents_to_decide() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE subject = $1 ORDER BY created_at, id")
    })
}

/// An Amsterdammer's refusals, oldest first.
fn refusals_of() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!("SELECT {REFUSAL_COLUMNS} FROM refusals WHERE subject = $1 ORDER BY created_at, id")
    })
}

impl<DB: Database> SqlStore<DB> {
    pub fn new(pool: Pool<DB>, ledger: Pool<DB>, kek: Option<Kek>) -> Self {
        Self {
            pool,
            ledger,
            kek,
            direct: None,
        }
    }

    /// Reads the consents and refusals of one Amsterdammer from the SQLite file at `path` on the
    /// caller's thread, instead of through the pool (see `direct`). Should the file not open that
    /// way (e.g. a read-only copy inspected), the reads stay with the pool, which works as before.
    pub fn with_direct_reads(mut self, path: &std::path::Path) -> Self {
        match direct::DirectReads::open(path) {
            Ok(direct) => self.direct = Some(direct),
            Err(e) => tracing::warn!(error = %e, "SQLite reads go through the pool"),
        }
        self
    }
}

sql_impl! {
    impl SqlStore {
        /// What a freshly opened store checks and does before it serves: the key-encryption key is the
        /// one the ledger was sealed with, and rows from before sealing are sealed now.
        pub async fn prepare(self, purpose: crate::store::Purpose) -> Result<Self, StoreError> {
            self.check_kek().await?;
            if purpose == crate::store::Purpose::Serve {
                let sealed = self.seal_legacy().await?;
                if sealed > 0 {
                    tracing::info!(
                        entries = sealed,
                        "sealed ledger records written before sealing"
                    );
                }
            }
            Ok(self)
        }

        fn disclosures(&self, rows: Vec<DisclosureRow>) -> Result<Vec<Disclosure>, StoreError> {
            rows.into_iter()
                .map(|row| row.into_disclosure(self.kek.as_ref()))
                .collect()
        }
    }
}

sql_impl! {
    #[async_trait]
    impl Store for SqlStore {
        #[instrument(skip_all)]
        async fn ping(&self) -> Result<(), StoreError> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        #[instrument(skip_all)]
        async fn insert_consent(
            &self,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Consent, StoreError> {
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            Self::insert_version(&mut tx, id, c, now, 1, None).await?;
            let consent = Self::load_consents(&mut tx, ConsentKey::Id, id)
                .await?
                .pop();
            tx.commit().await?;
            consent.ok_or_else(|| {
                StoreError::Corrupt(format!("consent {id} vanished while being recorded"))
            })
        }

        #[instrument(skip_all)]
        async fn amend_consent(
            &self,
            old: &str,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            // Only a version still in force can be replaced; the row lock this takes makes a concurrent
            // revocation or amendment of the same version wait, and then find it ended.
            let replaced: Option<(i64,)> = sqlx::query_as(
                "UPDATE consents SET superseded_at = $1, superseded_by = $2
                 WHERE id = $3 AND revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL
                   AND valid_until > $1
                 RETURNING version",
            )
            .bind(DbTime(now))
            .bind(id)
            .bind(old)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((version,)) = replaced else {
                return Ok(None);
            };
            let version = u32::try_from(version + 1)
                .map_err(|_| StoreError::Corrupt(format!("consent {old} version {version}")))?;
            Self::add_event(&mut tx, old, now, ConsentChange::Superseded, &c.recorded_by).await?;
            Self::insert_version(&mut tx, id, c, now, version, Some(old)).await?;
            let consent = Self::load_consents(&mut tx, ConsentKey::Id, id)
                .await?
                .pop();
            tx.commit().await?;
            Ok(consent)
        }

        #[instrument(skip_all)]
        async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
            Ok(self.read_consents(ConsentKey::Id, id).await?.pop())
        }

        #[instrument(skip_all)]
        async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            self.read_consents(ConsentKey::Subject, subject.as_str())
                .await
        }

        #[instrument(skip_all)]
        async fn consents_to_decide(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.consents_to_decide(subject.as_str());
            }
            let rows: Vec<ConsentRow> = sqlx::query_as(consents_to_decide())
                .bind(subject.as_str())
                .fetch_all(&self.pool)
                .await?;
            consents_with_history(rows, Vec::new())
        }

        #[instrument(skip_all)]
        async fn consents_expiring(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.read_between(
                "revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL \
                 AND valid_until > $1 AND valid_until <= $2",
                "valid_until, id",
                after,
                until,
            )
            .await
        }

        #[instrument(skip_all)]
        async fn consents_changed(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.read_between(
                "(revoked_at > $1 AND revoked_at <= $2) OR (superseded_at > $1 AND superseded_at <= $2) \
                 OR (valid_until > $1 AND valid_until <= $2)",
                "id",
                after,
                until,
            )
            .await
        }

        #[instrument(skip_all)]
        async fn revoke_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET revoked_at = $1
                 WHERE id = $2 AND revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Revoked,
            )
            .await
        }

        #[instrument(skip_all)]
        async fn confirm_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET confirmed_at = $1
                 WHERE id = $2 AND confirmed_at IS NULL AND revoked_at IS NULL
                   AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Confirmed,
            )
            .await
        }

        #[instrument(skip_all)]
        async fn refuse_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET refused_at = $1
                 WHERE id = $2 AND confirmed_at IS NULL AND revoked_at IS NULL
                   AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Refused,
            )
            .await
        }

        #[instrument(skip_all)]
        async fn insert_representation(
            &self,
            id: &str,
            r: &NewRepresentation,
            now: DateTime<Utc>,
        ) -> Result<Representation, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let row: RepresentationRow = sqlx::query_as(&format!(
                "INSERT INTO representations ({REPRESENTATION_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, NULL, NULL)
                 RETURNING {REPRESENTATION_COLUMNS}"
            ))
            .bind(id)
            .bind(r.representative.as_str())
            .bind(r.represented.as_str())
            .bind(r.role.as_str())
            .bind(r.basis.as_str())
            .bind(r.document_sha256.as_str())
            .bind(r.label.as_deref())
            .bind(DbTime(r.valid_from))
            .bind(DbTime(r.valid_until))
            .bind(r.recorded_by.party.as_str())
            .bind(r.recorded_by.professional.as_deref().unwrap_or_default())
            .bind(DbTime(now))
            .fetch_one(&mut *tx)
            .await?;
            let by = match &r.recorded_by.professional {
                Some(professional) => format!("{}/{professional}", r.recorded_by.party),
                None => r.recorded_by.party.clone(),
            };
            let entry = RepresentationEntry::seal(
                id,
                r.represented.clone(),
                now,
                RepresentationChange::Recorded,
                &by,
            )?;
            Self::append_representation_entry(&mut tx, &entry).await?;
            tx.commit().await?;
            row.into_representation()
        }

        #[instrument(skip_all)]
        async fn representation(&self, id: &str) -> Result<Option<Representation>, StoreError> {
            let row: Option<RepresentationRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_COLUMNS} FROM representations WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            row.map(RepresentationRow::into_representation).transpose()
        }

        #[instrument(skip_all)]
        async fn representations_of(
            &self,
            person: &SubjectId,
        ) -> Result<Vec<Representation>, StoreError> {
            let rows: Vec<RepresentationRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_COLUMNS} FROM representations
                 WHERE representative = $1 OR represented = $1 ORDER BY created_at, id"
            ))
            .bind(person.as_str())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(RepresentationRow::into_representation)
                .collect()
        }

        #[instrument(skip_all)]
        async fn recorded_refusals(
            &self,
            organisation: Option<&str>,
            from: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<Refusal>, StoreError> {
            static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = SQL.get_or_init(|| {
                format!(
                    "SELECT {REFUSAL_COLUMNS} FROM refusals
                     WHERE recorded_by_partner <> '{}' AND ($1 = '' OR recorded_by_partner = $1)
                       AND created_at >= $2
                     ORDER BY created_at DESC, id DESC LIMIT $3",
                    crate::model::AMSTERDAMMER
                )
            });
            let rows: Vec<RefusalRow> = sqlx::query_as(sql)
                .bind(organisation.unwrap_or_default())
                .bind(DbTime(from))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.into_iter().map(RefusalRow::into_refusal).collect())
        }

        #[instrument(skip_all)]
        async fn start_session(&self, session: &PageSession) -> Result<(), StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let forget_before = DbTime(session.created_at - chrono::Duration::days(1));
            sqlx::query("DELETE FROM page_sessions WHERE expires_at < $1 OR ended_at < $1")
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO page_sessions (id_digest, area, principal, created_at, last_used_at, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(session.id_digest.as_str())
            .bind(session.area.as_str())
            .bind(session.principal.as_str())
            .bind(DbTime(session.created_at))
            .bind(DbTime(session.expires_at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }

        #[instrument(skip_all)]
        async fn use_session(
            &self,
            id_digest: &str,
            area: &str,
            now: DateTime<Utc>,
            idle_since: DateTime<Utc>,
        ) -> Result<Option<PageSession>, StoreError> {
            let row: Option<(String, String, String, DbTime, DbTime)> = sqlx::query_as(
                "UPDATE page_sessions SET last_used_at = $1
                 WHERE id_digest = $2 AND area = $3 AND ended_at IS NULL
                   AND expires_at > $1 AND last_used_at > $4
                 RETURNING id_digest, area, principal, created_at, expires_at",
            )
            .bind(DbTime(now))
            .bind(id_digest)
            .bind(area)
            .bind(DbTime(idle_since))
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(
                |(id_digest, area, principal, created_at, expires_at)| PageSession {
                    id_digest,
                    area,
                    principal,
                    created_at: created_at.0,
                    expires_at: expires_at.0,
                },
            ))
        }

        #[instrument(skip_all)]
        async fn end_session(&self, id_digest: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE page_sessions SET ended_at = $1 WHERE id_digest = $2 AND ended_at IS NULL",
            )
            .bind(DbTime(now))
            .bind(id_digest)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        #[instrument(skip_all)]
        async fn recorded_representations(
            &self,
            organisation: Option<&str>,
            from: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<RecordedRepresentation>, StoreError> {
            static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = SQL.get_or_init(|| {
                format!(
                    "SELECT {REPRESENTATION_COLUMNS},
                        (SELECT MIN(u.at) FROM (
                            SELECT e.at FROM consent_events e WHERE e.representation_id = r.id
                            UNION ALL
                            SELECT f.created_at FROM refusals f WHERE f.representation_id = r.id) u
                        ) AS first_used_at,
                        (SELECT COUNT(DISTINCT o.represented) FROM representations o
                          WHERE o.representative = r.representative AND o.ended_at IS NULL
                        ) AS representative_represents
                     FROM representations r
                     WHERE ($1 = '' OR r.recorded_by_partner = $1) AND r.created_at >= $2
                     ORDER BY r.created_at DESC, r.id DESC LIMIT $3"
                )
            });
            let rows: Vec<RecordedRepresentationRow> = sqlx::query_as(sql)
                .bind(organisation.unwrap_or_default())
                .bind(DbTime(from))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter()
                .map(|row| {
                    Ok(RecordedRepresentation {
                        representation: row.representation.into_representation()?,
                        first_used_at: row.first_used_at.map(|t| t.0),
                        representative_represents: u64::try_from(row.representative_represents)
                            .unwrap_or_default(),
                    })
                })
                .collect()
        }

        #[instrument(skip_all)]
        async fn end_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            const SQL: &str = "UPDATE representations SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at IS NULL";
            self.change_representation(SQL, id, by, now, RepresentationChange::Ended)
                .await?;
            self.representation(id).await
        }

        #[instrument(skip_all)]
        async fn confirm_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            const SQL: &str = "UPDATE representations SET confirmed_at = $1, confirmed_by = $2
                 WHERE id = $3 AND confirmed_at IS NULL AND ended_at IS NULL";
            self.change_representation(SQL, id, by, now, RepresentationChange::Confirmed)
                .await?;
            self.representation(id).await
        }

        #[instrument(skip_all, fields(n = notifications.len()))]
        async fn enqueue_notifications(
            &self,
            notifications: &[NewNotification],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let mut added = 0;
            for n in notifications {
                let result = sqlx::query(
                    "INSERT INTO notifications (id, partner, consent_id, change, changed_at, body, created_at, next_attempt_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     ON CONFLICT (partner, consent_id, change) DO NOTHING",
                )
                .bind(n.id.as_str())
                .bind(n.partner.as_str())
                .bind(n.consent_id.as_str())
                .bind(n.change.as_str())
                .bind(DbTime(n.changed_at))
                .bind(n.body.as_str())
                .bind(DbTime(now))
                .execute(&mut *tx)
                .await?;
                added += DB::rows_affected(&result);
            }
            tx.commit().await?;
            Ok(added)
        }

        #[instrument(skip_all)]
        async fn due_notifications(
            &self,
            now: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications
                 WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
            ))
            .bind(DbTime(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(NotificationRow::into_notification)
                .collect()
        }

        #[instrument(skip_all)]
        async fn claim_notification(
            &self,
            id: &str,
            seen: u32,
            now: DateTime<Utc>,
            lease_until: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let result = sqlx::query(
                "UPDATE notifications SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2
                 WHERE id = $3 AND attempts = $4 AND status = 'pending'",
            )
            .bind(DbTime(now))
            .bind(DbTime(lease_until))
            .bind(id)
            .bind(i64::from(seen))
            .execute(&self.pool)
            .await?;
            Ok(DB::rows_affected(&result) == 1)
        }

        #[instrument(skip_all)]
        async fn finish_notification(
            &self,
            id: &str,
            attempt: &Attempt,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let query = match attempt {
                Attempt::Delivered => sqlx::query(
                    "UPDATE notifications SET status = 'delivered', delivered_at = $1, last_error = NULL WHERE id = $2",
                )
                .bind(DbTime(now))
                .bind(id),
                Attempt::Failed {
                    error,
                    retry_at: Some(at),
                } => sqlx::query(
                    "UPDATE notifications SET next_attempt_at = $1, last_error = $2 WHERE id = $3",
                )
                .bind(DbTime(*at))
                .bind(error.as_str())
                .bind(id),
                Attempt::Failed {
                    error,
                    retry_at: None,
                } => sqlx::query(
                    "UPDATE notifications SET status = 'failed', last_error = $1 WHERE id = $2",
                )
                .bind(error.as_str())
                .bind(id),
            };
            query.execute(&self.pool).await?;
            Ok(())
        }

        #[instrument(skip_all)]
        async fn notifications_for(
            &self,
            partner: &str,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE partner = $1
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            ))
            .bind(partner)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(NotificationRow::into_notification)
                .collect()
        }

        #[instrument(skip_all)]
        async fn notifier_cursor(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
            let row: Option<(DbTime,)> =
                sqlx::query_as("SELECT until FROM notifier_cursor WHERE name = 'consents'")
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(row.map(|(t,)| t.0))
        }

        #[instrument(skip_all)]
        async fn advance_notifier_cursor(&self, until: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO notifier_cursor (name, until) VALUES ('consents', $1)
                 ON CONFLICT (name) DO UPDATE SET until = $1 WHERE notifier_cursor.until < $1",
            )
            .bind(DbTime(until))
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        #[instrument(skip_all)]
        async fn insert_refusal(
            &self,
            id: &str,
            r: &NewRefusal,
            now: DateTime<Utc>,
        ) -> Result<Refusal, StoreError> {
            let row: RefusalRow = sqlx::query_as(&format!(
                "INSERT INTO refusals ({REFUSAL_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, NULL) RETURNING {REFUSAL_COLUMNS}"
            ))
            .bind(id)
            .bind(r.subject.as_str())
            .bind(r.recipient.as_deref())
            .bind(r.category.as_deref())
            .bind(r.activity.as_deref())
            .bind(r.note.as_deref())
            .bind(r.recorded_by.party.as_str())
            .bind(r.recorded_by.professional.as_deref())
            .bind(DbTime(now))
            .bind(r.recorded_by.representation.as_deref())
            .fetch_one(&self.pool)
            .await?;
            Ok(row.into_refusal())
        }

        #[instrument(skip_all)]
        async fn refusals_of(&self, subject: &SubjectId) -> Result<Vec<Refusal>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.refusals(subject.as_str());
            }
            let rows: Vec<RefusalRow> = sqlx::query_as(refusals_of())
                .bind(subject.as_str())
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.into_iter().map(RefusalRow::into_refusal).collect())
        }

        #[instrument(skip_all)]
        async fn withdraw_refusal(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Refusal>, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            const SQL: &str = "UPDATE refusals SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND withdrawn_at IS NULL";
            sqlx::query(SQL)
                .bind(DbTime(now))
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let row: Option<RefusalRow> = sqlx::query_as(&format!(
                "SELECT {REFUSAL_COLUMNS} FROM refusals WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(row.map(RefusalRow::into_refusal))
        }

        #[instrument(skip_all, fields(writes = writes.len()))]
        async fn commit_batch(
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

        #[instrument(skip_all)]
        async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
            let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                "{DISCLOSURE_SELECT} WHERE d.subject = $1 ORDER BY d.log_index"
            ))
            .bind(subject.as_str())
            .fetch_all(&self.pool)
            .await?;
            self.disclosures(rows)
        }

        #[instrument(skip_all)]
        async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError> {
            let row: Option<DisclosureRow> =
                sqlx::query_as(&format!("{DISCLOSURE_SELECT} WHERE d.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            row.map(|row| row.into_disclosure(self.kek.as_ref()))
                .transpose()
        }

        #[instrument(skip_all)]
        async fn ledger_size(&self) -> Result<u64, StoreError> {
            let (size,): (i64,) = sqlx::query_as("SELECT size FROM ledger_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
            to_index(size)
        }

        #[instrument(skip_all)]
        async fn decisions(
            &self,
            outcome: Option<Outcome>,
            limit: u32,
        ) -> Result<Vec<DecisionRecord>, StoreError> {
            // `$1 IS NULL` would need a typed NULL on PostgreSQL; '' matches no outcome instead.
            let rows: Vec<DecisionRow> = sqlx::query_as(&format!(
                "SELECT {DECISION_COLUMNS} FROM decisions WHERE ($1 = '' OR outcome = $1)
                 ORDER BY at DESC, id DESC LIMIT $2"
            ))
            .bind(outcome.map_or("", Outcome::as_str))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(DecisionRow::into_decision).collect()
        }

        #[instrument(skip_all)]
        async fn entries_between(&self, from: u64, to: u64) -> Result<Vec<LedgerEntry>, StoreError> {
            let (lo, hi) = (from_index(from)?, from_index(to)?);
            let mut tx = self.pool.begin_with(DB::BEGIN_READ).await?;
            let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                "{DISCLOSURE_SELECT} WHERE d.log_index >= $1 AND d.log_index < $2 ORDER BY d.log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let erasures: Vec<ErasureRow> = sqlx::query_as(&format!(
                "SELECT {ERASURE_COLUMNS} FROM erasures WHERE log_index >= $1 AND log_index < $2
                 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let consents: Vec<ConsentEntryRow> = sqlx::query_as(&format!(
                "SELECT {CONSENT_ENTRY_COLUMNS} FROM consent_entries
                 WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let representations: Vec<RepresentationEntryRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_ENTRY_COLUMNS} FROM representation_entries
                 WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            let mut entries: Vec<LedgerEntry> = self
                .disclosures(rows)?
                .into_iter()
                .map(|d| LedgerEntry::Disclosure(Box::new(d)))
                .collect();
            for erasure in erasures {
                entries.push(LedgerEntry::Erasure(erasure.into_erasure()?));
            }
            for consent in consents {
                entries.push(LedgerEntry::Consent(Box::new(consent.into_entry()?)));
            }
            for representation in representations {
                entries.push(LedgerEntry::Representation(Box::new(
                    representation.into_entry()?,
                )));
            }
            entries.sort_by_key(LedgerEntry::log_index);
            Ok(entries)
        }

        #[instrument(skip_all, fields(from, to))]
        async fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError> {
            Self::read_leaf_hashes(&self.pool, from, to).await
        }

        #[instrument(skip_all)]
        async fn audit_disclosures(&self, q: &AuditQuery) -> Result<Vec<Disclosure>, StoreError> {
            self.read_audit_disclosures(q, &[], None).await
        }

        #[instrument(skip_all)]
        async fn audit_decisions(&self, q: &AuditQuery) -> Result<Vec<DecisionRecord>, StoreError> {
            self.read_audit_decisions(q).await
        }

        #[instrument(skip_all)]
        async fn review_queue(
            &self,
            q: &AuditQuery,
            selection: &ReviewSelection,
        ) -> Result<Vec<(Disclosure, Vec<Review>)>, StoreError> {
            const OTHER_BASES: &str = "d.legal_basis <> 'consent'";
            const NOT_REVIEWED_BY: &str = "NOT EXISTS (SELECT 1 FROM reviews r
                WHERE r.disclosure_id = d.id AND r.officer_partner = $8)";
            // Some organisation's latest review (by time, then id, as the reviews are read) flags it.
            const FLAGGED: &str = "EXISTS (SELECT 1 FROM reviews r
                WHERE r.disclosure_id = d.id AND r.outcome = 'flag'
                  AND NOT EXISTS (SELECT 1 FROM reviews l
                      WHERE l.disclosure_id = r.disclosure_id AND l.officer_partner = r.officer_partner
                        AND (l.at > r.at OR (l.at = r.at AND l.id > r.id))))";
            let (only, eighth): (&[&str], _) = match selection {
                ReviewSelection::All => (&[OTHER_BASES], None),
                ReviewSelection::NotYetReviewedBy(partner) => {
                    (&[OTHER_BASES, NOT_REVIEWED_BY], Some(partner.as_str()))
                }
                ReviewSelection::Flagged => (&[OTHER_BASES, FLAGGED], None),
            };
            let disclosures = self.read_audit_disclosures(q, only, eighth).await?;
            let ids: Vec<&str> = disclosures.iter().map(|d| d.id.as_str()).collect();
            let mut reviews = self.reviews_of(&ids).await?;
            Ok(disclosures
                .into_iter()
                .map(|d| {
                    let (mine, rest) = reviews.drain(..).partition(|r| r.disclosure_id == d.id);
                    reviews = rest;
                    (d, mine)
                })
                .collect())
        }

        #[instrument(skip_all)]
        async fn insert_review(
            &self,
            review: &Review,
            organisation: Option<&str>,
        ) -> Result<bool, StoreError> {
            self.write_review(review, organisation).await
        }

        #[instrument(skip_all)]
        async fn deferrals(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<(Disclosure, DeferralRecord)>, StoreError> {
            self.read_deferrals(q).await
        }

        #[instrument(skip_all)]
        async fn shorten_deferral(
            &self,
            disclosure_id: &str,
            until: DateTime<Utc>,
            by: (&str, &str),
            now: DateTime<Utc>,
            organisation: Option<&str>,
        ) -> Result<Option<DeferralRecord>, StoreError> {
            self.write_shorter_deferral(disclosure_id, until, by, now, organisation)
                .await
        }

        #[instrument(skip_all)]
        async fn purge_consents(
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
        async fn purge_decisions(
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

        #[instrument(skip_all)]
        async fn log_audit_read(&self, read: &AuditRead) -> Result<(), StoreError> {
            self.write_audit_read(read).await
        }

        #[instrument(skip_all)]
        async fn log_expiries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
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
        async fn erase(
            &self,
            what: &Erase,
            now: DateTime<Utc>,
        ) -> Result<Vec<ErasureEntry>, StoreError> {
            let mut appended = Vec::new();
            while let Some(entry) = self.erase_step(what, now).await? {
                appended.push(entry);
            }
            Ok(appended)
        }

        #[instrument(skip_all)]
        async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
            let row: Option<CheckpointRow> = sqlx::query_as(
                "SELECT size, root_hash, note, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await?;
            row.map(CheckpointRow::into_checkpoint).transpose()
        }

        #[instrument(skip_all)]
        async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
            let rows: Vec<CheckpointRow> = sqlx::query_as(
                "SELECT size, root_hash, note, signed_at FROM checkpoints ORDER BY size",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(CheckpointRow::into_checkpoint)
                .collect()
        }
    }
}
