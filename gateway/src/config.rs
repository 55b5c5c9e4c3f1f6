//! Configuration: defaults, then a TOML file, then environment variables (`DATABASE_URL`,
//! `GATEWAY_LISTEN`, `GATEWAY_LOG_FORMAT`). Validated at start; relative paths in the file are taken
//! from the file's own directory. Secrets are wrapped so `Debug` prints `[redacted]`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

mod limits;
pub use limits::{
    ConnectionLimits, ConsentConfig, MAX_IDLE_TIMEOUT_SECS, PolicyConfig, TokenConfig,
};

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
    pub tls: TlsConfig,
    pub citizen_idp: CitizenIdpConfig,
    /// Per partner id of the register: where its system answers and the key its tokens are signed with.
    #[serde(default)]
    pub partners: BTreeMap<String, PartnerConfig>,
    /// Signed notifications to partner systems when a consent stops covering anything.
    #[serde(default)]
    pub notifications: crate::notify::NotificationConfig,
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

/// `[portal]`: the web pages (`/mijn`, `/audit`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The development logins (pick a resident by BSN, an officer by organisation; no identity
    /// provider). Demo only: never in production.
    pub dev_login: bool,
    /// The citizen identity provider the Amsterdammer logs in through (OpenID Connect).
    pub oidc: Option<crate::portal::oidc::ProviderConfig>,
    /// The ID token claim that carries the BSN.
    pub bsn_claim: String,
    /// A resident's session ends after this many minutes without use (default 30)...
    pub session_idle_minutes: u32,
    /// ...and at the latest this many minutes after login, however busy (default 30).
    pub session_max_minutes: u32,
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self {
            dev_login: false,
            oidc: None,
            bsn_claim: "bsn".into(),
            session_idle_minutes: 30,
            session_max_minutes: 30,
        }
    }
}

/// `[audit]`: a privacy officer (role `privacy_officer`) sees only their own organisation's
/// traffic, unless their organisation is listed here (api.md "Privacy officers").
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Partner ids whose privacy officers see every organisation's traffic.
    pub city_wide: Vec<String>,
    /// Per partner id: the organisation's OpenID Connect provider its privacy officers log in to
    /// the console through.
    pub oidc: BTreeMap<String, crate::portal::oidc::ProviderConfig>,
    /// The ID token claim (a string or a list) that must hold `privacy_officer`.
    pub role_claim: String,
    /// The ID token claim (a string or a list) that must name the organisation (its partner id)
    /// the officer signs in for. Without it, each organisation must have a provider and client of
    /// its own (checked at start), so one organisation's officers cannot sign in as another's.
    pub organisation_claim: Option<String>,
    /// An officer's session ends after this many minutes without use (default 30)...
    pub session_idle_minutes: u32,
    /// ...and at the latest this many minutes after login, however busy (default 480: a
    /// working day).
    pub session_max_minutes: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            city_wide: Vec::new(),
            oidc: BTreeMap::new(),
            role_claim: "roles".into(),
            organisation_claim: None,
            session_idle_minutes: 30,
            session_max_minutes: 480,
        }
    }
}

/// `[ledger]`: the readable part of every ledger record is sealed under a key of its subject, and
/// those keys under this key-encryption key (see `consent::Kek`); erasing deletes keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerConfig {
    /// File holding the key-encryption key: 32 random bytes as 64 hex digits, the same on every
    /// replica, kept out of the database and its backups. `GATEWAY_LEDGER_KEY` (the hex itself)
    /// is used instead when set.
    pub key_file: Option<PathBuf>,
    /// How often the retention purge runs, in seconds: it erases every record whose retention has
    /// ended and the keys of every retention month that has passed.
    #[serde(default = "default_purge_interval")]
    pub purge_interval_secs: std::num::NonZeroU64,
    /// From `GATEWAY_LEDGER_KEY`.
    #[serde(skip)]
    pub key_from_env: Option<Secret>,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            key_file: None,
            purge_interval_secs: default_purge_interval(),
            key_from_env: None,
        }
    }
}

fn default_purge_interval() -> std::num::NonZeroU64 {
    std::num::NonZeroU64::new(3600).expect("not zero")
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
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
pub struct CitizenIdpConfig {
    pub issuer: String,
    /// Public key (PEM, P-256) the citizen tokens are signed with (ES256).
    pub key: PathBuf,
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
        if let Some(format) = var("GATEWAY_LOG_FORMAT") {
            self.log_format = format.parse()?;
        }
        if let Some(key) = var("GATEWAY_LEDGER_KEY") {
            self.ledger.key_from_env = Some(Secret(key.into_bytes()));
        }
        Ok(())
    }

    fn resolve_paths(&mut self, base: &Path) {
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

impl LedgerConfig {
    pub fn kek(&self) -> anyhow::Result<consent::Kek> {
        let (text, from) = match (&self.key_from_env, &self.key_file) {
            (Some(env), _) => (
                String::from_utf8_lossy(&env.0).into_owned(),
                "GATEWAY_LEDGER_KEY".to_owned(),
            ),
            (None, Some(path)) => (
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the ledger key {}", path.display()))?,
                path.display().to_string(),
            ),
            (None, None) => bail!(
                "no ledger key: set [ledger] key_file (or GATEWAY_LEDGER_KEY) to 32 random bytes in hex; \
                 `gateway dev pki` writes one for development"
            ),
        };
        consent::Kek::from_hex(&text).with_context(|| format!("the ledger key in {from}"))
    }
}

#[cfg(test)]
mod tests;
