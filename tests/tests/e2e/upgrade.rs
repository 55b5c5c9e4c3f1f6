//! Upgrading (README, "Backups and restore"): a database the previous release made, kept frozen in
//! `tests/release/` (SQLite file, PostgreSQL plain dump, and the keys it was made with), is
//! migrated forward by this build at start and served: its log verifies before and after, and a
//! new exchange is appended to it. `make_release_fixture` (ignored; run it when a release is cut)
//! writes that folder anew.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use tests::{BSN, Db, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";

fn release() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("release")
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn exchange(app: &TestApp) -> (u16, serde_json::Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

/// The keys the release's databases were made with.
fn keys() -> [(&'static str, PathBuf); 4] {
    let k = release().join("keys");
    [
        ("pseudonym", k.join("pseudonym.key")),
        ("log", k.join("log.key")),
        ("ledger", k.join("ledger.key")),
        ("log.pub", k.join("log.pub")),
    ]
}

fn with_release_keys(config: &mut gateway::config::Config) {
    let [pseudonym, log, ledger, _] = keys();
    config.pseudonym_key_file = pseudonym.1;
    config.log_signing_key_file = log.1;
    config.ledger.key_file = Some(ledger.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run when a release is cut: writes tests/release/ with this build's schema and data"]
async fn make_release_fixture() {
    let dir = release();
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    let mut first_keys = None;
    for db in [Db::Sqlite, Db::Postgres] {
        let app = TestApp::spawn_configured(db, |config, pki| {
            if first_keys.is_none() {
                for ((_, to), from) in keys().iter().zip([
                    pki.pseudonym_key(),
                    pki.log_key(),
                    pki.ledger_key(),
                    pki.log_pub(),
                ]) {
                    std::fs::copy(from, to).unwrap();
                }
                first_keys = Some(());
            }
            with_release_keys(config);
        })
        .await
        .unwrap();
        app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
            .await;
        for _ in 0..3 {
            assert_eq!(exchange(&app).await.0, 200);
        }
        match db {
            Db::Sqlite => {
                let file = dir.join("gateway.db");
                let _ = std::fs::remove_file(&file);
                consent::backup_sqlite(&app.db.url, &file).await.unwrap();
            }
            Db::Postgres => {
                let file = dir.join("postgres.sql");
                run(
                    "pg_dump",
                    &[
                        "--no-owner",
                        "--no-privileges",
                        "-f",
                        file.to_str().unwrap(),
                        "-d",
                        &app.db.url,
                    ],
                );
            }
        }
        app.stop().await;
    }
}

async fn a_database_of_the_previous_release_is_migrated_forward_and_served(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _drop_after) = match db {
        Db::Sqlite => {
            let file = dir.path().join("gateway.db");
            std::fs::copy(release().join("gateway.db"), &file).unwrap();
            (format!("sqlite:{}", file.display()), None)
        }
        Db::Postgres => {
            let Some(restored) = fixture::PgDatabase::create("upgrade").await else {
                return;
            };
            let dump = release().join("postgres.sql");
            run(
                "psql",
                &[
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    restored.url(),
                    "-f",
                    dump.to_str().unwrap(),
                ],
            );
            (restored.url().to_owned(), Some(restored))
        }
    };
    let [_, _, ledger, vkey] = keys();
    let vkey = std::fs::read_to_string(vkey.1).unwrap();
    let kek = || consent::Kek::from_hex(&std::fs::read_to_string(&ledger.1).unwrap()).unwrap();
    let before = gateway::logcheck::verify(&url, &vkey, None, Some(kek()))
        .await
        .unwrap();
    assert!(
        before.entries >= 4,
        "the release's consent and exchanges: {}",
        before.entries
    );

    // This build starts on it (running its newer migrations, if any) and serves it.
    let on_release = url.clone();
    let Some(app) = TestApp::spawn_configured(db, move |config, _| {
        config.database_url = gateway::config::DatabaseUrl::new(on_release);
        with_release_keys(config);
    })
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, body) = exchange(&app).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["log_index"].as_u64().unwrap() > before.entries);
    let after = gateway::logcheck::verify(&url, &vkey, None, Some(kek()))
        .await
        .unwrap();
    assert!(
        after.entries >= before.entries + 2,
        "{} then {}",
        before.entries,
        after.entries
    );
    app.stop().await;
}

tests::both_databases! {
    a_database_of_the_previous_release_is_migrated_forward_and_served =>
        a_database_of_the_previous_release_is_migrated_forward_and_served;
}
