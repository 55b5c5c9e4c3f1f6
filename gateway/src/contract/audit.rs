//! The privacy officers' filters and views of the v1 contract: disclosures and decisions.

use crate::contract::ViolationView;
use chrono::{DateTime, Utc};
use consent::{Content, DecisionRecord, Disclosure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureFilter {
    /// From this time on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Only traffic this partner took part in (as source or recipient).
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// `consent`, `legal_obligation`, `vital_interest` or `public_task`.
    pub basis: Option<String>,
    /// At most this many, newest first: 1 to 1000, default 200.
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionFilter {
    /// `permit` or `deny`.
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only requests this partner took part in (as caller, source or recipient).
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// At most this many, newest first: 1 to 1000, default 200.
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

/// A disclosure as a privacy officer sees it: everything but the Amsterdammer's identity (a keyed
/// pseudonym stands in for the BSN) and the data itself (never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDisclosureView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub log_index: u64,
    /// `exchange` or `delivery`.
    pub mode: String,
    /// Whose data was disclosed.
    pub from: String,
    pub to: String,
    pub activity: String,
    pub legal_basis: String,
    /// The professional (token `sub`) who asked or sent; absent once the entry was erased.
    pub professional: Option<String>,
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    /// The written justification, for a basis other than consent.
    pub justification: Option<String>,
    /// The Amsterdammer as a keyed pseudonym (never the BSN).
    pub subject: String,
    /// Set when the personal content was erased (retention, or art. 17).
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<Disclosure> for AuditDisclosureView {
    fn from(d: Disclosure) -> Self {
        let (personal, erased_at) = match d.content {
            Content::Readable(p) => (Some(p), None),
            Content::Erased(mark) => (None, Some(mark.at)),
            Content::Sealed => (None, None),
        };
        Self {
            id: d.id,
            at: d.at,
            log_index: d.log_index,
            mode: d.mode.as_str().to_owned(),
            from: d.source,
            to: d.recipient,
            activity: d.activity,
            legal_basis: d.legal_basis.as_str().to_owned(),
            subject: d.subject.as_str().to_owned(),
            erased_at,
            professional: personal.as_ref().map(|p| p.professional.clone()),
            categories: personal
                .as_ref()
                .map(|p| p.categories.clone())
                .unwrap_or_default(),
            fields: personal
                .as_ref()
                .map(|p| p.fields.clone())
                .unwrap_or_default(),
            consent_id: personal.as_ref().and_then(|p| p.consent_id.clone()),
            justification: personal.and_then(|p| p.justification),
        }
    }
}

/// A decision: every request, permitted or denied, with the vuistregels that stopped it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDecisionView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: String,
    /// The calling partner and professional, in their role.
    pub partner: String,
    pub professional: String,
    pub role: String,
    pub activity: String,
    pub source: String,
    pub recipient: String,
    pub subject: String,
    pub categories: Vec<String>,
    /// `permit` or `deny`.
    pub outcome: String,
    pub violations: Vec<ViolationView>,
    pub consent_id: Option<String>,
    /// What went wrong after a permit (e.g. the source system failed), if anything.
    pub error: Option<String>,
    /// The register the decision was taken under (SHA-256 of the register file; `GET
    /// /v1/register` gives the one in force now).
    pub register_version: String,
}

impl From<DecisionRecord> for AuditDecisionView {
    fn from(d: DecisionRecord) -> Self {
        Self {
            id: d.id,
            at: d.at,
            mode: d.mode.as_str().to_owned(),
            partner: d.partner,
            professional: d.professional,
            role: d.role,
            activity: d.activity,
            source: d.source,
            recipient: d.recipient,
            subject: d.subject.as_str().to_owned(),
            categories: d.categories,
            outcome: d.outcome.as_str().to_owned(),
            violations: d
                .violations
                .into_iter()
                .map(|v| ViolationView {
                    vuistregel: v.vuistregel,
                    reason: v.reason,
                    reason_nl: v.reason_nl,
                })
                .collect(),
            consent_id: d.consent_id,
            error: d.error,
            register_version: d.register_version,
        }
    }
}
