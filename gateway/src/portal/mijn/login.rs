//! The handlers of signing in and out of Mijn gegevens: the citizen identity provider, or in
//! development a BSN typed in.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use policies::Bsn;
use serde::Deserialize;

use super::{Lang, MIJN, Me, pages};
use crate::portal::forbidden;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    bsn: String,
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    pub csrf: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct LangQuery {
    taal: Option<String>,
}

pub(super) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::of(&headers, q.taal.as_deref());
    if !state.portal.dev_login && state.logins.resident.is_none() {
        return pages::no_login(lang.texts());
    }
    let mut response = login_form(&state, lang, None, StatusCode::OK);
    lang.keep(q.taal.as_deref(), &mut response);
    response
}

/// The login page, with a new pre-session cookie its form's CSRF token is bound to.
fn login_form(state: &AppState, lang: Lang, problem: Option<&str>, status: StatusCode) -> Response {
    let Some((pre, csrf)) = MIJN.pre_session(state) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let dev = state.portal.dev_login.then_some(csrf.as_str());
    let digid = state.logins.resident.is_some();
    let mut response = pages::login(lang.texts(), problem, digid, dev, status);
    MIJN.set(&mut response, MIJN.pre_session_cookie, &pre, 600);
    response
}

pub(super) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !state.portal.dev_login {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !MIJN.login_csrf_ok(&state, &headers, &form.csrf) {
        return forbidden();
    }
    let Ok(bsn) = Bsn::parse(form.bsn.trim()) else {
        let lang = Lang::of(&headers, None);
        return login_form(
            &state,
            lang,
            Some(lang.texts().invalid_bsn),
            StatusCode::BAD_REQUEST,
        );
    };
    let subject = state.pseudonyms.subject(&bsn);
    MIJN.sign_in(&state, subject.as_str()).await
}

/// To the citizen identity provider.
pub(super) async fn start_login(State(state): State<AppState>) -> Response {
    let Some(provider) = &state.logins.resident else {
        return StatusCode::NOT_FOUND.into_response();
    };
    MIJN.start_login(&state, provider, "").await
}

/// Back from the citizen identity provider: the BSN from the ID token, signed in by pseudonym.
pub(super) async fn finish_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<crate::portal::CallbackQuery>,
) -> Response {
    let (_, claims) = match MIJN
        .finish_login(&state, &headers, &answer, |_| {
            state.logins.resident.as_ref()
        })
        .await
    {
        Ok(done) => done,
        Err(page) => return page,
    };
    let bsn = claims
        .get(&state.portal.bsn_claim)
        .and_then(|v| v.as_str())
        .and_then(|text| Bsn::parse(text).ok());
    let Some(bsn) = bsn else {
        tracing::info!(claim = %state.portal.bsn_claim, "the ID token carries no valid BSN");
        return pages::no_bsn();
    };
    MIJN.signed_in_page(&state, state.pseudonyms.subject(&bsn).as_str())
        .await
}

pub(super) async fn logout(
    State(state): State<AppState>,
    me: Me,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    MIJN.sign_out(&state, &me.session).await
}
