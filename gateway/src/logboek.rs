//! Ledger entries in the shape of Logius' *Logboek Dataverwerkingen* (the Dutch government's standard
//! for logging processing of personal data, built on OpenTelemetry spans): one record per
//! disclosure, with its processing activity (`dpl.core.processing_activity_id`) and the data subject
//! as the gateway's keyed pseudonym, never the BSN (`dpl.core.data_subject_id`). What the standard
//! has no name for is under `dpl.gateway.*`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use consent::{Content, Disclosure};
use ring::digest::{SHA256, digest};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The service that wrote the records.
const RESOURCE: &str = "amsterdam-privacy-gateway";

/// One processing operation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogboekRecord {
    /// 32 hex: the decision the disclosure belonged to.
    pub trace_id: String,
    /// 16 hex: this disclosure.
    pub span_id: String,
    /// `<mode> <processing activity>`, e.g. `exchange gezinsondersteuning-ouders`.
    pub name: String,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub status_code: String,
    #[schema(value_type = Object)]
    pub resource: Value,
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, Value>,
}

impl From<&Disclosure> for LogboekRecord {
    fn from(d: &Disclosure) -> Self {
        let trace_id = d.decision_id.replace('-', "");
        let span_id = hex::encode(&digest(&SHA256, d.id.as_bytes()).as_ref()[..8]);
        let mut attributes = BTreeMap::from([
            ("dpl.core.processing_activity_id".into(), json!(d.activity)),
            ("dpl.core.data_subject_id".into(), json!(d.subject.as_str())),
            ("dpl.core.data_subject_id_type".into(), json!("pseudonym")),
            ("dpl.gateway.disclosure_id".into(), json!(d.id)),
            ("dpl.gateway.log_index".into(), json!(d.log_index)),
            ("dpl.gateway.source".into(), json!(d.source)),
            ("dpl.gateway.recipient".into(), json!(d.recipient)),
            (
                "dpl.gateway.legal_basis".into(),
                json!(d.legal_basis.as_str()),
            ),
        ]);
        match &d.content {
            Content::Readable(p) => {
                attributes.insert("dpl.gateway.categories".into(), json!(p.categories));
                attributes.insert("dpl.gateway.consent_id".into(), json!(p.consent_id));
            }
            Content::Erased(mark) => {
                attributes.insert("dpl.gateway.erased".into(), json!(mark.reason.as_str()));
                attributes.insert("dpl.gateway.erased_at".into(), json!(mark.at));
            }
            Content::Sealed => {
                attributes.insert("dpl.gateway.sealed".into(), json!(true));
            }
        }
        Self {
            trace_id,
            span_id,
            name: format!("{} {}", d.mode.as_str(), d.activity),
            start_time: d.at,
            end_time: d.at,
            status_code: "OK".into(),
            resource: json!({ "service.name": RESOURCE }),
            attributes,
        }
    }
}
