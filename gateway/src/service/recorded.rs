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

use crate::auth::Officer;
use crate::contract::RefusalView;
use crate::contract::{RecordedFilter, RecordedRefusalView, RecordedRepresentationView};
use crate::error::ApiError;
use crate::service::audit::record_read;
use crate::service::parse::{self, Page, one_more};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use consent::{AuditQuery, Cursor};

/// The representations `officer` may see that match `f`, a page of them; the read is recorded as
/// one of `what`.
pub async fn find(
    state: &AppState,
    officer: &Officer,
    f: RecordedFilter,
    what: &str,
) -> Result<Page<RecordedRepresentationView>, ApiError> {
    let now = state.clock.now();
    let q = query(officer, f, now)?;
    let found = state.store.recorded_representations(&one_more(&q)).await?;
    let page = Page::of(found, q.limit, |r| {
        Cursor::Recorded(r.representation.created_at, r.representation.id.clone())
    });
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page.map(|r| RecordedRepresentationView::new(r, now)))
}

/// The refusals `officer` may see that match `f`, a page of them; the read is recorded as one of
/// `what`.
pub async fn find_refusals(
    state: &AppState,
    officer: &Officer,
    f: RecordedFilter,
    what: &str,
) -> Result<Page<RecordedRefusalView>, ApiError> {
    let now = state.clock.now();
    let q = query(officer, f, now)?;
    let found = state.store.recorded_refusals(&one_more(&q)).await?;
    let page = Page::of(found, q.limit, |r| {
        Cursor::Recorded(r.created_at, r.id.clone())
    });
    record_read(state, officer, what, &q, page.items.len()).await?;
    Ok(page.map(|r| RecordedRefusalView {
        professional: r.professional.clone(),
        subject: r.subject.as_str().to_owned(),
        refusal: RefusalView::new(r, &state.register()),
    }))
}

/// The filter checked, within the officer's scope (as it is recorded with the read).
fn query(officer: &Officer, f: RecordedFilter, now: DateTime<Utc>) -> Result<AuditQuery, ApiError> {
    let (limit, before) = parse::paging(f.limit, f.cursor.as_deref())?;
    if !matches!(before, None | Some(Cursor::Recorded(..))) {
        return Err(parse::foreign_cursor());
    }
    Ok(AuditQuery {
        from: Some(f.from.unwrap_or(now - Duration::days(90))),
        organisation: officer.scope.clone(),
        limit,
        before,
        ..AuditQuery::default()
    })
}
