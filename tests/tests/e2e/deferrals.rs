//! Deferred notice, never secrecy (issue 9 item 5): a melding whose notice would endanger someone
//! is held back from the Amsterdammer until a date, at most the activity's maximum; it is in the
//! public log from the start; privacy officers see it and may shorten the delay; on the date the
//! Amsterdammer sees it. The clock is moved, never waited for.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

const MELDING: &str = "melding-zorg-en-woonoverlast";
const REASON: &str = "Melding huiselijk geweld; de pleger woont in hetzelfde huis.";

fn melding(defer: Value) -> Value {
    json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast", "activity": MELDING,
           "justification": "Buren horen geweld; bewoner durft zelf niet te melden.",
           "data": {"contact": {"naam": "Jan de Vries"}}, "defer_notice": defer})
}

async fn mine(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn a_deferred_melding_is_logged_at_once_and_shown_to_the_amsterdammer_on_its_date(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |_, _| {}).await else {
        return;
    };
    let until = start + Duration::days(30);
    let (status, sent) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding(json!({"until": until.to_rfc3339(), "reason": REASON})),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let id = sent["disclosure_id"].as_str().unwrap();

    // Not shown to the Amsterdammer, in no route of theirs.
    assert!(mine(&app).await.is_empty());
    let (status, _) = app
        .get_as_citizen(BSN, &format!("/v1/me/disclosures/{id}/proof"))
        .await;
    assert_eq!(status, 404);
    let (status, export) = app.get_as_citizen(BSN, "/v1/me/export").await;
    assert_eq!(status, 200);
    assert_eq!(export["disclosures"], json!([]), "{export}");
    // But in the public log from the start.
    let (status, proof) = tests::send(app.public().get(app.url(&format!(
        "/v1/log/proofs/inclusion?index={}",
        sent["log_index"]
    ))))
    .await;
    assert_eq!(status, 200, "{proof}");

    // The privacy officer sees it, why, and until when.
    let (status, deferred) = app
        .get_as("bt-centrum-west", "privacy_officer", "/v1/audit/deferrals")
        .await;
    assert_eq!(status, 200, "{deferred}");
    assert_eq!(deferred[0]["disclosure"]["id"], id);
    assert_eq!(deferred[0]["reason"], REASON);
    assert_eq!(deferred[0]["hidden"], true);
    assert_eq!(deferred[0]["set_by_partner"], "bt-centrum-west");

    // On the date, the Amsterdammer sees it, with its proof.
    clock.set(until + Duration::seconds(1));
    let shown = mine(&app).await;
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["id"], id);
    let (status, _) = app
        .get_as_citizen(BSN, &format!("/v1/me/disclosures/{id}/proof"))
        .await;
    assert_eq!(status, 200);
    app.stop().await;
}

async fn a_privacy_officer_may_shorten_a_deferral_but_never_lengthen_it(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock_configured(db, clock.clone(), |_, _| {}).await else {
        return;
    };
    let until = start + Duration::days(60);
    let (status, sent) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding(json!({"until": until.to_rfc3339(), "reason": REASON})),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let path = format!(
        "/v1/audit/deferrals/{}",
        sent["disclosure_id"].as_str().unwrap()
    );
    let later = json!({"until": (until + Duration::days(1)).to_rfc3339()});
    let now = json!({"until": start.to_rfc3339()});
    let (status, _) = app
        .post_as("bt-centrum-west", "privacy_officer", &path, &later)
        .await;
    assert_eq!(status, 404, "never longer");
    let (status, _) = app
        .post_as("bt-zuid-oost", "privacy_officer", &path, &now)
        .await;
    assert_eq!(status, 404, "not another organisation's officer");
    let (status, _) = app
        .post_as("bt-centrum-west", "regievoerder", &path, &now)
        .await;
    assert_eq!(status, 403, "not a professional");
    assert!(mine(&app).await.is_empty());

    let (status, shortened) = app
        .post_as("bt-centrum-west", "privacy_officer", &path, &now)
        .await;
    assert_eq!(status, 200, "{shortened}");
    assert_eq!(shortened["hidden"], false);
    assert_eq!(shortened["shortened"]["by_partner"], "bt-centrum-west");
    assert_eq!(mine(&app).await.len(), 1, "shown at once");
    app.stop().await;
}

async fn a_deferral_outside_what_the_activity_allows_is_refused_and_nothing_is_sent(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let soon = (Utc::now() + Duration::days(10)).to_rfc3339();
    let cases = [
        (
            json!({"until": (Utc::now() + Duration::days(91)).to_rfc3339(), "reason": REASON}),
            "invalid_deferral",
            "defer_notice.until",
        ),
        (
            json!({"until": (Utc::now() - Duration::days(1)).to_rfc3339(), "reason": REASON}),
            "invalid_deferral",
            "defer_notice.until",
        ),
        (
            json!({"until": soon, "reason": "gevaar"}),
            "invalid_deferral",
            "defer_notice.reason",
        ),
        (
            json!({"until": soon, "reason": "........................."}),
            "invalid_deferral",
            "defer_notice.reason",
        ),
        (json!({"until": soon}), "invalid_request", ""),
    ];
    for (defer, code, field) in cases {
        let (status, body) = app
            .post_as(
                "bt-centrum-west",
                "buurtteammedewerker",
                "/v1/deliveries",
                &melding(defer),
            )
            .await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!(code)),
            "{body}"
        );
        if !field.is_empty() {
            assert_eq!(body["error"]["field"], field, "{body}");
        }
    }
    // An activity that does not allow deferral.
    let aanmelding = json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan",
        "activity": "aanmelding-aanvullende-ondersteuning",
        "data": {"contact": {"naam": "Jan de Vries"}},
        "defer_notice": {"until": soon, "reason": REASON}});
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &aanmelding,
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("deferral_not_allowed")),
        "{body}"
    );
    assert_eq!(app.count("disclosures").await, 0);
    assert!(
        app.system("meldpunt-zorg-woonoverlast")
            .deliveries()
            .is_empty()
    );
    app.stop().await;
}

/// A deferral is the sender's judgement (seed 004 §2.6): the recipient's privacy officer sees it
/// but cannot end or shorten it, in the API or in the console; the sender's officer can.
async fn only_the_senders_officer_ends_a_deferral(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let until = Utc::now() + Duration::days(30);
    let (status, sent) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding(json!({"until": until.to_rfc3339(), "reason": REASON})),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let id = sent["disclosure_id"].as_str().unwrap();
    let path = format!("/v1/audit/deferrals/{id}");
    let now = json!({"until": Utc::now().to_rfc3339()});

    let (status, listed) = app
        .get_as(
            "meldpunt-zorg-woonoverlast",
            "privacy_officer",
            "/v1/audit/deferrals",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the recipient sees it: {listed}"
    );
    let (status, body) = app
        .post_as("meldpunt-zorg-woonoverlast", "privacy_officer", &path, &now)
        .await;
    assert_eq!(status, 404, "the recipient does not end it: {body}");
    let mut recipient = app.officer_visitor("meldpunt-zorg-woonoverlast").await;
    let page = recipient.get("/audit/uitgesteld").await;
    assert!(
        page.body.contains("1 uitgestelde verstrekking(en)"),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("action=\"/audit/uitgesteld/{id}\"")),
        "no button for the recipient: {}",
        page.body
    );
    assert!(mine(&app).await.is_empty(), "still deferred");

    let (status, body) = app
        .post_as("bt-centrum-west", "privacy_officer", &path, &now)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mine(&app).await.len(), 1, "the sender's officer showed it");
    app.stop().await;
}

tests::both_databases! {
    only_the_senders_officer_ends_a_deferral => only_the_senders_officer_ends_a_deferral;
    a_deferred_melding_is_logged_at_once_and_shown_to_the_amsterdammer_on_its_date =>
        a_deferred_melding_is_logged_at_once_and_shown_to_the_amsterdammer_on_its_date;
    a_privacy_officer_may_shorten_a_deferral_but_never_lengthen_it =>
        a_privacy_officer_may_shorten_a_deferral_but_never_lengthen_it;
    a_deferral_outside_what_the_activity_allows_is_refused_and_nothing_is_sent =>
        a_deferral_outside_what_the_activity_allows_is_refused_and_nothing_is_sent;
}
