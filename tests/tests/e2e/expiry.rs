//! Consents bind in time: not before `valid_from`, not from `valid_until` on (vuistregels 5 and 8).
//! The gateway runs on a clock the test moves.

use std::sync::Arc;

use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

async fn a_consent_covers_only_its_period(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock(db, clock.clone()).await else {
        return;
    };
    // Recorded now (valid_from defaults to the gateway's now), valid for 365 days.
    let id = app
        .record_consent(
            BSN,
            &["okt-amsterdam"],
            &["gezinsondersteuning-ouders"],
            &["contact"],
        )
        .await;
    let exchange = json!({"subject_bsn": BSN, "source": "bt-centrum-west",
        "activity": "gezinsondersteuning-ouders", "categories": ["contact"]});
    let ask = || app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &exchange);
    let status_of = |consents: &Value| {
        consents
            .as_array()
            .and_then(|all| all.iter().find(|c| c["id"] == id.as_str()))
            .map(|c| c["status"].clone())
    };

    clock.set(start - Duration::days(1));
    let (status, body) = ask().await;
    assert_eq!(status, 403, "not yet valid: {body}");
    assert_eq!(body["error"]["violations"][0]["vuistregel"], 8);
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(status_of(&mine), Some(json!("pending")));

    clock.set(start + Duration::days(364));
    let (status, body) = ask().await;
    assert_eq!(status, 200, "within the period: {body}");

    clock.set(start + Duration::days(366));
    let (status, body) = ask().await;
    assert_eq!(status, 403, "expired: {body}");
    assert_eq!(body["error"]["violations"][0]["vuistregel"], 8);
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(status_of(&mine), Some(json!("expired")));
    assert_eq!(app.count("disclosures").await, 1);
    app.stop().await;
}

tests::both_databases! {
    a_consent_covers_only_its_period => a_consent_covers_only_its_period;
}
