//! The ledger as a log of entries of four kinds (disclosure, erasure, consent and representation
//! change), and what an erasure asks for and appends.

use chrono::{DateTime, Utc};

use super::consents::ConsentChange;
use super::disclosures::{Disclosure, ErasureReason};
use super::representations::RepresentationChange;
use crate::SubjectId;

/// A consent entry of the log: one change in a toestemmingsverklaring's life (see `leaf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub event: ConsentChange,
    /// A partner id, `amsterdammer`, or [`EXPIRY_ACTOR`].
    pub actor: String,
    pub consent_id: String,
    pub subject: SubjectId,
    pub professional: Option<String>,
    pub representation: Option<String>,
    /// Hex; mixed into the digest so an entry cannot be confirmed by guessing it.
    pub salt: String,
    pub record_digest: [u8; 32],
    pub leaf_hash: [u8; 32],
}

/// What to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erase {
    /// Every entry whose retention ended by `now`, and every record key of a month that has passed.
    Expired,
    /// Every entry about the subject, and all their record keys.
    Subject(SubjectId),
}

/// An erasure entry of the log: names no person, only which entries lost their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub reason: ErasureReason,
    /// The log indexes of the entries erased, ascending.
    pub entries: Vec<u64>,
    pub leaf_hash: [u8; 32],
}

/// One leaf of the log: a disclosure, or an erasure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerEntry {
    Disclosure(Box<Disclosure>),
    Erasure(ErasureEntry),
    Consent(Box<ConsentEntry>),
    Representation(Box<RepresentationEntry>),
}

impl LedgerEntry {
    pub fn log_index(&self) -> u64 {
        match self {
            Self::Disclosure(d) => d.log_index,
            Self::Erasure(e) => e.log_index,
            Self::Consent(c) => c.log_index,
            Self::Representation(r) => r.log_index,
        }
    }
}

/// A representation change as an entry of the public log: its leaf names no person (time, event,
/// who acted); the salted digest commits to the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepresentationEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub event: RepresentationChange,
    /// A partner id, `amsterdammer`, or [`EXPIRY_ACTOR`].
    pub actor: String,
    pub representation_id: String,
    /// The person represented (keyed pseudonym).
    pub subject: SubjectId,
    pub professional: Option<String>,
    /// Hex; mixed into the digest so an entry cannot be confirmed by guessing it.
    pub salt: String,
    pub record_digest: [u8; 32],
    pub leaf_hash: [u8; 32],
}
