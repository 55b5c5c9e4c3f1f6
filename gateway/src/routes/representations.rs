//! Representations (issue 8): who may act for whom. A professional of an organisation that records
//! consents records one from its evidence (a court decision appointing a mentor, curator or
//! bewindvoerder; parental authority); the representative then acts for the person with their own
//! citizen token and the header `On-Behalf-Of: <representation id>`, within their role, and every
//! step they take is recorded as theirs and shown to both.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use consent::{Actor, NewRepresentation, Representation, Sha256Hex};
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
        .routes(routes!(my_representations))
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
    /// `active`, `pending` (not yet valid), `ended` or `expired`.
    pub status: String,
    pub basis: String,
    pub document_sha256: String,
    pub label: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The organisation whose professional recorded it.
    pub recorded_by_partner: String,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl RepresentationView {
    fn new(r: Representation, now: DateTime<Utc>) -> Self {
        let status = if r.ended_at.is_some() {
            "ended"
        } else if now >= r.valid_until {
            "expired"
        } else if now < r.valid_from {
            "pending"
        } else {
            "active"
        };
        Self {
            status: status.into(),
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

/// Records that one person may act for another. Only a professional of an organisation whose kind
/// records consents (a listed `consent_recorders` kind of some activity) records one.
#[utoipa::path(post, path = "/v1/representations", tag = "representations", security(("partner_certificate" = [], "partner_token" = [])), request_body = RepresentationRequest,
    responses((status = 201, body = RepresentationView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`not_a_recorder`")))]
pub async fn record_representation(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RepresentationRequest>,
) -> Result<(StatusCode, Json<RepresentationView>), ApiError> {
    if !state
        .register
        .activities
        .iter()
        .any(|a| a.is_consent_recorder(&who.partner.kind))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_recorder",
            format!(
                "a {} records no consents, so it records no representations",
                who.partner.kind
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
    let role = RepresentativeRole::parse(&body.role).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_role",
            "role is one of parent, guardian, mentor, curator, bewindvoerder",
        )
        .at("role")
    })?;
    if body.basis.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_basis",
            "name what the representation rests on",
        )
        .at("basis"));
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
        represented: state.pseudonyms.subject(&represented),
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
    tracing::info!(representation_id = %id, role = role.as_str(), by = %who.partner.id, "representation recorded");
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
    let now = state.clock.now();
    let ended = state
        .store
        .end_representation(&id, now)
        .await?
        .ok_or_else(|| ApiError::not_found("representation"))?;
    tracing::info!(representation_id = %id, by = %who.partner.id, "representation ended");
    Ok(Json(RepresentationView::new(ended, now)))
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
