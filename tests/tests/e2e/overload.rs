//! Overload: past `[connections] max_in_flight` requests in progress, one more is answered at once
//! with `503 overloaded` and `Retry-After`, before any work is done for it; what was accepted is
//! served, health probes are still answered, and the gateway serves normally once the burst is over.
//! A flood of new TLS connections leaves the partners' exchanges answered.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde_json::json;
use tests::{BSN, Behaviour, Db, TestApp, raw};
use tokio::time::Instant;

const OUDERS: &str = "gezinsondersteuning-ouders";
const SOURCE: &str = "bt-centrum-west";
const LIMIT: usize = 8;
const BURST: usize = 40;

async fn past_its_limit_of_requests_in_progress_the_gateway_sheds_and_recovers(db: Db) {
    // The source takes half a second, so the burst's first requests are still in progress.
    let Some(app) = TestApp::spawn_with_configured(
        db,
        |id| {
            if id == SOURCE {
                Behaviour::Slow
            } else {
                Behaviour::Normal
            }
        },
        |config, _| {
            config.connections.max_in_flight = LIMIT;
            config.connections.max_per_peer = 0;
        },
    )
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let body = json!({"subject_bsn": BSN, "source": SOURCE, "activity": OUDERS,
                      "categories": ["contact"]});
    // While the burst is in progress, the balancer's probe is answered.
    let probe = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.public()
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
    };
    let (answers, ready) = tokio::join!(app.exchanges_at_once(BURST, &body), probe);
    assert_eq!(ready, 200, "/readyz during the burst");

    let mut statuses = BTreeMap::new();
    for (status, retry_after, body) in answers {
        if status == 503 {
            assert_eq!(body["error"]["code"], "overloaded", "{body}");
            assert!(retry_after, "503 without Retry-After: {body}");
            assert!(body.get("data").is_none(), "{body}");
        } else {
            assert_eq!(status, 200, "{body}");
        }
        *statuses.entry(status).or_insert(0usize) += 1;
    }
    let served = statuses.get(&200).copied().unwrap_or(0);
    let shed = statuses.get(&503).copied().unwrap_or(0);
    assert!(shed > 0, "nothing was shed: {statuses:?}");
    assert!(served >= 1, "nothing was served: {statuses:?}");
    assert_eq!(
        app.count("disclosures").await,
        served as i64,
        "every 200 has its entry"
    );

    // The burst is over: the gateway serves as before.
    let (status, answer) = app
        .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
}

/// How long the flood of new connections lasts, and how many clients open them.
const FLOOD: Duration = Duration::from_secs(3);
const FLOODERS: u8 = 8;

/// New TLS connections as fast as eight clients can open them, each from its own address so the
/// per-peer limit does not stop them: meanwhile a partner's exchanges are answered (`200`, or
/// `503 overloaded` with `Retry-After`), none slower than two seconds, and it serves on after.
async fn a_flood_of_new_tls_connections_leaves_exchanges_answered(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let body = json!({"subject_bsn": BSN, "source": SOURCE, "activity": OUDERS,
                      "categories": ["contact"]});
    let until = Instant::now() + FLOOD;
    let flooders = (1..=FLOODERS).map(|i| {
        let app = &app;
        async move {
            let from = Ipv4Addr::new(127, 0, 2, i).into();
            let mut opened = 0usize;
            while Instant::now() < until {
                if raw::tls(app, from, None, raw::HTTP1).await.is_ok() {
                    opened += 1;
                }
            }
            opened
        }
    });
    let probes = async {
        let mut answers = Vec::new();
        while Instant::now() < until {
            let started = Instant::now();
            let (status, answer) = app
                .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
                .await;
            answers.push((status, started.elapsed(), answer));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        answers
    };
    let (opened, answers) = tokio::join!(futures::future::join_all(flooders), probes);
    let opened: usize = opened.iter().sum();
    assert!(opened > 100, "the flood opened {opened} connections");
    assert!(
        answers.len() >= 5,
        "{} exchanges during the flood",
        answers.len()
    );
    for (status, took, answer) in &answers {
        assert!(
            *status == 200 || (*status == 503 && answer["error"]["code"] == "overloaded"),
            "{status} {answer}"
        );
        assert!(
            *took < Duration::from_secs(2),
            "an exchange took {took:?} during the flood"
        );
    }
    eprintln!(
        "{opened} TLS connections in {FLOOD:?}; {} exchanges, slowest {:?}",
        answers.len(),
        answers.iter().map(|a| a.1).max()
    );
    let (status, answer) = app
        .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
}

tests::both_databases! {
    past_its_limit_of_requests_in_progress_the_gateway_sheds_and_recovers =>
        past_its_limit_of_requests_in_progress_the_gateway_sheds_and_recovers;
    a_flood_of_new_tls_connections_leaves_exchanges_answered =>
        a_flood_of_new_tls_connections_leaves_exchanges_answered;
}
