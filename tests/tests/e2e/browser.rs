//! Mijn gegevens in a real browser (issue 10): a partner discloses, the Amsterdammer logs in to the
//! portal in headless Chromium, sees the disclosure proven in the public log, revokes the consent
//! through its confirmation step; the partner's next request is then `403`. The browser part is
//! `tests/browser/resident.mjs` (playwright-core driving Debian's chromium), whose screenshots are
//! kept in `target/browser-screenshots/`. Also: without a session the pages send you to the login.
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

async fn a_resident_sees_a_disclosure_and_revokes_the_consent_in_a_real_browser(db: Db) {
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
    let app_base = app.base.clone();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("resident.mjs")
            .current_dir(browser_dir())
            .env("BASE", app_base)
            .env("BSN", BSN)
            .env("SHOTS", &shots)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    assert!(
        run.status.success(),
        "the browser flow failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );

    // The revocation made in the browser binds the partner's next request.
    let (status, body) = exchange(&app).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");
    app.stop().await;
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
    app.stop().await;
}

tests::both_databases! {
    a_resident_sees_a_disclosure_and_revokes_the_consent_in_a_real_browser =>
        a_resident_sees_a_disclosure_and_revokes_the_consent_in_a_real_browser;
    a_portal_page_without_a_session_goes_to_the_login =>
        a_portal_page_without_a_session_goes_to_the_login;
}
