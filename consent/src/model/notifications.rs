//! The change notices queued for partners, and how one delivery attempt ended.

use chrono::{DateTime, Utc};

/// A notification to queue for a partner's system: its consent changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub id: String,
    pub partner: String,
    pub consent_id: String,
    /// `revoked`, `superseded` or `expired`.
    pub change: String,
    pub changed_at: DateTime<Utc>,
    /// The JSON body, exactly as it is signed and sent.
    pub body: String,
}

/// A queued notification and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub partner: String,
    pub consent_id: String,
    pub change: String,
    pub changed_at: DateTime<Utc>,
    pub body: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Failed; try again at `retry_at`, or give up (`None`).
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}
