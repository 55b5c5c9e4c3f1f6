//! Recipients are told (issue 8): when a consent is revoked or expires, each organisation that
//! received data under it gets a signed notification at its system; one that fails is retried with
//! backoff until it is delivered, and the partner can read the delivery state.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const OKT: &str = "okt-amsterdam";

async fn exchange(app: &TestApp) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    let (status, answer) = app
        .post_as(OKT, "okt-medewerker", "/v1/exchange", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn delivery_state(app: &TestApp, partner: &str) -> Vec<Value> {
    let (status, list) = app
        .get_as(partner, "okt-medewerker", "/v1/notifications")
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

/// Checks a received notification with the public key, as a partner system would.
fn verify(key: &[u8], n: &gateway::sample::ReceivedNotification) -> bool {
    let Some(signature) = n.signature.strip_prefix("v1a,") else {
        return false;
    };
    let Ok(signature) = B64.decode(signature) else {
        return false;
    };
    let signed = format!("{}.{}.{}", n.id, n.timestamp, n.body);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, key)
        .verify(signed.as_bytes(), &signature)
        .is_ok()
}

async fn the_recipient_of_data_under_a_revoked_consent_is_told_and_a_failing_system_is_retried(
    db: Db,
) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |config, _| {
        config.notifications.interval_ms = 20;
        config.notifications.retry_base_ms = 1000;
    })
    .await
    else {
        return;
    };
    let (status, key) = tests::send(app.public().get(app.url("/v1/notifications/key"))).await;
    assert_eq!(
        (status, &key["algorithm"]),
        (200, &json!("Ed25519")),
        "{key}"
    );
    let key = B64.decode(key["public_key"].as_str().unwrap()).unwrap();

    let used = app
        .record_consent(BSN, &[OKT], &[OUDERS], &["contact"])
        .await;
    exchange(&app).await;
    // A consent nothing was disclosed under: revoking it tells nobody.
    let unused = app
        .record_consent(BSN, &["okt"], &[OUDERS], &["regie"])
        .await;
    let okt = app.system(OKT);
    okt.refuse_notifications(true);

    for id in [&unused, &used] {
        let (status, _) = app
            .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/revoke"))
            .await;
        assert_eq!(status, 200);
    }
    eventually("the first attempt failed", || {
        okt.notification_attempts() >= 1
    })
    .await;
    // The clock stands still: no retry before the backoff has passed.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(okt.notification_attempts(), 1, "retried before its backoff");
    let state = delivery_state(&app, OKT).await;
    assert_eq!(
        state.len(),
        1,
        "one notification, for the consent data was disclosed under: {state:?}"
    );
    assert_eq!(state[0]["consent_id"], used.as_str());
    assert_eq!(
        (&state[0]["status"], &state[0]["attempts"]),
        (&json!("pending"), &json!(1))
    );
    assert!(
        state[0]["last_error"].as_str().unwrap().contains("503"),
        "{state:?}"
    );
    assert!(state[0]["next_attempt_at"].is_string());

    // After the backoff it is retried; once the system accepts, it is delivered.
    clock.set(start + Duration::seconds(2));
    eventually("the second attempt failed", || {
        okt.notification_attempts() >= 2
    })
    .await;
    // The gateway records the failure (and when to retry, from its clock) after the partner
    // answered: wait for that before moving the clock, or the retry would be due after it.
    for _ in 0..500 {
        if delivery_state(&app, OKT).await[0]["attempts"] == json!(2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    okt.refuse_notifications(false);
    clock.set(start + Duration::seconds(10));
    eventually("the notification was delivered", || {
        !okt.notifications().is_empty()
    })
    .await;
    let received = okt.notifications();
    assert_eq!(received.len(), 1);
    let n = &received[0];
    assert!(
        verify(&key, n),
        "the signature verifies with the public key"
    );
    let mut forged = n.clone();
    forged.body = forged.body.replace(&used, &unused);
    assert!(!verify(&key, &forged), "a changed body does not verify");
    let body: Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(body["type"], "consent.revoked");
    assert_eq!(body["consent_id"], used.as_str());
    assert_eq!(body["id"], n.id.as_str());
    assert!(!n.body.contains(BSN), "a notification names no person");
    let mut state = delivery_state(&app, OKT).await;
    for _ in 0..250 {
        if state[0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        state = delivery_state(&app, OKT).await;
    }
    assert_eq!(
        (&state[0]["status"], &state[0]["attempts"]),
        (&json!("delivered"), &json!(3)),
        "{state:?}"
    );
    // The source that disclosed, and a partner that received nothing, were not notified.
    assert!(app.system("bt-centrum-west").notifications().is_empty());
    assert!(delivery_state(&app, "aio-lvb-cordaan").await.is_empty());
    app.stop().await;
}

async fn the_recipient_is_told_when_a_consent_expires(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |config, _| {
        config.notifications.interval_ms = 20;
    })
    .await
    else {
        return;
    };
    let body = json!({"subject_bsn": BSN, "recipients": [OKT], "activities": [OUDERS],
        "categories": ["contact"], "valid_until": (start + Duration::days(10)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "p"}});
    let (status, consent) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{consent}");
    exchange(&app).await;
    // Let the notifier start looking (its first round only sets where it starts).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    clock.set(start + Duration::days(11));
    let okt = app.system(OKT);
    eventually("the expiry was notified", || {
        !okt.notifications().is_empty()
    })
    .await;
    let body: Value = serde_json::from_str(&okt.notifications()[0].body).unwrap();
    assert_eq!(
        (&body["type"], &body["consent_id"]),
        (&json!("consent.expired"), &consent["id"])
    );
    app.stop().await;
}

tests::both_databases! {
    the_recipient_of_data_under_a_revoked_consent_is_told_and_a_failing_system_is_retried =>
        the_recipient_of_data_under_a_revoked_consent_is_told_and_a_failing_system_is_retried;
    the_recipient_is_told_when_a_consent_expires =>
        the_recipient_is_told_when_a_consent_expires;
}
