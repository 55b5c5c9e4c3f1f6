//! What an organisation's privacy officers see of what its professionals recorded on residents'
//! behalf, which binds every other organisation too (and the console's *Vertegenwoordigingen*):
//!
//! - the representations (`GET /v1/audit/representations`), each with its status, who confirmed
//!   or ended it, and what points at misuse. A representation lets one person act for another
//!   across every organisation, so the two patterns of a takeover are named: one representative
//!   for many people, and a representation used within an hour of being recorded (before anyone
//!   could have looked at it);
//! - the refusals ("never share with", `GET /v1/audit/refusals`), which block other
//!   organisations' care, with who recorded and who lifted each.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use consent::{AuditQuery, RecordedRepresentation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit::{Officer, record_read};
use super::bodies::ErrorBody;
use super::refusals::RefusalView;
use super::representations::RepresentationView;
use crate::auth::PrivacyOfficer;
use crate::error::ApiError;
use crate::json::ApiQuery;
use crate::state::AppState;

/// From this many people represented (in representations not ended) one representative is an
/// anomaly to look at: a parent of a large family, a professional bewindvoerder, or a takeover.
pub const MANY_REPRESENTED: u64 = 5;

/// Used this soon after it was recorded, a representation is an anomaly to look at.
pub const SOON_USED_MINUTES: i64 = 60;

/// The most representations one read returns.
const MAX_LIMIT: u32 = 1_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(audit_representations))
        .routes(routes!(audit_refusals))
}

/// Which of the organisation's records to read.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedFilter {
    /// Recorded from this time on (RFC 3339); default 90 days ago.
    pub from: Option<DateTime<Utc>>,
    /// At most this many, newest first (1 to 1000, default 200).
    pub limit: Option<u32>,
}

/// A representation as its recording organisation's officers review it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedRepresentationView {
    pub representation: RepresentationView,
    /// The professional who recorded it.
    pub professional: String,
    /// Keyed pseudonyms (never a BSN) of the representative and the person represented.
    pub representative: String,
    pub represented: String,
    /// When the representative first acted under it (a consent change or a refusal), if ever.
    pub first_used_at: Option<DateTime<Utc>>,
    /// How many people the same representative represents (not ended, any organisation).
    pub representative_represents: u64,
    /// `many_represented` and/or `used_within_an_hour`.
    pub anomalies: Vec<String>,
}

impl RecordedRepresentationView {
    pub fn new(r: RecordedRepresentation, now: DateTime<Utc>) -> Self {
        let mut anomalies = Vec::new();
        if r.representative_represents >= MANY_REPRESENTED {
            anomalies.push("many_represented".to_owned());
        }
        let soon = r.representation.created_at + Duration::minutes(SOON_USED_MINUTES);
        if r.first_used_at.is_some_and(|used| used < soon) {
            anomalies.push("used_within_an_hour".to_owned());
        }
        Self {
            professional: r.representation.professional.clone(),
            representative: r.representation.representative.as_str().to_owned(),
            represented: r.representation.represented.as_str().to_owned(),
            representation: RepresentationView::new(r.representation, now),
            first_used_at: r.first_used_at,
            representative_represents: r.representative_represents,
            anomalies,
        }
    }
}

/// The representations the officer's organisation recorded (every organisation's for a
/// city-wide officer), newest first, with their anomalies. The read is recorded.
#[utoipa::path(get, path = "/v1/audit/representations", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(RecordedFilter),
    responses((status = 200, body = [RecordedRepresentationView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_representations(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<RecordedFilter>,
) -> Result<Json<Vec<RecordedRepresentationView>>, ApiError> {
    let found = find(&state, &officer.into(), f, "/v1/audit/representations").await?;
    Ok(Json(found))
}

/// The representations `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find(
    state: &AppState,
    officer: &Officer,
    f: RecordedFilter,
    what: &str,
) -> Result<Vec<RecordedRepresentationView>, ApiError> {
    let now = state.clock.now();
    let q = query(officer, f, now)?;
    let found = state
        .store
        .recorded_representations(officer.scope.as_deref(), q.from.unwrap_or(now), q.limit)
        .await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found
        .into_iter()
        .map(|r| RecordedRepresentationView::new(r, now))
        .collect())
}

/// The refusals professionals of the officer's organisation recorded on residents' behalf (every
/// organisation's for a city-wide officer), newest first, lifted ones too; never those residents
/// recorded themselves. The read is recorded.
#[utoipa::path(get, path = "/v1/audit/refusals", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(RecordedFilter),
    responses((status = 200, body = [RecordedRefusalView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_refusals(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<RecordedFilter>,
) -> Result<Json<Vec<RecordedRefusalView>>, ApiError> {
    let found = find_refusals(&state, &officer.into(), f, "/v1/audit/refusals").await?;
    Ok(Json(found))
}

/// A refusal as its recording organisation's officers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedRefusalView {
    pub refusal: RefusalView,
    /// The professional who recorded it.
    pub professional: Option<String>,
    /// Keyed pseudonym (never a BSN) of the resident.
    pub subject: String,
}

/// The refusals `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find_refusals(
    state: &AppState,
    officer: &Officer,
    f: RecordedFilter,
    what: &str,
) -> Result<Vec<RecordedRefusalView>, ApiError> {
    let now = state.clock.now();
    let q = query(officer, f, now)?;
    let found = state
        .store
        .recorded_refusals(officer.scope.as_deref(), q.from.unwrap_or(now), q.limit)
        .await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found
        .into_iter()
        .map(|r| RecordedRefusalView {
            professional: r.professional.clone(),
            subject: r.subject.as_str().to_owned(),
            refusal: RefusalView::new(r, &state.register),
        })
        .collect())
}

/// The filter checked, within the officer's scope (as it is recorded with the read).
fn query(officer: &Officer, f: RecordedFilter, now: DateTime<Utc>) -> Result<AuditQuery, ApiError> {
    let limit = f.limit.unwrap_or(200);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(
            ApiError::bad_request("invalid_limit", format!("limit: 1 to {MAX_LIMIT}")).at("limit"),
        );
    }
    Ok(AuditQuery {
        from: Some(f.from.unwrap_or(now - Duration::days(90))),
        organisation: officer.scope.clone(),
        limit,
        ..AuditQuery::default()
    })
}
