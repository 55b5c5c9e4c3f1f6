//! The consent bodies of the v1 contract: what a partner or the Amsterdammer sends to record or
//! amend a toestemmingsverklaring, and how one is shown. Field names here are the contract.

use chrono::{DateTime, Utc};
use consent::{Consent, Grantor};
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedView {
    pub id: String,
    pub status: String,
    pub revoked_at: Option<DateTime<Utc>>,
}
/// A consent that stopped covering anything.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentChangeView {
    pub consent_id: String,
    /// `revoked`, `superseded` (amended: `consent.superseded_by` is the new version) or `expired`.
    pub change: String,
    pub at: DateTime<Utc>,
    pub consent: ConsentView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentChangesView {
    /// Oldest first.
    pub changes: Vec<ConsentChangeView>,
    /// Pass this as `since` next time: every change up to it is in this answer or an earlier one.
    pub until: DateTime<Utc>,
}
