//! Test harness: starts the real gateway (the same `Application` the binary runs) on port 0 with a
//! fresh database, a generated dev PKI and a sample system per partner, and gives real HTTPS clients
//! with and without client certificates. `Db::Postgres` creates a fresh database from `DATABASE_URL`.
#![forbid(unsafe_code)]

pub mod raw;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{Duration, Utc};
use gateway::Application;
use gateway::auth::tokens;
pub use gateway::config::{Config, ConnectionLimits};
use gateway::demo::{
    DEFAULT_AUDIENCE, DEMO_REGISTER, DEV_CITIZEN_ISSUER, dev_config, start_sample_systems,
};
use gateway::pki::{self, PkiLayout};
pub use gateway::ratelimit::RateLimitConfig;
pub use gateway::sample::{Behaviour, SampleSystem};
use policies::Register;
use serde_json::{Value, json};
use sqlx::Connection;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A valid test BSN (passes the 11-proef).
pub const BSN: &str = "111222333";
/// Another valid test BSN.
pub const OTHER_BSN: &str = "123456782";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The database a test runs on; a PostgreSQL one is dropped when the test ends.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub sqlite_file: Option<std::path::PathBuf>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// `None` when PostgreSQL tests are skipped (SKIP_POSTGRES=1).
    pub async fn create(kind: Db, dir: &std::path::Path) -> Option<Self> {
        match kind {
            Db::Sqlite => {
                let file = dir.join("gateway.db");
                Some(Self {
                    url: format!("sqlite:{}", file.display()),
                    sqlite_file: Some(file),
                    pg: None,
                })
            }
            Db::Postgres => {
                let Ok(admin) = std::env::var("DATABASE_URL") else {
                    if std::env::var("SKIP_POSTGRES").as_deref() == Ok("1") {
                        eprintln!("PostgreSQL test skipped: SKIP_POSTGRES=1");
                        return None;
                    }
                    panic!(
                        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the PostgreSQL tests \
                         (or SKIP_POSTGRES=1 to skip them)"
                    );
                };
                let name = format!("gw_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let url = with_database(&admin, &name);
                Some(Self {
                    url,
                    sqlite_file: None,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    /// Drops a PostgreSQL test database (best effort).
    pub async fn drop_database(&self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    /// Where the gateway listens (127.0.0.1, port 0 resolved).
    pub addr: SocketAddr,
    pub pki: PkiLayout,
    pub register: Arc<Register>,
    pub db: TestDb,
    pub systems: Vec<SampleSystem>,
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
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let test_app = Self {
            base: format!("https://localhost:{}", addr.port()),
            addr,
            pki,
            register,
            db,
            systems,
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

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An HTTPS client that presents `partner`'s client certificate.
    pub fn partner(&self, partner: &str) -> reqwest::Client {
        let tls = gateway::tls::client_config(
            &self.pki.ca(),
            &self.pki.partner_cert(partner),
            &self.pki.partner_key(partner),
        )
        .expect("partner tls");
        client(tls)
    }

    /// An HTTPS client without a client certificate (an Amsterdammer's browser, the public).
    pub fn public(&self) -> reqwest::Client {
        client(gateway::tls::anonymous_client_config(&self.pki.ca()).expect("public tls"))
    }

    /// As [`TestApp::public`], speaking HTTP/2 (the other clients speak HTTP/1.1).
    pub fn public_http2(&self) -> reqwest::Client {
        let mut tls = gateway::tls::anonymous_client_config(&self.pki.ca()).expect("public tls");
        tls.alpn_protocols = vec![b"h2".to_vec()];
        reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .http2_prior_knowledge()
            .build()
            .expect("client")
    }

    pub fn partner_token(&self, partner: &str, sub: &str, role: &str) -> String {
        let claims = tokens::partner_claims(
            partner,
            sub,
            role,
            DEFAULT_AUDIENCE,
            Utc::now(),
            Duration::minutes(10),
        );
        self.sign_partner(partner, &serde_json::to_value(claims).expect("claims"))
    }

    /// Signs arbitrary claims with `partner`'s token key (for malformed-token tests).
    pub fn sign_partner(&self, partner: &str, claims: &Value) -> String {
        let key = std::fs::read(self.pki.partner_token_key(partner)).expect("token key");
        tokens::sign(claims, &key).expect("sign")
    }

    pub fn citizen_token(&self, bsn: &str) -> String {
        let claims = tokens::citizen_claims(
            DEV_CITIZEN_ISSUER,
            bsn,
            DEFAULT_AUDIENCE,
            Utc::now(),
            Duration::minutes(10),
        );
        let key = std::fs::read(self.pki.citizen_idp_key()).expect("idp key");
        tokens::sign(&claims, &key).expect("sign")
    }

    /// POSTs JSON as a professional of `partner` (certificate + token); returns status and body.
    pub async fn post_as(
        &self,
        partner: &str,
        role: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let token = self.partner_token(partner, "prof-1", role);
        let response = self
            .partner(partner)
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GET as the Amsterdammer with `bsn`.
    pub async fn get_as_citizen(&self, bsn: &str, path: &str) -> (u16, Value) {
        let response = self
            .public()
            .get(self.url(path))
            .bearer_auth(self.citizen_token(bsn))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Records a consent through the API as a buurtteam regievoerder; returns its id.
    pub async fn record_consent(
        &self,
        bsn: &str,
        recipients: &[&str],
        activities: &[&str],
        categories: &[&str],
    ) -> String {
        let body = json!({
            "subject_bsn": bsn,
            "recipients": recipients,
            "activities": activities,
            "categories": categories,
            "valid_until": (Utc::now() + Duration::days(365)).to_rfc3339(),
            "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
        });
        let (status, consent) = self
            .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
            .await;
        assert_eq!(status, 201, "consent not recorded: {consent}");
        consent["id"].as_str().expect("consent id").to_owned()
    }

    /// GET as a professional of `partner` (certificate + token); returns status and body.
    pub async fn get_as(&self, partner: &str, role: &str, path: &str) -> (u16, Value) {
        let token = self.partner_token(partner, "prof-1", role);
        send(self.partner(partner).get(self.url(path)).bearer_auth(token)).await
    }

    /// POSTs (without a body) as the Amsterdammer with `bsn`, e.g. to revoke a consent.
    pub async fn post_as_citizen(&self, bsn: &str, path: &str) -> (u16, Value) {
        send(
            self.public()
                .post(self.url(path))
                .bearer_auth(self.citizen_token(bsn)),
        )
        .await
    }

    /// The public register (`GET /v1/register`).
    pub async fn register_json(&self) -> Value {
        let (status, body) = send(self.public().get(self.url("/v1/register"))).await;
        assert_eq!(status, 200, "register: {body}");
        body
    }

    pub fn system(&self, partner: &str) -> &SampleSystem {
        self.systems
            .iter()
            .find(|s| s.partner_id == partner)
            .expect("sample system")
    }

    /// A database connection to inspect what the gateway stored.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db.sqlite_file {
            Some(_) => {
                let mut c = sqlx::SqliteConnection::connect(&self.db.url)
                    .await
                    .expect("sqlite");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
            None => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.expect("pg");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
        }
    }

    /// Stops the gateway (draining in-flight requests) and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        self.stop_server().await;
        self.db.drop_database().await;
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

/// Sends a request; returns its status and JSON body (`Null` when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The vuistregels named in a `403 denied` body's violations.
pub fn vuistregels(body: &Value) -> Vec<u64> {
    body["error"]["violations"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["vuistregel"].as_u64()).collect())
        .unwrap_or_default()
}

/// A JSON array of strings as a set (panics on anything else).
pub fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_owned()
        })
        .collect()
}

/// The keys of a JSON object as a set (panics on anything else).
pub fn key_set(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

/// Owned strings, for comparing with [`string_set`] and [`key_set`].
pub fn set_of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
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
    }
}

fn client(tls: rustls::ClientConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_database_url_keeps_host_and_options() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "y"),
            "postgres://h/y?sslmode=disable"
        );
    }
}
