//! Toestemmingsverklaringen, for partner professionals (api.md "Consents").

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use consent::{Actor, Consent, NewConsent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bodies::{AmendConsentRequest, ConsentView, RecordConsentRequest, RevokedView};
use super::parse;
use super::terms::Terms;
use crate::auth::Professional;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

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
    responses((status = 200, body = super::usage::ReceiptView, description = "the receipt; with `Accept: text/html` a printable page (`text/html`)"),
              (status = 404, body = super::bodies::ErrorBody)))]
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
              (status = 404, body = super::bodies::ErrorBody)))]
pub async fn consent_fhir(
    State(state): State<AppState>,
    VisibleConsent { consent, .. }: VisibleConsent,
) -> axum::response::Response {
    super::usage::fhir_response(&state, &consent)
}

/// What the consent was used for, as far as the caller's organisation took part: each disclosure
/// made under it to or from the caller's organisation, oldest first.
#[utoipa::path(get, path = "/v1/consents/{id}/usage", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = [super::usage::UsageView]), (status = 404, body = super::bodies::ErrorBody)))]
pub async fn consent_usage(
    State(state): State<AppState>,
    VisibleConsent { consent, who }: VisibleConsent,
) -> Result<Json<Vec<super::usage::UsageView>>, ApiError> {
    let partner = who.partner.id.clone();
    super::usage::usage(&state, &consent, |d| {
        d.source == partner || d.recipient == partner
    })
    .await
}

/// Records a toestemmingsverklaring (seed 004 §2.4.6). Active at once when the caller's kind is a
/// listed `consent_recorders` kind of every activity; otherwise `pending` until confirmed.
#[utoipa::path(post, path = "/v1/consents", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = RecordConsentRequest,
    responses((status = 201, body = ConsentView, description = "`status` is `active`, or `pending` with `awaiting_confirmation`"),
              (status = 400, body = super::bodies::ErrorBody),
              (status = 401, body = super::bodies::ErrorBody),
              (status = 403, body = super::bodies::ErrorBody, description = "`not_a_party`: the caller's organisation takes no part in one of the activities")))]
pub async fn record_consent(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RecordConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let bsn = parse::bsn(&body.subject_bsn)?;
    let terms = Terms {
        recipients: &body.recipients,
        sources: body.sources.as_deref(),
        categories: &body.categories,
        activities: &body.activities,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        language: body.language.as_deref(),
    };
    let checked = terms.check(&state, Some(&who.partner.kind))?;
    let subject = state.pseudonyms.subject(&bsn);
    let grantor = checked
        .grantor_recorded(
            &state,
            &subject,
            body.grantor.as_ref(),
            body.subject_birth_date,
        )
        .await?;
    let evidence = parse::evidence(body.evidence)?;
    let by = Actor::professional(&who.partner.id, &who.id);
    let new = checked.into_new_consent(subject, evidence, body.note, by, grantor);
    record(&state, new).await
}

/// Amends a consent: records its new terms as the next version, which supersedes it at once (its
/// history stays readable under its own id). Only a listed recorder of every activity of the new
/// version amends; anyone else records a new consent, which awaits confirmation.
#[utoipa::path(post, path = "/v1/consents/{id}/amend", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = AmendConsentRequest,
    responses((status = 201, body = ConsentView, description = "the new version"),
              (status = 400, body = super::bodies::ErrorBody),
              (status = 403, body = super::bodies::ErrorBody, description = "`not_a_recorder`, `not_a_party` or `outside_representation`"),
              (status = 404, body = super::bodies::ErrorBody),
              (status = 409, body = super::bodies::ErrorBody, description = "`consent_ended`: revoked, superseded, refused or expired")))]
pub async fn amend_consent(
    State(state): State<AppState>,
    VisibleConsent { consent: old, who }: VisibleConsent,
    ApiJson(body): ApiJson<AmendConsentRequest>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let terms = Terms {
        recipients: &body.recipients,
        sources: body.sources.as_deref(),
        categories: &body.categories,
        activities: &body.activities,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        language: body.language.as_deref(),
    };
    let checked = terms.check(&state, Some(&who.partner.kind))?;
    if !checked.is_active_at_once() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_recorder",
            format!(
                "a {} is not a listed consent recorder of every activity, so it cannot amend a consent; record a new one, which awaits confirmation",
                who.partner.kind
            ),
        ));
    }
    let grantor = checked
        .grantor_recorded(
            &state,
            &old.subject,
            body.grantor.as_ref(),
            body.subject_birth_date,
        )
        .await?;
    let evidence = parse::evidence(body.evidence)?;
    let by = Actor::professional(&who.partner.id, &who.id);
    let new = checked.into_new_consent(old.subject.clone(), evidence, body.note, by, grantor);
    amend(&state, &old, new).await
}

/// Stores `new` as the next version of `old`; `201` with it as stored, `409` if `old` is no longer
/// in force.
pub(super) async fn amend(
    state: &AppState,
    old: &Consent,
    new: NewConsent,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let now = state.clock.now();
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state
        .store
        .amend_consent(&old.id, &id, &new, now)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "consent_ended",
                "this toestemmingsverklaring is no longer in force (revoked, superseded, refused or expired): record a new one",
            )
        })?;
    tracing::info!(consent_id = %id, supersedes = %old.id, by = %new.recorded_by.party, "consent amended");
    state.cover_consent_change().await;
    if let Some(notifier) = &state.notifier {
        let superseded = Consent {
            superseded: Some((now, id)),
            ..old.clone()
        };
        notifier.changed(&superseded).await;
    }
    Ok((StatusCode::CREATED, Json(ConsentView::new(stored, now))))
}

/// Stores a checked consent; `201` with it as stored.
pub(super) async fn record(
    state: &AppState,
    new: NewConsent,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let now = state.clock.now();
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state.store.insert_consent(&id, &new, now).await?;
    tracing::info!(consent_id = %id, by = %new.recorded_by.party, confirmed = new.confirmed, "consent recorded");
    state.cover_consent_change().await;
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
    responses((status = 200, body = [ConsentView]), (status = 400, body = super::bodies::ErrorBody)))]
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
    responses((status = 200, body = [ConsentView]), (status = 400, body = super::bodies::ErrorBody)))]
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

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiringQuery {
    /// How many days ahead to look: 1 to 365, default 30.
    pub within_days: Option<i64>,
}

/// The consents that concern the caller's organisation and run out within `within_days` (not
/// revoked, not yet expired), soonest first: time to ask the Amsterdammer whether to renew them.
#[utoipa::path(get, path = "/v1/consents/expiring", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), params(ExpiringQuery),
    responses((status = 200, body = [ConsentView]), (status = 400, body = super::bodies::ErrorBody, description = "`invalid_within_days`")))]
pub async fn expiring_consents(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    let days = q.within_days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::bad_request(
            "invalid_within_days",
            "within_days: a whole number of days from 1 to 365",
        ));
    }
    let now = state.clock.now();
    let consents = state
        .store
        .consents_expiring(now, now + chrono::Duration::days(days))
        .await?;
    Ok(Json(
        consents
            .into_iter()
            .filter(|c| parse::visible_to(&state.register, c, &who.partner))
            .map(|c| ConsentView::new(c, now))
            .collect(),
    ))
}

/// How far the changes feed stays behind the clock: a revocation is stamped before it commits, so a
/// feed read right up to "now" could pass over one that commits a moment later.
const CHANGES_SETTLE_SECS: i64 = 5;

/// The most changes one page of the feed holds.
const CHANGES_PAGE: usize = 500;

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// RFC 3339 time: changes after it. Start with the time you began relying on consents, then
    /// pass the `until` of each answer.
    pub since: DateTime<Utc>,
}

/// A consent that stopped covering anything.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentChangeView {
    pub consent_id: String,
    /// `revoked`, `superseded` (amended: `consent.superseded_by` is the new version) or `expired`.
    pub change: String,
    pub at: DateTime<Utc>,
    pub consent: ConsentView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentChangesView {
    /// Oldest first.
    pub changes: Vec<ConsentChangeView>,
    /// Pass this as `since` next time: every change up to it is in this answer or an earlier one.
    pub until: DateTime<Utc>,
}

/// The consents concerning the caller's organisation that were revoked, superseded or expired after `since`:
/// what a partner polls to stop processing data it received under them (item 6 of issue 8). The feed
/// runs a few seconds behind the clock, so no revocation is passed over.
#[utoipa::path(get, path = "/v1/consents/changes", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), params(ChangesQuery),
    responses((status = 200, body = ConsentChangesView), (status = 400, body = super::bodies::ErrorBody)))]
pub async fn consent_changes(
    State(state): State<AppState>,
    who: Professional,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<ConsentChangesView>, ApiError> {
    let now = state.clock.now();
    let settled = now - chrono::Duration::seconds(CHANGES_SETTLE_SECS);
    if q.since >= settled {
        return Ok(Json(ConsentChangesView {
            changes: Vec::new(),
            until: q.since,
        }));
    }
    let consents = state.store.consents_changed(q.since, settled).await?;
    let mut changes: Vec<ConsentChangeView> = consents
        .into_iter()
        .filter(|c| parse::visible_to(&state.register, c, &who.partner))
        .filter_map(|c| {
            let (change, at) = c.ended_between(q.since, settled, now)?;
            Some(ConsentChangeView {
                consent_id: c.id.clone(),
                change: change.as_str().into(),
                at,
                consent: ConsentView::new(c, now),
            })
        })
        .collect();
    changes.sort_by(|a, b| (a.at, &a.consent_id).cmp(&(b.at, &b.consent_id)));
    let until = if changes.len() > CHANGES_PAGE {
        // Cut between two times, so that the next page starts after every change of this one.
        let last = changes[CHANGES_PAGE - 1].at;
        changes.retain(|c| c.at <= last);
        last
    } else {
        settled
    };
    Ok(Json(ConsentChangesView { changes, until }))
}

/// One consent with its history.
#[utoipa::path(get, path = "/v1/consents/{id}", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = ConsentView), (status = 404, body = super::bodies::ErrorBody)))]
pub async fn get_consent(
    State(state): State<AppState>,
    VisibleConsent { consent, .. }: VisibleConsent,
) -> Result<Json<ConsentView>, ApiError> {
    Ok(Json(ConsentView::new(consent, state.clock.now())))
}

/// Revokes a consent on the Amsterdammer's behalf (art. 7(3) AVG: through any professional involved);
/// idempotent. Binds every request that starts after this returns.
#[utoipa::path(post, path = "/v1/consents/{id}/revoke", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = RevokedView), (status = 404, body = super::bodies::ErrorBody)))]
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
}

/// Confirms a pending consent: only a professional of a listed recorder of every one of its
/// activities who may see it. Idempotent.
#[utoipa::path(post, path = "/v1/consents/{id}/confirm", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = ConsentView), (status = 403, body = super::bodies::ErrorBody, description = "`not_a_recorder`"),
              (status = 404, body = super::bodies::ErrorBody), (status = 409, body = super::bodies::ErrorBody, description = "`consent_revoked` or `consent_expired`")))]
pub async fn confirm_consent(
    State(state): State<AppState>,
    VisibleConsent { consent: c, who }: VisibleConsent,
) -> Result<Json<ConsentView>, ApiError> {
    let activities: Vec<_> = c
        .activities
        .iter()
        .filter_map(|a| state.register.activity(a))
        .collect();
    let listed = activities.len() == c.activities.len()
        && policies::may_confirm(&who.partner.kind, &activities);
    if c.awaits_confirmation() && !listed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_recorder",
            format!(
                "a {} is not a listed consent recorder of every activity of this consent; a listed recorder or the Amsterdammer must confirm it",
                who.partner.kind
            ),
        ));
    }
    confirm(&state, c, &Actor::professional(&who.partner.id, &who.id)).await
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
            .filter(|c| parse::visible_to(&state.register, c, &who.partner))
            .ok_or_else(|| ApiError::not_found("consent"))?;
        Ok(Self { consent, who })
    }
}

/// Confirms `c` (already checked: the caller may confirm it).
pub(super) async fn confirm(
    state: &AppState,
    c: Consent,
    by: &Actor,
) -> Result<Json<ConsentView>, ApiError> {
    let now = state.clock.now();
    if c.revoked_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent_revoked",
            "this toestemmingsverklaring was revoked; a revocation is never undone: record a new one",
        ));
    }
    if c.ended() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent_ended",
            "this toestemmingsverklaring was superseded or refused and covers nothing; record a new one",
        ));
    }
    if !c.awaits_confirmation() {
        return Ok(Json(ConsentView::new(c, now)));
    }
    if now >= c.valid_until {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent_expired",
            "this toestemmingsverklaring has expired; record a new one",
        ));
    }
    let confirmed = state
        .store
        .confirm_consent(&c.id, by, now)
        .await?
        .ok_or_else(|| ApiError::not_found("consent"))?;
    tracing::info!(consent_id = %c.id, by = %by.party, "consent confirmed");
    state.cover_consent_change().await;
    Ok(Json(ConsentView::new(confirmed, now)))
}

pub(crate) async fn revoke(
    state: &AppState,
    id: &str,
    by: &Actor,
) -> Result<Json<RevokedView>, ApiError> {
    let c = state
        .store
        .revoke_consent(id, by, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("consent"))?;
    let Some(revoked_at) = c.revoked_at else {
        // Superseded or refused before: it covers nothing already, and only its successor can be revoked.
        let message = match &c.superseded {
            Some((_, by)) => format!("this version was replaced by {by}: revoke that one"),
            None => "this toestemmingsverklaring was refused and covers nothing".to_owned(),
        };
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent_ended",
            message,
        ));
    };
    tracing::info!(consent_id = %id, by = %by.party, "consent revoked");
    state.cover_consent_change().await;
    if let Some(notifier) = &state.notifier {
        notifier.changed(&c).await;
    }
    Ok(Json(RevokedView {
        id: c.id,
        status: "revoked".into(),
        revoked_at: Some(revoked_at),
    }))
}
