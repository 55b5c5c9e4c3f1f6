//! Every change in a consent's life is in the public log (issue 8 item 8), as the Amsterdammer and
//! an auditor see it: each step of the history the resident reads names its log index, that entry
//! is proven against a checkpoint signed by the published key, an expiry is logged once the clock
//! passes the end of the consent, and `gateway log verify` re-derives every consent entry.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Duration, Utc};
use consent::merkle::{self, Hash};
use consent::{FixedClock, LogVerifier};
use serde_json::Value;
use tests::{BSN, Db, TestApp, send};

const OUDERS: &str = "gezinsondersteuning-ouders";

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

/// The resident's consent `id` as `/v1/me/consents` lists it.
async fn my_consent(app: &TestApp, id: &str) -> Value {
    let (status, list) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("consent {id} listed: {list}"))
}

/// Proves log entry `index` against the latest checkpoint, using only what the gateway publishes.
async fn prove_in_public_log(app: &TestApp, index: u64) {
    let key = app.public_text("/v1/log/key").await;
    let note = app.public_text("/v1/log/checkpoint").await;
    let checkpoint = LogVerifier::parse(&key)
        .unwrap()
        .verify_checkpoint(&note)
        .unwrap();
    assert!(
        checkpoint.size > index,
        "entry {index} is covered by {note}"
    );
    let (status, proof) = send(app.public().get(app.url(&format!(
        "/v1/log/proofs/inclusion?index={index}&size={}",
        checkpoint.size
    ))))
    .await;
    assert_eq!(status, 200, "{proof}");
    let path: Vec<Hash> = proof["path"].as_array().unwrap().iter().map(hash).collect();
    merkle::verify_inclusion(
        &hash(&proof["leaf_hash"]),
        index,
        checkpoint.size,
        &path,
        &checkpoint.root,
    )
    .unwrap();
}

async fn each_step_of_a_consents_history_is_proven_in_the_signed_log(db: Db) {
    let Some(mut app) = TestApp::spawn(db).await else {
        return;
    };
    let id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, revoked) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/revoke"))
        .await;
    assert_eq!(status, 200, "{revoked}");

    let history = my_consent(&app, &id).await["history"].clone();
    let steps: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["log_index"].as_u64()))
        .collect();
    assert_eq!(steps, vec![("recorded", Some(0)), ("revoked", Some(1))]);
    // The revocation is signed into the log at once, before anything else happens.
    prove_in_public_log(&app, 1).await;

    app.stop_server().await;
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(
        (report.entries, report.consent_changes),
        (2, 2),
        "{report:?}"
    );
}

async fn an_expired_consent_gets_an_expiry_entry_in_its_history_and_the_log(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(mut app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |config, _| {
        config.ledger.purge_interval_secs = std::num::NonZeroU64::new(1).unwrap();
    })
    .await
    else {
        return;
    };
    let id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    // The helper records consents valid for a year.
    clock.set(start + Duration::days(400));
    let mut last = Value::Null;
    for _ in 0..100 {
        last = my_consent(&app, &id).await["history"]
            .as_array()
            .unwrap()
            .last()
            .cloned()
            .unwrap();
        if last["event"] == "expired" {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(last["event"], "expired", "{last}");
    assert_eq!(last["by"], "gateway");
    assert_eq!(last["log_index"], 1, "{last}");
    prove_in_public_log(&app, 1).await;

    app.stop_server().await;
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(report.consent_changes, 2, "{report:?}");
}

tests::both_databases! {
    each_step_of_a_consents_history_is_proven_in_the_signed_log =>
        each_step_of_a_consents_history_is_proven_in_the_signed_log;
    an_expired_consent_gets_an_expiry_entry_in_its_history_and_the_log =>
        an_expired_consent_gets_an_expiry_entry_in_its_history_and_the_log;
}
