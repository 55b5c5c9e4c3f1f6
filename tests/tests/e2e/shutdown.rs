//! Graceful shutdown: a request in flight when the gateway is told to stop still completes, with
//! its ledger entry; new connections are refused afterwards.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::time::{Duration, Instant};

use serde_json::json;
use tests::{BSN, Behaviour, Db, TestApp};

async fn an_exchange_in_flight_at_shutdown_completes_and_is_logged(db: Db) {
    let slow_source = |id: &str| {
        if id == "bt-centrum-west" {
            Behaviour::Slow
        } else {
            Behaviour::Normal
        }
    };
    let Some(mut app) = TestApp::spawn_with(db, slow_source, &[]).await else {
        return;
    };
    app.record_consent(
        BSN,
        &["okt-amsterdam"],
        &["gezinsondersteuning-ouders"],
        &["contact"],
    )
    .await;
    let client = app.partner("okt-amsterdam");
    let request = client
        .post(app.url("/v1/exchange"))
        .bearer_auth(app.partner_token("okt-amsterdam", "okt-1", "okt-medewerker"))
        .json(&json!({"subject_bsn": BSN, "source": "bt-centrum-west",
            "activity": "gezinsondersteuning-ouders", "categories": ["contact"]}));
    let in_flight = tokio::spawn(request.send());

    // Wait until the gateway has forwarded the request to the (slow) source system.
    let waiting = Instant::now();
    while app.system("bt-centrum-west").records_served() == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(10),
            "request never reached the source"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.stop_server().await;

    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["disclosure_id"].is_string());
    assert_eq!(app.count("disclosures").await, 1);

    let after = app.public().get(app.url("/healthz")).send().await;
    assert!(
        after.is_err(),
        "a stopped gateway accepts no new connections"
    );
    app.stop().await;
}

tests::both_databases! {
    an_exchange_in_flight_at_shutdown_completes_and_is_logged => an_exchange_in_flight_at_shutdown_completes_and_is_logged;
}
