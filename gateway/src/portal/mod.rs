//! The web pages (issue 10), server-rendered, in plain Dutch, working without JavaScript:
//! - `/mijn` ([`mijn`]): Mijn gegevens, for the Amsterdammer;
//! - `/audit` ([`console`]): the console for privacy officers.
//!
//! Both use the same store, decisions and log as the API; nothing is computed twice. Both sign in
//! through the demo's development login (`[portal] dev_login`, never in production); the identity
//! providers' OpenID Connect flows are not built yet.

pub(crate) mod anomalies;
pub(crate) mod charts;
pub(crate) mod console;
pub(crate) mod mijn;
pub(crate) mod page;
pub mod session;

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ring::rand::SecureRandom as _;

use crate::state::AppState;
use page::Page;
use session::Session;

/// The pages' routes (not part of the JSON API, so not in `/openapi.json`).
pub fn router() -> axum::Router<AppState> {
    mijn::router().merge(console::router())
}

/// One kind of page: where it lives, its cookies, and the key its sessions are signed with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    /// The path its cookies are scoped to, and its start page.
    pub home: &'static str,
    pub login: &'static str,
    pub session_cookie: &'static str,
    pub pre_session_cookie: &'static str,
    /// What the key is derived for.
    pub key_label: &'static str,
}

impl Area {
    fn key(&self, state: &AppState) -> ring::hmac::Key {
        state.pseudonyms.derived_key(self.key_label)
    }

    /// Who is signed in here, if anyone (else the page sends them to the login).
    pub fn signed_in(&self, state: &AppState, headers: &HeaderMap) -> Option<Session> {
        session::cookie(headers, self.session_cookie)
            .and_then(|value| session::open(&self.key(state), value, state.clock.now()))
    }

    /// The CSRF token for the forms shown to `me`.
    pub fn csrf(&self, state: &AppState, me: &Session) -> String {
        session::csrf_token(&self.key(state), &me.cookie)
    }

    /// Whether a form posted by `me` carries their CSRF token.
    pub fn csrf_ok(&self, state: &AppState, me: &Session, token: &str) -> bool {
        session::csrf_ok(&self.key(state), &me.cookie, token)
    }

    /// A login form's CSRF token, bound to a new pre-session cookie set on the response.
    pub fn pre_session(&self, state: &AppState) -> Option<(String, String)> {
        let mut nonce = [0u8; 16];
        ring::rand::SystemRandom::new().fill(&mut nonce).ok()?;
        let pre = hex::encode(nonce);
        let csrf = session::csrf_token(&self.key(state), &pre);
        Some((pre, csrf))
    }

    /// Whether a login form came with the CSRF token of its pre-session cookie.
    pub fn login_csrf_ok(&self, state: &AppState, headers: &HeaderMap, token: &str) -> bool {
        let pre = session::cookie(headers, self.pre_session_cookie).unwrap_or_default();
        !pre.is_empty() && session::csrf_ok(&self.key(state), pre, token)
    }

    /// Signs `principal` in: to the start page, with a new session cookie.
    pub fn sign_in(&self, state: &AppState, principal: &str) -> Response {
        let value = session::issue(&self.key(state), principal, state.clock.now());
        let mut response = see_other(self.home);
        self.set(
            &mut response,
            self.session_cookie,
            &value,
            session::SESSION_MINUTES * 60,
        );
        response
    }

    /// Signs out: to the login, the session cookie cleared.
    pub fn sign_out(&self) -> Response {
        let mut response = see_other(self.login);
        self.set(&mut response, self.session_cookie, "", 0);
        response
    }

    /// Sets cookie `name` on `response` (see [`session::set_cookie`]).
    pub fn set(&self, response: &mut Response, name: &str, value: &str, max_age_secs: i64) {
        if let Ok(v) =
            HeaderValue::from_str(&session::set_cookie(name, value, self.home, max_age_secs))
        {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(to) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, to);
    }
    response
}

/// A form without its CSRF token (or with another session's).
pub(crate) fn forbidden() -> Response {
    Page::new("Niet toegestaan")
        .paragraph("Dit formulier is verlopen of kwam niet van deze website. Ga terug en probeer het opnieuw.")
        .respond(StatusCode::FORBIDDEN)
}

/// The store could not be read or written: say so, lose nothing.
pub(crate) fn unavailable(what: &str) -> Response {
    Page::new("Even niet beschikbaar")
        .paragraph(&format!("{what} Probeer het later opnieuw."))
        .respond(StatusCode::SERVICE_UNAVAILABLE)
}
