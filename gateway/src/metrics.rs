//! What an operations team scrapes: Prometheus metrics (text format 0.0.4, `prometheus-client`) at
//! `GET /metrics` on a listener of its own (`[metrics] listen`, loopback by default), never on the
//! partners' port. Counted where it happens: requests by route and status, decisions by outcome and
//! the vuistregels that denied them, ledger commits (latency), calls to partner systems (latency and
//! failures by partner), rate-limit rejections by whose limit; read at each scrape: the age of the
//! latest signed checkpoint and the ledger's size; set at start: how long the gateway's own
//! certificate has left. No label ever holds a BSN, a token, a professional or a payload: routes
//! are the matched templates, partners the register's ids.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VuistregelLabels {
    pub vuistregel: u8,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartnerLabels {
    pub partner: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FailureLabels {
    pub partner: String,
    /// `timeout`, `unreachable` or `bad_answer`.
    pub kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConnectionLabels {
    /// `in_use` or `idle`.
    pub state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CaLabels {
    /// The CA certificate's subject (its distinguished name).
    pub ca: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// Whose limit: `professional`, `organisation` or `amsterdammer`.
    pub limit: String,
}

/// Latency buckets from 1 ms to about 16 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The ledger's group commits: their size and time.
#[derive(Debug, Clone)]
struct LedgerMetrics {
    writes: Histogram,
    seconds: Histogram,
}

impl consent::BatchObserver for LedgerMetrics {
    fn committed(&self, writes: usize, took: Duration) {
        self.writes.observe(writes as f64);
        self.seconds.observe(took.as_secs_f64());
    }
}

/// Every metric, registered once; cheap to clone (each is an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub decisions: Family<OutcomeLabels, Counter>,
    pub denials: Family<VuistregelLabels, Counter>,
    pub commit_seconds: Histogram,
    pub upstream_seconds: Family<PartnerLabels, Histogram, fn() -> Histogram>,
    pub upstream_failures: Family<FailureLabels, Counter>,
    pub rate_limited: Family<LimitLabels, Counter>,
    pub rate_limits_unavailable: Counter,
    pub reloads: Family<OutcomeLabels, Counter>,
    checkpoint_age: Gauge,
    ledger_size: Gauge,
    db_connections: Family<ConnectionLabels, Gauge>,
    ledger: LedgerMetrics,
    ledger_queue: Gauge,
    /// Per CA of `[tls] client_ca` (the partners' CAs), by subject; set at start and each reload.
    pub partner_ca_seconds_left: Family<CaLabels, Gauge>,
    pub certificate_seconds_left: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gateway");
        let m = Self {
            registry: Arc::default(),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(latency),
            decisions: Family::default(),
            denials: Family::default(),
            commit_seconds: latency(),
            upstream_seconds: Family::new_with_constructor(latency),
            upstream_failures: Family::default(),
            rate_limited: Family::default(),
            rate_limits_unavailable: Counter::default(),
            reloads: Family::default(),
            checkpoint_age: Gauge::default(),
            ledger_size: Gauge::default(),
            db_connections: Family::default(),
            ledger: LedgerMetrics {
                writes: Histogram::new(exponential_buckets(1.0, 2.0, 10)),
                seconds: latency(),
            },
            ledger_queue: Gauge::default(),
            partner_ca_seconds_left: Family::default(),
            certificate_seconds_left: Gauge::default(),
        };
        let r = &mut registry;
        r.register(
            "http_requests",
            "Requests answered, by route template and status",
            m.requests.clone(),
        );
        r.register(
            "http_request_seconds",
            "Time to answer a request, by route template",
            m.request_seconds.clone(),
        );
        r.register(
            "decisions",
            "Exchange and delivery decisions, by outcome",
            m.decisions.clone(),
        );
        r.register(
            "denials_by_vuistregel",
            "Denied requests, by each vuistregel that stopped them",
            m.denials.clone(),
        );
        r.register(
            "ledger_commit_seconds",
            "Time from a disclosure's decision to its durable ledger entry",
            m.commit_seconds.clone(),
        );
        r.register(
            "upstream_seconds",
            "Calls to partner systems, by partner",
            m.upstream_seconds.clone(),
        );
        r.register(
            "upstream_failures",
            "Calls to partner systems that failed, by partner and kind",
            m.upstream_failures.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused 429, by whose limit",
            m.rate_limited.clone(),
        );
        r.register(
            "rate_limits_unavailable",
            "Rate-limit checks the shared store (Redis) did not answer: partners refused 503, Amsterdammers held to this replica's own limit",
            m.rate_limits_unavailable.clone(),
        );
        r.register(
            "reloads",
            "Reloads (SIGHUP) of the register, token keys, certificates and CRLs, by outcome: accepted, or refused with the old set kept",
            m.reloads.clone(),
        );
        r.register(
            "checkpoint_age_seconds",
            "Age of the latest signed checkpoint",
            m.checkpoint_age.clone(),
        );
        r.register(
            "ledger_entries",
            "Entries in the ledger (the public log's size)",
            m.ledger_size.clone(),
        );
        r.register(
            "ledger_batch_writes",
            "Writes in each group commit of the ledger",
            m.ledger.writes.clone(),
        );
        r.register(
            "ledger_batch_seconds",
            "Time of each group commit with its signed checkpoint",
            m.ledger.seconds.clone(),
        );
        r.register(
            "ledger_queue",
            "Ledger writes waiting for the writer (read at each scrape)",
            m.ledger_queue.clone(),
        );
        r.register(
            "db_connections",
            "The request pool's database connections (read at each scrape): in_use or idle",
            m.db_connections.clone(),
        );
        r.register(
            "partner_ca_seconds_left",
            "Seconds until each partners' CA certificate of [tls] client_ca expires, by subject",
            m.partner_ca_seconds_left.clone(),
        );
        r.register(
            "certificate_seconds_left",
            "Seconds until the gateway's own server certificate expires",
            m.certificate_seconds_left.clone(),
        );
        Self {
            registry: Arc::new(registry),
            ..m
        }
    }

    /// What the ledger writer tells of its group commits.
    pub fn ledger_observer(&self) -> Arc<dyn consent::BatchObserver> {
        Arc::new(self.ledger.clone())
    }

    /// Sets the partner CAs' expiry, forgetting CAs no longer configured.
    pub fn partner_cas(&self, expiries: &[(String, i64)]) {
        self.partner_ca_seconds_left.clear();
        for (ca, left) in expiries {
            self.partner_ca_seconds_left
                .get_or_create(&CaLabels { ca: ca.clone() })
                .set(*left);
        }
    }

    /// The exposition, after reading what is read at each scrape.
    async fn exposition(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        if let Ok(Some(latest)) = state.log.latest().await {
            let age = state.clock.now() - latest.signed_at;
            self.checkpoint_age.set(age.num_seconds().max(0));
            self.ledger_size
                .set(i64::try_from(latest.size).unwrap_or(i64::MAX));
        }
        self.ledger_queue
            .set(i64::try_from(state.ledger.queued()).unwrap_or(i64::MAX));
        let (open, idle) = state.store.pool_use();
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        for (use_, n) in [("in_use", i64::from(open) - idle), ("idle", idle)] {
            self.db_connections
                .get_or_create(&ConnectionLabels {
                    state: use_.to_owned(),
                })
                .set(n.max(0));
        }
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(state);
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(error = %e, "the metrics listener stopped");
    }
}

async fn scrape(State(state): State<AppState>) -> Response {
    match state.metrics.exposition(&state).await {
        Ok(text) => {
            let mut response = text.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

impl Metrics {
    /// Runs a call to `partner`'s system, counting its latency and, if it fails, how.
    pub async fn upstream<T>(
        &self,
        partner: &str,
        call: impl std::future::Future<Output = Result<T, crate::forward::ForwardError>>,
    ) -> Result<T, crate::forward::ForwardError> {
        use crate::forward::ForwardError;
        let started = std::time::Instant::now();
        let result = call.await;
        let labels = PartnerLabels {
            partner: partner.to_owned(),
        };
        self.upstream_seconds
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        if let Err(e) = &result {
            let kind = match e {
                ForwardError::TimedOut(_) => "timeout",
                ForwardError::NoEndpoint(_) | ForwardError::Unreachable(_) => "unreachable",
                ForwardError::Status(_) | ForwardError::Malformed(_) => "bad_answer",
            };
            self.upstream_failures
                .get_or_create(&FailureLabels {
                    partner: labels.partner,
                    kind: kind.to_owned(),
                })
                .inc();
        }
        result
    }

    /// One request answered.
    pub fn answered(&self, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                status,
            })
            .inc();
        self.request_seconds
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// One decision, with the vuistregels that denied it.
    pub fn decided(&self, outcome: consent::Outcome, vuistregels: impl IntoIterator<Item = u8>) {
        self.decisions
            .get_or_create(&OutcomeLabels {
                outcome: outcome.as_str().to_owned(),
            })
            .inc();
        for vuistregel in vuistregels {
            self.denials
                .get_or_create(&VuistregelLabels { vuistregel })
                .inc();
        }
    }

    /// One request over a rate limit (`professional`, `organisation`, `amsterdammer`).
    pub fn limited(&self, limit: &str) {
        self.rate_limited
            .get_or_create(&LimitLabels {
                limit: limit.to_owned(),
            })
            .inc();
    }
}

/// Seconds from now until `not_after`.
pub fn seconds_until(not_after: i64) -> i64 {
    not_after - chrono::Utc::now().timestamp()
}
