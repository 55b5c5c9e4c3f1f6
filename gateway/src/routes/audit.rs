//! The privacy officers' routes: what `service::audit` finds, as JSON, each read itself recorded.

use crate::auth::PrivacyOfficer;
use crate::contract::ErrorBody;
use crate::contract::{AuditDecisionView, AuditDisclosureView, DecisionFilter, DisclosureFilter};
use crate::contract::{
    DeferralFilter, DeferralView, ReviewFilter, ReviewItemView, ReviewRequest, ReviewView,
    ShortenRequest,
};
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery, paged};
use crate::service::audit::{
    add_review, find_decisions, find_deferrals, find_disclosures, find_reviews, shorten,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit_disclosures))
        .routes(routes!(audit_decisions))
        .routes(routes!(review_queue))
        .routes(routes!(review))
        .routes(routes!(deferrals))
        .routes(routes!(shorten_deferral))
}

/// Disclosures by period, partner, activity and legal basis, newest first.
#[utoipa::path(get, path = "/v1/audit/disclosures", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DisclosureFilter),
    responses((status = 200, body = [AuditDisclosureView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `unknown_legal_basis`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_disclosures(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<DisclosureFilter>,
) -> Result<Response, ApiError> {
    let found = find_disclosures(&state, &officer.into(), f, "/v1/audit/disclosures").await?;
    Ok(paged(&uri, found.map(AuditDisclosureView::from)))
}

/// Decisions, newest first; `?outcome=deny` lists the refused requests with the vuistregels that
/// stopped each.
#[utoipa::path(get, path = "/v1/audit/decisions", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DecisionFilter),
    responses((status = 200, body = [AuditDecisionView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `unknown_outcome`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_decisions(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<DecisionFilter>,
) -> Result<Response, ApiError> {
    let found = find_decisions(&state, &officer.into(), f, "/v1/audit/decisions").await?;
    Ok(paged(&uri, found.map(AuditDecisionView::from)))
}

/// The review queue: disclosures made on a basis other than consent (legal obligation, vital
/// interest, public task), newest first; by default only those not yet reviewed.
#[utoipa::path(get, path = "/v1/audit/reviews", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(ReviewFilter),
    responses((status = 200, body = [ReviewItemView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_status`, `unknown_partner`, `unknown_activity`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn review_queue(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<ReviewFilter>,
) -> Result<Response, ApiError> {
    let found = find_reviews(&state, &officer.into(), f, "/v1/audit/reviews").await?;
    Ok(paged(
        &uri,
        found.map(|(d, reviews)| ReviewItemView::new(d, reviews)),
    ))
}

/// Reviews one disclosure made on a basis other than consent for the officer's own organisation:
/// `approve` or `flag`, with a note. Kept with the officer's name and time; a later review by the
/// same organisation counts over its earlier one, which stays; another organisation's verdict is
/// its own and is not changed.
#[utoipa::path(post, path = "/v1/audit/reviews/{id}", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])),
    params(("id" = String, Path, description = "the disclosure id")), request_body = ReviewRequest,
    responses((status = 200, body = ReviewView),
              (status = 400, body = ErrorBody, description = "`unknown_outcome`, `invalid_note`, `invalid_request`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`"),
              (status = 404, body = ErrorBody, description = "no such disclosure on a basis other than consent that the officer may see")))]
pub async fn review(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<ReviewView>, ApiError> {
    let review = add_review(&state, &officer.into(), id, &body).await?;
    Ok(Json(review.into()))
}

/// Every disclosure whose notice to the Amsterdammer was deferred (deferred notice, never
/// secrecy), newest first, with who deferred it, why, and until when.
#[utoipa::path(get, path = "/v1/audit/deferrals", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DeferralFilter),
    responses((status = 200, body = [DeferralView], headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `invalid_limit`, `invalid_cursor`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn deferrals(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    uri: Uri,
    ApiQuery(f): ApiQuery<DeferralFilter>,
) -> Result<Response, ApiError> {
    let found = find_deferrals(&state, &officer.into(), f, "/v1/audit/deferrals").await?;
    let now = state.clock.now();
    Ok(paged(
        &uri,
        found.map(|(d, r)| DeferralView::new(d, r, now)),
    ))
}

/// Brings the end of a deferral forward (never later): the Amsterdammer sees the entry from then.
/// Only an officer of the sender that set it (or a city-wide one) may.
#[utoipa::path(post, path = "/v1/audit/deferrals/{id}", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])),
    params(("id" = String, Path, description = "the disclosure id")), request_body = ShortenRequest,
    responses((status = 200, body = DeferralView),
              (status = 400, body = ErrorBody, description = "`invalid_request`, `malformed_json`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`"),
              (status = 404, body = ErrorBody, description = "no deferral set by the officer's organisation (any, for a city-wide officer) that ends later than `until`")))]
pub async fn shorten_deferral(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShortenRequest>,
) -> Result<Json<DeferralView>, ApiError> {
    let (disclosure, record) = shorten(&state, &officer.into(), &id, body.until).await?;
    Ok(Json(DeferralView::new(
        disclosure,
        record,
        state.clock.now(),
    )))
}
