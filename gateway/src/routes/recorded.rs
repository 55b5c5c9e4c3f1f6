//! `GET /v1/audit/representations` and `GET /v1/audit/refusals`: what `service::recorded` finds.

use crate::auth::PrivacyOfficer;
use crate::contract::ErrorBody;
use crate::contract::{RecordedFilter, RecordedRefusalView, RecordedRepresentationView};
use crate::error::ApiError;
use crate::json::{ApiQuery, paged};
use crate::service::recorded::{find, find_refusals};
use crate::state::AppState;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(audit_representations))
        .routes(routes!(audit_refusals))
}

/// The representations the officer's organisation recorded (every organisation's for a
/// city-wide officer), newest first, with their anomalies. The read is recorded.
#[utoipa::path(get, path = "/v1/audit/representations", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(RecordedFilter),
    responses((status = 200, body = [RecordedRepresentationView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_representations(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<RecordedFilter>,
) -> Result<Response, ApiError> {
    let found = find(&state, &officer.into(), f, "/v1/audit/representations").await?;
    Ok(paged(&uri, found))
}

/// The refusals professionals of the officer's organisation recorded on residents' behalf (every
/// organisation's for a city-wide officer), newest first, lifted ones too; never those residents
/// recorded themselves. The read is recorded.
#[utoipa::path(get, path = "/v1/audit/refusals", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(RecordedFilter),
    responses((status = 200, body = [RecordedRefusalView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_refusals(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<RecordedFilter>,
) -> Result<Response, ApiError> {
    let found = find_refusals(&state, &officer.into(), f, "/v1/audit/refusals").await?;
    Ok(paged(&uri, found))
}
