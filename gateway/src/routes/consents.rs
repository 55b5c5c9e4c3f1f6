//! Toestemmingsverklaringen, for partner professionals (api.md "Consents").

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use consent::{Evidence, NewConsent};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::parse;
use super::views::{ConsentView, RecordConsentRequest, RevokedView};
use crate::auth::Professional;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Records a toestemmingsverklaring (seed 004 §2.4.6).
#[utoipa::path(post, path = "/v1/consents", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = RecordConsentRequest,
    responses((status = 201, body = ConsentView), (status = 400, body = super::views::ErrorBody),
              (status = 401, body = super::views::ErrorBody), (status = 403, body = super::views::ErrorBody)))]
pub async fn record_consent(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RecordConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let register = &state.register;
    let bsn = parse::bsn(&body.subject_bsn)?;
    if body.recipients.is_empty() || body.activities.is_empty() || body.categories.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_request",
            "recipients, activities and categories must each name at least one",
        ));
    }
    let mut activities = Vec::new();
    for id in &body.activities {
        let a = parse::activity(register, id)?;
        if a.legal_basis != policies::LegalBasis::Consent {
            return Err(ApiError::bad_request(
                "not_consent_based",
                format!(
                    "activity '{id}' rests on {}, not on consent",
                    a.legal_basis.as_str()
                ),
            ));
        }
        activities.push(a);
    }
    for name in body.recipients.iter().chain(body.sources.iter().flatten()) {
        parse::party(register, name)?;
    }
    let categories = parse::categories(register, &body.categories)?;
    if let Some(cat) = categories
        .iter()
        .find(|c| !activities.iter().any(|a| a.fields.contains_key(*c)))
    {
        return Err(ApiError::bad_request(
            "category_not_needed",
            format!("category '{cat}' is not needed by any of the activities (vuistregel 1)"),
        ));
    }
    let now = state.clock.now();
    let valid_from = body.valid_from.unwrap_or(now);
    if body.valid_until <= valid_from {
        return Err(ApiError::bad_request(
            "invalid_period",
            "valid_until must lie after valid_from",
        ));
    }
    let e = &body.evidence;
    let digest_ok =
        e.document_sha256.len() == 64 && e.document_sha256.chars().all(|c| c.is_ascii_hexdigit());
    if !digest_ok || e.method.trim().is_empty() || e.recorded_by.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_evidence",
            "evidence needs a method, the recorder, and the document's SHA-256 as 64 hex characters",
        ));
    }
    let kind = &who.partner.kind;
    if !activities
        .iter()
        .any(|a| a.from.contains(kind) || a.to.contains(kind))
    {
        return Err(ApiError::forbidden(format!(
            "a {kind} takes no part in these activities, so it cannot record consent for them"
        )));
    }
    let new = NewConsent {
        subject: state.pseudonyms.subject(&bsn),
        recipients: body.recipients,
        sources: body.sources,
        categories: categories.into_iter().collect(),
        activities: body.activities,
        valid_from,
        valid_until: body.valid_until,
        evidence: Evidence {
            method: body.evidence.method,
            document_sha256: body.evidence.document_sha256.to_ascii_lowercase(),
            recorded_by: body.evidence.recorded_by,
        },
        note: body.note,
        recorded_by_partner: who.partner.id.clone(),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state.store.insert_consent(&id, &new, now).await?;
    tracing::info!(consent_id = %id, partner = %who.partner.id, "consent recorded");
    Ok((StatusCode::CREATED, Json(ConsentView::new(stored, now))))
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
    responses((status = 200, body = [ConsentView]), (status = 400, body = super::views::ErrorBody)))]
pub async fn list_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ConsentQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    consents_visible_to(&state, &who, &q.subject_bsn).await
}

/// The same as `GET /v1/consents`, with the BSN in the body instead of the URL, so it stays out of
/// proxy and load-balancer access logs. Prefer this one.
#[utoipa::path(post, path = "/v1/consents/search", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = ConsentQuery,
    responses((status = 200, body = [ConsentView]), (status = 400, body = super::views::ErrorBody)))]
pub async fn search_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(q): ApiJson<ConsentQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    consents_visible_to(&state, &who, &q.subject_bsn).await
}

async fn consents_visible_to(
    state: &AppState,
    who: &Professional,
    subject_bsn: &str,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    let bsn = parse::bsn(subject_bsn)?;
    let now = state.clock.now();
    let consents = state
        .store
        .consents_of(&state.pseudonyms.subject(&bsn))
        .await?;
    Ok(Json(
        consents
            .into_iter()
            .filter(|c| parse::visible_to(&state.register, c, &who.partner))
            .map(|c| ConsentView::new(c, now))
            .collect(),
    ))
}

/// One consent with its history.
#[utoipa::path(get, path = "/v1/consents/{id}", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = ConsentView), (status = 404, body = super::views::ErrorBody)))]
pub async fn get_consent(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
) -> Result<Json<ConsentView>, ApiError> {
    let c = state
        .store
        .consent(&id)
        .await?
        .filter(|c| parse::visible_to(&state.register, c, &who.partner))
        .ok_or_else(|| ApiError::not_found("consent"))?;
    Ok(Json(ConsentView::new(c, state.clock.now())))
}

/// Revokes a consent; idempotent. Binds every request that starts after this returns.
#[utoipa::path(post, path = "/v1/consents/{id}/revoke", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = RevokedView), (status = 404, body = super::views::ErrorBody)))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
) -> Result<Json<RevokedView>, ApiError> {
    let visible = state
        .store
        .consent(&id)
        .await?
        .is_some_and(|c| parse::visible_to(&state.register, &c, &who.partner));
    if !visible {
        return Err(ApiError::not_found("consent"));
    }
    revoke(&state, &id, &who.partner.id).await
}

pub(super) async fn revoke(
    state: &AppState,
    id: &str,
    by: &str,
) -> Result<Json<RevokedView>, ApiError> {
    let c = state
        .store
        .revoke_consent(id, by, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("consent"))?;
    tracing::info!(consent_id = %id, by, "consent revoked");
    Ok(Json(RevokedView {
        id: c.id,
        status: "revoked".into(),
        revoked_at: c.revoked_at,
    }))
}
