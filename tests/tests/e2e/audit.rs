//! The privacy officers' API (api.md "Privacy officers", issue 9 items 4 and 6), as officers of
//! three organisations use it: who received what, why and on which basis; the denials with the
//! vuistregel that stopped them; the review queue of disclosures on a basis other than consent; each
//! officer limited to their own organisation unless it is city-wide, and every read recorded.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const MELDING: &str = "melding-zorg-en-woonoverlast";
const OFFICER: &str = "privacy_officer";

async fn officer_get(app: &TestApp, partner: &str, path: &str) -> Vec<Value> {
    let (status, body) = app.get_as(partner, OFFICER, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body.as_array().unwrap().clone()
}

/// A permitted exchange (bt-centrum-west's data to okt-amsterdam), a denied one (no consent for
/// OTHER_BSN), and a melding on the basis of a public task (bt-centrum-west to the Meldpunt).
async fn traffic(app: &TestApp) -> (String, String) {
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let exchange = |bsn: &str| {
        json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
               "categories": ["contact"]})
    };
    let (status, permitted) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(BSN),
        )
        .await;
    assert_eq!(status, 200, "{permitted}");
    let (status, denied) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(OTHER_BSN),
        )
        .await;
    assert_eq!(status, 403, "{denied}");
    let melding = json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
        "activity": MELDING, "justification": "Buren melden stankoverlast; bewoner reageert niet.",
        "data": {"contact": {"naam": "Jan de Vries", "adres": "Voorbeeldstraat 1"},
                 "veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"}}});
    let (status, delivered) = app
        .post_as(
            "bt-centrum-west",
            "buurtteammedewerker",
            "/v1/deliveries",
            &melding,
        )
        .await;
    assert_eq!(status, 200, "{delivered}");
    (
        permitted["disclosure_id"].as_str().unwrap().to_owned(),
        delivered["disclosure_id"].as_str().unwrap().to_owned(),
    )
}

async fn an_officer_sees_their_organisations_disclosures_and_denials_and_nothing_else(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        config.audit.city_wide = vec!["wpi".into()];
    })
    .await
    else {
        return;
    };
    let (exchanged, melding) = traffic(&app).await;

    let mine = officer_get(&app, "bt-centrum-west", "/v1/audit/disclosures").await;
    let ids: Vec<&str> = mine.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![melding.as_str(), exchanged.as_str()],
        "newest first"
    );
    assert_eq!(mine[0]["legal_basis"], "public_task");
    assert_eq!(
        mine[0]["justification"],
        "Buren melden stankoverlast; bewoner reageert niet."
    );
    assert_eq!(mine[0]["professional"], "prof-1");
    assert_eq!(mine[1]["to"], "okt-amsterdam");
    assert_eq!(mine[1]["categories"], json!(["contact"]));
    let text = Value::Array(mine.clone()).to_string();
    assert!(
        !text.contains(BSN) && !text.contains("Jan de Vries"),
        "never the BSN or data"
    );

    let public_task = officer_get(
        &app,
        "bt-centrum-west",
        "/v1/audit/disclosures?basis=public_task",
    )
    .await;
    assert_eq!(public_task.len(), 1);
    let to_okt = officer_get(
        &app,
        "bt-centrum-west",
        "/v1/audit/disclosures?partner=okt-amsterdam&activity=gezinsondersteuning-ouders",
    )
    .await;
    assert_eq!(to_okt.len(), 1);
    let later = officer_get(
        &app,
        "bt-centrum-west",
        "/v1/audit/disclosures?from=2999-01-01T00:00:00Z",
    )
    .await;
    assert!(later.is_empty());

    // The OKT's officer sees the refusal of its own request, with the vuistregel that stopped it.
    let denials = officer_get(&app, "okt-amsterdam", "/v1/audit/decisions?outcome=deny").await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0]["outcome"], "deny");
    assert_eq!(denials[0]["violations"][0]["vuistregel"], 8);
    let reden = denials[0]["violations"][0]["reason_nl"].as_str().unwrap();
    assert!(
        reden.contains("geen geldige toestemming"),
        "in Dutch: {reden}"
    );
    // Which rules were in force: the decision names the register's version.
    let register = app.register_json().await;
    assert_eq!(register["version"].as_str().unwrap().len(), 64);
    assert_eq!(denials[0]["register_version"], register["version"]);
    // An organisation that took no part sees nothing; a city-wide one sees everything.
    assert!(
        officer_get(&app, "bt-zuid-oost", "/v1/audit/disclosures")
            .await
            .is_empty()
    );
    assert!(
        officer_get(&app, "bt-zuid-oost", "/v1/audit/decisions")
            .await
            .is_empty()
    );
    assert_eq!(
        officer_get(&app, "wpi", "/v1/audit/disclosures")
            .await
            .len(),
        2
    );
    assert_eq!(
        officer_get(&app, "wpi", "/v1/audit/decisions").await.len(),
        3
    );

    // Only privacy officers; every read is recorded.
    let (status, body) = app
        .get_as("bt-centrum-west", "regievoerder", "/v1/audit/disclosures")
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_privacy_officer"))
    );
    assert_eq!(app.count("audit_reads").await, 9);
    app.stop().await;
}

async fn a_disclosure_on_another_basis_waits_for_review_and_is_approved_or_flagged_with_a_note(
    db: Db,
) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (exchanged, melding) = traffic(&app).await;
    let queue = officer_get(&app, "bt-centrum-west", "/v1/audit/reviews").await;
    assert_eq!(queue.len(), 1, "only the melding rests on another basis");
    assert_eq!(queue[0]["disclosure"]["id"], melding.as_str());
    assert_eq!(queue[0]["status"], "pending");

    let review = |outcome: &str, note: &str| json!({"outcome": outcome, "note": note});
    let path = format!("/v1/audit/reviews/{melding}");
    for (body, code) in [
        (review("approve", "ok"), "invalid_note"),
        (
            review("maybe", "Onderbouwing klopt met het dossier."),
            "unknown_outcome",
        ),
        (json!({"outcome": "approve"}), "invalid_request"),
    ] {
        let (status, answer) = app.post_as("bt-centrum-west", OFFICER, &path, &body).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (400, &json!(code)),
            "{answer}"
        );
    }
    // Not under review (consent), or not this officer's organisation's: not found.
    let fine = review("approve", "Onderbouwing klopt met het dossier.");
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            OFFICER,
            &format!("/v1/audit/reviews/{exchanged}"),
            &fine,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.post_as("bt-zuid-oost", OFFICER, &path, &fine).await;
    assert_eq!(status, 404);

    let flag = review(
        "flag",
        "Melding zonder eerst contact met bewoner: navragen.",
    );
    let (status, recorded) = app.post_as("bt-centrum-west", OFFICER, &path, &flag).await;
    assert_eq!(status, 200, "{recorded}");
    assert_eq!(recorded["outcome"], "flag");
    assert_eq!(recorded["by_partner"], "bt-centrum-west");
    assert!(
        officer_get(&app, "bt-centrum-west", "/v1/audit/reviews")
            .await
            .is_empty()
    );
    let all = officer_get(&app, "bt-centrum-west", "/v1/audit/reviews?status=all").await;
    assert_eq!(all[0]["status"], "flagged");
    assert_eq!(all[0]["reviews"][0]["note"], flag["note"]);
    // A later review counts; the earlier one stays readable.
    let (status, _) = app.post_as("bt-centrum-west", OFFICER, &path, &fine).await;
    assert_eq!(status, 200);
    let all = officer_get(&app, "bt-centrum-west", "/v1/audit/reviews?status=all").await;
    assert_eq!(all[0]["status"], "approved");
    assert_eq!(all[0]["reviews"].as_array().unwrap().len(), 2);
    app.stop().await;
}

async fn bad_audit_queries_are_refused_with_a_clear_code(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for (path, code) in [
        ("/v1/audit/disclosures?from=yesterday", "invalid_query"),
        ("/v1/audit/disclosures?partner=nobody", "unknown_partner"),
        ("/v1/audit/disclosures?activity=nothing", "unknown_activity"),
        ("/v1/audit/disclosures?basis=whim", "unknown_legal_basis"),
        ("/v1/audit/disclosures?limit=0", "invalid_limit"),
        (
            "/v1/audit/disclosures?subject_bsn=111222333",
            "invalid_query",
        ),
        ("/v1/audit/decisions?outcome=maybe", "unknown_outcome"),
        ("/v1/audit/reviews?status=done", "unknown_status"),
    ] {
        let (status, body) = app.get_as("bt-centrum-west", OFFICER, path).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!(code)),
            "{path}: {body}"
        );
    }
    let (status, _) = tests::send(app.public().get(app.url("/v1/audit/disclosures"))).await;
    assert_eq!(status, 401, "no certificate, no token");
    assert_eq!(
        app.count("audit_reads").await,
        0,
        "a refused read reads nothing"
    );
    app.stop().await;
}

/// Each party reviews for its own organisation: the recipient's approval neither lifts the
/// sender's flag nor takes the disclosure out of anyone's sight; every verdict is shown.
async fn one_partys_officer_does_not_override_anothers_review(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (_, melding) = traffic(&app).await;
    let path = format!("/v1/audit/reviews/{melding}");
    let (bt, meldpunt) = ("bt-centrum-west", "meldpunt-zorg-woonoverlast");
    let flag = json!({"outcome": "flag", "note": "Melding zonder eerst contact met bewoner."});
    let approve = json!({"outcome": "approve", "note": "Voor ons is de melding terecht."});
    let (status, _) = app.post_as(bt, OFFICER, &path, &flag).await;
    assert_eq!(status, 200);
    let queue = officer_get(&app, meldpunt, "/v1/audit/reviews").await;
    assert_eq!(
        queue.len(),
        1,
        "another party's verdict leaves it in the meldpunt's queue"
    );
    assert_eq!(queue[0]["status"], "flagged");
    let (status, _) = app.post_as(meldpunt, OFFICER, &path, &approve).await;
    assert_eq!(status, 200);

    let verdict = |item: &Value, partner: &str| {
        item["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["partner"] == partner)
            .map(|v| v["status"].clone())
    };
    for officer in [bt, meldpunt] {
        let all = officer_get(&app, officer, "/v1/audit/reviews?status=all").await;
        assert_eq!(
            all[0]["status"], "flagged",
            "{officer}: the flag stays: {}",
            all[0]
        );
        assert_eq!(verdict(&all[0], bt), Some(json!("flagged")));
        assert_eq!(verdict(&all[0], meldpunt), Some(json!("approved")));
        let flagged = officer_get(&app, officer, "/v1/audit/reviews?status=flagged").await;
        assert_eq!(flagged.len(), 1, "{officer} sees what is flagged");
        assert!(
            officer_get(&app, officer, "/v1/audit/reviews")
                .await
                .is_empty(),
            "{officer} reviewed"
        );
    }
    let mut console = app.officer_visitor(bt).await;
    let page = console.get("/audit/beoordelen?status=flagged").await;
    assert!(
        page.body.contains("Gemarkeerd voor onderzoek")
            && page
                .body
                .contains("(uw organisatie): gemarkeerd voor onderzoek")
            && page
                .body
                .contains("Meldpunt Zorg- en Woonoverlast: akkoord"),
        "{}",
        page.body
    );

    // Only the flagging organisation lifts its flag.
    let (status, _) = app.post_as(bt, OFFICER, &path, &approve).await;
    assert_eq!(status, 200);
    let all = officer_get(&app, bt, "/v1/audit/reviews?status=all").await;
    assert_eq!(all[0]["status"], "approved");
    assert!(
        officer_get(&app, bt, "/v1/audit/reviews?status=flagged")
            .await
            .is_empty()
    );
    app.stop().await;
}

tests::both_databases! {
    one_partys_officer_does_not_override_anothers_review =>
        one_partys_officer_does_not_override_anothers_review;
    an_officer_sees_their_organisations_disclosures_and_denials_and_nothing_else =>
        an_officer_sees_their_organisations_disclosures_and_denials_and_nothing_else;
    a_disclosure_on_another_basis_waits_for_review_and_is_approved_or_flagged_with_a_note =>
        a_disclosure_on_another_basis_waits_for_review_and_is_approved_or_flagged_with_a_note;
    bad_audit_queries_are_refused_with_a_clear_code =>
        bad_audit_queries_are_refused_with_a_clear_code;
}
