//! A representation as the v1 contract shows and takes it: who may act for whom, on what basis.

use chrono::{DateTime, Utc};
use consent::Representation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentationRequest {
    /// BSN of the person who acts (the parent, guardian, mentor, curator or bewindvoerder).
    #[schema(pattern = "^[0-9]{9}$")]
    pub representative_bsn: String,
    /// BSN of the person represented.
    #[schema(pattern = "^[0-9]{9}$")]
    pub represented_bsn: String,
    /// `parent`, `guardian`, `mentor` (care, not finances), `curator` (both) or `bewindvoerder`
    /// (finances only).
    pub role: String,
    /// What it rests on, by reference: e.g. the court decision (`beschikking rechtbank Amsterdam,
    /// 2026-03-02`) or `ouderlijk gezag`.
    pub basis: String,
    /// SHA-256 (64 hex) of the document in the dossier.
    pub document_sha256: String,
    /// How the representative knows the person (e.g. a first name), shown only to them.
    pub label: Option<String>,
    /// Defaults to now.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentationView {
    pub id: String,
    /// `parent`, `guardian`, `mentor`, `curator` or `bewindvoerder`.
    pub role: String,
    /// `active`, `pending` (awaiting its confirmation, or not yet valid), `ended` or `expired`.
    /// Only an `active` one lets the representative act.
    pub status: String,
    /// Whether it still waits for its confirmation by the person represented or a second
    /// professional of the recording organisation.
    pub awaits_confirmation: bool,
    pub basis: String,
    pub document_sha256: String,
    pub label: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The organisation whose professional recorded it.
    pub recorded_by_partner: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed it: `amsterdammer` (the person represented) or the organisation's id.
    pub confirmed_by: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Who ended it: `amsterdammer` (either person) or the organisation's id.
    pub ended_by: Option<String>,
}

/// The organisation part of a stored `<partner>/<professional>` (or `amsterdammer`): the
/// professional's id stays with the organisation.
pub fn party(by: &str) -> &str {
    by.split('/').next().unwrap_or_default()
}

impl RepresentationView {
    pub fn new(r: Representation, now: DateTime<Utc>) -> Self {
        let status = if r.ended_at.is_some() {
            "ended"
        } else if now >= r.valid_until {
            "expired"
        } else if now < r.valid_from || r.awaits_confirmation() {
            "pending"
        } else {
            "active"
        };
        Self {
            status: status.into(),
            awaits_confirmation: r.awaits_confirmation(),
            confirmed_at: r.confirmed_at,
            confirmed_by: r.confirmed_by.as_deref().map(party).map(str::to_owned),
            ended_by: r.ended_by.as_deref().map(party).map(str::to_owned),
            role: r.role.as_str().into(),
            id: r.id,
            basis: r.basis,
            document_sha256: r.document_sha256.to_string(),
            label: r.label,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            recorded_by_partner: r.recorded_by_partner,
            created_at: r.created_at,
            ended_at: r.ended_at,
        }
    }
}

/// What the second professional attests when confirming a representation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRepresentationRequest {
    /// What was seen: e.g. `beschikking rechtbank Amsterdam 2026-03-02 ingezien, CCBR geraadpleegd`.
    pub evidence_seen: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyRepresentationsView {
    /// The people the signed-in Amsterdammer acts for: send `On-Behalf-Of: <id>` to act for one.
    pub representing: Vec<RepresentationView>,
    /// Who acts for the signed-in Amsterdammer (the representative is not named: the gateway keeps
    /// no names; the organisation that recorded it knows).
    pub represented_by: Vec<RepresentationView>,
}
