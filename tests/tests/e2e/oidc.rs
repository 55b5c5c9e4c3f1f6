//! Logging in to the pages through OpenID Connect (issue 10), against the development provider
//! (`gateway::devidp`), as a browser would: the Amsterdammer through the citizen identity provider
//! (the BSN in a claim), an officer through their organisation's provider (a role claim must say
//! `privacy_officer`). The provider checks the PKCE code verifier; the gateway checks `state`, the
//! ID token's signature, audience and nonce, and refuses a login that fails any of them.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use gateway::config::ProviderConfig;
use gateway::devidp::{DevIdp, Tamper};
use serde_json::json;
use tests::{BSN, Db, TestApp, Visitor};

/// The provider, on TLS from a PKI of its own (so the gateway must be told to trust it).
async fn provider(dir: &std::path::Path) -> (DevIdp, std::path::PathBuf) {
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let pki = gateway::pki::generate(dir, &register).unwrap();
    let tls = gateway::tls::plain_server_config(&pki.gateway_cert(), &pki.gateway_key()).unwrap();
    (DevIdp::start(tls).await.unwrap(), pki.ca())
}

/// Follows the login from `start` through the provider back to the gateway; the gateway's answer.
async fn log_in(visitor: &mut Visitor, start: &str, ca: &std::path::Path) -> tests::Answer {
    let to_provider = visitor.get(start).await;
    assert_eq!(to_provider.status, 303, "{}", to_provider.body);
    let authorize = to_provider.location.unwrap();
    assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="));
    // The provider is another site: the browser follows its redirect back.
    let provider = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .use_preconfigured_tls(gateway::tls::anonymous_client_config(ca).unwrap())
        .build()
        .unwrap();
    let back = provider.get(&authorize).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    let path = back.split_once("://").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    visitor.get(path).await
}

async fn an_amsterdammer_and_an_officer_log_in_through_their_identity_providers(db: Db) {
    let dir = tempfile::TempDir::new().unwrap();
    let (idp, ca) = provider(dir.path()).await;
    let provider_ca = ca.clone();
    let issuer_ca = ca.clone();
    let issuer = idp.issuer.clone();
    let Some(app) = TestApp::spawn_configured(db, move |config, _| {
        let base = format!("https://localhost:{}", config.listen.port());
        let fake = DevIdpConfig {
            issuer: issuer.clone(),
        };
        config.portal.dev_login = false;
        config.portal.oidc = Some(fake.provider(&issuer_ca, &base, "/mijn/login/terug"));
        config.audit.oidc.insert(
            "okt-amsterdam".into(),
            fake.provider(&issuer_ca, &base, "/audit/login/terug"),
        );
    })
    .await
    else {
        return;
    };

    // The Amsterdammer: the login page offers DigiD (no development login here).
    let mut resident = app.visitor();
    let login = resident.get("/mijn/login").await;
    assert!(login.body.contains("Inloggen met DigiD") && !login.body.contains("for=\"bsn\""));
    idp.log_in_as(json!({"sub": "digid-123", "bsn": BSN}));
    let landed = log_in(&mut resident, "/mijn/login/digid", &provider_ca).await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    assert!(landed.body.contains("http-equiv=\"refresh\""));
    let home = resident.get("/mijn").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Uw toestemmingen"));
    assert!(
        resident.cookie("mijn_oidc").is_none(),
        "the flow cookie is cleared"
    );

    // An officer of the OKT, through the OKT's provider.
    let mut officer = app.visitor();
    let login = officer.get("/audit/login").await;
    assert!(
        login
            .body
            .contains("<label for=\"organisatie\">Organisatie</label>"),
        "{}",
        login.body
    );
    idp.log_in_as(json!({"sub": "a.jansen", "roles": ["medewerker", "privacy_officer"]}));
    let landed = log_in(
        &mut officer,
        "/audit/login/organisatie?organisatie=okt-amsterdam",
        &provider_ca,
    )
    .await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    let overview = officer.get("/audit").await;
    assert!(
        overview
            .body
            .contains("Privacy officer van Ouder- en Kindteams Amsterdam"),
        "{}",
        overview.body
    );

    // Someone without the role does not get in.
    let mut colleague = app.visitor();
    idp.log_in_as(json!({"sub": "b.devries", "roles": ["medewerker"]}));
    let refused = log_in(
        &mut colleague,
        "/audit/login/organisatie?organisatie=okt-amsterdam",
        &provider_ca,
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        colleague.get("/audit").await.location.as_deref(),
        Some("/audit/login")
    );

    // An organisation without a provider cannot be chosen.
    let other = app
        .visitor()
        .get("/audit/login/organisatie?organisatie=wpi")
        .await;
    assert_eq!(other.status, 400);
    app.stop().await;
}

/// Builds a provider configuration for the gateway (inside the configure closure).
struct DevIdpConfig {
    issuer: String,
}

impl DevIdpConfig {
    fn provider(&self, ca: &std::path::Path, base: &str, back: &str) -> ProviderConfig {
        ProviderConfig {
            issuer: self.issuer.clone(),
            client_id: "gateway-test".into(),
            client_secret_file: None,
            redirect_uri: format!("{base}{back}"),
            ca_file: ca.to_owned(),
            scopes: vec![],
        }
    }
}

async fn a_login_with_a_bad_token_or_a_forged_answer_is_refused(db: Db) {
    let dir = tempfile::TempDir::new().unwrap();
    let (idp, ca) = provider(dir.path()).await;
    let provider_ca = ca.clone();
    let issuer = idp.issuer.clone();
    let Some(app) = TestApp::spawn_configured(db, move |config, _| {
        let base = format!("https://localhost:{}", config.listen.port());
        config.portal.oidc =
            Some(DevIdpConfig { issuer }.provider(&ca, &base, "/mijn/login/terug"));
    })
    .await
    else {
        return;
    };
    idp.log_in_as(json!({"sub": "digid-123", "bsn": BSN}));
    for tamper in [Tamper::Nonce, Tamper::Audience, Tamper::Key] {
        idp.tamper(tamper);
        let mut visitor = app.visitor();
        let answer = log_in(&mut visitor, "/mijn/login/digid", &provider_ca).await;
        assert_eq!(answer.status, 403, "{tamper:?}: {}", answer.body);
        assert!(visitor.cookie("mijn_sessie").is_none(), "{tamper:?}");
    }
    idp.tamper(Tamper::None);

    // An answer that does not belong to this browser's login (no flow, or another state).
    let mut visitor = app.visitor();
    let forged = visitor.get("/mijn/login/terug?code=x&state=y").await;
    assert_eq!(forged.status, 403);
    let started = visitor.get("/mijn/login/digid").await;
    assert_eq!(started.status, 303);
    let redeemed = idp.redeemed();
    let wrong_state = visitor.get("/mijn/login/terug?code=x&state=not-mine").await;
    assert_eq!(wrong_state.status, 403);
    assert_eq!(
        idp.redeemed(),
        redeemed,
        "no code is redeemed for a wrong state"
    );
    // A BSN claim that is no BSN.
    idp.log_in_as(json!({"sub": "digid-9", "bsn": "123"}));
    let mut visitor = app.visitor();
    let answer = log_in(&mut visitor, "/mijn/login/digid", &provider_ca).await;
    assert_eq!(answer.status, 403);
    // And the real thing still works.
    idp.log_in_as(json!({"sub": "digid-123", "bsn": BSN}));
    let mut visitor = app.visitor();
    assert_eq!(
        log_in(&mut visitor, "/mijn/login/digid", &provider_ca)
            .await
            .status,
        200
    );
    app.stop().await;
}

/// Two organisations that share one provider and client: the ID token must name the organisation
/// (`[audit] organisation_claim`), or an officer of one could sign in as the other; without that
/// claim configured, the gateway refuses to start with such providers.
async fn an_officer_signs_in_only_for_the_organisation_the_id_token_names(db: Db) {
    let dir = tempfile::TempDir::new().unwrap();
    let (idp, ca) = provider(dir.path()).await;
    let provider_ca = ca.clone();
    let issuer = idp.issuer.clone();
    let shared = move |config: &mut tests::Config| {
        let base = format!("https://localhost:{}", config.listen.port());
        let fake = DevIdpConfig {
            issuer: issuer.clone(),
        };
        config.portal.dev_login = false;
        for partner in ["okt-amsterdam", "wpi"] {
            config.audit.oidc.insert(
                partner.into(),
                fake.provider(&ca, &base, "/audit/login/terug"),
            );
        }
    };
    let Some(app) = TestApp::spawn_configured(db, move |config, _| {
        shared(config);
        config.audit.organisation_claim = Some("organisation".into());
    })
    .await
    else {
        return;
    };
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let mut without_claim = app.config.clone();
    without_claim.audit.organisation_claim = None;
    let refused = gateway::auth::Logins::new(&without_claim, &register).unwrap_err();
    assert!(
        refused.to_string().contains("organisation_claim")
            && refused.to_string().contains("[audit.oidc.okt-amsterdam]"),
        "{refused}"
    );
    let okt_officer =
        json!({"sub": "a.jansen", "roles": ["privacy_officer"], "organisation": "okt-amsterdam"});
    idp.log_in_as(okt_officer.clone());
    let mut posing = app.visitor();
    let refused = log_in(
        &mut posing,
        "/audit/login/organisatie?organisatie=wpi",
        &provider_ca,
    )
    .await;
    assert_eq!(
        refused.status, 403,
        "an OKT officer is no WPI officer: {}",
        refused.body
    );
    assert_eq!(
        posing.get("/audit").await.location.as_deref(),
        Some("/audit/login")
    );
    idp.log_in_as(json!({"sub": "a.jansen", "roles": ["privacy_officer"]}));
    let unnamed = log_in(
        &mut app.visitor(),
        "/audit/login/organisatie?organisatie=okt-amsterdam",
        &provider_ca,
    )
    .await;
    assert_eq!(unnamed.status, 403, "a token that names no organisation");

    idp.log_in_as(okt_officer);
    let mut officer = app.visitor();
    let landed = log_in(
        &mut officer,
        "/audit/login/organisatie?organisatie=okt-amsterdam",
        &provider_ca,
    )
    .await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    let overview = officer.get("/audit").await;
    assert!(
        overview
            .body
            .contains("Privacy officer van Ouder- en Kindteams Amsterdam")
    );
    app.stop().await;
}

tests::both_databases! {
    an_officer_signs_in_only_for_the_organisation_the_id_token_names =>
        an_officer_signs_in_only_for_the_organisation_the_id_token_names;
    an_amsterdammer_and_an_officer_log_in_through_their_identity_providers =>
        an_amsterdammer_and_an_officer_log_in_through_their_identity_providers;
    a_login_with_a_bad_token_or_a_forged_answer_is_refused =>
        a_login_with_a_bad_token_or_a_forged_answer_is_refused;
}
