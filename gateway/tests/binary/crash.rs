//! Invariant 1: nothing is released without a durably committed ledger entry. The demo binary runs
//! under concurrent exchanges and is killed with SIGKILL mid-load; every disclosure a client received
//! must then be in the ledger, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::common::{GATEWAY, okt_consent, okt_exchange, partner_client, partner_token};
use gateway::pki::PkiLayout;

/// Responses to collect before the kill; the clients keep sending while it lands.
const BEFORE_KILL: usize = 300;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the demo on `database_url` in `dir`, drives it with 16 clients and kills it with SIGKILL
/// mid-load; returns the disclosure ids the clients received.
async fn load_then_kill(database_url: &str, dir: &std::path::Path) -> Vec<String> {
    let mut child = Command::new(GATEWAY)
        .args([
            "demo",
            "--pki",
            "pki",
            "--port",
            "0",
            "--database-url",
            database_url,
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut gateway = Killed(child);
    let mut port = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("https://localhost:").nth(1) {
            port = port.or_else(|| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<u16>()
                    .ok()
            });
        }
        if line.starts_with("Stop with") {
            break;
        }
    }
    let base = format!(
        "https://localhost:{}",
        port.expect("the demo prints its address")
    );
    let pki = PkiLayout::new(dir.join("pki"));
    let consent = okt_consent(&["contact", "regie"], "crash");
    let r = partner_client(&pki, "bt-centrum-west")
        .post(format!("{base}/v1/consents"))
        .bearer_auth(partner_token(
            &pki,
            "bt-centrum-west",
            "crash",
            "regievoerder",
        ))
        .json(&consent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let exchange = okt_exchange(&["contact", "regie"]);
    let okt = partner_token(&pki, "okt-amsterdam", "crash", "okt-medewerker");
    let mut clients = Vec::new();
    for _ in 0..16 {
        let (client, url, okt, exchange, received) = (
            partner_client(&pki, "okt-amsterdam"),
            format!("{base}/v1/exchange"),
            okt.clone(),
            exchange.clone(),
            received.clone(),
        );
        clients.push(tokio::spawn(async move {
            // Ends when the gateway is gone: the connection fails or the body is cut off.
            loop {
                let Ok(r) = client
                    .post(&url)
                    .bearer_auth(&okt)
                    .json(&exchange)
                    .send()
                    .await
                else {
                    break;
                };
                let Ok(body) = r.json::<serde_json::Value>().await else {
                    break;
                };
                if let Some(id) = body["disclosure_id"].as_str() {
                    received.lock().unwrap().push(id.to_owned());
                }
            }
        }));
    }
    while received.lock().unwrap().len() < BEFORE_KILL {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    gateway.0.kill().unwrap(); // SIGKILL: no drain, no flush.
    gateway.0.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }

    let ids = received.lock().unwrap().clone();
    assert!(ids.len() >= BEFORE_KILL);
    ids
}

/// Kills the demo under load three times on one database; after each kill every disclosure a client
/// received has its ledger entry, and the log verifies with its public key (`gateway log verify`).
async fn every_released_disclosure_survives_a_kill(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let url = absolute(database_url, dir.path());
    let mut released = 0;
    for round in 1..=3 {
        let ids = load_then_kill(database_url, dir.path()).await;
        released += ids.len();
        let kek = || {
            let text = std::fs::read_to_string(dir.path().join("pki/ledger.key")).unwrap();
            consent::Kek::from_hex(&text).unwrap()
        };
        let store = consent::connect(&url, kek()).await.unwrap();
        let mut missing = Vec::new();
        for id in &ids {
            if store.disclosure(id).await.unwrap().is_none() {
                missing.push(id);
            }
        }
        assert!(
            missing.is_empty(),
            "round {round}: {} of {} released disclosures have no ledger entry",
            missing.len(),
            ids.len()
        );
        assert!(store.ledger_size().await.unwrap() >= released as u64);
        let vkey = std::fs::read_to_string(dir.path().join("pki/log.pub")).unwrap();
        let report = gateway::logcheck::verify(&url, &vkey, None, Some(kek()))
            .await
            .unwrap_or_else(|e| panic!("round {round}: the log does not verify: {e:#}"));
        assert!(report.checkpoints > 0, "round {round}: {report:?}");
        assert_eq!(
            report.readable + report.consent_changes,
            report.entries,
            "round {round}: {report:?}"
        );
    }
}

/// The demo ran in `dir`; a relative SQLite path is relative to it.
fn absolute(url: &str, dir: &std::path::Path) -> String {
    match url.strip_prefix("sqlite:") {
        Some(path) => format!("sqlite:{}", dir.join(path).display()),
        None => url.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_every_released_disclosure_survives_a_kill() {
    every_released_disclosure_survives_a_kill("sqlite:data/crash.db").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_released_disclosure_survives_a_kill() {
    let Some(db) = fixture::PgDatabase::create("gw_crash").await else {
        return;
    };
    every_released_disclosure_survives_a_kill(db.url()).await;
}
