//! The exchange bodies of the v1 contract: a request for case data, a delivery, and their answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
    /// Partner id of the source system.
    pub source: String,
    /// Processing activity id.
    pub activity: String,
    pub categories: Vec<String>,
    /// Required when the activity's legal basis is not `consent`.
    pub justification: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeResponse {
    pub disclosure_id: String,
    /// Per category, only the fields the activity permits.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    /// `category.field` of the requested categories' schema (or a whole requested `category`) that
    /// the purpose does not permit, sorted; the same whatever the source holds.
    pub withheld: Vec<String>,
    /// Position of the disclosure in the public log.
    pub log_index: u64,
    /// Until when the recipient may keep this data (the activity's retention, vuistregel 5); also
    /// sent as the `X-Retain-Until` header. Do not cache beyond it (vuistregel 4).
    pub retain_until: DateTime<Utc>,
    /// Where the data comes from and when the gateway retrieved it (vuistregel 3).
    pub provenance: ProvenanceView,
    /// Released categories whose record is older than the category's maximum age (as the source
    /// dated it): possibly outdated, check before relying on it (vuistregel 3).
    pub stale: Vec<String>,
}

/// Where released data comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvenanceView {
    /// The partner whose system answered.
    pub source: String,
    /// When the gateway retrieved it from that system.
    pub retrieved_at: DateTime<Utc>,
    /// Per released category, when the source last brought the record up to date (as it says).
    pub as_of: std::collections::BTreeMap<String, DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
    /// Partner id of the recipient.
    pub recipient: String,
    pub activity: String,
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    pub justification: Option<String>,
    /// Deferred notice: hold the entry back from the Amsterdammer until a date, where telling them
    /// at once would endanger someone. Only for activities that allow it, at most their
    /// `max_deferral_days`; privacy officers see it and may shorten it. It is in the public log
    /// from the start.
    pub defer_notice: Option<DeferNotice>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeferNotice {
    /// Until when (RFC 3339).
    pub until: DateTime<Utc>,
    /// Why telling the Amsterdammer now would endanger someone.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub disclosure_id: String,
    pub delivered_at: DateTime<Utc>,
    /// `category.field` of the delivered categories' schema that the purpose does not permit (none
    /// of them is passed on), sorted; fields outside the schema are dropped without being named.
    pub withheld: Vec<String>,
    pub log_index: u64,
}
