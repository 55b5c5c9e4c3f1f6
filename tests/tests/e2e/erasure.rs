//! Erasure as the Amsterdammer and an auditor see it (issue 7 item 7, invariant 7): once the
//! retention of a disclosure ends, or a privacy officer erases an Amsterdammer's records (art. 17),
//! `/v1/me/disclosures` still lists the disclosure (from, to, when, why) and says its content was
//! erased, the public log has grown by an erasure entry, the entry is still provable, and `gateway
//! log verify` passes.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp, bsn: &str) -> String {
    let body = json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    let (status, answer) = app
        .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["disclosure_id"].as_str().unwrap().to_owned()
}

async fn my_disclosures(app: &TestApp, bsn: &str) -> Vec<Value> {
    let (status, body) = app.get_as_citizen(bsn, "/v1/me/disclosures").await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn checkpoint_size(app: &TestApp) -> u64 {
    let note = app.public_text("/v1/log/checkpoint").await;
    note.lines().nth(1).unwrap().parse().unwrap()
}

async fn when_retention_ends_the_entry_stays_listed_as_erased_and_the_log_verifies(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(mut app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |config, _| {
        config.ledger.purge_interval_secs = std::num::NonZeroU64::new(1).unwrap();
    })
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let id = exchange(&app, BSN).await;
    let before = my_disclosures(&app, BSN).await;
    assert_eq!(before[0]["categories"], json!(["contact"]));
    assert_eq!(before[0]["erased"], Value::Null);

    // Past the activity's retention (at most 730 days in the demo register).
    clock.set(start + Duration::days(800));
    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = my_disclosures(&app, BSN).await[0].clone();
        if !listed["erased"].is_null() {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }

    assert_eq!(listed["id"], id.as_str(), "still listed");
    // The decision behind it is past its activity's retention too, and goes.
    for _ in 0..100 {
        if app.count("decisions").await == 0 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("decisions").await,
        0,
        "decisions past retention are purged"
    );
    assert_eq!(listed["erased"]["reason"], "retention", "{listed}");
    // Entries: 0 the consent recorded, 1 the disclosure, 2 the consent expired (after a year),
    // 3 the erasure.
    assert_eq!(listed["erased"]["erasure_log_index"], 3, "{listed}");
    assert_eq!(listed["categories"], json!([]), "the content is gone");
    assert_eq!(listed["to"], "okt-amsterdam", "that it happened is not");
    assert_eq!(listed["activity"], OUDERS);
    assert_eq!(
        checkpoint_size(&app).await,
        4,
        "the erasure entry is signed"
    );
    // Still provable: the bundle proves the leaf without the record.
    let response = app
        .public()
        .get(app.url(&format!("/v1/me/disclosures/{id}/bundle")))
        .bearer_auth(app.citizen_token(BSN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bundle = response.text().await.unwrap();
    let parsed: Value = serde_json::from_str(&bundle).unwrap();
    assert_eq!(
        (&parsed["entry"], &parsed["salt"]),
        (&Value::Null, &Value::Null)
    );
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let proven = gateway::logcheck::verify_bundle(&bundle, &vkey).unwrap();
    assert_eq!((proven.leaf_index, proven.tree_size), (1, 4));

    app.stop_server().await;
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(
        (
            report.entries,
            report.readable,
            report.erased,
            report.erasures
        ),
        (4, 0, 1, 1),
        "{report:?}"
    );
}

async fn a_privacy_officers_erasure_takes_one_amsterdammers_content_and_nothing_else(db: Db) {
    let Some(mut app) = TestApp::spawn(db).await else {
        return;
    };
    for bsn in [BSN, OTHER_BSN] {
        app.record_consent(bsn, &["okt-amsterdam"], &[OUDERS], &["contact"])
            .await;
    }
    exchange(&app, BSN).await;
    exchange(&app, OTHER_BSN).await;
    exchange(&app, BSN).await;

    // What `gateway erase --config FILE --bsn -` runs, beside the running gateway.
    let erased = gateway::retention::erase_subject(&app.config, BSN)
        .await
        .unwrap();
    assert_eq!(erased.len(), 1);
    // Entries 0 and 1 are the two consents recorded.
    assert_eq!(erased[0].entries, vec![2, 4]);

    let mine = my_disclosures(&app, BSN).await;
    assert_eq!(mine.len(), 2, "both disclosures are still listed");
    for d in &mine {
        assert_eq!(d["erased"]["reason"], "request", "{d}");
        assert_eq!(d["erased"]["erasure_log_index"], 5, "{d}");
    }
    let theirs = my_disclosures(&app, OTHER_BSN).await;
    assert_eq!(theirs[0]["erased"], Value::Null);
    assert_eq!(theirs[0]["categories"], json!(["contact"]));
    // The running gateway goes on appending after the erasure entry, into the same tree.
    exchange(&app, OTHER_BSN).await;
    assert_eq!(checkpoint_size(&app).await, 7);

    app.stop_server().await;
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(
        (
            report.entries,
            report.readable,
            report.erased,
            report.erasures
        ),
        (7, 2, 2, 1),
        "{report:?}"
    );
    // An operator who blanks a record without an erasure entry is caught.
    app.execute(
        "UPDATE disclosures SET sealed = NULL, erased_by = CAST($1 AS INTEGER) WHERE log_index = 3",
        "5",
    )
    .await;
    let refused = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("erasure entries disagree"),
        "{refused:#}"
    );
}

tests::both_databases! {
    when_retention_ends_the_entry_stays_listed_as_erased_and_the_log_verifies =>
        when_retention_ends_the_entry_stays_listed_as_erased_and_the_log_verifies;
    a_privacy_officers_erasure_takes_one_amsterdammers_content_and_nothing_else =>
        a_privacy_officers_erasure_takes_one_amsterdammers_content_and_nothing_else;
}
