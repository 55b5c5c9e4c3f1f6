//! A disclosure as the Amsterdammer sees it: who received what, when, and why.

use chrono::{DateTime, Utc};
use consent::{Content, Disclosure};
use policies::Register;
use serde::Serialize;
use utoipa::ToSchema;

/// One disclosure as the Amsterdammer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyDisclosureView {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Partner id whose data was disclosed.
    pub from: String,
    pub from_name: String,
    /// Partner id that received it.
    pub to: String,
    pub to_name: String,
    pub activity: String,
    pub activity_name: String,
    pub purpose: String,
    pub legal_basis: String,
    /// Empty once the entry's content was erased.
    pub categories: Vec<String>,
    pub consent_id: Option<String>,
    pub log_index: u64,
    /// What happened, told to the Amsterdammer (vuistregel 7), and where their rights are.
    pub explanation: super::Explanation,
    /// Set when the entry's content was erased: what was disclosed is no longer kept, only that a
    /// disclosure took place (from, to, when, why).
    pub erased: Option<ErasedView>,
}

/// When and why the content of an entry was erased.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedView {
    pub at: DateTime<Utc>,
    /// `retention` (its retention period ended) or `request` (erased at the Amsterdammer's request).
    pub reason: String,
    /// The log index of the erasure entry that records it.
    pub erasure_log_index: u64,
}

impl MyDisclosureView {
    pub fn new(d: Disclosure, register: &Register) -> Self {
        let partner_name = |id: &str| {
            register
                .partner(id)
                .map_or_else(|| id.to_owned(), |p| p.name.clone())
        };
        let activity = register.activity(&d.activity);
        let explanation = super::explain(&d, register);
        let (categories, consent_id, erased) = match d.content {
            Content::Readable(p) => (p.categories, p.consent_id, None),
            Content::Erased(mark) => (
                Vec::new(),
                None,
                Some(ErasedView {
                    at: mark.at,
                    reason: mark.reason.as_str().to_owned(),
                    erasure_log_index: mark.erasure_index,
                }),
            ),
            Content::Sealed => (Vec::new(), None, None),
        };
        Self {
            from_name: partner_name(&d.source),
            to_name: partner_name(&d.recipient),
            activity_name: activity.map_or_else(|| d.activity.clone(), |a| a.name.clone()),
            purpose: activity.map(|a| a.purpose.clone()).unwrap_or_default(),
            id: d.id,
            at: d.at,
            from: d.source,
            to: d.recipient,
            activity: d.activity,
            legal_basis: d.legal_basis.as_str().to_owned(),
            categories,
            consent_id,
            log_index: d.log_index,
            explanation,
            erased,
        }
    }
}
