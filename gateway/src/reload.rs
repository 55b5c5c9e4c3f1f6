//! Change without a restart (README, "Deploying"): `SIGHUP`, or `gateway reload --pid PID` which
//! sends it, re-reads the configuration file and puts in force what may change while serving: the
//! register, the partners' and the citizen identity provider's token keys, the partner systems'
//! endpoints, the gateway's certificates and the CRLs. The new set is built and checked whole
//! first (as `serve` checks it at start, and `gateway config check` does); anything wrong and it is
//! refused, logged and counted, and the old set stays in force. Requests in progress finish with
//! what they started with; TLS settings apply to connections accepted after the reload.
//!
//! Read once at start, so changed only by a restart: the listen addresses, the database, the
//! pseudonym, log and ledger keys, the identity providers of the pages, the limits.

use std::sync::Arc;

use arc_swap::ArcSwap;
use policies::Register;

use crate::auth::tokens::TokenVerifier;
use crate::config::Config;
use crate::forward::Upstream;
use crate::metrics::{Metrics, OutcomeLabels};
use crate::state::AppState;
use crate::tls;

/// Puts a re-read configuration in force; see the module. It holds only what it swaps (never the
/// ledger writer, whose last handle going ends it at shutdown).
#[derive(Debug, Clone)]
pub struct Reloader {
    register: Arc<ArcSwap<Register>>,
    tokens: Arc<ArcSwap<TokenVerifier>>,
    upstream: Arc<Upstream>,
    metrics: Metrics,
    tls: Arc<ArcSwap<rustls::ServerConfig>>,
}

/// What a reload put in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// The register's version (its digest) now in force, and whether it changed.
    pub register_version: String,
    pub register_changed: bool,
    /// Partners with a token key now.
    pub partners: usize,
}

impl Reloader {
    pub fn new(state: &AppState, tls: Arc<ArcSwap<rustls::ServerConfig>>) -> Self {
        Self {
            register: state.current_register.clone(),
            tokens: state.current_tokens.clone(),
            upstream: state.upstream.clone(),
            metrics: state.metrics.clone(),
            tls,
        }
    }

    /// Checks `config` whole and, if it holds, puts it in force; otherwise keeps what is.
    pub fn reload(&self, config: &Config) -> anyhow::Result<Reloaded> {
        let outcome = self.prepare(config).map(|next| self.install(next));
        let label = if outcome.is_ok() {
            "accepted"
        } else {
            "refused"
        };
        self.count(label);
        match &outcome {
            Ok(done) => tracing::info!(
                register_version = %done.register_version,
                register_changed = done.register_changed,
                partners = done.partners,
                "reloaded: the register, token keys, certificates and CRLs now in force"
            ),
            Err(e) => tracing::error!(
                error = format!("{e:#}"),
                "reload refused: the register, keys and certificates in force stay"
            ),
        }
        outcome
    }

    fn count(&self, outcome: &str) {
        self.metrics
            .reloads
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    fn prepare(&self, config: &Config) -> anyhow::Result<Next> {
        config.connections.validate()?;
        let register = Arc::new(crate::app::load_register(&config.register)?);
        let (tokens, systems) = crate::app::partners_of(config, &register)?;
        let identity = tls::UpstreamIdentity::load(
            &config.tls.upstream_ca,
            &config.tls.client_cert,
            &config.tls.client_key,
        )?;
        let systems = Upstream::connect(&identity, systems, &config.upstream)?;
        let server = tls::server_config(&config.tls)?;
        let seconds_left = tls::seconds_left(&config.tls.server_cert)?;
        let partner_cas = tls::expiries(&config.tls.client_ca)?;
        Ok(Next {
            register,
            tokens,
            systems,
            server,
            seconds_left,
            partner_cas,
        })
    }

    fn install(&self, next: Next) -> Reloaded {
        let partners = next.tokens.partners();
        let before = self.register.load_full();
        let done = Reloaded {
            register_changed: before.version != next.register.version,
            register_version: next.register.version.clone(),
            partners,
        };
        self.register.store(next.register);
        self.tokens.store(Arc::new(next.tokens));
        self.upstream.install(next.systems);
        self.tls.store(next.server);
        self.metrics.certificate_seconds_left.set(next.seconds_left);
        self.metrics.partner_cas(&next.partner_cas);
        done
    }
}

/// Everything a reload puts in force, built and checked before any of it is.
struct Next {
    register: Arc<Register>,
    tokens: TokenVerifier,
    systems: crate::forward::Systems,
    server: Arc<rustls::ServerConfig>,
    seconds_left: i64,
    partner_cas: Vec<(String, i64)>,
}

/// Reloads from `path` on every `SIGHUP` until the process ends.
pub fn on_sighup(reloader: Reloader, path: std::path::PathBuf) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match Config::load(&path) {
                Ok(config) => {
                    let _ = reloader.reload(&config);
                }
                Err(e) => {
                    reloader.count("refused");
                    tracing::error!(
                        error = format!("{e:#}"),
                        "reload refused: the configuration cannot be read"
                    );
                }
            }
        }
    });
    Ok(())
}
