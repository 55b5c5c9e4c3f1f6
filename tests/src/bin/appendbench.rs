//! Durable appends per second to the ledger (issue 7): `--writers` concurrent writers for
//! `--seconds` each, on SQLite and on PostgreSQL, with group commit and with one commit per append, in
//! one run. Every append is a decision plus a disclosure, durably committed and covered by a signed
//! checkpoint before the writer is answered, exactly as the gateway does it.
//!
//! Usage: appendbench [--writers 64] [--seconds 5]   (PostgreSQL from DATABASE_URL)
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use consent::{
    Batching, DecisionRecord, LedgerWrite, LedgerWriter, Log, LogSigner, NewDisclosure, Outcome,
    Pseudonymizer, Sha256Hex, Store, SystemClock,
};
use policies::{Bsn, LegalBasis, Mode};

/// Group commit as the gateway runs it, and one commit (and checkpoint) per append.
const MODES: [(&str, usize); 2] = [("group commit", 256), ("one per append", 1)];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut writers = 64usize;
    let mut seconds = 5u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{arg} needs a value"))?;
        match arg.as_str() {
            "--writers" => writers = value.parse()?,
            "--seconds" => seconds = value.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let duration = Duration::from_secs(seconds);
    println!(
        "| database   | commit                | writers | appends | appends/s | batches/checkpoints |"
    );
    println!(
        "|------------|-----------------------|---------|---------|-----------|---------------------|"
    );
    let dir = tempfile::tempdir()?;
    for (mode, max_batch) in MODES {
        let url = format!(
            "sqlite:{}",
            dir.path().join(format!("{max_batch}.db")).display()
        );
        run("SQLite", mode, &url, max_batch, writers, duration).await?;
    }
    for (mode, max_batch) in MODES {
        // A fresh database per mode, so both start from an empty ledger; dropped afterwards.
        let Some(db) = fixture::PgDatabase::create("gw_bench").await else {
            println!("| PostgreSQL | skipped: no DATABASE_URL |");
            break;
        };
        run("PostgreSQL", mode, db.url(), max_batch, writers, duration).await?;
    }
    Ok(())
}

async fn run(
    database: &str,
    mode: &str,
    url: &str,
    max_batch: usize,
    writers: usize,
    duration: Duration,
) -> anyhow::Result<()> {
    // A fresh key per run: the benchmark seals records as the gateway does.
    let store =
        consent::connect(url, consent::Kek::from_hex(&consent::Kek::generate_hex()?)?).await?;
    let signer = LogSigner::from_skey(&LogSigner::generate_skey("bench.example/log")?)?;
    let log = Arc::new(Log::open(store.clone(), signer, Arc::new(SystemClock)).await?);
    let batching = Batching {
        max_writes: max_batch,
        ..Batching::default()
    };
    let (writer, task) = LedgerWriter::spawn_batching(store.clone(), Some(log), batching);
    let pseudonyms = Pseudonymizer::new(&[9u8; 32]).map_err(anyhow::Error::msg)?;
    let subject =
        pseudonyms.subject(&Bsn::parse("111222333").map_err(|e| anyhow::anyhow!("{e:?}"))?);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let (writer, done, subject) = (writer.clone(), done.clone(), subject.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    writer
                        .write(append(&subject))
                        .await
                        .expect("a durable append");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    drop(writer);
    task.await?;
    let appends = done.load(Ordering::Relaxed);
    let checkpoints = store.checkpoints().await?.len();
    println!(
        "| {database:<10} | {mode:<21} | {writers:>7} | {appends:>7} | {:>9.0} | {checkpoints:>19} |",
        appends as f64 / elapsed
    );
    verify_count(store.as_ref(), appends).await
}

/// Every answered append is in the ledger.
async fn verify_count(store: &dyn Store, appends: u64) -> anyhow::Result<()> {
    let size = store.ledger_size().await?;
    anyhow::ensure!(
        size == appends,
        "{size} entries for {appends} answered appends"
    );
    Ok(())
}

/// One request's writes: its decision and its disclosure.
fn append(subject: &consent::SubjectId) -> LedgerWrite {
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let decision = DecisionRecord {
        id: id.clone(),
        at: now,
        mode: Mode::Exchange,
        partner: "okt-amsterdam".into(),
        professional: "bench".into(),
        role: "okt-medewerker".into(),
        activity: "gezinsondersteuning-ouders".into(),
        source: "bt-centrum-west".into(),
        recipient: "okt-amsterdam".into(),
        subject: subject.clone(),
        categories: vec!["contact".into()],
        outcome: Outcome::Permit,
        violations: Vec::new(),
        consent_id: None,
        error: None,
        register_version: "bench".into(),
    };
    let disclosure = NewDisclosure {
        id: uuid::Uuid::now_v7().to_string(),
        at: now,
        mode: Mode::Exchange,
        source: "bt-centrum-west".into(),
        recipient: "okt-amsterdam".into(),
        professional: "bench".into(),
        subject: subject.clone(),
        activity: "gezinsondersteuning-ouders".into(),
        legal_basis: LegalBasis::Consent,
        categories: vec!["contact".into()],
        fields: vec!["contact.naam".into()],
        consent_id: None,
        justification: None,
        payload_sha256: Sha256Hex::of(id.as_bytes()),
        decision_id: id,
        retain_until: now,
    };
    LedgerWrite {
        decision,
        disclosure: Some(disclosure),
        deferral: None,
    }
}
