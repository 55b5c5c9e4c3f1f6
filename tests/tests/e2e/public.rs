//! What anyone can see without credentials: health, the register (art. 30 AVG), the OpenAPI
//! description, and errors that always speak the API's error format.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp, send, set_of};

async fn health_and_readiness_answer_ok(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for path in ["/healthz", "/readyz"] {
        let (status, body) = send(app.public().get(app.url(path))).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    app.stop().await;
}

async fn the_register_lists_every_kind_of_partner_and_describes_each_activity(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let register = app.register_json().await;
    let kinds: std::collections::BTreeSet<String> = register["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|p| {
            assert!(p["id"].is_string() && p["name"].is_string(), "{p}");
            p["kind"].as_str().expect("kind").to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        set_of(&["buurtteam", "okt", "wpi", "aanbieder", "meldpunt"])
    );
    let categories: Vec<&str> = register["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| {
            assert!(c["name"].is_string() && c["special"].is_boolean(), "{c}");
            c["id"].as_str().expect("id")
        })
        .collect();
    let activities = register["activities"].as_array().expect("activities");
    assert!(!activities.is_empty());
    for a in activities {
        for field in ["id", "name", "purpose", "legal_basis", "retention"] {
            assert!(
                a[field].as_str().is_some_and(|s| !s.is_empty()),
                "activity {} has {field}: {a}",
                a["id"]
            );
        }
        for field in ["from", "to", "categories", "roles"] {
            assert!(
                a[field]
                    .as_array()
                    .is_some_and(|l| !l.is_empty() && l.iter().all(Value::is_string)),
                "activity {} has a non-empty list {field}: {a}",
                a["id"]
            );
        }
        for kind in a["from"]
            .as_array()
            .into_iter()
            .chain(a["to"].as_array())
            .flatten()
        {
            assert!(
                kinds.contains(kind.as_str().unwrap_or_default()),
                "{kind} is a known kind"
            );
        }
        for category in a["categories"].as_array().into_iter().flatten() {
            assert!(
                categories.contains(&category.as_str().unwrap_or_default()),
                "{category} is a registered category"
            );
        }
        assert!(
            a["retention"].as_str().is_some_and(|r| r.starts_with('P')),
            "retention is an ISO 8601 duration: {}",
            a["retention"]
        );
    }
    let ouders = activities
        .iter()
        .find(|a| a["id"] == "gezinsondersteuning-ouders")
        .expect("ouders");
    assert_eq!(ouders["legal_basis"], "consent");
    assert_eq!(ouders["from"], json!(["buurtteam"]));
    assert_eq!(ouders["to"], json!(["okt"]));
    assert_eq!(ouders["roles"], json!(["okt-medewerker"]));
    app.stop().await;
}

async fn the_openapi_description_lists_the_contract_paths(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, doc) = send(app.public().get(app.url("/openapi.json"))).await;
    assert_eq!(status, 200);
    // The answers under load and faults are part of the contract.
    let exchange = &doc["paths"]["/v1/exchange"]["post"]["responses"];
    for status in ["413", "502", "503", "504"] {
        assert!(
            exchange.get(status).is_some(),
            "POST /v1/exchange documents {status}"
        );
    }
    let register = &doc["paths"]["/v1/register"]["get"]["responses"];
    assert!(
        register.get("503").is_some(),
        "every route but /healthz may shed"
    );
    assert!(
        doc["paths"]["/healthz"]["get"]["responses"]
            .get("503")
            .is_none()
    );
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let served: BTreeSet<String> = [
        "GET /healthz",
        "GET /readyz",
        "GET /v1/register",
        "POST /v1/consents",
        "GET /v1/consents",
        "POST /v1/consents/search",
        "GET /v1/consents/expiring",
        "GET /v1/consents/changes",
        "GET /v1/consents/{id}",
        "POST /v1/consents/{id}/revoke",
        "POST /v1/consents/{id}/amend",
        "POST /v1/consents/{id}/confirm",
        "GET /v1/consents/{id}/usage",
        "GET /v1/consents/{id}/fhir",
        "GET /v1/consents/{id}/receipt",
        "POST /v1/refusals",
        "POST /v1/refusals/{id}/withdraw",
        "POST /v1/representations",
        "GET /v1/representations/{id}",
        "POST /v1/representations/{id}/end",
        "POST /v1/representations/{id}/confirm",
        "GET /v1/me/representations",
        "POST /v1/me/representations/{id}/confirm",
        "POST /v1/me/representations/{id}/end",
        "GET /v1/notifications",
        "GET /v1/rights",
        "GET /v1/audit/disclosures",
        "GET /v1/audit/decisions",
        "GET /v1/audit/reviews",
        "POST /v1/audit/reviews/{id}",
        "GET /v1/audit/deferrals",
        "POST /v1/audit/deferrals/{id}",
        "GET /v1/audit/representations",
        "GET /v1/audit/refusals",
        "GET /v1/notifications/key",
        "GET /v1/me/refusals",
        "POST /v1/me/refusals",
        "POST /v1/me/refusals/{id}/withdraw",
        "POST /v1/exchange",
        "POST /v1/deliveries",
        "GET /v1/me/consents",
        "POST /v1/me/consents",
        "POST /v1/me/consents/{id}/revoke",
        "POST /v1/me/consents/{id}/amend",
        "POST /v1/me/consents/{id}/refuse",
        "POST /v1/me/consents/{id}/confirm",
        "GET /v1/me/consents/{id}/usage",
        "GET /v1/me/consents/{id}/fhir",
        "GET /v1/me/consents/{id}/receipt",
        "GET /v1/me/disclosures",
        "GET /v1/me/disclosures/{id}/proof",
        "GET /v1/me/disclosures/{id}/bundle",
        "GET /v1/me/export",
        "GET /v1/log/checkpoint",
        "GET /v1/log/key",
        "GET /v1/log/proofs/inclusion",
        "GET /v1/log/proofs/consistency",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(
        documented, served,
        "the document describes exactly the routes served"
    );
    // And every operation it describes is routed: neither the unknown-route fallback nor 405.
    for operation in &documented {
        let (method, path) = operation.split_once(' ').expect("method and path");
        let url = app.url(&path.replace("{id}", "0192d3a4-0000-7000-8000-000000000000"));
        let request = match method {
            "GET" => app.public().get(url),
            _ => app.public().post(url).json(&json!({})),
        };
        let (status, body) = send(request).await;
        assert!(
            status != 405 && !(status == 404 && body["error"]["message"] == "route not found"),
            "{operation} is documented but not routed: {status} {body}"
        );
    }
    app.stop().await;
}

async fn an_unknown_route_answers_with_a_json_error(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let response = app
        .public()
        .get(app.url("/v1/nothing-here"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json")),
        "JSON content type"
    );
    let body: Value = response.json().await.expect("a JSON body");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    app.stop().await;
}

async fn every_client_error_has_a_code_and_a_message(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let okt = app.partner("okt-amsterdam");
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let citizen = app.citizen_token(BSN);
    let exchange = json!({"subject_bsn": BSN, "source": "bt-centrum-west",
                          "activity": "gezinsondersteuning-ouders", "categories": ["contact"]});
    let requests: Vec<(&str, reqwest::RequestBuilder)> = vec![
        (
            "unknown route",
            app.public().get(app.url("/v1/nothing-here")),
        ),
        (
            "unknown route as partner",
            okt.post(app.url("/v2/exchange")).bearer_auth(&token),
        ),
        (
            "wrong method",
            okt.get(app.url("/v1/exchange")).bearer_auth(&token),
        ),
        (
            "wrong method on a public route",
            app.public().post(app.url("/v1/register")),
        ),
        ("no token", okt.post(app.url("/v1/exchange")).json(&exchange)),
        (
            "no certificate",
            app.public()
                .post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .json(&exchange),
        ),
        (
            "bad token",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth("x.y.z")
                .json(&exchange),
        ),
        (
            "denied",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .json(&exchange),
        ),
        (
            "invalid bsn",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .json(&json!({"subject_bsn": "123456789", "source": "bt-centrum-west",
                              "activity": "gezinsondersteuning-ouders", "categories": ["contact"]})),
        ),
        (
            "missing field",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .json(&json!({"subject_bsn": BSN})),
        ),
        (
            "unknown field",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .json(&json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": "gezinsondersteuning-ouders",
                              "categories": ["contact"], "fields": ["contact.bankrekening"]})),
        ),
        (
            "not JSON",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{"),
        ),
        (
            "no content type",
            okt.post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .body(exchange.to_string()),
        ),
        (
            "consent list without subject_bsn",
            okt.get(app.url("/v1/consents")).bearer_auth(&token),
        ),
        (
            "unknown consent",
            okt.get(app.url("/v1/consents/does-not-exist"))
                .bearer_auth(&token),
        ),
        (
            "revoking an unknown consent",
            app.public()
                .post(app.url("/v1/me/consents/does-not-exist/revoke"))
                .bearer_auth(&citizen),
        ),
    ];
    let mut wrong = Vec::new();
    for (what, request) in requests {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let has = |k: &str| body["error"][k].as_str().is_some_and(|s| !s.is_empty());
        if !(400..500).contains(&status) || !has("code") || !has("message") {
            wrong.push(format!("{what}: {status} {text:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "every 4xx must be {{\"error\": {{\"code\", \"message\"}}}}; these are not:\n{}",
        wrong.join("\n")
    );
    app.stop().await;
}

tests::both_databases! {
    health_and_readiness_answer_ok => health_and_readiness_answer_ok;
    the_register_lists_every_kind_of_partner_and_describes_each_activity => the_register_lists_every_kind_of_partner_and_describes_each_activity;
    the_openapi_description_lists_the_contract_paths => the_openapi_description_lists_the_contract_paths;
    an_unknown_route_answers_with_a_json_error => an_unknown_route_answers_with_a_json_error;
    every_client_error_has_a_code_and_a_message => every_client_error_has_a_code_and_a_message;
}
