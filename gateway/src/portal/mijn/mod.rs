//! Mijn gegevens (issue 10, the Amsterdammer's part): server-rendered pages in plain Dutch (English
//! as a choice) that work without JavaScript. Who may receive what, and until when; every
//! disclosure with its explanation and whether it is proven in the public log (with JavaScript the
//! browser checks again, `controle.js`); revoking, and refusing, in one action with a confirmation
//! step; whom one represents and who represents one; the rights; everything held, and each entry's
//! evidence, as files. The pages use the same store, decisions and log as the API.
//!
//! Here: the router, the language and who is signed in; the handlers in [`handlers`],
//! [`choices`] and [`login`], the `maud` views in [`views`], [`sections`] and [`pages`], the texts
//! in [`texts`].
//!
//! Login: through the citizen identity provider (`[portal.oidc]`, OpenID Connect with PKCE); the
//! demo's development login has a field `BSN` (`[portal] dev_login`, never in production).

mod choices;
mod handlers;
mod login;
mod names;
mod pages;
mod sections;
mod texts;
mod views;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use consent::SubjectId;

use super::page::Page;
use super::session::Session;
use super::{Area, see_other, unavailable};
use crate::auth::Viewer;
use crate::state::AppState;
use texts::Texts;

/// The language of the pages: plain Dutch (B1) unless the Amsterdammer chose English (`?taal=en`,
/// kept in a cookie). Names and purposes from the register stay as registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Nl,
    En,
}

const LANG_COOKIE: &str = "taal";

impl Lang {
    /// The language asked for in `query` (`nl` or `en`), else the one kept in the cookie.
    fn of(headers: &HeaderMap, query: Option<&str>) -> Self {
        match query.or_else(|| super::session::cookie(headers, LANG_COOKIE)) {
            Some("en") => Lang::En,
            _ => Lang::Nl,
        }
    }

    /// The pages' texts in this language.
    fn texts(self) -> &'static Texts {
        match self {
            Lang::Nl => &texts::NL,
            Lang::En => &texts::EN,
        }
    }

    /// Keeps a choice made in the query in the cookie (a year; not a secret).
    fn keep(self, query: Option<&str>, response: &mut Response) {
        if query.is_some() {
            MIJN.set(response, LANG_COOKIE, self.texts().code, 365 * 24 * 3600);
        }
    }
}

/// The browser's own check of each entry's evidence (WebCrypto); see the file.
const CONTROLE_JS: &str = include_str!("../controle.js");

/// The Amsterdammer's pages; a session names them by pseudonym.
pub(crate) const MIJN: Area = Area {
    name: "mijn",
    home: "/mijn",
    login: "/mijn/login",
    session_cookie: "mijn_sessie",
    pre_session_cookie: "mijn_pre",
    flow_cookie: "mijn_oidc",
    key_label: "portal-session",
};

/// The portal's routes (not part of the JSON API, so not in `/openapi.json`).
pub fn router() -> axum::Router<AppState> {
    use choices::*;
    use handlers::*;
    axum::Router::new()
        .route("/mijn", get(home))
        .route("/mijn/login", get(login::login_page).post(login::login))
        .route("/mijn/login/digid", get(login::start_login))
        .route("/mijn/login/terug", get(login::finish_login))
        .route("/mijn/uitloggen", post(login::logout))
        .route(
            "/mijn/toestemmingen/{id}/intrekken",
            get(confirm_revoke).post(revoke),
        )
        .route("/mijn/weigeren", get(confirm_refusal).post(refuse))
        .route(
            "/mijn/vertegenwoordiging/{id}/{action}",
            post(change_representation),
        )
        .route("/mijn/weigeringen/{id}/opheffen", post(lift_refusal))
        .route("/mijn/namens", post(act_for))
        .route("/mijn/download", get(download))
        .route("/mijn/verstrekkingen/{id}/bewijs", get(evidence))
}

/// Whose page this is: the signed-in Amsterdammer's own, or that of someone they act for under a
/// representation in force (chosen on the page; the API's `On-Behalf-Of`). The session names the
/// own pseudonym, then a newline and the representation id while acting for someone.
struct Me {
    session: Session,
    own: SubjectId,
    acting: Option<consent::Representation>,
    /// The representation named in the session is no longer in force: back to one's own page.
    lapsed: bool,
}

impl Me {
    /// Whose data the page shows and changes.
    fn subject(&self) -> &SubjectId {
        self.acting.as_ref().map_or(&self.own, |r| &r.represented)
    }

    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            subject: self.subject(),
            acting: self.acting.as_ref(),
        }
    }

    /// Whether a form they posted carries their CSRF token.
    fn posted(&self, state: &AppState, csrf: &str) -> bool {
        MIJN.csrf_ok(state, &self.session, csrf)
    }
}

/// The signed-in Amsterdammer (and whom they act for), as a handler's argument; else the login, or
/// a page that says why not.
impl axum::extract::FromRequestParts<AppState> for Me {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        signed_in(state, &parts.headers).await.map_err(|to| *to)
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Me, Box<Response>> {
    let session = MIJN
        .signed_in(state, headers)
        .await
        .ok_or_else(|| Box::new(see_other("/mijn/login")))?;
    let (own, representation) = match session.principal.split_once('\n') {
        Some((own, id)) => (own.to_owned(), Some(id.to_owned())),
        None => (session.principal.clone(), None),
    };
    let own = SubjectId::from_stored(own);
    // The same limit per Amsterdammer as the API's.
    if state.limits.check_amsterdammer(own.as_str()).await.is_err() {
        let mut response =
            Page::new(texts::SLOW_DOWN_TITLE).say(StatusCode::TOO_MANY_REQUESTS, texts::SLOW_DOWN);
        response
            .headers_mut()
            .insert(RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        return Err(Box::new(response));
    }
    let acting = match &representation {
        Some(id) => crate::auth::acting_under(state, &own, id)
            .await
            .map_err(|e| {
                tracing::error!(code = e.code, "the portal could not read a representation");
                Box::new(unavailable(texts::UNREADABLE))
            })?,
        None => None,
    };
    Ok(Me {
        lapsed: representation.is_some() && acting.is_none(),
        session,
        own,
        acting,
    })
}
