//! Signing in and out of the console: the organisation's own identity provider, or in development
//! an organisation picked from the register. Handlers, and the login page's view.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{CONSOLE, CsrfForm, partner_name};
use crate::portal::page::{Page, alert};
use crate::portal::{forbidden, see_other};
use crate::state::AppState;

/// The officer id the development login signs in as.
const DEV_OFFICER: &str = "functionaris-ontwikkellogin";

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    organisatie: String,
    csrf: String,
}

pub(super) async fn login_page(State(state): State<AppState>) -> Response {
    if !state.portal.dev_login && state.logins.officers.is_empty() {
        return Page::new("Inloggen").say(
            StatusCode::NOT_FOUND,
            "Inloggen via de eigen organisatie is nog niet ingericht voor deze omgeving.",
        );
    }
    login_form(&state, None, StatusCode::OK)
}

/// The login page, with a new pre-session cookie its form's CSRF token is bound to.
fn login_form(state: &AppState, problem: Option<&str>, status: StatusCode) -> Response {
    let Some((pre, csrf)) = CONSOLE.pre_session(state) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let register = state.register();
    let options = |ids: &mut dyn Iterator<Item = &String>| -> Markup {
        html! {
            @for p in ids.filter_map(|id| register.partner(id)) {
                option value=(p.id) { (p.name) " (" (p.id) ")" }
            }
        }
    };
    // With the development login beside it, the choice of provider gets a label of its own.
    let (id, label) = if state.portal.dev_login {
        ("inlogdienst", "Inlogdienst")
    } else {
        ("organisatie", "Organisatie")
    };
    let body = html! {
        @if let Some(problem) = problem {
            (alert(problem))
        }
        @if !state.logins.officers.is_empty() {
            p { "Kies uw organisatie; u logt in via de inlogdienst van uw organisatie." }
            form method="get" action="/audit/login/organisatie" {
                label for=(id) { (label) }
                select id=(id) name="organisatie" required {
                    (options(&mut state.logins.officers.keys()))
                }
                button type="submit" { "Inloggen" }
            }
        }
        @if state.portal.dev_login {
            p {
                "Ontwikkelomgeving: kies de organisatie waarvoor u als privacy officer inlogt. \
                 In het echt logt u in via uw eigen organisatie."
            }
            form method="post" action="/audit/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="organisatie" { "Organisatie" }
                select id="organisatie" name="organisatie" required {
                    (options(&mut state.register().partners.iter().map(|p| &p.id)))
                }
                button type="submit" { "Inloggen" }
            }
        }
    };
    let mut response = Page::new("Inloggen voor privacy officers").respond(status, body);
    CONSOLE.set(&mut response, CONSOLE.pre_session_cookie, &pre, 600);
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
    if !CONSOLE.login_csrf_ok(&state, &headers, &form.csrf) {
        return forbidden();
    }
    let organisation = form.organisatie.trim();
    if state.register().partner(organisation).is_none() {
        return login_form(
            &state,
            Some("Deze organisatie staat niet in het register."),
            StatusCode::BAD_REQUEST,
        );
    }
    tracing::info!(
        officer_partner = organisation,
        "officer signed in (development login)"
    );
    CONSOLE
        .sign_in(&state, &format!("{organisation}\n{DEV_OFFICER}"))
        .await
}

#[derive(Debug, Deserialize)]
pub(super) struct OrganisationQuery {
    organisatie: String,
}

/// To the chosen organisation's identity provider.
pub(super) async fn start_login(
    State(state): State<AppState>,
    Query(q): Query<OrganisationQuery>,
) -> Response {
    let Some(provider) = state.logins.officers.get(&q.organisatie) else {
        return login_form(
            &state,
            Some("Voor deze organisatie is geen inlogdienst ingericht."),
            StatusCode::BAD_REQUEST,
        );
    };
    CONSOLE.start_login(&state, provider, &q.organisatie).await
}

/// Back from an organisation's identity provider: the officer is the token's `sub`, for the
/// organisation the login began for, if a role claim says `privacy_officer` and, where
/// `[audit] organisation_claim` is set, that claim names the organisation.
pub(super) async fn finish_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<crate::portal::CallbackQuery>,
) -> Response {
    let (flow, claims) = match CONSOLE
        .finish_login(&state, &headers, &answer, |flow| {
            state.logins.officers.get(&flow.organisation)
        })
        .await
    {
        Ok(done) => done,
        Err(page) => return page,
    };
    let officer = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if officer.is_empty()
        || officer.chars().count() > crate::auth::tokens::MAX_SUBJECT_CHARS
        || officer
            .chars()
            .any(|c| c.is_control() || crate::auth::tokens::is_invisible_format(c))
        || !crate::auth::oidc::claim_has(
            &claims,
            &state.audit.role_claim,
            crate::auth::PRIVACY_OFFICER_ROLE,
        )
    {
        tracing::info!(officer_partner = %flow.organisation, "a login without the privacy officer role was refused");
        return Page::new("Geen toegang").say(
            StatusCode::FORBIDDEN,
            "U bent ingelogd, maar uw organisatie heeft u niet als privacy officer aangemerkt.",
        );
    }
    if let Some(claim) = &state.audit.organisation_claim
        && !crate::auth::oidc::claim_has(&claims, claim, &flow.organisation)
    {
        tracing::info!(officer_partner = %flow.organisation, "a login for another organisation than the ID token names was refused");
        return Page::new("Geen toegang").respond(
            StatusCode::FORBIDDEN,
            html! {
                p {
                    "U bent ingelogd, maar niet als medewerker van "
                    (partner_name(&state, &flow.organisation))
                    ". Log in via de inlogdienst van uw eigen organisatie."
                }
            },
        );
    }
    tracing::info!(officer_partner = %flow.organisation, "officer signed in");
    CONSOLE
        .signed_in_page(&state, &format!("{}\n{officer}", flow.organisation))
        .await
}

pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some(me) = CONSOLE.signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    if !CONSOLE.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    CONSOLE.sign_out(&state, &me).await
}
