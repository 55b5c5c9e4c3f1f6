//! The command line: `serve`, `demo`, `dev pki`, `dev token` (api.md, last section).

use std::path::PathBuf;

use anyhow::Context;
use chrono::{Duration, Utc};
use clap::{Parser, Subcommand};

use crate::app::Application;
use crate::auth::tokens;
use crate::config::DEFAULT_AUDIENCE;
use crate::config::{Config, LogFormat};
use crate::demo::{DEMO_REGISTER, DEV_CITIZEN_ISSUER};
use crate::pki::PkiLayout;

#[derive(Debug, Parser)]
#[command(
    name = "gateway",
    version,
    about = "Privacy gateway for Amsterdam's social domain"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway with a configuration file (see deploy/).
    Serve {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run the gateway on SQLite with the demo register and sample partner systems.
    Demo {
        /// Where the development PKI lives (generated if missing).
        #[arg(long, default_value = "dev-pki")]
        pki: PathBuf,
        #[arg(long, default_value_t = 8443)]
        port: u16,
        /// Register to use instead of deploy/demo/register.toml.
        #[arg(long)]
        register: Option<PathBuf>,
        /// Database (the demo ignores DATABASE_URL, so a test database is never used by accident).
        #[arg(long, default_value = "sqlite:data/demo.db")]
        database_url: String,
    },
    /// Check a register (verwerkingsregister) file and summarise what it allows.
    #[command(subcommand)]
    Policy(Policy),
    /// Development identities. Never for production.
    #[command(subcommand)]
    Dev(Dev),
    /// Check the public log, as an auditor or a monitor does.
    #[command(subcommand)]
    Log(LogCommand),
    /// Erase every ledger record about one Amsterdammer (art. 17 AVG), as a privacy officer decided:
    /// their record keys and sealed records are deleted, an erasure entry is logged and a checkpoint
    /// signed. What remains shows only that disclosures took place, not what they held.
    Erase {
        #[arg(long)]
        config: PathBuf,
        /// The Amsterdammer's BSN; `-` reads it from stdin, which keeps it out of the process list and
        /// the shell history. Never logged.
        #[arg(long)]
        bsn: String,
    },
}

#[derive(Debug, Subcommand)]
enum LogCommand {
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

#[derive(Debug, Subcommand)]
enum Policy {
    /// Load and check a register (`gateway policy check FILE`); exit non-zero listing every
    /// problem with its line.
    Check {
        /// The register (default: deploy/demo/register.toml).
        file: Option<PathBuf>,
        /// The same, as an option.
        #[arg(long, conflicts_with = "file")]
        register: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum Dev {
    /// Write a CA, the gateway's pair, and a certificate and token key for every registered partner.
    Pki {
        #[arg(long)]
        out: PathBuf,
        /// Register whose partners get identities (default: the demo register).
        #[arg(long)]
        register: Option<PathBuf>,
        /// Write OUT/ca.crl, signed by the dev CA, revoking this partner's client certificate
        /// (repeatable); uses the PKI already in OUT (generates one first if there is none).
        #[arg(long, value_name = "PARTNER")]
        revoke: Vec<String>,
    },
    /// Print a partner JWT (--partner, --sub, --role) or a citizen token (--citizen BSN).
    Token {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long, requires_all = ["sub", "role"], conflicts_with = "citizen")]
        partner: Option<String>,
        #[arg(long)]
        sub: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[arg(long, required_unless_present = "partner")]
        citizen: Option<String>,
        #[arg(long, default_value = DEFAULT_AUDIENCE)]
        audience: String,
        #[arg(long, default_value_t = 60)]
        ttl_minutes: i64,
    },
}

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => {
            let config = Config::load(&config)?;
            crate::telemetry::init(config.log_format);
            let app = Application::build(&config).await?;
            app.run_until(crate::app::shutdown_signal()).await;
        }
        Command::Demo {
            pki,
            port,
            register,
            database_url,
        } => {
            crate::telemetry::init(log_format_from_env());
            crate::demo::run(pki, port, register, database_url).await?;
        }
        Command::Policy(Policy::Check { file, register }) => {
            let path = file
                .or(register)
                .unwrap_or_else(|| PathBuf::from("deploy/demo/register.toml"));
            let register = crate::app::load_register(&path)?;
            print!("{}", register_summary(&register));
        }
        Command::Log(LogCommand::Verify {
            database_url,
            bundle,
            key,
            checkpoint,
            ledger_key,
        }) => {
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
        Command::Log(LogCommand::Export {
            database_url,
            ledger_key,
        }) => {
            let kek = ledger_key.as_deref().map(read_ledger_key).transpose()?;
            crate::logcheck::export(&database_url, kek, std::io::stdout().lock()).await?;
        }
        Command::Erase { config, bsn } => {
            let config = Config::load(&config)?;
            let bsn = if bsn == "-" {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line.trim().to_owned()
            } else {
                bsn
            };
            let erased = crate::retention::erase_subject(&config, &bsn).await?;
            println!(
                "erased {} ledger records in {} erasure entries; a checkpoint covering them is signed",
                erased.iter().map(|e| e.entries.len()).sum::<usize>(),
                erased.len()
            );
        }
        Command::Log(LogCommand::Monitor { url, state, cacert }) => {
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
        Command::Dev(Dev::Pki {
            out,
            register,
            revoke,
        }) => {
            let existing = PkiLayout::new(&out);
            let layout = if revoke.is_empty() || !existing.exists() {
                let text = match register {
                    Some(path) => std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                    None => DEMO_REGISTER.to_owned(),
                };
                let register = policies::Register::from_toml(&text)?;
                let layout = crate::pki::generate(&out, &register)?;
                println!("development PKI written to {}", out.display());
                layout
            } else {
                existing
            };
            if !revoke.is_empty() {
                let ids: Vec<&str> = revoke.iter().map(String::as_str).collect();
                let crl = crate::pki::revoke(&layout, &ids)?;
                println!(
                    "CRL revoking {} written to {}",
                    ids.join(", "),
                    crl.display()
                );
            }
        }
        Command::Dev(Dev::Token {
            pki,
            partner,
            sub,
            role,
            citizen,
            audience,
            ttl_minutes,
        }) => {
            let layout = PkiLayout::new(pki);
            let ttl = Duration::minutes(ttl_minutes);
            let now = Utc::now();
            let token = match (partner, citizen) {
                (Some(partner), _) => {
                    let claims = tokens::partner_claims(
                        &partner,
                        sub.as_deref().unwrap_or_default(),
                        role.as_deref().unwrap_or_default(),
                        &audience,
                        now,
                        ttl,
                    );
                    let key =
                        std::fs::read(layout.partner_token_key(&partner)).with_context(|| {
                            format!("no token key for partner {partner} in the PKI")
                        })?;
                    tokens::sign(&claims, &key)?
                }
                (None, Some(bsn)) => {
                    policies::Bsn::parse(&bsn).context("--citizen must be a valid BSN")?;
                    let claims =
                        tokens::citizen_claims(DEV_CITIZEN_ISSUER, &bsn, &audience, now, ttl);
                    let key = std::fs::read(layout.citizen_idp_key())
                        .context("no citizen-idp key in the PKI")?;
                    tokens::sign(&claims, &key)?
                }
                (None, None) => {
                    anyhow::bail!("give --partner (with --sub and --role) or --citizen")
                }
            };
            println!("{token}");
        }
    }
    Ok(())
}

fn read_ledger_key(path: &std::path::Path) -> anyhow::Result<consent::Kek> {
    crate::config::LedgerConfig {
        key_file: Some(path.to_path_buf()),
        ..Default::default()
    }
    .kek()
}

fn log_format_from_env() -> LogFormat {
    match std::env::var("GATEWAY_LOG_FORMAT").map(|v| v.parse()) {
        Ok(Ok(format)) => format,
        _ => LogFormat::Text,
    }
}

/// A readable summary of a register, for `gateway policy check`.
pub fn register_summary(register: &policies::Register) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let special: Vec<&str> = register
        .categories
        .iter()
        .filter(|c| c.special)
        .map(|c| c.id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "register is consistent (version {}): {} partners, {} categories ({} special: {}), {} activities",
        register.version,
        register.partners.len(),
        register.categories.len(),
        special.len(),
        special.join(", "),
        register.activities.len()
    );
    let _ = writeln!(
        out,
        "  representations (who records; who confirms besides the person represented):"
    );
    for role in policies::RepresentativeRole::ALL {
        let line = match register.representation_recorders(role) {
            None => "recorded by nobody".to_owned(),
            Some(r) => format!(
                "recorded by {}; confirmed by {}{}",
                r.kinds.join(", "),
                if r.confirmers.is_empty() {
                    "the person represented only".to_owned()
                } else {
                    format!(
                        "the person represented or a second {}",
                        r.confirmers.join(" / ")
                    )
                },
                if r.may_undo_own_choices {
                    "; may undo the person's own choices"
                } else {
                    ""
                }
            ),
        };
        let _ = writeln!(out, "      {:<14} {line}", role.as_str());
    }
    for a in &register.activities {
        let recorders = if a.consent_recorders.is_empty() {
            "-".to_owned()
        } else {
            a.consent_recorders.join(", ")
        };
        let _ = writeln!(
            out,
            "  {:<38} {:<12} {} -> {}  roles: {}  retention: {}",
            a.id,
            a.legal_basis.as_str(),
            a.from.join("|"),
            a.to.join("|"),
            a.roles.join(", "),
            a.retention()
        );
        let _ = writeln!(out, "      consent recorders: {recorders}");
        for (category, fields) in &a.fields {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            let _ = writeln!(out, "      {category}: {}", fields.join(", "));
        }
    }
    out
}
