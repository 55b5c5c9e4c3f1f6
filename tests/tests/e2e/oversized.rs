//! A body over the limit gets its `413 payload_too_large`, in the API's error shape, every time and
//! whatever the partner system's HTTP client: curl over HTTP/1.1 without `Expect`, with
//! `Expect: 100-continue`, chunked (no declared length) and over HTTP/2; python-requests; and the
//! Rust client. The gateway refuses a declared length before reading (the client that waits for
//! `100 Continue` is never told to send), and drains what a client sends anyway, so the answer is
//! not lost to a reset.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

/// Each client sends the oversized body this many times.
const TIMES: usize = 20;

/// An exchange request of about 2 MiB: valid JSON, twice the limit.
fn oversized_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "subject_bsn": BSN, "source": "bt-centrum-west", "activity": "gezinsondersteuning-ouders",
        "categories": ["contact"], "justification": "x".repeat(2 << 20),
    }))
    .unwrap()
}

#[track_caller]
fn assert_413(client: &str, attempt: usize, status: &str, body: &str) {
    assert_eq!(
        status.trim(),
        "413",
        "{client}, attempt {attempt}: status {status:?}, body {body:?}"
    );
    let body: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{client}, attempt {attempt}: not JSON ({e}): {body:?}"));
    assert_eq!(
        body["error"]["code"], "payload_too_large",
        "{client}, attempt {attempt}: {body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{client}: {body}"
    );
}

fn curl(app: &TestApp, token: &str, file: &Path, out: &Path, mode: &[&str]) -> (String, String) {
    let pki = &app.pki;
    let output = Command::new("curl")
        .args(["-s", "-v", "--max-time", "30", "-X", "POST"])
        .args(mode)
        .arg("--cacert")
        .arg(pki.ca())
        .arg("--cert")
        .arg(pki.partner_cert("okt-amsterdam"))
        .arg("--key")
        .arg(pki.partner_key("okt-amsterdam"))
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["-H", "Content-Type: application/json"])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .arg("-o")
        .arg(out)
        .args(["-w", "%{http_code}"])
        .arg(app.url("/v1/exchange"))
        .env_remove("CURL_CA_BUNDLE")
        .output()
        .expect("curl runs (apt-get install curl)");
    let body = std::fs::read_to_string(out).unwrap_or_default();
    let _ = std::fs::remove_file(out);
    let trace = String::from_utf8_lossy(&output.stderr).into_owned();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        body + "\n" + &trace,
    )
}

async fn an_oversized_body_gets_its_413_from_every_client(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(&file, oversized_body()).unwrap();
    let out = dir.path().join("answer.json");

    let modes: [(&str, &[&str]); 4] = [
        (
            "curl HTTP/1.1 without Expect",
            &["--http1.1", "-H", "Expect:"],
        ),
        (
            "curl HTTP/1.1 with Expect: 100-continue",
            &["--http1.1", "-H", "Expect: 100-continue"],
        ),
        (
            "curl HTTP/1.1 chunked",
            &[
                "--http1.1",
                "-H",
                "Expect:",
                "-H",
                "Transfer-Encoding: chunked",
            ],
        ),
        ("curl HTTP/2", &["--http2"]),
    ];
    for (client, mode) in modes {
        for attempt in 1..=TIMES {
            let (status, answer) = curl(&app, &token, &file, &out, mode);
            let (body, trace) = answer.split_once('\n').unwrap();
            if !status.trim().eq("413") || !body.contains("payload_too_large") {
                panic!("{client}, attempt {attempt}: status {status:?}, body {body:?}\n{trace}");
            }
            assert_413(client, attempt, &status, body);
            if mode.contains(&"Expect: 100-continue") {
                assert!(
                    !trace.contains("< HTTP/1.1 100"),
                    "{client}: told to continue:\n{trace}"
                );
            }
            if mode.contains(&"--http2") {
                assert!(
                    trace.contains("< HTTP/2 413"),
                    "{client}: not over HTTP/2:\n{trace}"
                );
            }
        }
    }

    let script = r#"
import sys, requests
s = requests.Session()
s.trust_env = False
s.verify = sys.argv[1]
s.cert = (sys.argv[2], sys.argv[3])
body = open(sys.argv[4], "rb").read()
for _ in range(int(sys.argv[7])):
    try:
        r = s.post(sys.argv[5], data=body, headers={"Authorization": "Bearer " + sys.argv[6],
                   "Content-Type": "application/json"}, timeout=30)
        print(r.status_code, r.text.replace("\n", " "))
    except Exception as e:
        print("error", type(e).__name__)
"#;
    let pki = &app.pki;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(pki.ca())
        .arg(pki.partner_cert("okt-amsterdam"))
        .arg(pki.partner_key("okt-amsterdam"))
        .arg(&file)
        .arg(app.url("/v1/exchange"))
        .arg(&token)
        .arg(TIMES.to_string())
        .output()
        .expect("python3 runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines.len(),
        TIMES,
        "python-requests: {printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (attempt, line) in lines.iter().enumerate() {
        let (status, body) = line.split_once(' ').unwrap();
        assert_413("python-requests", attempt + 1, status, body);
    }

    let body = oversized_body();
    for (client, http) in [
        ("reqwest HTTP/1.1", app.partner("okt-amsterdam")),
        ("reqwest HTTP/2", app.partner_http2("okt-amsterdam")),
    ] {
        for attempt in 1..=TIMES {
            let answer = http
                .post(app.url("/v1/exchange"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{client}, attempt {attempt}: {e}"));
            let status = answer.status().as_u16().to_string();
            let text = answer.text().await.unwrap();
            assert_413(client, attempt, &status, &text);
        }
    }

    // Nothing of it reached the pipeline, and the connection is usable for what comes next.
    assert_eq!(app.count("decisions").await, 0);
    let health = app
        .partner("okt-amsterdam")
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

tests::both_databases! {
    an_oversized_body_gets_its_413_from_every_client => an_oversized_body_gets_its_413_from_every_client;
}
