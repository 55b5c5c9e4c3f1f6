//! The consent trust model (issue 5, findings 1-3): who may record a toestemmingsverklaring, who must
//! confirm it, and who may see and revoke it. Probed as a partner holding its own certificate and
//! token key would: every refusal here was a `201` or `200` before.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp, send, vuistregels};

const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";
const OUDERS: &str = "gezinsondersteuning-ouders";
const CORDAAN: &str = "aio-lvb-cordaan";

fn consent_body(recipients: &[&str], activities: &[&str], categories: &[&str]) -> Value {
    json!({
        "subject_bsn": BSN,
        "recipients": recipients,
        "activities": activities,
        "categories": categories,
        "valid_until": (Utc::now() + Duration::days(180)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "cd".repeat(32), "recorded_by": "prof-1"},
    })
}

async fn cordaan_pulls_health_data(app: &TestApp) -> (u16, Value) {
    app.post_as(
        CORDAAN,
        "begeleider",
        "/v1/exchange",
        &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": AANMELDING,
                "categories": ["gezondheid", "contact"]}),
    )
    .await
}

/// Finding 1: an aanbieder recorded a consent naming itself, then pulled `gezondheid` (`201`, `200`).
async fn a_recipient_cannot_grant_itself_access(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, consent) = app
        .post_as(
            CORDAAN,
            "begeleider",
            "/v1/consents",
            &consent_body(&[CORDAAN], &[AANMELDING], &["gezondheid", "contact"]),
        )
        .await;
    assert_eq!(status, 201, "{consent}");
    assert_eq!(consent["status"], "pending", "{consent}");
    assert_eq!(consent["awaiting_confirmation"], true);

    let (status, body) = cordaan_pulls_health_data(&app).await;
    assert_eq!(status, 403, "a self-granted consent covers nothing: {body}");
    assert_eq!(vuistregels(&body), vec![8]);
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    assert_eq!(app.count("disclosures").await, 0);

    // The aanbieder cannot confirm its own consent either.
    let id = consent["id"].as_str().unwrap();
    let (status, body) = app
        .post_as(
            CORDAAN,
            "begeleider",
            &format!("/v1/consents/{id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "not_a_recorder");

    // The Amsterdammer, whose data it is, may confirm it; then it covers the exchange.
    let (status, confirmed) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/confirm"))
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "active");
    let last = confirmed["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event"], "confirmed");
    assert_eq!(last["by"], "amsterdammer");
    let (status, body) = cordaan_pulls_health_data(&app).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

/// A consent recorded by a non-recorder is confirmed by a listed recorder that can see it (named as
/// source by id), not by a listed recorder that is not named.
async fn a_pending_consent_is_confirmed_by_a_named_listed_recorder_only(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut body = consent_body(&[CORDAAN], &[AANMELDING], &["contact"]);
    body["sources"] = json!(["bt-centrum-west"]);
    let (status, consent) = app
        .post_by(CORDAAN, "begeleider-9", "begeleider", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{consent}");
    let confirm = format!("/v1/consents/{}/confirm", consent["id"].as_str().unwrap());

    let (status, body) = app
        .post_by("bt-zuid-oost", "rv-2", "regievoerder", &confirm, &json!({}))
        .await;
    assert_eq!(
        status, 404,
        "a buurtteam it does not name cannot see it: {body}"
    );

    let (status, confirmed) = app
        .post_by(
            "bt-centrum-west",
            "rv-1",
            "regievoerder",
            &confirm,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "active");
    assert_eq!(confirmed["awaiting_confirmation"], false);
    let history: Vec<(Value, Value, Value)> = confirmed["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].clone(),
                e["by"].clone(),
                e["professional"].clone(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            (json!("recorded"), json!(CORDAAN), json!("begeleider-9")),
            (json!("confirmed"), json!("bt-centrum-west"), json!("rv-1")),
        ]
    );
    let (status, again) = app
        .post_by(
            "bt-centrum-west",
            "rv-1",
            "regievoerder",
            &confirm,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "confirming twice is harmless: {again}");
    assert_eq!(again["history"].as_array().unwrap().len(), 2);
    app.stop().await;
}

/// Finding 2: WPI recorded for an activity it has no part in, after which a buurtteam pulled `kind`.
async fn a_recorder_must_take_part_in_every_activity_it_names(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, body) = app
        .post_as(
            "wpi",
            "klantmanager",
            "/v1/consents",
            &consent_body(
                &["wpi", "buurtteam"],
                &["samenwerking-wpi-casus", "gezinsondersteuning-kind"],
                &["regie", "kind"],
            ),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "not_a_party");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("gezinsondersteuning-kind"),
        "{body}"
    );
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "okt-amsterdam",
                    "activity": "gezinsondersteuning-kind", "categories": ["kind"]}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(app.system("okt-amsterdam").records_served(), 0);
    assert_eq!(app.count("consents").await, 0);
    app.stop().await;
}

/// Finding 2, second half: recipients must receive and sources must disclose under the activities.
async fn recipients_and_sources_must_belong_to_the_activities(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let app = &app;
    let record = |body: Value| async move {
        app.post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
            .await
    };
    let (status, body) = record(consent_body(&["wpi"], &[AANMELDING], &["contact"])).await;
    assert_eq!(
        status, 400,
        "wpi receives nothing under the aanmelding: {body}"
    );
    assert_eq!(body["error"]["code"], "invalid_recipient");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("recipients"),
        "{body}"
    );

    let mut with_source = consent_body(&["aanbieder"], &[AANMELDING], &["contact"]);
    with_source["sources"] = json!(["okt-amsterdam"]);
    let (status, body) = record(with_source).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_source");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("sources"),
        "{body}"
    );
    assert_eq!(app.count("consents").await, 0);

    let (status, body) = record(consent_body(&["aanbieder"], &[AANMELDING], &["contact"])).await;
    assert_eq!(
        status, 201,
        "a buurtteam records the aanmelding for every aanbieder: {body}"
    );
    assert_eq!(body["status"], "active");
}

/// Finding 3: `bt-zuid-oost`, neither recorder nor named, read and revoked `bt-centrum-west`'s consent.
async fn a_consent_is_seen_and_revoked_only_by_those_it_names(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let one = format!("/v1/consents/{id}");
    let (status, body) = app.get_as("bt-zuid-oost", "regievoerder", &one).await;
    assert_eq!(
        status, 404,
        "same kind as the recorder gives no sight: {body}"
    );
    let (status, list) = app
        .post_as(
            "bt-zuid-oost",
            "regievoerder",
            "/v1/consents/search",
            &json!({"subject_bsn": BSN}),
        )
        .await;
    assert_eq!((status, list), (200, json!([])));
    for action in ["revoke", "confirm"] {
        let (status, body) = app
            .post_as(
                "bt-zuid-oost",
                "regievoerder",
                &format!("{one}/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(status, 404, "{action}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (_, mine) = app
        .get_as_citizen(BSN, &one.replace("/v1/", "/v1/me/"))
        .await;
    let (_, all) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert!(mine.is_null() || mine["error"].is_object());
    assert_eq!(all[0]["status"], "active", "still active: {all}");

    // The recipient is involved: it sees the consent and may revoke it for the Amsterdammer.
    let (status, seen) = app.get_as("okt-amsterdam", "okt-medewerker", &one).await;
    assert_eq!(status, 200, "{seen}");
    let (status, revoked) = app
        .post_by(
            "okt-amsterdam",
            "okt-7",
            "okt-medewerker",
            &format!("{one}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{revoked}");
    let (_, after) = app.get_as("bt-centrum-west", "regievoerder", &one).await;
    let last = after["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["event"].clone(),
            last["by"].clone(),
            last["professional"].clone()
        ),
        (json!("revoked"), json!("okt-amsterdam"), json!("okt-7")),
        "{after}"
    );
    app.stop().await;
}

/// The Amsterdammer records a consent themselves: active at once, evidenced by the request itself,
/// seen by the recipients it names and not by a source it does not name.
async fn the_amsterdammer_records_a_consent_that_is_active_at_once(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let body = json!({
        "recipients": ["okt-amsterdam"],
        "activities": [OUDERS],
        "categories": ["contact"],
        "valid_until": (Utc::now() + Duration::days(90)).to_rfc3339(),
    });
    let (status, consent) = send(
        app.public()
            .post(app.url("/v1/me/consents"))
            .bearer_auth(app.citizen_token(BSN))
            .json(&body),
    )
    .await;
    assert_eq!(status, 201, "{consent}");
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["recorded_by_partner"], "amsterdammer");
    assert_eq!(consent["evidence"]["method"], "digital");
    assert_eq!(
        consent["evidence"]["document_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let one = format!("/v1/consents/{}", consent["id"].as_str().unwrap());
    assert_eq!(
        app.get_as("okt-amsterdam", "okt-medewerker", &one).await.0,
        200
    );
    assert_eq!(
        app.get_as("bt-centrum-west", "regievoerder", &one).await.0,
        404
    );

    let (status, exchanged) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS, "categories": ["contact"]}),
        )
        .await;
    assert_eq!(status, 200, "{exchanged}");

    let mut bad = body.clone();
    bad["recipients"] = json!(["wpi"]);
    let (status, refused) = send(
        app.public()
            .post(app.url("/v1/me/consents"))
            .bearer_auth(app.citizen_token(BSN))
            .json(&bad),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_recipient");
    app.stop().await;
}

/// Consent is given for a plan, not for ever: at most the configured period (two years by default).
async fn a_consent_longer_than_the_maximum_period_is_refused(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut body = consent_body(&["okt-amsterdam"], &[OUDERS], &["contact"]);
    body["valid_until"] = json!((Utc::now() + Duration::days(731)).to_rfc3339());
    let (status, refused) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "consent_period_too_long");
    assert_eq!(app.count("consents").await, 0);

    body["valid_until"] = json!((Utc::now() + Duration::days(729)).to_rfc3339());
    let (status, recorded) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{recorded}");
    app.stop().await;
}

/// The register says, per activity, who may record a consent that is active at once.
async fn the_public_register_names_each_activitys_consent_recorders(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let register = app.register_json().await;
    let recorders = |id: &str| {
        register["activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["consent_recorders"].clone())
            .unwrap()
    };
    assert_eq!(recorders(AANMELDING), json!(["buurtteam"]));
    assert_eq!(recorders(OUDERS), json!(["buurtteam", "okt"]));
    assert_eq!(
        recorders("samenwerking-wpi-casus"),
        json!(["buurtteam", "wpi"])
    );
    assert_eq!(recorders("regiecheck"), json!([]));
    app.stop().await;
}

tests::both_databases! {
    a_recipient_cannot_grant_itself_access => a_recipient_cannot_grant_itself_access;
    a_pending_consent_is_confirmed_by_a_named_listed_recorder_only => a_pending_consent_is_confirmed_by_a_named_listed_recorder_only;
    a_recorder_must_take_part_in_every_activity_it_names => a_recorder_must_take_part_in_every_activity_it_names;
    recipients_and_sources_must_belong_to_the_activities => recipients_and_sources_must_belong_to_the_activities;
    a_consent_is_seen_and_revoked_only_by_those_it_names => a_consent_is_seen_and_revoked_only_by_those_it_names;
    the_amsterdammer_records_a_consent_that_is_active_at_once => the_amsterdammer_records_a_consent_that_is_active_at_once;
    a_consent_longer_than_the_maximum_period_is_refused => a_consent_longer_than_the_maximum_period_is_refused;
    the_public_register_names_each_activitys_consent_recorders => the_public_register_names_each_activitys_consent_recorders;
}
