//! What privacy officers read, for the API (`/v1/audit/...`) and the console alike: who received what,
//! why and on which basis; which requests were denied and by which vuistregel; and the review queue
//! of disclosures made on a basis other than consent. An officer sees the traffic their own
//! organisation took part in unless their organisation is city-wide. Every read is itself recorded
//! (who looked, at what, with which filters), and so is every review.

use crate::auth::Officer;
use crate::contract::{DecisionFilter, DisclosureFilter};
use crate::contract::{DeferralFilter, ReviewFilter, ReviewRequest};
use crate::error::ApiError;
use crate::service::parse::{self, Page, one_more};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use consent::{
    AuditQuery, AuditRead, Cursor, DecisionRecord, Disclosure, Outcome, Review, ReviewOutcome,
    ReviewSelection,
};
use policies::LegalBasis;

pub use crate::contract::paging::MAX_LIMIT;

/// The shortest note a review takes: a reason someone else can follow.
const MIN_NOTE_CHARS: usize = 10;

/// The disclosures `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find_disclosures(
    state: &AppState,
    officer: &Officer,
    f: DisclosureFilter,
    what: &str,
) -> Result<Page<Disclosure>, ApiError> {
    let paging = (f.limit, f.cursor.as_deref(), List::Ledger);
    let mut q = query(state, officer, f.from, f.to, f.partner, f.activity, paging)?;
    q.basis = f.basis.as_deref().map(legal_basis).transpose()?;
    let found = state.store.audit_disclosures(&one_more(&q)).await?;
    let page = Page::of(found, q.limit, |d| Cursor::Ledger(d.log_index));
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page)
}

/// The decisions `officer` may see that match `f`; the read is recorded as one of `what`.
pub async fn find_decisions(
    state: &AppState,
    officer: &Officer,
    f: DecisionFilter,
    what: &str,
) -> Result<Page<DecisionRecord>, ApiError> {
    let paging = (f.limit, f.cursor.as_deref(), List::Decisions);
    let mut q = query(state, officer, f.from, f.to, f.partner, f.activity, paging)?;
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
    let found = state.store.audit_decisions(&one_more(&q)).await?;
    let page = Page::of(found, q.limit, |d| Cursor::Decision(d.at, d.id.clone()));
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page)
}

/// The disclosures on a basis other than consent that `officer` may see, with their reviews; the
/// read is recorded as one of `what`.
pub async fn find_reviews(
    state: &AppState,
    officer: &Officer,
    f: ReviewFilter,
    what: &str,
) -> Result<Page<(Disclosure, Vec<Review>)>, ApiError> {
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
    let paging = (f.limit, f.cursor.as_deref(), List::Ledger);
    let q = query(state, officer, f.from, f.to, f.partner, f.activity, paging)?;
    let found = state.store.review_queue(&one_more(&q), &selection).await?;
    let page = Page::of(found, q.limit, |(d, _)| Cursor::Ledger(d.log_index));
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page)
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

/// The deferred disclosures `officer` may see; the read is recorded as one of `what`.
pub async fn find_deferrals(
    state: &AppState,
    officer: &Officer,
    f: DeferralFilter,
    what: &str,
) -> Result<Page<(Disclosure, consent::DeferralRecord)>, ApiError> {
    let paging = (f.limit, f.cursor.as_deref(), List::Ledger);
    let q = query(state, officer, f.from, f.to, f.partner, f.activity, paging)?;
    let found = state.store.deferrals(&one_more(&q)).await?;
    let page = Page::of(found, q.limit, |(d, _)| Cursor::Ledger(d.log_index));
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page)
}

/// The most entries the console reads for its charts and anomalies.
const SCAN_LIMIT: u32 = 100_000;

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

/// Which list a cursor belongs to.
#[derive(Clone, Copy)]
enum List {
    /// Disclosures, by ledger index.
    Ledger,
    Decisions,
}

/// The filters every audit route shares, checked, within the officer's scope, with the page's
/// `limit` and `cursor` (of the list it must belong to).
fn query(
    state: &AppState,
    officer: &Officer,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    partner: Option<String>,
    activity: Option<String>,
    (limit, cursor, list): (Option<u32>, Option<&str>, List),
) -> Result<AuditQuery, ApiError> {
    if let Some(id) = &partner {
        parse::partner(&state.register(), id).map_err(|e| e.at("partner"))?;
    }
    if let Some(id) = &activity {
        parse::activity(&state.register(), id).map_err(|e| e.at("activity"))?;
    }
    let (limit, before) = parse::paging(limit, cursor)?;
    match (&before, list) {
        (None, _) | (Some(Cursor::Ledger(_)), List::Ledger) => {}
        (Some(Cursor::Decision(..)), List::Decisions) => {}
        _ => return Err(parse::foreign_cursor()),
    }
    Ok(AuditQuery {
        before,
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
pub async fn record_read(
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
    add(
        "cursor",
        q.before.as_ref().map(crate::contract::paging::encode),
    );
    parts.join("&")
}
