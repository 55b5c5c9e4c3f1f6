//! Vuistregels 4, 5 and 7 as the recipient and the Amsterdammer meet them: a released answer says
//! until when it may be kept (`X-Retain-Until`, `retain_until`) and where it comes from; a delivery
//! carries its retention to the recipient's system; and every disclosure the Amsterdammer reads is
//! explained in plain Dutch and English, on its basis, with a pointer to their rights.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const MELDING: &str = "melding-zorg-en-woonoverlast";

async fn a_recipient_is_told_until_when_it_may_keep_the_data_and_where_it_comes_from(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let before = Utc::now();
    let response = app
        .partner("okt-amsterdam")
        .post(app.url("/v1/exchange"))
        .bearer_auth(token)
        .json(
            &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let header: DateTime<Utc> = response.headers()["x-retain-until"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = response.json().await.unwrap();
    // The activity keeps its records 730 days (the demo register).
    let expected = before + Duration::days(730);
    assert!(
        (header - expected).num_seconds().abs() < 60,
        "{header} is the activity's retention from now"
    );
    let field: DateTime<Utc> = body["retain_until"].as_str().unwrap().parse().unwrap();
    assert!((field - header).num_seconds().abs() < 1, "{body}");
    assert_eq!(body["provenance"]["source"], "bt-centrum-west");
    assert!(body["provenance"]["retrieved_at"].is_string(), "{body}");
    // The source dates its records (the sample systems: 40 days old); contact data has no
    // maximum age, so nothing is flagged.
    let as_of: DateTime<Utc> = body["provenance"]["as_of"]["contact"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (as_of - (before - Duration::days(40))).num_minutes().abs() < 5,
        "{body}"
    );
    assert_eq!(body["stale"], json!([]));

    // Income may be at most 31 days old (the demo register): 40 days is flagged as stale.
    app.record_consent(
        BSN,
        &["bt-centrum-west"],
        &["samenwerking-wpi-inkomen"],
        &["inkomen"],
    )
    .await;
    let (status, income) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "wpi", "activity": "samenwerking-wpi-inkomen",
                    "categories": ["inkomen"]}),
        )
        .await;
    assert_eq!(status, 200, "{income}");
    assert_eq!(income["stale"], json!(["inkomen"]), "{income}");

    // A delivery carries its retention to the recipient's system.
    let melding = json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
        "activity": MELDING, "justification": "Buren melden stankoverlast; bewoner reageert niet.",
        "data": {"contact": {"naam": "Jan de Vries"}}});
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding,
        )
        .await;
    assert_eq!(status, 200);
    let delivered = app.system("meldpunt-zorg-woonoverlast").deliveries();
    let kept_until: DateTime<Utc> = delivered[0]["retain_until"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (kept_until - (before + Duration::days(1825)))
            .num_seconds()
            .abs()
            < 60,
        "the melding's retention: {kept_until}"
    );
    app.stop().await;
}

async fn every_disclosure_is_explained_to_the_amsterdammer_on_its_basis(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent_id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, _) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                    "categories": ["contact"]}),
        )
        .await;
    assert_eq!(status, 200);
    let melding = json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
        "activity": MELDING, "justification": "Buren melden stankoverlast; bewoner reageert niet.",
        "data": {"contact": {"naam": "Jan de Vries"}}});
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding,
        )
        .await;
    assert_eq!(status, 200);

    let (status, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200, "{mine}");
    let [exchanged, melded] = mine.as_array().unwrap().as_slice() else {
        panic!("two disclosures: {mine}");
    };
    let told = exchanged["explanation"]["nl"].as_str().unwrap();
    for part in [
        "Ouder- en Kindteams Amsterdam",
        "Buurtteam Amsterdam Centrum en West",
        "contactgegevens",
        "toestemming",
        consent_id.as_str(),
        "intrekken",
    ] {
        assert!(told.contains(part), "{part:?} missing from: {told}");
    }
    assert!(!told.contains(BSN) && !told.contains("§"), "{told}");
    assert!(
        exchanged["explanation"]["en"]
            .as_str()
            .unwrap()
            .contains("because you gave consent")
    );
    let told = melded["explanation"]["nl"].as_str().unwrap();
    assert!(told.contains("zonder uw toestemming"), "{told}");
    assert!(told.contains("taak van algemeen belang"), "{told}");
    assert!(told.contains("privacyfunctionaris"), "{told}");

    // The rights each explanation points to, for anyone to read.
    assert_eq!(exchanged["explanation"]["rights"], "/v1/rights");
    let (status, rights) = tests::send(app.public().get(app.url("/v1/rights"))).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = rights
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for right in [
        "inzage",
        "intrekken",
        "rectificatie",
        "bezwaar",
        "wissen",
        "klacht",
    ] {
        assert!(ids.contains(&right), "{right}: {rights}");
    }
    assert!(rights.to_string().contains("Autoriteit Persoonsgegevens"));
    app.stop().await;
}

tests::both_databases! {
    a_recipient_is_told_until_when_it_may_keep_the_data_and_where_it_comes_from =>
        a_recipient_is_told_until_when_it_may_keep_the_data_and_where_it_comes_from;
    every_disclosure_is_explained_to_the_amsterdammer_on_its_basis =>
        every_disclosure_is_explained_to_the_amsterdammer_on_its_basis;
}
