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
//! The HTTP/2 attacks (rapid reset, a thousand streams at once, a CONTINUATION flood) are here.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::raw::{self, HTTP2, HTTP2_PREFACE};
use tests::{BSN, Db, TestApp, send};
use tokio::io::AsyncWriteExt as _;

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

/// The HTTP/2 attacks, written frame by frame on one connection each: the connection is cut (or
/// the excess refused) quickly, and the gateway answers the next client.
async fn each_http2_attack_is_cut_short_and_the_gateway_serves_on(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let healthz = raw::request_block("GET", "/healthz");
    let open = |stream: u32| raw::frame(raw::HEADERS, raw::END_HEADERS, stream, &healthz);

    // Rapid reset (CVE-2023-44487): streams opened and cancelled at once, 5,000 of them.
    let mut rapid = HTTP2_PREFACE.to_vec();
    for i in 0..5_000u32 {
        let stream = 2 * i + 1;
        rapid.extend(raw::frame(
            raw::HEADERS,
            raw::END_HEADERS | raw::END_STREAM,
            stream,
            &healthz,
        ));
        rapid.extend(raw::frame(raw::RST_STREAM, 0, stream, &8u32.to_be_bytes())); // CANCEL
    }
    let (frames, closed) = attack(&app, &rapid).await;
    let goaway = frames.iter().find(|f| f.kind == raw::GOAWAY);
    assert!(
        goaway.is_some() && closed,
        "rapid reset: GOAWAY and close, got {} frames",
        frames.len()
    );
    assert_eq!(
        raw::error_code(goaway.unwrap()),
        Some(0xb),
        "ENHANCE_YOUR_CALM"
    );

    // 1,000 streams open at once, each waiting for a body that never comes.
    let mut many = HTTP2_PREFACE.to_vec();
    for i in 0..1_000u32 {
        many.extend(open(2 * i + 1));
    }
    let (frames, _) = attack(&app, &many).await;
    let advertised = frames
        .iter()
        .find(|f| f.kind == raw::SETTINGS && f.flags == 0)
        .map(|f| max_concurrent_streams(&f.payload));
    assert_eq!(
        advertised,
        Some(Some(200)),
        "the server says how many streams it takes"
    );
    let refused = frames
        .iter()
        .filter(|f| f.kind == raw::RST_STREAM && raw::error_code(f) == Some(0x7))
        .count();
    let answered = frames.iter().filter(|f| f.kind == raw::HEADERS).count();
    assert!(answered <= 200, "{answered} streams served at once");
    assert!(
        refused >= 800 || frames.iter().any(|f| f.kind == raw::GOAWAY),
        "refused {refused}"
    );

    // CONTINUATION flood (CVE-2024-27316): a header block that never ends, 16 MiB of it.
    let mut flood = HTTP2_PREFACE.to_vec();
    flood.extend(raw::frame(raw::HEADERS, 0, 1, &healthz));
    let junk = [0x40, 0x7f, 0x00]; // a literal header whose name length runs on
    let chunk = junk.repeat(5_000);
    for _ in 0..1_100 {
        flood.extend(raw::frame(raw::CONTINUATION, 0, 1, &chunk));
    }
    let (frames, closed) = attack(&app, &flood).await;
    assert!(
        closed,
        "CONTINUATION flood: the connection is cut, got {frames:?}"
    );

    let (status, _) = send(app.public().get(app.url("/healthz"))).await;
    assert_eq!(status, 200, "the gateway serves the next client");
}

/// Writes `bytes` on a new HTTP/2 connection (stopping when the server stops reading) and reads
/// what comes back within [`QUICK`].
async fn attack(app: &TestApp, bytes: &[u8]) -> (Vec<raw::Frame>, bool) {
    let mut tls = raw::tls(app, std::net::Ipv4Addr::LOCALHOST.into(), None, HTTP2)
        .await
        .unwrap();
    let write = async {
        for piece in bytes.chunks(16_384) {
            if tls.write_all(piece).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(QUICK, write).await;
    raw::http2_frames_for(&mut tls, QUICK).await
}

/// SETTINGS_MAX_CONCURRENT_STREAMS (0x3) in a SETTINGS payload.
fn max_concurrent_streams(payload: &[u8]) -> Option<u32> {
    payload.chunks(6).find_map(|s| {
        (s.len() == 6 && s[..2] == [0, 3]).then(|| u32::from_be_bytes([s[2], s[3], s[4], s[5]]))
    })
}

tests::both_databases! {
    each_attack_is_answered_quickly_with_its_code_and_the_gateway_serves_on =>
        each_attack_is_answered_quickly_with_its_code_and_the_gateway_serves_on;
    each_http2_attack_is_cut_short_and_the_gateway_serves_on =>
        each_http2_attack_is_cut_short_and_the_gateway_serves_on;
}
