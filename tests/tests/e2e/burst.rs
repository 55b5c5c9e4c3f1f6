//! A concurrent burst: every permitted exchange is in the ledger exactly once, and every request,
//! permitted or denied, has its decision recorded.

use futures::StreamExt;
use serde_json::json;
use tests::{BSN, Db, OTHER_BSN, TestApp};

const PERMITTED: usize = 500;
const DENIED: usize = 50;
const CONCURRENCY: usize = 64;

async fn a_burst_of_exchanges_is_recorded_exactly_once_each(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(
        BSN,
        &["okt-amsterdam"],
        &["gezinsondersteuning-ouders"],
        &["contact", "regie"],
    )
    .await;
    let client = app.partner("okt-amsterdam");
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let url = app.url("/v1/exchange");
    // Every eleventh request is for an Amsterdammer without consent.
    let requests: Vec<&str> = (0..PERMITTED + DENIED)
        .map(|i| if i % 11 == 10 { OTHER_BSN } else { BSN })
        .collect();
    assert_eq!(requests.iter().filter(|b| **b == OTHER_BSN).count(), DENIED);

    let started = std::time::Instant::now();
    let answers: Vec<(&str, u16)> = futures::stream::iter(requests)
        .map(|bsn| {
            let request = client.post(&url).bearer_auth(&token).json(&json!({
                "subject_bsn": bsn, "source": "bt-centrum-west",
                "activity": "gezinsondersteuning-ouders", "categories": ["contact", "regie"],
            }));
            async move {
                let status = request.send().await.map_or(0, |r| r.status().as_u16());
                (bsn, status)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    println!("{} requests in {:?}", PERMITTED + DENIED, started.elapsed());

    let ok = answers.iter().filter(|(_, s)| *s == 200).count();
    let permitted_ok = answers
        .iter()
        .filter(|(b, s)| *b == BSN && *s == 200)
        .count();
    let denied = answers
        .iter()
        .filter(|(b, s)| *b == OTHER_BSN && *s == 403)
        .count();
    let other: Vec<_> = answers
        .iter()
        .filter(|(b, s)| !((*b == BSN && *s == 200) || (*b == OTHER_BSN && *s == 403)))
        .collect();
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert_eq!(permitted_ok, PERMITTED, "every permitted request succeeds");
    assert_eq!(denied, DENIED, "every request without consent is denied");
    assert_eq!(
        app.count("disclosures").await,
        i64::try_from(ok).expect("count"),
        "one ledger entry per 200, no more, no less"
    );
    assert_eq!(
        app.count("decisions").await,
        i64::try_from(PERMITTED + DENIED).expect("count"),
        "one decision per request"
    );
    let (status, mine) = app
        .get_as_citizen(BSN, "/v1/me/disclosures?limit=1000")
        .await;
    assert_eq!(status, 200);
    let mine = mine.as_array().expect("list");
    assert_eq!(mine.len(), PERMITTED);
    let mut indexes: Vec<u64> = mine
        .iter()
        .map(|d| d["log_index"].as_u64().expect("log_index"))
        .collect();
    indexes.sort_unstable();
    assert_eq!(
        indexes,
        // Entry 0 is the consent's own `recorded` entry.
        (1..=PERMITTED as u64).collect::<Vec<_>>(),
        "log indexes are 1..=n without gaps or duplicates"
    );
    app.stop().await;
}

/// Clients that hang up mid-request (a load generator at its deadline, a proxy giving up) must not
/// leave the gateway broken: a request cancelled inside a database transaction once returned its
/// connection to the pool with the transaction still open, and every later request on it failed
/// (found by `bench/run`).
async fn clients_that_hang_up_mid_request_leave_the_gateway_working(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(
        BSN,
        &["okt-amsterdam"],
        &["gezinsondersteuning-ouders"],
        &["contact", "regie"],
    )
    .await;
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let url = app.url("/v1/exchange");
    let body = json!({
        "subject_bsn": BSN, "source": "bt-centrum-west",
        "activity": "gezinsondersteuning-ouders", "categories": ["contact", "regie"],
    });
    // Hang up after 0.1 to 6 ms: at every point of the pipeline, some of them.
    let client = app.partner("okt-amsterdam");
    futures::stream::iter(0..400u64)
        .for_each_concurrent(CONCURRENCY, |i| {
            let request = client.post(&url).bearer_auth(&token).json(&body);
            async move {
                let patience = std::time::Duration::from_micros(100 + (i * 397) % 6000);
                let _ = tokio::time::timeout(patience, request.send()).await;
            }
        })
        .await;
    let client = app.partner("okt-amsterdam");
    let statuses: Vec<u16> = futures::stream::iter(0..200)
        .map(|_| {
            let request = client.post(&url).bearer_auth(&token).json(&body);
            async move { request.send().await.map_or(0, |r| r.status().as_u16()) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let failed: Vec<&u16> = statuses.iter().filter(|s| **s != 200).collect();
    assert!(failed.is_empty(), "after the hang-ups: {failed:?}");
    app.stop().await;
}

tests::both_databases! {
    a_burst_of_exchanges_is_recorded_exactly_once_each => a_burst_of_exchanges_is_recorded_exactly_once_each;
    clients_that_hang_up_mid_request_leave_the_gateway_working => clients_that_hang_up_mid_request_leave_the_gateway_working;
}
