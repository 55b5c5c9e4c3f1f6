//! SQLite implementation of [`crate::Store`]: one file, WAL journal, `synchronous = FULL` so that a
//! commit is on disk before it returns. Every write transaction starts with `BEGIN IMMEDIATE`, so it
//! holds the write lock from its first statement: two writers never read the same ledger size, and no
//! reader-turned-writer can deadlock on the upgrade.
//!
//! Times are stored as TEXT in one fixed form (UTC, microseconds, see [`to_text`]) so that text order
//! is time order and precision matches the PostgreSQL backend.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{FromRow, SqliteConnection};

use crate::SubjectId;
use crate::ledger::SealedWrite;
use crate::model::{
    Actor, Consent, ConsentEvent, DecisionRecord, Disclosure, Evidence, NewConsent, NewDisclosure,
    Outcome,
};
use crate::store::{Store, StoreError};

/// A transaction that takes the write lock at once.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing, with its directory) the database at `sqlite:PATH` or
    /// `sqlite://PATH`, and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        create_parent_dir(options.get_filename())?;
        let pool = SqlitePoolOptions::new().connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// One step in a consent's life: `update` (binding the time, then the id) changes at most one
    /// row; when it does, the event is added to the history in the same transaction. Repeating a
    /// step changes nothing (idempotent).
    async fn transition(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
        update: &str,
        event: &str,
    ) -> Result<Option<Consent>, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        // A concurrent step holds the row lock; this one then finds the row changed and does nothing.
        let changed = sqlx::query(update)
            .bind(to_text(now))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            add_event(&mut tx, id, now, event, by).await?;
        }
        let consent = load_consents(&mut tx, ConsentKey::Id, id).await?.pop();
        tx.commit().await?;
        Ok(consent)
    }
}

fn create_parent_dir(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))
        }
        _ => Ok(()),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_consent(
        &self,
        id: &str,
        c: &NewConsent,
        now: DateTime<Utc>,
    ) -> Result<Consent, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO consents (id, subject, recipients, sources, categories, activities, valid_from, valid_until,
                 evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, confirmed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(c.subject.as_str())
        .bind(to_json(&c.recipients)?)
        .bind(c.sources.as_ref().map(to_json).transpose()?)
        .bind(to_json(&c.categories)?)
        .bind(to_json(&c.activities)?)
        .bind(to_text(c.valid_from))
        .bind(to_text(c.valid_until))
        .bind(&c.evidence.method)
        .bind(&c.evidence.document_sha256)
        .bind(&c.evidence.recorded_by)
        .bind(&c.note)
        .bind(&c.recorded_by.party)
        .bind(to_text(now))
        .bind(c.confirmed.then_some(to_text(now)))
        .execute(&mut *tx)
        .await?;
        add_event(&mut tx, id, now, "recorded", &c.recorded_by).await?;
        let consent = load_consents(&mut tx, ConsentKey::Id, id).await?.pop();
        tx.commit().await?;
        consent.ok_or_else(|| {
            StoreError::Corrupt(format!("consent {id} vanished while being recorded"))
        })
    }

    async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
        // One read transaction: the consent and its history come from the same snapshot.
        let mut tx = self.pool.begin().await?;
        let consent = load_consents(&mut tx, ConsentKey::Id, id).await?.pop();
        tx.commit().await?;
        Ok(consent)
    }

    async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let consents = load_consents(&mut tx, ConsentKey::Subject, subject.as_str()).await?;
        tx.commit().await?;
        Ok(consents)
    }

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
            "UPDATE consents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            "revoked",
        )
        .await
    }

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
            "UPDATE consents SET confirmed_at = ?
             WHERE id = ? AND confirmed_at IS NULL AND revoked_at IS NULL",
            "confirmed",
        )
        .await
    }

    async fn commit_batch(&self, writes: &[SealedWrite]) -> Result<Vec<Option<u64>>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let mut size: i64 = sqlx::query_scalar("SELECT size FROM ledger_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let mut indexes = Vec::with_capacity(writes.len());
        for write in writes {
            insert_decision(&mut tx, &write.decision).await?;
            match &write.disclosure {
                None => indexes.push(None),
                Some((record, seal)) => {
                    insert_disclosure(&mut tx, size, record, &seal.salt, &seal.leaf_hash).await?;
                    indexes.push(Some(to_index(size)?));
                    size += 1;
                }
            }
        }
        sqlx::query("UPDATE ledger_head SET size = ? WHERE id = 1")
            .bind(size)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(indexes)
    }

    async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
        let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
            "SELECT {DISCLOSURE_COLUMNS} FROM disclosures WHERE subject = ? ORDER BY log_index"
        ))
        .bind(subject.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(DisclosureRow::into_disclosure)
            .collect()
    }

    async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError> {
        let row: Option<DisclosureRow> = sqlx::query_as(&format!(
            "SELECT {DISCLOSURE_COLUMNS} FROM disclosures WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(DisclosureRow::into_disclosure).transpose()
    }

    async fn ledger_size(&self) -> Result<u64, StoreError> {
        let size: i64 = sqlx::query_scalar("SELECT size FROM ledger_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        to_index(size)
    }

    async fn decisions(
        &self,
        outcome: Option<Outcome>,
        limit: u32,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        let limit = i64::from(limit);
        let rows: Vec<DecisionRow> = match outcome {
            None => {
                sqlx::query_as(&format!("SELECT {DECISION_COLUMNS} FROM decisions ORDER BY at DESC, id DESC LIMIT ?"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(outcome) => {
                sqlx::query_as(&format!(
                    "SELECT {DECISION_COLUMNS} FROM decisions WHERE outcome = ? ORDER BY at DESC, id DESC LIMIT ?"
                ))
                .bind(outcome.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.into_iter().map(DecisionRow::into_decision).collect()
    }
}

// ---- consents ----

#[derive(Debug, FromRow)]
struct ConsentRow {
    id: String,
    subject: String,
    recipients: String,
    sources: Option<String>,
    categories: String,
    activities: String,
    valid_from: String,
    valid_until: String,
    evidence_method: String,
    evidence_document_sha256: String,
    evidence_recorded_by: String,
    note: Option<String>,
    recorded_by_partner: String,
    created_at: String,
    revoked_at: Option<String>,
    confirmed_at: Option<String>,
}

impl ConsentRow {
    fn into_consent(self, history: Vec<ConsentEvent>) -> Result<Consent, StoreError> {
        Ok(Consent {
            subject: SubjectId::from_stored(self.subject),
            recipients: from_json(&self.recipients)?,
            sources: self.sources.as_deref().map(from_json).transpose()?,
            categories: from_json(&self.categories)?,
            activities: from_json(&self.activities)?,
            valid_from: from_text(&self.valid_from)?,
            valid_until: from_text(&self.valid_until)?,
            evidence: Evidence {
                method: self.evidence_method,
                document_sha256: self.evidence_document_sha256,
                recorded_by: self.evidence_recorded_by,
            },
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            created_at: from_text(&self.created_at)?,
            revoked_at: self.revoked_at.as_deref().map(from_text).transpose()?,
            confirmed_at: self.confirmed_at.as_deref().map(from_text).transpose()?,
            history,
            id: self.id,
        })
    }
}

#[derive(Debug, FromRow)]
struct EventRow {
    consent_id: String,
    at: String,
    event: String,
    actor: String,
    professional: Option<String>,
}

/// Which consents [`load_consents`] reads.
#[derive(Debug, Clone, Copy)]
enum ConsentKey {
    Id,
    Subject,
}

impl ConsentKey {
    /// The consents, oldest first, and their events, oldest first.
    fn queries(self) -> (&'static str, &'static str) {
        match self {
            Self::Id => (
                "SELECT id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
                 evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, \
                 created_at, revoked_at, confirmed_at FROM consents WHERE id = ?",
                "SELECT consent_id, at, event, actor, professional FROM consent_events WHERE consent_id = ? ORDER BY seq",
            ),
            Self::Subject => (
                "SELECT id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
                 evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, \
                 created_at, revoked_at, confirmed_at FROM consents WHERE subject = ? ORDER BY created_at, id",
                "SELECT e.consent_id, e.at, e.event, e.actor, e.professional
                 FROM consent_events e JOIN consents c ON c.id = e.consent_id
                 WHERE c.subject = ? ORDER BY e.consent_id, e.seq",
            ),
        }
    }
}

async fn load_consents(
    conn: &mut SqliteConnection,
    key: ConsentKey,
    value: &str,
) -> Result<Vec<Consent>, StoreError> {
    let (consents_sql, events_sql) = key.queries();
    let rows: Vec<ConsentRow> = sqlx::query_as(consents_sql)
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
    let events: Vec<EventRow> = sqlx::query_as(events_sql)
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
    let mut histories: HashMap<String, Vec<ConsentEvent>> = HashMap::new();
    for e in events {
        let event = ConsentEvent {
            at: from_text(&e.at)?,
            event: e.event,
            by: e.actor,
            professional: e.professional,
        };
        histories.entry(e.consent_id).or_default().push(event);
    }
    rows.into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            row.into_consent(history)
        })
        .collect()
}

async fn add_event(
    conn: &mut SqliteConnection,
    consent_id: &str,
    at: DateTime<Utc>,
    event: &str,
    by: &Actor,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consent_events (consent_id, seq, at, event, actor, professional)
         SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM consent_events WHERE consent_id = ?1",
    )
    .bind(consent_id)
    .bind(to_text(at))
    .bind(event)
    .bind(&by.party)
    .bind(&by.professional)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- decisions ----

const DECISION_COLUMNS: &str = "id, at, mode, partner, professional, role, activity, source, recipient, subject, \
                                categories, outcome, violations, consent_id, error";

#[derive(Debug, FromRow)]
struct DecisionRow {
    id: String,
    at: String,
    mode: String,
    partner: String,
    professional: String,
    role: String,
    activity: String,
    source: String,
    recipient: String,
    subject: String,
    categories: String,
    outcome: String,
    violations: String,
    consent_id: Option<String>,
    error: Option<String>,
}

impl DecisionRow {
    fn into_decision(self) -> Result<DecisionRecord, StoreError> {
        Ok(DecisionRecord {
            id: self.id,
            at: from_text(&self.at)?,
            mode: self.mode,
            partner: self.partner,
            professional: self.professional,
            role: self.role,
            activity: self.activity,
            source: self.source,
            recipient: self.recipient,
            subject: SubjectId::from_stored(self.subject),
            categories: from_json(&self.categories)?,
            outcome: parse_outcome(&self.outcome)?,
            violations: from_json(&self.violations)?,
            consent_id: self.consent_id,
            error: self.error,
        })
    }
}

async fn insert_decision(
    conn: &mut SqliteConnection,
    d: &DecisionRecord,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO decisions ({DECISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&d.id)
    .bind(to_text(d.at))
    .bind(&d.mode)
    .bind(&d.partner)
    .bind(&d.professional)
    .bind(&d.role)
    .bind(&d.activity)
    .bind(&d.source)
    .bind(&d.recipient)
    .bind(d.subject.as_str())
    .bind(to_json(&d.categories)?)
    .bind(d.outcome.as_str())
    .bind(to_json(&d.violations)?)
    .bind(&d.consent_id)
    .bind(&d.error)
    .execute(conn)
    .await?;
    Ok(())
}

fn parse_outcome(s: &str) -> Result<Outcome, StoreError> {
    match s {
        "permit" => Ok(Outcome::Permit),
        "deny" => Ok(Outcome::Deny),
        other => Err(StoreError::Corrupt(format!(
            "unknown decision outcome {other:?}"
        ))),
    }
}

// ---- the ledger ----

const DISCLOSURE_COLUMNS: &str = "log_index, id, at, mode, source, recipient, professional, subject, activity, \
                                  legal_basis, categories, fields, consent_id, justification, payload_sha256, \
                                  decision_id, retain_until, salt, leaf_hash";

#[derive(Debug, FromRow)]
struct DisclosureRow {
    log_index: i64,
    id: String,
    at: String,
    mode: String,
    source: String,
    recipient: String,
    professional: String,
    subject: String,
    activity: String,
    legal_basis: String,
    categories: String,
    fields: String,
    consent_id: Option<String>,
    justification: Option<String>,
    payload_sha256: String,
    decision_id: String,
    retain_until: String,
    salt: String,
    leaf_hash: String,
}

impl DisclosureRow {
    fn into_disclosure(self) -> Result<Disclosure, StoreError> {
        Ok(Disclosure {
            record: NewDisclosure {
                id: self.id,
                at: from_text(&self.at)?,
                mode: self.mode,
                source: self.source,
                recipient: self.recipient,
                professional: self.professional,
                subject: SubjectId::from_stored(self.subject),
                activity: self.activity,
                legal_basis: self.legal_basis,
                categories: from_json(&self.categories)?,
                fields: from_json(&self.fields)?,
                consent_id: self.consent_id,
                justification: self.justification,
                payload_sha256: self.payload_sha256,
                decision_id: self.decision_id,
                retain_until: from_text(&self.retain_until)?,
            },
            log_index: to_index(self.log_index)?,
            salt: self.salt,
            leaf_hash: self.leaf_hash,
        })
    }
}

async fn insert_disclosure(
    conn: &mut SqliteConnection,
    log_index: i64,
    d: &NewDisclosure,
    salt: &str,
    leaf_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO disclosures ({DISCLOSURE_COLUMNS})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(log_index)
    .bind(&d.id)
    .bind(to_text(d.at))
    .bind(&d.mode)
    .bind(&d.source)
    .bind(&d.recipient)
    .bind(&d.professional)
    .bind(d.subject.as_str())
    .bind(&d.activity)
    .bind(&d.legal_basis)
    .bind(to_json(&d.categories)?)
    .bind(to_json(&d.fields)?)
    .bind(&d.consent_id)
    .bind(&d.justification)
    .bind(&d.payload_sha256)
    .bind(&d.decision_id)
    .bind(to_text(d.retain_until))
    .bind(salt)
    .bind(leaf_hash)
    .execute(conn)
    .await?;
    Ok(())
}

fn to_index(stored: i64) -> Result<u64, StoreError> {
    u64::try_from(stored)
        .map_err(|_| StoreError::Corrupt(format!("negative ledger index or size {stored}")))
}

// ---- encodings ----

/// `2025-01-31T09:15:00.123456Z`: fixed width, so text order is time order. Sub-microsecond digits
/// are dropped, as PostgreSQL does.
fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn from_text(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("stored time {s:?}: {e}")))
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode as JSON: {e}")))
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s)
        .map_err(|e| StoreError::Corrupt(format!("stored JSON does not decode: {e}")))
}
