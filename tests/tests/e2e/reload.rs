//! Change without a restart (`SIGHUP`; here the reloader it calls, since a signal would reach every
//! gateway of the test run): a partner rotates its token key (old tokens refused after the reload,
//! new ones accepted) while an exchange is in flight (it finishes `200`), a partner is added, a
//! certificate is revoked by a new CRL, the register changes (the public register shows the new
//! version), and a broken register is refused with the old one kept in force and the refusal
//! counted. The binary test `serve.rs` sends a real `SIGHUP`.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::time::Duration;

use gateway::sample::Behaviour;
use serde_json::json;
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

/// GET `/v1/consents` as a professional of `partner`, with `token`: the status.
async fn consents_as(app: &TestApp, partner: &str, token: &str) -> u16 {
    app.partner(partner)
        .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
        .bearer_auth(token)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

async fn register_version(app: &TestApp) -> String {
    let body: serde_json::Value = app
        .public()
        .get(app.url("/v1/register"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["version"].as_str().unwrap().to_owned()
}

async fn keys_certificates_and_the_register_change_without_a_restart(db: Db) {
    // The source answers after half a second, so an exchange is in flight during the reload;
    // wpi has no token key configured yet.
    let slow = |id: &str| {
        if id == "bt-centrum-west" {
            Behaviour::Slow
        } else {
            Behaviour::Normal
        }
    };
    let Some(app) = TestApp::spawn_with_configured(db, slow, |config, _| {
        config.partners.remove("wpi");
    })
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let wpi = app.partner_token("wpi", "km-1", "klantmanager");
    assert_eq!(
        consents_as(&app, "wpi", &wpi).await,
        401,
        "wpi is not configured yet"
    );

    // okt-amsterdam rotates its token key; the gateway has the old one until the reload.
    let old = app.partner_token("okt-amsterdam", "okt-1", "okt-medewerker");
    gateway::pki::new_token_key(&app.pki, "okt-amsterdam").unwrap();
    let new = app.partner_token("okt-amsterdam", "okt-1", "okt-medewerker");
    assert_eq!(consents_as(&app, "okt-amsterdam", &old).await, 200);
    assert_eq!(consents_as(&app, "okt-amsterdam", &new).await, 401);

    let mut next = app.config.clone();
    next.partners.insert(
        "wpi".to_owned(),
        gateway::config::PartnerConfig {
            endpoint: None,
            token_key: app.pki.partner_token_pub("wpi"),
        },
    );
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    let exchange = async {
        app.partner("okt-amsterdam")
            .post(app.url("/v1/exchange"))
            .bearer_auth(&old)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let reload = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        app.reload(&next)
    };
    let (in_flight, reloaded) = tokio::join!(exchange, reload);
    let reloaded = reloaded.unwrap();
    assert_eq!(
        in_flight, 200,
        "the exchange in flight during the reload finishes"
    );
    assert!(!reloaded.register_changed);
    assert_eq!(
        consents_as(&app, "okt-amsterdam", &old).await,
        401,
        "the old key is gone"
    );
    assert_eq!(
        consents_as(&app, "okt-amsterdam", &new).await,
        200,
        "the new key holds"
    );
    assert_eq!(consents_as(&app, "wpi", &wpi).await, 200, "wpi is added");

    // wpi's certificate is revoked by a new CRL: its next connection is refused at the handshake.
    let crl = gateway::pki::revoke(&app.pki, &["wpi"]).unwrap();
    next.tls.client_crl = vec![crl];
    app.reload(&next).unwrap();
    assert_eq!(
        consents_as(&app, "wpi", &wpi).await,
        0,
        "no TLS for a revoked certificate"
    );
    assert_eq!(consents_as(&app, "okt-amsterdam", &new).await, 200);

    // A register change: the public register shows its version (every decision records it).
    let before = register_version(&app).await;
    let changed = std::fs::read_to_string(&next.register).unwrap() + "\n# herzien\n";
    let path = next.register.with_file_name("register-herzien.toml");
    std::fs::write(&path, &changed).unwrap();
    next.register = path;
    let reloaded = app.reload(&next).unwrap();
    assert!(reloaded.register_changed);
    assert_ne!(reloaded.register_version, before);
    assert_eq!(register_version(&app).await, reloaded.register_version);

    // A broken register is refused, and the one in force stays.
    let broken = changed.replacen("retention_days = 365", "retention_days = 0", 1);
    assert_ne!(broken, changed);
    let path = next.register.with_file_name("register-kapot.toml");
    std::fs::write(&path, broken).unwrap();
    next.register = path;
    let refused = app.reload(&next).unwrap_err();
    assert!(format!("{refused:#}").contains("retention"), "{refused:#}");
    assert_eq!(register_version(&app).await, reloaded.register_version);
    assert_eq!(consents_as(&app, "okt-amsterdam", &new).await, 200);
    let metrics = app.metrics_text().await;
    for line in [
        "gateway_reloads_total{outcome=\"accepted\"} 3",
        "gateway_reloads_total{outcome=\"refused\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    app.stop().await;
}

tests::both_databases! {
    keys_certificates_and_the_register_change_without_a_restart =>
        keys_certificates_and_the_register_change_without_a_restart;
}
