//! The console's handlers: each reads through the shared audit reads (`routes::audit`, recorded
//! as reads the same way as through the API), or carries out a form, and hands over to a view.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;
use maud::html;
use serde::Deserialize;

use super::filter::{Filter, urlencode};
use super::views::ANOMALY_DAYS;
use super::views::{self, Integrity};
use super::{CONSOLE, CsrfForm, ROWS, bare, failed, respond, review_views, signed_in};
use crate::auth::Officer;
use crate::contract::ReviewRequest;
use crate::portal::anomalies;
use crate::portal::charts::Weekly;
use crate::portal::session::Session;
use crate::portal::{forbidden, see_other};
use crate::service::audit;
use crate::state::AppState;

/// Weeks in the charts.
const CHART_WEEKS: usize = 12;
/// At most this many refused Amsterdammers have their consents looked up for the anomalies.
const REVOCATION_LOOKUPS: usize = 500;

pub(super) async fn overview(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    let now = state.clock.now();
    let mut weekly_partner = Weekly::new(now, CHART_WEEKS);
    let mut weekly_basis = Weekly::new(now, CHART_WEEKS);
    let from = weekly_partner
        .from()
        .min(now - Duration::days(ANOMALY_DAYS));
    let (disclosures, decisions) = match audit::scan(&state, &officer, from, "/audit").await {
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    for d in &disclosures {
        weekly_partner.add(&d.recipient, d.at);
        weekly_basis.add(d.legal_basis.as_str(), d.at);
    }
    let mut consents = HashMap::new();
    for subject in anomalies::refused_subjects(&decisions, REVOCATION_LOOKUPS) {
        match state.store.consents_of(&subject).await {
            Ok(found) => {
                consents.insert(subject.as_str().to_owned(), found);
            }
            Err(e) => return failed(e.into()),
        }
    }
    let found = anomalies::find(&decisions, &consents, &state.register(), now);
    let integrity = integrity(&state).await;
    let body = views::overview(&state, &integrity, &found, &weekly_partner, &weekly_basis);
    respond(&state, &officer, &me, ("Overzicht", "/audit"), body)
}

/// The ledger's integrity: the latest checkpoint's signature and that its root is the tree's.
async fn integrity(state: &AppState) -> Integrity {
    let latest = match state.log.latest().await {
        Ok(Some(cp)) => cp,
        Ok(None) => return Integrity::NoCheckpoint,
        Err(e) => {
            tracing::error!(error = %e, "the console could not read the checkpoint");
            return Integrity::Unreadable;
        }
    };
    let signed = state.log.verifier().verify_checkpoint(&latest.note).is_ok();
    let root = state.log.root_at(latest.size).await.ok();
    Integrity::Checked {
        signed,
        matches: root.is_some_and(|r| r == latest.root),
        size: latest.size,
        signed_at: latest.signed_at,
    }
}

pub(super) async fn disclosures(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    let found = async {
        audit::find_disclosures(
            &state,
            &officer,
            f.disclosures(ROWS)?,
            "/audit/verstrekkingen",
        )
        .await
    };
    let found = match found.await {
        Ok(found) => found.items,
        Err(e) => return failed(e),
    };
    let body = views::disclosures(&state, &f, &found);
    respond(
        &state,
        &officer,
        &me,
        ("Verstrekkingen", "/audit/verstrekkingen"),
        body,
    )
}

pub(super) async fn disclosures_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some((officer, _)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    let found = async {
        audit::find_disclosures(
            &state,
            &officer,
            f.disclosures(audit::MAX_LIMIT)?,
            "/audit/verstrekkingen.csv",
        )
        .await
    };
    match found.await {
        Ok(found) => super::csv::response(found.items),
        Err(e) => failed(e),
    }
}

pub(super) async fn denials(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    let found = async {
        audit::find_decisions(&state, &officer, f.decisions()?, "/audit/weigeringen").await
    };
    let found = match found.await {
        Ok(found) => found.items,
        Err(e) => return failed(e),
    };
    let body = views::denials(&state, &f, &found);
    respond(
        &state,
        &officer,
        &me,
        ("Weigeringen", "/audit/weigeringen"),
        body,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ReviewForm {
    csrf: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    toelichting: String,
}

pub(super) async fn reviews(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    match signed_in(&state, &headers).await {
        Some((officer, me)) => review_page(&state, &officer, &me, &f, None).await,
        None => see_other(CONSOLE.login),
    }
}

async fn review_page(
    state: &AppState,
    officer: &Officer,
    me: &Session,
    f: &Filter,
    problem: Option<(&str, &str)>,
) -> Response {
    let status = match f.status.as_str() {
        "all" | "flagged" => f.status.as_str(),
        _ => "pending",
    };
    let found = async {
        audit::find_reviews(state, officer, f.reviews(status)?, "/audit/beoordelen").await
    };
    let found = match found.await {
        Ok(found) => found.items,
        Err(e) => return failed(e),
    };
    let csrf = CONSOLE.csrf(state, me);
    let view = review_views::Reviews {
        state,
        officer,
        csrf: &csrf,
        status,
        saved: f.opgeslagen.trim(),
        problem,
        verdicts: found
            .iter()
            .map(|(d, reviews)| crate::contract::verdicts(d, reviews))
            .collect(),
        statuses: found
            .iter()
            .map(|(_, reviews)| crate::contract::review_status(reviews))
            .collect(),
        found: &found,
    };
    respond(
        state,
        officer,
        me,
        ("Te beoordelen", "/audit/beoordelen"),
        review_views::reviews(&view),
    )
}

pub(super) async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    if !CONSOLE.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    let body = ReviewRequest {
        outcome: form.uitkomst,
        note: form.toelichting,
    };
    match audit::add_review(&state, &officer, id.clone(), &body).await {
        Ok(_) => see_other(&format!("/audit/beoordelen?opgeslagen={}", urlencode(&id))),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let message = match e.code {
                "invalid_note" => "Geef een toelichting van minstens 10 tekens.",
                _ => "Kies akkoord of markeren voor onderzoek.",
            };
            let mut response = review_page(
                &state,
                &officer,
                &me,
                &Filter::default(),
                Some((&id, message)),
            )
            .await;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => bare(
            "Niet gevonden",
            StatusCode::NOT_FOUND,
            html! { p { "Deze verstrekking bestaat niet, rust op toestemming, of valt buiten uw organisatie." } },
        ),
        Err(e) => failed(e),
    }
}

pub(super) async fn deferrals(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    let found = async {
        audit::find_deferrals(&state, &officer, f.deferrals()?, "/audit/uitgesteld").await
    };
    let found = match found.await {
        Ok(found) => found.items,
        Err(e) => return failed(e),
    };
    let csrf = CONSOLE.csrf(&state, &me);
    let body = review_views::deferrals(&state, &officer, &f, &found, state.clock.now(), &csrf);
    respond(
        &state,
        &officer,
        &me,
        ("Uitgesteld", "/audit/uitgesteld"),
        body,
    )
}

/// Ends a deferral now: the Amsterdammer sees the entry from this moment.
pub(super) async fn show_now(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(CONSOLE.login);
    };
    if !CONSOLE.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    match audit::shorten(&state, &officer, &id, state.clock.now()).await {
        Ok(_) => see_other("/audit/uitgesteld"),
        Err(e) if e.status == StatusCode::NOT_FOUND => bare(
            "Niet gevonden",
            StatusCode::NOT_FOUND,
            html! { p { "Deze uitgestelde verstrekking bestaat niet, is al zichtbaar, of valt buiten uw organisatie." } },
        ),
        Err(e) => failed(e),
    }
}
