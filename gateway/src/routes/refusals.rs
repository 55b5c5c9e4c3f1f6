//! The routes for refusals: recorded by a professional with a part in the care or by the
//! Amsterdammer, withdrawn by either (`service::refusals` holds the rules).

use crate::auth::{Citizen, Professional};
use crate::contract::ErrorBody;
use crate::contract::{
    MyRefusalRequest, RecordRefusalRequest, RefusalView, WithdrawRefusalRequest,
};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::service::refusals as service;
use crate::service::refusals::withdraw;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(record_refusal))
        .routes(routes!(withdraw_recorded_refusal))
        .routes(routes!(my_refusals, record_my_refusal))
        .routes(routes!(withdraw_my_refusal))
}

/// Records a refusal on the Amsterdammer's behalf. Only an organisation that already has a part in
/// the resident's care records one (an active or pending consent naming it, or a delivery it sent
/// or received about them): a refusal blocks care, so it is nobody's weapon. Binds every request
/// that starts after this returns.
#[utoipa::path(post, path = "/v1/refusals", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = RecordRefusalRequest,
    responses((status = 201, body = RefusalView), (status = 400, body = ErrorBody, description = "`refusal_empty`, `unknown_partner`, `unknown_category`, `unknown_activity`, `invalid_note`, `invalid_bsn`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`no_part_in_care`")))]
pub async fn record_refusal(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RecordRefusalRequest>,
) -> Result<(StatusCode, Json<RefusalView>), ApiError> {
    service::record_for(&state, &who, body)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The organisation that recorded a refusal for the Amsterdammer lifts it again, e.g. when it was
/// recorded by mistake; idempotent. Only that organisation: another one's refusal, or the
/// Amsterdammer's own, is `403 not_the_recorder`. The refusal keeps who recorded and who withdrew it.
#[utoipa::path(post, path = "/v1/refusals/{id}/withdraw", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    params(("id" = String, Path, description = "The refusal's id.")), request_body = WithdrawRefusalRequest,
    responses((status = 200, body = RefusalView), (status = 400, body = ErrorBody, description = "`invalid_bsn`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`not_the_recorder`"),
              (status = 404, body = ErrorBody)))]
pub async fn withdraw_recorded_refusal(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawRefusalRequest>,
) -> Result<Json<RefusalView>, ApiError> {
    service::withdraw_recorded(&state, &who, &id, body)
        .await
        .map(Json)
}

/// Every refusal of the Amsterdammer, withdrawn ones too, oldest first.
#[utoipa::path(get, path = "/v1/me/refusals", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [RefusalView]), (status = 401, body = ErrorBody)))]
pub async fn my_refusals(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<Vec<RefusalView>>, ApiError> {
    let refusals = state.store.refusals_of(&me.subject).await?;
    Ok(Json(
        refusals
            .into_iter()
            .map(|r| RefusalView::new(r, &state.register()))
            .collect(),
    ))
}

/// The Amsterdammer records a refusal: never to this recipient, this category, or this activity.
#[utoipa::path(post, path = "/v1/me/refusals", tag = "amsterdammer", security(("citizen_token" = [])), request_body = MyRefusalRequest,
    responses((status = 201, body = RefusalView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn record_my_refusal(
    State(state): State<AppState>,
    me: Citizen,
    ApiJson(body): ApiJson<MyRefusalRequest>,
) -> Result<(StatusCode, Json<RefusalView>), ApiError> {
    service::refuse_as(&state, me.viewer(), body)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The Amsterdammer withdraws one of their refusals; idempotent. From then on it binds nothing.
#[utoipa::path(post, path = "/v1/me/refusals/{id}/withdraw", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RefusalView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn withdraw_my_refusal(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RefusalView>, ApiError> {
    Ok(Json(withdraw(&state, me.viewer(), &id).await?))
}
