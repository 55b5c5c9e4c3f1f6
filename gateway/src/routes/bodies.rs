//! Request and response bodies of the v1 contract (api.md). Field names here are the contract.

use chrono::{DateTime, Utc};
use consent::{Consent, Content, Disclosure, Grantor};
use policies::Register;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    /// How consent was given, e.g. `signed_form`.
    pub method: String,
    /// SHA-256 (64 hex characters) of the signed toestemmingsverklaring in the dossier.
    pub document_sha256: String,
    /// The professional who recorded it.
    pub recorded_by: String,
}

/// Who gave a toestemmingsverklaring, when it was not the Amsterdammer themselves.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantorBody {
    /// `self` (the Amsterdammer; the default), `parent` or `guardian` (for a child under 16,
    /// UAVG art. 5), or a legal representative: `mentor`, `curator`, `bewindvoerder` (financial
    /// categories only), who needs a recorded representation (`POST /v1/representations`).
    pub role: String,
    /// The grantor's BSN; required for every role but `self`. Stored only as a pseudonym.
    #[schema(pattern = "^[0-9]{9}$")]
    pub bsn: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordConsentRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
    /// Partner ids or partner kinds.
    pub recipients: Vec<String>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    /// Defaults to now.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
    pub evidence: EvidenceBody,
    pub note: Option<String>,
    /// Narrows the sources (partner ids or kinds); default: the activities' `from` kinds.
    pub sources: Option<Vec<String>>,
    /// Who gave it; default: the Amsterdammer themselves.
    pub grantor: Option<GrantorBody>,
    /// The subject's date of birth (not stored): required when a parent or guardian gives consent;
    /// when it shows a child under 16, a parent or guardian must give it (UAVG art. 5).
    pub subject_birth_date: Option<chrono::NaiveDate>,
    /// The language the Amsterdammer was informed in and consented in (BCP 47); default `nl`.
    pub language: Option<String>,
}

/// A new version of a consent (`POST /v1/consents/{id}/amend`): its terms in full, as when
/// recording one; the subject stays the same.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendConsentRequest {
    /// Partner ids or partner kinds.
    pub recipients: Vec<String>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    /// Defaults to now.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
    pub evidence: EvidenceBody,
    pub note: Option<String>,
    /// Narrows the sources (partner ids or kinds); default: the activities' `from` kinds.
    pub sources: Option<Vec<String>>,
    /// Who gave it; default: the Amsterdammer themselves.
    pub grantor: Option<GrantorBody>,
    /// The subject's date of birth (not stored): required when a parent or guardian gives consent;
    /// when it shows a child under 16, a parent or guardian must give it (UAVG art. 5).
    pub subject_birth_date: Option<chrono::NaiveDate>,
    /// The language the Amsterdammer was informed in and consented in (BCP 47); default `nl`.
    pub language: Option<String>,
}

/// What the Amsterdammer sends to record a toestemmingsverklaring themselves (`POST /v1/me/consents`).
/// The subject is the signed-in Amsterdammer; the evidence is this request itself.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyConsentRequest {
    /// Partner ids or partner kinds.
    pub recipients: Vec<String>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    /// Defaults to now.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
    pub note: Option<String>,
    /// Narrows the sources (partner ids or kinds); default: the activities' `from` kinds.
    pub sources: Option<Vec<String>>,
    /// The language it is given in (BCP 47); default `nl`.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentEventView {
    pub at: DateTime<Utc>,
    /// `recorded`, `confirmed`, `revoked`, `amended` (this version was recorded as an amendment),
    /// `superseded` (a newer version replaced it), `refused`, or `expired` (its validity ended).
    pub event: String,
    /// Partner id, `amsterdammer` (the Amsterdammer, or their representative), or `gateway` (for
    /// `expired`: nobody acted).
    pub by: String,
    /// The professional (token `sub`) who acted for the partner; absent when the Amsterdammer acted.
    pub professional: Option<String>,
    /// Set when a representative acted: the representation they acted under.
    pub representation_id: Option<String>,
    /// Where this step is in the public log (`/v1/log/proofs/inclusion?index=`); absent for steps
    /// taken before consent changes were logged, and briefly for an expiry not yet noticed.
    pub log_index: Option<u64>,
}

/// Who gave a consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantorView {
    /// `self`, `parent`, `guardian`, `mentor`, `curator` or `bewindvoerder`.
    pub role: String,
    /// The representation the grantor acted under, when one was recorded.
    pub representation_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    pub id: String,
    /// `active`, `revoked`, `expired`, `pending` (awaiting confirmation, or not yet valid),
    /// `superseded` (replaced by a newer version) or `refused` (the Amsterdammer refused it while
    /// it awaited confirmation).
    pub status: String,
    /// Recorded by a party that is not a listed recorder of every activity: it covers nothing until
    /// a listed recorder (`POST /v1/consents/{id}/confirm`) or the Amsterdammer
    /// (`POST /v1/me/consents/{id}/confirm`) confirms it.
    pub awaiting_confirmation: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub recipients: Vec<String>,
    pub sources: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub evidence: EvidenceBody,
    pub note: Option<String>,
    /// The partner that recorded the toestemmingsverklaring, or `amsterdammer`.
    pub recorded_by_partner: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub history: Vec<ConsentEventView>,
    pub grantor: GrantorView,
    /// BCP 47, e.g. `nl`.
    pub language: String,
    /// 1 as first recorded; each amendment is the next version, and supersedes the one before.
    pub version: u32,
    /// The version this one replaced.
    pub supersedes: Option<String>,
    /// The version that replaced this one (status `superseded`).
    pub superseded_by: Option<String>,
    pub superseded_at: Option<DateTime<Utc>>,
    /// When the Amsterdammer refused it (status `refused`).
    pub refused_at: Option<DateTime<Utc>>,
}

impl ConsentView {
    pub fn new(c: Consent, now: DateTime<Utc>) -> Self {
        let status = c.status_at(now).as_str().to_owned();
        let (superseded_at, superseded_by) = c.superseded.clone().unzip();
        let awaiting_confirmation = c.awaits_confirmation();
        Self {
            grantor: GrantorView {
                role: c.grantor.role_str().to_owned(),
                representation_id: match &c.grantor {
                    Grantor::Subject => None,
                    Grantor::Representative { representation, .. } => representation.clone(),
                },
            },
            language: c.language,
            version: c.version,
            supersedes: c.supersedes,
            superseded_by,
            superseded_at,
            refused_at: c.refused_at,
            awaiting_confirmation,
            confirmed_at: c.confirmed_at,
            id: c.id,
            status,
            recipients: c.recipients,
            sources: c.sources,
            categories: c.categories,
            activities: c.activities,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            evidence: EvidenceBody {
                method: c.evidence.method,
                document_sha256: c.evidence.document_sha256.to_string(),
                recorded_by: c.evidence.recorded_by,
            },
            note: c.note,
            recorded_by_partner: c.recorded_by_partner,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
            history: c
                .history
                .into_iter()
                .map(|e| ConsentEventView {
                    at: e.at,
                    event: e.event,
                    by: e.by,
                    professional: e.professional,
                    representation_id: e.representation,
                    log_index: e.log_index,
                })
                .collect(),
        }
    }
}

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

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedView {
    pub id: String,
    pub status: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

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
    pub explanation: super::explain::Explanation,
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
        let explanation = super::explain::explain(&d, register);
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_bsn`, `denied`.
    pub code: String,
    pub message: String,
    /// For `denied`: each vuistregel broken.
    pub violations: Option<Vec<ViolationView>>,
    /// The request field at fault, as a path (e.g. `grantor.bsn`), when one is.
    pub field: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationView {
    /// 1 to 8 (seed 004 §2.6).
    pub vuistregel: u8,
    /// Why, in English.
    pub reason: String,
    /// Why, in plain Dutch (empty for decisions recorded before reasons were given in Dutch).
    pub reason_nl: String,
}
