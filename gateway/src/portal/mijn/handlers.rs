//! The handlers of Mijn gegevens: read what a page shows (through the same store, decisions and
//! routes as the API), or carry out a form, and hand over to a view.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use consent::{Consent, Disclosure};
use serde::Deserialize;

use super::login::CsrfForm;
use super::names::party_name;
use super::views::{self, Home, Shown};
use super::{CONTROLE_JS, Lang, MIJN, Me, pages, texts};
use crate::portal::page::Page;
use crate::portal::{forbidden, see_other, unavailable};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct HomeQuery {
    ingetrokken: Option<String>,
    geweigerd: Option<String>,
    opgeheven: Option<String>,
    taal: Option<String>,
}

pub(super) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Query(q): Query<HomeQuery>,
) -> Response {
    let lang = Lang::of(&headers, q.taal.as_deref());
    let mut response = home_page(&state, &me, lang, &q).await;
    lang.keep(q.taal.as_deref(), &mut response);
    response
}

async fn home_page(state: &AppState, me: &Me, lang: Lang, q: &HomeQuery) -> Response {
    let now = state.clock.now();
    let subject = me.subject();
    let viewer = me.viewer();
    let (mut consents, mut disclosures, refusals, representations) = match tokio::try_join!(
        state.store.consents_of(subject),
        state.store.disclosures_of(subject),
        state.store.refusals_of(subject),
        state.store.representations_of(&me.own),
    ) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "the portal could not read the store");
            return unavailable(texts::UNREADABLE);
        }
    };
    // A representative sees what their role covers (as through the API).
    consents.retain(|c| viewer.covers(&state.register, &c.categories));
    disclosures.retain(|d| viewer.may_see(&state.register, d, now));
    let visible: Vec<&Disclosure> = disclosures.iter().filter(|d| d.shown_at(now)).collect();
    let mut shared = Vec::with_capacity(visible.len());
    for d in visible.into_iter().rev() {
        shared.push(shown(state, lang, d).await);
    }
    let rights = crate::routes::explain::rights_list();
    let t = lang.texts();
    let csrf = MIJN.csrf(state, &me.session);
    let home = Home {
        t,
        register: &state.register,
        csrf: &csrf,
        now,
        lapsed: me.lapsed,
        acting: me.acting.as_ref(),
        revoked: q
            .ingetrokken
            .as_deref()
            .filter(|id| consents.iter().any(|c| c.id == *id)),
        refused: q
            .geweigerd
            .as_deref()
            .and_then(|id| refusals.iter().find(|r| r.id == id)),
        lifted: q
            .opgeheven
            .as_deref()
            .filter(|id| refusals.iter().any(|r| r.id == *id)),
        consents: &consents,
        shared,
        refusals: &refusals,
        own: &me.own,
        representations: &representations,
        rights: rights
            .iter()
            .map(|r| match lang {
                Lang::Nl => r.nl.as_str(),
                Lang::En => r.en.as_str(),
            })
            .collect(),
    };
    Page::new(t.my_data)
        .lang(t.code)
        .script(CONTROLE_JS)
        .respond(StatusCode::OK, views::home(&home))
}

/// A disclosure explained, and whether it is proven in the public log.
async fn shown(state: &AppState, lang: Lang, d: &Disclosure) -> Shown {
    let checkpoint = state.log.latest().await.ok().flatten();
    let explained = crate::routes::explain::explain(d, &state.register);
    let proven = match &checkpoint {
        Some(cp) if cp.size > d.log_index => state
            .log
            .inclusion_proof(d.log_index, cp.size)
            .await
            .ok()
            .is_some_and(|p| {
                consent::merkle::verify_inclusion(
                    &d.leaf_hash,
                    d.log_index,
                    cp.size,
                    &p.path,
                    &cp.root,
                )
                .is_ok()
            }),
        _ => false,
    };
    Shown {
        id: d.id.clone(),
        log_index: d.log_index,
        explained: match lang {
            Lang::Nl => explained.nl,
            Lang::En => explained.en,
        },
        proven,
        on_consent: d.legal_basis == policies::LegalBasis::Consent,
    }
}

/// A consent of the person whose page this is, within a representative's role.
async fn my_consent(state: &AppState, me: &Me, id: &str) -> Option<Consent> {
    state.store.consent(id).await.ok().flatten().filter(|c| {
        c.subject == *me.subject() && me.viewer().covers(&state.register, &c.categories)
    })
}

pub(super) async fn confirm_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path(id): Path<String>,
) -> Response {
    let t = Lang::of(&headers, None).texts();
    let Some(c) = my_consent(&state, &me, &id).await else {
        return pages::not_yours(t);
    };
    let csrf = MIJN.csrf(&state, &me.session);
    pages::confirm_revoke(&state.register, t, &c, state.clock.now(), &csrf)
}

pub(super) async fn revoke(
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
    let Some(c) = my_consent(&state, &me, &id).await else {
        return pages::not_yours(t);
    };
    if me
        .viewer()
        .may_undo(&state.register, c.grantor == consent::Grantor::Subject)
        .is_err()
    {
        return pages::own_choice(t);
    }
    match crate::routes::consents::revoke(&state, &id, &me.viewer().actor()).await {
        Ok(_) => see_other(&format!("/mijn?ingetrokken={id}")),
        Err(e) if e.status == StatusCode::CONFLICT => see_other("/mijn"),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not revoke a consent");
            unavailable("Het intrekken is niet gelukt.")
        }
    }
}

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
    if state.register.party(&q.ontvanger).is_none() {
        return pages::unknown_organisation(t);
    }
    let name = party_name(&state.register, t, &q.ontvanger);
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
    let body = crate::routes::refusals::MyRefusalRequest {
        recipient: Some(form.ontvanger),
        category: None,
        activity: None,
        note: None,
    };
    match crate::routes::refusals::refuse_as(&state, me.viewer(), body).await {
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
    match crate::routes::refusals::withdraw(&state, me.viewer(), &id).await {
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
    use crate::routes::representations::{confirm_as_represented, end_as_person};
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

/// Everything held about the Amsterdammer (art. 15 AVG), the same file as `GET /v1/me/export`.
pub(super) async fn download(State(state): State<AppState>, me: Me) -> Response {
    match crate::routes::evidence::export(&state, me.viewer()).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not export");
            unavailable("Het downloaden is niet gelukt.")
        }
    }
}

/// The evidence bundle of one entry, the same file as `GET /v1/me/disclosures/{id}/bundle`.
pub(super) async fn evidence(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> Response {
    match crate::routes::evidence::bundle(&state, me.viewer(), &id).await {
        Ok(response) => response,
        Err(e) if e.status == StatusCode::NOT_FOUND => pages::no_such_entry(),
        Err(e) => {
            tracing::error!(
                code = e.code,
                "the portal could not build an evidence bundle"
            );
            unavailable("Het bewijs is nu niet te maken.")
        }
    }
}
