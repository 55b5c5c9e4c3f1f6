//! Disclosures and decisions read back: their rows, their columns, and how a disclosure's sealed
//! record is opened.

use chrono::{DateTime, Utc};
use policies::{LegalBasis, Mode};
use sqlx::FromRow;
use tracing::instrument;

use super::checkpoints::hash32;
use super::consent_rows::{
    CONSENT_COLUMNS, ConsentRow, EVENT_COLUMNS, EventRow, consents_with_history,
};
use super::encode::{DbTime, from_index, from_json, to_index};
use crate::SubjectId;
use crate::model::{
    Consent, Content, DecisionRecord, Disclosure, ErasureMark, ErasureReason, Outcome, Personal,
    Seek,
};
use crate::store::StoreError;
use crate::vault::Kek;

pub const DECISION_COLUMNS: &str = "id, at, mode, partner, professional, role, activity, source, recipient, subject, \
     categories, outcome, violations, consent_id, error, register_version";

/// The columns a disclosure is inserted with.
pub const DISCLOSURE_COLUMNS: &str = "log_index, id, at, mode, source, recipient, subject, activity, legal_basis, \
     decision_id, retain_until, key_epoch, record_digest, sealed, leaf_hash";

/// A disclosure as it is read: with its erasure, if any, and its wrapped record key, if still there.
/// Rows are `d`.
pub const DISCLOSURE_SELECT: &str = "SELECT d.log_index, d.id, d.at, d.mode, d.source, d.recipient, d.subject, \
     d.activity, d.legal_basis, d.decision_id, d.retain_until, d.key_epoch, d.record_digest, d.sealed, d.legacy, \
     d.leaf_hash, d.erased_by, e.at AS erased_at, e.reason AS erasure_reason, k.wrapped AS wrapped_key, \
     f.until AS hidden_until \
     FROM disclosures d LEFT JOIN erasures e ON e.log_index = d.erased_by \
     LEFT JOIN subject_keys k ON k.subject = d.subject AND k.epoch = d.key_epoch \
     LEFT JOIN deferrals f ON f.disclosure_id = d.id";

#[derive(Debug, FromRow)]
pub struct DecisionRow {
    id: String,
    at: DbTime,
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
    register_version: String,
}

impl DecisionRow {
    pub fn into_decision(self) -> Result<DecisionRecord, StoreError> {
        Ok(DecisionRecord {
            id: self.id,
            at: self.at.0,
            mode: parse_mode(&self.mode)?,
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
            register_version: self.register_version,
        })
    }
}

fn parse_mode(s: &str) -> Result<Mode, StoreError> {
    Mode::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown mode {s:?}")))
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

#[derive(Debug, FromRow)]
pub struct DisclosureRow {
    log_index: i64,
    id: String,
    at: DbTime,
    mode: String,
    source: String,
    recipient: String,
    subject: String,
    activity: String,
    legal_basis: String,
    decision_id: String,
    retain_until: DbTime,
    pub key_epoch: String,
    record_digest: Option<String>,
    sealed: Option<String>,
    pub legacy: Option<String>,
    leaf_hash: String,
    erased_by: Option<i64>,
    erased_at: Option<DbTime>,
    erasure_reason: Option<String>,
    wrapped_key: Option<String>,
    hidden_until: Option<DbTime>,
}

impl DisclosureRow {
    /// The entry, its personal part opened with `kek` (left sealed without one).
    pub fn into_disclosure(self, kek: Option<&Kek>) -> Result<Disclosure, StoreError> {
        let index = to_index(self.log_index)?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("ledger entry {index}: {what}"));
        let content = match (self.erased_by, &self.sealed, kek) {
            (Some(by), _, _) => Content::Erased(ErasureMark {
                at: self
                    .erased_at
                    .ok_or_else(|| corrupt("its erasure entry is missing"))?
                    .0,
                reason: self
                    .erasure_reason
                    .as_deref()
                    .and_then(ErasureReason::parse)
                    .ok_or_else(|| corrupt("its erasure has an unknown reason"))?,
                erasure_index: to_index(by)?,
            }),
            (None, Some(_), None) => Content::Sealed,
            (None, Some(sealed), Some(kek)) => {
                let wrapped = self.wrapped_key.as_deref().ok_or_else(|| {
                    corrupt("its record key is gone, but no erasure entry says so")
                })?;
                let plain = kek
                    .unwrap(&self.subject, &self.key_epoch, wrapped)
                    .and_then(|key| key.open(&self.id, &self.subject, sealed))
                    .map_err(|e| corrupt(&e.to_string()))?;
                Content::Readable(
                    serde_json::from_slice::<Personal>(&plain)
                        .map_err(|e| corrupt(&format!("its record does not decode: {e}")))?,
                )
            }
            (None, None, _) if self.legacy.is_some() => {
                return Err(corrupt(
                    "it was written before records were sealed; start the gateway once to seal it",
                ));
            }
            (None, None, _) => return Err(corrupt("it has neither a record nor an erasure")),
        };
        Ok(Disclosure {
            log_index: index,
            record_digest: hash32(
                self.record_digest
                    .as_deref()
                    .ok_or_else(|| corrupt("it has no record digest"))?,
            )?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
            mode: parse_mode(&self.mode)?,
            source: self.source,
            recipient: self.recipient,
            subject: SubjectId::from_stored(self.subject),
            activity: self.activity,
            legal_basis: LegalBasis::parse(&self.legal_basis).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown legal basis {:?}", self.legal_basis))
            })?,
            decision_id: self.decision_id,
            retain_until: self.retain_until.0,
            hidden_until: self.hidden_until.map(|t| t.0),
            content,
        })
    }

    /// A row written before records were sealed: its entry with the personal part as it was
    /// stored in the clear.
    pub fn into_legacy(mut self) -> Result<Disclosure, StoreError> {
        let legacy = self.legacy.take().ok_or_else(|| {
            StoreError::Corrupt(format!(
                "ledger entry {} is not a legacy row",
                self.log_index
            ))
        })?;
        let personal: Personal = from_json(&legacy)?;
        // Read as sealed (without a key), then given its clear part.
        self.sealed = Some(String::new());
        self.record_digest = Some(hex::encode([0u8; 32]));
        let mut entry = self.into_disclosure(None)?;
        entry.content = Content::Readable(personal);
        Ok(entry)
    }
}

sql_impl! {
    impl SqlStore {
        pub(super) fn disclosures(&self, rows: Vec<DisclosureRow>) -> Result<Vec<Disclosure>, StoreError> {
            rows.into_iter()
                .map(|row| row.into_disclosure(self.kek.as_ref()))
                .collect()
        }

        #[instrument(skip_all)]
        pub(super) async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
            let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                "{DISCLOSURE_SELECT} WHERE d.subject = $1 ORDER BY d.log_index"
            ))
            .bind(subject.as_str())
            .fetch_all(&self.pool)
            .await?;
            self.disclosures(rows)
        }

        #[instrument(skip_all)]
        pub(super) async fn disclosures_page(
            &self,
            subject: &SubjectId,
            seek: Seek,
            limit: u32,
        ) -> Result<Vec<Disclosure>, StoreError> {
            let (condition, from, order) = match seek {
                Seek::OldestAfter(after) => ("d.log_index > $2", after.map_or(Ok(-1), from_index)?, "ASC"),
                Seek::NewestBefore(before) => {
                    ("d.log_index < $2", before.map_or(Ok(i64::MAX), from_index)?, "DESC")
                }
            };
            let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                "{DISCLOSURE_SELECT} WHERE d.subject = $1 AND {condition}
                 ORDER BY d.log_index {order} LIMIT $3"
            ))
            .bind(subject.as_str())
            .bind(from)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            self.disclosures(rows)
        }

        #[instrument(skip_all)]
        pub(super) async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError> {
            let row: Option<DisclosureRow> =
                sqlx::query_as(&format!("{DISCLOSURE_SELECT} WHERE d.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            row.map(|row| row.into_disclosure(self.kek.as_ref()))
                .transpose()
        }

        #[instrument(skip_all)]
        pub(super) async fn decisions(
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
    }
}
