//! Bad input and bad credentials: each is answered with the stated status and error code, and nothing
//! is disclosed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use gateway::demo::DEFAULT_AUDIENCE;
use serde_json::{Value, json};
use tests::{BSN, Behaviour, Db, TestApp, send};

const OUDERS: &str = "gezinsondersteuning-ouders";

fn exchange_body(bsn: &str) -> Value {
    json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS, "categories": ["contact", "regie"]})
}

fn consent_body(bsn: &str) -> Value {
    json!({
        "subject_bsn": bsn,
        "recipients": ["okt-amsterdam"],
        "activities": [OUDERS],
        "categories": ["contact", "regie"],
        "valid_until": (Utc::now() + chrono::Duration::days(365)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
    })
}

fn delivery_body(bsn: &str) -> Value {
    json!({"subject_bsn": bsn, "recipient": "aio-lvb-cordaan", "activity": "aanmelding-aanvullende-ondersteuning",
           "data": {"contact": {"naam": "Jan de Vries"}}})
}

/// Asserts status and `error.code`, with the whole body in the message.
#[track_caller]
fn assert_error(what: &str, (status, body): &(u16, Value), want_status: u16, want_code: &str) {
    assert_eq!(*status, want_status, "{what}: {body}");
    assert_eq!(body["error"]["code"], want_code, "{what}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: a readable message: {body}"
    );
}

async fn assert_nothing_recorded(app: &TestApp) {
    assert_eq!(app.count("disclosures").await, 0, "nothing disclosed");
    assert_eq!(app.count("decisions").await, 0, "no decision was taken");
}

async fn a_bsn_failing_the_elfproef_or_of_the_wrong_format_is_invalid(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for bsn in ["123456789", "12345", "11122233a", "1112223333", ""] {
        let answer = app
            .post_as(
                "okt-amsterdam",
                "okt-medewerker",
                "/v1/exchange",
                &exchange_body(bsn),
            )
            .await;
        assert_error(&format!("exchange {bsn:?}"), &answer, 400, "invalid_bsn");
        let answer = app
            .post_as(
                "bt-centrum-west",
                "regievoerder",
                "/v1/consents",
                &consent_body(bsn),
            )
            .await;
        assert_error(&format!("consent {bsn:?}"), &answer, 400, "invalid_bsn");
        let answer = app
            .post_as(
                "bt-centrum-west",
                "regievoerder",
                "/v1/deliveries",
                &delivery_body(bsn),
            )
            .await;
        assert_error(&format!("delivery {bsn:?}"), &answer, 400, "invalid_bsn");
        let answer = app
            .get_as(
                "bt-centrum-west",
                "regievoerder",
                &format!("/v1/consents?subject_bsn={bsn}"),
            )
            .await;
        assert_error(
            &format!("consent list {bsn:?}"),
            &answer,
            400,
            "invalid_bsn",
        );
    }
    assert_eq!(app.count("consents").await, 0);
    assert_nothing_recorded(&app).await;
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    app.stop().await;
}

async fn an_unknown_activity_category_or_partner_is_named_as_such(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let exchange = |change: Value| {
        let mut body = exchange_body(BSN);
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            exchange(json!({"activity": "alles-delen"})),
            "unknown_activity",
        ),
        (
            exchange(json!({"categories": ["contact", "strafblad"]})),
            "unknown_category",
        ),
        (exchange(json!({"source": "bt-nergens"})), "unknown_partner"),
    ];
    for (body, code) in &cases {
        let answer = app
            .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", body)
            .await;
        assert_error(&format!("exchange {body}"), &answer, 400, code);
    }

    let mut consent = consent_body(BSN);
    consent["activities"] = json!(["alles-delen"]);
    let answer = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &consent)
        .await;
    assert_error(
        "consent, unknown activity",
        &answer,
        400,
        "unknown_activity",
    );
    let mut consent = consent_body(BSN);
    consent["categories"] = json!(["contact", "strafblad"]);
    let answer = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &consent)
        .await;
    assert_error(
        "consent, unknown category",
        &answer,
        400,
        "unknown_category",
    );
    let mut consent = consent_body(BSN);
    consent["recipients"] = json!(["bt-nergens"]);
    let answer = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &consent)
        .await;
    assert_error(
        "consent, unknown recipient",
        &answer,
        400,
        "unknown_partner",
    );

    let mut delivery = delivery_body(BSN);
    delivery["recipient"] = json!("bt-nergens");
    let answer = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &delivery,
        )
        .await;
    assert_error(
        "delivery, unknown recipient",
        &answer,
        400,
        "unknown_partner",
    );
    let mut delivery = delivery_body(BSN);
    delivery["activity"] = json!("alles-delen");
    let answer = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &delivery,
        )
        .await;
    assert_error(
        "delivery, unknown activity",
        &answer,
        400,
        "unknown_activity",
    );
    let mut delivery = delivery_body(BSN);
    delivery["data"] = json!({"strafblad": {"x": "y"}});
    let answer = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &delivery,
        )
        .await;
    assert_error(
        "delivery, unknown category",
        &answer,
        400,
        "unknown_category",
    );

    assert_eq!(app.count("consents").await, 0);
    assert_nothing_recorded(&app).await;
    assert!(app.system("aio-lvb-cordaan").deliveries().is_empty());
    app.stop().await;
}

async fn a_body_over_one_mebibyte_is_too_large_and_malformed_json_is_refused(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let client = app.partner("okt-amsterdam");

    let mut big = exchange_body(BSN);
    big["justification"] = json!("x".repeat((1 << 20) + 1024));
    let answer = send(
        client
            .post(app.url("/v1/exchange"))
            .bearer_auth(&token)
            .json(&big),
    )
    .await;
    assert_error("body over 1 MiB", &answer, 413, "payload_too_large");

    for path in ["/v1/exchange", "/v1/consents", "/v1/deliveries"] {
        let answer = send(
            client
                .post(app.url(path))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"subject_bsn": "111222333", "#),
        )
        .await;
        assert_error(
            &format!("malformed JSON on {path}"),
            &answer,
            400,
            "malformed_json",
        );
    }
    assert_eq!(app.count("consents").await, 1);
    assert_nothing_recorded(&app).await;
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    app.stop().await;
}

async fn a_partner_route_without_a_client_certificate_is_unauthorized(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let answer = send(
        app.public()
            .post(app.url("/v1/exchange"))
            .bearer_auth(&token)
            .json(&exchange_body(BSN)),
    )
    .await;
    assert_error(
        "exchange without certificate",
        &answer,
        401,
        "client_certificate_required",
    );
    let answer = send(
        app.public()
            .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
            .bearer_auth(&token),
    )
    .await;
    assert_error(
        "consent list without certificate",
        &answer,
        401,
        "client_certificate_required",
    );
    assert_nothing_recorded(&app).await;
    app.stop().await;
}

async fn a_client_certificate_from_an_unknown_ca_is_refused_at_the_handshake(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let dir = tempfile::TempDir::new().expect("temp dir");
    let other = gateway::pki::generate(dir.path(), &app.register).expect("second pki");
    let tls = gateway::tls::client_config(
        &app.pki.ca(),
        &other.partner_cert("okt-amsterdam"),
        &other.partner_key("okt-amsterdam"),
    )
    .expect("tls");
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client");
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let result = client
        .post(app.url("/v1/exchange"))
        .bearer_auth(&token)
        .json(&exchange_body(BSN))
        .send()
        .await;
    assert!(
        result.is_err(),
        "the handshake must fail, got HTTP {:?}",
        result.map(|r| r.status())
    );
    let result = client.get(app.url("/healthz")).send().await;
    assert!(
        result.is_err(),
        "even a public route: the certificate is refused at the handshake, got HTTP {:?}",
        result.map(|r| r.status())
    );
    assert_nothing_recorded(&app).await;
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    app.stop().await;
}

fn jwt(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    let unsigned = jwt(&json!({"alg": "HS256", "typ": "JWT"}), claims);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let tag = ring::hmac::sign(&key, unsigned.as_bytes());
    format!("{unsigned}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Valid claims of a bt-centrum-west buurtteammedewerker.
fn claims() -> Value {
    let now = Utc::now().timestamp();
    json!({"iss": "bt-centrum-west", "sub": "prof-1", "role": "buurtteammedewerker", "aud": DEFAULT_AUDIENCE,
           "exp": now + 600, "nbf": now, "iat": now})
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("object").remove(key);
    claims
}

async fn forged_expired_or_misaddressed_tokens_are_invalid(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let now = Utc::now().timestamp();
    let bt = "bt-centrum-west";
    // The request itself: a buurtteam asks WPI for income, without consent (a valid token gets 403).
    let body = json!({"subject_bsn": BSN, "source": "wpi", "activity": "samenwerking-wpi-inkomen", "categories": ["inkomen"]});
    let call = |token: String| {
        let request = app
            .partner(bt)
            .post(app.url("/v1/exchange"))
            .bearer_auth(token)
            .json(&body);
        send(request)
    };

    let control = call(app.sign_partner(bt, &claims())).await;
    assert_error("control: a valid token", &control, 403, "denied");

    let valid = app.sign_partner(bt, &claims());
    let mut parts = valid.split('.');
    let (header, _, signature) = (
        parts.next().expect("header"),
        parts.next(),
        parts.next().expect("signature"),
    );
    let promoted =
        URL_SAFE_NO_PAD.encode(with(claims(), "role", json!("regievoerder")).to_string());
    let public_pem = std::fs::read(app.pki.partner_token_pub(bt)).expect("public key");

    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!("{}.", jwt(&json!({"alg": "none", "typ": "JWT"}), &claims())),
        ),
        (
            "HS256 keyed with the partner's public key",
            hs256(&claims(), &public_pem),
        ),
        ("HS256 keyed with a guess", hs256(&claims(), b"secret")),
        (
            "claims altered after signing",
            format!("{header}.{promoted}.{signature}"),
        ),
        (
            "expired 10 minutes ago",
            app.sign_partner(
                bt,
                &with(
                    with(claims(), "exp", json!(now - 600)),
                    "nbf",
                    json!(now - 1200),
                ),
            ),
        ),
        (
            "not valid for another 10 minutes",
            app.sign_partner(
                bt,
                &with(
                    with(claims(), "nbf", json!(now + 600)),
                    "exp",
                    json!(now + 1200),
                ),
            ),
        ),
        (
            "wrong audience",
            app.sign_partner(bt, &with(claims(), "aud", json!("another-gateway"))),
        ),
        (
            "wrong issuer",
            app.sign_partner(bt, &with(claims(), "iss", json!("okt-amsterdam"))),
        ),
        (
            "signed with another partner's key",
            app.sign_partner("okt-amsterdam", &claims()),
        ),
        (
            "another partner's own token on this certificate",
            app.partner_token("okt-amsterdam", "prof-1", "buurtteammedewerker"),
        ),
        (
            "missing sub",
            app.sign_partner(bt, &without(claims(), "sub")),
        ),
        (
            "missing role",
            app.sign_partner(bt, &without(claims(), "role")),
        ),
        (
            "missing exp",
            app.sign_partner(bt, &without(claims(), "exp")),
        ),
        (
            "missing aud",
            app.sign_partner(bt, &without(claims(), "aud")),
        ),
        ("not a JWT", "not-a-token".to_owned()),
    ];
    let mut wrong = Vec::new();
    for (what, token) in cases {
        let (status, body) = call(token).await;
        if status != 401 || body["error"]["code"] != "invalid_token" {
            wrong.push(format!("{what}: {status} {body}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "expected 401 invalid_token for:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        app.count("decisions").await,
        1,
        "only the control reached a decision"
    );
    assert_eq!(app.count("disclosures").await, 0);
    app.stop().await;
}

async fn a_token_for_the_wrong_kind_of_caller_or_no_token_is_unauthorized(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let okt = app.partner("okt-amsterdam");
    let partner_token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");

    let answer = send(
        okt.post(app.url("/v1/exchange"))
            .bearer_auth(app.citizen_token(BSN))
            .json(&exchange_body(BSN)),
    )
    .await;
    assert_error(
        "citizen token on a partner route",
        &answer,
        401,
        "invalid_token",
    );
    let answer = send(
        app.public()
            .get(app.url("/v1/me/disclosures"))
            .bearer_auth(&partner_token),
    )
    .await;
    assert_error(
        "partner token on /v1/me/disclosures",
        &answer,
        401,
        "invalid_token",
    );
    let answer = send(
        okt.get(app.url("/v1/me/disclosures"))
            .bearer_auth(&partner_token),
    )
    .await;
    assert_error(
        "partner token and certificate on /v1/me/disclosures",
        &answer,
        401,
        "invalid_token",
    );
    let answer = send(okt.post(app.url("/v1/exchange")).json(&exchange_body(BSN))).await;
    assert_error(
        "no token on a partner route",
        &answer,
        401,
        "token_required",
    );
    let answer = send(
        okt.post(app.url("/v1/exchange"))
            .header("authorization", format!("Basic {partner_token}"))
            .json(&exchange_body(BSN)),
    )
    .await;
    assert_error(
        "not a bearer token on a partner route",
        &answer,
        401,
        "token_required",
    );
    let answer = send(app.public().get(app.url("/v1/me/disclosures"))).await;
    assert_error(
        "no token on /v1/me/disclosures",
        &answer,
        401,
        "token_required",
    );
    let answer = send(app.public().post(app.url("/v1/me/consents/x/revoke"))).await;
    assert_error("no token on a revocation", &answer, 401, "token_required");
    assert_nothing_recorded(&app).await;
    assert_eq!(app.system("bt-centrum-west").records_served(), 0);
    app.stop().await;
}

/// The source system of `bt-centrum-west` misbehaves as `behaviour` (or is not there at all):
/// the caller gets `502 code`, the attempt is recorded as a decision, and nothing is disclosed.
async fn a_misbehaving_source_gives_bad_gateway(db: Db, behaviour: Option<Behaviour>, code: &str) {
    let source = "bt-centrum-west";
    let offline: &[&str] = if behaviour.is_none() { &[source] } else { &[] };
    let misbehaving = |id: &str| match behaviour {
        Some(b) if id == source => b,
        _ => Behaviour::Normal,
    };
    let Some(app) = TestApp::spawn_with(db, misbehaving, offline).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let answer = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange_body(BSN),
        )
        .await;
    assert_error(code, &answer, 502, code);
    assert!(answer.1["data"].is_null(), "no data leaks: {}", answer.1);
    assert_eq!(app.count("disclosures").await, 0);
    assert_eq!(
        app.count("decisions").await,
        1,
        "the failed attempt is recorded"
    );
    if behaviour.is_some() {
        assert_eq!(app.system(source).records_served(), 1);
    }
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    assert_eq!(mine, json!([]));
    app.stop().await;
}

async fn a_source_system_that_is_down_gives_bad_gateway_and_nothing_is_disclosed(db: Db) {
    a_misbehaving_source_gives_bad_gateway(db, None, "source_unavailable").await;
}

async fn a_source_system_answering_errors_gives_bad_gateway_and_nothing_is_disclosed(db: Db) {
    a_misbehaving_source_gives_bad_gateway(db, Some(Behaviour::Failing), "source_unavailable")
        .await;
}

async fn a_source_system_answering_malformed_data_gives_bad_gateway_and_nothing_is_disclosed(
    db: Db,
) {
    a_misbehaving_source_gives_bad_gateway(
        db,
        Some(Behaviour::Malformed),
        "source_invalid_response",
    )
    .await;
}

tests::both_databases! {
    a_bsn_failing_the_elfproef_or_of_the_wrong_format_is_invalid => a_bsn_failing_the_elfproef_or_of_the_wrong_format_is_invalid;
    an_unknown_activity_category_or_partner_is_named_as_such => an_unknown_activity_category_or_partner_is_named_as_such;
    a_body_over_one_mebibyte_is_too_large_and_malformed_json_is_refused => a_body_over_one_mebibyte_is_too_large_and_malformed_json_is_refused;
    a_partner_route_without_a_client_certificate_is_unauthorized => a_partner_route_without_a_client_certificate_is_unauthorized;
    a_client_certificate_from_an_unknown_ca_is_refused_at_the_handshake => a_client_certificate_from_an_unknown_ca_is_refused_at_the_handshake;
    forged_expired_or_misaddressed_tokens_are_invalid => forged_expired_or_misaddressed_tokens_are_invalid;
    a_token_for_the_wrong_kind_of_caller_or_no_token_is_unauthorized => a_token_for_the_wrong_kind_of_caller_or_no_token_is_unauthorized;
    a_source_system_that_is_down_gives_bad_gateway_and_nothing_is_disclosed => a_source_system_that_is_down_gives_bad_gateway_and_nothing_is_disclosed;
    a_source_system_answering_errors_gives_bad_gateway_and_nothing_is_disclosed => a_source_system_answering_errors_gives_bad_gateway_and_nothing_is_disclosed;
    a_source_system_answering_malformed_data_gives_bad_gateway_and_nothing_is_disclosed => a_source_system_answering_malformed_data_gives_bad_gateway_and_nothing_is_disclosed;
}
