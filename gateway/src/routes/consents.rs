//! Toestemmingsverklaringen, for partner professionals (`/openapi.json`).

use crate::auth::Professional;
use crate::contract::ConsentChangesView;
use crate::contract::{AmendConsentRequest, ConsentView, RecordConsentRequest, RevokedView};
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::service::consents as service;
use crate::service::consents::{consents_visible_to, revoke};
use crate::service::parse;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use consent::{Actor, Consent};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The partner routes for toestemmingsverklaringen.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(record_consent, list_consents))
        .routes(routes!(search_consents))
        .routes(routes!(expiring_consents))
        .routes(routes!(consent_changes))
        .routes(routes!(get_consent))
        .routes(routes!(revoke_consent))
        .routes(routes!(amend_consent))
        .routes(routes!(confirm_consent))
        .routes(routes!(consent_fhir))
        .routes(routes!(consent_usage))
        .routes(routes!(consent_receipt))
}

/// The consent receipt (ISO/IEC TS 27560 fields) to hand to the Amsterdammer, e.g. printed at the
/// kitchen table where the toestemmingsverklaring was given: JSON, or with `Accept: text/html` the
/// printable page in Dutch.
#[utoipa::path(get, path = "/v1/consents/{id}/receipt", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = crate::contract::ReceiptView, description = "the receipt; with `Accept: text/html` a printable page (`text/html`)"),
              (status = 404, body = crate::contract::ErrorBody)))]
pub async fn consent_receipt(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    VisibleConsent { consent, .. }: VisibleConsent,
) -> axum::response::Response {
    super::usage::receipt_response(&state, &consent, &headers)
}

/// The consent as a FHIR R4 `Consent` resource (`application/fhir+json`).
#[utoipa::path(get, path = "/v1/consents/{id}/fhir", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, description = "a FHIR R4 Consent resource", content_type = "application/fhir+json"),
              (status = 404, body = crate::contract::ErrorBody)))]
pub async fn consent_fhir(
    State(state): State<AppState>,
    VisibleConsent { consent, .. }: VisibleConsent,
) -> axum::response::Response {
    super::usage::fhir_response(&state, &consent)
}

/// What the consent was used for, as far as the caller's organisation took part: each disclosure
/// made under it to or from the caller's organisation, oldest first.
#[utoipa::path(get, path = "/v1/consents/{id}/usage", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = [crate::contract::UsageView]), (status = 404, body = crate::contract::ErrorBody)))]
pub async fn consent_usage(
    State(state): State<AppState>,
    VisibleConsent { consent, who }: VisibleConsent,
) -> Result<Json<Vec<crate::contract::UsageView>>, ApiError> {
    let partner = who.partner.id.clone();
    crate::service::usage::usage(&state, &consent, |d| {
        d.source == partner || d.recipient == partner
    })
    .await
    .map(Json)
}

/// Records a toestemmingsverklaring (seed 004 §2.4.6). Active at once when the caller's kind is a
/// listed `consent_recorders` kind of every activity; otherwise `pending` until confirmed.
#[utoipa::path(post, path = "/v1/consents", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = RecordConsentRequest,
    responses((status = 201, body = ConsentView, description = "`status` is `active`, or `pending` with `awaiting_confirmation`"),
              (status = 400, body = crate::contract::ErrorBody),
              (status = 401, body = crate::contract::ErrorBody),
              (status = 403, body = crate::contract::ErrorBody, description = "`not_a_party`: the caller's organisation takes no part in one of the activities")))]
pub async fn record_consent(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RecordConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    service::record_by_professional(&state, &who, body)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// Amends a consent: records its new terms as the next version, which supersedes it at once (its
/// history stays readable under its own id). Only a listed recorder of every activity of the new
/// version amends; anyone else records a new consent, which awaits confirmation.
#[utoipa::path(post, path = "/v1/consents/{id}/amend", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = AmendConsentRequest,
    responses((status = 201, body = ConsentView, description = "the new version"),
              (status = 400, body = crate::contract::ErrorBody),
              (status = 403, body = crate::contract::ErrorBody, description = "`not_a_recorder`, `not_a_party` or `outside_representation`"),
              (status = 404, body = crate::contract::ErrorBody),
              (status = 409, body = crate::contract::ErrorBody, description = "`consent_ended`: revoked, superseded, refused or expired")))]
pub async fn amend_consent(
    State(state): State<AppState>,
    VisibleConsent { consent: old, who }: VisibleConsent,
    ApiJson(body): ApiJson<AmendConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    service::amend_by_professional(&state, &who, &old, body)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentQuery {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    #[param(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
}

/// The subject's consents that concern the caller's organisation.
#[utoipa::path(get, path = "/v1/consents", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), params(ConsentQuery),
    responses((status = 200, body = [ConsentView]), (status = 400, body = crate::contract::ErrorBody)))]
pub async fn list_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ConsentQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    consents_visible_to(&state, &who, &q.subject_bsn)
        .await
        .map(Json)
}

/// The same as `GET /v1/consents`, with the BSN in the body instead of the URL, so it stays out of
/// proxy and load-balancer access logs. Prefer this one.
#[utoipa::path(post, path = "/v1/consents/search", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = ConsentQuery,
    responses((status = 200, body = [ConsentView]), (status = 400, body = crate::contract::ErrorBody)))]
pub async fn search_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(q): ApiJson<ConsentQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    consents_visible_to(&state, &who, &q.subject_bsn)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiringQuery {
    /// How many days ahead to look: 1 to 365, default 30.
    pub within_days: Option<i64>,
}

/// The consents that concern the caller's organisation and run out within `within_days` (not
/// revoked, not yet expired), soonest first: time to ask the Amsterdammer whether to renew them.
#[utoipa::path(get, path = "/v1/consents/expiring", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), params(ExpiringQuery),
    responses((status = 200, body = [ConsentView]), (status = 400, body = crate::contract::ErrorBody, description = "`invalid_within_days`")))]
pub async fn expiring_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    service::expiring(&state, &who, q.within_days)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// RFC 3339 time: changes after it. Start with the time you began relying on consents, then
    /// pass the `until` of each answer.
    pub since: DateTime<Utc>,
}

/// The consents concerning the caller's organisation that were revoked, superseded or expired after `since`:
/// what a partner polls to stop processing data it received under them (item 6 of issue 8). The feed
/// runs a few seconds behind the clock, so no revocation is passed over.
#[utoipa::path(get, path = "/v1/consents/changes", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), params(ChangesQuery),
    responses((status = 200, body = ConsentChangesView), (status = 400, body = crate::contract::ErrorBody)))]
pub async fn consent_changes(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<ConsentChangesView>, ApiError> {
    service::changes(&state, &who, q.since).await.map(Json)
}

/// One consent with its history.
#[utoipa::path(get, path = "/v1/consents/{id}", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = ConsentView), (status = 404, body = crate::contract::ErrorBody)))]
pub async fn get_consent(
    State(state): State<AppState>,
    VisibleConsent { consent, .. }: VisibleConsent,
) -> Result<Json<ConsentView>, ApiError> {
    Ok(Json(ConsentView::new(consent, state.clock.now())))
}

/// Revokes a consent on the Amsterdammer's behalf (art. 7(3) AVG: through any professional involved);
/// idempotent. Binds every request that starts after this returns.
#[utoipa::path(post, path = "/v1/consents/{id}/revoke", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = RevokedView), (status = 404, body = crate::contract::ErrorBody)))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    VisibleConsent { consent, who }: VisibleConsent,
) -> Result<Json<RevokedView>, ApiError> {
    revoke(
        &state,
        &consent.id,
        &Actor::professional(&who.partner.id, &who.id),
    )
    .await
    .map(Json)
}

/// Confirms a pending consent: only a professional of a listed recorder of every one of its
/// activities who may see it. Idempotent.
#[utoipa::path(post, path = "/v1/consents/{id}/confirm", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = ConsentView), (status = 403, body = crate::contract::ErrorBody, description = "`not_a_recorder`"),
              (status = 404, body = crate::contract::ErrorBody), (status = 409, body = crate::contract::ErrorBody, description = "`consent_revoked` or `consent_expired`")))]
pub async fn confirm_consent(
    State(state): State<AppState>,
    VisibleConsent { consent: c, who }: VisibleConsent,
) -> Result<Json<ConsentView>, ApiError> {
    service::confirm_by_professional(&state, &who, c)
        .await
        .map(Json)
}

/// A consent named in the path (`{id}`) that the calling professional's organisation may see
/// (`policies::may_see`). Otherwise `404`, so that the answer does not reveal that it exists.
#[derive(Debug)]
pub struct VisibleConsent {
    pub consent: Consent,
    pub who: Professional,
}

impl FromRequestParts<AppState> for VisibleConsent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let who = Professional::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("consent"))?;
        let consent = state
            .store
            .consent(&id)
            .await?
            .filter(|c| parse::visible_to(&state.register(), c, &who.partner))
            .ok_or_else(|| ApiError::not_found("consent"))?;
        Ok(Self { consent, who })
    }
}
