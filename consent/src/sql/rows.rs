//! The tables' rows as both databases return them, their column lists, and how they become records.

use std::collections::HashMap;

use policies::{LegalBasis, Mode, RepresentativeRole};
use sqlx::FromRow;

use super::encode::{DbTime, from_json, to_index};
use crate::model::{
    Consent, ConsentChange, ConsentEntry, ConsentEvent, Content, DecisionRecord, Disclosure,
    ErasureEntry, ErasureMark, ErasureReason, Evidence, Grantor, Notification, Outcome, Personal,
    Refusal, Representation, RepresentationChange, RepresentationEntry,
};
use crate::store::{StoreError, StoredCheckpoint};
use crate::vault::Kek;
use crate::{Sha256Hex, SubjectId};

pub const CONSENT_COLUMNS: &str = "id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
     evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, \
     revoked_at, confirmed_at, grantor_role, grantor, representation_id, language, version, supersedes, \
     superseded_at, superseded_by, refused_at";

pub const EVENT_COLUMNS: &str =
    "consent_id, at, event, actor, professional, representation_id, log_index";

pub const NOTIFICATION_COLUMNS: &str = "id, partner, consent_id, change, changed_at, body, status, attempts, \
     created_at, next_attempt_at, last_attempt_at, delivered_at, last_error";

pub const REPRESENTATION_COLUMNS: &str = "id, representative, represented, role, basis, document_sha256, label, \
     valid_from, valid_until, recorded_by_partner, professional, created_at, ended_at, confirmed_at, confirmed_by, ended_by";

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

pub const REFUSAL_COLUMNS: &str = "id, subject, recipient, category, activity, note, recorded_by_partner, \
     professional, created_at, withdrawn_at, representation_id, withdrawn_by";

pub const ERASURE_COLUMNS: &str = "log_index, id, at, reason, entries, leaf_hash";
pub const REPRESENTATION_ENTRY_COLUMNS: &str = "log_index, id, at, event, actor, representation_id, \
     subject, professional, salt, record_digest, leaf_hash";

pub const CONSENT_ENTRY_COLUMNS: &str = "log_index, id, at, event, actor, consent_id, subject, \
     professional, representation_id, salt, record_digest, leaf_hash";

#[derive(Debug, FromRow)]
pub struct ConsentRow {
    id: String,
    subject: String,
    recipients: String,
    sources: Option<String>,
    categories: String,
    activities: String,
    valid_from: DbTime,
    valid_until: DbTime,
    evidence_method: String,
    evidence_document_sha256: String,
    evidence_recorded_by: String,
    note: Option<String>,
    recorded_by_partner: String,
    created_at: DbTime,
    revoked_at: Option<DbTime>,
    confirmed_at: Option<DbTime>,
    grantor_role: String,
    grantor: Option<String>,
    representation_id: Option<String>,
    language: String,
    version: i64,
    supersedes: Option<String>,
    superseded_at: Option<DbTime>,
    superseded_by: Option<String>,
    refused_at: Option<DbTime>,
}

#[derive(Debug, FromRow)]
pub struct EventRow {
    consent_id: String,
    at: DbTime,
    event: String,
    actor: String,
    professional: Option<String>,
    representation_id: Option<String>,
    log_index: Option<i64>,
}

/// A consent joined with one step of its history (`h_*`, all NULL for a consent without any), so
/// a consent and its history come from one statement: one snapshot, one round trip.
#[derive(Debug, FromRow)]
pub struct ConsentHistoryRow {
    #[sqlx(flatten)]
    consent: ConsentRow,
    h_consent_id: Option<String>,
    h_at: Option<DbTime>,
    h_event: Option<String>,
    h_actor: Option<String>,
    h_professional: Option<String>,
    h_representation_id: Option<String>,
    h_log_index: Option<i64>,
}

impl ConsentRow {
    /// The row as [`direct`](super::direct) reads it: [`CONSENT_COLUMNS`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            subject: row.get(1)?,
            recipients: row.get(2)?,
            sources: row.get(3)?,
            categories: row.get(4)?,
            activities: row.get(5)?,
            valid_from: row.get(6)?,
            valid_until: row.get(7)?,
            evidence_method: row.get(8)?,
            evidence_document_sha256: row.get(9)?,
            evidence_recorded_by: row.get(10)?,
            note: row.get(11)?,
            recorded_by_partner: row.get(12)?,
            created_at: row.get(13)?,
            revoked_at: row.get(14)?,
            confirmed_at: row.get(15)?,
            grantor_role: row.get(16)?,
            grantor: row.get(17)?,
            representation_id: row.get(18)?,
            language: row.get(19)?,
            version: row.get(20)?,
            supersedes: row.get(21)?,
            superseded_at: row.get(22)?,
            superseded_by: row.get(23)?,
            refused_at: row.get(24)?,
        })
    }
}

impl ConsentHistoryRow {
    /// The row as [`direct`](super::direct) reads it: the columns of
    /// [`consent_history_columns`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            consent: ConsentRow::from_direct(row)?,
            h_consent_id: row.get(25)?,
            h_at: row.get(26)?,
            h_event: row.get(27)?,
            h_actor: row.get(28)?,
            h_professional: row.get(29)?,
            h_representation_id: row.get(30)?,
            h_log_index: row.get(31)?,
        })
    }
}

/// The columns of [`ConsentHistoryRow`] over `consents c LEFT JOIN consent_history h`.
pub fn consent_history_columns() -> String {
    let consent = CONSENT_COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let history = EVENT_COLUMNS
        .split(',')
        .map(|c| format!("h.{0} AS h_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{consent}, {history}")
}

/// Consents from rows ordered by consent and then history: each consent once, with its steps in
/// that order.
pub fn consents_from_joined(rows: Vec<ConsentHistoryRow>) -> Result<Vec<Consent>, StoreError> {
    let mut consents: Vec<(ConsentRow, Vec<ConsentEvent>)> = Vec::new();
    for row in rows {
        let event = match (row.h_consent_id, row.h_at, row.h_event, row.h_actor) {
            (None, ..) => None,
            (Some(_), Some(at), Some(event), Some(actor)) => Some(ConsentEvent {
                at: at.0,
                event,
                by: actor,
                professional: row.h_professional,
                representation: row.h_representation_id,
                log_index: row.h_log_index.and_then(|i| u64::try_from(i).ok()),
            }),
            (Some(id), ..) => {
                return Err(StoreError::Corrupt(format!(
                    "a history step of consent {id} lacks its time, event or actor"
                )));
            }
        };
        match consents.last_mut() {
            Some((consent, history)) if consent.id == row.consent.id => history.extend(event),
            _ => consents.push((row.consent, event.into_iter().collect())),
        }
    }
    consents
        .into_iter()
        .map(|(row, history)| row.into_consent(history))
        .collect()
}

/// Consents with their histories: each event goes to its consent, in the order given.
pub fn consents_with_history(
    rows: Vec<ConsentRow>,
    events: Vec<EventRow>,
) -> Result<Vec<Consent>, StoreError> {
    let mut histories: HashMap<String, Vec<ConsentEvent>> = HashMap::new();
    for e in events {
        histories
            .entry(e.consent_id)
            .or_default()
            .push(ConsentEvent {
                at: e.at.0,
                event: e.event,
                by: e.actor,
                professional: e.professional,
                representation: e.representation_id,
                log_index: e.log_index.and_then(|i| u64::try_from(i).ok()),
            });
    }
    rows.into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            row.into_consent(history)
        })
        .collect()
}

impl ConsentRow {
    fn into_consent(self, history: Vec<ConsentEvent>) -> Result<Consent, StoreError> {
        let grantor = match (self.grantor_role.as_str(), self.grantor) {
            ("self", _) => Grantor::Subject,
            (role, Some(person)) => Grantor::Representative {
                role: RepresentativeRole::parse(role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown grantor role {role:?}")))?,
                person: SubjectId::from_stored(person),
                representation: self.representation_id,
            },
            (role, None) => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} names a {role} as grantor but not who",
                    self.id
                )));
            }
        };
        let superseded = match (self.superseded_at, self.superseded_by) {
            (Some(at), Some(by)) => Some((at.0, by)),
            (None, None) => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} is half superseded",
                    self.id
                )));
            }
        };
        Ok(Consent {
            grantor,
            language: self.language,
            version: u32::try_from(self.version)
                .map_err(|_| StoreError::Corrupt(format!("consent version {}", self.version)))?,
            supersedes: self.supersedes,
            superseded,
            refused_at: self.refused_at.map(|t| t.0),
            subject: SubjectId::from_stored(self.subject),
            recipients: from_json(&self.recipients)?,
            sources: self.sources.as_deref().map(from_json).transpose()?,
            categories: from_json(&self.categories)?,
            activities: from_json(&self.activities)?,
            valid_from: self.valid_from.0,
            valid_until: self.valid_until.0,
            evidence: Evidence {
                method: self.evidence_method,
                document_sha256: digest(self.evidence_document_sha256)?,
                recorded_by: self.evidence_recorded_by,
            },
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            created_at: self.created_at.0,
            revoked_at: self.revoked_at.map(|t| t.0),
            confirmed_at: self.confirmed_at.map(|t| t.0),
            history,
            id: self.id,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct CheckpointRow {
    size: i64,
    root_hash: String,
    note: String,
    signed_at: DbTime,
}

impl CheckpointRow {
    pub fn into_checkpoint(self) -> Result<StoredCheckpoint, StoreError> {
        Ok(StoredCheckpoint {
            size: to_index(self.size)?,
            root: hash32(&self.root_hash)?,
            note: self.note,
            signed_at: self.signed_at.0,
        })
    }
}

/// A stored hex SHA-256 (leaf or root hash) back to bytes.
pub fn hash32(hex_text: &str) -> Result<[u8; 32], StoreError> {
    hex::decode(hex_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            StoreError::Corrupt(format!("stored hash {hex_text:?} is not 32 bytes of hex"))
        })
}

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

fn digest(stored: String) -> Result<Sha256Hex, StoreError> {
    Sha256Hex::try_from(stored).map_err(|e| StoreError::Corrupt(e.to_string()))
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

#[derive(Debug, FromRow)]
pub struct RefusalRow {
    id: String,
    subject: String,
    recipient: Option<String>,
    category: Option<String>,
    activity: Option<String>,
    note: Option<String>,
    recorded_by_partner: String,
    professional: Option<String>,
    created_at: DbTime,
    withdrawn_at: Option<DbTime>,
    representation_id: Option<String>,
    withdrawn_by: Option<String>,
}

impl RefusalRow {
    /// The row as [`direct`](super::direct) reads it: [`REFUSAL_COLUMNS`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            subject: row.get(1)?,
            recipient: row.get(2)?,
            category: row.get(3)?,
            activity: row.get(4)?,
            note: row.get(5)?,
            recorded_by_partner: row.get(6)?,
            professional: row.get(7)?,
            created_at: row.get(8)?,
            withdrawn_at: row.get(9)?,
            representation_id: row.get(10)?,
            withdrawn_by: row.get(11)?,
        })
    }

    pub fn into_refusal(self) -> Refusal {
        Refusal {
            id: self.id,
            subject: SubjectId::from_stored(self.subject),
            recipient: self.recipient,
            category: self.category,
            activity: self.activity,
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            professional: self.professional,
            representation: self.representation_id,
            created_at: self.created_at.0,
            withdrawn_at: self.withdrawn_at.map(|t| t.0),
            withdrawn_by: self.withdrawn_by,
        }
    }
}

#[derive(Debug, FromRow)]
pub struct ErasureRow {
    log_index: i64,
    id: String,
    at: DbTime,
    reason: String,
    entries: String,
    leaf_hash: String,
}

impl ErasureRow {
    pub fn into_erasure(self) -> Result<ErasureEntry, StoreError> {
        Ok(ErasureEntry {
            log_index: to_index(self.log_index)?,
            reason: ErasureReason::parse(&self.reason).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown erasure reason {:?}", self.reason))
            })?,
            entries: from_json(&self.entries)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct ConsentEntryRow {
    log_index: i64,
    id: String,
    at: DbTime,
    event: String,
    actor: String,
    consent_id: String,
    subject: String,
    professional: Option<String>,
    representation_id: Option<String>,
    salt: String,
    record_digest: String,
    leaf_hash: String,
}

impl ConsentEntryRow {
    pub fn into_entry(self) -> Result<ConsentEntry, StoreError> {
        Ok(ConsentEntry {
            log_index: to_index(self.log_index)?,
            event: ConsentChange::parse(&self.event).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown consent change {:?}", self.event))
            })?,
            record_digest: hash32(&self.record_digest)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
            actor: self.actor,
            consent_id: self.consent_id,
            subject: SubjectId::from_stored(self.subject),
            professional: self.professional,
            representation: self.representation_id,
            salt: self.salt,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct RepresentationEntryRow {
    log_index: i64,
    id: String,
    at: DbTime,
    event: String,
    actor: String,
    representation_id: String,
    subject: String,
    professional: Option<String>,
    salt: String,
    record_digest: String,
    leaf_hash: String,
}

impl RepresentationEntryRow {
    pub fn into_entry(self) -> Result<RepresentationEntry, StoreError> {
        Ok(RepresentationEntry {
            log_index: to_index(self.log_index)?,
            event: RepresentationChange::parse(&self.event).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown representation change {:?}", self.event))
            })?,
            record_digest: hash32(&self.record_digest)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
            actor: self.actor,
            representation_id: self.representation_id,
            subject: SubjectId::from_stored(self.subject),
            professional: self.professional,
            salt: self.salt,
        })
    }
}

/// A [`RepresentationRow`] with what its officers review it by.
#[derive(Debug, FromRow)]
pub struct RecordedRepresentationRow {
    #[sqlx(flatten)]
    pub representation: RepresentationRow,
    pub first_used_at: Option<DbTime>,
    pub representative_represents: i64,
}

#[derive(Debug, FromRow)]
pub struct RepresentationRow {
    id: String,
    representative: String,
    represented: String,
    role: String,
    basis: String,
    document_sha256: String,
    label: Option<String>,
    valid_from: DbTime,
    valid_until: DbTime,
    recorded_by_partner: String,
    professional: String,
    created_at: DbTime,
    ended_at: Option<DbTime>,
    confirmed_at: Option<DbTime>,
    confirmed_by: Option<String>,
    ended_by: Option<String>,
}

impl RepresentationRow {
    pub fn into_representation(self) -> Result<Representation, StoreError> {
        Ok(Representation {
            role: RepresentativeRole::parse(&self.role).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown representation role {:?}", self.role))
            })?,
            document_sha256: digest(self.document_sha256)?,
            representative: SubjectId::from_stored(self.representative),
            represented: SubjectId::from_stored(self.represented),
            basis: self.basis,
            label: self.label,
            valid_from: self.valid_from.0,
            valid_until: self.valid_until.0,
            recorded_by_partner: self.recorded_by_partner,
            professional: self.professional,
            created_at: self.created_at.0,
            ended_at: self.ended_at.map(|t| t.0),
            confirmed_at: self.confirmed_at.map(|t| t.0),
            confirmed_by: self.confirmed_by,
            ended_by: self.ended_by,
            id: self.id,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct NotificationRow {
    id: String,
    partner: String,
    consent_id: String,
    change: String,
    changed_at: DbTime,
    body: String,
    status: String,
    attempts: i64,
    created_at: DbTime,
    next_attempt_at: DbTime,
    last_attempt_at: Option<DbTime>,
    delivered_at: Option<DbTime>,
    last_error: Option<String>,
}

impl NotificationRow {
    pub fn into_notification(self) -> Result<Notification, StoreError> {
        Ok(Notification {
            attempts: u32::try_from(self.attempts).map_err(|_| {
                StoreError::Corrupt(format!("notification attempts {}", self.attempts))
            })?,
            id: self.id,
            partner: self.partner,
            consent_id: self.consent_id,
            change: self.change,
            changed_at: self.changed_at.0,
            body: self.body,
            status: self.status,
            created_at: self.created_at.0,
            next_attempt_at: self.next_attempt_at.0,
            last_attempt_at: self.last_attempt_at.map(|t| t.0),
            delivered_at: self.delivered_at.map(|t| t.0),
            last_error: self.last_error,
        })
    }
}
