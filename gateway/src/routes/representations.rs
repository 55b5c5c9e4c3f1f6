//! The routes for representations: recorded and confirmed by partners, seen, confirmed and ended
//! by the two people on Mijn gegevens (`service::representations` holds the rules).

use crate::auth::{Citizen, Professional};
use crate::contract::ErrorBody;
use crate::contract::{
    ConfirmRepresentationRequest, MyRepresentationsView, RepresentationRequest, RepresentationView,
};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::service::representations as service;
use crate::service::representations::{
    confirm_as_represented, end, end_as_person, professional_ref, recorded_by,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    service::record(&state, &who, body)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
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
    service::confirm_by_professional(&state, &who, &id, body)
        .await
        .map(Json)
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

/// The representations of the signed-in Amsterdammer, as representative and as the person
/// represented, ended ones too. Always about the signed-in person themselves (`On-Behalf-Of` does
/// not apply).
#[utoipa::path(get, path = "/v1/me/representations", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = MyRepresentationsView), (status = 401, body = ErrorBody)))]
pub async fn my_representations(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<MyRepresentationsView>, ApiError> {
    service::mine(&state, &me).await.map(Json)
}
