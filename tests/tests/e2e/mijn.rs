//! Mijn gegevens beyond reading and revoking (issue 10), as the Amsterdammer uses it: recording a
//! refusal ("nooit aan ...") through a confirmation step, which binds the partner's next request at
//! once, and lifting it again; downloading everything held about them and the evidence bundle of an
//! entry (the same files as the API, the bundle checking out offline against the log key); seeing
//! whom they represent and who represents them.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp, Visitor};

use crate::representatives::{REPRESENTATIVE, record_representation};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp) -> (u16, Value) {
    app.post_as(
        "okt-amsterdam",
        "okt-medewerker",
        "/v1/exchange",
        &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                "categories": ["contact"]}),
    )
    .await
}

pub(crate) async fn resident(app: &TestApp, bsn: &str) -> Visitor {
    let mut visitor = app.visitor();
    visitor.get("/mijn/login").await;
    let signed_in = visitor.post("/mijn/login", &[("bsn", bsn)]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    visitor
}

async fn a_refusal_recorded_on_the_page_binds_at_once_and_can_be_lifted(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);

    let mut me = resident(&app, BSN).await;
    let home = me.get("/mijn").await;
    assert!(home.body.contains("Nooit delen met"), "{}", home.body);
    let confirm = me.get("/mijn/weigeren?ontvanger=okt-amsterdam").await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("Ja, nooit delen met Ouder- en Kindteams Amsterdam"),
        "{}",
        confirm.body
    );
    // Without the form's token nothing is recorded.
    let forged = me
        .post(
            "/mijn/weigeren",
            &[("csrf", "forged"), ("ontvanger", "okt-amsterdam")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(exchange(&app).await.0, 200);

    let recorded = me
        .post("/mijn/weigeren", &[("ontvanger", "okt-amsterdam")])
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let receipt = me.get(recorded.location.as_deref().unwrap()).await;
    assert!(
        receipt
            .body
            .contains("nooit aan Ouder- en Kindteams Amsterdam"),
        "{}",
        receipt.body
    );
    let (status, body) = exchange(&app).await;
    assert_eq!(status, 403, "the refusal beats the consent: {body}");
    let (_, refusals) = app.get_as_citizen(BSN, "/v1/me/refusals").await;
    assert_eq!(refusals[0]["recorded_by_partner"], "amsterdammer");
    let id = refusals[0]["id"].as_str().unwrap().to_owned();

    // Another Amsterdammer cannot lift it.
    let mut other = resident(&app, OTHER_BSN).await;
    other.get("/mijn").await;
    let theirs = other
        .post(&format!("/mijn/weigeringen/{id}/opheffen"), &[])
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(exchange(&app).await.0, 403);

    me.get("/mijn").await;
    let lifted = me
        .post(&format!("/mijn/weigeringen/{id}/opheffen"), &[])
        .await;
    assert_eq!(lifted.status, 303);
    let after = me.get(lifted.location.as_deref().unwrap()).await;
    assert!(after.body.contains("is opgeheven"), "{}", after.body);
    assert_eq!(exchange(&app).await.0, 200);
    app.stop().await;
}

async fn the_page_offers_everything_held_and_each_entrys_evidence_as_files(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, exchanged) = exchange(&app).await;
    assert_eq!(status, 200);
    let id = exchanged["disclosure_id"].as_str().unwrap();

    let mut me = resident(&app, BSN).await;
    let home = me.get("/mijn").await;
    assert!(
        home.body
            .contains(&format!("/mijn/verstrekkingen/{id}/bewijs"))
    );
    let export = me.get("/mijn/download").await;
    assert_eq!(export.status, 200);
    let export: Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(export["consents"].as_array().unwrap().len(), 1);
    assert_eq!(export["disclosures"][0]["id"], id);

    assert!(
        !home.body.contains("Gedeeld zonder uw toestemming"),
        "an exchange on consent is not marked"
    );
    // A melding on a public task is marked as shared without consent, and explained.
    let (status, melding) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
                "activity": "melding-zorg-en-woonoverlast",
                "justification": "Buren melden stankoverlast; bewoner reageert niet.",
                "data": {"contact": {"naam": "Jan de Vries", "adres": "Voorbeeldstraat 1"},
                         "veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"}}}),
        )
        .await;
    assert_eq!(status, 200, "{melding}");
    let home = me.get("/mijn").await;
    let marked = home
        .body
        .split("<article")
        .find(|card| card.contains("Gedeeld zonder uw toestemming"))
        .expect("the melding is marked");
    assert!(marked.contains("Meldpunt"), "{marked}");
    let bundle = me.get(&format!("/mijn/verstrekkingen/{id}/bewijs")).await;
    assert_eq!(bundle.status, 200);
    let key = app.public_text("/v1/log/key").await;
    let report = gateway::logcheck::verify_bundle(&bundle.body, key.trim()).unwrap();
    assert_eq!(report.disclosure_id, id);

    // Not someone else's.
    let mut other = resident(&app, OTHER_BSN).await;
    let theirs = other
        .get(&format!("/mijn/verstrekkingen/{id}/bewijs"))
        .await;
    assert_eq!(theirs.status, 404);
    let nothing: Value = serde_json::from_str(&other.get("/mijn/download").await.body).unwrap();
    assert!(nothing["disclosures"].as_array().unwrap().is_empty());
    // And not without a session.
    let stranger = app.visitor().get("/mijn/download").await;
    assert_eq!(stranger.location.as_deref(), Some("/mijn/login"));
    app.stop().await;
}

async fn both_sides_of_a_representation_are_shown(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    record_representation(&app, "mentor").await;

    let mut mentor = resident(&app, REPRESENTATIVE).await;
    let page = mentor.get("/mijn").await;
    assert!(
        page.body.contains("Voor wie u optreedt")
            && page.body.contains("Als mentor van mijn broer (geldig)"),
        "{}",
        page.body
    );
    let mut represented = resident(&app, BSN).await;
    let page = represented.get("/mijn").await;
    assert!(
        page.body.contains("Wie voor u optreedt") && page.body.contains("Een mentor (geldig)"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("mijn broer"),
        "the label is the representative's own"
    );
    app.stop().await;
}

async fn the_amsterdammer_may_read_the_page_in_english(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);
    let mut me = resident(&app, BSN).await;
    let dutch = me.get("/mijn").await;
    assert!(
        dutch.body.contains("<html lang=\"nl\">")
            && dutch.body.contains("Wat er over u gedeeld is")
    );
    assert!(dutch.body.contains("?taal=en"), "the choice is offered");
    let english = me.get("/mijn?taal=en").await;
    assert!(
        english.body.contains("<html lang=\"en\">"),
        "{}",
        english.body
    );
    for text in [
        "What was shared about you",
        "Your consents",
        "Valid until:",
        "Your rights",
        "Verified in the public log",
    ] {
        assert!(english.body.contains(text), "{text}: {}", english.body);
    }
    assert!(!english.body.contains("Wat er over u gedeeld is"));
    // The choice is kept, on the confirmation step too, until changed back.
    assert_eq!(me.cookie("taal"), Some("en"));
    let (_, consents) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    let id = consents[0]["id"].as_str().unwrap();
    let confirm = me.get(&format!("/mijn/toestemmingen/{id}/intrekken")).await;
    assert!(
        confirm.body.contains("Are you sure you want to revoke"),
        "{}",
        confirm.body
    );
    let back = me.get("/mijn?taal=nl").await;
    assert!(back.body.contains("Wat er over u gedeeld is"));
    app.stop().await;
}

async fn a_representative_views_and_manages_the_data_of_the_person_they_represent(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let representation = record_representation(&app, "mentor").await;
    assert_eq!(exchange(&app).await.0, 200);

    let mut mentor = resident(&app, REPRESENTATIVE).await;
    let own = mentor.get("/mijn").await;
    assert!(
        own.body
            .contains("Bekijk en beheer de gegevens van mijn broer"),
        "{}",
        own.body
    );
    assert!(
        own.body.contains("U heeft geen toestemmingen gegeven"),
        "their own page first"
    );
    // Not under someone else's representation.
    let mut stranger = resident(&app, OTHER_BSN).await;
    stranger.get("/mijn").await;
    let refused = stranger
        .post("/mijn/namens", &[("vertegenwoordiging", &representation)])
        .await;
    assert_eq!(refused.status, 404);

    let acting = mentor
        .post("/mijn/namens", &[("vertegenwoordiging", &representation)])
        .await;
    assert_eq!(acting.status, 303, "{}", acting.body);
    let theirs = mentor.get("/mijn").await;
    assert!(
        theirs
            .body
            .contains("U bekijkt en beheert de gegevens van mijn broer, als mentor"),
        "{}",
        theirs.body
    );
    assert!(
        theirs.body.contains("Ouder- en Kindteams Amsterdam")
            && theirs.body.contains("Toestemming intrekken")
    );

    // A mentor acts only on some categories: a refusal of a whole organisation is beyond the role.
    let beyond = mentor
        .post("/mijn/weigeren", &[("ontvanger", "okt-amsterdam")])
        .await;
    assert_eq!(beyond.status, 403);
    assert!(
        beyond.body.contains("buiten uw vertegenwoordiging"),
        "{}",
        beyond.body
    );

    // A consent the person gave themselves is not the mentor's to revoke.
    mentor
        .get(&format!("/mijn/toestemmingen/{consent}/intrekken"))
        .await;
    let own = mentor
        .post(&format!("/mijn/toestemmingen/{consent}/intrekken"), &[])
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("zelf gekozen"), "{}", own.body);
    assert_eq!(exchange(&app).await.0, 200);

    // One the mentor gave, they revoke for them, and the person sees their representative did it.
    let (status, given) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/consents",
            &json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": [OUDERS],
                "categories": ["contact"], "valid_until": (chrono::Utc::now() + chrono::Duration::days(90)).to_rfc3339(),
                "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
                "grantor": {"role": "mentor", "bsn": REPRESENTATIVE}}),
        )
        .await;
    assert_eq!(status, 201, "{given}");
    let given = given["id"].as_str().unwrap().to_owned();
    mentor
        .get(&format!("/mijn/toestemmingen/{given}/intrekken"))
        .await;
    let revoked = mentor
        .post(&format!("/mijn/toestemmingen/{given}/intrekken"), &[])
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let (_, consents) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    let last = consents
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == given.as_str())
        .unwrap()["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event"], "revoked");
    assert_eq!(last["representation_id"], representation.as_str());

    // Back to their own page; and once the representation ends, no acting for them any more.
    mentor.get("/mijn").await;
    let back = mentor
        .post("/mijn/namens", &[("vertegenwoordiging", "")])
        .await;
    assert_eq!(back.status, 303);
    assert!(
        !mentor
            .get("/mijn")
            .await
            .body
            .contains("U bekijkt en beheert")
    );
    mentor
        .post("/mijn/namens", &[("vertegenwoordiging", &representation)])
        .await;
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/representations/{representation}/end"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let lapsed = mentor.get("/mijn").await;
    assert!(
        lapsed.body.contains("niet meer geldig") && !lapsed.body.contains("U bekijkt en beheert"),
        "{}",
        lapsed.body
    );
    assert!(
        !lapsed
            .body
            .contains("Ouder- en Kindteams Amsterdam van Buurtteam"),
        "none of their data"
    );
    app.stop().await;
}

async fn the_page_has_the_apis_limit_per_amsterdammer(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        config.rate_limit.per_second = std::num::NonZeroU32::new(1).unwrap();
        config.rate_limit.burst = std::num::NonZeroU32::new(3).unwrap();
    })
    .await
    else {
        return;
    };
    let mut me = resident(&app, BSN).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(me.get("/mijn").await.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);
    // Another Amsterdammer is not held up.
    let mut other = resident(&app, OTHER_BSN).await;
    assert_eq!(other.get("/mijn").await.status, 200);
    app.stop().await;
}

tests::both_databases! {
    the_page_has_the_apis_limit_per_amsterdammer => the_page_has_the_apis_limit_per_amsterdammer;
    a_representative_views_and_manages_the_data_of_the_person_they_represent =>
        a_representative_views_and_manages_the_data_of_the_person_they_represent;
    the_amsterdammer_may_read_the_page_in_english => the_amsterdammer_may_read_the_page_in_english;
    a_refusal_recorded_on_the_page_binds_at_once_and_can_be_lifted =>
        a_refusal_recorded_on_the_page_binds_at_once_and_can_be_lifted;
    the_page_offers_everything_held_and_each_entrys_evidence_as_files =>
        the_page_offers_everything_held_and_each_entrys_evidence_as_files;
    both_sides_of_a_representation_are_shown => both_sides_of_a_representation_are_shown;
}
