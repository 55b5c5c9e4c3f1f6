//! The privacy officers' API (api.md "Privacy officers"; issue 9 items 4 and 6): who received what,
//! why and on which basis; which requests were denied and by which vuistregel; and the review queue
//! of disclosures made on a basis other than consent. An officer sees the traffic their own
//! organisation took part in unless their organisation is city-wide. Every read is itself recorded
//! (who looked, at what, with which filters), and so is every review.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use consent::{
    AuditQuery, AuditRead, Content, DecisionRecord, Disclosure, Outcome, Review, ReviewOutcome,
    ReviewSelection,
};
use policies::LegalBasis;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bodies::{ErrorBody, ViolationView};
use super::parse;
use crate::auth::PrivacyOfficer;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The most rows one answer holds, and the default.
pub const MAX_LIMIT: u32 = 1_000;
const DEFAULT_LIMIT: u32 = 200;

/// The shortest note a review takes: a reason someone else can follow.
const MIN_NOTE_CHARS: usize = 10;

/// Who reads the audit routes, through the API (token role `privacy_officer`) or the console.
#[derive(Debug, Clone)]
pub struct Officer {
    /// Their organisation (partner id).
    pub partner: String,
    /// Their id at it (token `sub`, or the console login's).
    pub id: String,
    /// The organisation whose traffic they may see; `None`: every organisation's.
    pub scope: Option<String>,
}

impl Officer {
    /// An officer of `partner`, city-wide if `[audit] city_wide` lists it.
    pub fn of(state: &AppState, partner: &str, id: &str) -> Self {
        let city_wide = state.audit.city_wide.iter().any(|p| p == partner);
        Self {
            partner: partner.to_owned(),
            id: id.to_owned(),
            scope: (!city_wide).then(|| partner.to_owned()),
        }
    }
}

impl From<PrivacyOfficer> for Officer {
    fn from(o: PrivacyOfficer) -> Self {
        Self {
            partner: o.professional.partner.id,
            id: o.professional.id,
            scope: o.scope,
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit_disclosures))
        .routes(routes!(audit_decisions))
        .routes(routes!(review_queue))
        .routes(routes!(review))
        .routes(routes!(deferrals))
        .routes(routes!(shorten_deferral))
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureFilter {
    /// From this time on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Only traffic this partner took part in (as source or recipient).
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// `consent`, `legal_obligation`, `vital_interest` or `public_task`.
    pub basis: Option<String>,
    /// At most this many, newest first: 1 to 1000, default 200.
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionFilter {
    /// `permit` or `deny`.
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only requests this partner took part in (as caller, source or recipient).
    pub partner: Option<String>,
    pub activity: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewFilter {
    /// `pending` (default: not yet reviewed by the officer's own organisation), `flagged` (some
    /// organisation's latest review flags it) or `all`.
    pub status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub partner: Option<String>,
    pub activity: Option<String>,
    pub limit: Option<u32>,
}

/// A disclosure as a privacy officer sees it: everything but the Amsterdammer's identity (a keyed
/// pseudonym stands in for the BSN) and the data itself (never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDisclosureView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub log_index: u64,
    /// `exchange` or `delivery`.
    pub mode: String,
    /// Whose data was disclosed.
    pub from: String,
    pub to: String,
    pub activity: String,
    pub legal_basis: String,
    /// The professional (token `sub`) who asked or sent; absent once the entry was erased.
    pub professional: Option<String>,
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    /// The written justification, for a basis other than consent.
    pub justification: Option<String>,
    /// The Amsterdammer as a keyed pseudonym (never the BSN).
    pub subject: String,
    /// Set when the personal content was erased (retention, or art. 17).
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<Disclosure> for AuditDisclosureView {
    fn from(d: Disclosure) -> Self {
        let (personal, erased_at) = match d.content {
            Content::Readable(p) => (Some(p), None),
            Content::Erased(mark) => (None, Some(mark.at)),
            Content::Sealed => (None, None),
        };
        Self {
            id: d.id,
            at: d.at,
            log_index: d.log_index,
            mode: d.mode.as_str().to_owned(),
            from: d.source,
            to: d.recipient,
            activity: d.activity,
            legal_basis: d.legal_basis.as_str().to_owned(),
            subject: d.subject.as_str().to_owned(),
            erased_at,
            professional: personal.as_ref().map(|p| p.professional.clone()),
            categories: personal
                .as_ref()
                .map(|p| p.categories.clone())
                .unwrap_or_default(),
            fields: personal
                .as_ref()
                .map(|p| p.fields.clone())
                .unwrap_or_default(),
            consent_id: personal.as_ref().and_then(|p| p.consent_id.clone()),
            justification: personal.and_then(|p| p.justification),
        }
    }
}

/// A decision: every request, permitted or denied, with the vuistregels that stopped it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDecisionView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: String,
    /// The calling partner and professional, in their role.
    pub partner: String,
    pub professional: String,
    pub role: String,
    pub activity: String,
    pub source: String,
    pub recipient: String,
    pub subject: String,
    pub categories: Vec<String>,
    /// `permit` or `deny`.
    pub outcome: String,
    pub violations: Vec<ViolationView>,
    pub consent_id: Option<String>,
    /// What went wrong after a permit (e.g. the source system failed), if anything.
    pub error: Option<String>,
    /// The register the decision was taken under (SHA-256 of the register file; `GET
    /// /v1/register` gives the one in force now).
    pub register_version: String,
}

impl From<DecisionRecord> for AuditDecisionView {
    fn from(d: DecisionRecord) -> Self {
        Self {
            id: d.id,
            at: d.at,
            mode: d.mode.as_str().to_owned(),
            partner: d.partner,
            professional: d.professional,
            role: d.role,
            activity: d.activity,
            source: d.source,
            recipient: d.recipient,
            subject: d.subject.as_str().to_owned(),
            categories: d.categories,
            outcome: d.outcome.as_str().to_owned(),
            violations: d
                .violations
                .into_iter()
                .map(|v| ViolationView {
                    vuistregel: v.vuistregel,
                    reason: v.reason,
                    reason_nl: v.reason_nl,
                })
                .collect(),
            consent_id: d.consent_id,
            error: d.error,
            register_version: d.register_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    /// `approve` or `flag`.
    pub outcome: String,
    pub note: String,
    /// The privacy officer's organisation and id.
    pub by_partner: String,
    pub by: String,
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        Self {
            id: r.id,
            disclosure_id: r.disclosure_id,
            at: r.at,
            outcome: r.outcome.as_str().to_owned(),
            note: r.note,
            by_partner: r.officer_partner,
            by: r.officer,
        }
    }
}

/// A disclosure on a basis other than consent, with every review and each party's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItemView {
    pub disclosure: AuditDisclosureView,
    /// Over all organisations: `flagged` when any organisation's latest review flags it (another
    /// organisation's approval does not lift that), `approved` when every organisation that
    /// reviewed it approved, `pending` before any review.
    pub status: String,
    /// One per organisation: the source, the recipient, and any other (city-wide) organisation
    /// that reviewed it, each with its own latest verdict.
    pub verdicts: Vec<VerdictView>,
    /// Every review, oldest first.
    pub reviews: Vec<ReviewView>,
}

/// One organisation's verdict on a disclosure: its officers' latest review.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictView {
    pub partner: String,
    /// `pending`, `approved` or `flagged`.
    pub status: String,
    /// The latest review's time and officer; absent while pending.
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
}

impl ReviewItemView {
    pub fn new(d: Disclosure, reviews: Vec<Review>) -> Self {
        Self {
            status: review_status(&reviews).to_owned(),
            verdicts: verdicts(&d, &reviews)
                .into_iter()
                .map(|(partner, latest)| VerdictView {
                    partner: partner.to_owned(),
                    status: verdict(latest.map(|r| r.outcome)).to_owned(),
                    at: latest.map(|r| r.at),
                    by: latest.map(|r| r.officer.clone()),
                })
                .collect(),
            disclosure: d.into(),
            reviews: reviews.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `approve` or `flag`.
    pub outcome: String,
    /// Why: at least 10 characters someone else can follow.
    pub note: String,
}

/// Disclosures by period, partner, activity and legal basis, newest first.
#[utoipa::path(get, path = "/v1/audit/disclosures", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DisclosureFilter),
    responses((status = 200, body = [AuditDisclosureView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `unknown_legal_basis`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_disclosures(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<DisclosureFilter>,
) -> Result<Json<Vec<AuditDisclosureView>>, ApiError> {
    let found = find_disclosures(&state, &officer.into(), f, "/v1/audit/disclosures").await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// The disclosures `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find_disclosures(
    state: &AppState,
    officer: &Officer,
    f: DisclosureFilter,
    what: &str,
) -> Result<Vec<Disclosure>, ApiError> {
    let mut q = query(state, officer, f.from, f.to, f.partner, f.activity, f.limit)?;
    q.basis = f.basis.as_deref().map(legal_basis).transpose()?;
    let found = state.store.audit_disclosures(&q).await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found)
}

/// Decisions, newest first; `?outcome=deny` lists the refused requests with the vuistregels that
/// stopped each.
#[utoipa::path(get, path = "/v1/audit/decisions", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DecisionFilter),
    responses((status = 200, body = [AuditDecisionView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `unknown_outcome`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn audit_decisions(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<DecisionFilter>,
) -> Result<Json<Vec<AuditDecisionView>>, ApiError> {
    let found = find_decisions(&state, &officer.into(), f, "/v1/audit/decisions").await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// The decisions `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find_decisions(
    state: &AppState,
    officer: &Officer,
    f: DecisionFilter,
    what: &str,
) -> Result<Vec<DecisionRecord>, ApiError> {
    let mut q = query(state, officer, f.from, f.to, f.partner, f.activity, f.limit)?;
    q.outcome = match f.outcome.as_deref() {
        None => None,
        Some("permit") => Some(Outcome::Permit),
        Some("deny") => Some(Outcome::Deny),
        Some(_) => {
            return Err(
                ApiError::bad_request("unknown_outcome", "outcome: permit or deny").at("outcome"),
            );
        }
    };
    let found = state.store.audit_decisions(&q).await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found)
}

/// The review queue: disclosures made on a basis other than consent (legal obligation, vital
/// interest, public task), newest first; by default only those not yet reviewed.
#[utoipa::path(get, path = "/v1/audit/reviews", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(ReviewFilter),
    responses((status = 200, body = [ReviewItemView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_status`, `unknown_partner`, `unknown_activity`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn review_queue(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<ReviewFilter>,
) -> Result<Json<Vec<ReviewItemView>>, ApiError> {
    let found = find_reviews(&state, &officer.into(), f, "/v1/audit/reviews").await?;
    Ok(Json(
        found
            .into_iter()
            .map(|(d, reviews)| ReviewItemView::new(d, reviews))
            .collect(),
    ))
}

/// Over all organisations (`reviews` oldest first): `flagged` when any organisation's latest
/// review flags it, `approved` when every organisation that reviewed it approved, else `pending`.
pub fn review_status(reviews: &[Review]) -> &'static str {
    let latest = latest_per_organisation(reviews);
    if latest.iter().any(|r| r.outcome == ReviewOutcome::Flag) {
        "flagged"
    } else if latest.is_empty() {
        "pending"
    } else {
        "approved"
    }
}

/// `pending`, `approved` or `flagged` for one organisation's latest outcome.
pub fn verdict(latest: Option<ReviewOutcome>) -> &'static str {
    match latest {
        None => "pending",
        Some(ReviewOutcome::Approve) => "approved",
        Some(ReviewOutcome::Flag) => "flagged",
    }
}

/// Each party's latest review of `d`: the source, the recipient, then any other organisation that
/// reviewed it, in the order of their first review.
pub fn verdicts<'a>(
    d: &'a Disclosure,
    reviews: &'a [Review],
) -> Vec<(&'a str, Option<&'a Review>)> {
    let latest = latest_per_organisation(reviews);
    let mut parties: Vec<&str> = vec![d.source.as_str()];
    if d.recipient != d.source {
        parties.push(d.recipient.as_str());
    }
    for r in &latest {
        if !parties.contains(&r.officer_partner.as_str()) {
            parties.push(r.officer_partner.as_str());
        }
    }
    parties
        .into_iter()
        .map(|p| (p, latest.iter().copied().find(|r| r.officer_partner == p)))
        .collect()
}

/// The latest review of each organisation, in the order of their first review.
fn latest_per_organisation(reviews: &[Review]) -> Vec<&Review> {
    let mut latest: Vec<&Review> = Vec::new();
    for r in reviews {
        match latest
            .iter_mut()
            .find(|l| l.officer_partner == r.officer_partner)
        {
            Some(l) => *l = r,
            None => latest.push(r),
        }
    }
    latest
}

/// The disclosures on a basis other than consent that `officer` may see, with their reviews; the
/// read is recorded as one of `what`.
pub async fn find_reviews(
    state: &AppState,
    officer: &Officer,
    f: ReviewFilter,
    what: &str,
) -> Result<Vec<(Disclosure, Vec<Review>)>, ApiError> {
    let selection = match f.status.as_deref() {
        None | Some("pending") => ReviewSelection::NotYetReviewedBy(officer.partner.clone()),
        Some("flagged") => ReviewSelection::Flagged,
        Some("all") => ReviewSelection::All,
        Some(_) => {
            return Err(
                ApiError::bad_request("unknown_status", "status: pending, flagged or all")
                    .at("status"),
            );
        }
    };
    let q = query(state, officer, f.from, f.to, f.partner, f.activity, f.limit)?;
    let found = state.store.review_queue(&q, &selection).await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found)
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

/// Records `officer`'s review of disclosure `id`.
pub async fn add_review(
    state: &AppState,
    officer: &Officer,
    id: String,
    body: &ReviewRequest,
) -> Result<Review, ApiError> {
    let outcome = ReviewOutcome::parse(&body.outcome).ok_or_else(|| {
        ApiError::bad_request("unknown_outcome", "outcome: approve or flag").at("outcome")
    })?;
    let note = body.note.trim();
    if note.chars().count() < MIN_NOTE_CHARS || note.chars().count() > 2_000 {
        return Err(ApiError::bad_request(
            "invalid_note",
            format!("note: say why, in {MIN_NOTE_CHARS} to 2000 characters"),
        )
        .at("note"));
    }
    let review = Review {
        id: uuid::Uuid::now_v7().to_string(),
        disclosure_id: id,
        at: state.clock.now(),
        outcome,
        note: note.to_owned(),
        officer_partner: officer.partner.clone(),
        officer: officer.id.clone(),
    };
    if !state
        .store
        .insert_review(&review, officer.scope.as_deref())
        .await?
    {
        return Err(ApiError::not_found("disclosure under review"));
    }
    tracing::info!(
        disclosure_id = %review.disclosure_id,
        outcome = outcome.as_str(),
        officer_partner = %review.officer_partner,
        "disclosure reviewed"
    );
    Ok(review)
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeferralFilter {
    /// Disclosures from this time on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub partner: Option<String>,
    pub activity: Option<String>,
    pub limit: Option<u32>,
}

/// A disclosure whose notice to the Amsterdammer was deferred.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeferralView {
    pub disclosure: AuditDisclosureView,
    /// Until when the Amsterdammer is not shown the entry.
    pub until: DateTime<Utc>,
    /// Whether it is still held back now.
    pub hidden: bool,
    pub reason: String,
    /// The sender who deferred it (organisation, professional).
    pub set_by_partner: String,
    pub set_by: String,
    pub created_at: DateTime<Utc>,
    /// Set when a privacy officer shortened it.
    pub shortened: Option<ShortenedView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShortenedView {
    pub at: DateTime<Utc>,
    pub by_partner: String,
    pub by: String,
}

impl DeferralView {
    fn new(d: Disclosure, r: consent::DeferralRecord, now: DateTime<Utc>) -> Self {
        Self {
            disclosure: d.into(),
            until: r.deferral.until,
            hidden: r.deferral.until > now,
            reason: r.deferral.reason,
            set_by_partner: r.deferral.set_by_partner,
            set_by: r.deferral.set_by,
            created_at: r.created_at,
            shortened: r
                .shortened
                .map(|(at, by_partner, by)| ShortenedView { at, by_partner, by }),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortenRequest {
    /// The new end (RFC 3339): earlier than the current one; now or earlier shows the entry at once.
    pub until: DateTime<Utc>,
}

/// Every disclosure whose notice to the Amsterdammer was deferred (deferred notice, never
/// secrecy), newest first, with who deferred it, why, and until when.
#[utoipa::path(get, path = "/v1/audit/deferrals", tag = "audit", security(("partner_certificate" = [], "partner_token" = [])), params(DeferralFilter),
    responses((status = 200, body = [DeferralView]),
              (status = 400, body = ErrorBody, description = "`invalid_query`, `unknown_partner`, `unknown_activity`, `invalid_limit`"),
              (status = 403, body = ErrorBody, description = "`not_privacy_officer`")))]
pub async fn deferrals(
    State(state): State<AppState>,
    officer: PrivacyOfficer,
    ApiQuery(f): ApiQuery<DeferralFilter>,
) -> Result<Json<Vec<DeferralView>>, ApiError> {
    let found = find_deferrals(&state, &officer.into(), f, "/v1/audit/deferrals").await?;
    let now = state.clock.now();
    Ok(Json(
        found
            .into_iter()
            .map(|(d, r)| DeferralView::new(d, r, now))
            .collect(),
    ))
}

/// The deferred disclosures `officer` may see; the read is recorded as one of `what`.
pub async fn find_deferrals(
    state: &AppState,
    officer: &Officer,
    f: DeferralFilter,
    what: &str,
) -> Result<Vec<(Disclosure, consent::DeferralRecord)>, ApiError> {
    let q = query(state, officer, f.from, f.to, f.partner, f.activity, f.limit)?;
    let found = state.store.deferrals(&q).await?;
    record_read(state, officer, what, &q, found.len()).await?;
    Ok(found)
}

/// The most entries the console reads for its charts and anomalies.
pub const SCAN_LIMIT: u32 = 100_000;

/// Every disclosure and decision `officer` may see from `from` on (at most [`SCAN_LIMIT`] of
/// each, newest first), for the console's charts and anomalies; the read is recorded.
pub async fn scan(
    state: &AppState,
    officer: &Officer,
    from: DateTime<Utc>,
    what: &str,
) -> Result<(Vec<Disclosure>, Vec<DecisionRecord>), ApiError> {
    let q = AuditQuery {
        from: Some(from),
        organisation: officer.scope.clone(),
        limit: SCAN_LIMIT,
        ..AuditQuery::default()
    };
    let (disclosures, decisions) = tokio::try_join!(
        state.store.audit_disclosures(&q),
        state.store.audit_decisions(&q)
    )?;
    record_read(
        state,
        officer,
        what,
        &q,
        disclosures.len() + decisions.len(),
    )
    .await?;
    Ok((disclosures, decisions))
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

/// Brings the end of the deferral of disclosure `id` forward to `until` (now at the earliest).
pub async fn shorten(
    state: &AppState,
    officer: &Officer,
    id: &str,
    until: DateTime<Utc>,
) -> Result<(Disclosure, consent::DeferralRecord), ApiError> {
    let now = state.clock.now();
    let until = until.max(now);
    let by = (officer.partner.as_str(), officer.id.as_str());
    let Some(record) = state
        .store
        .shorten_deferral(id, until, by, now, officer.scope.as_deref())
        .await?
    else {
        return Err(ApiError::not_found(
            "deferral set by your organisation that ends later",
        ));
    };
    tracing::info!(disclosure_id = %id, officer_partner = by.0, "deferral shortened");
    let disclosure = state
        .store
        .disclosure(id)
        .await?
        .ok_or_else(|| ApiError::not_found("disclosure"))?;
    Ok((disclosure, record))
}

/// The filters every audit route shares, checked, within the officer's scope.
fn query(
    state: &AppState,
    officer: &Officer,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    partner: Option<String>,
    activity: Option<String>,
    limit: Option<u32>,
) -> Result<AuditQuery, ApiError> {
    if let Some(id) = &partner {
        parse::partner(&state.register, id).map_err(|e| e.at("partner"))?;
    }
    if let Some(id) = &activity {
        parse::activity(&state.register, id).map_err(|e| e.at("activity"))?;
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(
            ApiError::bad_request("invalid_limit", format!("limit: 1 to {MAX_LIMIT}")).at("limit"),
        );
    }
    Ok(AuditQuery {
        from,
        to,
        partner,
        activity,
        organisation: officer.scope.clone(),
        limit,
        ..AuditQuery::default()
    })
}

fn legal_basis(text: &str) -> Result<LegalBasis, ApiError> {
    LegalBasis::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_legal_basis",
            "basis: consent, legal_obligation, vital_interest or public_task",
        )
        .at("basis")
    })
}

/// Reading the audit API is itself recorded (who, what, which filters, how many rows).
pub(crate) async fn record_read(
    state: &AppState,
    officer: &Officer,
    what: &str,
    q: &AuditQuery,
    results: usize,
) -> Result<(), ApiError> {
    let read = AuditRead {
        at: state.clock.now(),
        officer_partner: officer.partner.clone(),
        officer: officer.id.clone(),
        what: what.to_owned(),
        query: describe(q),
        results: results as u64,
    };
    state.store.log_audit_read(&read).await?;
    tracing::info!(officer_partner = %read.officer_partner, what, results, "audit read");
    Ok(())
}

fn describe(q: &AuditQuery) -> String {
    let mut parts = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            parts.push(format!("{name}={value}"));
        }
    };
    add("from", q.from.map(|t| t.to_rfc3339()));
    add("to", q.to.map(|t| t.to_rfc3339()));
    add("partner", q.partner.clone());
    add("activity", q.activity.clone());
    add("basis", q.basis.map(|b| b.as_str().to_owned()));
    add("outcome", q.outcome.map(|o| o.as_str().to_owned()));
    add("scope", q.organisation.clone());
    add("limit", Some(q.limit.to_string()));
    parts.join("&")
}
