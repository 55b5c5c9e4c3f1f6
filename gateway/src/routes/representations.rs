//! Representations: who may act for whom. A representation is evidence, not a claim:
//!
//! - **Recorded** by a professional of a partner kind the register lists for the role
//!   (`representation_recorders`), and only by an organisation that already has a part in the
//!   represented person's care: an active or pending consent naming it, or a delivery it sent or
//!   received about them. It is then `pending` and grants nothing.
//! - **Confirmed** by the person represented (`POST /v1/me/representations/{id}/confirm`, or Mijn
//!   gegevens), or by a second professional of the recording organisation in a `confirmers` role,
//!   who attests that the court decision or the parental authority was seen (four eyes: never the
//!   professional who recorded it).
//! - **Seen** by both people (`GET /v1/me/representations`) and by the recording organisation.
//! - **Ended** by the recording organisation, by the representative, or by the person represented,
//!   who can contest it at any time (`POST /v1/me/representations/{id}/end`).
//!
//! Once confirmed, the representative acts for the person with their own citizen token and the
//! header `On-Behalf-Of: <representation id>`, within their role; every step they take is recorded
//! as theirs and shown to both.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use consent::{Actor, NewRepresentation, Representation, Sha256Hex, SubjectId};
use policies::RepresentativeRole;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bodies::ErrorBody;
use super::parse;
use crate::auth::{Citizen, Professional};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;

/// The longest a representation may be recorded for, in days (a court decision is reviewed at
/// least every five years, Boek 1 BW art. 1:456).
const MAX_DAYS: i64 = 5 * 366;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(record_representation))
        .routes(routes!(get_representation))
        .routes(routes!(end_representation))
        .routes(routes!(confirm_representation))
        .routes(routes!(my_representations))
        .routes(routes!(confirm_my_representation))
        .routes(routes!(end_my_representation))
}

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
pub(crate) fn party(by: &str) -> &str {
    by.split('/').next().unwrap_or_default()
}

impl RepresentationView {
    pub(crate) fn new(r: Representation, now: DateTime<Utc>) -> Self {
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

/// Records that one person may act for another, `pending` until it is confirmed. Only a
/// professional of a partner kind the register lists for the role (`representation_recorders`),
/// and only for a person in whose care the organisation already has a part.
#[utoipa::path(post, path = "/v1/representations", tag = "representations", security(("partner_certificate" = [], "partner_token" = [])), request_body = RepresentationRequest,
    responses((status = 201, body = RepresentationView, description = "recorded, `pending` until confirmed"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`not_a_recorder` or `no_part_in_care`")))]
pub async fn record_representation(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RepresentationRequest>,
) -> Result<(StatusCode, Json<RepresentationView>), ApiError> {
    let role = RepresentativeRole::parse(&body.role).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_role",
            "role is one of parent, guardian, mentor, curator, bewindvoerder",
        )
        .at("role")
    })?;
    let listed = state
        .register
        .representation_recorders(role)
        .is_some_and(|r| r.kinds.contains(&who.partner.kind));
    if !listed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_recorder",
            format!(
                "the register does not list a {} as a recorder of {} representations",
                who.partner.kind,
                role.as_str()
            ),
        ));
    }
    let representative = parse::bsn_at("representative_bsn", &body.representative_bsn)?;
    let represented = parse::bsn_at("represented_bsn", &body.represented_bsn)?;
    if representative == represented {
        return Err(ApiError::bad_request(
            "invalid_representation",
            "a person does not represent themselves",
        )
        .at("representative_bsn"));
    }
    if body.basis.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_basis",
            "name what the representation rests on",
        )
        .at("basis"));
    }
    let represented = state.pseudonyms.subject(&represented);
    if !takes_part_in_care(&state, &who.partner, &represented).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_part_in_care",
            "your organisation has no part in this person's care (no consent naming it, no delivery about them), so it records nothing for them",
        )
        .at("represented_bsn"));
    }
    let document_sha256 = Sha256Hex::parse(&body.document_sha256).map_err(|_| {
        ApiError::bad_request("invalid_evidence", "document_sha256: 64 hex characters")
            .at("document_sha256")
    })?;
    let now = state.clock.now();
    let valid_from = body.valid_from.unwrap_or(now);
    if body.valid_until <= valid_from {
        return Err(ApiError::bad_request(
            "invalid_period",
            "valid_until must lie after valid_from",
        )
        .at("valid_until"));
    }
    if body.valid_until - valid_from > chrono::Duration::days(MAX_DAYS) {
        return Err(ApiError::bad_request(
            "representation_period_too_long",
            format!("a representation is recorded for at most {MAX_DAYS} days; record it again when it is renewed"),
        )
        .at("valid_until"));
    }
    let new = NewRepresentation {
        representative: state.pseudonyms.subject(&representative),
        represented,
        role,
        basis: body.basis,
        document_sha256,
        label: body.label.filter(|l| !l.trim().is_empty()),
        valid_from,
        valid_until: body.valid_until,
        recorded_by: Actor::professional(&who.partner.id, &who.id),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state.store.insert_representation(&id, &new, now).await?;
    tracing::info!(representation_id = %id, role = role.as_str(), by = %who.partner.id, "representation recorded, pending confirmation");
    state.cover_consent_change().await;
    Ok((
        StatusCode::CREATED,
        Json(RepresentationView::new(stored, now)),
    ))
}

/// One representation the caller's organisation recorded.
#[utoipa::path(get, path = "/v1/representations/{id}", tag = "representations", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = RepresentationView), (status = 404, body = ErrorBody)))]
pub async fn get_representation(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
) -> Result<Json<RepresentationView>, ApiError> {
    let r = recorded_by(&state, &who, &id).await?;
    Ok(Json(RepresentationView::new(r, state.clock.now())))
}

/// Ends a representation the caller's organisation recorded (e.g. the court lifted it); idempotent.
/// From then on the representative acts for nobody under it.
#[utoipa::path(post, path = "/v1/representations/{id}/end", tag = "representations", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = RepresentationView), (status = 404, body = ErrorBody)))]
pub async fn end_representation(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
) -> Result<Json<RepresentationView>, ApiError> {
    recorded_by(&state, &who, &id).await?;
    end(&state, &id, &professional_ref(&who)).await.map(Json)
}

/// What the second professional attests when confirming a representation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRepresentationRequest {
    /// What was seen: e.g. `beschikking rechtbank Amsterdam 2026-03-02 ingezien, CCBR geraadpleegd`.
    pub evidence_seen: String,
}

/// Confirms a pending representation the caller's organisation recorded (four eyes): a second
/// professional, never the one who recorded it, in a role the register lists as confirmer,
/// attesting that the court decision or the parental authority was seen. Idempotent.
#[utoipa::path(post, path = "/v1/representations/{id}/confirm", tag = "representations", security(("partner_certificate" = [], "partner_token" = [])),
    request_body = ConfirmRepresentationRequest,
    responses((status = 200, body = RepresentationView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`four_eyes` (the recorder themselves) or `not_a_confirmer`"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`representation_ended`")))]
pub async fn confirm_representation(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConfirmRepresentationRequest>,
) -> Result<Json<RepresentationView>, ApiError> {
    let r = recorded_by(&state, &who, &id).await?;
    if r.professional == who.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "four_eyes",
            "a second professional confirms a representation, never the one who recorded it",
        ));
    }
    let confirmer = state
        .register
        .representation_recorders(r.role)
        .is_some_and(|t| t.confirmers.contains(&who.role));
    if !confirmer {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_confirmer",
            format!(
                "the register does not list the role '{}' as a confirmer of {} representations",
                who.role,
                r.role.as_str()
            ),
        ));
    }
    if body.evidence_seen.split_whitespace().count() < 2 {
        return Err(ApiError::bad_request(
            "invalid_attestation",
            "say what was seen (the court decision or the parental authority), in words",
        )
        .at("evidence_seen"));
    }
    confirm(&state, r, &professional_ref(&who)).await.map(Json)
}

/// The signed-in Amsterdammer confirms a representation that names them as the person represented.
/// Always as themselves: `On-Behalf-Of` does not apply. Idempotent.
#[utoipa::path(post, path = "/v1/me/representations/{id}/confirm", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RepresentationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`representation_ended`")))]
pub async fn confirm_my_representation(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RepresentationView>, ApiError> {
    let own = state.pseudonyms.subject(&me.bsn);
    confirm_as_represented(&state, &own, &id).await.map(Json)
}

/// The person represented (`own`, their own pseudonym) confirms representation `id`.
pub async fn confirm_as_represented(
    state: &AppState,
    own: &SubjectId,
    id: &str,
) -> Result<RepresentationView, ApiError> {
    let r = about(state, own, id, |r, own| r.represented == *own).await?;
    confirm(state, r, consent::AMSTERDAMMER).await
}

/// Either person of representation `id` (`own`, their own pseudonym) ends it.
pub async fn end_as_person(
    state: &AppState,
    own: &SubjectId,
    id: &str,
) -> Result<RepresentationView, ApiError> {
    about(state, own, id, |r, own| {
        r.represented == *own || r.representative == *own
    })
    .await?;
    end(state, id, consent::AMSTERDAMMER).await
}

/// The signed-in Amsterdammer ends a representation: the person represented contests it, or the
/// representative stops acting. Always as themselves: `On-Behalf-Of` does not apply. Idempotent.
#[utoipa::path(post, path = "/v1/me/representations/{id}/end", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RepresentationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_my_representation(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RepresentationView>, ApiError> {
    let own = state.pseudonyms.subject(&me.bsn);
    end_as_person(&state, &own, &id).await.map(Json)
}

/// The representation `id` if `own` (a person's own pseudonym, whatever `On-Behalf-Of` says)
/// stands in it as `side` says; `404` otherwise.
async fn about(
    state: &AppState,
    own: &SubjectId,
    id: &str,
    side: impl Fn(&Representation, &SubjectId) -> bool,
) -> Result<Representation, ApiError> {
    state
        .store
        .representation(id)
        .await?
        .filter(|r| side(r, own))
        .ok_or_else(|| ApiError::not_found("representation"))
}

/// Ends representation `id` (already checked: `by` may end it); idempotent.
async fn end(state: &AppState, id: &str, by: &str) -> Result<RepresentationView, ApiError> {
    let now = state.clock.now();
    let ended = state
        .store
        .end_representation(id, by, now)
        .await?
        .ok_or_else(|| ApiError::not_found("representation"))?;
    tracing::info!(representation_id = %id, by = party(by), "representation ended");
    state.cover_consent_change().await;
    Ok(RepresentationView::new(ended, now))
}

/// Confirms `r` (already checked: `by` may confirm it); idempotent.
async fn confirm(
    state: &AppState,
    r: Representation,
    by: &str,
) -> Result<RepresentationView, ApiError> {
    let now = state.clock.now();
    if r.ended_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "representation_ended",
            "this representation was ended; record a new one",
        ));
    }
    let confirmed = state
        .store
        .confirm_representation(&r.id, by, now)
        .await?
        .ok_or_else(|| ApiError::not_found("representation"))?;
    tracing::info!(representation_id = %r.id, "representation confirmed");
    state.cover_consent_change().await;
    Ok(RepresentationView::new(confirmed, now))
}

/// How a professional is stored as the one who confirmed, ended or withdrew something.
pub(crate) fn professional_ref(who: &Professional) -> String {
    format!("{}/{}", who.partner.id, who.id)
}

/// Whether `partner` already has a part in `subject`'s care: a consent naming it that is active or
/// pending (not revoked, refused, superseded or expired), or a delivery it sent or received about
/// them. Only such an organisation records a representation or a refusal for the person.
pub async fn takes_part_in_care(
    state: &AppState,
    partner: &policies::Partner,
    subject: &SubjectId,
) -> Result<bool, ApiError> {
    let now = state.clock.now();
    let consents = state.store.consents_of(subject).await?;
    if consents.iter().any(|c| {
        c.revoked_at.is_none()
            && !c.ended()
            && now < c.valid_until
            && parse::visible_to(&state.register, c, partner)
    }) {
        return Ok(true);
    }
    Ok(state.store.disclosures_of(subject).await?.iter().any(|d| {
        d.mode == policies::Mode::Delivery && (d.source == partner.id || d.recipient == partner.id)
    }))
}

async fn recorded_by(
    state: &AppState,
    who: &Professional,
    id: &str,
) -> Result<Representation, ApiError> {
    state
        .store
        .representation(id)
        .await?
        .filter(|r| r.recorded_by_partner == who.partner.id)
        .ok_or_else(|| ApiError::not_found("representation"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyRepresentationsView {
    /// The people the signed-in Amsterdammer acts for: send `On-Behalf-Of: <id>` to act for one.
    pub representing: Vec<RepresentationView>,
    /// Who acts for the signed-in Amsterdammer (the representative is not named: the gateway keeps
    /// no names; the organisation that recorded it knows).
    pub represented_by: Vec<RepresentationView>,
}

/// The representations of the signed-in Amsterdammer, as representative and as the person
/// represented, ended ones too. Always about the signed-in person themselves (`On-Behalf-Of` does
/// not apply).
#[utoipa::path(get, path = "/v1/me/representations", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = MyRepresentationsView), (status = 401, body = ErrorBody)))]
pub async fn my_representations(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<MyRepresentationsView>, ApiError> {
    let own = state.pseudonyms.subject(&me.bsn);
    let now = state.clock.now();
    let (representing, represented_by): (Vec<_>, Vec<_>) = state
        .store
        .representations_of(&own)
        .await?
        .into_iter()
        .partition(|r| r.representative == own);
    Ok(Json(MyRepresentationsView {
        representing: representing
            .into_iter()
            .map(|r| RepresentationView::new(r, now))
            .collect(),
        represented_by: represented_by
            .into_iter()
            .map(|r| {
                let mut v = RepresentationView::new(r, now);
                v.label = None;
                v
            })
            .collect(),
    }))
}
