//! A consent's receipt (ISO/IEC TS 27560 fields) and its usage, as the v1 contract shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One disclosure made under a consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    /// Partner id whose data was disclosed.
    pub from: String,
    /// Partner id that received it.
    pub to: String,
    pub activity: String,
    pub categories: Vec<String>,
    pub log_index: u64,
}

/// A consent receipt (ISO/IEC TS 27560 fields), for the Amsterdammer to keep: what they agreed to,
/// with whom, for what, how it was recorded, until when, and how to withdraw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    /// `ISO/IEC TS 27560:2023`.
    pub schema: String,
    /// The toestemmingsverklaring's id.
    pub record_id: String,
    pub issued_at: DateTime<Utc>,
    /// `nl`.
    pub language: String,
    /// The subject as the gateway knows them: a keyed pseudonym, never the BSN.
    pub subject: String,
    /// `active`, `pending`, `revoked` or `expired`, as of `issued_at`.
    pub status: String,
    /// Who recorded it (a partner, or the Amsterdammer) and who is responsible for it.
    pub recorded_by: ReceiptParty,
    /// The organisations that may receive data under it (a kind stands for every partner of it).
    pub recipients: Vec<ReceiptParty>,
    /// Whose data may be shared; empty: every source the purposes allow.
    pub sources: Vec<ReceiptParty>,
    pub purposes: Vec<ReceiptPurpose>,
    pub data_categories: Vec<ReceiptCategory>,
    /// How it was given: e.g. `signed_form`, `digital`, `verbal_recorded`.
    pub method: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub how_to_withdraw: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptParty {
    /// A partner id, a kind of partner, or `amsterdammer`.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptPurpose {
    /// The processing activity.
    pub activity: String,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptCategory {
    pub id: String,
    pub name: String,
    /// Special category (art. 9/10 AVG).
    pub special: bool,
}
