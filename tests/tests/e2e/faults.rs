//! Fail closed (issue 7 item 6), with faults injected into the real database: a ledger commit that
//! fails and a checkpoint that cannot be stored each answer `503` and release nothing; the gateway
//! restarted on that database serves again, and `gateway log verify` passes.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp) -> (u16, Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

/// A trigger that makes every insert into `table` fail, and the statement that removes it.
fn refusing(app: &TestApp, table: &str) -> (String, String) {
    if app.on_sqlite() {
        (
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
            ),
            format!("DROP TRIGGER refuse_{table};"),
        )
    } else {
        (
            format!(
                "CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$; \
                 CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION refuse_{table}();"
            ),
            format!("DROP TRIGGER refuse_{table} ON {table}; DROP FUNCTION refuse_{table}();"),
        )
    }
}

async fn a_failed_commit_or_checkpoint_releases_nothing_and_after_restart_the_log_verifies(db: Db) {
    let Some(mut first) = TestApp::spawn(db).await else {
        return;
    };
    first
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&first).await.0, 200);

    // The ledger commit fails: 503, no data, no entry.
    let (inject, remove) = refusing(&first, "disclosures");
    first.execute_raw(&inject).await;
    let (status, body) = exchange(&first).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "storage_unavailable");
    assert!(body.get("data").is_none(), "nothing released: {body}");
    assert_eq!(first.count("disclosures").await, 1);
    first.execute_raw(&remove).await;

    // The checkpoint cannot be stored: 503, no data, and no entry either (an entry lands only in
    // the transaction that stores the checkpoint covering it).
    let (inject, remove) = refusing(&first, "checkpoints");
    first.execute_raw(&inject).await;
    let (status, body) = exchange(&first).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.get("data").is_none(), "nothing released: {body}");
    assert_eq!(first.count("disclosures").await, 1);
    first.execute_raw(&remove).await;
    first.stop_server().await;

    // Restarted on the same database with the same keys: the log opens on it and serves again.
    let second = first.replica(db).await;
    let (status, body) = exchange(&second).await;
    assert_eq!(status, 200, "{body}");
    // Entry 0 is the consent recorded, 1 the first exchange.
    assert_eq!(body["log_index"], 2);
    second.stop().await;

    let vkey = std::fs::read_to_string(first.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&first.db.url, &vkey, None, Some(first.ledger_key()))
        .await
        .unwrap();
    assert_eq!(
        (report.entries, report.readable, report.consent_changes),
        (3, 2, 1),
        "{report:?}"
    );
}

tests::both_databases! {
    a_failed_commit_or_checkpoint_releases_nothing_and_after_restart_the_log_verifies =>
        a_failed_commit_or_checkpoint_releases_nothing_and_after_restart_the_log_verifies;
}
