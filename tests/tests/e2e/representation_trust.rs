//! A representation is evidence, not a claim: nobody becomes a resident's representative, or blocks
//! their care with a refusal, on a partner's word alone. The first test walks the takeover found
//! from outside (a WPI professional recording a curator for a resident it has no part in, who then
//! withdraws the resident's refusal of WPI and revokes their consents) and asserts that every step
//! is refused or stays pending.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

use crate::mijn::resident;
use crate::representatives::{REPRESENTATIVE, as_citizen};

const OUDERS: &str = "gezinsondersteuning-ouders";

fn curator_of_bsn() -> Value {
    json!({"representative_bsn": REPRESENTATIVE, "represented_bsn": BSN, "role": "curator",
        "basis": "beschikking rechtbank Amsterdam 2026-03-02", "document_sha256": "ef".repeat(32),
        "valid_until": (Utc::now() + Duration::days(365)).to_rfc3339()})
}

fn code(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"]["code"].as_str().unwrap_or("-"))
}

async fn a_partner_cannot_take_over_a_resident_through_a_representation(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    use reqwest::Method;
    // The resident R gave a consent through the buurtteam, and refused WPI themselves.
    let consent = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, refusal) = as_citizen(
        &app,
        BSN,
        None,
        Method::POST,
        "/v1/me/refusals",
        Some(&json!({"recipient": "wpi"})),
    )
    .await;
    assert_eq!(status, 201, "{refusal}");
    let refusal = refusal["id"].as_str().unwrap().to_owned();

    // 1. WPI has no part in R's care: it records no representation for them.
    let wpi = app
        .post_by(
            "wpi",
            "klant-1",
            "klantmanager",
            "/v1/representations",
            &curator_of_bsn(),
        )
        .await;
    assert_eq!(code(&wpi), (403, "no_part_in_care"), "{}", wpi.1);
    // An aanbieder is no recorder of curators at all.
    let aanbieder = app
        .post_by(
            "aio-lvb-cordaan",
            "beg-1",
            "begeleider",
            "/v1/representations",
            &curator_of_bsn(),
        )
        .await;
    assert_eq!(code(&aanbieder), (403, "not_a_recorder"), "{}", aanbieder.1);

    // 2. The buurtteam, which has a part, records one: it is pending and grants nothing.
    let (status, recorded) = app
        .post_by(
            "bt-centrum-west",
            "prof-1",
            "regievoerder",
            "/v1/representations",
            &curator_of_bsn(),
        )
        .await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(
        (&recorded["status"], &recorded["awaits_confirmation"]),
        (&json!("pending"), &json!(true))
    );
    let id = recorded["id"].as_str().unwrap().to_owned();
    let read = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::GET,
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(
        code(&read),
        (403, "not_representative"),
        "a pending representation reads nothing"
    );

    // 3. R is told: they see it, who recorded it and on which basis.
    let (_, mine) = as_citizen(&app, BSN, None, Method::GET, "/v1/me/representations", None).await;
    let shown = &mine["represented_by"][0];
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["status"], "pending");
    assert_eq!(shown["recorded_by_partner"], "bt-centrum-west");
    assert_eq!(shown["basis"], "beschikking rechtbank Amsterdam 2026-03-02");

    // 4. Four eyes: the recorder does not confirm it, nor a role the register does not list, nor
    //    the would-be representative.
    let confirm = format!("/v1/representations/{id}/confirm");
    let seen = json!({"evidence_seen": "beschikking ingezien en CCBR geraadpleegd"});
    let own = app
        .post_by("bt-centrum-west", "prof-1", "regievoerder", &confirm, &seen)
        .await;
    assert_eq!(code(&own), (403, "four_eyes"), "{}", own.1);
    let unlisted = app
        .post_by(
            "bt-centrum-west",
            "prof-2",
            "buurtteammedewerker",
            &confirm,
            &seen,
        )
        .await;
    assert_eq!(code(&unlisted), (403, "not_a_confirmer"), "{}", unlisted.1);
    let other_org = app
        .post_by("wpi", "klant-2", "klantmanager", &confirm, &seen)
        .await;
    assert_eq!(other_org.0, 404, "another organisation does not see it");
    let by_representative = as_citizen(
        &app,
        REPRESENTATIVE,
        None,
        Method::POST,
        &format!("/v1/me/representations/{id}/confirm"),
        None,
    )
    .await;
    assert_eq!(
        by_representative.0, 404,
        "only the person represented confirms"
    );
    let (_, still) = as_citizen(&app, BSN, None, Method::GET, "/v1/me/representations", None).await;
    assert_eq!(still["represented_by"][0]["status"], "pending");

    // A second professional in a listed role confirms, after seeing the court decision.
    let second = app
        .post_by("bt-centrum-west", "prof-2", "regievoerder", &confirm, &seen)
        .await;
    assert_eq!(
        (second.0, &second.1["status"]),
        (200, &json!("active")),
        "{}",
        second.1
    );
    assert_eq!(second.1["confirmed_by"], "bt-centrum-west");

    // 5. Even confirmed, a representative does not undo what R chose themselves.
    let lift = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::POST,
        &format!("/v1/me/refusals/{refusal}/withdraw"),
        None,
    )
    .await;
    assert_eq!(code(&lift), (403, "own_choice"), "{}", lift.1);
    let revoke = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::POST,
        &format!("/v1/me/consents/{consent}/revoke"),
        None,
    )
    .await;
    assert_eq!(code(&revoke), (403, "own_choice"), "{}", revoke.1);
    let (_, refusals) = as_citizen(&app, BSN, None, Method::GET, "/v1/me/refusals", None).await;
    assert_eq!(refusals[0]["status"], "active", "R's refusal of WPI stands");
    let (_, consents) = as_citizen(&app, BSN, None, Method::GET, "/v1/me/consents", None).await;
    assert_eq!(consents[0]["status"], "active", "R's consent stands");

    // A consent the representative records follows the recorder rules: pending, and the
    // representative cannot confirm it themselves.
    let terms = json!({"recipients": ["okt-amsterdam"], "activities": [OUDERS], "categories": ["contact"],
        "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339()});
    let (status, given) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::POST,
        "/v1/me/consents",
        Some(&terms),
    )
    .await;
    assert_eq!(
        (status, &given["status"]),
        (201, &json!("pending")),
        "{given}"
    );
    let given = given["id"].as_str().unwrap();
    let self_confirm = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::POST,
        &format!("/v1/me/consents/{given}/confirm"),
        None,
    )
    .await;
    assert_eq!(
        code(&self_confirm),
        (403, "not_a_recorder"),
        "{}",
        self_confirm.1
    );

    // 6. R contests it and ends it; from then on it acts for nobody.
    let (status, ended) = as_citizen(
        &app,
        BSN,
        None,
        Method::POST,
        &format!("/v1/me/representations/{id}/end"),
        None,
    )
    .await;
    assert_eq!(
        (status, &ended["status"]),
        (200, &json!("ended")),
        "{ended}"
    );
    assert_eq!(ended["ended_by"], "amsterdammer");
    let after = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        Method::GET,
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(code(&after), (403, "not_representative"));
    app.stop().await;
}

async fn a_refusal_is_recorded_only_by_an_organisation_with_a_part_in_the_care(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let body = json!({"subject_bsn": BSN, "recipient": "bt-centrum-west"});
    let stranger = app
        .post_by(
            "aio-lvb-cordaan",
            "beg-1",
            "begeleider",
            "/v1/refusals",
            &body,
        )
        .await;
    assert_eq!(code(&stranger), (403, "no_part_in_care"), "{}", stranger.1);
    assert_eq!(app.count("refusals").await, 0);
    // Once the buurtteam has a part (a consent naming it), it records one for the resident.
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, recorded) = app
        .post_by(
            "bt-centrum-west",
            "prof-1",
            "regievoerder",
            "/v1/refusals",
            &json!({"subject_bsn": BSN, "recipient": "wpi"}),
        )
        .await;
    assert_eq!(status, 201, "{recorded}");
    app.stop().await;
}

/// A refusal recorded by mistake need not wait for the resident: the organisation that recorded
/// it lifts it, and only that one (not another organisation, not the resident's own refusal);
/// the resident sees who recorded and who lifted it.
async fn the_recording_organisation_lifts_only_a_refusal_it_recorded(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let refuse = |partner: &'static str, sub: &'static str, role: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .post_by(
                    partner,
                    sub,
                    role,
                    "/v1/refusals",
                    &json!({"subject_bsn": BSN, "recipient": "wpi"}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body["id"].as_str().unwrap().to_owned()
        }
    };
    let by_buurtteam = refuse("bt-centrum-west", "prof-1", "regievoerder").await;
    let (status, own) = tests::send(
        app.public()
            .post(app.url("/v1/me/refusals"))
            .bearer_auth(app.citizen_token(BSN))
            .json(&json!({"category": "financien"})),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    let own = own["id"].as_str().unwrap().to_owned();
    let lift = |partner: &'static str, id: String, bsn: &'static str| {
        let app = &app;
        async move {
            app.post_by(
                partner,
                "prof-2",
                "regievoerder",
                &format!("/v1/refusals/{id}/withdraw"),
                &json!({"subject_bsn": bsn}),
            )
            .await
        }
    };
    let other = lift("okt-amsterdam", by_buurtteam.clone(), BSN).await;
    assert_eq!(
        code(&other),
        (403, "not_the_recorder"),
        "another organisation"
    );
    let residents = lift("bt-centrum-west", own.clone(), BSN).await;
    assert_eq!(
        code(&residents),
        (403, "not_the_recorder"),
        "the resident's own"
    );
    let elsewhere = lift("bt-centrum-west", by_buurtteam.clone(), tests::OTHER_BSN).await;
    assert_eq!(
        code(&elsewhere),
        (404, "not_found"),
        "named with another resident"
    );
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/refusals").await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "active"),
        "nothing was lifted yet: {mine}"
    );

    let (status, lifted) = lift("bt-centrum-west", by_buurtteam.clone(), BSN).await;
    assert_eq!(status, 200, "{lifted}");
    assert_eq!(lifted["status"], "withdrawn");
    assert_eq!(lifted["recorded_by_partner"], "bt-centrum-west");
    assert_eq!(lifted["withdrawn_by_partner"], "bt-centrum-west");
    let (status, _) = lift("bt-centrum-west", by_buurtteam.clone(), BSN).await;
    assert_eq!(status, 200, "idempotent");
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/refusals").await;
    let status_of = |id: &str| {
        mine.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(
        (status_of(&by_buurtteam), status_of(&own)),
        (json!("withdrawn"), json!("active"))
    );

    let mut page = resident(&app, BSN).await;
    let mijn = page.get("/mijn").await;
    assert!(
        mijn.body.contains("Opgeheven")
            && mijn.body.contains("opgeheven op")
            && mijn
                .body
                .contains("door Buurtteam Amsterdam Centrum en West"),
        "the resident sees who recorded and who lifted it: {}",
        mijn.body
    );
    app.stop().await;
}

tests::both_databases! {
    the_recording_organisation_lifts_only_a_refusal_it_recorded =>
        the_recording_organisation_lifts_only_a_refusal_it_recorded;
    a_partner_cannot_take_over_a_resident_through_a_representation =>
        a_partner_cannot_take_over_a_resident_through_a_representation;
    a_refusal_is_recorded_only_by_an_organisation_with_a_part_in_the_care =>
        a_refusal_is_recorded_only_by_an_organisation_with_a_part_in_the_care;
}
