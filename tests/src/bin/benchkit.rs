//! The pieces `bench/run` starts as processes of their own, so each one's CPU time can be read from
//! `/proc`:
//!
//! - `sample`: one partner's sample system (the same code the demo and the tests run), on a given
//!   address, accepting only the gateway's certificate, with no per-address connection cap (every
//!   proxy in the benchmark connects from 127.0.0.1).
//! - `authz`: a minimal authorisation endpoint for nginx `auth_request`: it verifies the partner's
//!   ES256 token with the gateway's own verifier (same key set, pinned algorithm, `iss`, `aud`,
//!   `exp`/`nbf`, lifetime), for the partner named by the client certificate nginx checked.
//! - `db create|drop|count`: a fresh PostgreSQL database per run, and the ledger's row count.
//!
//! Not part of the gateway: a benchmark harness only.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use clap::{Parser, Subcommand};
use gateway::auth::tokens::TokenVerifier;
use gateway::config::ConnectionLimits;
use gateway::demo::{DEFAULT_AUDIENCE, DEMO_REGISTER, DEV_CITIZEN_ISSUER};
use gateway::pki::{self, PkiLayout};
use gateway::sample::{Behaviour, SampleSystem};
use policies::Register;
use sqlx::Connection as _;
use sqlx::migrate::MigrateDatabase as _;

#[derive(Debug, Parser)]
#[command(name = "benchkit", about = "Processes and helpers for bench/run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve one partner's sample system until killed.
    Sample {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long, default_value = "bt-centrum-west")]
        partner: String,
        #[arg(long)]
        listen: SocketAddr,
    },
    /// Serve the token check for nginx `auth_request` (plain HTTP on loopback) until killed.
    Authz {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long)]
        listen: SocketAddr,
        #[arg(long, default_value_t = 3600)]
        max_lifetime_secs: u64,
    },
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Create database NAME on the server of ADMIN_URL; prints its URL.
    Create { admin_url: String, name: String },
    /// Drop database NAME (also when clients are still connected).
    Drop { admin_url: String, name: String },
    /// Print the number of ledger disclosures in the database at URL (sqlite: or postgres:).
    Count { url: String },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Sample {
            pki,
            partner,
            listen,
        } => sample(PkiLayout::new(pki), &partner, listen).await,
        Command::Authz {
            pki,
            listen,
            max_lifetime_secs,
        } => authz(PkiLayout::new(pki), listen, max_lifetime_secs).await,
        Command::Db(command) => db(command).await,
    }
}

fn demo_register() -> anyhow::Result<Arc<Register>> {
    Ok(Arc::new(Register::from_toml(DEMO_REGISTER)?))
}

async fn sample(pki: PkiLayout, partner_id: &str, listen: SocketAddr) -> anyhow::Result<()> {
    let register = demo_register()?;
    let partner = register
        .partner(partner_id)
        .with_context(|| format!("no partner {partner_id} in the demo register"))?
        .clone();
    let tls = gateway::tls::strict_server_config(
        &pki.ca(),
        &pki.partner_cert(partner_id),
        &pki.partner_key(partner_id),
        pki::GATEWAY_OIN,
    )?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let limits = ConnectionLimits {
        max_per_peer: 0,
        ..ConnectionLimits::default()
    };
    let _system =
        SampleSystem::start_on(listener, partner, register, tls, Behaviour::Normal, limits).await?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[derive(Debug)]
struct Authz {
    verifier: TokenVerifier,
    /// OIN (the certificate subject's `serialNumber`) to partner id.
    partners: HashMap<String, String>,
}

async fn authz(pki: PkiLayout, listen: SocketAddr, max_lifetime_secs: u64) -> anyhow::Result<()> {
    let register = demo_register()?;
    let mut keys = HashMap::new();
    for p in &register.partners {
        keys.insert(
            p.id.clone(),
            TokenVerifier::read_public_key(&pki.partner_token_pub(&p.id))?,
        );
    }
    let verifier = TokenVerifier::new(
        DEFAULT_AUDIENCE.into(),
        keys,
        DEV_CITIZEN_ISSUER.into(),
        TokenVerifier::read_public_key(&pki.citizen_idp_pub())?,
        max_lifetime_secs,
    );
    let partners = register
        .partners
        .iter()
        .map(|p| (p.oin.clone(), p.id.clone()))
        .collect();
    let state = Arc::new(Authz { verifier, partners });
    let router = axum::Router::new()
        .route("/auth", any(check))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `204` when the bearer token verifies for the partner whose certificate nginx verified (its
/// subject DN in `X-Client-DN`, RFC 2253, as `$ssl_client_s_dn` gives it), else `401`.
async fn check(State(authz): State<Arc<Authz>>, headers: HeaderMap) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let partner = header("x-client-dn")
        .and_then(|dn| {
            dn.split(',')
                .find_map(|rdn| rdn.trim().strip_prefix("serialNumber="))
        })
        .and_then(|oin| authz.partners.get(oin));
    let token = header("authorization").and_then(|v| v.strip_prefix("Bearer "));
    match (partner, token) {
        (Some(partner), Some(token)) if authz.verifier.verify_partner(partner, token).is_ok() => {
            StatusCode::NO_CONTENT
        }
        _ => StatusCode::UNAUTHORIZED,
    }
}

async fn db(command: DbCommand) -> anyhow::Result<()> {
    match command {
        DbCommand::Create { admin_url, name } => {
            let url = fixture::with_database(&admin_url, &name);
            sqlx::Postgres::create_database(&url)
                .await
                .with_context(|| format!("cannot create database {name}"))?;
            println!("{url}");
        }
        DbCommand::Drop { admin_url, name } => {
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                anyhow::bail!("a database name of letters, digits and _ only");
            }
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        DbCommand::Count { url } => {
            const SQL: &str = "SELECT COUNT(*) FROM disclosures";
            let n: i64 = if url.starts_with("sqlite:") {
                let mut c = sqlx::SqliteConnection::connect(&url).await?;
                sqlx::query_scalar(SQL).fetch_one(&mut c).await?
            } else {
                let mut c = sqlx::PgConnection::connect(&url).await?;
                sqlx::query_scalar(SQL).fetch_one(&mut c).await?
            };
            println!("{n}");
        }
    }
    Ok(())
}
