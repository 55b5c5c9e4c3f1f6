//! Refusals (weigeringen, issue 8): the Amsterdammer, or a professional on their behalf, records
//! "never to this partner or kind of partner / this data category / this processing activity". A
//! refusal beats any toestemmingsverklaring (`policies::RefusalRule`); a request it stops is `403
//! denied` naming it. The Amsterdammer withdraws a refusal; a representative only one the person
//! did not record themselves (unless the register lets the role); the organisation that recorded a
//! refusal may lift that one (`POST /v1/refusals/{id}/withdraw`). The refusal keeps who recorded
//! and who withdrew it.

use crate::auth::{Professional, Viewer};
use crate::contract::{
    MyRefusalRequest, RecordRefusalRequest, RefusalView, WithdrawRefusalRequest, refusal_rule,
};
use crate::error::ApiError;
use crate::service::parse;
use crate::state::AppState;
use consent::{Actor, NewRefusal, Refusal, SubjectId};
use policies::{RefusalRule, Register};

/// The longest note a refusal keeps.
const MAX_NOTE: usize = 2000;

/// The refusals in force for `subject`, as `decide` takes them.
pub async fn rules_of(state: &AppState, subject: &SubjectId) -> Result<Vec<RefusalRule>, ApiError> {
    Ok(state
        .store
        .refusals_of(subject)
        .await?
        .iter()
        .filter(|r| r.withdrawn_at.is_none())
        .map(|r| refusal_rule(&state.register(), r))
        .collect())
}

/// A refusal recorded on Mijn gegevens: by the Amsterdammer, or their representative within their role.
pub async fn refuse_as(
    state: &AppState,
    viewer: Viewer<'_>,
    body: MyRefusalRequest,
) -> Result<RefusalView, ApiError> {
    let new = checked(
        &state.register(),
        viewer.subject.clone(),
        body,
        viewer.actor(),
    )?;
    representative_may_act_on(state, viewer, &new.category)?;
    record(state, new).await
}

/// Withdraws refusal `id` of `viewer.subject`, if it is theirs and within a representative's role.
pub async fn withdraw(
    state: &AppState,
    viewer: Viewer<'_>,
    id: &str,
) -> Result<RefusalView, ApiError> {
    let mine = find(state, viewer.subject, id).await?;
    representative_may_act_on(state, viewer, &mine.category)?;
    viewer.may_undo(&state.register(), mine.representation.is_none())?;
    let by = match viewer.acting {
        None => consent::AMSTERDAMMER.to_owned(),
        Some(r) => format!("{}/{}", consent::AMSTERDAMMER, r.id),
    };
    withdrawn(state, id, &by).await
}

/// Refusal `id`, if it is about `subject`.
async fn find(state: &AppState, subject: &SubjectId, id: &str) -> Result<Refusal, ApiError> {
    state
        .store
        .refusals_of(subject)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("refusal"))
}

async fn withdrawn(state: &AppState, id: &str, by: &str) -> Result<RefusalView, ApiError> {
    let withdrawn = state
        .store
        .withdraw_refusal(id, by, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("refusal"))?;
    tracing::info!(refusal_id = %id, "refusal withdrawn");
    Ok(RefusalView::new(withdrawn, &state.register()))
}

/// A representative whose role covers only some categories (a mentor, a bewindvoerder) records and
/// withdraws only refusals of a category it covers: a refusal without one reaches further.
fn representative_may_act_on(
    state: &AppState,
    me: Viewer<'_>,
    category: &Option<String>,
) -> Result<(), ApiError> {
    match (me.acting, category) {
        (None, _) => Ok(()),
        (Some(_), Some(c)) => me.must_cover(&state.register(), [c]),
        (Some(r), None) if r.role.covers_all() => Ok(()),
        (Some(r), None) => Err(ApiError::refused(
            "outside_representation",
            format!(
                "a {} acts for this person only on some categories: name one",
                r.role.as_str()
            ),
        )
        .at("category")),
    }
}

/// Checks a refusal's terms against the register.
fn checked(
    register: &Register,
    subject: SubjectId,
    body: MyRefusalRequest,
    recorded_by: Actor,
) -> Result<NewRefusal, ApiError> {
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (recipient, category, activity) = (
        blank(body.recipient),
        blank(body.category),
        blank(body.activity),
    );
    if recipient.is_none() && category.is_none() && activity.is_none() {
        return Err(ApiError::bad_request(
            "refusal_empty",
            "a refusal names at least one of recipient (a partner or kind of partner), category or activity",
        ));
    }
    if let Some(name) = &recipient
        && register.party(name).is_none()
    {
        return Err(ApiError::bad_request(
            "unknown_partner",
            format!(
                "recipient: '{name}' is neither a partner nor a kind of partner in the register"
            ),
        ));
    }
    if let Some(name) = &category {
        parse::categories(register, std::slice::from_ref(name))?;
    }
    if let Some(id) = &activity {
        parse::activity(register, id)?;
    }
    if body
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE)
    {
        return Err(ApiError::bad_request(
            "invalid_note",
            format!("note: at most {MAX_NOTE} characters"),
        ));
    }
    Ok(NewRefusal {
        subject,
        recipient,
        category,
        activity,
        note: body.note,
        recorded_by,
    })
}

async fn record(state: &AppState, new: NewRefusal) -> Result<RefusalView, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state
        .store
        .insert_refusal(&id, &new, state.clock.now())
        .await?;
    tracing::info!(refusal_id = %id, by = %new.recorded_by.party, "refusal recorded");
    Ok(RefusalView::new(stored, &state.register()))
}

/// The use case behind `record_refusal`.
pub async fn record_for(
    state: &AppState,
    who: &Professional,
    body: RecordRefusalRequest,
) -> Result<RefusalView, ApiError> {
    let bsn = parse::bsn(&body.subject_bsn)?;
    let subject = state.pseudonyms.subject(&bsn);
    if !crate::service::representations::takes_part_in_care(state, &who.partner, &subject).await? {
        return Err(ApiError::refused("no_part_in_care",
            "your organisation has no part in this resident's care (no consent naming it, no delivery about them), so it records no refusal for them",
        )
        .at("subject_bsn"));
    }
    let new = checked(
        &state.register(),
        subject,
        MyRefusalRequest {
            recipient: body.recipient,
            category: body.category,
            activity: body.activity,
            note: body.note,
        },
        Actor::professional(&who.partner.id, &who.id),
    )?;
    record(state, new).await
}

/// The use case behind `withdraw_recorded_refusal`.
pub async fn withdraw_recorded(
    state: &AppState,
    who: &Professional,
    id: &str,
    body: WithdrawRefusalRequest,
) -> Result<RefusalView, ApiError> {
    let bsn = parse::bsn(&body.subject_bsn)?;
    let subject = state.pseudonyms.subject(&bsn);
    let found = find(state, &subject, id).await?;
    if found.recorded_by_partner != who.partner.id {
        return Err(ApiError::refused(
            "not_the_recorder",
            "only the Amsterdammer, or the organisation that recorded this refusal, withdraws it",
        ));
    }
    let by = crate::service::representations::professional_ref(who);
    withdrawn(state, id, &by).await
}
