//! The partner-system contract: a partner system answers only the gateway (its certificate names the
//! gateway's OIN), and the gateway sends a request only to a system whose certificate names the
//! partner it means. Around the gateway nothing is read or delivered.

use gateway::pki::PkiLayout;
use serde_json::{Value, json};
use tests::{BSN, Behaviour, Config, Db, TestApp, key_set, set_of};

const OUDERS: &str = "gezinsondersteuning-ouders";
const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";

/// An HTTPS client presenting the certificate in `cert`/`key` and trusting the dev CA.
fn client_with(pki: &PkiLayout, cert: &std::path::Path, key: &std::path::Path) -> reqwest::Client {
    let tls = gateway::tls::client_config(&pki.ca(), cert, key).expect("tls");
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

fn records_request() -> Value {
    json!({"subject_bsn": BSN, "activity": OUDERS, "categories": ["contact", "gezondheid"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_cannot_read_or_deliver_to_another_partners_system_around_the_gateway() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let buurtteam = app.system("bt-centrum-west");
    let wpi = app.partner("wpi");
    let result = wpi
        .post(format!("{}/v1/records", buurtteam.url))
        .json(&records_request())
        .send()
        .await;
    assert!(
        result.is_err(),
        "wpi's own certificate must not open the buurtteam's system, got HTTP {:?}",
        result.map(|r| r.status())
    );
    assert_eq!(buurtteam.records_served(), 0, "no record was served");

    let aanbieder = app.system("aio-lvb-cordaan");
    let forged = json!({"subject_bsn": BSN, "activity": AANMELDING, "sender": "bt-centrum-west",
                        "disclosure_id": "forged", "data": {"contact": {"naam": "Jan de Vries"}}});
    let result = app
        .partner("bt-centrum-west")
        .post(format!("{}/v1/deliveries", aanbieder.url))
        .json(&forged)
        .send()
        .await;
    assert!(
        result.is_err(),
        "a forged delivery straight to the recipient's system must be refused, got HTTP {:?}",
        result.map(|r| r.status())
    );
    assert!(aanbieder.deliveries().is_empty(), "nothing was delivered");

    // The gateway's own certificate does open it: the refusal is about who calls.
    let gateway = client_with(&app.pki, &app.pki.gateway_cert(), &app.pki.gateway_key());
    let answer = gateway
        .post(format!("{}/v1/records", buurtteam.url))
        .json(&records_request())
        .send()
        .await
        .expect("the gateway reaches the system");
    assert_eq!(answer.status(), 200);
    assert_eq!(buurtteam.records_served(), 1);
    app.stop().await;
}

/// Points `partner`'s endpoint at `impostor`'s sample system (which serves with `impostor`'s
/// certificate).
fn endpoint_of(
    partner: &'static str,
    impostor: &'static str,
) -> impl FnOnce(&mut Config, &PkiLayout) {
    move |config, _| {
        let url = config.partners[impostor].endpoint.clone();
        config
            .partners
            .get_mut(partner)
            .expect("partner configured")
            .endpoint = url;
    }
}

async fn the_gateway_does_not_ask_a_system_whose_certificate_names_another_partner(db: Db) {
    let Some(app) =
        TestApp::spawn_configured(db, endpoint_of("bt-centrum-west", "bt-zuid-oost")).await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let exchange = |source: &str| json!({"subject_bsn": BSN, "source": source, "activity": OUDERS, "categories": ["contact", "regie"]});
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange("bt-centrum-west"),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "source_unavailable", "{body}");
    assert!(body["data"].is_null(), "no data: {body}");
    assert_eq!(
        app.system("bt-zuid-oost").records_served(),
        0,
        "the impostor system never received the request"
    );
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    assert_eq!(app.count("disclosures").await, 0, "nothing disclosed");
    assert_eq!(
        app.count("decisions").await,
        1,
        "the failed attempt is recorded"
    );

    // The same system answers the gateway for its own partner.
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange("bt-zuid-oost"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.system("bt-zuid-oost").records_served(), 1);
    app.stop().await;
}

async fn the_gateway_does_not_deliver_to_a_system_whose_certificate_names_another_partner(db: Db) {
    let Some(app) =
        TestApp::spawn_configured(db, endpoint_of("aio-lvb-cordaan", "bt-begeleid-thuis-hvo"))
            .await
    else {
        return;
    };
    app.record_consent(BSN, &["aio-lvb-cordaan"], &[AANMELDING], &["contact"])
        .await;
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan", "activity": AANMELDING,
                    "data": {"contact": {"naam": "Jan de Vries", "telefoon": "0201234567"}}}),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "recipient_unavailable", "{body}");
    assert!(
        app.system("bt-begeleid-thuis-hvo").deliveries().is_empty(),
        "the impostor system received nothing"
    );
    assert!(app.system("aio-lvb-cordaan").deliveries().is_empty());
    app.stop().await;
}

async fn withheld_names_the_schema_fields_the_purpose_does_not_permit_whatever_the_source_sent(
    db: Db,
) {
    let empty = |id: &str| {
        if id == "bt-zuid-oost" {
            Behaviour::Empty
        } else {
            Behaviour::Normal
        }
    };
    let Some(app) = TestApp::spawn_with(db, empty, &[]).await else {
        return;
    };
    app.record_consent(BSN, &["aio-lvb-cordaan"], &[AANMELDING], &["gezondheid"])
        .await;
    // The aanmelding permits gezondheid.beperking only. bt-centrum-west's system sends every field
    // of the schema plus `interne_notitie`; bt-zuid-oost's holds nothing.
    let mut answers = Vec::new();
    for source in ["bt-centrum-west", "bt-zuid-oost"] {
        let (status, body) = app
            .post_as(
                "aio-lvb-cordaan",
                "begeleider",
                "/v1/exchange",
                &json!({"subject_bsn": BSN, "source": source, "activity": AANMELDING, "categories": ["gezondheid"]}),
            )
            .await;
        assert_eq!(status, 200, "{source}: {body}");
        assert_eq!(
            body["withheld"],
            json!([
                "gezondheid.behandelaar",
                "gezondheid.diagnose",
                "gezondheid.medicatie"
            ]),
            "{source}: the schema fields the purpose does not permit, sorted: {body}"
        );
        assert!(
            !body.to_string().contains("interne_notitie"),
            "{source}: a field outside the schema is never named: {body}"
        );
        answers.push(body);
    }
    assert_eq!(
        key_set(&answers[0]["data"]["gezondheid"]),
        set_of(&["beperking"]),
        "{}",
        answers[0]
    );
    assert_eq!(
        answers[1]["data"]["gezondheid"],
        json!({}),
        "{}",
        answers[1]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_whose_certificate_is_on_the_crl_is_refused_at_the_handshake() {
    let Some(app) = TestApp::spawn_configured(Db::Sqlite, |config, pki| {
        let crl = gateway::pki::revoke(pki, &["wpi"]).expect("crl");
        config.tls.client_crl = vec![crl];
    })
    .await
    else {
        return;
    };
    let token = app.partner_token("wpi", "prof-1", "klantmanager");
    let result = app
        .partner("wpi")
        .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(
        result.is_err(),
        "a revoked certificate must fail the handshake, got HTTP {:?}",
        result.map(|r| r.status())
    );
    let result = app.partner("wpi").get(app.url("/healthz")).send().await;
    assert!(
        result.is_err(),
        "even on a public route, got HTTP {:?}",
        result.map(|r| r.status())
    );

    // Another partner of the same CA, and anyone without a certificate, still get in.
    let (status, body) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents?subject_bsn={BSN}"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = tests::send(app.public().get(app.url("/v1/register"))).await;
    assert_eq!(status, 200);
    app.stop().await;
}

tests::both_databases! {
    withheld_names_the_schema_fields_the_purpose_does_not_permit_whatever_the_source_sent => withheld_names_the_schema_fields_the_purpose_does_not_permit_whatever_the_source_sent;
    the_gateway_does_not_ask_a_system_whose_certificate_names_another_partner => the_gateway_does_not_ask_a_system_whose_certificate_names_another_partner;
    the_gateway_does_not_deliver_to_a_system_whose_certificate_names_another_partner => the_gateway_does_not_deliver_to_a_system_whose_certificate_names_another_partner;
}
