//! The Amsterdammer's own view (vuistregel 7, art. 15 AVG) and revocation (art. 7(3)).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use consent::{Consent, Cursor, Evidence, Seek, Sha256Hex};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Citizen;
use crate::contract::paging::PageQuery;
use crate::contract::{ConsentView, ErrorBody, MyConsentRequest, MyDisclosureView, RevokedView};
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery, paged};
use crate::service::parse::{self, Page};
use crate::service::terms::Terms;
use crate::state::AppState;

/// How a toestemmingsverklaring the Amsterdammer records themselves is evidenced: this request, as
/// signed in through the citizen identity provider.
const PORTAL_EVIDENCE: &str = "digital";

/// The Amsterdammer's own routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(my_consents, record_my_consent))
        .routes(routes!(revoke_my_consent))
        .routes(routes!(confirm_my_consent))
        .routes(routes!(refuse_my_consent))
        .routes(routes!(amend_my_consent))
        .routes(routes!(my_disclosures))
        .routes(routes!(my_consent_fhir))
        .routes(routes!(my_consent_usage))
        .routes(routes!(my_consent_receipt))
}

/// A receipt of one of the Amsterdammer's consents (ISO/IEC TS 27560 fields): what they agreed to,
/// with whom, for what, until when, and how to withdraw it. JSON, or with `Accept: text/html` a
/// printable page in Dutch.
#[utoipa::path(get, path = "/v1/me/consents/{id}/receipt", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = crate::contract::ReceiptView, description = "the receipt; with `Accept: text/html` a printable page (`text/html`)"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn my_consent_receipt(
    State(state): State<AppState>,
    me: Citizen,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    Ok(super::usage::receipt_response(&state, &c, &headers))
}

/// One of the Amsterdammer's consents as a FHIR R4 `Consent` resource, to take to another registry.
#[utoipa::path(get, path = "/v1/me/consents/{id}/fhir", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, description = "a FHIR R4 Consent resource", content_type = "application/fhir+json"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn my_consent_fhir(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    Ok(super::usage::fhir_response(&state, &c))
}

/// What one of the Amsterdammer's consents was actually used for: every disclosure made under it
/// (when, from whom, to whom, which categories), so they can see it before deciding to revoke it.
#[utoipa::path(get, path = "/v1/me/consents/{id}/usage", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [crate::contract::UsageView]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn my_consent_usage(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<Vec<crate::contract::UsageView>>, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    let now = state.clock.now();
    crate::service::usage::usage(&state, &c, |d| d.shown_at(now))
        .await
        .map(Json)
}

/// Every toestemmingsverklaring the Amsterdammer gave.
#[utoipa::path(get, path = "/v1/me/consents", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [ConsentView]), (status = 401, body = ErrorBody)))]
pub async fn my_consents(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    let now = state.clock.now();
    let consents = state.store.consents_of(&me.subject).await?;
    Ok(Json(
        consents
            .into_iter()
            .filter(|c| me.covers(&state.register(), &c.categories))
            .map(|c| ConsentView::new(c, now))
            .collect(),
    ))
}

/// Withdraws one of the Amsterdammer's consents; idempotent.
#[utoipa::path(post, path = "/v1/me/consents/{id}/revoke", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RevokedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RevokedView>, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    me.viewer()
        .may_undo(&state.register(), c.grantor == consent::Grantor::Subject)?;
    crate::service::consents::revoke(&state, &id, &me.actor())
        .await
        .map(Json)
}

/// The Amsterdammer records a toestemmingsverklaring themselves; it is active at once. Recorded by
/// their representative (`On-Behalf-Of`), it is `pending` until a listed recorder of its
/// activities or the person themselves confirms it.
#[utoipa::path(post, path = "/v1/me/consents", tag = "amsterdammer", security(("citizen_token" = [])), request_body = MyConsentRequest,
    responses((status = 201, body = ConsentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn record_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    ApiJson(body): ApiJson<MyConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let new = my_terms(&state, &me, body)?;
    crate::service::consents::record(&state, new)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The Amsterdammer amends one of their consents: the new terms become its next version, which
/// supersedes it at once.
#[utoipa::path(post, path = "/v1/me/consents/{id}/amend", tag = "amsterdammer", security(("citizen_token" = [])), request_body = MyConsentRequest,
    responses((status = 201, body = ConsentView, description = "the new version"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`outside_representation`"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`consent_ended`: revoked, superseded, refused or expired")))]
pub async fn amend_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MyConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let old = my_consent(&state, &me, &id).await?;
    let new = my_terms(&state, &me, body)?;
    crate::service::consents::amend(&state, &old, new)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// A consent the signed-in Amsterdammer (or their representative) gives, checked.
fn my_terms(
    state: &AppState,
    me: &Citizen,
    body: MyConsentRequest,
) -> Result<consent::NewConsent, ApiError> {
    let terms = Terms {
        recipients: &body.recipients,
        sources: body.sources.as_deref(),
        categories: &body.categories,
        activities: &body.activities,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        language: body.language.as_deref(),
    };
    let mut checked = terms.check(state, None)?;
    if me.acting.is_some() {
        checked = checked.recorded_by_a_representative();
    }
    let grantor = checked.grantor_signed_in(state, me)?;
    // The statement itself is the evidence: its digest ties the record to what was asked.
    let statement = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    let evidence = Evidence {
        method: PORTAL_EVIDENCE.into(),
        document_sha256: Sha256Hex::of(&statement),
        recorded_by: consent::AMSTERDAMMER.into(),
    };
    Ok(checked.into_new_consent(me.subject.clone(), evidence, body.note, me.actor(), grantor))
}

/// The Amsterdammer refuses a consent a professional recorded that awaits their confirmation: it
/// never covers anything. Idempotent.
#[utoipa::path(post, path = "/v1/me/consents/{id}/refuse", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = ConsentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`not_pending`: it does not await confirmation; revoke it instead")))]
pub async fn refuse_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<ConsentView>, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    if c.refused_at.is_none() && !c.awaits_confirmation() {
        return Err(ApiError::conflict(
            "not_pending",
            "only a toestemmingsverklaring that awaits your confirmation can be refused; revoke this one instead",
        ));
    }
    let now = state.clock.now();
    let refused = state
        .store
        .refuse_consent(&id, &me.actor(), now)
        .await?
        .ok_or_else(|| ApiError::not_found("consent"))?;
    tracing::info!(consent_id = %id, "consent refused");
    state.cover_consent_change().await;
    Ok(Json(ConsentView::new(refused, now)))
}

/// The Amsterdammer confirms a consent a professional recorded that awaits confirmation.
#[utoipa::path(post, path = "/v1/me/consents/{id}/confirm", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = ConsentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`consent_revoked` or `consent_expired`")))]
pub async fn confirm_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<ConsentView>, ApiError> {
    let c = my_consent(&state, &me, &id).await?;
    let by_a_representative = c
        .history
        .first()
        .is_some_and(|e| e.representation.is_some());
    if me.acting.is_some() && by_a_representative {
        return Err(ApiError::refused(
            "not_a_recorder",
            "a consent a representative recorded is confirmed by a listed recorder of its activities or by the person themselves, never by a representative",
        ));
    }
    crate::service::consents::confirm(&state, c, &me.actor())
        .await
        .map(Json)
}

/// One of the Amsterdammer's own consents (for a representative: of the person represented, within
/// their role); `404` for anyone else's.
async fn my_consent(state: &AppState, me: &Citizen, id: &str) -> Result<Consent, ApiError> {
    state
        .store
        .consent(id)
        .await?
        .filter(|c| c.subject == me.subject && me.covers(&state.register(), &c.categories))
        .ok_or_else(|| ApiError::not_found("consent"))
}

/// Every disclosure about the Amsterdammer: who received what, from whom, why, on which basis;
/// oldest first, a page at a time.
#[utoipa::path(get, path = "/v1/me/disclosures", tag = "amsterdammer", security(("citizen_token" = [])),
    params(PageQuery),
    responses((status = 200, body = [MyDisclosureView],
               headers(("Link" = String, description = "`<...>; rel=\"next\"` when more follow: this request with the next page's `cursor`"))),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `invalid_limit`, `invalid_cursor`"),
              (status = 401, body = ErrorBody)))]
pub async fn my_disclosures(
    State(state): State<AppState>,
    me: Citizen,
    uri: Uri,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (limit, after) = parse::ledger_paging(q.limit, q.cursor.as_deref())?;
    let read = state
        .store
        .disclosures_page(&me.subject, Seek::OldestAfter(after), limit + 1)
        .await?;
    let mut page = Page::of(read, limit, |d| Cursor::Ledger(d.log_index));
    let now = state.clock.now();
    page.items.retain(|d| me.may_see(&state.register(), d, now));
    Ok(paged(
        &uri,
        page.map(|d| MyDisclosureView::new(d, &state.register())),
    ))
}
