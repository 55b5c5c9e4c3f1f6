//! `gateway log verify|export|monitor`: the log checked from outside (`logcheck`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Re-derive every leaf and the tree from the database and check every signed checkpoint
    /// against it with the log's public key (exits non-zero, with the reason, on any mismatch).
    Verify {
        #[arg(long, env = "DATABASE_URL", required_unless_present = "bundle")]
        database_url: Option<String>,
        /// Check a resident's evidence bundle (`/v1/me/disclosures/{id}/bundle`) instead, offline.
        #[arg(long, conflicts_with_all = ["database_url", "checkpoint"])]
        bundle: Option<PathBuf>,
        /// The log's verifier key (`/v1/log/key`; `log.pub` of a dev PKI).
        #[arg(long)]
        key: PathBuf,
        /// A signed checkpoint kept from earlier, which the log must still extend.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The ledger's key-encryption key (`[ledger] key_file`): also open every record that is
        /// not erased and check it against the digest its leaf commits to.
        #[arg(long, conflicts_with = "bundle")]
        ledger_key: Option<PathBuf>,
    },
    /// Print every disclosure as one JSON line in the Logius Logboek Dataverwerkingen shape.
    Export {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The ledger's key-encryption key, to include what was disclosed (categories, consent).
        #[arg(long)]
        ledger_key: Option<PathBuf>,
    },
    /// Fetch the published checkpoint, check its signature and that it extends the one seen last
    /// time (kept in --state); exits non-zero on a fork, a shrinking log or a bad signature.
    Monitor {
        /// The gateway's base URL, e.g. https://gateway.example.org
        #[arg(long)]
        url: String,
        #[arg(long)]
        state: PathBuf,
        /// CA certificate(s), PEM, to trust for the gateway's TLS (e.g. /etc/ssl/certs/ca-certificates.crt).
        #[arg(long)]
        cacert: PathBuf,
    },
}

fn read_ledger_key(path: &std::path::Path) -> anyhow::Result<consent::Kek> {
    crate::config::LedgerConfig {
        key_file: Some(path.to_path_buf()),
        ..Default::default()
    }
    .kek()
}
impl LogCommand {
    /// Runs `gateway log …`.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            LogCommand::Verify {
                database_url,
                bundle,
                key,
                checkpoint,
                ledger_key,
            } => {
                let vkey = std::fs::read_to_string(&key)
                    .with_context(|| format!("cannot read the log key {}", key.display()))?;
                if let Some(bundle) = bundle {
                    let text = std::fs::read_to_string(&bundle)
                        .with_context(|| format!("cannot read {}", bundle.display()))?;
                    let report = crate::logcheck::verify_bundle(&text, &vkey)?;
                    println!(
                        "disclosure {} is entry {} of the {} entries of {}, whose checkpoint the log key signed",
                        report.disclosure_id, report.leaf_index, report.tree_size, report.origin
                    );
                    return Ok(());
                }
                let database_url = database_url.context("give --database-url (or --bundle)")?;
                let given = checkpoint
                    .map(|path| {
                        std::fs::read_to_string(&path)
                            .with_context(|| format!("cannot read {}", path.display()))
                    })
                    .transpose()?;
                let kek = ledger_key.as_deref().map(read_ledger_key).transpose()?;
                let report =
                    crate::logcheck::verify(&database_url, &vkey, given.as_deref(), kek).await?;
                println!(
                    "log verified: {} entries re-derived, root {}",
                    report.entries,
                    hex::encode(report.root)
                );
                println!(
                    "  {} records opened and matching their digests, {} left sealed (no --ledger-key), \
                     {} erased and each named by its erasure entry, {} erasure entries",
                    report.readable, report.sealed, report.erased, report.erasures
                );
                println!(
                    "  {} consent changes and {} representation changes, each matching its digest",
                    report.consent_changes, report.representation_changes
                );
                println!(
                    "{} stored checkpoints: each signed by the log key, matching the ledger, and extending the one before",
                    report.checkpoints
                );
                if let Some(size) = report.given {
                    println!("the given checkpoint of {size} entries is still extended by the log");
                }
            }
            LogCommand::Export {
                database_url,
                ledger_key,
            } => {
                let kek = ledger_key.as_deref().map(read_ledger_key).transpose()?;
                crate::logcheck::export(&database_url, kek, std::io::stdout().lock()).await?;
            }
            LogCommand::Monitor { url, state, cacert } => {
                let report = crate::logcheck::monitor(&url, &state, &cacert).await?;
                match report.previous {
                    None => println!(
                        "{}: first checkpoint seen, {} entries, signature verified; remembered in {}",
                        report.origin,
                        report.size,
                        state.display()
                    ),
                    Some(previous) => println!(
                        "{}: {} entries, signature verified, consistent with the {previous} seen before",
                        report.origin, report.size
                    ),
                }
            }
        }
        Ok(())
    }
}
