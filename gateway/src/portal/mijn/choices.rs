//! The handlers of the Amsterdammer's choices that are not about one consent: refusing a
//! recipient (with its confirmation step) and lifting a refusal, confirming or ending a
//! representation, and acting for someone one represents.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::login::CsrfForm;
use super::names::party_name;
use super::{Lang, MIJN, Me, pages, texts};
use crate::portal::{forbidden, see_other, unavailable};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct RefusalQuery {
    ontvanger: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RefusalForm {
    csrf: String,
    ontvanger: String,
}

/// The confirmation step before a refusal is recorded.
pub(super) async fn confirm_refusal(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Query(q): Query<RefusalQuery>,
) -> Response {
    let t = Lang::of(&headers, None).texts();
    if state.register().party(&q.ontvanger).is_none() {
        return pages::unknown_organisation(t);
    }
    let name = party_name(&state.register(), t, &q.ontvanger);
    let csrf = MIJN.csrf(&state, &me.session);
    pages::confirm_refusal(t, &q.ontvanger, &name, &csrf)
}

pub(super) async fn refuse(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Form(form): Form<RefusalForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let body = crate::contract::MyRefusalRequest {
        recipient: Some(form.ontvanger),
        category: None,
        activity: None,
        note: None,
    };
    match crate::service::refusals::refuse_as(&state, me.viewer(), body).await {
        Ok(r) => see_other(&format!("/mijn?geweigerd={}", r.id)),
        Err(e) if e.code == "outside_representation" => {
            pages::outside_role(Lang::of(&headers, None).texts())
        }
        Err(e) if e.status.is_client_error() => pages::failed(&e.message, e.status),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not record a refusal");
            unavailable("Het vastleggen is niet gelukt.")
        }
    }
}

pub(super) async fn lift_refusal(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let t = Lang::of(&headers, None).texts();
    match crate::service::refusals::withdraw(&state, me.viewer(), &id).await {
        Ok(_) => see_other(&format!("/mijn?opgeheven={id}")),
        Err(e) if e.status == StatusCode::NOT_FOUND => pages::not_yours(t),
        Err(e) if e.code == "outside_representation" => pages::outside_role(t),
        Err(e) if e.code == "own_choice" => pages::own_choice(t),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not withdraw a refusal");
            unavailable("Het opheffen is niet gelukt.")
        }
    }
}

/// A change to a representation, always as the signed-in person themselves: `bevestigen`, the
/// person represented confirms it; `beeindigen`, either person ends it (the person represented
/// contests it, or the representative stops acting).
pub(super) async fn change_representation(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let t = Lang::of(&headers, None).texts();
    use crate::service::representations::{confirm_as_represented, end_as_person};
    let done = match action.as_str() {
        "bevestigen" => confirm_as_represented(&state, &me.own, &id).await,
        "beeindigen" => end_as_person(&state, &me.own, &id).await,
        _ => return pages::not_yours(t),
    };
    match done {
        Ok(_) => see_other("/mijn"),
        Err(e) if e.status == StatusCode::CONFLICT => see_other("/mijn"),
        Err(e) if e.status == StatusCode::NOT_FOUND => pages::not_yours(t),
        Err(e) => {
            tracing::error!(
                code = e.code,
                "the portal could not change a representation"
            );
            unavailable("Het is niet gelukt.")
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ActForForm {
    csrf: String,
    /// A representation id; empty: oneself again.
    vertegenwoordiging: String,
}

/// Acts for the person of a representation in force (or for oneself again): the session says so.
pub(super) async fn act_for(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Form(form): Form<ActForForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let id = form.vertegenwoordiging.trim();
    if id.is_empty() {
        return MIJN.switch(&state, &me.session, me.own.as_str()).await;
    }
    match crate::auth::acting_under(&state, &me.own, id).await {
        Ok(Some(r)) => {
            tracing::info!(representation_id = %r.id, "acting for a represented person");
            MIJN.switch(
                &state,
                &me.session,
                &format!("{}\n{}", me.own.as_str(), r.id),
            )
            .await
        }
        Ok(None) => pages::not_yours(Lang::of(&headers, None).texts()),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not read a representation");
            unavailable(texts::UNREADABLE)
        }
    }
}
