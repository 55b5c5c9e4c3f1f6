//! PostgreSQL implementation of [`crate::Store`]. Several gateway replicas may share one database:
//! every ledger write locks the single `ledger_head` row (`FOR UPDATE`) before it reads the size, so
//! replicas take turns and ledger indexes stay consecutive and unique. A database whose
//! `synchronous_commit` is `off` is refused: there a commit can return before it is on disk.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{FromRow, PgConnection};

use crate::SubjectId;
use crate::ledger::SealedWrite;
use crate::model::{
    Actor, Consent, ConsentEvent, DecisionRecord, Disclosure, Evidence, NewConsent, NewDisclosure,
    Outcome,
};
use crate::store::{Store, StoreError};

/// A read transaction whose statements all see one snapshot.
const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// `synchronous_commit` values under which a commit returns only once it is flushed locally.
const DURABLE_COMMIT: [&str; 4] = ["on", "local", "remote_write", "remote_apply"];

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `postgres://...`, refuses a database that does not commit durably, and runs the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().connect(url).await?;
        // Checked before migrating, so a refused database is left untouched.
        let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&pool)
            .await?;
        if !DURABLE_COMMIT.contains(&setting.as_str()) {
            pool.close().await;
            return Err(StoreError::NotDurable(format!(
                "synchronous_commit is {setting:?}, so a commit may be reported before it is on disk and a crash \
                 would lose ledger entries that were already answered; set it to on (for example \
                 ALTER DATABASE <name> SET synchronous_commit = on, or remove the override)"
            )));
        }
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
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
        let mut tx = self.pool.begin().await?;
        // A concurrent step holds the row lock; this one then finds the row changed and does nothing.
        let changed = sqlx::query(update)
            .bind(now)
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

#[async_trait]
impl Store for PgStore {
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO consents (id, subject, recipients, sources, categories, activities, valid_from, valid_until,
                 evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, confirmed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(id)
        .bind(c.subject.as_str())
        .bind(to_json(&c.recipients)?)
        .bind(c.sources.as_ref().map(to_json).transpose()?)
        .bind(to_json(&c.categories)?)
        .bind(to_json(&c.activities)?)
        .bind(c.valid_from)
        .bind(c.valid_until)
        .bind(&c.evidence.method)
        .bind(&c.evidence.document_sha256)
        .bind(&c.evidence.recorded_by)
        .bind(&c.note)
        .bind(&c.recorded_by.party)
        .bind(now)
        .bind(c.confirmed.then_some(now))
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
        let mut tx = self.pool.begin_with(BEGIN_SNAPSHOT).await?;
        let consent = load_consents(&mut tx, ConsentKey::Id, id).await?.pop();
        tx.commit().await?;
        Ok(consent)
    }

    async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_SNAPSHOT).await?;
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
            "UPDATE consents SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
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
            "UPDATE consents SET confirmed_at = $1
             WHERE id = $2 AND confirmed_at IS NULL AND revoked_at IS NULL",
            "confirmed",
        )
        .await
    }

    async fn commit_batch(&self, writes: &[SealedWrite]) -> Result<Vec<Option<u64>>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        // Held until commit: another replica's batch waits here, then reads the size this one wrote.
        let mut size: i64 =
            sqlx::query_scalar("SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE")
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
        sqlx::query("UPDATE ledger_head SET size = $1 WHERE id = 1")
            .bind(size)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(indexes)
    }

    async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
        let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
            "SELECT {DISCLOSURE_COLUMNS} FROM disclosures WHERE subject = $1 ORDER BY log_index"
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
            "SELECT {DISCLOSURE_COLUMNS} FROM disclosures WHERE id = $1"
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
                sqlx::query_as(&format!("SELECT {DECISION_COLUMNS} FROM decisions ORDER BY at DESC, id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(outcome) => {
                sqlx::query_as(&format!(
                    "SELECT {DECISION_COLUMNS} FROM decisions WHERE outcome = $1 ORDER BY at DESC, id DESC LIMIT $2"
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
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    evidence_method: String,
    evidence_document_sha256: String,
    evidence_recorded_by: String,
    note: Option<String>,
    recorded_by_partner: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    confirmed_at: Option<DateTime<Utc>>,
}

impl ConsentRow {
    fn into_consent(self, history: Vec<ConsentEvent>) -> Result<Consent, StoreError> {
        Ok(Consent {
            subject: SubjectId::from_stored(self.subject),
            recipients: from_json(&self.recipients)?,
            sources: self.sources.as_deref().map(from_json).transpose()?,
            categories: from_json(&self.categories)?,
            activities: from_json(&self.activities)?,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            evidence: Evidence {
                method: self.evidence_method,
                document_sha256: self.evidence_document_sha256,
                recorded_by: self.evidence_recorded_by,
            },
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
            confirmed_at: self.confirmed_at,
            history,
            id: self.id,
        })
    }
}

#[derive(Debug, FromRow)]
struct EventRow {
    consent_id: String,
    at: DateTime<Utc>,
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
                 created_at, revoked_at, confirmed_at FROM consents WHERE id = $1",
                "SELECT consent_id, at, event, actor, professional FROM consent_events WHERE consent_id = $1 ORDER BY seq",
            ),
            Self::Subject => (
                "SELECT id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
                 evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, \
                 created_at, revoked_at, confirmed_at FROM consents WHERE subject = $1 ORDER BY created_at, id",
                "SELECT e.consent_id, e.at, e.event, e.actor, e.professional
                 FROM consent_events e JOIN consents c ON c.id = e.consent_id
                 WHERE c.subject = $1 ORDER BY e.consent_id, e.seq",
            ),
        }
    }
}

async fn load_consents(
    conn: &mut PgConnection,
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
            at: e.at,
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
    conn: &mut PgConnection,
    consent_id: &str,
    at: DateTime<Utc>,
    event: &str,
    by: &Actor,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consent_events (consent_id, seq, at, event, actor, professional)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM consent_events WHERE consent_id = $1",
    )
    .bind(consent_id)
    .bind(at)
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
    at: DateTime<Utc>,
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
            at: self.at,
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

async fn insert_decision(conn: &mut PgConnection, d: &DecisionRecord) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO decisions ({DECISION_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(&d.id)
    .bind(d.at)
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
    at: DateTime<Utc>,
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
    retain_until: DateTime<Utc>,
    salt: String,
    leaf_hash: String,
}

impl DisclosureRow {
    fn into_disclosure(self) -> Result<Disclosure, StoreError> {
        Ok(Disclosure {
            record: NewDisclosure {
                id: self.id,
                at: self.at,
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
                retain_until: self.retain_until,
            },
            log_index: to_index(self.log_index)?,
            salt: self.salt,
            leaf_hash: self.leaf_hash,
        })
    }
}

async fn insert_disclosure(
    conn: &mut PgConnection,
    log_index: i64,
    d: &NewDisclosure,
    salt: &str,
    leaf_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO disclosures ({DISCLOSURE_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    ))
    .bind(log_index)
    .bind(&d.id)
    .bind(d.at)
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
    .bind(d.retain_until)
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

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode as JSON: {e}")))
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s)
        .map_err(|e| StoreError::Corrupt(format!("stored JSON does not decode: {e}")))
}
