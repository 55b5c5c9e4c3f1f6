//! A consent's life beyond recording (issue 8): an amendment is a new version that supersedes the old
//! one at once (whose history stays readable); the Amsterdammer refuses a consent that awaits their
//! confirmation; the language it was given in is kept.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";
const CORDAAN: &str = "aio-lvb-cordaan";

async fn exchange(app: &TestApp, categories: &[&str]) -> (u16, Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": categories});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

fn terms(categories: &[&str], days: i64) -> Value {
    json!({"recipients": ["okt-amsterdam"], "activities": [OUDERS], "categories": categories,
        "valid_until": (Utc::now() + Duration::days(days)).to_rfc3339(), "language": "en",
        "evidence": {"method": "signed_form", "document_sha256": "cd".repeat(32), "recorded_by": "prof-2"}})
}

async fn an_amendment_supersedes_the_old_version_at_once_and_keeps_its_history(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock(db, clock.clone()).await else {
        return;
    };
    let old = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "wonen"])
        .await;
    assert_eq!(exchange(&app, &["wonen"]).await.0, 200);

    // The Amsterdammer narrows it: no more housing data.
    let (status, new) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{old}/amend"),
            &terms(&["contact"], 200),
        )
        .await;
    assert_eq!(status, 201, "{new}");
    let new_id = new["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (new["version"].as_u64(), &new["supersedes"]),
        (Some(2), &json!(old))
    );
    assert_eq!(
        (&new["status"], &new["language"]),
        (&json!("active"), &json!("en"))
    );
    assert_eq!(new["history"][0]["event"], "amended");

    let (status, before) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            &format!("/v1/consents/{old}"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(before["status"], "superseded");
    assert_eq!(before["superseded_by"], new_id.as_str());
    let events: Vec<&str> = before["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        vec!["recorded", "superseded"],
        "the old version's history stays readable"
    );

    // The new terms bind from now: housing data is no longer covered.
    let (status, denied) = exchange(&app, &["wonen"]).await;
    assert_eq!(status, 403, "{denied}");
    assert_eq!(exchange(&app, &["contact"]).await.0, 200);

    // A superseded version cannot be amended or revoked again; its successor can.
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{old}/amend"),
            &terms(&["contact"], 100),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("consent_ended")),
        "{body}"
    );
    let (status, body) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{old}/revoke"))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("consent_ended")),
        "{body}"
    );

    // Only a listed recorder amends (an aanbieder records a new consent instead).
    let (status, body) = app
        .post_as(CORDAAN, "begeleider", &format!("/v1/consents/{new_id}/amend"), &json!({
            "recipients": [CORDAAN], "activities": [AANMELDING], "categories": ["contact"],
            "sources": ["bt-centrum-west"], "valid_until": (start + Duration::days(30)).to_rfc3339(),
            "evidence": {"method": "signed_form", "document_sha256": "cd".repeat(32), "recorded_by": "p"}}))
        .await;
    assert!(status == 403 || status == 404, "{status} {body}");

    // The Amsterdammer amends too; the changes feed tells the recipient the old version ended.
    let mine = json!({"recipients": ["okt"], "activities": [OUDERS], "categories": ["contact"],
        "valid_until": (start + Duration::days(60)).to_rfc3339()});
    let response = app
        .public()
        .post(app.url(&format!("/v1/me/consents/{new_id}/amend")))
        .bearer_auth(app.citizen_token(BSN))
        .json(&mine)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let third: Value = response.json().await.unwrap();
    assert_eq!(third["version"], 3);
    clock.set(start + Duration::seconds(30));
    let since = (start - Duration::seconds(1)).to_rfc3339();
    let (status, feed) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            &format!("/v1/consents/changes?since={}", urlencode(&since)),
        )
        .await;
    assert_eq!(status, 200, "{feed}");
    let changes: Vec<(&str, &str)> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["consent_id"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(changes.contains(&(old.as_str(), "superseded")), "{feed}");
    assert!(changes.contains(&(new_id.as_str(), "superseded")), "{feed}");
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn the_amsterdammer_refuses_a_consent_that_awaits_confirmation(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let body = json!({"subject_bsn": BSN, "recipients": [CORDAAN], "activities": [AANMELDING],
        "categories": ["contact"], "sources": ["bt-centrum-west"],
        "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339(),
        "evidence": {"method": "verbal_recorded", "document_sha256": "cd".repeat(32), "recorded_by": "prof-9"}});
    let (status, pending) = app
        .post_as(CORDAAN, "begeleider", "/v1/consents", &body)
        .await;
    assert_eq!(
        (status, &pending["status"]),
        (201, &json!("pending")),
        "{pending}"
    );
    let id = pending["id"].as_str().unwrap();

    let (status, refused) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/refuse"))
        .await;
    assert_eq!(
        (status, &refused["status"]),
        (200, &json!("refused")),
        "{refused}"
    );
    assert!(refused["refused_at"].is_string());
    assert_eq!(
        refused["history"].as_array().unwrap().last().unwrap()["event"],
        "refused"
    );
    // Idempotent; and nobody can confirm it afterwards.
    let (status, again) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/refuse"))
        .await;
    assert_eq!(
        (status, &again["refused_at"]),
        (200, &refused["refused_at"])
    );
    let (status, body) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/confirm"))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("consent_ended")),
        "{body}"
    );
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    // An active consent is revoked, not refused.
    let active = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, body) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{active}/refuse"))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("not_pending"))
    );
    // A language that is no language is refused, and names the field.
    let bad = json!({"recipients": ["okt"], "activities": [OUDERS], "categories": ["contact"],
        "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339(), "language": "Nederlands"});
    let response = app
        .public()
        .post(app.url("/v1/me/consents"))
        .bearer_auth(app.citizen_token(BSN))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        (&error["error"]["code"], &error["error"]["field"]),
        (&json!("invalid_language"), &json!("language"))
    );
    app.stop().await;
}

tests::both_databases! {
    an_amendment_supersedes_the_old_version_at_once_and_keeps_its_history =>
        an_amendment_supersedes_the_old_version_at_once_and_keeps_its_history;
    the_amsterdammer_refuses_a_consent_that_awaits_confirmation =>
        the_amsterdammer_refuses_a_consent_that_awaits_confirmation;
}
