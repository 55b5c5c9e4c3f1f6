//! The privacy officers' console `/audit` (issue 10), as an officer uses it: the development login
//! with a field `Organisatie`; the overview with the ledger's integrity, anomalies and charts; the
//! disclosures with filters and their CSV; the refused requests with their vuistregels; the review
//! queue, where a review needs the form's CSRF token and a note, and lands where the API sees it;
//! the deferrals. An officer sees only their own organisation unless it is city-wide.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tests::{BSN, Db, OTHER_BSN, TestApp, Visitor};

const OUDERS: &str = "gezinsondersteuning-ouders";
const MELDING: &str = "melding-zorg-en-woonoverlast";
const JUSTIFICATION: &str = "Buren melden stankoverlast; bewoner reageert niet.";

/// A permitted exchange, a refused one (no consent for OTHER_BSN), and a melding on a public task.
async fn traffic(app: &TestApp) -> String {
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    for (bsn, expected) in [(BSN, 200), (OTHER_BSN, 403)] {
        let (status, body) = app
            .post_as(
                "okt-amsterdam",
                "okt-medewerker",
                "/v1/exchange",
                &json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
                        "categories": ["contact"]}),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, delivered) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
                "activity": MELDING, "justification": JUSTIFICATION,
                "data": {"contact": {"naam": "Jan de Vries", "adres": "Voorbeeldstraat 1"},
                         "veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"}}}),
        )
        .await;
    assert_eq!(status, 200, "{delivered}");
    delivered["disclosure_id"].as_str().unwrap().to_owned()
}

/// Signs in through the development login as an officer of `organisation`.
async fn officer(app: &TestApp, organisation: &str) -> Visitor {
    let mut visitor = app.visitor();
    let login = visitor.get("/audit/login").await;
    assert_eq!(login.status, 200);
    assert!(
        login
            .body
            .contains("<label for=\"organisatie\">Organisatie</label>")
            && login.body.contains("Inloggen"),
        "{}",
        login.body
    );
    let signed_in = visitor
        .post("/audit/login", &[("organisatie", organisation)])
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location.as_deref(), Some("/audit"));
    visitor
}

async fn an_officer_reads_the_traffic_and_reviews_a_disclosure_in_the_console(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let melding = traffic(&app).await;

    let mut okt = officer(&app, "okt-amsterdam").await;
    let overview = okt.get("/audit").await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("In orde"), "{}", overview.body);
    assert!(overview.body.contains("<svg"), "charts are drawn");
    let denied = okt.get("/audit/weigeringen").await;
    assert_eq!(denied.status, 200);
    assert!(
        denied.body.contains("Vuistregel 8") && denied.body.contains("geen geldige toestemming"),
        "{}",
        denied.body
    );
    assert!(!denied.body.contains(OTHER_BSN) && !denied.body.contains(BSN));
    // The melding is between the buurtteam and the Meldpunt: not the OKT's to see.
    let queue = okt.get("/audit/beoordelen").await;
    assert!(
        queue.body.contains("Er is niets te beoordelen"),
        "{}",
        queue.body
    );

    let mut buurtteam = officer(&app, "bt-centrum-west").await;
    let queue = buurtteam.get("/audit/beoordelen").await;
    assert!(
        queue.body.contains(JUSTIFICATION) && queue.body.contains("Nog niet beoordeeld"),
        "{}",
        queue.body
    );
    let path = format!("/audit/beoordelen/{melding}");

    // A form without the session's CSRF token is refused, and so is one without a note.
    let forged = buurtteam
        .post(
            &path,
            &[
                ("csrf", "forged"),
                ("uitkomst", "approve"),
                ("toelichting", "Akkoord, zie dossier."),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let short = buurtteam
        .post(&path, &[("uitkomst", "approve"), ("toelichting", "ok")])
        .await;
    assert_eq!(short.status, 400);
    assert!(short.body.contains("minstens 10 tekens"), "{}", short.body);
    let saved = buurtteam
        .post(
            &path,
            &[
                ("uitkomst", "flag"),
                ("toelichting", "Geen spoed: eerst bewoner benaderen."),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = buurtteam.get(saved.location.as_deref().unwrap()).await;
    assert!(after.body.contains("is opgeslagen"), "{}", after.body);
    assert!(
        after.body.contains("Er is niets te beoordelen"),
        "pending only by default"
    );
    let all = buurtteam.get("/audit/beoordelen?status=all").await;
    assert!(
        all.body.contains("Gemarkeerd voor onderzoek"),
        "{}",
        all.body
    );

    // The API sees the same review, by the console's officer.
    let (status, reviews) = app
        .get_as(
            "bt-centrum-west",
            "privacy_officer",
            "/v1/audit/reviews?status=all",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(reviews[0]["status"], "flagged");
    assert_eq!(
        reviews[0]["reviews"][0]["by"],
        "functionaris-ontwikkellogin"
    );
    assert_eq!(
        reviews[0]["reviews"][0]["note"],
        "Geen spoed: eerst bewoner benaderen."
    );

    // Disclosures, filtered, and as CSV with the same filter.
    let listed = buurtteam
        .get("/audit/verstrekkingen?grondslag=public_task")
        .await;
    assert!(
        listed.body.contains("1 verstrekking(en)") && listed.body.contains("Publieke taak"),
        "{}",
        listed.body
    );
    let csv = buurtteam
        .get("/audit/verstrekkingen.csv?grondslag=public_task")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[0].starts_with("at,log_index,mode,from,to,activity,legal_basis"));
    assert!(
        lines[1].contains(&format!("\"{JUSTIFICATION}\"")) || lines[1].contains(JUSTIFICATION),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("bt-centrum-west,meldpunt-zorg-woonoverlast"));
    assert!(!csv.body.contains(BSN) && !csv.body.contains("Jan de Vries"));
    let bad = buurtteam.get("/audit/verstrekkingen?van=gisteren").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("een datum"), "{}", bad.body);

    // Another organisation's officer (not city-wide) sees none of it.
    let mut wpi = officer(&app, "wpi").await;
    let theirs = wpi.get("/audit/verstrekkingen").await;
    assert!(
        theirs.body.contains("Geen verstrekkingen gevonden"),
        "{}",
        theirs.body
    );
    let theirs = wpi.get("/audit/verstrekkingen.csv").await;
    assert_eq!(theirs.body.lines().count(), 1);
    let not_theirs = wpi
        .post(
            &path,
            &[
                ("uitkomst", "approve"),
                ("toelichting", "Akkoord, zie dossier."),
            ],
        )
        .await;
    assert_eq!(not_theirs.status, 404);

    // Every read was recorded, as through the API.
    assert!(app.count("audit_reads").await >= 8);

    // Signing out ends the session.
    let out = buurtteam.post("/audit/uitloggen", &[]).await;
    assert_eq!(out.status, 303);
    let gone = buurtteam.get("/audit").await;
    assert_eq!(gone.location.as_deref(), Some("/audit/login"));
    app.stop().await;
}

async fn console_pages_without_a_session_go_to_the_login(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut stranger = app.visitor();
    for path in [
        "/audit",
        "/audit/verstrekkingen",
        "/audit/verstrekkingen.csv",
        "/audit/weigeringen",
        "/audit/beoordelen",
        "/audit/uitgesteld",
    ] {
        let page = stranger.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location.as_deref(), Some("/audit/login"), "{path}");
    }
    // A resident's session is no officer's session.
    let mut resident = app.visitor();
    resident.get("/mijn/login").await;
    let signed_in = resident.post("/mijn/login", &[("bsn", BSN)]).await;
    assert_eq!(signed_in.status, 303);
    assert!(resident.cookie("mijn_sessie").is_some());
    let page = resident.get("/audit").await;
    assert_eq!(page.location.as_deref(), Some("/audit/login"));

    // A login form without its CSRF token, or for an unknown organisation, signs no one in.
    let mut visitor = app.visitor();
    visitor.get("/audit/login").await;
    let forged = visitor
        .post(
            "/audit/login",
            &[("csrf", "forged"), ("organisatie", "wpi")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let unknown = visitor
        .post("/audit/login", &[("organisatie", "niemand")])
        .await;
    assert_eq!(unknown.status, 400);
    assert!(visitor.cookie("audit_sessie").is_none());
    app.stop().await;
}

async fn the_development_login_is_off_unless_configured(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        config.portal.dev_login = false;
    })
    .await
    else {
        return;
    };
    let mut visitor = app.visitor();
    assert_eq!(visitor.get("/audit/login").await.status, 404);
    assert_eq!(visitor.get("/mijn/login").await.status, 404);
    app.stop().await;
}

/// `count` valid BSNs (11-proef).
fn bsns(count: usize) -> Vec<String> {
    (100_000_000u64..)
        .map(|n| n.to_string())
        .filter(|n| policies::Bsn::parse(n).is_ok())
        .take(count)
        .collect()
}

async fn the_console_points_at_a_sweep_late_lookups_and_requests_after_a_revocation(db: Db) {
    // Saturday 28 November 2026, 23:10 in Amsterdam.
    let start: DateTime<Utc> = "2026-11-28T22:10:00Z".parse().unwrap();
    let clock = Arc::new(consent::FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |_, _| {}).await else {
        return;
    };
    let exchange = |bsn: &str| {
        json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
               "categories": ["contact"]})
    };
    // One professional asks about 30 different Amsterdammers within the hour, at night.
    for (i, bsn) in bsns(30).iter().enumerate() {
        clock.set(start + Duration::seconds(60 * i as i64));
        let (status, _) = app
            .post_by(
                "okt-amsterdam",
                "nachtuil",
                "okt-medewerker",
                "/v1/exchange",
                &exchange(bsn),
            )
            .await;
        assert_eq!(status, 403);
    }
    // Another asks after the Amsterdammer revoked.
    clock.set(start + Duration::hours(2));
    let consent_id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, body) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{consent_id}/revoke"))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .post_by(
            "okt-amsterdam",
            "volhouder",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(BSN),
        )
        .await;
    assert_eq!(status, 403);

    let mut okt = officer(&app, "okt-amsterdam").await;
    let overview = okt.get("/audit").await;
    assert_eq!(overview.status, 200);
    let body = overview.body;
    let row = |kind: &str, who: &str| {
        body.split("<tr>")
            .any(|row| row.contains(kind) && row.contains(who))
    };
    assert!(
        row("Veel verschillende Amsterdammers in korte tijd", "nachtuil"),
        "{body}"
    );
    assert!(
        row("Veel meer verzoeken dan gewoonlijk", "nachtuil"),
        "{body}"
    );
    assert!(row("Verzoeken buiten werktijd", "nachtuil"), "{body}");
    assert!(
        row("Verzoek na intrekking van de toestemming", "volhouder"),
        "{body}"
    );
    assert!(
        !row(
            "Veel verschillende Amsterdammers in korte tijd",
            "volhouder"
        ),
        "{body}"
    );
    app.stop().await;
}

async fn an_officer_shows_a_deferred_entry_to_the_amsterdammer_now(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let until = Utc::now() + Duration::days(30);
    let (status, sent) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
                "activity": MELDING, "justification": JUSTIFICATION,
                "data": {"contact": {"naam": "Jan de Vries"}},
                "defer_notice": {"until": until.to_rfc3339(),
                                 "reason": "Melding huiselijk geweld; de pleger woont in hetzelfde huis."}}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let id = sent["disclosure_id"].as_str().unwrap();
    let hidden = |body: &serde_json::Value| body.as_array().unwrap().is_empty();
    assert!(hidden(
        &app.get_as_citizen(BSN, "/v1/me/disclosures").await.1
    ));

    let mut buurtteam = officer(&app, "bt-centrum-west").await;
    let listed = buurtteam.get("/audit/uitgesteld").await;
    assert!(
        listed.body.contains("pleger woont in hetzelfde huis") && listed.body.contains("Nu tonen"),
        "{}",
        listed.body
    );
    // Not without the form's token; not for another organisation's officer.
    let path = format!("/audit/uitgesteld/{id}");
    assert_eq!(
        buurtteam.post(&path, &[("csrf", "forged")]).await.status,
        403
    );
    let mut other = officer(&app, "wpi").await;
    other.get("/audit/uitgesteld").await;
    assert_eq!(other.post(&path, &[]).await.status, 404);
    assert!(hidden(
        &app.get_as_citizen(BSN, "/v1/me/disclosures").await.1
    ));

    let shown = buurtteam.post(&path, &[]).await;
    assert_eq!(shown.status, 303, "{}", shown.body);
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(mine[0]["id"], id, "the Amsterdammer sees it now");
    let after = buurtteam.get("/audit/uitgesteld").await;
    assert!(!after.body.contains("Nu tonen<"), "{}", after.body);
    app.stop().await;
}

/// Splits CSV text the way a spreadsheet does with `separator`: quotes are honoured, a doubled
/// quote is one quote.
fn spreadsheet_cells(text: &str, separator: char) -> Vec<String> {
    let (mut cells, mut cell, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if !quoted && (c == separator || c == '\n') => {
                cells.push(std::mem::take(&mut cell).trim_end_matches('\r').to_owned())
            }
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// A professional's name and a justification are the partner's text, and they reach the officer's
/// spreadsheet: split on `,` (RFC 4180) or on `;` (a Dutch-locale spreadsheet), no cell of the
/// export may start a formula.
async fn no_cell_of_the_csv_export_becomes_a_formula_in_any_locale(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let justification = "Controle bij bewoner;=1+1;@SUM(1+1),-2+3;+cmd|' /C calc'!A0";
    let (status, body) = app
        .post_by(
            "bt-centrum-west",
            "-2+3;=1+1",
            "buurtteammedewerker",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
                "activity": MELDING, "justification": justification,
                "data": {"veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut buurtteam = officer(&app, "bt-centrum-west").await;
    let csv = buurtteam.get("/audit/verstrekkingen.csv").await;
    assert_eq!(csv.status, 200);
    for separator in [',', ';'] {
        let cells = spreadsheet_cells(&csv.body, separator);
        let live: Vec<_> = cells
            .iter()
            .filter(|c| c.starts_with(['=', '+', '-', '@']))
            .collect();
        assert!(live.is_empty(), "split on {separator:?}: {live:?}");
    }
    let rfc = spreadsheet_cells(&csv.body, ',');
    assert!(
        rfc.iter().any(|c| c == justification),
        "the justification is one cell, whole: {rfc:?}"
    );
    assert!(rfc.iter().any(|c| c == "'-2+3;=1+1"), "{rfc:?}");
    app.stop().await;
}

tests::both_databases! {
    no_cell_of_the_csv_export_becomes_a_formula_in_any_locale =>
        no_cell_of_the_csv_export_becomes_a_formula_in_any_locale;
    an_officer_shows_a_deferred_entry_to_the_amsterdammer_now =>
        an_officer_shows_a_deferred_entry_to_the_amsterdammer_now;
    an_officer_reads_the_traffic_and_reviews_a_disclosure_in_the_console =>
        an_officer_reads_the_traffic_and_reviews_a_disclosure_in_the_console;
    console_pages_without_a_session_go_to_the_login =>
        console_pages_without_a_session_go_to_the_login;
    the_development_login_is_off_unless_configured =>
        the_development_login_is_off_unless_configured;
    the_console_points_at_a_sweep_late_lookups_and_requests_after_a_revocation =>
        the_console_points_at_a_sweep_late_lookups_and_requests_after_a_revocation;
}
