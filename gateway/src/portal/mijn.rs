//! Mijn gegevens (issue 10, the Amsterdammer's part): server-rendered pages in plain Dutch (English
//! as a choice) that work without JavaScript. Who may receive what, and until when; every
//! disclosure with its explanation and whether it is proven in the public log (with JavaScript the
//! browser checks again, `controle.js`); revoking, and refusing, in one action with a confirmation
//! step; whom one represents and who represents one; the rights; everything held, and each entry's
//! evidence, as files. The pages use the same store, decisions and log as the API.
//!
//! Login: through the citizen identity provider (`[portal.oidc]`, OpenID Connect with PKCE); the
//! demo's development login has a field `BSN` (`[portal] dev_login`, never in production).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use consent::{Consent, Disclosure, SubjectId};
use policies::Bsn;
use serde::Deserialize;

use super::page::{Page, escape};
use super::session::Session;
use super::{Area, forbidden, see_other, unavailable};
use crate::auth::Viewer;
use crate::state::AppState;

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

    fn t(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    fn code(self) -> &'static str {
        self.t("nl", "en")
    }

    /// The link to the other language, for the page at `path`.
    fn switch(self, path: &str) -> String {
        match self {
            Lang::Nl => format!("<p><a href=\"{path}?taal=en\" lang=\"en\">English</a></p>"),
            Lang::En => format!("<p><a href=\"{path}?taal=nl\" lang=\"nl\">Nederlands</a></p>"),
        }
    }

    /// Keeps a choice made in the query in the cookie (a year; not a secret).
    fn keep(self, query: Option<&str>, response: &mut Response) {
        if query.is_some() {
            MIJN.set(response, LANG_COOKIE, self.code(), 365 * 24 * 3600);
        }
    }
}

/// The browser's own check of each entry's evidence (WebCrypto); see the file.
const CONTROLE_JS: &str = include_str!("controle.js");

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
    axum::Router::new()
        .route("/mijn", get(home))
        .route("/mijn/login", get(login_page).post(login))
        .route("/mijn/login/digid", get(start_login))
        .route("/mijn/login/terug", get(finish_login))
        .route("/mijn/uitloggen", post(logout))
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
    if state.limits.check_amsterdammer(own.as_str()).is_err() {
        let mut response = Page::new("Even wachten")
            .paragraph("U heeft in korte tijd veel pagina's opgevraagd. Wacht even en probeer het opnieuw.")
            .respond(StatusCode::TOO_MANY_REQUESTS);
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
                Box::new(unavailable("Uw gegevens zijn nu niet te lezen."))
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

impl Me {
    /// Whether a form they posted carries their CSRF token.
    fn posted(&self, state: &AppState, csrf: &str) -> bool {
        MIJN.csrf_ok(state, &self.session, csrf)
    }
}

/// A change the representative's role does not cover, said in plain words.
fn outside_role(lang: Lang) -> Response {
    Page::new(lang.t("Niet toegestaan", "Not allowed"))
        .lang(lang.code())
        .paragraph(lang.t(
            "Dit valt buiten uw vertegenwoordiging: u treedt voor deze persoon alleen op voor bepaalde gegevens.",
            "This is outside your representation: you act for this person only on some of their data.",
        ))
        .raw("<p><a href=\"/mijn\">Terug naar Mijn gegevens</a></p>")
        .respond(StatusCode::FORBIDDEN)
}

fn own_choice(lang: Lang) -> Response {
    Page::new(lang.t("Niet toegestaan", "Not allowed"))
        .lang(lang.code())
        .paragraph(lang.t(
            "Deze persoon heeft dit zelf gekozen. Als vertegenwoordiger maakt u dat niet ongedaan.",
            "This person chose this themselves. As their representative you do not undo it.",
        ))
        .raw("<p><a href=\"/mijn\">Terug naar Mijn gegevens</a></p>")
        .respond(StatusCode::FORBIDDEN)
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
    taal: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    taal: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::of(&headers, q.taal.as_deref());
    if !state.portal.dev_login && state.logins.resident.is_none() {
        return Page::new(lang.t("Inloggen", "Log in"))
            .lang(lang.code())
            .paragraph(lang.t(
                "Inloggen met DigiD is nog niet ingericht voor deze omgeving.",
                "Logging in with DigiD has not been set up for this environment yet.",
            ))
            .respond(StatusCode::NOT_FOUND);
    }
    let mut response = login_form(&state, lang, None, StatusCode::OK);
    lang.keep(q.taal.as_deref(), &mut response);
    response
}

fn login_form(state: &AppState, lang: Lang, problem: Option<&str>, status: StatusCode) -> Response {
    let Some((pre, csrf)) = MIJN.pre_session(state) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut page = Page::new(lang.t("Inloggen bij Mijn gegevens", "Log in to My data"))
        .lang(lang.code())
        .raw(&lang.switch("/mijn/login"));
    if let Some(problem) = problem {
        page = page.alert(problem);
    }
    if state.logins.resident.is_some() {
        page = page.raw(&format!(
            "<form method=\"get\" action=\"/mijn/login/digid\"><button type=\"submit\">{}</button></form>",
            lang.t("Inloggen met DigiD", "Log in with DigiD (Inloggen)")
        ));
    }
    if state.portal.dev_login {
        page = page
            .paragraph(lang.t(
                "Ontwikkelomgeving: kies een Amsterdammer door het burgerservicenummer in te vullen. \
                 In het echt logt u in met DigiD.",
                "Development environment: pick an Amsterdammer by entering their citizen service number \
                 (BSN). For real, you log in with DigiD.",
            ))
            .raw(&format!(
                "<form method=\"post\" action=\"/mijn/login\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <label for=\"bsn\">BSN</label>\
                 <input id=\"bsn\" name=\"bsn\" inputmode=\"numeric\" autocomplete=\"off\" required>\
                 <button type=\"submit\">{}</button></form>",
                lang.t("Inloggen", "Log in (Inloggen)")
            ));
    }
    let mut response = page.respond(status);
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
        let lang = Lang::of(&headers, None);
        return login_form(
            &state,
            lang,
            Some(lang.t(
                "Dit is geen geldig burgerservicenummer (9 cijfers).",
                "This is not a valid citizen service number (9 digits).",
            )),
            StatusCode::BAD_REQUEST,
        );
    };
    let subject = state.pseudonyms.subject(&bsn);
    MIJN.sign_in(&state, subject.as_str()).await
}

/// To the citizen identity provider.
async fn start_login(State(state): State<AppState>) -> Response {
    let Some(provider) = &state.logins.resident else {
        return StatusCode::NOT_FOUND.into_response();
    };
    MIJN.start_login(&state, provider, "").await
}

/// Back from the citizen identity provider: the BSN from the ID token, signed in by pseudonym.
async fn finish_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<super::CallbackQuery>,
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
        return Page::new("Inloggen niet gelukt")
            .paragraph("De inlogdienst gaf geen geldig burgerservicenummer door.")
            .respond(StatusCode::FORBIDDEN);
    };
    MIJN.signed_in_page(&state, state.pseudonyms.subject(&bsn).as_str())
        .await
}

async fn logout(State(state): State<AppState>, me: Me, Form(form): Form<CsrfForm>) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    MIJN.sign_out(&state, &me.session).await
}

fn not_yours(lang: Lang) -> Response {
    Page::new(lang.t("Niet gevonden", "Not found"))
        .lang(lang.code())
        .paragraph(lang.t(
            "Deze toestemming of weigering bestaat niet of is niet van u.",
            "This consent or refusal does not exist or is not yours.",
        ))
        .respond(StatusCode::NOT_FOUND)
}

async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Query(q): Query<HomeQuery>,
) -> Response {
    let lang_choice = q.taal.clone();
    let lang = Lang::of(&headers, q.taal.as_deref());
    let mut response = home_page(&state, &me, lang, q).await;
    lang.keep(lang_choice.as_deref(), &mut response);
    response
}

async fn home_page(state: &AppState, me: &Me, lang: Lang, q: HomeQuery) -> Response {
    let now = state.clock.now();
    let subject = me.subject();
    let viewer = me.viewer();
    let (mut consents, mut disclosures, refusals, representations) = match tokio::try_join!(
        state.store.consents_of(subject),
        state.store.disclosures_of(subject),
        state.store.refusals_of(subject),
        state.store.representations_of(&me.own),
    ) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "the portal could not read the store");
            return unavailable("Uw gegevens zijn nu niet te lezen.");
        }
    };
    // A representative sees what their role covers (as through the API).
    consents.retain(|c| viewer.covers(&state.register, &c.categories));
    disclosures.retain(|d| viewer.may_see(&state.register, d, now));
    let csrf = MIJN.csrf(state, &me.session);
    let mut page = Page::new(lang.t("Mijn gegevens", "My data"))
        .lang(lang.code())
        .raw(&lang.switch("/mijn"));
    if me.lapsed {
        page = page.alert(lang.t(
            "U treedt niet meer op voor de persoon die u koos: de vertegenwoordiging is niet meer geldig. U ziet uw eigen gegevens.",
            "You no longer act for the person you chose: the representation is no longer in force. You see your own data.",
        ));
    }
    if let Some(r) = &me.acting {
        let who = r.label.as_deref().unwrap_or(lang.t(
            "de persoon die u vertegenwoordigt",
            "the person you represent",
        ));
        page = page.raw(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>\
             <form method=\"post\" action=\"/mijn/namens\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"vertegenwoordiging\" value=\"\">\
             <button type=\"submit\" class=\"secondary\">{}</button></form>",
            escape(&match lang {
                Lang::Nl => format!(
                    "U bekijkt en beheert de gegevens van {who}, als {}. Wat u hier doet, wordt vastgelegd als gedaan door de vertegenwoordiger.",
                    role_name(lang, r)
                ),
                Lang::En => format!(
                    "You are viewing and managing the data of {who}, as {}. What you do here is recorded as done by the representative.",
                    role_name(lang, r)
                ),
            }),
            lang.t("Terug naar mijn eigen gegevens", "Back to my own data"),
        ));
    }
    if let Some(id) = q
        .ingetrokken
        .filter(|id| consents.iter().any(|c| &c.id == id))
    {
        page = page.notice(&match lang {
            Lang::Nl => format!(
                "Uw toestemming {id} is ingetrokken. Vanaf nu worden er geen gegevens meer op grond van deze toestemming gedeeld."
            ),
            Lang::En => format!(
                "Your consent {id} has been revoked. From now on no data is shared on the strength of it."
            ),
        });
    }
    if let Some(r) = q
        .geweigerd
        .and_then(|id| refusals.iter().find(|r| r.id == id))
    {
        page = page.notice(&match lang {
            Lang::Nl => format!(
                "Vastgelegd (weigering {}): {}. Dit gaat voor elke toestemming.",
                r.id,
                refusal_text(state, lang, r)
            ),
            Lang::En => format!(
                "Recorded (refusal {}): {}. This overrides any consent.",
                r.id,
                refusal_text(state, lang, r)
            ),
        });
    }
    if let Some(id) = q
        .opgeheven
        .filter(|id| refusals.iter().any(|r| &r.id == id))
    {
        page = page.notice(&match lang {
            Lang::Nl => format!("Uw weigering {id} is opgeheven."),
            Lang::En => format!("Your refusal {id} has been lifted."),
        });
    }
    page = page.raw(lang.t(
        "<p><a href=\"/mijn/download\" download>Download alles wat over u is vastgelegd</a> (een JSON-bestand, art. 15 AVG)</p>\
         <h2>Uw toestemmingen</h2>",
        "<p><a href=\"/mijn/download\" download>Download everything recorded about you</a> (a JSON file, art. 15 GDPR)</p>\
         <h2>Your consents</h2>",
    ));
    if consents.is_empty() {
        page = page.paragraph(lang.t(
            "U heeft geen toestemmingen gegeven.",
            "You have not given any consent.",
        ));
    }
    for c in &consents {
        page = page.raw(&consent_card(state, lang, c, now, true));
    }
    page = page.raw(lang.t(
        "<h2>Wat er over u gedeeld is</h2>",
        "<h2>What was shared about you</h2>",
    ));
    let visible: Vec<&Disclosure> = disclosures.iter().filter(|d| d.shown_at(now)).collect();
    if visible.is_empty() {
        page = page.paragraph(lang.t(
            "Er zijn nog geen gegevens over u gedeeld.",
            "No data about you has been shared yet.",
        ));
    }
    let checkpoint = state.log.latest().await.ok().flatten();
    for d in visible.into_iter().rev() {
        let explained = crate::contract::explain(d, &state.register);
        let explained = match lang {
            Lang::Nl => explained.nl,
            Lang::En => explained.en,
        };
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
        let check = match (proven, lang) {
            (true, Lang::Nl) => "Gecontroleerd in het openbare logboek",
            (false, Lang::Nl) => "Nog niet gecontroleerd in het openbare logboek",
            (true, Lang::En) => "Verified in the public log",
            (false, Lang::En) => "Not yet verified in the public log",
        };
        // Shared on another basis than their consent: said first, the explanation says why.
        let basis = if d.legal_basis == policies::LegalBasis::Consent {
            String::new()
        } else {
            format!(
                "<p class=\"status\">{}</p>",
                lang.t(
                    "Gedeeld zonder uw toestemming",
                    "Shared without your consent"
                )
            )
        };
        page = page.raw(&format!(
            "<article class=\"card\" data-bewijs=\"/mijn/verstrekkingen/{id}/bewijs\">{basis}<p>{}</p>\
             <p class=\"meta\">{}<span class=\"browsercheck\" aria-live=\"polite\"></span> · {entry} {} · \
             <a href=\"/mijn/verstrekkingen/{id}/bewijs\" download>{download}<span class=\"visually-hidden\"> ({entry} {})</span></a></p></article>",
            escape(&explained),
            check,
            d.log_index,
            d.log_index,
            id = escape(&d.id),
            entry = lang.t("registratie", "entry"),
            download = lang.t("Download het bewijs", "Download the evidence"),
        ));
    }
    page = page.raw(&refusals_section(state, lang, &refusals, &csrf));
    page = page.raw(&representations_section(
        state,
        lang,
        &me.own,
        &representations,
        now,
        &csrf,
    ));
    page = page.raw(lang.t("<h2>Uw rechten</h2><ul>", "<h2>Your rights</h2><ul>"));
    for right in crate::contract::rights_list() {
        let text = match lang {
            Lang::Nl => &right.nl,
            Lang::En => &right.en,
        };
        page = page.raw(&format!("<li>{}</li>", escape(text)));
    }
    page.raw("</ul>")
        .script(CONTROLE_JS)
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/uitloggen\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\" class=\"secondary\">{}</button></form>",
            lang.t("Uitloggen", "Log out")
        ))
        .respond(StatusCode::OK)
}

/// One consent as the Amsterdammer reads it; `offer_revoke`: with the button that starts revoking.
fn consent_card(
    state: &AppState,
    lang: Lang,
    c: &Consent,
    now: chrono::DateTime<chrono::Utc>,
    offer_revoke: bool,
) -> String {
    let register = &state.register;
    let partner = |id: &String| {
        register
            .partner(id)
            .map_or_else(|| kind_name(lang, id), |p| p.name.clone())
    };
    let names = |ids: &[String], f: &dyn Fn(&String) -> String| {
        ids.iter().map(f).collect::<Vec<_>>().join(", ")
    };
    let status = c.status_at(now);
    let label = match status.as_str() {
        "active" => lang.t("Geldig", "Valid"),
        "pending" => lang.t("Wacht op uw bevestiging", "Awaiting your confirmation"),
        "revoked" => lang.t("Ingetrokken", "Revoked (ingetrokken)"),
        "expired" => lang.t("Verlopen", "Expired"),
        "superseded" => lang.t(
            "Vervangen door een nieuwe versie",
            "Replaced by a new version",
        ),
        _ => lang.t("Geweigerd", "Refused"),
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
             <button type=\"submit\">{}</button></form>",
            escape(&c.id),
            lang.t("Toestemming intrekken", "Revoke consent (intrekken)")
        )
    } else {
        String::new()
    };
    format!(
        "<article class=\"card\"><p class=\"status\">{label}</p>\
         <p><strong>{}</strong> {}</p>\
         <p><strong>{}</strong> {}</p>\
         <p><strong>{}</strong> {}</p>\
         <p><strong>{}</strong> {}</p>{action}</article>",
        lang.t("Wie mag gegevens krijgen:", "Who may receive data:"),
        escape(&names(&c.recipients, &partner)),
        lang.t("Welke gegevens:", "Which data:"),
        escape(&categories),
        lang.t("Waarvoor:", "What for:"),
        escape(&activities),
        lang.t("Geldig tot:", "Valid until:"),
        c.valid_until.format("%d-%m-%Y"),
    )
}

/// A consent of the person whose page this is, within a representative's role.
async fn my_consent(state: &AppState, me: &Me, id: &str) -> Option<Consent> {
    state.store.consent(id).await.ok().flatten().filter(|c| {
        c.subject == *me.subject() && me.viewer().covers(&state.register, &c.categories)
    })
}

async fn confirm_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path(id): Path<String>,
) -> Response {
    let lang = Lang::of(&headers, None);
    let Some(c) = my_consent(&state, &me, &id).await else {
        return not_yours(lang);
    };
    let csrf = MIJN.csrf(&state, &me.session);
    Page::new(lang.t("Toestemming intrekken", "Revoke consent"))
        .lang(lang.code())
        .paragraph(lang.t(
            "Weet u zeker dat u deze toestemming wilt intrekken? Daarna worden er geen gegevens meer op grond van deze toestemming gedeeld. Wat al gedeeld is, blijft zichtbaar in uw overzicht.",
            "Are you sure you want to revoke this consent? After that, no data is shared on the strength of it. What was already shared stays visible in your overview.",
        ))
        .raw(&consent_card(&state, lang, &c, state.clock.now(), false))
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/toestemmingen/{}/intrekken\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\">{}</button></form>\
             <p><a href=\"/mijn\">{}</a></p>",
            escape(&id),
            lang.t("Ja, toestemming intrekken", "Yes, revoke consent (intrekken)"),
            lang.t("Nee, terug naar Mijn gegevens", "No, back to My data"),
        ))
        .respond(StatusCode::OK)
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let Some(c) = my_consent(&state, &me, &id).await else {
        return not_yours(Lang::of(&headers, None));
    };
    if me
        .viewer()
        .may_undo(&state.register, c.grantor == consent::Grantor::Subject)
        .is_err()
    {
        return own_choice(Lang::of(&headers, None));
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

/// What a refusal says.
fn refusal_text(state: &AppState, lang: Lang, r: &consent::Refusal) -> String {
    let mut parts = Vec::new();
    let never = lang.t("nooit", "never");
    if let Some(recipient) = &r.recipient {
        parts.push(format!(
            "{never} {} {}",
            lang.t("aan", "to"),
            party_name(state, lang, recipient)
        ));
    }
    if let Some(category) = &r.category {
        let name = state
            .register
            .category(category)
            .map_or_else(|| category.clone(), |c| c.name.to_lowercase());
        parts.push(format!("{never} {name}"));
    }
    if let Some(activity) = &r.activity {
        let name = state
            .register
            .activity(activity)
            .map_or_else(|| activity.clone(), |a| a.purpose.clone());
        parts.push(format!("{never} {} {name}", lang.t("voor", "for")));
    }
    parts.join(", ")
}

/// "Vastgelegd op 01-12-2026 door Buurtteam Centrum-West": `by` as stored, `amsterdammer` ("u"),
/// `amsterdammer/<representation>` ("uw vertegenwoordiger") or `<partner>[/<professional>]`.
fn who_when(
    state: &AppState,
    lang: Lang,
    what: &str,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> String {
    let by = match by.split_once('/') {
        None if by == consent::AMSTERDAMMER => lang.t("u", "you").to_owned(),
        Some((consent::AMSTERDAMMER, _)) => lang
            .t("uw vertegenwoordiger", "your representative")
            .to_owned(),
        Some((partner, _)) => party_name(state, lang, partner),
        None => party_name(state, lang, by),
    };
    format!(
        "{what} {} {} {} {by}",
        lang.t("op", "on"),
        at.format("%d-%m-%Y"),
        lang.t("door", "by")
    )
}

/// Who recorded refusal `r`, and when.
fn recorded(state: &AppState, lang: Lang, r: &consent::Refusal) -> String {
    let by = match &r.representation {
        Some(id) if r.recorded_by_partner == consent::AMSTERDAMMER => {
            format!("{}/{id}", consent::AMSTERDAMMER)
        }
        _ => r.recorded_by_partner.clone(),
    };
    who_when(
        state,
        lang,
        lang.t("Vastgelegd", "Recorded"),
        &by,
        r.created_at,
    )
}

/// A partner by name, or a kind of partner.
fn party_name(state: &AppState, lang: Lang, id: &str) -> String {
    state
        .register
        .partner(id)
        .map_or_else(|| kind_name(lang, id), |p| p.name.clone())
}

fn kind_name(lang: Lang, kind: &str) -> String {
    match lang {
        Lang::Nl => format!("alle organisaties van de soort {kind}"),
        Lang::En => format!("every organisation of the kind {kind}"),
    }
}

/// The refusals in force, each with a button to lift it, and the form to record one.
fn refusals_section(
    state: &AppState,
    lang: Lang,
    refusals: &[consent::Refusal],
    csrf: &str,
) -> String {
    let mut html = String::from(lang.t(
        "<h2>Nooit delen</h2><p>U kunt vastleggen dat uw gegevens nooit met een organisatie gedeeld \
         mogen worden. Dat gaat voor elke toestemming, ook een die u eerder gaf.</p>",
        "<h2>Never share</h2><p>You can record that your data may never be shared with an \
         organisation. That overrides any consent, including one you gave before.</p>",
    ));
    // In force first, each with its button; then the lifted ones, which say who lifted them.
    let (in_force, lifted): (Vec<_>, Vec<_>) =
        refusals.iter().partition(|r| r.withdrawn_at.is_none());
    for r in in_force {
        html.push_str(&format!(
            "<article class=\"card\"><p class=\"status\">{}</p><p>{}</p>\
             <p class=\"meta\">{}</p>\
             <form method=\"post\" action=\"/mijn/weigeringen/{id}/opheffen\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\" class=\"secondary\">{}</button></form></article>",
            lang.t("Geweigerd", "Refused"),
            escape(&refusal_text(state, lang, r)),
            escape(&recorded(state, lang, r)),
            lang.t("Weigering opheffen", "Lift this refusal"),
            id = escape(&r.id),
        ));
    }
    for r in lifted {
        let lifted_by = r.withdrawn_by.as_deref().unwrap_or(consent::AMSTERDAMMER);
        html.push_str(&format!(
            "<article class=\"card\"><p class=\"status\">{}</p><p>{}</p><p class=\"meta\">{}; {}</p></article>",
            lang.t("Opgeheven", "Lifted"),
            escape(&refusal_text(state, lang, r)),
            escape(&recorded(state, lang, r)),
            escape(&who_when(
                state,
                lang,
                lang.t("opgeheven", "lifted"),
                lifted_by,
                r.withdrawn_at.unwrap_or(r.created_at),
            )),
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
    for kind in state
        .register
        .kinds()
        .into_iter()
        .filter(|k| state.register.partner(k).is_none())
    {
        options.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            escape(kind),
            escape(&party_name(state, lang, kind))
        ));
    }
    html.push_str(&format!(
        "<form method=\"get\" action=\"/mijn/weigeren\"><label for=\"ontvanger\">{}</label>\
         <select id=\"ontvanger\" name=\"ontvanger\" required>{options}</select>\
         <button type=\"submit\">{}</button></form>",
        lang.t("Nooit delen met", "Never share with"),
        lang.t("Weigering vastleggen", "Record the refusal"),
    ));
    html
}

/// Whom the Amsterdammer acts for, and who acts for them (never by name: the gateway keeps none).
fn representations_section(
    state: &AppState,
    lang: Lang,
    me: &SubjectId,
    representations: &[consent::Representation],
    now: chrono::DateTime<chrono::Utc>,
    csrf: &str,
) -> String {
    if representations.is_empty() {
        return String::new();
    }
    let role = |r: &consent::Representation| role_name(lang, r);
    let status = |r: &consent::Representation| {
        if r.ended_at.is_some() {
            lang.t("beëindigd", "ended")
        } else if now >= r.valid_until {
            lang.t("verlopen", "expired")
        } else if r.awaits_confirmation() {
            lang.t("wacht op bevestiging", "awaiting confirmation")
        } else if now < r.valid_from {
            lang.t("nog niet ingegaan", "not yet in force")
        } else {
            lang.t("geldig", "valid")
        }
    };
    let mut html = String::new();
    let (mine, for_me): (Vec<_>, Vec<_>) = representations
        .iter()
        .partition(|r| r.representative == *me);
    if !mine.is_empty() {
        html.push_str(lang.t(
            "<h2>Voor wie u optreedt</h2><ul>",
            "<h2>Whom you act for</h2><ul>",
        ));
        for r in mine {
            let who = r
                .label
                .as_deref()
                .unwrap_or(lang.t("een persoon", "a person"));
            let (role, status, until) = (role(r), status(r), r.valid_until.format("%d-%m-%Y"));
            let by = party_name(state, lang, &r.recorded_by_partner);
            let text = escape(&match lang {
                Lang::Nl => {
                    format!("Als {role} van {who} ({status}), tot {until}; vastgelegd door {by}.")
                }
                Lang::En => {
                    format!("As {role} of {who} ({status}), until {until}; recorded by {by}.")
                }
            });
            let act = if r.in_force_at(now) {
                format!(
                    "<form method=\"post\" action=\"/mijn/namens\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"vertegenwoordiging\" value=\"{}\">\
                     <button type=\"submit\" class=\"secondary\">{} {}</button></form>",
                    escape(&r.id),
                    lang.t(
                        "Bekijk en beheer de gegevens van",
                        "View and manage the data of"
                    ),
                    escape(who),
                )
            } else {
                String::new()
            };
            html.push_str(&format!("<li>{text}{act}</li>"));
        }
        html.push_str("</ul>");
    }
    if !for_me.is_empty() {
        html.push_str(lang.t(
            "<h2>Wie voor u optreedt</h2><ul>",
            "<h2>Who acts for you</h2><ul>",
        ));
        for r in for_me {
            let (role, status, until) = (role(r), status(r), r.valid_until.format("%d-%m-%Y"));
            let by = party_name(state, lang, &r.recorded_by_partner);
            let text = escape(&match lang {
                Lang::Nl => format!(
                    "Een {role} ({status}), tot {until}; vastgelegd door {by}, op grond van: {}. Wie dat is, weet die organisatie.",
                    r.basis
                ),
                Lang::En => format!(
                    "A {role} ({status}), until {until}; recorded by {by}, on the basis of: {}. That organisation knows who it is.",
                    r.basis
                ),
            });
            let form = |action: &str, label: &str, class: &str| {
                format!(
                    "<form method=\"post\" action=\"/mijn/vertegenwoordiging/{}/{action}\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <button type=\"submit\"{class}>{label}</button></form>",
                    escape(&r.id)
                )
            };
            let mut actions = String::new();
            if r.awaits_confirmation() {
                actions.push_str(&form(
                    "bevestigen",
                    lang.t("Klopt, bevestigen", "Correct, confirm"),
                    "",
                ));
            }
            if r.ended_at.is_none() && now < r.valid_until {
                actions.push_str(&form(
                    "beeindigen",
                    lang.t(
                        "Klopt niet of niet meer: beëindigen",
                        "Not (or no longer) correct: end it",
                    ),
                    " class=\"secondary\"",
                ));
            }
            html.push_str(&format!("<li>{text}{actions}</li>"));
        }
        html.push_str("</ul>");
    }
    html
}

/// A representative's role, in words.
fn role_name(lang: Lang, r: &consent::Representation) -> String {
    match r.role.as_str() {
        "parent" => lang.t("ouder met gezag", "parent with parental authority"),
        "guardian" => lang.t("voogd", "guardian"),
        "mentor" => "mentor",
        "curator" => "curator",
        "bewindvoerder" => lang.t("bewindvoerder", "financial administrator (bewindvoerder)"),
        other => other,
    }
    .to_owned()
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
    me: Me,
    Query(q): Query<RefusalQuery>,
) -> Response {
    let lang = Lang::of(&headers, None);
    if state.register.party(&q.ontvanger).is_none() {
        return Page::new(lang.t("Niet gevonden", "Not found"))
            .lang(lang.code())
            .paragraph(lang.t(
                "Deze organisatie kennen we niet.",
                "We do not know this organisation.",
            ))
            .respond(StatusCode::NOT_FOUND);
    }
    let name = party_name(&state, lang, &q.ontvanger);
    let csrf = MIJN.csrf(&state, &me.session);
    Page::new(lang.t("Weigering vastleggen", "Record a refusal"))
        .lang(lang.code())
        .paragraph(&match lang {
            Lang::Nl => format!(
                "Weet u zeker dat uw gegevens nooit met {name} gedeeld mogen worden? Dit gaat voor elke \
                 toestemming. U kunt de weigering later weer opheffen."
            ),
            Lang::En => format!(
                "Are you sure your data may never be shared with {name}? This overrides any consent. \
                 You can lift the refusal later."
            ),
        })
        .raw(&format!(
            "<form method=\"post\" action=\"/mijn/weigeren\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"ontvanger\" value=\"{}\">\
             <button type=\"submit\">{} {}</button></form>\
             <p><a href=\"/mijn\">{}</a></p>",
            escape(&q.ontvanger),
            lang.t("Ja, nooit delen met", "Yes, never share with"),
            escape(&name),
            lang.t("Nee, terug naar Mijn gegevens", "No, back to My data"),
        ))
        .respond(StatusCode::OK)
}

async fn refuse(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Form(form): Form<RefusalForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let body = crate::contract::MyRefusalRequest {
        recipient: Some(form.ontvanger),
        category: None,
        activity: None,
        note: None,
    };
    match crate::service::refusals::refuse_as(&state, me.viewer(), body).await {
        Ok(r) => see_other(&format!("/mijn?geweigerd={}", r.id)),
        Err(e) if e.code == "outside_representation" => outside_role(Lang::of(&headers, None)),
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
    me: Me,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let lang = Lang::of(&headers, None);
    match crate::service::refusals::withdraw(&state, me.viewer(), &id).await {
        Ok(_) => see_other(&format!("/mijn?opgeheven={id}")),
        Err(e) if e.status == StatusCode::NOT_FOUND => not_yours(lang),
        Err(e) if e.code == "outside_representation" => outside_role(lang),
        Err(e) if e.code == "own_choice" => own_choice(lang),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not withdraw a refusal");
            unavailable("Het opheffen is niet gelukt.")
        }
    }
}

/// A change to a representation, always as the signed-in person themselves: `bevestigen`, the
/// person represented confirms it; `beeindigen`, either person ends it (the person represented
/// contests it, or the representative stops acting).
async fn change_representation(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let lang = Lang::of(&headers, None);
    use crate::service::representations::{confirm_as_represented, end_as_person};
    let done = match action.as_str() {
        "bevestigen" => confirm_as_represented(&state, &me.own, &id).await,
        "beeindigen" => end_as_person(&state, &me.own, &id).await,
        _ => return not_yours(lang),
    };
    match done {
        Ok(_) => see_other("/mijn"),
        Err(e) if e.status == StatusCode::CONFLICT => see_other("/mijn"),
        Err(e) if e.status == StatusCode::NOT_FOUND => not_yours(lang),
        Err(e) => {
            tracing::error!(
                code = e.code,
                "the portal could not change a representation"
            );
            unavailable("Het is niet gelukt.")
        }
    }
}

#[derive(Debug, Deserialize)]
struct ActForForm {
    csrf: String,
    /// A representation id; empty: oneself again.
    vertegenwoordiging: String,
}

/// Acts for the person of a representation in force (or for oneself again): the session says so.
async fn act_for(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: Me,
    Form(form): Form<ActForForm>,
) -> Response {
    if !me.posted(&state, &form.csrf) {
        return forbidden();
    }
    let id = form.vertegenwoordiging.trim();
    if id.is_empty() {
        return MIJN.switch(&state, &me.session, me.own.as_str()).await;
    }
    match crate::auth::acting_under(&state, &me.own, id).await {
        Ok(Some(r)) => {
            tracing::info!(representation_id = %r.id, "acting for a represented person");
            MIJN.switch(
                &state,
                &me.session,
                &format!("{}\n{}", me.own.as_str(), r.id),
            )
            .await
        }
        Ok(None) => not_yours(Lang::of(&headers, None)),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not read a representation");
            unavailable("Uw gegevens zijn nu niet te lezen.")
        }
    }
}

/// Everything held about the Amsterdammer (art. 15 AVG), the same file as `GET /v1/me/export`.
async fn download(State(state): State<AppState>, me: Me) -> Response {
    match crate::service::evidence::export(&state, me.viewer()).await {
        Ok(export) => crate::json::attachment(&export, "mijn-gegevens.json"),
        Err(e) => {
            tracing::error!(code = e.code, "the portal could not export");
            unavailable("Het downloaden is niet gelukt.")
        }
    }
}

/// The evidence bundle of one entry, the same file as `GET /v1/me/disclosures/{id}/bundle`.
async fn evidence(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    match crate::service::evidence::bundle(&state, me.viewer(), &id).await {
        Ok(bundle) => crate::json::attachment(&bundle, &format!("bewijs-{id}.json")),
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
