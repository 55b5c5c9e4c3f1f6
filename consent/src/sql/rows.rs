//! The tables' rows as both databases return them, their column lists, and how they become records.

use std::collections::HashMap;

use policies::{LegalBasis, Mode};
use sqlx::FromRow;

use super::encode::{DbTime, from_json, to_index};
use crate::model::{
    Consent, ConsentEvent, DecisionRecord, Disclosure, Evidence, NewDisclosure, Outcome,
};
use crate::store::{StoreError, StoredCheckpoint};
use crate::{Sha256Hex, SubjectId};

pub const CONSENT_COLUMNS: &str = "id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
     evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, \
     revoked_at, confirmed_at";

pub const EVENT_COLUMNS: &str = "consent_id, at, event, actor, professional";

pub const DECISION_COLUMNS: &str = "id, at, mode, partner, professional, role, activity, source, recipient, subject, \
     categories, outcome, violations, consent_id, error";

pub const DISCLOSURE_COLUMNS: &str = "log_index, id, at, mode, source, recipient, professional, subject, activity, \
     legal_basis, categories, fields, consent_id, justification, payload_sha256, decision_id, retain_until, salt, \
     leaf_hash";

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
}

#[derive(Debug, FromRow)]
pub struct EventRow {
    consent_id: String,
    at: DbTime,
    event: String,
    actor: String,
    professional: Option<String>,
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
        Ok(Consent {
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
    retain_until: DbTime,
    salt: String,
    leaf_hash: String,
}

impl DisclosureRow {
    pub fn into_disclosure(self) -> Result<Disclosure, StoreError> {
        Ok(Disclosure {
            record: NewDisclosure {
                id: self.id,
                at: self.at.0,
                mode: parse_mode(&self.mode)?,
                source: self.source,
                recipient: self.recipient,
                professional: self.professional,
                subject: SubjectId::from_stored(self.subject),
                activity: self.activity,
                legal_basis: LegalBasis::parse(&self.legal_basis).ok_or_else(|| {
                    StoreError::Corrupt(format!("unknown legal basis {:?}", self.legal_basis))
                })?,
                categories: from_json(&self.categories)?,
                fields: from_json(&self.fields)?,
                consent_id: self.consent_id,
                justification: self.justification,
                payload_sha256: digest(self.payload_sha256)?,
                decision_id: self.decision_id,
                retain_until: self.retain_until.0,
            },
            log_index: to_index(self.log_index)?,
            salt: self.salt,
            leaf_hash: self.leaf_hash,
        })
    }
}
