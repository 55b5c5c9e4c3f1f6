//! Test harness: starts the real gateway (the same `Application` the binary runs) on port 0 with a
//! fresh database, a generated dev PKI and a sample system per partner, and gives real HTTPS clients
//! with and without client certificates. `Db::Postgres` creates a fresh database from `DATABASE_URL`.
#![forbid(unsafe_code)]

mod answers;
mod calls;
mod db;
pub mod raw;
pub mod redis;
mod web;

pub use answers::{key_set, send, set_of, string_set, vuistregels};
pub use db::{Db, TestDb};
pub use web::{Answer, Visitor};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use gateway::Application;
pub use gateway::config::{Config, ConnectionLimits};
use gateway::demo::{DEMO_REGISTER, dev_config, start_sample_systems};
use gateway::pki::{self, PkiLayout};
pub use gateway::ratelimit::RateLimitConfig;
pub use gateway::sample::{Behaviour, SampleSystem};
use policies::Register;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A valid test BSN (passes the 11-proef).
pub const BSN: &str = "111222333";
/// Another valid test BSN.
pub const OTHER_BSN: &str = "123456782";

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    /// Where the gateway listens (127.0.0.1, port 0 resolved).
    pub addr: SocketAddr,
    /// Where it serves `/metrics` (plain HTTP, 127.0.0.1).
    pub metrics_addr: SocketAddr,
    pub pki: PkiLayout,
    /// The configuration it was built with (for what an operator runs beside it, e.g. `gateway erase`).
    pub config: Config,
    pub register: Arc<Register>,
    pub db: TestDb,
    pub systems: Vec<SampleSystem>,
    /// What `SIGHUP` calls in `gateway serve` (a signal would reach every gateway of the test run).
    reloader: gateway::reload::Reloader,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    _dir: TempDir,
}

impl TestApp {
    /// The gateway with well-behaved sample systems; `None` if PostgreSQL tests are skipped.
    pub async fn spawn(db: Db) -> Option<Self> {
        Self::spawn_with(db, |_| Behaviour::Normal, &[]).await
    }

    /// `behaviour` per partner id; partners in `offline` get an endpoint where nothing listens.
    pub async fn spawn_with(
        db: Db,
        behaviour: impl Fn(&str) -> Behaviour,
        offline: &[&str],
    ) -> Option<Self> {
        let clock = Arc::new(consent::SystemClock);
        Self::launch(db, behaviour, offline, clock, |_, _| {}).await
    }

    /// As [`TestApp::spawn_with`], with a configuration `configure` may change before start.
    pub async fn spawn_with_configured(
        db: Db,
        behaviour: impl Fn(&str) -> Behaviour,
        configure: impl FnOnce(&mut Config, &PkiLayout),
    ) -> Option<Self> {
        let clock = Arc::new(consent::SystemClock);
        Self::launch(db, behaviour, &[], clock, configure).await
    }

    /// The gateway with well-behaved sample systems and a configuration `configure` may change
    /// before start (e.g. point a partner's endpoint at another partner's system, or add a CRL made
    /// with `pki::revoke`). The endpoints in `config.partners` are already filled in.
    pub async fn spawn_configured(
        db: Db,
        configure: impl FnOnce(&mut Config, &PkiLayout),
    ) -> Option<Self> {
        let clock = Arc::new(consent::SystemClock);
        Self::launch(db, |_| Behaviour::Normal, &[], clock, configure).await
    }

    /// The gateway on a clock the test moves (expiry, retention).
    pub async fn spawn_with_clock(db: Db, clock: Arc<consent::FixedClock>) -> Option<Self> {
        Self::launch(db, |_| Behaviour::Normal, &[], clock, |_, _| {}).await
    }

    /// The gateway on a clock the test moves, with its configuration changed by `configure`.
    pub async fn spawn_with_clock_configured(
        db: Db,
        clock: Arc<consent::FixedClock>,
        configure: impl FnOnce(&mut Config, &PkiLayout),
    ) -> Option<Self> {
        Self::launch(db, |_| Behaviour::Normal, &[], clock, configure).await
    }

    /// The gateway with the given rate limits.
    pub async fn spawn_with_rate_limit(db: Db, rate_limit: RateLimitConfig) -> Option<Self> {
        Self::spawn_with_config(db, |config| config.rate_limit = rate_limit).await
    }

    /// The gateway with its configuration changed by `configure` before it is built (it starts from
    /// the development configuration with generous rate limits).
    pub async fn spawn_with_config(db: Db, configure: impl FnOnce(&mut Config)) -> Option<Self> {
        Self::spawn_configured(db, |config, _| configure(config)).await
    }

    async fn launch(
        db: Db,
        behaviour: impl Fn(&str) -> Behaviour,
        offline: &[&str],
        clock: Arc<dyn consent::Clock>,
        configure: impl FnOnce(&mut Config, &PkiLayout),
    ) -> Option<Self> {
        let dir = TempDir::new().expect("temp dir");
        let db = TestDb::create(db, dir.path()).await?;
        let register_path = dir.path().join("register.toml");
        std::fs::write(&register_path, DEMO_REGISTER).expect("write register");
        let register = Arc::new(Register::from_toml(DEMO_REGISTER).expect("demo register"));
        let pki = pki::generate(&dir.path().join("pki"), &register).expect("dev pki");
        let systems = start_sample_systems(&pki, &register, behaviour)
            .await
            .expect("sample systems");
        let mut endpoints: BTreeMap<String, String> = systems
            .iter()
            .map(|s| (s.partner_id.clone(), s.url.clone()))
            .collect();
        for id in offline {
            // A port that was just free: nothing answers there.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port());
            endpoints.insert(
                (*id).to_owned(),
                format!("https://127.0.0.1:{}", port.expect("free port")),
            );
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = dev_config(
            &pki,
            register_path,
            &register,
            db.url.clone(),
            addr,
            &endpoints,
        );
        config.rate_limit = generous_rate_limit();
        configure(&mut config, &pki);
        let app = Application::build_with(&config, listener, clock)
            .await
            .expect("gateway builds");
        let metrics_addr = app.metrics_addr();
        let reloader = app.reloader();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let test_app = Self {
            base: format!("https://localhost:{}", addr.port()),
            addr,
            metrics_addr,
            pki,
            config,
            register,
            db,
            systems,
            reloader,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        };
        let ready = test_app
            .public()
            .get(test_app.url("/readyz"))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200, "gateway not ready");
        Some(test_app)
    }

    /// Reloads the gateway with `config`, as `SIGHUP` does with the file it reads.
    pub fn reload(&self, config: &Config) -> anyhow::Result<gateway::reload::Reloaded> {
        self.reloader.reload(config)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the gateway (draining in-flight requests); a PostgreSQL test database is dropped with
    /// the app (also when a test panics before it gets here).
    pub async fn stop(mut self) {
        self.stop_server().await;
    }

    /// Another replica of this gateway: on the same database, with the same pseudonym, log and
    /// ledger keys (so it serves the same log, sessions and pseudonyms).
    pub async fn replica(&self, db: Db) -> TestApp {
        self.replica_with(db, |_| {}).await
    }

    /// As [`TestApp::replica`], with its configuration changed by `configure` first.
    pub async fn replica_with(&self, db: Db, configure: impl FnOnce(&mut Config)) -> TestApp {
        let (url, pseudonym_key, log_key, ledger_key) = (
            self.db.url.clone(),
            self.pki.pseudonym_key(),
            self.pki.log_key(),
            self.pki.ledger_key(),
        );
        Self::spawn_configured(db, move |config, _| {
            config.database_url = gateway::config::DatabaseUrl::new(url);
            config.pseudonym_key_file = pseudonym_key;
            config.log_signing_key_file = log_key;
            config.ledger.key_file = Some(ledger_key);
            configure(config);
        })
        .await
        .expect("the replica starts")
    }

    /// The ledger's key-encryption key of this gateway (its dev PKI's).
    pub fn ledger_key(&self) -> consent::Kek {
        let text = std::fs::read_to_string(self.pki.ledger_key()).expect("the ledger key");
        consent::Kek::from_hex(&text).expect("a ledger key")
    }

    /// Shuts the gateway down as SIGTERM does (draining in-flight requests); the database stays.
    pub async fn stop_server(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

/// Tests and the load generator drive many requests as one professional and one organisation; the
/// rate limits have their own tests (`TestApp::spawn_with_rate_limit`).
pub fn generous_rate_limit() -> RateLimitConfig {
    let many = NonZeroU32::new(100_000).expect("non-zero");
    RateLimitConfig {
        per_second: many,
        burst: many,
        organisation_per_second: many,
        organisation_burst: many,
        ..RateLimitConfig::default()
    }
}

/// Runs an async test body on SQLite and on PostgreSQL: `both_databases!(name, |app| async { .. })`
/// becomes `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$body($crate::Db::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$body($crate::Db::Postgres).await;
                }
            )*
        }
    };
}
