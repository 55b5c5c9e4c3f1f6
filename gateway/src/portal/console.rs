//! The privacy officers' console, `/audit` (issue 10): the same audit reads and reviews as the API
//! (`routes::audit`), as pages. An overview (the ledger's integrity, anomalies, charts of
//! disclosures per week per partner and per legal basis); disclosures with filters and a CSV
//! export; refused requests with the vuistregels that stopped them; the review queue of
//! disclosures on a basis other than consent (approve or flag, with a note, itself recorded);
//! deferred entries. An officer sees their own organisation's traffic unless it is city-wide
//! (`[audit] city_wide`); every read is recorded, as through the API.
//!
//! Login: through the organisation's own OpenID Connect provider (`[audit.oidc.<partner id>]`, a
//! role claim must say `privacy_officer`); the demo's development login has a field `Organisatie`
//! (`[portal] dev_login`, never in production).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consent::{Content, DecisionRecord, Disclosure};
use serde::Deserialize;

mod representations;

use super::anomalies::{self, local, start_of_local_day};
use super::charts::Weekly;
use super::page::legacy::{Page, escape};
use super::session::Session;
use super::{Area, forbidden, see_other, unavailable};
use crate::error::ApiError;
use crate::routes::audit::{
    self, DecisionFilter, DeferralFilter, DisclosureFilter, Officer, ReviewFilter, ReviewRequest,
};
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

/// The officer id the development login signs in as.
const DEV_OFFICER: &str = "functionaris-ontwikkellogin";
/// Weeks in the charts.
const CHART_WEEKS: usize = 12;
/// Anomalies are looked for in this many days back.
const ANOMALY_DAYS: i64 = 35;
/// At most this many refused Amsterdammers have their consents looked up for the anomalies.
const REVOCATION_LOOKUPS: usize = 500;
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
    axum::Router::new()
        .route("/audit", get(overview))
        .route("/audit/login", get(login_page).post(login))
        .route("/audit/login/organisatie", get(start_login))
        .route("/audit/login/terug", get(finish_login))
        .route("/audit/uitloggen", post(logout))
        .route("/audit/verstrekkingen", get(disclosures))
        .route("/audit/verstrekkingen.csv", get(disclosures_csv))
        .route("/audit/weigeringen", get(denials))
        .route("/audit/beoordelen", get(reviews))
        .route("/audit/beoordelen/{id}", post(review))
        .route("/audit/uitgesteld", get(deferrals))
        .route("/audit/uitgesteld/{id}", post(show_now))
        .route(representations::PATH, get(representations::representations))
}

/// The signed-in officer.
fn officer(state: &AppState, me: &Session) -> Option<Officer> {
    let (partner, id) = me.principal.split_once('\n')?;
    state.register.partner(partner)?;
    Some(Officer::of(state, partner, id))
}

/// The signed-in officer and their session (else the page sends them to the login).
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(Officer, Session)> {
    let me = CONSOLE.signed_in(state, headers).await?;
    officer(state, &me).map(|o| (o, me))
}

fn page(state: &AppState, officer: &Officer, me: &Session, title: &str, here: &str) -> Page {
    let org = partner_name(state, &officer.partner);
    let scope = if officer.scope.is_some() {
        format!("U ziet het verkeer waaraan {org} deelnam.")
    } else {
        "U ziet het verkeer van alle organisaties (stadsbreed).".to_owned()
    };
    Page::new(title)
        .wide()
        .nav(&NAV, here)
        .raw(&format!(
            "<form method=\"post\" action=\"/audit/uitloggen\"><p class=\"meta\">Privacy officer van {} · {} \
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\" class=\"secondary\">Uitloggen</button></p></form>",
            escape(&org),
            escape(&scope),
            CONSOLE.csrf(state, me)
        ))
}

fn partner_name(state: &AppState, id: &str) -> String {
    state
        .register
        .partner(id)
        .map_or_else(|| id.to_owned(), |p| p.name.clone())
}

fn activity_name(state: &AppState, id: &str) -> String {
    state
        .register
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
        return Page::new("Filter niet geldig")
            .wide()
            .nav(&NAV, "")
            .alert(&e.message)
            .paragraph("Pas het filter aan en probeer het opnieuw.")
            .respond(e.status);
    }
    tracing::error!(code = e.code, "the console could not read the store");
    unavailable("De gegevens zijn nu niet te lezen.")
}

// ---- login ----

#[derive(Debug, Deserialize)]
struct LoginForm {
    organisatie: String,
    csrf: String,
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn login_page(State(state): State<AppState>) -> Response {
    if !state.portal.dev_login && state.logins.officers.is_empty() {
        return Page::new("Inloggen")
            .paragraph(
                "Inloggen via de eigen organisatie is nog niet ingericht voor deze omgeving.",
            )
            .respond(StatusCode::NOT_FOUND);
    }
    login_form(&state, None, StatusCode::OK)
}

fn login_form(state: &AppState, problem: Option<&str>, status: StatusCode) -> Response {
    let Some((pre, csrf)) = CONSOLE.pre_session(state) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let options = |ids: &mut dyn Iterator<Item = &String>| -> String {
        ids.filter_map(|id| state.register.partner(id))
            .map(|p| {
                format!(
                    "<option value=\"{}\">{} ({})</option>",
                    escape(&p.id),
                    escape(&p.name),
                    escape(&p.id)
                )
            })
            .collect()
    };
    let mut page = Page::new("Inloggen voor privacy officers");
    if let Some(problem) = problem {
        page = page.alert(problem);
    }
    if !state.logins.officers.is_empty() {
        // With the development login beside it, this choice gets a label of its own.
        let (id, label) = if state.portal.dev_login {
            ("inlogdienst", "Inlogdienst")
        } else {
            ("organisatie", "Organisatie")
        };
        page = page
            .paragraph("Kies uw organisatie; u logt in via de inlogdienst van uw organisatie.")
            .raw(&format!(
                "<form method=\"get\" action=\"/audit/login/organisatie\">\
                 <label for=\"{id}\">{label}</label>\
                 <select id=\"{id}\" name=\"organisatie\" required>{}</select>\
                 <button type=\"submit\">Inloggen</button></form>",
                options(&mut state.logins.officers.keys())
            ));
    }
    if state.portal.dev_login {
        let all: Vec<String> = state
            .register
            .partners
            .iter()
            .map(|p| p.id.clone())
            .collect();
        page = page
            .paragraph(
                "Ontwikkelomgeving: kies de organisatie waarvoor u als privacy officer inlogt. \
                 In het echt logt u in via uw eigen organisatie.",
            )
            .raw(&format!(
                "<form method=\"post\" action=\"/audit/login\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <label for=\"organisatie\">Organisatie</label>\
                 <select id=\"organisatie\" name=\"organisatie\" required>{}</select>\
                 <button type=\"submit\">Inloggen</button></form>",
                options(&mut all.iter())
            ));
    }
    let mut response = page.respond(status);
    CONSOLE.set(&mut response, CONSOLE.pre_session_cookie, &pre, 600);
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
    if !CONSOLE.login_csrf_ok(&state, &headers, &form.csrf) {
        return forbidden();
    }
    let organisation = form.organisatie.trim();
    if state.register.partner(organisation).is_none() {
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
struct OrganisationQuery {
    organisatie: String,
}

/// To the chosen organisation's identity provider.
async fn start_login(
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
async fn finish_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<super::CallbackQuery>,
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
        || !super::oidc::claim_has(
            &claims,
            &state.audit.role_claim,
            crate::auth::PRIVACY_OFFICER_ROLE,
        )
    {
        tracing::info!(officer_partner = %flow.organisation, "a login without the privacy officer role was refused");
        return Page::new("Geen toegang")
            .paragraph(
                "U bent ingelogd, maar uw organisatie heeft u niet als privacy officer aangemerkt.",
            )
            .respond(StatusCode::FORBIDDEN);
    }
    if let Some(claim) = &state.audit.organisation_claim
        && !super::oidc::claim_has(&claims, claim, &flow.organisation)
    {
        tracing::info!(officer_partner = %flow.organisation, "a login for another organisation than the ID token names was refused");
        return Page::new("Geen toegang")
            .paragraph(&format!(
                "U bent ingelogd, maar niet als medewerker van {}. Log in via de inlogdienst van uw eigen organisatie.",
                partner_name(&state, &flow.organisation)
            ))
            .respond(StatusCode::FORBIDDEN);
    }
    tracing::info!(officer_partner = %flow.organisation, "officer signed in");
    CONSOLE
        .signed_in_page(&state, &format!("{}\n{officer}", flow.organisation))
        .await
}

async fn logout(
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

// ---- overview ----

async fn overview(State(state): State<AppState>, headers: HeaderMap) -> Response {
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
    let found = anomalies::find(&decisions, &consents, &state.register, now);

    let mut page = page(&state, &officer, &me, "Overzicht", "/audit").raw(&integrity(&state).await);
    page = page.raw("<h2>Opvallend</h2>");
    if found.is_empty() {
        page = page.paragraph(&format!(
            "Niets opvallends in de laatste {ANOMALY_DAYS} dagen."
        ));
    } else {
        page = page.raw(
            "<table><caption>Opvallende patronen, om na te gaan</caption><tr><th scope=\"col\">Wat</th>\
             <th scope=\"col\">Organisatie</th><th scope=\"col\">Medewerker</th><th scope=\"col\">Toelichting</th>\
             <th scope=\"col\">Laatst</th></tr>",
        );
        for a in &found {
            page = page.raw(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(a.kind.title()),
                escape(&partner_name(&state, &a.partner)),
                escape(&a.professional),
                escape(&a.detail),
                when(a.at)
            ));
        }
        page = page.raw("</table>");
    }
    page.raw("<h2>Verstrekkingen per week</h2>")
        .raw(
            &weekly_partner.render("Verstrekkingen per week, per ontvanger", &|id| {
                partner_name(&state, id)
            }),
        )
        .raw(
            &weekly_basis.render("Verstrekkingen per week, per grondslag", &|b| {
                basis_name(b).to_owned()
            }),
        )
        .respond(StatusCode::OK)
}

/// The ledger's integrity: the latest checkpoint's signature and that its root is the tree's.
async fn integrity(state: &AppState) -> String {
    let latest = match state.log.latest().await {
        Ok(Some(cp)) => cp,
        Ok(None) => return "<h2>Logboek</h2><p>Er is nog geen controlepunt.</p>".to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "the console could not read the checkpoint");
            return "<h2>Logboek</h2><p class=\"bad\">Het controlepunt is nu niet te lezen.</p>"
                .to_owned();
        }
    };
    let signed = state.log.verifier().verify_checkpoint(&latest.note).is_ok();
    let root = state.log.root_at(latest.size).await.ok();
    let matches = root.is_some_and(|r| r == latest.root);
    let verdict = if signed && matches {
        "<span class=\"ok\">In orde</span>: de handtekening van het laatste controlepunt klopt en de \
         boomwortel komt overeen met de vastgelegde registraties."
    } else if !signed {
        "<span class=\"bad\">Niet in orde</span>: de handtekening van het laatste controlepunt klopt niet."
    } else {
        "<span class=\"bad\">Niet in orde</span>: de boomwortel van het laatste controlepunt komt niet \
         overeen met de vastgelegde registraties."
    };
    format!(
        "<h2>Logboek</h2><p>{verdict}</p><p class=\"meta\">Laatste controlepunt: {} registraties, \
         ondertekend {}. Volledige controle van buitenaf: <code>gateway log verify</code>.</p>",
        latest.size,
        when(latest.signed_at)
    )
}

// ---- disclosures ----

/// The filters of the tables, as the form sends them (empty fields are none).
#[derive(Debug, Default, Deserialize)]
struct Filter {
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    activiteit: String,
    #[serde(default)]
    grondslag: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    opgeslagen: String,
}

type Period = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl Filter {
    /// From the start of `van` up to the end of `tot` (Amsterdam days), each if given.
    fn period(&self) -> Result<Period, ApiError> {
        let day = |text: &str, field: &str| -> Result<Option<NaiveDate>, ApiError> {
            some(text)
                .map(|t| {
                    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
                        ApiError::bad_request(
                            "invalid_query",
                            format!("{field}: een datum als 2026-11-27"),
                        )
                    })
                })
                .transpose()
        };
        let from = day(&self.van, "van")?.map(start_of_local_day);
        // Up to and including the day given.
        let to = day(&self.tot, "tot en met")?
            .and_then(|d| d.succ_opt())
            .map(start_of_local_day);
        Ok((from, to))
    }

    fn disclosures(&self, limit: u32) -> Result<DisclosureFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DisclosureFilter {
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            basis: some(&self.grondslag),
            limit: Some(limit),
        })
    }

    fn decisions(&self) -> Result<DecisionFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DecisionFilter {
            outcome: Some("deny".to_owned()),
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
        })
    }

    /// `status`: `pending`, `flagged` or `all`.
    fn reviews(&self, status: &str) -> Result<ReviewFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(ReviewFilter {
            status: Some(status.to_owned()),
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
        })
    }

    fn deferrals(&self) -> Result<DeferralFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DeferralFilter {
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
        })
    }

    /// The query string that repeats these filters (for the CSV link).
    fn query_string(&self) -> String {
        [
            ("van", &self.van),
            ("tot", &self.tot),
            ("partner", &self.partner),
            ("activiteit", &self.activiteit),
            ("grondslag", &self.grondslag),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The filter form; `basis`: with the legal basis choice.
    fn form(&self, state: &AppState, action: &str, basis: bool) -> String {
        let select = |name: &str, label: &str, chosen: &str, options: Vec<(String, String)>| {
            let options: String = options
                .into_iter()
                .map(|(value, text)| {
                    let selected = if value == chosen { " selected" } else { "" };
                    format!(
                        "<option value=\"{}\"{selected}>{}</option>",
                        escape(&value),
                        escape(&text)
                    )
                })
                .collect();
            format!(
                "<div><label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\">\
                 <option value=\"\">Alle</option>{options}</select></div>"
            )
        };
        let partners = state
            .register
            .partners
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect();
        let activities = state
            .register
            .activities
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        let bases = [
            "consent",
            "legal_obligation",
            "vital_interest",
            "public_task",
        ]
        .iter()
        .map(|b| ((*b).to_owned(), basis_name(b).to_owned()))
        .collect();
        format!(
            "<form method=\"get\" action=\"{action}\" class=\"filters\">\
             <div><label for=\"van\">Van</label><input type=\"date\" id=\"van\" name=\"van\" value=\"{van}\"></div>\
             <div><label for=\"tot\">Tot en met</label><input type=\"date\" id=\"tot\" name=\"tot\" value=\"{tot}\"></div>\
             {p}{a}{b}<div><button type=\"submit\" class=\"secondary\">Filteren</button></div></form>",
            van = escape(self.van.trim()),
            tot = escape(self.tot.trim()),
            p = select("partner", "Organisatie", self.partner.trim(), partners),
            a = select(
                "activiteit",
                "Activiteit",
                self.activiteit.trim(),
                activities
            ),
            b = if basis {
                select("grondslag", "Grondslag", self.grondslag.trim(), bases)
            } else {
                String::new()
            },
        )
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the professional asked or sent, and why, where it is still readable.
fn details(d: &Disclosure) -> (String, String, String) {
    match &d.content {
        Content::Readable(p) => (
            p.professional.clone(),
            p.categories.join(", "),
            p.justification
                .clone()
                .or_else(|| p.consent_id.clone().map(|id| format!("toestemming {id}")))
                .unwrap_or_default(),
        ),
        Content::Erased(_) => (
            String::new(),
            String::new(),
            "(gewist na de bewaartermijn of op verzoek)".to_owned(),
        ),
        Content::Sealed => Default::default(),
    }
}

fn disclosure_row(state: &AppState, d: &Disclosure) -> String {
    let (professional, categories, why) = details(d);
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        when(d.at),
        escape(&partner_name(state, &d.source)),
        escape(&partner_name(state, &d.recipient)),
        escape(&activity_name(state, &d.activity)),
        basis_name(d.legal_basis.as_str()),
        escape(&categories),
        escape(&professional),
        escape(&why),
        escape(&short(d.subject.as_str())),
        d.log_index
    )
}

const DISCLOSURE_HEAD: &str = "<tr><th scope=\"col\">Tijd</th><th scope=\"col\">Van</th><th scope=\"col\">Aan</th>\
    <th scope=\"col\">Activiteit</th><th scope=\"col\">Grondslag</th><th scope=\"col\">Gegevens</th>\
    <th scope=\"col\">Medewerker</th><th scope=\"col\">Waarom</th><th scope=\"col\">Betrokkene (pseudoniem)</th>\
    <th scope=\"col\">Registratie</th></tr>";

async fn disclosures(
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
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let mut page = page(&state, &officer, &me, "Verstrekkingen", "/audit/verstrekkingen")
        .paragraph("Wie kreeg welke gegevens, van wie, waarom en op welke grondslag; nieuwste eerst. De gegevens zelf bewaart de gateway niet.")
        .raw(&f.form(&state, "/audit/verstrekkingen", true))
        .raw(&format!(
            "<p><a href=\"/audit/verstrekkingen.csv?{}\" download>Download als CSV</a> (tot {} regels; RFC 4180, velden gescheiden door komma's: kies in een Nederlandse spreadsheet bij het importeren de komma als scheidingsteken)</p>",
            escape(&f.query_string()),
            audit::MAX_LIMIT
        ));
    if found.is_empty() {
        return page
            .paragraph("Geen verstrekkingen gevonden met dit filter.")
            .respond(StatusCode::OK);
    }
    page = page.raw(&format!(
        "<table><caption>{} verstrekking(en){}</caption>{DISCLOSURE_HEAD}",
        found.len(),
        if found.len() as u32 == ROWS {
            ", de nieuwste; verfijn het filter of download de CSV voor meer"
        } else {
            ""
        }
    ));
    for d in &found {
        page = page.raw(&disclosure_row(&state, d));
    }
    page.raw("</table>").respond(StatusCode::OK)
}

async fn disclosures_csv(
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
    let found = match found.await {
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let mut csv = String::from(
        "at,log_index,mode,from,to,activity,legal_basis,professional,categories,fields,consent_id,justification,subject,erased_at\r\n",
    );
    for d in found {
        let v = audit::AuditDisclosureView::from(d);
        let row = [
            v.at.to_rfc3339(),
            v.log_index.to_string(),
            v.mode,
            v.from,
            v.to,
            v.activity,
            v.legal_basis,
            v.professional.unwrap_or_default(),
            v.categories.join(" "),
            v.fields.join(" "),
            v.consent_id.unwrap_or_default(),
            v.justification.unwrap_or_default(),
            v.subject,
            v.erased_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ];
        csv.push_str(
            &row.iter()
                .map(|cell| csv_cell(cell))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    let mut response = (StatusCode::OK, csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"verstrekkingen.csv\""),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

/// One CSV cell (RFC 4180, `,`-separated), with a leading formula character defused for
/// spreadsheets. Every cell passes through here, so no cell starts a formula whichever separator a
/// spreadsheet assumes: a cell holding `;` is quoted too, as a Dutch-locale spreadsheet splits on it.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

// ---- denials ----

async fn denials(
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
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let mut page = page(&state, &officer, &me, "Weigeringen", "/audit/weigeringen")
        .paragraph("Verzoeken die de gateway weigerde, met de vuistregels die ze tegenhielden; nieuwste eerst.")
        .raw(&f.form(&state, "/audit/weigeringen", false));
    if found.is_empty() {
        return page
            .paragraph("Geen weigeringen gevonden met dit filter.")
            .respond(StatusCode::OK);
    }
    page = page.raw(&format!(
        "<table><caption>{} geweigerd(e) verzoek(en)</caption><tr><th scope=\"col\">Tijd</th>\
         <th scope=\"col\">Aanvrager</th><th scope=\"col\">Medewerker (rol)</th><th scope=\"col\">Activiteit</th>\
         <th scope=\"col\">Van → aan</th><th scope=\"col\">Gegevens</th><th scope=\"col\">Vuistregels</th>\
         <th scope=\"col\">Betrokkene (pseudoniem)</th></tr>",
        found.len()
    ));
    for d in &found {
        page = page.raw(&denial_row(&state, d));
    }
    page.raw("</table>").respond(StatusCode::OK)
}

fn denial_row(state: &AppState, d: &DecisionRecord) -> String {
    let rules: String = d
        .violations
        .iter()
        .map(|v| {
            let why = if v.reason_nl.is_empty() {
                &v.reason
            } else {
                &v.reason_nl
            };
            format!("<li>Vuistregel {}: {}</li>", v.vuistregel, escape(why))
        })
        .collect();
    format!(
        "<tr><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{} → {}</td><td>{}</td><td><ul>{rules}</ul></td><td>{}</td></tr>",
        when(d.at),
        escape(&partner_name(state, &d.partner)),
        escape(&d.professional),
        escape(&d.role),
        escape(&activity_name(state, &d.activity)),
        escape(&partner_name(state, &d.source)),
        escape(&partner_name(state, &d.recipient)),
        escape(&d.categories.join(", ")),
        escape(&short(d.subject.as_str())),
    )
}

// ---- reviews ----

#[derive(Debug, Deserialize)]
struct ReviewForm {
    csrf: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    toelichting: String,
}

async fn reviews(
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
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let csrf = CONSOLE.csrf(state, me);
    let mut page = page(state, officer, me, "Te beoordelen", "/audit/beoordelen").paragraph(
        "Verstrekkingen op een andere grondslag dan toestemming (wettelijke plicht, vitaal belang, \
         publieke taak). Beoordeel elke verstrekking voor uw eigen organisatie: akkoord, of markeren \
         voor nader onderzoek, met een toelichting. Uw beoordeling wordt vastgelegd met uw naam en de \
         tijd. Elke betrokken organisatie beoordeelt zelf; een markering blijft staan tot de \
         organisatie die haar zette opnieuw beoordeelt.",
    );
    if let Some(id) = some(&f.opgeslagen) {
        page = page.notice(&format!(
            "Uw beoordeling van verstrekking {id} is opgeslagen."
        ));
    }
    if let Some((_, message)) = problem {
        page = page.alert(message);
    }
    let views = [
        ("pending", "Nog door uw organisatie te beoordelen"),
        ("flagged", "Gemarkeerd voor onderzoek"),
        ("all", "Alles"),
    ];
    let links: Vec<String> = views
        .iter()
        .map(|(value, label)| {
            if *value == status {
                format!("<strong>{label}</strong>")
            } else {
                format!("<a href=\"/audit/beoordelen?status={value}\">{label}</a>")
            }
        })
        .collect();
    page = page.raw(&format!("<p>{}</p>", links.join(" · ")));
    if found.is_empty() {
        return page
            .paragraph("Er is niets te beoordelen.")
            .respond(StatusCode::OK);
    }
    for (d, reviews) in &found {
        let (professional, categories, why) = details(d);
        let status = match audit::review_status(reviews) {
            "approved" => "Akkoord bevonden",
            "flagged" => "Gemarkeerd voor onderzoek",
            _ => "Nog niet beoordeeld",
        };
        let verdicts: String = audit::verdicts(d, reviews)
            .into_iter()
            .map(|(partner, latest)| {
                let said = match latest.map(|r| r.outcome) {
                    None => "nog niet beoordeeld",
                    Some(consent::ReviewOutcome::Approve) => "akkoord",
                    Some(consent::ReviewOutcome::Flag) => "gemarkeerd voor onderzoek",
                };
                let mine = if partner == officer.partner {
                    " (uw organisatie)"
                } else {
                    ""
                };
                format!(
                    "<li>{}{mine}: {said}</li>",
                    escape(&partner_name(state, partner))
                )
            })
            .collect();
        let earlier: String = reviews
            .iter()
            .map(|r| {
                format!(
                    "<li>{}: {} door {} ({}): {}</li>",
                    when(r.at),
                    if r.outcome.as_str() == "approve" {
                        "akkoord"
                    } else {
                        "gemarkeerd"
                    },
                    escape(&r.officer),
                    escape(&partner_name(state, &r.officer_partner)),
                    escape(&r.note)
                )
            })
            .collect();
        let id = escape(&d.id);
        let alert = match problem {
            Some((for_id, message)) if for_id == d.id => {
                format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(message))
            }
            _ => String::new(),
        };
        page = page.raw(&format!(
            "<article class=\"card\" id=\"v-{id}\"><h2>{} → {}: {}</h2>\
             <p class=\"status\">{status}</p><ul class=\"verdicts\" aria-label=\"Oordeel per organisatie\">{verdicts}</ul>\
             <p><strong>Grondslag:</strong> {} · <strong>Tijd:</strong> {} · <strong>Medewerker:</strong> {}</p>\
             <p><strong>Gegevens:</strong> {}</p><p><strong>Toelichting van de medewerker:</strong> {}</p>\
             <ul>{earlier}</ul>{alert}\
             <form method=\"post\" action=\"/audit/beoordelen/{id}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <fieldset><legend>Beoordeling van verstrekking {id}</legend>\
             <input type=\"radio\" id=\"a-{id}\" name=\"uitkomst\" value=\"approve\" required><label for=\"a-{id}\">Akkoord</label>\
             <input type=\"radio\" id=\"f-{id}\" name=\"uitkomst\" value=\"flag\"><label for=\"f-{id}\">Markeren voor onderzoek</label>\
             <label for=\"t-{id}\" class=\"block\">Toelichting (minstens 10 tekens)</label>\
             <textarea id=\"t-{id}\" name=\"toelichting\" required minlength=\"10\" maxlength=\"2000\"></textarea>\
             </fieldset><button type=\"submit\">Beoordeling opslaan</button></form></article>",
            escape(&partner_name(state, &d.source)),
            escape(&partner_name(state, &d.recipient)),
            escape(&activity_name(state, &d.activity)),
            basis_name(d.legal_basis.as_str()),
            when(d.at),
            escape(&professional),
            escape(&categories),
            escape(&why),
        ));
    }
    page.respond(StatusCode::OK)
}

async fn review(
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
            let mut response =
                review_page(&state, &officer, &me, &Filter::default(), Some((&id, message))).await;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => Page::new("Niet gevonden")
            .wide()
            .nav(&NAV, "")
            .paragraph("Deze verstrekking bestaat niet, rust op toestemming, of valt buiten uw organisatie.")
            .respond(StatusCode::NOT_FOUND),
        Err(e) => failed(e),
    }
}

// ---- deferrals ----

async fn deferrals(
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
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let now = state.clock.now();
    let csrf = CONSOLE.csrf(&state, &me);
    let mut page = page(&state, &officer, &me, "Uitgesteld", "/audit/uitgesteld")
        .paragraph("Verstrekkingen waarvan de melding aan de Amsterdammer is uitgesteld (uitstel, nooit geheimhouding): wie dat deed, waarom en tot wanneer. Is de reden vervallen, dan toont de organisatie die de verstrekking deed haar nu.")
        .raw(&f.form(&state, "/audit/uitgesteld", false));
    if found.is_empty() {
        return page
            .paragraph("Geen uitgestelde verstrekkingen gevonden.")
            .respond(StatusCode::OK);
    }
    page = page.raw(&format!(
        "<table><caption>{} uitgestelde verstrekking(en)</caption><tr><th scope=\"col\">Tijd</th>\
         <th scope=\"col\">Van → aan</th><th scope=\"col\">Activiteit</th><th scope=\"col\">Uitgesteld tot</th>\
         <th scope=\"col\">Nu verborgen</th><th scope=\"col\">Reden</th><th scope=\"col\">Door</th>\
         <th scope=\"col\">Ingekort</th><th scope=\"col\">Actie</th></tr>",
        found.len()
    ));
    for (d, r) in &found {
        page = page.raw(&format!(
            "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
            when(d.at),
            escape(&partner_name(&state, &d.source)),
            escape(&partner_name(&state, &d.recipient)),
            escape(&activity_name(&state, &d.activity)),
            when(r.deferral.until),
            if r.deferral.until > now { "ja" } else { "nee" },
            escape(&r.deferral.reason),
            escape(&r.deferral.set_by),
            escape(&partner_name(&state, &r.deferral.set_by_partner)),
            r.shortened.as_ref().map_or_else(String::new, |(at, by_partner, by)| format!(
                "{} door {} ({})",
                when(*at),
                escape(by),
                escape(&partner_name(&state, by_partner))
            )),
            // Only the sender's officers (or city-wide ones) end a deferral the sender set.
            if r.deferral.until > now
                && officer
                    .scope
                    .as_ref()
                    .is_none_or(|own| *own == r.deferral.set_by_partner)
            {
                format!(
                    "<form method=\"post\" action=\"/audit/uitgesteld/{id}\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <button type=\"submit\" class=\"secondary\">Nu tonen<span class=\"visually-hidden\"> (verstrekking {id})</span></button></form>",
                    id = escape(&d.id),
                )
            } else {
                String::new()
            },
        ));
    }
    page.raw("</table>").respond(StatusCode::OK)
}

/// Ends a deferral now: the Amsterdammer sees the entry from this moment.
async fn show_now(
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
        Err(e) if e.status == StatusCode::NOT_FOUND => Page::new("Niet gevonden")
            .wide()
            .nav(&NAV, "")
            .paragraph("Deze uitgestelde verstrekking bestaat niet, is al zichtbaar, of valt buiten uw organisatie.")
            .respond(StatusCode::NOT_FOUND),
        Err(e) => failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }

    #[test]
    fn a_semicolon_never_starts_a_cell_in_a_dutch_spreadsheet() {
        assert_eq!(
            csv_cell("Controle;=1+1;@SUM(1+1)"),
            "\"Controle;=1+1;@SUM(1+1)\""
        );
        assert_eq!(csv_cell("-2+3;=1+1"), "\"'-2+3;=1+1\"");
    }
}
