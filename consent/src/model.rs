//! The records, as the storage layer reads and writes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use policies::{LegalBasis, Mode, Violation};

use crate::{Sha256Hex, SubjectId};

/// How the toestemmingsverklaring was obtained (seed 004 §2.4.6: it must be registered in the dossier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// e.g. `signed_form`, `verbal_recorded`, `digital_signature`.
    pub method: String,
    /// SHA-256 of the signed document held by the recording organisation.
    pub document_sha256: Sha256Hex,
    /// The professional who recorded it.
    pub recorded_by: String,
}

/// The party name that stands for the Amsterdammer acting themselves, in place of a partner id.
pub const AMSTERDAMMER: &str = "amsterdammer";

/// Who acted on a consent: a professional of a partner, or the Amsterdammer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A partner id, or [`AMSTERDAMMER`].
    pub party: String,
    /// The professional (token `sub`); `None` when the Amsterdammer acted.
    pub professional: Option<String>,
}

impl Actor {
    pub fn professional(partner: &str, sub: &str) -> Self {
        Self {
            party: partner.to_owned(),
            professional: Some(sub.to_owned()),
        }
    }

    pub fn amsterdammer() -> Self {
        Self {
            party: AMSTERDAMMER.to_owned(),
            professional: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub subject: SubjectId,
    /// Partner ids or partner kinds, as given.
    pub recipients: Vec<String>,
    /// `None`: the `from` kinds of the activities.
    pub sources: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub evidence: Evidence,
    pub note: Option<String>,
    /// Who recorded it.
    pub recorded_by: Actor,
    /// Active at once (recorded by a listed recorder of every activity, or by the Amsterdammer);
    /// otherwise it awaits confirmation.
    pub confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Active,
    Revoked,
    Expired,
    /// Recorded, but awaiting confirmation or with `valid_from` ahead: it covers nothing yet.
    Pending,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub at: DateTime<Utc>,
    /// `recorded`, `confirmed` or `revoked`.
    pub event: String,
    /// A partner id, or `amsterdammer` when the resident acted.
    pub by: String,
    /// The professional (token `sub`) who acted for the partner.
    pub professional: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub subject: SubjectId,
    pub recipients: Vec<String>,
    pub sources: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub evidence: Evidence,
    pub note: Option<String>,
    /// The partner id that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `None` while it awaits confirmation.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub history: Vec<ConsentEvent>,
}

impl Consent {
    pub fn awaits_confirmation(&self) -> bool {
        self.confirmed_at.is_none() && self.revoked_at.is_none()
    }

    pub fn status_at(&self, now: DateTime<Utc>) -> ConsentStatus {
        if self.revoked_at.is_some() {
            ConsentStatus::Revoked
        } else if now >= self.valid_until {
            ConsentStatus::Expired
        } else if self.confirmed_at.is_none() || now < self.valid_from {
            ConsentStatus::Pending
        } else {
            ConsentStatus::Active
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Permit,
    Deny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permit => "permit",
            Self::Deny => "deny",
        }
    }
}

/// One decision, permit or deny, without payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    /// The partner the professional acts for.
    pub partner: String,
    /// The professional (token `sub`).
    pub professional: String,
    pub role: String,
    pub activity: String,
    pub source: String,
    pub recipient: String,
    pub subject: SubjectId,
    pub categories: Vec<String>,
    pub outcome: Outcome,
    /// Each vuistregel broken; empty for a permit.
    pub violations: Vec<Violation>,
    pub consent_id: Option<String>,
    /// Set when a permitted request still ended without disclosure, e.g. `source_unavailable`.
    pub error: Option<String>,
}

/// A disclosure to be appended to the ledger. The payload itself is never here: only its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDisclosure {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    /// The partner whose data was disclosed.
    pub source: String,
    /// The partner that received it.
    pub recipient: String,
    pub professional: String,
    pub subject: SubjectId,
    pub activity: String,
    pub legal_basis: LegalBasis,
    pub categories: Vec<String>,
    /// `category.field` of every field released.
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    pub justification: Option<String>,
    /// SHA-256 (hex) of the released payload (canonical JSON).
    pub payload_sha256: Sha256Hex,
    pub decision_id: String,
    pub retain_until: DateTime<Utc>,
}

/// A stored ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub record: NewDisclosure,
    /// Position in the ledger (0-based), the Merkle leaf index.
    pub log_index: u64,
    /// Hex of the 16 random bytes mixed into the leaf (see `ledger::Seal`).
    pub salt: String,
    /// RFC 6962 leaf hash (hex) committing to the salted digest of the record.
    pub leaf_hash: String,
}

/// What one request writes when it ends: its decision, and its disclosure if one happened. Both go
/// into the same group commit.
#[derive(Debug, Clone)]
pub struct LedgerWrite {
    pub decision: DecisionRecord,
    pub disclosure: Option<NewDisclosure>,
}
