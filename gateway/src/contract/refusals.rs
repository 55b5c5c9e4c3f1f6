//! A refusal (weigering) as the v1 contract takes and shows it.

use chrono::{DateTime, Utc};
use consent::Refusal;
use policies::{RefusalRule, Register};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A refusal as a professional records it on the Amsterdammer's behalf.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRefusalRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
    /// Never to this partner (id) or to any partner of this kind.
    pub recipient: Option<String>,
    /// Never this data category.
    pub category: Option<String>,
    /// Never for this processing activity.
    pub activity: Option<String>,
    pub note: Option<String>,
}

/// A refusal as the Amsterdammer records it: at least one of recipient, category, activity.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyRefusalRequest {
    /// Never to this partner (id) or to any partner of this kind.
    pub recipient: Option<String>,
    /// Never this data category.
    pub category: Option<String>,
    /// Never for this processing activity.
    pub activity: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalView {
    pub id: String,
    /// `active`, or `withdrawn` (binds nothing any more).
    pub status: String,
    /// What is refused, in words, e.g. `never to any wpi, category 'gezondheid'`.
    pub description: String,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    /// The partner that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    /// Set when a representative recorded it: the representation they acted under.
    pub representation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it: the partner that recorded it (`<partner>`; the professional stays with
    /// the organisation), or `amsterdammer`.
    pub withdrawn_by_partner: Option<String>,
}

/// Which refusal a professional lifts: the Amsterdammer it is about.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRefusalRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
}

impl RefusalView {
    pub fn new(r: Refusal, register: &Register) -> Self {
        Self {
            status: if r.withdrawn_at.is_some() {
                "withdrawn"
            } else {
                "active"
            }
            .into(),
            description: format!("never {}", refusal_rule(register, &r).describe()),
            id: r.id,
            recipient: r.recipient,
            category: r.category,
            activity: r.activity,
            note: r.note,
            recorded_by_partner: r.recorded_by_partner,
            representation_id: r.representation,
            created_at: r.created_at,
            withdrawn_at: r.withdrawn_at,
            withdrawn_by_partner: r
                .withdrawn_by
                .as_deref()
                .map(|by| super::party(by).to_owned()),
        }
    }
}

/// What `decide` needs of a stored refusal. A recipient the register no longer knows still refuses
/// that name (it matches no partner).
pub fn refusal_rule(register: &Register, r: &Refusal) -> RefusalRule {
    RefusalRule {
        id: r.id.clone(),
        recipient: r.recipient.as_ref().map(|name| {
            register
                .party(name)
                .unwrap_or_else(|| policies::PartyRef::Partner(name.to_owned()))
        }),
        category: r.category.clone(),
        activity: r.activity.clone(),
    }
}
