//! Exchange (pull): a professional asks a source partner for an Amsterdammer's data under a processing
//! activity; the gateway checks the toestemmingsverklaring and the vuistregels and releases only what
//! the purpose allows.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp, key_set, set_of, string_set, vuistregels};

const OUDERS: &str = "gezinsondersteuning-ouders";
const WPI_INKOMEN: &str = "samenwerking-wpi-inkomen";

fn ouders_exchange(bsn: &str) -> Value {
    json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS, "categories": ["contact", "regie"]})
}

async fn okt_exchange(app: &TestApp, bsn: &str) -> (u16, Value) {
    app.post_as(
        "okt-amsterdam",
        "okt-medewerker",
        "/v1/exchange",
        &ouders_exchange(bsn),
    )
    .await
}

async fn okt_consent(app: &TestApp) -> String {
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await
}

async fn with_consent_the_professional_receives_exactly_the_fields_the_activity_allows(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent_id = okt_consent(&app).await;

    let response = app
        .partner("okt-amsterdam")
        .post(app.url("/v1/exchange"))
        .bearer_auth(app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker"))
        .json(&ouders_exchange(BSN))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "released personal data must not be cached"
    );
    let body: Value = response.json().await.expect("json");

    let register = app.register_json().await;
    let activity = register["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .find(|a| a["id"] == OUDERS)
        .expect("activity in register")
        .clone();
    let data = &body["data"];
    assert_eq!(
        key_set(data),
        set_of(&["contact", "regie"]),
        "exactly the requested categories: {body}"
    );
    for category in ["contact", "regie"] {
        assert_eq!(
            key_set(&data[category]),
            string_set(&activity["fields"][category]),
            "{category} holds exactly the fields the activity allows"
        );
    }
    let withheld = body["withheld"].as_array().expect("withheld");
    assert!(
        !withheld.is_empty(),
        "the source sent more than the purpose needs; that must be reported as withheld"
    );
    for entry in withheld {
        let entry = entry.as_str().expect("withheld entry");
        let released = entry
            .split_once('.')
            .is_some_and(|(cat, field)| data[cat].get(field).is_some());
        assert!(!released, "{entry} is reported withheld but was released");
    }
    let disclosure_id = body["disclosure_id"].as_str().expect("disclosure_id");

    let (status, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200);
    let mine = mine.as_array().expect("list");
    assert_eq!(mine.len(), 1, "one disclosure: {mine:?}");
    let d = &mine[0];
    assert_eq!(d["id"], disclosure_id);
    assert_eq!(d["from"], "bt-centrum-west");
    assert_eq!(d["to"], "okt-amsterdam");
    assert_eq!(d["activity"], OUDERS);
    assert_eq!(string_set(&d["categories"]), set_of(&["contact", "regie"]));
    assert_eq!(d["consent_id"], consent_id.as_str());
    assert_eq!(d["legal_basis"], "consent");

    let (status, others) = app.get_as_citizen(OTHER_BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200);
    assert_eq!(
        others,
        json!([]),
        "another Amsterdammer sees nothing of this"
    );
    app.stop().await;
}

async fn without_consent_the_exchange_is_denied_and_the_source_is_never_asked(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, body) = okt_exchange(&app, BSN).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");
    assert!(
        vuistregels(&body).contains(&8),
        "vuistregel 8 (no consent): {body}"
    );
    assert!(body["data"].is_null(), "no data in a denial: {body}");
    assert_eq!(
        app.system("bt-centrum-west").records_served(),
        0,
        "nothing may be forwarded to the source"
    );
    assert_eq!(app.count("disclosures").await, 0);
    assert_eq!(
        app.count("decisions").await,
        1,
        "the denial itself is recorded"
    );
    app.stop().await;
}

async fn after_the_amsterdammer_revokes_consent_the_next_exchange_is_denied(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent_id = okt_consent(&app).await;
    let (status, body) = okt_exchange(&app, BSN).await;
    assert_eq!(status, 200, "permitted before revocation: {body}");

    let revoke = format!("/v1/me/consents/{consent_id}/revoke");
    let (status, first) = app.post_as_citizen(BSN, &revoke).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "revoked");
    assert!(first["revoked_at"].is_string(), "revoked_at set: {first}");
    let (status, second) = app.post_as_citizen(BSN, &revoke).await;
    assert_eq!(status, 200, "revoking twice is fine: {second}");
    assert_eq!(second["status"], "revoked");
    assert_eq!(
        second["revoked_at"], first["revoked_at"],
        "revoking again does not move the moment of revocation"
    );

    let (status, body) = okt_exchange(&app, BSN).await;
    assert_eq!(status, 403, "denied after revocation: {body}");
    assert_eq!(body["error"]["code"], "denied");
    assert!(vuistregels(&body).contains(&8), "{body}");

    let (status, consent) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{consent_id}"),
        )
        .await;
    assert_eq!(status, 200, "{consent}");
    assert_eq!(consent["status"], "revoked");
    assert_eq!(consent["revoked_at"], first["revoked_at"]);
    let history: Vec<(String, String)> = consent["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                e["by"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            ("recorded".to_owned(), "bt-centrum-west".to_owned()),
            ("revoked".to_owned(), "amsterdammer".to_owned()),
        ],
        "one recorded and one revoked event, however often revoked"
    );
    app.stop().await;
}

async fn a_category_the_activity_does_not_need_is_denied(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["bt-centrum-west"], &[WPI_INKOMEN], &["inkomen"])
        .await;
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "wpi", "activity": WPI_INKOMEN, "categories": ["inkomen", "gezondheid"]}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");
    let rules = vuistregels(&body);
    assert!(
        rules.contains(&1) || rules.contains(&2),
        "vuistregel 1 or 2 (only what the purpose needs): {body}"
    );
    assert_eq!(app.system("wpi").records_served(), 0);
    assert_eq!(app.count("disclosures").await, 0);

    // The same request without the extra category is fine: the consent itself works.
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "wpi", "activity": WPI_INKOMEN, "categories": ["inkomen"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

async fn a_role_not_listed_for_the_activity_is_denied(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    okt_consent(&app).await;
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "klantmanager",
            "/v1/exchange",
            &ouders_exchange(BSN),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");
    assert!(
        vuistregels(&body).contains(&6),
        "vuistregel 6 (least privilege): {body}"
    );
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    assert_eq!(app.count("disclosures").await, 0);
    app.stop().await;
}

async fn an_amsterdammer_cannot_revoke_someone_elses_consent(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent_id = okt_consent(&app).await;
    let (status, body) = app
        .post_as_citizen(OTHER_BSN, &format!("/v1/me/consents/{consent_id}/revoke"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");

    let (status, mine) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(status, 200);
    assert_eq!(mine[0]["id"], consent_id.as_str());
    assert_eq!(mine[0]["status"], "active", "still in force: {mine}");
    let (status, others) = app.get_as_citizen(OTHER_BSN, "/v1/me/consents").await;
    assert_eq!(status, 200);
    assert_eq!(others, json!([]));
    let (status, body) = okt_exchange(&app, BSN).await;
    assert_eq!(status, 200, "the consent still works: {body}");
    app.stop().await;
}

async fn partners_see_only_the_consents_that_concern_their_organisation(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let okt = okt_consent(&app).await;
    let wpi = app
        .record_consent(BSN, &["bt-centrum-west"], &[WPI_INKOMEN], &["inkomen"])
        .await;
    let path = format!("/v1/consents?subject_bsn={BSN}");
    let ids = |body: &Value| -> BTreeSet<String> {
        body.as_array()
            .unwrap_or_else(|| panic!("not a list: {body}"))
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect()
    };

    let (status, seen) = app.get_as("wpi", "klantmanager", &path).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(
        ids(&seen),
        BTreeSet::new(),
        "being a possible source by kind (wpi of the inkomen consent) gives no sight; naming does"
    );
    let (status, seen) = app.get_as("okt-amsterdam", "okt-medewerker", &path).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(ids(&seen), BTreeSet::from([okt.clone()]));
    let (status, seen) = app.get_as("bt-centrum-west", "regievoerder", &path).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(
        ids(&seen),
        BTreeSet::from([okt.clone(), wpi.clone()]),
        "the recorder sees both"
    );
    let (status, seen) = app.get_as("aio-lvb-cordaan", "begeleider", &path).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen, json!([]), "an uninvolved aanbieder sees none");
    // The same question with the BSN in the body (kept out of URLs and access logs).
    let (status, seen) = app
        .post_as(
            "wpi",
            "klantmanager",
            "/v1/consents/search",
            &json!({"subject_bsn": BSN}),
        )
        .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(ids(&seen), BTreeSet::new());

    let (status, body) = app
        .get_as("wpi", "klantmanager", &format!("/v1/consents/{okt}"))
        .await;
    assert_eq!(status, 404, "wpi cannot read the okt consent: {body}");
    let (status, body) = app
        .post_as(
            "wpi",
            "klantmanager",
            &format!("/v1/consents/{okt}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 404, "nor revoke it: {body}");
    let (status, body) = okt_exchange(&app, BSN).await;
    assert_eq!(status, 200, "the okt consent is untouched: {body}");
    app.stop().await;
}

tests::both_databases! {
    with_consent_the_professional_receives_exactly_the_fields_the_activity_allows => with_consent_the_professional_receives_exactly_the_fields_the_activity_allows;
    without_consent_the_exchange_is_denied_and_the_source_is_never_asked => without_consent_the_exchange_is_denied_and_the_source_is_never_asked;
    after_the_amsterdammer_revokes_consent_the_next_exchange_is_denied => after_the_amsterdammer_revokes_consent_the_next_exchange_is_denied;
    a_category_the_activity_does_not_need_is_denied => a_category_the_activity_does_not_need_is_denied;
    a_role_not_listed_for_the_activity_is_denied => a_role_not_listed_for_the_activity_is_denied;
    an_amsterdammer_cannot_revoke_someone_elses_consent => an_amsterdammer_cannot_revoke_someone_elses_consent;
    partners_see_only_the_consents_that_concern_their_organisation => partners_see_only_the_consents_that_concern_their_organisation;
}
