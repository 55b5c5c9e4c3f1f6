//! Load generator for the baseline benchmark (`bench/exchange.sh`): starts the real gateway with
//! sample systems (as the tests do), records one consent, then drives permitted exchanges from N
//! concurrent clients, each over its own mTLS connection, and prints throughput and latency.
//!
//! Usage: loadgen [--db sqlite|postgres] [--clients 32] [--requests 4000]

use std::time::{Duration, Instant};

use serde_json::json;
use tests::{BSN, Db, TestApp};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut db = Db::Sqlite;
    let mut clients = 32usize;
    let mut requests = 4000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{arg} needs a value"))?;
        match arg.as_str() {
            "--db" => {
                db = if value == "postgres" {
                    Db::Postgres
                } else {
                    Db::Sqlite
                }
            }
            "--clients" => clients = value.parse()?,
            "--requests" => requests = value.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let app = TestApp::spawn(db)
        .await
        .ok_or_else(|| anyhow::anyhow!("PostgreSQL skipped"))?;
    app.record_consent(
        BSN,
        &["okt-amsterdam"],
        &["gezinsondersteuning-ouders"],
        &["contact", "regie"],
    )
    .await;
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west",
        "activity": "gezinsondersteuning-ouders", "categories": ["contact", "regie"]});
    let url = app.url("/v1/exchange");
    let token = app.partner_token("okt-amsterdam", "bench", "okt-medewerker");

    let per_client = requests / clients;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let client = app.partner("okt-amsterdam");
        let (url, token, body) = (url.clone(), token.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            let mut failures = 0usize;
            for _ in 0..per_client {
                let t = Instant::now();
                let ok = match client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests);
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ledger = app.count("disclosures").await;
    println!(
        "db={:<8} clients={clients} ok={} failed={failures} ledger_rows={ledger} elapsed={:.2}s \
         exchanges_per_s={:.0} p50_ms={:.2} p99_ms={:.2}",
        format!("{db:?}").to_lowercase(),
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    app.stop().await;
    Ok(())
}
