//! The web pages (issue 10), server-rendered, in plain Dutch, working without JavaScript:
//! - `/mijn` ([`mijn`]): Mijn gegevens, for the Amsterdammer;
//! - `/audit` ([`console`]): the console for privacy officers.
//!
//! Both use the same store, decisions and log as the API; nothing is computed twice. The
//! Amsterdammer signs in through the citizen identity provider, an officer through their
//! organisation's, both with OpenID Connect (`auth::oidc`); the demo has development logins instead
//! (`[portal] dev_login`, never in production).

pub(crate) mod anomalies;
pub(crate) mod charts;
pub(crate) mod console;
pub(crate) mod mijn;
pub(crate) mod page;
pub mod session;

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use ring::rand::SecureRandom as _;

use crate::state::AppState;
use page::Page;
use session::Session;

/// What a provider sends the browser back with.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The pages' routes (not part of the JSON API, so not in `/openapi.json`).
pub fn router() -> axum::Router<AppState> {
    mijn::router()
        .merge(console::router())
        .route("/mijn/{*rest}", axum::routing::any(no_such_page))
        .route("/audit/{*rest}", axum::routing::any(no_such_page))
}

/// A path under the pages that is no page: a page that says so (not the API's JSON).
async fn no_such_page() -> Response {
    Page::new("Pagina niet gevonden").respond(
        StatusCode::NOT_FOUND,
        html! {
            p { "Deze pagina bestaat niet." }
            p { a href="/mijn" { "Naar Mijn gegevens" } }
        },
    )
}

/// One kind of page: where it lives, its cookies, and the key its sessions are signed with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    /// Its sessions' area in the database: `mijn` or `audit`.
    pub name: &'static str,
    /// The path its cookies are scoped to, and its start page.
    pub home: &'static str,
    pub login: &'static str,
    pub session_cookie: &'static str,
    pub pre_session_cookie: &'static str,
    /// Carries an OpenID Connect login through the provider.
    pub flow_cookie: &'static str,
    /// What the key is derived for.
    pub key_label: &'static str,
}

impl Area {
    fn key(&self, state: &AppState) -> ring::hmac::Key {
        state.pseudonyms.derived_key(self.key_label)
    }

    /// How long its sessions last: without use, and at most.
    fn lifetimes(&self, state: &AppState) -> (chrono::Duration, chrono::Duration) {
        let (idle, max) = if self.name == "audit" {
            (
                state.audit.session_idle_minutes,
                state.audit.session_max_minutes,
            )
        } else {
            (
                state.portal.session_idle_minutes,
                state.portal.session_max_minutes,
            )
        };
        let minutes = |m: u32| chrono::Duration::minutes(i64::from(m.max(1)));
        (minutes(idle), minutes(max))
    }

    /// Who is signed in here, if anyone (else the page sends them to the login): a cookie with
    /// its signature, naming a session the database holds in force. Using it counts as activity.
    pub async fn signed_in(&self, state: &AppState, headers: &HeaderMap) -> Option<Session> {
        let value = session::cookie(headers, self.session_cookie)?;
        let digest = session::open(&self.key(state), value)?;
        let now = state.clock.now();
        let (idle, _) = self.lifetimes(state);
        match state
            .store
            .use_session(&digest, self.name, now, now - idle)
            .await
        {
            Ok(found) => found.map(|s| Session {
                principal: s.principal,
                until: s.expires_at,
                cookie: value.to_owned(),
                digest,
            }),
            Err(e) => {
                tracing::error!(error = %e, area = self.name, "a page session could not be read");
                None
            }
        }
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

    /// Starts a login at `provider`: a new flow in its cookie, and the browser sent there.
    pub async fn start_login(
        &self,
        state: &AppState,
        provider: &crate::auth::oidc::Provider,
        organisation: &str,
    ) -> Response {
        let flow = match crate::auth::oidc::Flow::new(organisation, state.clock.now()) {
            Ok(flow) => flow,
            Err(e) => {
                tracing::error!(error = %e, "no login flow");
                return unavailable("Inloggen kan nu niet.");
            }
        };
        match provider.authorization_url(&flow).await {
            Ok(url) => {
                let mut response = see_other(&url);
                let value = flow.seal(&self.key(state));
                let cookie = format!(
                    "{}={value}; Path={}; Max-Age=600; Secure; HttpOnly; SameSite=Lax",
                    self.flow_cookie, self.home
                );
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(SET_COOKIE, v);
                }
                response
            }
            Err(e) => {
                tracing::error!(error = %e, issuer = %provider.config.issuer, "the identity provider cannot be reached");
                unavailable("De inlogdienst is nu niet bereikbaar.")
            }
        }
    }

    /// Finishes a login at `pick(flow)`'s provider: checks the flow cookie and `state`, redeems the
    /// code, and gives the flow and the ID token's claims; `Err` is the page to show.
    pub async fn finish_login<'p>(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        answer: &CallbackQuery,
        pick: impl FnOnce(&crate::auth::oidc::Flow) -> Option<&'p crate::auth::oidc::Provider>,
    ) -> Result<(crate::auth::oidc::Flow, crate::auth::oidc::Claims), Response> {
        let refused = |why: &str| {
            tracing::info!(reason = why, "a login was refused");
            Page::new("Inloggen niet gelukt").respond(
                StatusCode::FORBIDDEN,
                html! {
                    p { "Het inloggen is niet gelukt of duurde te lang. Probeer het opnieuw." }
                    p { a href=(self.login) { "Opnieuw inloggen" } }
                },
            )
        };
        let flow = session::cookie(headers, self.flow_cookie)
            .and_then(|v| crate::auth::oidc::Flow::open(&self.key(state), v, state.clock.now()))
            .ok_or_else(|| refused("no login flow in progress"))?;
        if answer.state.as_deref() != Some(flow.state.as_str()) {
            return Err(refused("state does not match"));
        }
        if answer.error.is_some() {
            return Err(refused("the provider answered with an error"));
        }
        let code = answer.code.as_deref().ok_or_else(|| refused("no code"))?;
        let provider = pick(&flow).ok_or_else(|| refused("no provider for this login"))?;
        match provider.finish(&flow, code).await {
            Ok(claims) => Ok((flow, claims)),
            Err(e) => {
                tracing::info!(error = %e, issuer = %provider.config.issuer, "an ID token was refused");
                Err(refused("the ID token was refused"))
            }
        }
    }

    /// Starts a session for `principal` ending at `until` (the absolute lifetime when `None`):
    /// the cookie value and its lifetime in seconds; `Err` is the page to show.
    async fn start(
        &self,
        state: &AppState,
        principal: &str,
        until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(String, i64), Response> {
        let now = state.clock.now();
        let (_, max) = self.lifetimes(state);
        let expires_at = until.unwrap_or(now + max);
        let Some((value, id_digest)) = session::issue(&self.key(state)) else {
            return Err(unavailable("Inloggen kan nu niet."));
        };
        let stored = consent::PageSession {
            id_digest,
            area: self.name.to_owned(),
            principal: principal.to_owned(),
            created_at: now,
            expires_at,
        };
        if let Err(e) = state.store.start_session(&stored).await {
            tracing::error!(error = %e, area = self.name, "a page session could not be stored");
            return Err(unavailable("Inloggen kan nu niet."));
        }
        Ok((value, (expires_at - now).num_seconds().max(1)))
    }

    /// After a provider's redirect: the session cookie, and a page that moves on to the start page.
    /// (A `SameSite=Strict` cookie set at the end of a redirect chain that began on another site is
    /// not sent on a redirect, so the browser is moved on by this same-site page.)
    pub async fn signed_in_page(&self, state: &AppState, principal: &str) -> Response {
        let (value, max_age) = match self.start(state, principal, None).await {
            Ok(started) => started,
            Err(page) => return page,
        };
        let mut response = Page::new("Ingelogd").refresh(self.home).respond(
            StatusCode::OK,
            html! { p { "U bent ingelogd. " a href=(self.home) { "Verder" } } },
        );
        self.set(&mut response, self.session_cookie, &value, max_age);
        self.set(&mut response, self.flow_cookie, "", 0);
        response
    }

    /// Signs `principal` in: to the start page, with a new session cookie.
    pub async fn sign_in(&self, state: &AppState, principal: &str) -> Response {
        match self.start(state, principal, None).await {
            Ok((value, max_age)) => {
                let mut response = see_other(self.home);
                self.set(&mut response, self.session_cookie, &value, max_age);
                response
            }
            Err(page) => page,
        }
    }

    /// Replaces `me`'s session by one for `principal` that ends when `me`'s would have (acting for
    /// someone else does not lengthen a session).
    pub async fn switch(&self, state: &AppState, me: &Session, principal: &str) -> Response {
        if let Err(e) = state.store.end_session(&me.digest, state.clock.now()).await {
            tracing::error!(error = %e, area = self.name, "a page session could not be ended");
            return unavailable("Dat kan nu niet.");
        }
        match self.start(state, principal, Some(me.until)).await {
            Ok((value, max_age)) => {
                let mut response = see_other(self.home);
                self.set(&mut response, self.session_cookie, &value, max_age);
                response
            }
            Err(page) => page,
        }
    }

    /// Signs `me` out, on every replica: the session ended, the cookie cleared, to the login.
    pub async fn sign_out(&self, state: &AppState, me: &Session) -> Response {
        if let Err(e) = state.store.end_session(&me.digest, state.clock.now()).await {
            tracing::error!(error = %e, area = self.name, "a page session could not be ended");
            return unavailable("Uitloggen kan nu niet.");
        }
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
    Page::new("Niet toegestaan").say(
        StatusCode::FORBIDDEN,
        "Dit formulier is verlopen of kwam niet van deze website. Ga terug en probeer het opnieuw.",
    )
}

/// The store could not be read or written: say so, lose nothing.
pub(crate) fn unavailable(what: &str) -> Response {
    Page::new("Even niet beschikbaar").respond(
        StatusCode::SERVICE_UNAVAILABLE,
        html! { p { (what) " Probeer het later opnieuw." } },
    )
}
