//! The command line: `serve`, `demo`, `config check`, `policy check`, `dev pki`, `dev token`, `log`,
//! `erase` (README, "Configuration").

use crate::app::Application;
use crate::config::{Config, LogFormat};
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod config;
mod dev;
mod log;
mod policy;

pub use config::{ConfigCommand, Problem, check as check_config};
pub use dev::Dev;
pub use log::LogCommand;
pub use policy::{Policy, register_summary};

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
    /// Make a running gateway re-read its configuration file (the register, token keys,
    /// certificates, CRLs) without a restart: sends it SIGHUP. Its log and
    /// `gateway_reloads_total` say whether the new set was accepted or refused.
    Reload {
        /// The gateway's process id (systemd: `$MAINPID`).
        #[arg(long)]
        pid: i32,
    },
    /// Back up the SQLite database of a configuration while the gateway serves (a consistent
    /// snapshot, `VACUUM INTO`). On PostgreSQL use `pg_dump` (README, "Backups and upgrades").
    /// The key files are backed up apart from the database, never beside it.
    Backup {
        #[arg(long)]
        config: PathBuf,
        /// The new file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Check a configuration file (`gateway config check FILE`).
    #[command(subcommand)]
    Config(ConfigCommand),
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

pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config: path } => {
            let config = Config::load(&path)?;
            crate::telemetry::init(config.log_format);
            let app = Application::build(&config).await?;
            crate::reload::on_sighup(app.reloader(), path)?;
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
        Command::Log(command) => command.run().await?,
        Command::Dev(command) => command.run().await?,
        Command::Policy(command) => command.run().await?,
        Command::Config(command) => command.run()?,
        Command::Backup { config, to } => {
            let config = Config::load(&config)?;
            let url = config.database_url.expose();
            if !url.starts_with("sqlite:") {
                anyhow::bail!(
                    "gateway backup copies a SQLite database; back up PostgreSQL with pg_dump (README, \"Backups and upgrades\")"
                );
            }
            if to.exists() {
                anyhow::bail!("{} exists: a backup is written to a new file", to.display());
            }
            consent::backup_sqlite(url, &to)
                .await
                .with_context(|| format!("cannot back up to {}", to.display()))?;
            println!("backed up {url} to {}", to.display());
        }
        Command::Reload { pid } => {
            let process = rustix::process::Pid::from_raw(pid)
                .ok_or_else(|| anyhow::anyhow!("--pid must be a process id, not {pid}"))?;
            rustix::process::kill_process(process, rustix::process::Signal::HUP)
                .with_context(|| format!("cannot signal process {pid}"))?;
            println!(
                "sent SIGHUP to {pid}: see its log for whether the new configuration was accepted"
            );
        }
    }
    Ok(())
}

fn log_format_from_env() -> LogFormat {
    match std::env::var("GATEWAY_LOG_FORMAT").map(|v| v.parse()) {
        Ok(Ok(format)) => format,
        _ => LogFormat::Text,
    }
}
