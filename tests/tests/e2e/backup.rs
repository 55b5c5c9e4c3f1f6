//! Backups taken while the gateway serves: on SQLite `gateway backup` (`VACUUM INTO`, one
//! consistent snapshot), on PostgreSQL `pg_dump -Fc` restored with `pg_restore` into a new
//! database. Exchanges go on during the backup; the restored database's log verifies (`gateway log
//! verify`: every entry against its signed checkpoint, every record opened with the ledger key),
//! and a gateway started on it with the same keys serves on, appending where the backup ended.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp) -> (u16, serde_json::Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

/// A restored copy of `app`'s database: its URL, and the PostgreSQL database to drop after.
async fn backup_and_restore(
    db: Db,
    app: &TestApp,
    dir: &Path,
) -> (String, Option<fixture::PgDatabase>) {
    match db {
        Db::Sqlite => {
            let copy = dir.join("backup.db");
            consent::backup_sqlite(&app.db.url, &copy).await.unwrap();
            (format!("sqlite:{}", copy.display()), None)
        }
        Db::Postgres => {
            let dump = dir.join("backup.dump");
            let run = |program: &str, args: &[&str]| {
                let out = Command::new(program).args(args).output().unwrap();
                assert!(
                    out.status.success(),
                    "{program}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let file = dump.to_str().unwrap();
            run("pg_dump", &["-Fc", "-f", file, "-d", &app.db.url]);
            let restored = fixture::PgDatabase::create("restored").await.unwrap();
            run("pg_restore", &["--no-owner", "-d", restored.url(), file]);
            (restored.url().to_owned(), Some(restored))
        }
    }
}

async fn a_backup_taken_under_load_restores_to_a_log_that_verifies_and_serves(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let dir = tempfile::tempdir().unwrap();
    // Exchanges before, during and (at least one) after the backup.
    let done = AtomicBool::new(false);
    let load = async {
        let mut made = 0_u64;
        loop {
            let finished = done.load(Ordering::SeqCst);
            let (status, body) = exchange(&app).await;
            assert_eq!(status, 200, "{body}");
            made += 1;
            if finished {
                return made;
            }
        }
    };
    let backup = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let restored = backup_and_restore(db, &app, dir.path()).await;
        done.store(true, Ordering::SeqCst);
        restored
    };
    let (made, (restored, _drop_after)) = tokio::join!(load, backup);

    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&restored, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    // The consent's entry and the disclosures committed when the snapshot was taken: some, not
    // those made after it.
    assert!(
        (2..=made).contains(&report.entries),
        "{} entries in the backup of {} made",
        report.entries,
        1 + made
    );
    assert_eq!(report.readable + 1, report.entries, "every record opens");

    // A gateway on the restored database, with the same keys, serves on from where it ended.
    let url = restored.clone();
    let on_backup = app
        .replica_with(db, move |config| {
            config.database_url = gateway::config::DatabaseUrl::new(url);
        })
        .await;
    let (status, body) = exchange(&on_backup).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["log_index"].as_u64(), Some(report.entries));
    let after = gateway::logcheck::verify(&restored, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!(after.entries, report.entries + 1);
    on_backup.stop().await;
    app.stop().await;
}

tests::both_databases! {
    a_backup_taken_under_load_restores_to_a_log_that_verifies_and_serves =>
        a_backup_taken_under_load_restores_to_a_log_that_verifies_and_serves;
}
