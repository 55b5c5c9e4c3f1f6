//! The hostile-input matrix: what an attacker holding a partner's own certificate and token sends
//! to take the gateway down or around its checks, each attack named, each answered quickly with a
//! stable `4xx` in the error shape, nothing disclosed, and the gateway serving the next request.
//!
//! Attacks kept elsewhere, by name: forged, expired and misaddressed tokens (`bad_input::forged_*`,
//! 15 kinds), the wrong kind of caller or no token (`bad_input::a_token_for_the_wrong_kind_*`),
//! no or a foreign client certificate (`bad_input::a_client_certificate_*`,
//! `bad_input::a_partner_route_without_*`), a revoked certificate (`partner_systems`), a body over
//! 1 MiB from every client (`oversized`), too many or too large headers (`edge::oversized_headers_*`),
//! hidden or reversed text in a token's `sub` (`edge`), slow or idle connections and too many from
//! one address (`connections`), and more requests at once than the gateway serves (`overload`).

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp, send};

const OUDERS: &str = "gezinsondersteuning-ouders";
/// Every attack is answered within this.
const QUICK: Duration = Duration::from_secs(3);

fn exchange(categories: Value) -> Value {
    json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
           "categories": categories})
}

async fn each_attack_is_answered_quickly_with_its_code_and_the_gateway_serves_on(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let client = app.partner("okt-amsterdam");
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");

    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let many_unknown: Vec<String> = (0..60_000).map(|i| format!("c{i}")).collect();
    let long_bsn = json!({"subject_bsn": "1".repeat(100_000), "source": "bt-centrum-west",
                          "activity": OUDERS, "categories": ["contact"]});
    let params: String = (0..1_500).map(|i| format!("p{i}=x&")).collect();
    let attacks: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "a top-level array nested 100,000 deep",
            client.post(app.url("/v1/exchange")).bearer_auth(&token)
                .header("content-type", "application/json").body(deep.clone()),
            400, "invalid_request",
        ),
        (
            "delivered data nested 100,000 deep",
            client.post(app.url("/v1/deliveries")).bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!(r#"{{"subject_bsn": "{BSN}", "recipient": "aio-lvb-cordaan", "activity": "aanmelding-aanvullende-ondersteuning", "data": {{"contact": {{"naam": {deep}}}}}}}"#)),
            400, "malformed_json",
        ),
        (
            "60,000 categories that do not exist",
            client.post(app.url("/v1/exchange")).bearer_auth(&token).json(&exchange(json!(many_unknown))),
            400, "unknown_category",
        ),
        (
            "a BSN of 100,000 digits",
            client.post(app.url("/v1/exchange")).bearer_auth(&token).json(&long_bsn),
            400, "invalid_bsn",
        ),
        (
            "1,500 query parameters",
            client.get(format!("{}?{params}size=1", app.url("/v1/log/proofs/consistency"))),
            400, "invalid_query",
        ),
        (
            "a body that is not JSON, declared as JSON",
            client.post(app.url("/v1/exchange")).bearer_auth(&token)
                .header("content-type", "application/json").body(vec![0xff_u8; 4096]),
            400, "malformed_json",
        ),
        (
            "JSON with a duplicated key meant to smuggle a second BSN",
            client.post(app.url("/v1/exchange")).bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!(r#"{{"subject_bsn": "{BSN}", "subject_bsn": "{BSN}", "source": "bt-centrum-west", "activity": "{OUDERS}", "categories": ["contact"]}}"#)),
            400, "invalid_request",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, request, status, code) in attacks {
        let started = Instant::now();
        let (got, body): (u16, Value) = send(request).await;
        let took = started.elapsed();
        if got != status
            || body["error"]["code"] != code
            || took > QUICK
            || body.get("data").is_some()
        {
            wrong.push(format!(
                "{name}: {got} {} after {took:?} (expected {status} {code})",
                body["error"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "attacks answered otherwise:\n{}",
        wrong.join("\n")
    );
    assert_eq!(app.count("disclosures").await, 0, "nothing disclosed");

    // The gateway serves the next request.
    let (status, answer) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(json!(["contact"])),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

tests::both_databases! {
    each_attack_is_answered_quickly_with_its_code_and_the_gateway_serves_on =>
        each_attack_is_answered_quickly_with_its_code_and_the_gateway_serves_on;
}
