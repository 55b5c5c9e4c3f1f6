//! The handlers of Mijn gegevens: read what a page shows (through the same store, decisions and
//! routes as the API), or carry out a form, and hand over to a view.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use consent::{Consent, Cursor, Disclosure, Seek};
use serde::Deserialize;

use super::login::CsrfForm;
use super::views::{self, Home, Shown};
use super::{CONTROLE_JS, Lang, MIJN, Me, pages, texts};
use crate::portal::page::Page;
use crate::portal::{forbidden, see_other, unavailable};
use crate::service::parse::Page as Entries;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct HomeQuery {
    ingetrokken: Option<String>,
    geweigerd: Option<String>,
    opgeheven: Option<String>,
    taal: Option<String>,
    /// Show the entries older than this ledger index (the link under the newest).
    ouder: Option<String>,
}

/// The disclosures one page of Mijn gegevens shows, newest first.
const SHOWN_AT_ONCE: u32 = 50;

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
    let before = q.ouder.as_deref().and_then(|i| i.parse::<u64>().ok());
    let (mut consents, disclosures, refusals, representations) = match tokio::try_join!(
        state.store.consents_of(subject),
        state
            .store
            .disclosures_page(subject, Seek::NewestBefore(before), SHOWN_AT_ONCE + 1),
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
    consents.retain(|c| viewer.covers(&state.register(), &c.categories));
    let mut page = Entries::of(disclosures, SHOWN_AT_ONCE, |d| Cursor::Ledger(d.log_index));
    page.items
        .retain(|d| viewer.may_see(&state.register(), d, now) && d.shown_at(now));
    let checkpoint = state.log.latest().await.ok().flatten();
    let mut shared = Vec::with_capacity(page.items.len());
    for d in &page.items {
        shared.push(shown(state, checkpoint.as_ref(), lang, d).await);
    }
    let older = match page.next {
        Some(Cursor::Ledger(index)) => Some(index),
        _ => None,
    };
    let rights = crate::contract::rights_list();
    let t = lang.texts();
    let csrf = MIJN.csrf(state, &me.session);
    let home = Home {
        t,
        register: &state.register(),
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
        older,
        paged: before.is_some(),
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
async fn shown(
    state: &AppState,
    checkpoint: Option<&consent::StoredCheckpoint>,
    lang: Lang,
    d: &Disclosure,
) -> Shown {
    let explained = crate::contract::explain(d, &state.register());
    let proven = match checkpoint {
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
        c.subject == *me.subject() && me.viewer().covers(&state.register(), &c.categories)
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
    pages::confirm_revoke(&state.register(), t, &c, state.clock.now(), &csrf)
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
        .may_undo(&state.register(), c.grantor == consent::Grantor::Subject)
        .is_err()
    {
        return pages::own_choice(t);
    }
    match crate::service::consents::revoke(&state, &id, &me.viewer().actor()).await {
        Ok(_) => see_other(&format!("/mijn?ingetrokken={id}")),
        Err(e) if e.status == StatusCode::CONFLICT => see_other("/mijn"),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not revoke a consent");
            unavailable("Het intrekken is niet gelukt.")
        }
    }
}

/// Everything held about the Amsterdammer (art. 15 AVG), the same file as `GET /v1/me/export`.
pub(super) async fn download(State(state): State<AppState>, me: Me) -> Response {
    match crate::service::export::export(&state, me.viewer()).await {
        Ok(export) => crate::json::streamed_attachment(export, "mijn-gegevens.json"),
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
    match crate::service::evidence::bundle(&state, me.viewer(), &id).await {
        Ok(bundle) => crate::json::attachment(&bundle, &format!("bewijs-{id}.json")),
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
