//! What privacy officers ask for and record: audit queries, reviews and the record of each read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use policies::LegalBasis;

use super::disclosures::Outcome;

/// A privacy officer's judgement of a disclosure made under a basis other than consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The justification holds.
    Approve,
    /// It does not, or needs follow-up: flagged for the organisation's attention.
    Flag,
}

impl ReviewOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Flag => "flag",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "flag" => Some(Self::Flag),
            _ => None,
        }
    }
}

/// Which disclosures of the review queue to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewSelection {
    All,
    /// Those this organisation's privacy officers have not reviewed yet (each party reviews for
    /// itself; another party's verdict does not take a disclosure out of its queue).
    NotYetReviewedBy(String),
    /// Those whose latest review by some organisation flags them: a flag stays until the
    /// organisation that set it reviews again, whatever the others say.
    Flagged,
}

/// One review of a disclosure by an organisation's privacy officer; per organisation the latest
/// one counts, the earlier ones stay readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: String,
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    pub outcome: ReviewOutcome,
    pub note: String,
    /// The privacy officer's organisation and id (token `sub`).
    pub officer_partner: String,
    pub officer: String,
}

/// What a privacy officer asks to see. Every filter is optional; `organisation` limits the answer to
/// the traffic that organisation took part in (an officer who is not city-wide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Traffic this partner took part in: as source or recipient (and, for decisions, as caller).
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// Disclosures only: their legal basis.
    pub basis: Option<LegalBasis>,
    /// Decisions only: permit or deny.
    pub outcome: Option<Outcome>,
    pub organisation: Option<String>,
    pub limit: u32,
    /// Where this page starts: after the last entry of the page before (the lists are newest first).
    pub before: Option<Cursor>,
}

/// The last entry of a page, for the next page to start after: a list's keyset position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// A ledger entry (disclosures), by ledger index.
    Ledger(u64),
    /// A decision, by time and then id.
    Decision(DateTime<Utc>, String),
    /// A representation or refusal an organisation recorded, by when and then id.
    Recorded(DateTime<Utc>, String),
}

/// Which stretch of one subject's ledger entries to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// Oldest first, from after this ledger index (from the start if none).
    OldestAfter(Option<u64>),
    /// Newest first, from before this ledger index (from the end if none).
    NewestBefore(Option<u64>),
}

/// A read of the audit API, as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRead {
    pub at: DateTime<Utc>,
    pub officer_partner: String,
    pub officer: String,
    /// The route read.
    pub what: String,
    /// The filters, as given.
    pub query: String,
    pub results: u64,
}
