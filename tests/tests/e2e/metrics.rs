//! What an operations team scrapes (issue 22 item 3, first part): `/metrics` on its own listener,
//! accepted by Debian's `promtool check metrics`, counting what happened (requests by route and
//! status, decisions by outcome and vuistregel, ledger commits, calls to partner systems, the log's
//! size, the checkpoint's age, the certificate's time left), with no BSN in it; a real Prometheus
//! scrapes it and answers a query for one series; the example alert rules pass `promtool check rules`.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn scrape(app: &TestApp) -> (String, String) {
    let response = app
        .public()
        .get(format!("http://{}/metrics", app.metrics_addr))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (kind, response.text().await.unwrap())
}

/// The value of the one sample whose line starts with `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

fn promtool(args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus, installed by .ci/run)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

async fn the_metrics_count_what_happened_and_prometheus_reads_them(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let exchange = |bsn: &str| {
        json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
               "categories": ["contact"]})
    };
    for _ in 0..2 {
        let (status, _) = app
            .post_as(
                "okt-amsterdam",
                "okt-medewerker",
                "/v1/exchange",
                &exchange(BSN),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (status, denied) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(OTHER_BSN),
        )
        .await;
    assert_eq!(status, 403);
    let vuistregel = denied["error"]["violations"][0]["vuistregel"]
        .as_u64()
        .unwrap();

    let (kind, text) = scrape(&app).await;
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let (ok, said) = promtool(&["check", "metrics"], &text);
    assert!(ok, "promtool check metrics: {said}\n{text}");

    let expect = [
        (
            r#"gateway_http_requests_total{route="/v1/exchange",status="200"}"#,
            Some(2.0),
        ),
        (
            r#"gateway_http_requests_total{route="/v1/exchange",status="403"}"#,
            Some(1.0),
        ),
        (r#"gateway_decisions_total{outcome="permit"}"#, Some(2.0)),
        (r#"gateway_decisions_total{outcome="deny"}"#, Some(1.0)),
        (
            &format!(r#"gateway_denials_by_vuistregel_total{{vuistregel="{vuistregel}"}}"#),
            Some(1.0),
        ),
        ("gateway_ledger_commit_seconds_count", Some(2.0)),
        (
            r#"gateway_upstream_seconds_count{partner="bt-centrum-west"}"#,
            Some(2.0),
        ),
    ];
    for (series, want) in expect {
        assert_eq!(value(&text, series), want, "{series} in\n{text}");
    }
    // The consent's entry and the two disclosures are in the log.
    assert!(
        value(&text, "gateway_ledger_entries").unwrap() >= 3.0,
        "{text}"
    );
    assert!(
        value(&text, "gateway_checkpoint_age_seconds").unwrap() < 60.0,
        "{text}"
    );
    assert!(
        value(&text, "gateway_certificate_seconds_left").unwrap() > 86_400.0,
        "{text}"
    );
    // The partners' CA (the dev CA of `[tls] client_ca`), by subject.
    let ca = text
        .lines()
        .find(|l| l.starts_with("gateway_partner_ca_seconds_left{ca=\""))
        .unwrap_or_else(|| panic!("no partner CA expiry in\n{text}"));
    assert!(
        ca.rsplit(' ').next().unwrap().parse::<f64>().unwrap() > 86_400.0,
        "{ca}"
    );
    // The ledger's group commits: the two disclosures went through them; none waits now.
    assert!(
        value(&text, "gateway_ledger_batch_writes_count").unwrap() >= 1.0,
        "{text}"
    );
    assert!(
        value(&text, "gateway_ledger_batch_writes_sum").unwrap() >= 2.0,
        "{text}"
    );
    assert!(
        value(&text, "gateway_ledger_batch_seconds_count").unwrap() >= 1.0,
        "{text}"
    );
    assert_eq!(value(&text, "gateway_ledger_queue"), Some(0.0), "{text}");
    // The database pool, read at the scrape: it has served the requests above.
    let in_use = value(&text, r#"gateway_db_connections{state="in_use"}"#).unwrap();
    let idle = value(&text, r#"gateway_db_connections{state="idle"}"#).unwrap();
    assert!(in_use >= 0.0 && in_use + idle >= 1.0, "{text}");
    assert!(
        !text.contains(BSN) && !text.contains(OTHER_BSN),
        "a BSN in the metrics"
    );

    // A real Prometheus scrapes it and answers a query for one series.
    let dir = tempfile::tempdir().unwrap();
    let web = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: gateway\n    \
             static_configs:\n      - targets: ['{}']\n",
            app.metrics_addr
        ),
    )
    .unwrap();
    let mut prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (Debian's, installed by .ci/run)");
    let query = format!(
        "http://{web}/api/v1/query?query=gateway_decisions_total%7Boutcome%3D%22permit%22%7D"
    );
    let mut answer = Value::Null;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(response) = app.public().get(&query).send().await else {
            continue;
        };
        answer = response.json().await.unwrap_or(Value::Null);
        if answer["data"]["result"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
        {
            break;
        }
    }
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    assert_eq!(
        answer["data"]["result"][0]["value"][1], "2",
        "Prometheus's answer: {answer}"
    );

    // The example alert rules are valid.
    let rules = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/prometheus/alerts.yml"
    );
    let (ok, said) = promtool(&["check", "rules", rules], "");
    assert!(ok, "promtool check rules: {said}");
}

tests::both_databases! {
    the_metrics_count_what_happened_and_prometheus_reads_them =>
        the_metrics_count_what_happened_and_prometheus_reads_them;
}
