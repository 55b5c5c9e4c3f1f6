//! The statements the store's methods are made of, shared by both databases (their bounds come from
//! `sql_impl!` in `mod.rs`).

use std::sync::OnceLock;

use chrono::{DateTime, SubsecRound as _, Utc};

use super::encode::{DbTime, to_json};
use super::rows::{
    CONSENT_COLUMNS, ConsentHistoryRow, ConsentRow, DECISION_COLUMNS, EVENT_COLUMNS, EventRow,
    consent_history_columns, consents_from_joined, consents_with_history,
};
use crate::SubjectId;
use crate::model::{
    Actor, Consent, ConsentChange, ConsentEntry, DecisionRecord, Grantor, NewConsent,
    RepresentationChange, RepresentationEntry,
};
use crate::store::StoreError;

/// Which consents a read loads: one by id, or every one of a subject (oldest first).
#[derive(Debug, Clone, Copy)]
pub(super) enum ConsentKey {
    Id,
    Subject,
}

impl ConsentKey {
    /// The consents, each joined with its history in order (see `ConsentHistoryRow`). The history
    /// is the `consent_history` view's (migration 0010) with the key inside each branch: SQLite
    /// (3.40 and 3.46 alike) materialises a `UNION ALL` view on the right of a `LEFT JOIN` whole,
    /// which would read every Amsterdammer's history for each lookup; this way it reads only these
    /// consents' rows, by index.
    pub(super) fn query(self) -> &'static str {
        static BY_ID: OnceLock<String> = OnceLock::new();
        static BY_SUBJECT: OnceLock<String> = OnceLock::new();
        match self {
            Self::Id => BY_ID.get_or_init(|| self.text()),
            Self::Subject => BY_SUBJECT.get_or_init(|| self.text()),
        }
    }

    fn text(self) -> String {
        let within = |alias: &str| match self {
            Self::Id => format!("{alias}.id = $1"),
            Self::Subject => format!("{alias}.subject = $1"),
        };
        format!(
            "SELECT {columns} FROM consents c LEFT JOIN (\
               SELECT e.consent_id, e.at, e.event, e.actor, e.professional, e.representation_id, \
                      l.log_index, e.seq AS ord \
               FROM consents k JOIN consent_events e ON e.consent_id = k.id \
               LEFT JOIN consent_entries l ON l.consent_id = e.consent_id AND l.seq = e.seq \
               WHERE {k} \
               UNION ALL \
               SELECT x.consent_id, x.at, x.event, x.actor, x.professional, x.representation_id, \
                      x.log_index, 2147483647 \
               FROM consents k JOIN consent_entries x ON x.consent_id = k.id \
               WHERE x.event = 'expired' AND {k}\
             ) h ON h.consent_id = c.id \
             WHERE {c} ORDER BY c.created_at, c.id, h.at, h.ord",
            columns = consent_history_columns(),
            k = within("k"),
            c = within("c"),
        )
    }
}

sql_impl! {
    impl SqlStore {
        /// The consents under `key` with their histories, in one statement (so from one snapshot,
        /// inside a transaction or not).
        pub(super) async fn load_consents(
            conn: &mut DB::Connection,
            key: ConsentKey,
            value: &str,
        ) -> Result<Vec<Consent>, StoreError> {
            let rows: Vec<ConsentHistoryRow> = sqlx::query_as(key.query())
                .bind(value)
                .fetch_all(&mut *conn)
                .await?;
            consents_from_joined(rows)
        }

        /// The consents `within` (binding `$1` and `$2` to `after` and `until`), in `order`, with their
        /// histories, from one snapshot.
        pub(super) async fn read_between(
            &self,
            within: &str,
            order: &str,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_READ).await?;
            let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
                "SELECT {CONSENT_COLUMNS} FROM consents WHERE {within} ORDER BY {order}"
            ))
            .bind(DbTime(after))
            .bind(DbTime(until))
            .fetch_all(&mut *tx)
            .await?;
            let events: Vec<EventRow> = sqlx::query_as(&format!(
                "SELECT {EVENT_COLUMNS} FROM consent_history WHERE consent_id IN \
                 (SELECT id FROM consents WHERE {within}) ORDER BY consent_id, at, ord"
            ))
            .bind(DbTime(after))
            .bind(DbTime(until))
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            consents_with_history(rows, events)
        }

        /// A consent and its history come from one statement, so no transaction is needed: one round
        /// trip (the exchange's consent lookup; a transaction took four).
        pub(super) async fn read_consents(
            &self,
            key: ConsentKey,
            value: &str,
        ) -> Result<Vec<Consent>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.consents(key, value);
            }
            let mut conn = self.pool.acquire().await?;
            Self::load_consents(&mut conn, key, value).await
        }

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

        /// Runs `sql` (`$1` now, `$2` by, `$3` the id) on representation `id` and, if it changed it,
        /// appends the change to the log in the same transaction.
        pub(super) async fn change_representation(
            &self,
            sql: &str,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
            event: RepresentationChange,
        ) -> Result<(), StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let changed = sqlx::query(sql)
                .bind(DbTime(now))
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if DB::rows_affected(&changed) == 1 {
                let (represented,): (String,) =
                    sqlx::query_as("SELECT represented FROM representations WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                let entry =
                    RepresentationEntry::seal(id, SubjectId::from_stored(represented), now, event, by)?;
                Self::append_representation_entry(&mut tx, &entry).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        /// The ledger's size, its head locked until the caller commits: the next entry's index.
        async fn lock_head(conn: &mut DB::Connection) -> Result<i64, StoreError> {
            let (size,): (i64,) = sqlx::query_as(DB::LOCK_LEDGER_HEAD)
                .fetch_one(&mut *conn)
                .await?;
            Ok(size)
        }

        /// Moves the head past the entry just written at index `size`.
        async fn advance_head(conn: &mut DB::Connection, size: i64) -> Result<(), StoreError> {
            sqlx::query("UPDATE ledger_head SET size = $1 WHERE id = 1")
                .bind(size + 1)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }

        /// Appends representation change `entry` to the log at the ledger's head (locked here until
        /// the caller commits).
        pub(super) async fn append_representation_entry(
            conn: &mut DB::Connection,
            entry: &RepresentationEntry,
        ) -> Result<(), StoreError> {
            let size = Self::lock_head(conn).await?;
            sqlx::query(
                "INSERT INTO representation_entries (log_index, id, at, event, actor, representation_id,
                                                     subject, professional, salt, record_digest, leaf_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(size)
            .bind(entry.id.as_str())
            .bind(DbTime(entry.at))
            .bind(entry.event.as_str())
            .bind(entry.actor.as_str())
            .bind(entry.representation_id.as_str())
            .bind(entry.subject.as_str())
            .bind(entry.professional.as_deref())
            .bind(entry.salt.as_str())
            .bind(hex::encode(entry.record_digest))
            .bind(hex::encode(entry.leaf_hash))
            .execute(&mut *conn)
            .await?;
            Self::advance_head(conn, size).await
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
    }
}

/// `($1, …, $cols), ($cols+1, …), …` for `rows` rows (each placeholder as `placeholder` writes
/// it): one multi-row VALUES list. A batch holds at most a few hundred rows, far below either
/// database's limit on parameters.
pub(super) fn placeholders(rows: usize, cols: usize, placeholder: fn(usize) -> String) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for col in 0..cols {
            if col > 0 {
                out.push_str(", ");
            }
            out.push_str(&placeholder(row * cols + col + 1));
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_every_parameter_once_row_by_row() {
        let numbered = |n| format!("${n}");
        assert_eq!(
            super::placeholders(2, 3, numbered),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(super::placeholders(1, 2, |_| "?".into()), "(?, ?)");
    }

    /// A consent lookup (one per exchange) reads only the consents it is about, by index, never
    /// the whole history of every Amsterdammer (the query plan of the SQLite the store bundles).
    #[tokio::test]
    async fn a_consent_lookup_reads_only_its_own_history() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for key in [super::ConsentKey::Subject, super::ConsentKey::Id] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", key.query()))
                    .bind("x")
                    .fetch_all(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            let steps: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
            // Only the few rows just gathered (`h`) may be scanned.
            assert!(
                steps
                    .iter()
                    .all(|s| !s.starts_with("SCAN") || s.starts_with("SCAN h")),
                "{key:?}: {steps:?}"
            );
        }
    }
}
