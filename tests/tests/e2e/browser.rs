//! The web pages in a real browser (issue 10): a partner discloses, the Amsterdammer logs in to
//! Mijn gegevens in headless Chromium, sees the disclosure proven in the public log, revokes the
//! consent through its confirmation step; the partner's next request is then `403`. A privacy
//! officer then logs in to the console, sees that denial and reviews a disclosure made on a basis
//! other than consent. The browser parts are `tests/browser/resident.mjs` and `officer.mjs`
//! (playwright-core driving Debian's chromium); axe-core checks every page they visit, and their
//! screenshots are kept in `target/browser-screenshots/`. Also: without a session the pages send
//! you to the login.
//!
//! Needs `/usr/bin/chromium` and `tests/browser/node_modules` (`.ci/run` installs both). Without
//! them the test says so and passes, except under CI (`CI` set), where it fails.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Whether the browser tests can run here; under CI they must.
fn browser_available() -> bool {
    let ready = std::path::Path::new("/usr/bin/chromium").exists()
        && browser_dir().join("node_modules/playwright-core").exists();
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs the browser tests: install chromium and run `npm ci` in tests/browser (.ci/run does)"
        );
        eprintln!(
            "browser tests skipped: install Debian's chromium and run `npm ci` in tests/browser"
        );
    }
    ready
}

async fn exchange(app: &TestApp) -> (u16, serde_json::Value) {
    app.post_as(
        "okt-amsterdam",
        "okt-medewerker",
        "/v1/exchange",
        &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                "categories": ["contact"]}),
    )
    .await
}

async fn a_resident_revokes_and_an_officer_reviews_in_a_real_browser(db: Db) {
    if !browser_available() {
        return;
    }
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, body) = exchange(&app).await;
    assert_eq!(status, 200, "{body}");

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/browser-screenshots")
        .join(format!("{db:?}").to_lowercase());
    std::fs::create_dir_all(&shots).unwrap();
    run_flow(&app, "resident.mjs", &shots, ("BSN", BSN)).await;

    // The revocation made in the browser binds the partner's next request.
    let (status, body) = exchange(&app).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");

    // A melding on the basis of a public task, for the officer to review.
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
                "activity": "melding-zorg-en-woonoverlast",
                "justification": "Buren melden stankoverlast; bewoner reageert niet.",
                "data": {"contact": {"naam": "Jan de Vries", "adres": "Voorbeeldstraat 1"},
                         "veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    run_flow(
        &app,
        "officer.mjs",
        &shots,
        ("ORGANISATIE", "bt-centrum-west"),
    )
    .await;

    // The review made in the browser is the one the API shows.
    let (status, reviews) = app
        .get_as(
            "bt-centrum-west",
            "privacy_officer",
            "/v1/audit/reviews?status=all",
        )
        .await;
    assert_eq!(status, 200, "{reviews}");
    assert_eq!(reviews[0]["status"], "approved", "{reviews}");
    app.stop().await;
}

/// One browser at a time: two Chromiums on top of the rest of the suite make a loaded machine
/// slower still.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs the browser flow `script` against `app`, with `SHOTS` and one more variable. On failure
/// the report ends with the flow's own error (its pages' markup is kept beside the screenshots).
async fn run_flow(app: &TestApp, script: &str, shots: &std::path::Path, var: (&str, &str)) {
    let _one = ONE_BROWSER.lock().await;
    let (base, shots, file) = (app.base.clone(), shots.to_owned(), script.to_owned());
    let (name, value) = (var.0.to_owned(), var.1.to_owned());
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&file)
            .current_dir(browser_dir())
            .env("BASE", base)
            .env(name, value)
            .env("SHOTS", &shots)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    assert!(
        run.status.success(),
        "the browser flow {script} failed:\n{}\n{}",
        tail(&run.stdout),
        tail(&run.stderr)
    );
}

/// The last 4,000 bytes of a flow's output, where its error is.
fn tail(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let mut from = text.len().saturating_sub(4000);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text[from..].to_owned()
}

async fn a_portal_page_without_a_session_goes_to_the_login(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    // A browser that does not follow redirects, so the redirect itself is seen.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .use_preconfigured_tls(gateway::tls::anonymous_client_config(&app.pki.ca()).unwrap())
        .build()
        .unwrap();
    for path in ["/mijn", "/mijn/toestemmingen/x/intrekken"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/mijn/login");
    }
    // A forged form post without a session or token changes nothing and is not served.
    let response = client
        .post(app.url("/mijn/toestemmingen/x/intrekken"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let login = client.get(app.url("/mijn/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let csp = login.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let page = login.text().await.unwrap();
    assert!(page.contains("<label for=\"bsn\">BSN</label>") && page.contains("Inloggen"));
    // A path under the pages that is no page gets a page that says so.
    for path in ["/mijn/bestaat-niet", "/audit/bestaat/niet"] {
        let missing = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(missing.status(), 404, "{path}");
        assert!(
            missing.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            missing
                .text()
                .await
                .unwrap()
                .contains("Pagina niet gevonden")
        );
    }
    app.stop().await;
}

tests::both_databases! {
    a_resident_revokes_and_an_officer_reviews_in_a_real_browser =>
        a_resident_revokes_and_an_officer_reviews_in_a_real_browser;
    a_portal_page_without_a_session_goes_to_the_login =>
        a_portal_page_without_a_session_goes_to_the_login;
}
