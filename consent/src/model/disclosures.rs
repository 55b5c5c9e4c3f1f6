//! What one exchange leaves behind: its decision, and its disclosure in the ledger with the
//! personal part that is sealed (and can be erased) apart from what the leaf commits to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use policies::{LegalBasis, Mode, Violation};

use crate::{Sha256Hex, SubjectId};

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
    /// The version (SHA-256) of the register the decision was taken under; empty for decisions
    /// recorded before versions were.
    pub register_version: String,
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

/// A stored ledger entry: in the clear what names no person and what its leaf commits to; the
/// personal part of the record as far as it can still be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// Position in the ledger (0-based), the Merkle leaf index.
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    pub source: String,
    pub recipient: String,
    pub subject: SubjectId,
    pub activity: String,
    pub legal_basis: LegalBasis,
    pub decision_id: String,
    pub retain_until: DateTime<Utc>,
    /// The salted digest of the whole record that the leaf commits to (see `leaf`).
    pub record_digest: [u8; 32],
    /// RFC 9162 leaf hash of the entry.
    pub leaf_hash: [u8; 32],
    pub content: Content,
    /// Deferred notice: until then the entry is not shown to the Amsterdammer (it is in the log).
    pub hidden_until: Option<DateTime<Utc>>,
}

/// The personal part of a ledger record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Readable(Personal),
    /// Erased (retention ended, or at the Amsterdammer's request): its key and sealed record are gone.
    Erased(ErasureMark),
    /// Sealed, and opened without the key-encryption key (an inspection of the log only).
    Sealed,
}

/// The part of a ledger record that is sealed at rest, under the record key of its subject and
/// retention month, with the salt of its leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    /// Hex of the 16 random bytes mixed into the record digest (see `seal::Seal`).
    pub salt: String,
    pub professional: String,
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    pub justification: Option<String>,
    pub payload_sha256: Sha256Hex,
}

/// That, when and why an entry was erased, and the erasure entry of the log that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureMark {
    pub at: DateTime<Utc>,
    pub reason: ErasureReason,
    pub erasure_index: u64,
}

/// Why personal content was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// Its retention period ended (vuistregel 5).
    Retention,
    /// The Amsterdammer asked for erasure (art. 17 AVG), handled by a privacy officer.
    Request,
}

impl ErasureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retention => "retention",
            Self::Request => "request",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "retention" => Some(Self::Retention),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

impl Disclosure {
    /// Whether the Amsterdammer may be shown the entry at `now` (deferred notice ends).
    pub fn shown_at(&self, now: DateTime<Utc>) -> bool {
        self.hidden_until.is_none_or(|until| until <= now)
    }

    /// The personal part, if it can be read.
    pub fn personal(&self) -> Option<&Personal> {
        match &self.content {
            Content::Readable(p) => Some(p),
            _ => None,
        }
    }

    /// The whole record as it was appended, if its personal part can be read.
    pub fn record(&self) -> Option<NewDisclosure> {
        let p = self.personal()?;
        Some(NewDisclosure {
            id: self.id.clone(),
            at: self.at,
            mode: self.mode,
            source: self.source.clone(),
            recipient: self.recipient.clone(),
            professional: p.professional.clone(),
            subject: self.subject.clone(),
            activity: self.activity.clone(),
            legal_basis: self.legal_basis,
            categories: p.categories.clone(),
            fields: p.fields.clone(),
            consent_id: p.consent_id.clone(),
            justification: p.justification.clone(),
            payload_sha256: p.payload_sha256.clone(),
            decision_id: self.decision_id.clone(),
            retain_until: self.retain_until,
        })
    }
}

impl NewDisclosure {
    /// The personal part of this record, to be sealed, with the salt of its leaf.
    pub fn personal(&self, salt: &str) -> Personal {
        Personal {
            salt: salt.to_owned(),
            professional: self.professional.clone(),
            categories: self.categories.clone(),
            fields: self.fields.clone(),
            consent_id: self.consent_id.clone(),
            justification: self.justification.clone(),
            payload_sha256: self.payload_sha256.clone(),
        }
    }
}

/// What one request writes when it ends: its decision, and its disclosure if one happened. Both go
/// into the same group commit.
#[derive(Debug, Clone)]
pub struct LedgerWrite {
    pub decision: DecisionRecord,
    pub disclosure: Option<NewDisclosure>,
    /// With a disclosure: its entry is kept from the Amsterdammer until a date (deferred notice).
    pub deferral: Option<Deferral>,
}

/// Deferred notice, never secrecy (issue 9 item 5): where telling the Amsterdammer at once would
/// endanger someone, the sender may hold a disclosure's entry back from them until `until`. It is
/// in the ledger and its proofs from the start; privacy officers see it and may shorten the delay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    pub until: DateTime<Utc>,
    pub reason: String,
    /// The sending organisation and professional.
    pub set_by_partner: String,
    pub set_by: String,
}

/// A deferral as stored, with the disclosure it holds back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferralRecord {
    pub disclosure_id: String,
    pub deferral: Deferral,
    pub created_at: DateTime<Utc>,
    /// Set when a privacy officer shortened the delay: when, and who (organisation, id).
    pub shortened: Option<(DateTime<Utc>, String, String)>,
}
