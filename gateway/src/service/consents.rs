//! Toestemmingsverklaringen: record, amend, confirm, revoke, and which ones an organisation may
//! see. The terms are checked once (`service::terms`) whoever records them; every change is a
//! durable log entry, covered by a checkpoint at once, and told to the partners that subscribe.

use crate::auth::Professional;
use crate::contract::{
    AmendConsentRequest, ConsentChangeView, ConsentChangesView, ConsentView, RecordConsentRequest,
    RevokedView,
};
use crate::error::ApiError;
use crate::service::parse;
use crate::service::terms::Terms;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use consent::{Actor, Consent, NewConsent};

/// Stores `new` as the next version of `old`; `201` with it as stored, `409` if `old` is no longer
/// in force.
pub async fn amend(
    state: &AppState,
    old: &Consent,
    new: NewConsent,
) -> Result<ConsentView, ApiError> {
    let now = state.clock.now();
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state
        .store
        .amend_consent(&old.id, &id, &new, now)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("consent_ended",
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
    Ok(ConsentView::new(stored, now))
}

/// Stores a checked consent; `201` with it as stored.
pub async fn record(state: &AppState, new: NewConsent) -> Result<ConsentView, ApiError> {
    let now = state.clock.now();
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state.store.insert_consent(&id, &new, now).await?;
    tracing::info!(consent_id = %id, by = %new.recorded_by.party, confirmed = new.confirmed, "consent recorded");
    state.cover_consent_change().await;
    Ok(ConsentView::new(stored, now))
}

pub async fn consents_visible_to(
    state: &AppState,
    who: &Professional,
    subject_bsn: &str,
) -> Result<Vec<ConsentView>, ApiError> {
    let bsn = parse::bsn(subject_bsn)?;
    let now = state.clock.now();
    let consents = state
        .store
        .consents_of(&state.pseudonyms.subject(&bsn))
        .await?;
    Ok(consents
        .into_iter()
        .filter(|c| parse::visible_to(&state.register(), c, &who.partner))
        .map(|c| ConsentView::new(c, now))
        .collect())
}

/// How far the changes feed stays behind the clock: a revocation is stamped before it commits, so a
/// feed read right up to "now" could pass over one that commits a moment later.
const CHANGES_SETTLE_SECS: i64 = 5;

/// The most changes one page of the feed holds.
const CHANGES_PAGE: usize = 500;

/// Confirms `c` (already checked: the caller may confirm it).
pub async fn confirm(state: &AppState, c: Consent, by: &Actor) -> Result<ConsentView, ApiError> {
    let now = state.clock.now();
    if c.revoked_at.is_some() {
        return Err(ApiError::conflict(
            "consent_revoked",
            "this toestemmingsverklaring was revoked; a revocation is never undone: record a new one",
        ));
    }
    if c.ended() {
        return Err(ApiError::conflict(
            "consent_ended",
            "this toestemmingsverklaring was superseded or refused and covers nothing; record a new one",
        ));
    }
    if !c.awaits_confirmation() {
        return Ok(ConsentView::new(c, now));
    }
    if now >= c.valid_until {
        return Err(ApiError::conflict(
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
    Ok(ConsentView::new(confirmed, now))
}

pub async fn revoke(state: &AppState, id: &str, by: &Actor) -> Result<RevokedView, ApiError> {
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
        return Err(ApiError::conflict("consent_ended", message));
    };
    tracing::info!(consent_id = %id, by = %by.party, "consent revoked");
    state.cover_consent_change().await;
    if let Some(notifier) = &state.notifier {
        notifier.changed(&c).await;
    }
    Ok(RevokedView {
        id: c.id,
        status: "revoked".into(),
        revoked_at: Some(revoked_at),
    })
}

/// The use case behind `record_consent`.
pub async fn record_by_professional(
    state: &AppState,
    who: &Professional,
    body: RecordConsentRequest,
) -> Result<ConsentView, ApiError> {
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
    let checked = terms.check(state, Some(&who.partner.kind))?;
    let subject = state.pseudonyms.subject(&bsn);
    let grantor = checked
        .grantor_recorded(
            state,
            &subject,
            body.grantor.as_ref(),
            body.subject_birth_date,
        )
        .await?;
    let evidence = parse::evidence(body.evidence)?;
    let by = Actor::professional(&who.partner.id, &who.id);
    let new = checked.into_new_consent(subject, evidence, body.note, by, grantor);
    record(state, new).await
}

/// The use case behind `amend_consent`.
pub async fn amend_by_professional(
    state: &AppState,
    who: &Professional,
    old: &Consent,
    body: AmendConsentRequest,
) -> Result<ConsentView, ApiError> {
    let terms = Terms {
        recipients: &body.recipients,
        sources: body.sources.as_deref(),
        categories: &body.categories,
        activities: &body.activities,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        language: body.language.as_deref(),
    };
    let checked = terms.check(state, Some(&who.partner.kind))?;
    if !checked.is_active_at_once() {
        return Err(ApiError::refused(
            "not_a_recorder",
            format!(
                "a {} is not a listed consent recorder of every activity, so it cannot amend a consent; record a new one, which awaits confirmation",
                who.partner.kind
            ),
        ));
    }
    let grantor = checked
        .grantor_recorded(
            state,
            &old.subject,
            body.grantor.as_ref(),
            body.subject_birth_date,
        )
        .await?;
    let evidence = parse::evidence(body.evidence)?;
    let by = Actor::professional(&who.partner.id, &who.id);
    let new = checked.into_new_consent(old.subject.clone(), evidence, body.note, by, grantor);
    amend(state, old, new).await
}

/// The use case behind `expiring_consents`.
pub async fn expiring(
    state: &AppState,
    who: &Professional,
    within_days: Option<i64>,
) -> Result<Vec<ConsentView>, ApiError> {
    let days = within_days.unwrap_or(30);
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
    Ok(consents
        .into_iter()
        .filter(|c| parse::visible_to(&state.register(), c, &who.partner))
        .map(|c| ConsentView::new(c, now))
        .collect())
}

/// The use case behind `consent_changes`.
pub async fn changes(
    state: &AppState,
    who: &Professional,
    since: DateTime<Utc>,
) -> Result<ConsentChangesView, ApiError> {
    let now = state.clock.now();
    let settled = now - chrono::Duration::seconds(CHANGES_SETTLE_SECS);
    if since >= settled {
        return Ok(ConsentChangesView {
            changes: Vec::new(),
            until: since,
        });
    }
    let consents = state.store.consents_changed(since, settled).await?;
    let mut changes: Vec<ConsentChangeView> = consents
        .into_iter()
        .filter(|c| parse::visible_to(&state.register(), c, &who.partner))
        .filter_map(|c| {
            let (change, at) = c.ended_between(since, settled, now)?;
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
    Ok(ConsentChangesView { changes, until })
}

/// The use case behind `confirm_consent`.
pub async fn confirm_by_professional(
    state: &AppState,
    who: &Professional,
    c: Consent,
) -> Result<ConsentView, ApiError> {
    let register = state.register();
    let activities: Vec<_> = c
        .activities
        .iter()
        .filter_map(|a| register.activity(a))
        .collect();
    let listed = activities.len() == c.activities.len()
        && policies::may_confirm(&who.partner.kind, &activities);
    if c.awaits_confirmation() && !listed {
        return Err(ApiError::refused(
            "not_a_recorder",
            format!(
                "a {} is not a listed consent recorder of every activity of this consent; a listed recorder or the Amsterdammer must confirm it",
                who.partner.kind
            ),
        ));
    }
    confirm(state, c, &Actor::professional(&who.partner.id, &who.id)).await
}
