//! Mijn gegevens (issue 10, the Amsterdammer's part): server-rendered pages in plain Dutch that work
//! without JavaScript. Who may receive what, and until when; every disclosure with its explanation
//! and whether it is proven in the public log; revoking in one action with a confirmation step;
//! the rights. The pages use the same store, decisions and log as the API.
//!
//! Login: the demo's development login (a BSN field, `[portal] dev_login`, never in production);
//! the citizen identity provider's OpenID Connect flow is not built yet.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use consent::{Actor, Consent, Disclosure, SubjectId};
use policies::Bsn;
use serde::Deserialize;

use super::page::{Page, escape};
use super::session::Session;
use super::{Area, forbidden, see_other, unavailable};
use crate::state::AppState;

/// The browser's own check of each entry's evidence (WebCrypto); see the file.
const CONTROLE_JS: &str = include_str!("controle.js");

/// The Amsterdammer's pages; a session names them by pseudonym.
pub(crate) const MIJN: Area = Area {
    home: "/mijn",
    login: "/mijn/login",
    session_cookie: "mijn_sessie",
    pre_session_cookie: "mijn_pre",
    key_label: "portal-session",
};

/// The portal's routes (not part of the JSON API, so not in `/openapi.json`).
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/mijn", get(home))
        .route("/mijn/login", get(login_page).post(login))
        .route("/mijn/uitloggen", post(logout))
        .route(
            "/mijn/toestemmingen/{id}/intrekken",
            get(confirm_revoke).post(revoke),
        )
        .route("/mijn/weigeren", get(confirm_refusal).post(refuse))
        .route("/mijn/weigeringen/{id}/opheffen", post(lift_refusal))
        .route("/mijn/download", get(download))
        .route("/mijn/verstrekkingen/{id}/bewijs", get(evidence))
}

/// The signed-in Amsterdammer, if any (else the page sends them to the login).
fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    MIJN.signed_in(state, headers)
}

fn subject(me: &Session) -> SubjectId {
    SubjectId::from_stored(me.principal.clone())
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    bsn: String,
    csrf: String,
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

#[derive(Debug, Deserialize)]
struct HomeQuery {
    ingetrokken: Option<String>,
    geweigerd: Option<String>,
    opgeheven: Option<String>,
}

async fn login_page(State(state): State<AppState>) -> Response {
    if !state.portal.dev_login {
        return Page::new("Inloggen")
            .paragraph("Inloggen met DigiD is nog niet ingericht voor deze omgeving.")
            .respond(StatusCode::NOT_FOUND);
    }
    login_form(&state, None, StatusCode::OK)
}

fn login_form(state: &AppState, problem: Option<&str>, status: StatusCode) -> Response {
    let Some((pre, csrf)) = MIJN.pre_session(state) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut page = Page::new("Inloggen bij Mijn gegevens").paragraph(
        "Ontwikkelomgeving: kies een Amsterdammer door het burgerservicenummer in te vullen. \
         In het echt logt u in met DigiD.",
    );
    if let Some(problem) = problem {
        page = page.alert(problem);
    }
    let mut response = page
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/login\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"bsn\">BSN</label>\
             <input id=\"bsn\" name=\"bsn\" inputmode=\"numeric\" autocomplete=\"off\" required>\
             <button type=\"submit\">Inloggen</button></form>"
        ))
        .respond(status);
    MIJN.set(&mut response, MIJN.pre_session_cookie, &pre, 600);
    response
}

async fn login(
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
        return login_form(
            &state,
            Some("Dit is geen geldig burgerservicenummer (9 cijfers)."),
            StatusCode::BAD_REQUEST,
        );
    };
    let subject = state.pseudonyms.subject(&bsn);
    MIJN.sign_in(&state, subject.as_str())
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    if !MIJN.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    MIJN.sign_out()
}

fn not_yours() -> Response {
    Page::new("Niet gevonden")
        .paragraph("Deze toestemming bestaat niet of is niet van u.")
        .respond(StatusCode::NOT_FOUND)
}

async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HomeQuery>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    let now = state.clock.now();
    let subject = subject(&me);
    let (consents, disclosures, refusals, representations) = match tokio::try_join!(
        state.store.consents_of(&subject),
        state.store.disclosures_of(&subject),
        state.store.refusals_of(&subject),
        state.store.representations_of(&subject),
    ) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "the portal could not read the store");
            return unavailable("Uw gegevens zijn nu niet te lezen.");
        }
    };
    let csrf = MIJN.csrf(&state, &me);
    let mut page = Page::new("Mijn gegevens");
    if let Some(id) = q
        .ingetrokken
        .filter(|id| consents.iter().any(|c| &c.id == id))
    {
        page = page.notice(&format!(
            "Uw toestemming {id} is ingetrokken. Vanaf nu worden er geen gegevens meer op grond van deze toestemming gedeeld."
        ));
    }
    if let Some(r) = q
        .geweigerd
        .and_then(|id| refusals.iter().find(|r| r.id == id))
    {
        page = page.notice(&format!(
            "Vastgelegd (weigering {}): {}. Dit gaat voor elke toestemming.",
            r.id,
            refusal_text(&state, r)
        ));
    }
    if let Some(id) = q
        .opgeheven
        .filter(|id| refusals.iter().any(|r| &r.id == id))
    {
        page = page.notice(&format!("Uw weigering {id} is opgeheven."));
    }
    page = page.raw(
        "<p><a href=\"/mijn/download\" download>Download alles wat over u is vastgelegd</a> (een JSON-bestand, art. 15 AVG)</p>\
         <h2>Uw toestemmingen</h2>",
    );
    if consents.is_empty() {
        page = page.paragraph("U heeft geen toestemmingen gegeven.");
    }
    for c in &consents {
        page = page.raw(&consent_card(&state, c, now, true));
    }
    page = page.raw("<h2>Wat er over u gedeeld is</h2>");
    let visible: Vec<&Disclosure> = disclosures.iter().filter(|d| d.shown_at(now)).collect();
    if visible.is_empty() {
        page = page.paragraph("Er zijn nog geen gegevens over u gedeeld.");
    }
    let checkpoint = state.log.latest().await.ok().flatten();
    for d in visible.into_iter().rev() {
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
        let check = if proven {
            "Gecontroleerd in het openbare logboek"
        } else {
            "Nog niet gecontroleerd in het openbare logboek"
        };
        page = page.raw(&format!(
            "<article class=\"card\" data-bewijs=\"/mijn/verstrekkingen/{id}/bewijs\"><p>{}</p>\
             <p class=\"meta\">{}<span class=\"browsercheck\" aria-live=\"polite\"></span> · registratie {} · \
             <a href=\"/mijn/verstrekkingen/{id}/bewijs\" download>Download het bewijs<span class=\"visually-hidden\"> van registratie {}</span></a></p></article>",
            escape(&explained.nl),
            check,
            d.log_index,
            d.log_index,
            id = escape(&d.id),
        ));
    }
    page = page.raw(&refusals_section(&state, &refusals, &csrf));
    page = page.raw(&representations_section(
        &state,
        &subject,
        &representations,
        now,
    ));
    page = page.raw("<h2>Uw rechten</h2><ul>");
    for right in crate::routes::explain::rights_list() {
        page = page.raw(&format!("<li>{}</li>", escape(&right.nl)));
    }
    page.raw("</ul>")
        .script(CONTROLE_JS)
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/uitloggen\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\" class=\"secondary\">Uitloggen</button></form>"
        ))
        .respond(StatusCode::OK)
}

/// One consent as the Amsterdammer reads it; `offer_revoke`: with the button that starts revoking.
fn consent_card(
    state: &AppState,
    c: &Consent,
    now: chrono::DateTime<chrono::Utc>,
    offer_revoke: bool,
) -> String {
    let register = &state.register;
    let partner = |id: &String| {
        register.partner(id).map_or_else(
            || format!("elke organisatie van de soort {id}"),
            |p| p.name.clone(),
        )
    };
    let names = |ids: &[String], f: &dyn Fn(&String) -> String| {
        ids.iter().map(f).collect::<Vec<_>>().join(", ")
    };
    let status = c.status_at(now);
    let label = match status.as_str() {
        "active" => "Geldig",
        "pending" => "Wacht op uw bevestiging",
        "revoked" => "Ingetrokken",
        "expired" => "Verlopen",
        "superseded" => "Vervangen door een nieuwe versie",
        _ => "Geweigerd",
    };
    let activities = names(&c.activities, &|id| {
        register
            .activity(id)
            .map_or_else(|| id.clone(), |a| a.purpose.clone())
    });
    let categories = names(&c.categories, &|id| {
        register
            .category(id)
            .map_or_else(|| id.clone(), |k| k.name.to_lowercase())
    });
    let revocable = matches!(status.as_str(), "active" | "pending");
    let action = if revocable && offer_revoke {
        format!(
            "<form method=\"get\" action=\"/mijn/toestemmingen/{}/intrekken\">\
             <button type=\"submit\">Toestemming intrekken</button></form>",
            escape(&c.id)
        )
    } else {
        String::new()
    };
    format!(
        "<article class=\"card\"><p class=\"status\">{label}</p>\
         <p><strong>Wie mag gegevens krijgen:</strong> {}</p>\
         <p><strong>Welke gegevens:</strong> {}</p>\
         <p><strong>Waarvoor:</strong> {}</p>\
         <p><strong>Geldig tot:</strong> {}</p>{action}</article>",
        escape(&names(&c.recipients, &partner)),
        escape(&categories),
        escape(&activities),
        c.valid_until.format("%d-%m-%Y"),
    )
}

async fn my_consent(state: &AppState, me: &Session, id: &str) -> Option<Consent> {
    state
        .store
        .consent(id)
        .await
        .ok()
        .flatten()
        .filter(|c| c.subject == subject(me))
}

async fn confirm_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    let Some(c) = my_consent(&state, &me, &id).await else {
        return not_yours();
    };
    let csrf = MIJN.csrf(&state, &me);
    Page::new("Toestemming intrekken")
        .paragraph("Weet u zeker dat u deze toestemming wilt intrekken? Daarna worden er geen gegevens meer op grond van deze toestemming gedeeld. Wat al gedeeld is, blijft zichtbaar in uw overzicht.")
        .raw(&consent_card(&state, &c, state.clock.now(), false))
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/toestemmingen/{}/intrekken\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\">Ja, toestemming intrekken</button></form>\
             <p><a href=\"/mijn\">Nee, terug naar Mijn gegevens</a></p>",
            escape(&id)
        ))
        .respond(StatusCode::OK)
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    if !MIJN.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    if my_consent(&state, &me, &id).await.is_none() {
        return not_yours();
    }
    match crate::routes::consents::revoke(&state, &id, &Actor::amsterdammer()).await {
        Ok(_) => see_other(&format!("/mijn?ingetrokken={id}")),
        Err(e) if e.status == StatusCode::CONFLICT => see_other("/mijn"),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not revoke a consent");
            unavailable("Het intrekken is niet gelukt.")
        }
    }
}

/// What a refusal says, in plain Dutch.
fn refusal_text(state: &AppState, r: &consent::Refusal) -> String {
    let mut parts = Vec::new();
    if let Some(recipient) = &r.recipient {
        parts.push(format!("nooit aan {}", party_name(state, recipient)));
    }
    if let Some(category) = &r.category {
        let name = state
            .register
            .category(category)
            .map_or_else(|| category.clone(), |c| c.name.to_lowercase());
        parts.push(format!("nooit {name}"));
    }
    if let Some(activity) = &r.activity {
        let name = state
            .register
            .activity(activity)
            .map_or_else(|| activity.clone(), |a| a.purpose.clone());
        parts.push(format!("nooit voor {name}"));
    }
    parts.join(", ")
}

/// A partner by name, or a kind of partner.
fn party_name(state: &AppState, id: &str) -> String {
    state.register.partner(id).map_or_else(
        || format!("alle organisaties van de soort {id}"),
        |p| p.name.clone(),
    )
}

/// The refusals in force, each with a button to lift it, and the form to record one.
fn refusals_section(state: &AppState, refusals: &[consent::Refusal], csrf: &str) -> String {
    let mut html = String::from(
        "<h2>Nooit delen</h2><p>U kunt vastleggen dat uw gegevens nooit met een organisatie gedeeld \
         mogen worden. Dat gaat voor elke toestemming, ook een die u eerder gaf.</p>",
    );
    for r in refusals.iter().filter(|r| r.withdrawn_at.is_none()) {
        html.push_str(&format!(
            "<article class=\"card\"><p class=\"status\">Geweigerd</p><p>{}</p>\
             <p class=\"meta\">Vastgelegd op {}</p>\
             <form method=\"post\" action=\"/mijn/weigeringen/{id}/opheffen\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\" class=\"secondary\">Weigering opheffen</button></form></article>",
            escape(&refusal_text(state, r)),
            r.created_at.format("%d-%m-%Y"),
            id = escape(&r.id),
        ));
    }
    let mut options = String::new();
    for p in &state.register.partners {
        options.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            escape(&p.id),
            escape(&p.name)
        ));
    }
    for kind in state.register.kinds() {
        options.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            escape(kind),
            escape(&party_name(state, kind))
        ));
    }
    html.push_str(&format!(
        "<form method=\"get\" action=\"/mijn/weigeren\"><label for=\"ontvanger\">Nooit delen met</label>\
         <select id=\"ontvanger\" name=\"ontvanger\" required>{options}</select>\
         <button type=\"submit\">Weigering vastleggen</button></form>"
    ));
    html
}

/// Whom the Amsterdammer acts for, and who acts for them (never by name: the gateway keeps none).
fn representations_section(
    state: &AppState,
    me: &SubjectId,
    representations: &[consent::Representation],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    if representations.is_empty() {
        return String::new();
    }
    let role = |r: &consent::Representation| {
        match r.role.as_str() {
            "parent" => "ouder met gezag",
            "guardian" => "voogd",
            "mentor" => "mentor",
            "curator" => "curator",
            "bewindvoerder" => "bewindvoerder",
            other => other,
        }
        .to_owned()
    };
    let status = |r: &consent::Representation| {
        if r.ended_at.is_some() {
            "beëindigd"
        } else if now >= r.valid_until {
            "verlopen"
        } else if now < r.valid_from {
            "nog niet ingegaan"
        } else {
            "geldig"
        }
    };
    let mut html = String::new();
    let (mine, for_me): (Vec<_>, Vec<_>) = representations
        .iter()
        .partition(|r| r.representative == *me);
    if !mine.is_empty() {
        html.push_str("<h2>Voor wie u optreedt</h2><ul>");
        for r in mine {
            html.push_str(&format!(
                "<li>Als {} van {} ({}), tot {}; vastgelegd door {}.</li>",
                escape(&role(r)),
                escape(r.label.as_deref().unwrap_or("een persoon")),
                status(r),
                r.valid_until.format("%d-%m-%Y"),
                escape(&party_name(state, &r.recorded_by_partner)),
            ));
        }
        html.push_str("</ul>");
    }
    if !for_me.is_empty() {
        html.push_str("<h2>Wie voor u optreedt</h2><ul>");
        for r in for_me {
            html.push_str(&format!(
                "<li>Een {} ({}), tot {}; vastgelegd door {}. Wie dat is, weet die organisatie.</li>",
                escape(&role(r)),
                status(r),
                r.valid_until.format("%d-%m-%Y"),
                escape(&party_name(state, &r.recorded_by_partner)),
            ));
        }
        html.push_str("</ul>");
    }
    html
}

#[derive(Debug, Deserialize)]
struct RefusalQuery {
    ontvanger: String,
}

#[derive(Debug, Deserialize)]
struct RefusalForm {
    csrf: String,
    ontvanger: String,
}

/// The confirmation step before a refusal is recorded.
async fn confirm_refusal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RefusalQuery>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    if state.register.party(&q.ontvanger).is_none() {
        return Page::new("Niet gevonden")
            .paragraph("Deze organisatie kennen we niet.")
            .respond(StatusCode::NOT_FOUND);
    }
    let name = party_name(&state, &q.ontvanger);
    let csrf = MIJN.csrf(&state, &me);
    Page::new("Weigering vastleggen")
        .paragraph(&format!(
            "Weet u zeker dat uw gegevens nooit met {name} gedeeld mogen worden? Dit gaat voor elke \
             toestemming. U kunt de weigering later weer opheffen."
        ))
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/weigeren\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"ontvanger\" value=\"{}\">\
             <button type=\"submit\">Ja, nooit delen met {}</button></form>\
             <p><a href=\"/mijn\">Nee, terug naar Mijn gegevens</a></p>",
            escape(&q.ontvanger),
            escape(&name)
        ))
        .respond(StatusCode::OK)
}

async fn refuse(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<RefusalForm>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    if !MIJN.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    let body = crate::routes::refusals::MyRefusalRequest {
        recipient: Some(form.ontvanger),
        category: None,
        activity: None,
        note: None,
    };
    match crate::routes::refusals::refuse_as_self(&state, &subject(&me), body).await {
        Ok(r) => see_other(&format!("/mijn?geweigerd={}", r.id)),
        Err(e) if e.status.is_client_error() => Page::new("Niet gelukt")
            .alert(&e.message)
            .raw("<p><a href=\"/mijn\">Terug naar Mijn gegevens</a></p>")
            .respond(e.status),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not record a refusal");
            unavailable("Het vastleggen is niet gelukt.")
        }
    }
}

async fn lift_refusal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    if !MIJN.csrf_ok(&state, &me, &form.csrf) {
        return forbidden();
    }
    let mine = match state.store.refusals_of(&subject(&me)).await {
        Ok(all) => all.into_iter().any(|r| r.id == id),
        Err(e) => {
            tracing::error!(error = %e, "the portal could not read refusals");
            return unavailable("Het opheffen is niet gelukt.");
        }
    };
    if !mine {
        return not_yours();
    }
    match state.store.withdraw_refusal(&id, state.clock.now()).await {
        Ok(_) => {
            tracing::info!(refusal_id = %id, "refusal withdrawn");
            see_other(&format!("/mijn?opgeheven={id}"))
        }
        Err(e) => {
            tracing::error!(error = %e, "the portal could not withdraw a refusal");
            unavailable("Het opheffen is niet gelukt.")
        }
    }
}

/// Everything held about the Amsterdammer (art. 15 AVG), the same file as `GET /v1/me/export`.
async fn download(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    let subject = subject(&me);
    let viewer = crate::auth::Viewer {
        subject: &subject,
        acting: None,
    };
    match crate::routes::evidence::export(&state, viewer).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not export");
            unavailable("Het downloaden is niet gelukt.")
        }
    }
}

/// The evidence bundle of one entry, the same file as `GET /v1/me/disclosures/{id}/bundle`.
async fn evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(me) = signed_in(&state, &headers) else {
        return see_other("/mijn/login");
    };
    let subject = subject(&me);
    let viewer = crate::auth::Viewer {
        subject: &subject,
        acting: None,
    };
    match crate::routes::evidence::bundle(&state, viewer, &id).await {
        Ok(response) => response,
        Err(e) if e.status == StatusCode::NOT_FOUND => Page::new("Niet gevonden")
            .paragraph("Deze registratie bestaat niet of is niet van u.")
            .respond(StatusCode::NOT_FOUND),
        Err(e) => {
            tracing::error!(
                code = e.code,
                "the portal could not build an evidence bundle"
            );
            unavailable("Het bewijs is nu niet te maken.")
        }
    }
}
