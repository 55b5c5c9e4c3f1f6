//! What an Amsterdammer refused to have shared (bezwaar), recorded by them or on their behalf.

use chrono::{DateTime, Utc};

use super::consents::Actor;
use crate::SubjectId;

/// A refusal to record: never to this recipient (partner id or kind), this category, this activity
/// (at least one of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefusal {
    pub subject: SubjectId,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Actor,
}

/// A stored refusal (weigering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    pub subject: SubjectId,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    /// The partner id that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    /// The professional who recorded it; `None` when the Amsterdammer did.
    pub professional: Option<String>,
    /// The representation under which a representative recorded it.
    pub representation: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set once withdrawn; from then on it binds nothing.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it: `amsterdammer`, or `<partner>/<professional>` of the organisation that
    /// recorded it.
    pub withdrawn_by: Option<String>,
}
