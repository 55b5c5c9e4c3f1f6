//! Start-up: everything built once from the configuration, then served on a bound listener until a
//! shutdown future resolves, so tests start the real server on port 0.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use arc_swap::ArcSwap;
use consent::{Clock, LedgerWriter, Log, Pseudonymizer, SystemClock};
use policies::Register;
use tokio::net::TcpListener;

use crate::auth::tokens::TokenVerifier;
use crate::config::{Config, ConnectionLimits};
use crate::forward::{PartnerSystem, Upstream};
use crate::ratelimit::RateLimits;
use crate::state::AppState;
use crate::{routes, server, tls};

#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    metrics_listener: TcpListener,
    tls: Arc<ArcSwap<rustls::ServerConfig>>,
    router: axum::Router,
    connections: ConnectionLimits,
    state: AppState,
    tasks: BackgroundTasks,
}

/// Tasks the application started and stops with it.
#[derive(Debug)]
struct BackgroundTasks {
    ledger: tokio::task::JoinHandle<()>,
    pruning: tokio::task::JoinHandle<()>,
    purge: tokio::task::JoinHandle<()>,
    notifier: Option<tokio::task::JoinHandle<()>>,
}

/// Reads and checks the register; an invalid one is refused with every problem and its line.
pub fn load_register(path: &Path) -> anyhow::Result<Register> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read register {}", path.display()))?;
    match Register::from_toml(&text) {
        Ok(register) => Ok(register),
        Err(policies::RegisterError::Invalid(problems)) => {
            bail!("{}", register_problems(path, &text, &problems))
        }
        Err(e) => Err(e).with_context(|| format!("register {}", path.display())),
    }
}

/// Each problem on a line of its own, prefixed with `FILE:LINE:` where its entry is.
pub fn register_problems(path: &Path, text: &str, problems: &[policies::Problem]) -> String {
    let mut out = format!(
        "register {} has {} problem(s):",
        path.display(),
        problems.len()
    );
    for p in problems {
        let at = policies::line_of(text, p.table, &p.id).map_or_else(
            || path.display().to_string(),
            |n| format!("{}:{n}", path.display()),
        );
        out.push_str(&format!("\n  {at}: {p}"));
    }
    out
}

/// What the configuration says of the partners, checked against `register`: the token keys
/// (theirs and the citizen identity provider's) and the systems the gateway calls. At start and
/// at every reload.
pub fn partners_of(
    config: &Config,
    register: &Register,
) -> anyhow::Result<(TokenVerifier, HashMap<String, PartnerSystem>)> {
    for id in &config.audit.city_wide {
        if register.partner(id).is_none() {
            bail!("[audit] city_wide names partner '{id}', which the register does not know");
        }
    }
    let mut partner_keys = HashMap::new();
    let mut systems = HashMap::new();
    for (id, partner) in &config.partners {
        let Some(registered) = register.partner(id) else {
            bail!("the configuration names partner '{id}', which the register does not know");
        };
        partner_keys.insert(
            id.clone(),
            TokenVerifier::read_public_key(&partner.token_key)?,
        );
        if let Some(endpoint) = &partner.endpoint {
            let system = PartnerSystem {
                endpoint: endpoint.clone(),
                oin: registered.oin.clone(),
            };
            systems.insert(id.clone(), system);
        }
    }
    let tokens = TokenVerifier::new(
        config.audience.clone(),
        partner_keys,
        config.citizen_idp.issuer.clone(),
        TokenVerifier::read_public_key(&config.citizen_idp.key)?,
        config.tokens.max_lifetime_secs.get(),
    );
    Ok((tokens, systems))
}

impl Application {
    /// Binds `config.listen` and builds with the system clock.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let listener = crate::server::listen(config.listen, config.connections.backlog)
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        Self::build_with(config, listener, Arc::new(SystemClock)).await
    }

    pub async fn build_with(
        config: &Config,
        listener: TcpListener,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        config.connections.validate()?;
        let register = Arc::new(load_register(&config.register)?);
        let (tokens, systems) = partners_of(config, &register)?;
        let pseudonyms =
            Pseudonymizer::new(&config.pseudonym_key()?.0).map_err(anyhow::Error::msg)?;
        let store = consent::connect(config.database_url.expose(), config.ledger_key()?)
            .await
            .context("cannot open the database")?;
        let upstream_identity = tls::UpstreamIdentity::load(
            &config.tls.upstream_ca,
            &config.tls.client_cert,
            &config.tls.client_key,
        )?;
        let metrics = crate::metrics::Metrics::new();
        let limits = RateLimits::new(&config.rate_limit, metrics.rate_limits_unavailable.clone())?;
        let pruning = limits.start_pruning();
        let log = Arc::new(
            Log::open(store.clone(), config.log_signer()?, clock.clone())
                .await
                .context("the ledger does not match its signed log")?,
        );
        // A checkpoint of the ledger as it is at start, so there always is one to prove against.
        log.checkpoint()
            .await
            .context("cannot sign a checkpoint of the ledger")?;
        let (ledger, ledger_task) = LedgerWriter::spawn_observed(
            store.clone(),
            Some(log.clone()),
            consent::Batching::default(),
            Some(metrics.ledger_observer()),
        );
        let current_register = Arc::new(ArcSwap::new(register.clone()));
        let purge = crate::retention::start_purge(
            store.clone(),
            log.clone(),
            current_register.clone(),
            clock.clone(),
            std::time::Duration::from_secs(config.ledger.purge_interval_secs.get()),
        );
        let upstream = Arc::new(Upstream::new(
            &upstream_identity,
            systems,
            &config.upstream,
        )?);
        let notifier = match &config.notifications.signing_key_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read notification key {}", path.display()))?;
                let signer = crate::notify::NotifySigner::from_hex(&text)
                    .with_context(|| format!("notification key {}", path.display()))?;
                Some(Arc::new(crate::notify::Notifier::new(
                    store.clone(),
                    upstream.clone(),
                    clock.clone(),
                    signer,
                    config.notifications.clone(),
                )))
            }
            None => {
                tracing::warn!(
                    "no [notifications] signing_key_file: partner systems are not notified of revocations (they can poll /v1/consents/changes)"
                );
                None
            }
        };
        let notifier_task = notifier.clone().map(crate::notify::Notifier::start);
        let logins = Arc::new(crate::auth::Logins::new(config, &register)?);
        metrics
            .certificate_seconds_left
            .set(tls::seconds_left(&config.tls.server_cert)?);
        metrics.partner_cas(&tls::expiries(&config.tls.client_ca)?);
        let metrics_listener = TcpListener::bind(config.metrics.listen)
            .await
            .with_context(|| format!("cannot listen for metrics on {}", config.metrics.listen))?;
        let state = AppState {
            metrics,
            notifier,
            limits,
            current_register,
            ledger,
            log,
            store,
            pseudonyms: Arc::new(pseudonyms),
            current_tokens: Arc::new(arc_swap::ArcSwap::from_pointee(tokens)),
            upstream,
            clock,
            consent: config.consent,
            audit: Arc::new(config.audit.clone()),
            policy: config.policy,
            portal: Arc::new(config.portal.clone()),
            logins,
        };
        Ok(Self {
            listener,
            metrics_listener,
            tls: Arc::new(ArcSwap::new(tls::server_config(&config.tls)?)),
            router: routes::with_layers(
                routes::router().merge(crate::portal::router()),
                state.clone(),
            ),
            connections: config.connections.clone(),
            state,
            tasks: BackgroundTasks {
                ledger: ledger_task,
                pruning,
                purge,
                notifier: notifier_task,
            },
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Where `/metrics` is served.
    pub fn metrics_addr(&self) -> SocketAddr {
        self.metrics_listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What `SIGHUP` calls: re-reads what may change while serving (see `reload`).
    pub fn reloader(&self) -> crate::reload::Reloader {
        crate::reload::Reloader::new(&self.state, self.tls.clone())
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests, then stops the background
    /// tasks: the ledger writer once it has committed every queued write, the limiter pruning at once.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) {
        tracing::info!(addr = %self.local_addr(), metrics = %self.metrics_addr(), "gateway listening");
        let Self {
            listener,
            metrics_listener,
            tls,
            router,
            connections,
            state,
            tasks,
        } = self;
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        let metrics = tokio::spawn(crate::metrics::serve(
            metrics_listener,
            state.clone(),
            async {
                let _ = metrics_stopped.await;
            },
        ));
        server::serve(listener, tls, router, connections, shutdown).await;
        let _ = stop_metrics.send(());
        let _ = metrics.await;
        // The router's copies of the state went with the server; this is the last handle.
        drop(state);
        tasks.pruning.abort();
        // An erasure step cut short rolls back; the next start's purge does it again.
        tasks.purge.abort();
        // A delivery cut short is retried when its lease ends.
        if let Some(notifier) = tasks.notifier {
            notifier.abort();
        }
        if let Err(e) = tasks.ledger.await {
            tracing::error!(error = %e, "the ledger writer did not stop cleanly");
        }
        tracing::info!("gateway stopped");
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
