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

/// `n` made into a BSN that passes the 11-proef (`None` for the prefixes no last digit fits).
fn bsn(n: u32) -> Option<String> {
    let prefix = format!("{:08}", 10_000_000 + n);
    let sum: u32 = prefix
        .chars()
        .zip((2..=9).rev())
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    (0..=9)
        .find(|last| (sum + 11 * 10 - last).is_multiple_of(11))
        .map(|last| format!("{prefix}{last}"))
}

/// The buurtteam records `REPRESENTATIVE` as curator of `represented`, for whom it first records a
/// consent (its part in the care); the representation's id.
async fn curator_recorded_for(app: &TestApp, represented: &str) -> String {
    app.record_consent(represented, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let mut body = curator_of_bsn();
    body["represented_bsn"] = json!(represented);
    let (status, r) = app
        .post_by(
            "bt-centrum-west",
            "prof-1",
            "regievoerder",
            "/v1/representations",
            &body,
        )
        .await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

/// The recording organisation's officers see every representation its professionals recorded,
/// who confirmed it, and the two patterns of a takeover: one representative for many people, and
/// a representation used within the hour. Another organisation's officers see none of it.
async fn the_recording_organisations_officers_see_its_representations_and_their_anomalies(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let people: Vec<String> = std::iter::once(BSN.to_owned())
        .chain(
            (1..40)
                .filter_map(bsn)
                .filter(|b| b != BSN && b != REPRESENTATIVE)
                .take(4),
        )
        .collect();
    let mut ids = Vec::new();
    for person in &people {
        ids.push(curator_recorded_for(&app, person).await);
    }
    // A second professional confirms the first (four eyes), and the curator acts at once.
    let (status, confirmed) = app
        .post_by(
            "bt-centrum-west",
            "prof-2",
            "regievoerder",
            &format!("/v1/representations/{}/confirm", ids[0]),
            &json!({"evidence_seen": "beschikking rechtbank gezien"}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let (status, acted) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&ids[0]),
        reqwest::Method::POST,
        "/v1/me/refusals",
        Some(&json!({"recipient": "wpi"})),
    )
    .await;
    assert_eq!(status, 201, "{acted}");

    let (status, seen) = app
        .get_as(
            "bt-centrum-west",
            "privacy_officer",
            "/v1/audit/representations",
        )
        .await;
    assert_eq!(status, 200, "{seen}");
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), 5, "{seen:?}");
    for r in seen {
        assert_eq!(r["representative_represents"], 5);
        assert!(
            r["anomalies"]
                .as_array()
                .unwrap()
                .contains(&json!("many_represented")),
            "{r}"
        );
        assert_eq!(r["professional"], "prof-1");
        assert!(!r.to_string().contains(REPRESENTATIVE) && !r.to_string().contains(BSN));
    }
    let first = seen
        .iter()
        .find(|r| r["representation"]["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(first["representation"]["status"], "active");
    assert_eq!(first["representation"]["confirmed_by"], "bt-centrum-west");
    assert!(first["first_used_at"].is_string(), "{first}");
    assert!(
        first["anomalies"]
            .as_array()
            .unwrap()
            .contains(&json!("used_within_an_hour"))
    );
    let other = seen
        .iter()
        .find(|r| r["representation"]["id"] == ids[1].as_str())
        .unwrap();
    assert_eq!(other["representation"]["status"], "pending");
    assert!(
        !other["anomalies"]
            .as_array()
            .unwrap()
            .contains(&json!("used_within_an_hour"))
    );

    for stranger in ["wpi", "okt-amsterdam"] {
        let (status, theirs) = app
            .get_as(stranger, "privacy_officer", "/v1/audit/representations")
            .await;
        assert_eq!(
            (status, theirs.as_array().map(Vec::len)),
            (200, Some(0)),
            "{stranger}: {theirs}"
        );
    }
    let (status, _) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/audit/representations",
        )
        .await;
    assert_eq!(status, 403, "not for professionals");

    let mut console = app.officer_visitor("bt-centrum-west").await;
    let page = console.get("/audit/vertegenwoordigingen").await;
    assert_eq!(page.status, 200);
    for shown in [
        "5 vertegenwoordiging(en)",
        "Vertegenwoordiger van 5 mensen",
        "Binnen een uur na vastleggen gebruikt",
        "Wacht op bevestiging",
        "door bt-centrum-west",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    app.stop().await;
}

/// `GET /v1/me/representations` as the resident `BSN`.
async fn my_representations(app: &TestApp) -> (u16, Value) {
    as_citizen(
        app,
        BSN,
        None,
        reqwest::Method::GET,
        "/v1/me/representations",
        None,
    )
    .await
}

/// The person represented confirms or ends a representation on Mijn gegevens, with the buttons
/// the page shows them; a representation they ended lets the representative do nothing.
async fn the_represented_person_confirms_and_ends_a_representation_on_the_page(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let id = curator_recorded_for(&app, BSN).await;
    let mut page = resident(&app, BSN).await;
    let mijn = page.get("/mijn").await;
    let confirm = format!("action=\"/mijn/vertegenwoordiging/{id}/bevestigen\"");
    let end = format!("action=\"/mijn/vertegenwoordiging/{id}/beeindigen\"");
    assert!(
        mijn.body.contains(&confirm) && mijn.body.contains(&end),
        "{}",
        mijn.body
    );
    let forged = page
        .post(
            &format!("/mijn/vertegenwoordiging/{id}/bevestigen"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403, "a form from elsewhere confirms nothing");
    page.get("/mijn").await;
    let done = page
        .post(&format!("/mijn/vertegenwoordiging/{id}/bevestigen"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (_, mine) = my_representations(&app).await;
    assert_eq!(mine["represented_by"][0]["status"], "active", "{mine}");
    assert_eq!(mine["represented_by"][0]["confirmed_by"], "amsterdammer");

    let mijn = page.get("/mijn").await;
    assert!(!mijn.body.contains(&confirm), "confirmed: no second button");
    let ended = page
        .post(&format!("/mijn/vertegenwoordiging/{id}/beeindigen"), &[])
        .await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let (_, mine) = my_representations(&app).await;
    assert_eq!(
        (
            &mine["represented_by"][0]["status"],
            &mine["represented_by"][0]["ended_by"]
        ),
        (&json!("ended"), &json!("amsterdammer"))
    );
    let read = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&id),
        reqwest::Method::GET,
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(code(&read), (403, "not_representative"));
    app.stop().await;
}

/// A refusal blocks other organisations' care, so the recording organisation's officers see every
/// one its professionals recorded (and who lifted it); a resident's own refusals stay theirs.
async fn the_recording_organisations_officers_see_the_refusals_it_recorded(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
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
    let (status, own) = tests::send(
        app.public()
            .post(app.url("/v1/me/refusals"))
            .bearer_auth(app.citizen_token(BSN))
            .json(&json!({"category": "gezondheid"})),
    )
    .await;
    assert_eq!(status, 201, "{own}");

    let (status, seen) = app
        .get_as("bt-centrum-west", "privacy_officer", "/v1/audit/refusals")
        .await;
    assert_eq!(status, 200, "{seen}");
    let seen = seen.as_array().unwrap();
    assert_eq!(
        seen.len(),
        1,
        "only what the organisation recorded: {seen:?}"
    );
    assert_eq!(seen[0]["refusal"]["id"], recorded["id"]);
    assert_eq!(seen[0]["professional"], "prof-1");
    assert!(!seen[0].to_string().contains(BSN));
    let (_, theirs) = app
        .get_as("okt-amsterdam", "privacy_officer", "/v1/audit/refusals")
        .await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(0), "{theirs}");

    let mut console = app.officer_visitor("bt-centrum-west").await;
    let page = console.get("/audit/vertegenwoordigingen").await;
    assert!(
        page.body
            .contains("1 weigering(en) namens bewoners vastgelegd")
            && page
                .body
                .contains(seen[0]["refusal"]["description"].as_str().unwrap())
            && page.body.contains("prof-1"),
        "{}",
        page.body
    );
    app.stop().await;
}

/// Every change in a representation's life (recorded, confirmed, ended) is an entry of the public
/// log like a consent change, signed into a checkpoint at once; `gateway log verify` checks each
/// against its digest and refuses an entry changed afterwards.
async fn every_representation_change_is_an_entry_of_the_public_log(db: Db) {
    let Some(mut app) = TestApp::spawn(db).await else {
        return;
    };
    let id = curator_recorded_for(&app, BSN).await;
    let (status, confirmed) = app
        .post_by(
            "bt-centrum-west",
            "prof-2",
            "regievoerder",
            &format!("/v1/representations/{id}/confirm"),
            &json!({"evidence_seen": "beschikking rechtbank gezien"}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let (status, ended) = as_citizen(
        &app,
        BSN,
        None,
        reqwest::Method::POST,
        &format!("/v1/me/representations/{id}/end"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    // The consent that gave the buurtteam its part, then three representation changes.
    let key = consent::LogVerifier::parse(&app.public_text("/v1/log/key").await).unwrap();
    let checkpoint = key
        .verify_checkpoint(&app.public_text("/v1/log/checkpoint").await)
        .unwrap();
    assert_eq!(
        checkpoint.size, 4,
        "each change signed into the log at once"
    );

    app.stop_server().await;
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(
        (
            report.entries,
            report.consent_changes,
            report.representation_changes
        ),
        (4, 1, 3),
        "{report:?}"
    );
    app.execute_raw("UPDATE representation_entries SET actor = 'wpi' WHERE event = 'confirmed'")
        .await;
    let refused = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("representation change"),
        "{refused}"
    );
}

tests::both_databases! {
    every_representation_change_is_an_entry_of_the_public_log =>
        every_representation_change_is_an_entry_of_the_public_log;
    the_recording_organisations_officers_see_the_refusals_it_recorded =>
        the_recording_organisations_officers_see_the_refusals_it_recorded;
    the_recording_organisations_officers_see_its_representations_and_their_anomalies =>
        the_recording_organisations_officers_see_its_representations_and_their_anomalies;
    the_represented_person_confirms_and_ends_a_representation_on_the_page =>
        the_represented_person_confirms_and_ends_a_representation_on_the_page;
    the_recording_organisation_lifts_only_a_refusal_it_recorded =>
        the_recording_organisation_lifts_only_a_refusal_it_recorded;
    a_partner_cannot_take_over_a_resident_through_a_representation =>
        a_partner_cannot_take_over_a_resident_through_a_representation;
    a_refusal_is_recorded_only_by_an_organisation_with_a_part_in_the_care =>
        a_refusal_is_recorded_only_by_an_organisation_with_a_part_in_the_care;
}
