//! Refusals (weigeringen, issue 8): "never to this partner or kind / category / activity" beats any
//! toestemmingsverklaring, names itself in the denial, and binds until the Amsterdammer withdraws it.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp) -> (u16, Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

async fn refuse(app: &TestApp, bsn: &str, body: Value) -> (u16, Value) {
    let response = app
        .public()
        .post(app.url("/v1/me/refusals"))
        .bearer_auth(app.citizen_token(bsn))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn a_refusal_beats_a_covering_consent_until_the_amsterdammer_withdraws_it(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);

    // A refusal of something else changes nothing.
    let (status, other) = refuse(&app, BSN, json!({"category": "gezondheid"})).await;
    assert_eq!(status, 201, "{other}");
    assert_eq!(exchange(&app).await.0, 200);

    let (status, refusal) = refuse(
        &app,
        BSN,
        json!({"recipient": "okt", "note": "liever niet"}),
    )
    .await;
    assert_eq!(status, 201, "{refusal}");
    assert_eq!(refusal["status"], "active");
    assert_eq!(refusal["description"], "never to any okt");
    assert_eq!(refusal["recorded_by_partner"], "amsterdammer");
    let id = refusal["id"].as_str().unwrap();

    let (status, denied) = exchange(&app).await;
    assert_eq!(status, 403, "a refusal beats the consent: {denied}");
    assert_eq!(denied["error"]["code"], "denied");
    let violation = &denied["error"]["violations"][0];
    assert_eq!(violation["vuistregel"], 8);
    assert!(
        violation["reason"].as_str().unwrap().contains(id),
        "the denial names the refusal: {violation}"
    );
    assert_eq!(
        app.count("disclosures").await,
        2,
        "nothing more was disclosed"
    );

    // Someone else cannot withdraw it; the Amsterdammer can, once (idempotent).
    let (status, _) = app
        .post_as_citizen(OTHER_BSN, &format!("/v1/me/refusals/{id}/withdraw"))
        .await;
    assert_eq!(status, 404);
    let (status, withdrawn) = app
        .post_as_citizen(BSN, &format!("/v1/me/refusals/{id}/withdraw"))
        .await;
    assert_eq!((status, &withdrawn["status"]), (200, &json!("withdrawn")));
    let (_, again) = app
        .post_as_citizen(BSN, &format!("/v1/me/refusals/{id}/withdraw"))
        .await;
    assert_eq!(again["withdrawn_at"], withdrawn["withdrawn_at"]);
    assert_eq!(
        exchange(&app).await.0,
        200,
        "a withdrawn refusal binds nothing"
    );

    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/refusals").await;
    let statuses: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["active", "withdrawn"]);
    let (_, theirs) = app.get_as_citizen(OTHER_BSN, "/v1/me/refusals").await;
    assert_eq!(theirs, json!([]));
    app.stop().await;
}

async fn a_professional_records_a_refusal_for_the_amsterdammer_and_bad_ones_are_refused(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let on_behalf = |extra: Value| {
        let mut body = json!({"subject_bsn": BSN});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, code) in [
        (on_behalf(json!({})), "refusal_empty"),
        (on_behalf(json!({"recipient": "  "})), "refusal_empty"),
        (on_behalf(json!({"recipient": "nobody"})), "unknown_partner"),
        (
            on_behalf(json!({"category": "schoenmaat"})),
            "unknown_category",
        ),
        (
            on_behalf(json!({"activity": "spionage"})),
            "unknown_activity",
        ),
        (
            on_behalf(json!({"activity": OUDERS, "note": "x".repeat(2001)})),
            "invalid_note",
        ),
        (
            json!({"subject_bsn": "123456789", "activity": OUDERS}),
            "invalid_bsn",
        ),
    ] {
        let (status, answer) = app
            .post_as("bt-centrum-west", "regievoerder", "/v1/refusals", &body)
            .await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some(code)),
            "{body}: {answer}"
        );
    }
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/refusals",
            &on_behalf(json!({"activity": OUDERS, "colour": "red"})),
        )
        .await;
    assert_eq!(status, 400, "unknown fields are refused");
    assert_eq!(app.count("refusals").await, 0, "nothing half-written");
    assert_eq!(exchange(&app).await.0, 200);

    let (status, refusal) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/refusals",
            &on_behalf(json!({"activity": OUDERS})),
        )
        .await;
    assert_eq!(status, 201, "{refusal}");
    assert_eq!(refusal["recorded_by_partner"], "bt-centrum-west");
    assert_eq!(exchange(&app).await.0, 403);
    // The Amsterdammer sees it among their own.
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/refusals").await;
    assert_eq!(mine[0]["id"], refusal["id"]);
    app.stop().await;
}

tests::both_databases! {
    a_refusal_beats_a_covering_consent_until_the_amsterdammer_withdraws_it =>
        a_refusal_beats_a_covering_consent_until_the_amsterdammer_withdraws_it;
    a_professional_records_a_refusal_for_the_amsterdammer_and_bad_ones_are_refused =>
        a_professional_records_a_refusal_for_the_amsterdammer_and_bad_ones_are_refused;
}
