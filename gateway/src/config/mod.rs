//! Configuration: defaults, then a TOML file, then environment variables (`DATABASE_URL`,
//! `GATEWAY_LISTEN`, `GATEWAY_LOG_FORMAT`, `GATEWAY_LEDGER_KEY`, `GATEWAY_RATE_LIMIT_REDIS`).
//! Validated at start; relative paths in the file are taken from the file's own directory.
//! Secrets are wrapped so `Debug` prints `[redacted]`.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod keys;
mod ledger;
mod limits;
mod pages;

pub use ledger::{LedgerConfig, NotificationConfig};
pub use limits::{
    BODY_LIMIT, ConnectionLimits, ConsentConfig, LINGER_BYTES, LINGER_TIME, MAX_HEADER_BYTES,
    MAX_HEADERS, MAX_IDLE_TIMEOUT_SECS, PolicyConfig, TokenConfig, UpstreamConfig,
};
pub use pages::{AuditConfig, CitizenIdpConfig, PortalConfig, ProviderConfig};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_database_url")]
    pub database_url: DatabaseUrl,
    /// The verwerkingsregister (TOML).
    pub register: PathBuf,
    /// The `aud` every token must carry.
    #[serde(default = "default_audience")]
    pub audience: String,
    /// File holding the pseudonym key (at least 32 bytes, hex).
    pub pseudonym_key_file: PathBuf,
    /// File holding the log's checkpoint signing key (signed-note signer form,
    /// `PRIVATE+KEY+<origin>+<hash>+<key>`); the same on every replica. Its name is the log's origin.
    pub log_signing_key_file: PathBuf,
    /// The ledger's key-encryption key and retention purge.
    #[serde(default)]
    pub ledger: LedgerConfig,
    #[serde(default)]
    pub log_format: LogFormat,
    /// Per professional, per organisation and per Amsterdammer; see `ratelimit`.
    #[serde(default)]
    pub rate_limit: crate::ratelimit::RateLimitConfig,
    /// Rules for recording toestemmingsverklaringen.
    #[serde(default)]
    pub consent: ConsentConfig,
    #[serde(default)]
    pub tokens: TokenConfig,
    /// Timeouts and limits of every connection; see `server`.
    #[serde(default)]
    pub connections: ConnectionLimits,
    /// Calls to partner systems: their deadline and how many may be open to one system.
    #[serde(default)]
    pub upstream: UpstreamConfig,
    /// Where `/metrics` is served (its own listener, loopback by default).
    #[serde(default)]
    pub metrics: MetricsConfig,
    pub tls: TlsConfig,
    pub citizen_idp: CitizenIdpConfig,
    /// Per partner id of the register: where its system answers and the key its tokens are signed with.
    #[serde(default)]
    pub partners: BTreeMap<String, PartnerConfig>,
    /// Signed notifications to partner systems when a consent stops covering anything.
    #[serde(default)]
    pub notifications: NotificationConfig,
    /// Privacy officers: whose officers see the whole city's traffic.
    #[serde(default)]
    pub audit: AuditConfig,
    /// How the vuistregels are applied where a deployment may choose.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// The Amsterdammer's pages (`/mijn`).
    #[serde(default)]
    pub portal: PortalConfig,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `[metrics]`: where `/metrics` is served.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// The metrics listener (plain HTTP: keep it on loopback or a management network).
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// CA(s) that sign partners' client certificates.
    pub client_ca: PathBuf,
    /// CA(s) that sign partner systems' server certificates (for forwarding).
    pub upstream_ca: PathBuf,
    /// The gateway's own client certificate towards partner systems.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// Certificate revocation lists (PEM or DER) that partners' client certificates are checked
    /// against at the handshake; none by default.
    #[serde(default)]
    pub client_crl: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// Base URL of the partner's system (https).
    pub endpoint: Option<String>,
    /// Public key (PEM, P-256) the partner's tokens are signed with (ES256).
    pub token_key: PathBuf,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8443))
}

fn default_database_url() -> DatabaseUrl {
    DatabaseUrl::new("sqlite:data/gateway.db")
}

/// The `aud` every token must carry, unless configured otherwise.
pub const DEFAULT_AUDIENCE: &str = "amsterdam-privacy-gateway";

fn default_audience() -> String {
    DEFAULT_AUDIENCE.into()
}

/// A database URL. It may carry a password, so `Debug` shows it without one.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://user:password@host/... -> scheme://user:[redacted]@host/...
        let url = &self.0;
        let authority = url.find("://").map_or(0, |i| i + 3);
        let end = url[authority..]
            .find('/')
            .map_or(url.len(), |i| authority + i);
        match url[authority..end].rfind('@').map(|at| authority + at) {
            Some(at) => match url[authority..at].find(':').map(|c| authority + c) {
                Some(colon) => write!(f, "{}:[redacted]{}", &url[..colon], &url[at..]),
                None => f.write_str(url),
            },
            None => f.write_str(url),
        }
    }
}

impl std::str::FromStr for LogFormat {
    type Err = anyhow::Error;

    /// `text` or `json`, as `GATEWAY_LOG_FORMAT` and the file's `log_format` spell it.
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "json" => Ok(Self::Json),
            "text" => Ok(Self::Text),
            other => bail!("GATEWAY_LOG_FORMAT must be text or json, not {other:?}"),
        }
    }
}

/// A secret value: `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Config {
    /// Reads the file, applies environment overrides and makes paths absolute. Refuses the
    /// development login (`[portal] dev_login`), which only the demo builds itself.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .with_context(|| format!("config {} is not valid", path.display()))?;
        if config.portal.dev_login {
            anyhow::bail!(
                "config {}: [portal] dev_login = true lets anyone sign in as any Amsterdammer and as any \
                 privacy officer; it is for `gateway demo` only. Remove the key and configure the \
                 identity providers ([portal.oidc] for residents, [audit.oidc.<partner>] for privacy officers)",
                path.display()
            );
        }
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(url) = var("DATABASE_URL") {
            self.database_url = DatabaseUrl::new(url);
        }
        if let Some(listen) = var("GATEWAY_LISTEN") {
            self.listen = listen.parse().context("GATEWAY_LISTEN must be HOST:PORT")?;
        }
        if let Some(url) = var("GATEWAY_RATE_LIMIT_REDIS") {
            self.rate_limit.redis = Some(crate::ratelimit::RedisUrl(url));
        }
        if let Some(format) = var("GATEWAY_LOG_FORMAT") {
            self.log_format = format.parse()?;
        }
        if let Some(key) = var("GATEWAY_LEDGER_KEY") {
            self.ledger.key_from_env = Some(Secret(key.into_bytes()));
        }
        Ok(())
    }

    pub(crate) fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.register);
        fix(&mut self.pseudonym_key_file);
        fix(&mut self.log_signing_key_file);
        if let Some(p) = &mut self.notifications.signing_key_file {
            fix(p);
        }
        if let Some(p) = &mut self.ledger.key_file {
            fix(p);
        }
        fix(&mut self.citizen_idp.key);
        for p in [
            &mut self.tls.server_cert,
            &mut self.tls.server_key,
            &mut self.tls.client_ca,
            &mut self.tls.upstream_ca,
            &mut self.tls.client_cert,
            &mut self.tls.client_key,
        ] {
            fix(p);
        }
        for p in &mut self.tls.client_crl {
            fix(p);
        }
        for partner in self.partners.values_mut() {
            fix(&mut partner.token_key);
        }
        for provider in self
            .portal
            .oidc
            .iter_mut()
            .chain(self.audit.oidc.values_mut())
        {
            fix(&mut provider.ca_file);
            if let Some(p) = &mut provider.client_secret_file {
                fix(p);
            }
        }
        if let Some(path) = self.database_url.expose().strip_prefix("sqlite:")
            && !path.starts_with('/')
            && !path.starts_with("//")
        {
            self.database_url = DatabaseUrl::new(format!("sqlite:{}", base.join(path).display()));
        }
    }

    pub fn log_signer(&self) -> anyhow::Result<consent::LogSigner> {
        let text = std::fs::read_to_string(&self.log_signing_key_file).with_context(|| {
            format!(
                "cannot read the log signing key {}",
                self.log_signing_key_file.display()
            )
        })?;
        consent::LogSigner::from_skey(&text)
            .context("the log signing key is not a signed-note signer key")
    }

    /// The ledger's key-encryption key, from `GATEWAY_LEDGER_KEY` or `[ledger] key_file`.
    pub fn ledger_key(&self) -> anyhow::Result<consent::Kek> {
        self.ledger.kek()
    }

    pub fn pseudonym_key(&self) -> anyhow::Result<Secret> {
        let text = std::fs::read_to_string(&self.pseudonym_key_file).with_context(|| {
            format!(
                "cannot read pseudonym key {}",
                self.pseudonym_key_file.display()
            )
        })?;
        let bytes = hex::decode(text.trim()).context("the pseudonym key file must hold hex")?;
        if bytes.len() < 32 {
            bail!("the pseudonym key must be at least 32 bytes");
        }
        Ok(Secret(bytes))
    }
}

#[cfg(test)]
mod tests;
