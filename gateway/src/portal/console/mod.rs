//! The privacy officers' console, `/audit` (issue 10): the same audit reads and reviews as the API
//! (`routes::audit`), as pages. An overview (the ledger's integrity, anomalies, charts of
//! disclosures per week per partner and per legal basis); disclosures with filters and a CSV
//! export; refused requests with the vuistregels that stopped them; the review queue of
//! disclosures on a basis other than consent (approve or flag, with a note, itself recorded);
//! deferred entries. An officer sees their own organisation's traffic unless it is city-wide
//! (`[audit] city_wide`); every read is recorded, as through the API.
//!
//! Here: the router, who is signed in, and the frame of every page; the handlers in [`handlers`]
//! and [`login`], the `maud` views in [`views`] and [`review_views`], the filters in [`filter`],
//! the CSV in [`csv`].
//!
//! Login: through the organisation's own OpenID Connect provider (`[audit.oidc.<partner id>]`, a
//! role claim must say `privacy_officer`); the demo's development login has a field `Organisatie`
//! (`[portal] dev_login`, never in production).

mod csv;

pub(crate) use csv::csv_cell;
mod filter;
mod handlers;
mod login;
mod representations;
mod review_views;
mod views;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::anomalies::local;
use super::page::{Page, alert};
use super::session::Session;
use super::{Area, unavailable};
use crate::auth::Officer;
use crate::error::ApiError;
use crate::state::AppState;

/// The officers' pages; a session names the organisation and the officer.
pub(crate) const CONSOLE: Area = Area {
    name: "audit",
    home: "/audit",
    login: "/audit/login",
    session_cookie: "audit_sessie",
    pre_session_cookie: "audit_pre",
    flow_cookie: "audit_oidc",
    key_label: "console-session",
};

/// Rows per page in the tables.
const ROWS: u32 = 200;

const NAV: [(&str, &str); 6] = [
    ("/audit", "Overzicht"),
    ("/audit/verstrekkingen", "Verstrekkingen"),
    ("/audit/weigeringen", "Weigeringen"),
    ("/audit/beoordelen", "Te beoordelen"),
    ("/audit/uitgesteld", "Uitgesteld"),
    (representations::PATH, "Vertegenwoordigingen"),
];

pub fn router() -> axum::Router<AppState> {
    use handlers::*;
    axum::Router::new()
        .route("/audit", get(overview))
        .route("/audit/login", get(login::login_page).post(login::login))
        .route("/audit/login/organisatie", get(login::start_login))
        .route("/audit/login/terug", get(login::finish_login))
        .route("/audit/uitloggen", post(login::logout))
        .route("/audit/verstrekkingen", get(disclosures))
        .route("/audit/verstrekkingen.csv", get(disclosures_csv))
        .route("/audit/weigeringen", get(denials))
        .route("/audit/beoordelen", get(reviews))
        .route("/audit/beoordelen/{id}", post(review))
        .route("/audit/uitgesteld", get(deferrals))
        .route("/audit/uitgesteld/{id}", post(show_now))
        .route(representations::PATH, get(representations::representations))
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// The signed-in officer.
fn officer(state: &AppState, me: &Session) -> Option<Officer> {
    let (partner, id) = me.principal.split_once('\n')?;
    state.register().partner(partner)?;
    Some(Officer::of(state, partner, id))
}

/// The signed-in officer and their session (else the page sends them to the login).
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(Officer, Session)> {
    let me = CONSOLE.signed_in(state, headers).await?;
    officer(state, &me).map(|o| (o, me))
}

/// A console page: the menu with `here` marked, who is signed in (and the logout), then `body`.
fn respond(
    state: &AppState,
    officer: &Officer,
    me: &Session,
    (title, here): (&str, &str),
    body: Markup,
) -> Response {
    let org = partner_name(state, &officer.partner);
    let scope = if officer.scope.is_some() {
        format!("U ziet het verkeer waaraan {org} deelnam.")
    } else {
        "U ziet het verkeer van alle organisaties (stadsbreed).".to_owned()
    };
    let csrf = CONSOLE.csrf(state, me);
    Page::new(title).wide().nav(&NAV, here).respond(
        StatusCode::OK,
        html! {
            form method="post" action="/audit/uitloggen" {
                p class="meta" {
                    "Privacy officer van " (org) " · " (scope) " "
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="secondary" { "Uitloggen" }
                }
            }
            (body)
        },
    )
}

/// A page of the console outside the signed-in frame (a refusal, a page not found).
fn bare(title: &str, status: StatusCode, body: Markup) -> Response {
    Page::new(title).wide().nav(&NAV, "").respond(status, body)
}

fn partner_name(state: &AppState, id: &str) -> String {
    state
        .register()
        .partner(id)
        .map_or_else(|| id.to_owned(), |p| p.name.clone())
}

fn activity_name(state: &AppState, id: &str) -> String {
    state
        .register()
        .activity(id)
        .map_or_else(|| id.to_owned(), |a| a.name.clone())
}

fn basis_name(basis: &str) -> &'static str {
    match basis {
        "consent" => "Toestemming",
        "legal_obligation" => "Wettelijke plicht",
        "vital_interest" => "Vitaal belang",
        "public_task" => "Publieke taak",
        _ => "Onbekend",
    }
}

fn when(at: DateTime<Utc>) -> String {
    local(at).format("%d-%m-%Y %H:%M").to_string()
}

/// A pseudonym shortened for the eye (the full one is in the CSV and the API).
fn short(subject: &str) -> String {
    subject.chars().take(10).collect()
}

/// An error from the shared audit reads, as a page.
fn failed(e: ApiError) -> Response {
    if e.status.is_client_error() {
        return bare(
            "Filter niet geldig",
            e.status,
            html! {
                (alert(&e.message))
                p { "Pas het filter aan en probeer het opnieuw." }
            },
        );
    }
    tracing::error!(code = e.code, "the console could not read the store");
    unavailable("De gegevens zijn nu niet te lezen.")
}
