//! Calls to partner systems are bounded: a source that accepts and never answers, or trickles its
//! answer a byte at a time, holds an exchange no longer than the upstream deadline (`504
//! source_timeout`, the decision recorded as failed, nothing disclosed); and many exchanges at once
//! open no more connections to a source system than `[upstream] max_connections_per_system`, so a
//! system's own limit per client (100, like the gateway's) never turns them into `502`s.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::num::{NonZeroU64, NonZeroUsize};
use std::time::{Duration, Instant};

use serde_json::json;
use tests::{BSN, Behaviour, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const SOURCE: &str = "bt-centrum-west";

async fn a_source_that_hangs_or_trickles_gets_504_within_the_deadline(db: Db) {
    for behaviour in [Behaviour::Hanging, Behaviour::Trickling] {
        let Some(app) = TestApp::spawn_with_configured(
            db,
            move |id| {
                if id == SOURCE {
                    behaviour
                } else {
                    Behaviour::Normal
                }
            },
            |config, _| config.upstream.timeout_secs = NonZeroU64::new(2).unwrap(),
        )
        .await
        else {
            return;
        };
        app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
            .await;
        let body = json!({"subject_bsn": BSN, "source": SOURCE, "activity": OUDERS,
                          "categories": ["contact"]});
        let started = Instant::now();
        let (status, answer) = app
            .post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
            .await;
        let took = started.elapsed();
        assert_eq!(status, 504, "{behaviour:?}: {answer}");
        assert_eq!(
            answer["error"]["code"], "source_timeout",
            "{behaviour:?}: {answer}"
        );
        assert!(
            answer.get("data").is_none(),
            "{behaviour:?}: nothing released: {answer}"
        );
        assert!(
            took >= Duration::from_secs(2) && took < Duration::from_secs(5),
            "{behaviour:?}: answered after {took:?}, the deadline is 2 s"
        );
        assert_eq!(app.count("disclosures").await, 0, "{behaviour:?}");
        assert_eq!(
            app.count("decisions").await,
            1,
            "{behaviour:?}: the failure is recorded"
        );
        app.stop().await;
    }
}

async fn four_hundred_exchanges_at_once_get_no_502_from_the_gateways_own_connections(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        // The test's 400 connections all come from 127.0.0.1.
        config.connections.max_per_peer = 0;
        // The queue for a connection, not the deadline, is under test.
        config.upstream.timeout_secs = NonZeroU64::new(60).unwrap();
        config.upstream.max_connections_per_system = NonZeroUsize::new(32).unwrap();
    })
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let body = json!({"subject_bsn": BSN, "source": SOURCE, "activity": OUDERS,
                      "categories": ["contact"]});
    let mut statuses = std::collections::BTreeMap::new();
    for (status, _, answer) in app.exchanges_at_once(400, &body).await {
        if status != 200 {
            eprintln!("{status}: {answer}");
        }
        *statuses.entry(status).or_insert(0) += 1;
    }
    assert_eq!(
        statuses,
        [(200, 400)].into_iter().collect(),
        "statuses of 400 exchanges at once"
    );
    assert_eq!(app.count("disclosures").await, 400);
}

tests::both_databases! {
    a_source_that_hangs_or_trickles_gets_504_within_the_deadline =>
        a_source_that_hangs_or_trickles_gets_504_within_the_deadline;
    four_hundred_exchanges_at_once_get_no_502_from_the_gateways_own_connections =>
        four_hundred_exchanges_at_once_get_no_502_from_the_gateways_own_connections;
}
