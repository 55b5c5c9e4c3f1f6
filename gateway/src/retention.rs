//! Erasure (vuistregel 5, art. 17 AVG): the retention purge that runs in the background, and the
//! erasure of one Amsterdammer's records that a privacy officer carries out. Either way the store
//! deletes keys and sealed records and appends erasure entries, and a checkpoint covering those
//! entries is signed before this reports success, so the public log shows the erasure at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use consent::{Clock, Erase, ErasureEntry, Log, Store};

/// Erases what `what` names and signs a checkpoint that covers the erasure entries.
pub async fn erase(
    store: &dyn Store,
    log: &Log,
    what: &Erase,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<ErasureEntry>> {
    let appended = store.erase(what, now).await?;
    if !appended.is_empty() {
        log.checkpoint().await?;
    }
    Ok(appended)
}

/// Appends an `expired` entry to the log for each consent whose validity ended, and signs a
/// checkpoint over them (vuistregel 5: consents expire; issue 8: every change is logged).
async fn log_expiries(store: &dyn Store, log: &Log, now: DateTime<Utc>) {
    match store.log_expiries(now).await {
        Ok(0) => {}
        Ok(logged) => {
            tracing::info!(consents = logged, "expired consents logged");
            if let Err(e) = log.checkpoint().await {
                tracing::error!(error = %e, "no checkpoint covers the expiries yet");
            }
        }
        // Tried again at the next tick; nothing is lost by waiting.
        Err(e) => tracing::error!(error = %e, "expired consents could not be logged"),
    }
}

/// Deletes the decisions whose activity's retention has passed (vuistregel 5); a decision of an
/// activity the register no longer has is kept as long as the longest retention it names. Then
/// removes the personal details of consents that ended longer ago than that.
async fn purge_decisions(store: &dyn Store, register: &policies::Register, now: DateTime<Utc>) {
    let before = |days: u32| now - chrono::Duration::days(i64::from(days));
    let cutoffs: Vec<(String, DateTime<Utc>)> = register
        .activities
        .iter()
        .map(|a| (a.id.clone(), before(a.retention_days)))
        .collect();
    let longest = register
        .activities
        .iter()
        .map(|a| a.retention_days)
        .max()
        .unwrap_or(730);
    match store.purge_decisions(&cutoffs, before(longest)).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(
            decisions = purged,
            "retention purge deleted decisions past retention"
        ),
        Err(e) => tracing::error!(error = %e, "decisions past retention could not be purged"),
    }
    // Nothing disclosed under a consent is kept longer than the longest retention: after that, an
    // ended consent's personal details can go too.
    match store.purge_consents(before(longest), now).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(
            consents = purged,
            "retention purge removed the personal details of long-ended consents"
        ),
        Err(e) => tracing::error!(error = %e, "long-ended consents could not be purged"),
    }
}

/// Runs the retention purge (and logs the consents that expired) now and then every `every`,
/// until aborted.
pub fn start_purge(
    store: Arc<dyn Store>,
    log: Arc<Log>,
    register: Arc<arc_swap::ArcSwap<policies::Register>>,
    clock: Arc<dyn Clock>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            log_expiries(store.as_ref(), &log, clock.now()).await;
            // The register in force at this tick (a reload may have changed retentions).
            purge_decisions(store.as_ref(), &register.load_full(), clock.now()).await;
            match erase(store.as_ref(), &log, &Erase::Expired, clock.now()).await {
                Ok(entries) if entries.is_empty() => {}
                Ok(entries) => tracing::info!(
                    erasure_entries = entries.len(),
                    records = entries.iter().map(|e| e.entries.len()).sum::<usize>(),
                    "retention purge erased expired ledger records"
                ),
                // Tried again at the next tick; nothing is lost by waiting.
                Err(e) => tracing::error!(error = %e, "the retention purge failed"),
            }
        }
    })
}

/// `gateway erase`: erases every record about the Amsterdammer with `bsn`, on the database and
/// with the keys of `config`, and signs a checkpoint covering the erasure.
pub async fn erase_subject(
    config: &crate::config::Config,
    bsn: &str,
) -> anyhow::Result<Vec<ErasureEntry>> {
    use anyhow::Context as _;
    let bsn = policies::Bsn::parse(bsn).map_err(|_| anyhow::anyhow!("not a valid BSN"))?;
    let pseudonyms =
        consent::Pseudonymizer::new(&config.pseudonym_key()?.0).map_err(anyhow::Error::msg)?;
    let store = consent::connect(config.database_url.expose(), config.ledger_key()?)
        .await
        .context("cannot open the database")?;
    let clock: Arc<dyn Clock> = Arc::new(consent::SystemClock);
    let log = Log::open(store.clone(), config.log_signer()?, clock.clone())
        .await
        .context("the ledger does not match its signed log")?;
    let subject = pseudonyms.subject(&bsn);
    erase(store.as_ref(), &log, &Erase::Subject(subject), clock.now()).await
}
