//! Delivery (push): a buurtteam sends an Amsterdammer's data to a recipient (aanmelding, melding); the
//! gateway passes on only what the purpose allows and records the disclosure.

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp, key_set, string_set, vuistregels};

const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";
const MELDING: &str = "melding-zorg-en-woonoverlast";

async fn aanmelding_consent(app: &TestApp) -> String {
    app.record_consent(
        BSN,
        &["aio-lvb-cordaan"],
        &[AANMELDING],
        &["contact", "gezondheid"],
    )
    .await
}

/// More than the aanmelding may pass on: contact.email and contact.postcode are in the schema but not
/// needed, contact.bankrekening is not in the contact schema at all, gezondheid.diagnose and
/// gezondheid.medicatie are not needed (gezondheid.behandelaar, not needed either, is not sent).
fn aanmelding_data() -> Value {
    json!({
        "contact": {
            "naam": "Jan de Vries",
            "geboortedatum": "1980-05-12",
            "adres": "Voorbeeldstraat 1",
            "telefoon": "0201234567",
            "contactvoorkeur": "telefoon",
            "email": "jan@example.org",
            "postcode": "1012AB",
            "bankrekening": "NL91ABNA0417164300",
        },
        "gezondheid": {
            "beperking": "licht verstandelijke beperking",
            "diagnose": "niet voor de aanbieder",
            "medicatie": ["niet voor de aanbieder"],
        },
    })
}

async fn deliver(app: &TestApp, role: &str, body: &Value) -> (u16, Value) {
    app.post_as("bt-centrum-west", role, "/v1/deliveries", body)
        .await
}

async fn a_delivery_passes_on_only_the_fields_the_activity_allows(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let consent_id = aanmelding_consent(&app).await;
    let (status, body) = deliver(
        &app,
        "regievoerder",
        &json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan", "activity": AANMELDING, "data": aanmelding_data()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let disclosure_id = body["disclosure_id"].as_str().expect("disclosure_id");
    let delivered_at = body["delivered_at"].as_str().expect("delivered_at");
    assert!(
        chrono::DateTime::parse_from_rfc3339(delivered_at).is_ok(),
        "delivered_at is RFC 3339: {delivered_at}"
    );
    assert_eq!(
        body["withheld"],
        json!([
            "contact.email",
            "contact.postcode",
            "gezondheid.behandelaar",
            "gezondheid.diagnose",
            "gezondheid.medicatie",
        ]),
        "withheld names the schema fields the purpose does not permit, sorted, whatever was sent \
         (contact.bankrekening is outside the schema: dropped, never named): {body}"
    );

    let received = app.system("aio-lvb-cordaan").deliveries();
    assert_eq!(received.len(), 1, "exactly one message: {received:?}");
    let message = &received[0];
    let register = app.register_json().await;
    let activity = register["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .find(|a| a["id"] == AANMELDING)
        .expect("activity")
        .clone();
    for category in ["contact", "gezondheid"] {
        let allowed = string_set(&activity["fields"][category]);
        let got = key_set(&message["data"][category]);
        assert!(
            got.is_subset(&allowed),
            "{category}: only allowed fields reach the recipient, got {got:?}, allowed {allowed:?}"
        );
    }
    assert_eq!(
        message["data"],
        json!({
            "contact": {
                "naam": "Jan de Vries",
                "geboortedatum": "1980-05-12",
                "adres": "Voorbeeldstraat 1",
                "telefoon": "0201234567",
                "contactvoorkeur": "telefoon",
            },
            "gezondheid": {"beperking": "licht verstandelijke beperking"},
        }),
        "the allowed fields arrive unchanged"
    );
    assert_eq!(message["disclosure_id"], disclosure_id);
    assert!(
        app.system("bt-begeleid-thuis-hvo").deliveries().is_empty(),
        "no other aanbieder receives anything"
    );

    assert_eq!(app.count("disclosures").await, 1);
    let (status, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200);
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["id"], disclosure_id);
    assert_eq!(mine[0]["from"], "bt-centrum-west");
    assert_eq!(mine[0]["to"], "aio-lvb-cordaan");
    assert_eq!(mine[0]["consent_id"], consent_id.as_str());
    assert_eq!(mine[0]["legal_basis"], "consent");
    app.stop().await;
}

async fn without_consent_a_delivery_is_denied_and_the_recipient_receives_nothing(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, body) = deliver(
        &app,
        "regievoerder",
        &json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan", "activity": AANMELDING, "data": aanmelding_data()}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "denied");
    assert!(vuistregels(&body).contains(&8), "vuistregel 8: {body}");
    assert!(app.system("aio-lvb-cordaan").deliveries().is_empty());
    assert_eq!(app.count("disclosures").await, 0);
    assert_eq!(app.count("decisions").await, 1, "the denial is recorded");
    app.stop().await;
}

async fn a_melding_needs_a_justification_and_is_recorded_as_public_task(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut melding = json!({
        "subject_bsn": BSN,
        "recipient": "meldpunt-zorg-woonoverlast",
        "activity": MELDING,
        "data": {
            "contact": {"naam": "Jan de Vries", "adres": "Voorbeeldstraat 1"},
            "veiligheid": {"zorgsignaal": "ernstige vervuiling van de woning"},
        },
    });
    let (status, body) = deliver(&app, "buurtteammedewerker", &melding).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "justification_required");

    for empty in [
        "   ",
        ".",
        "zorgen",
        ".........................",
        "zorgen zorgen zorgen zorgen",
    ] {
        melding["justification"] = json!(empty);
        let (status, body) = deliver(&app, "buurtteammedewerker", &melding).await;
        assert_eq!(status, 400, "{empty:?} argues nothing: {body}");
        assert_eq!(body["error"]["code"], "justification_required");
        assert_eq!(body["error"]["field"], "justification");
    }
    assert!(
        app.system("meldpunt-zorg-woonoverlast")
            .deliveries()
            .is_empty()
    );
    assert_eq!(app.count("disclosures").await, 0);
    assert_eq!(
        app.count("decisions").await,
        6,
        "each refusal for want of a justification is recorded for review"
    );

    melding["justification"] =
        json!("Buren melden stankoverlast; bewoner is niet bereikbaar en verwaarloost zichzelf.");
    let (status, body) = deliver(&app, "buurtteammedewerker", &melding).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.system("meldpunt-zorg-woonoverlast").deliveries().len(),
        1
    );
    let (status, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(status, 200);
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["id"], body["disclosure_id"]);
    assert_eq!(mine[0]["activity"], MELDING);
    assert_eq!(mine[0]["to"], "meldpunt-zorg-woonoverlast");
    assert_eq!(mine[0]["legal_basis"], "public_task");
    assert!(
        mine[0].get("consent_id").is_some_and(Value::is_null),
        "consent_id is present and null: {mine}"
    );
    app.stop().await;
}

async fn delivered_data_of_the_wrong_type_is_refused_and_nothing_is_delivered(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    aanmelding_consent(&app).await;
    let (status, body) = deliver(
        &app,
        "regievoerder",
        &json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan", "activity": AANMELDING,
                "data": {"contact": {"naam": "Jan de Vries", "geboortedatum": "12 mei"}}}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_payload");
    assert!(app.system("aio-lvb-cordaan").deliveries().is_empty());
    assert_eq!(app.count("disclosures").await, 0);
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(mine, json!([]));
    app.stop().await;
}

tests::both_databases! {
    a_delivery_passes_on_only_the_fields_the_activity_allows => a_delivery_passes_on_only_the_fields_the_activity_allows;
    without_consent_a_delivery_is_denied_and_the_recipient_receives_nothing => without_consent_a_delivery_is_denied_and_the_recipient_receives_nothing;
    a_melding_needs_a_justification_and_is_recorded_as_public_task => a_melding_needs_a_justification_and_is_recorded_as_public_task;
    delivered_data_of_the_wrong_type_is_refused_and_nothing_is_delivered => delivered_data_of_the_wrong_type_is_refused_and_nothing_is_delivered;
}
