//! Several replicas on one PostgreSQL database (issue 7 item 8): two gateways that share the database,
//! the pseudonym key, the log key and the ledger key append concurrently into one tree; every checkpoint either signs
//! verifies against that one tree, and `gateway log verify` accepts the whole log.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use consent::LogVerifier;
use futures::future::join_all;
use serde_json::json;
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const PER_REPLICA: usize = 40;

async fn exchanges(app: &TestApp, n: usize) -> Vec<u64> {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    let answers = join_all(
        (0..n).map(|_| app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)),
    )
    .await;
    answers
        .into_iter()
        .map(|(status, body)| {
            assert_eq!(status, 200, "{body}");
            body["log_index"].as_u64().unwrap()
        })
        .collect()
}

async fn two_replicas_on_one_database_append_into_one_tree_that_verifies(db: Db) {
    let Some(first) = TestApp::spawn(db).await else {
        return;
    };
    let second = first.replica(db).await;
    first
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;

    let (a, b) = tokio::join!(
        exchanges(&first, PER_REPLICA),
        exchanges(&second, PER_REPLICA)
    );
    let mut indexes: Vec<u64> = a.into_iter().chain(b).collect();
    indexes.sort_unstable();
    // Entry 0 is the consent recorded.
    let expected: Vec<u64> = (1..=2 * PER_REPLICA as u64).collect();
    assert_eq!(indexes, expected, "one ledger: consecutive, unique indexes");

    // Each replica publishes checkpoints of the one tree, signed with the one key.
    let vkey = std::fs::read_to_string(first.pki.log_pub()).unwrap();
    let verifier = LogVerifier::parse(&vkey).unwrap();
    for replica in [&first, &second] {
        let response = replica
            .public()
            .get(replica.url("/v1/log/checkpoint"))
            .send()
            .await
            .unwrap();
        let checkpoint = verifier
            .verify_checkpoint(&response.text().await.unwrap())
            .unwrap();
        assert_eq!(checkpoint.size, 2 * PER_REPLICA as u64 + 1);
    }
    let report = gateway::logcheck::verify(&first.db.url, &vkey, None, Some(first.ledger_key()))
        .await
        .unwrap();
    assert_eq!(report.entries, 2 * PER_REPLICA as u64 + 1);
    second.stop().await;
    first.stop().await;
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_replicas_on_one_database_append_into_one_tree_that_verifies() {
        super::two_replicas_on_one_database_append_into_one_tree_that_verifies(tests::Db::Postgres)
            .await;
    }
}
