//! Configuration: defaults, then a TOML file, then environment variables (`DATABASE_URL`,
//! `GATEWAY_LISTEN`, `GATEWAY_LOG_FORMAT`). Validated at start; relative paths in the file are taken
//! from the file's own directory. Secrets are wrapped so `Debug` prints `[redacted]`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_database_url")]
    pub database_url: String,
    /// The verwerkingsregister (TOML).
    pub register: PathBuf,
    /// The `aud` every token must carry.
    #[serde(default = "default_audience")]
    pub audience: String,
    /// File holding the pseudonym key (at least 32 bytes, hex).
    pub pseudonym_key_file: PathBuf,
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
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentConfig {
    /// The longest period one toestemmingsverklaring may cover, from `valid_from` to `valid_until`,
    /// in days. Consent is given for a plan, not for ever (vuistregel 5); default two years.
    pub max_period_days: u32,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        Self {
            max_period_days: 730,
        }
    }
}

impl ConsentConfig {
    pub fn max_period(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.max_period_days))
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

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// The longest a token may be valid: `exp - iat`, and `exp - now` (plus 30 s leeway).
    pub max_lifetime_secs: NonZeroU64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            max_lifetime_secs: secs(3600),
        }
    }
}

/// What one connection may take of the gateway (issue 5, finding 5): every phase has a deadline, and
/// one peer address may hold only so many connections.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionLimits {
    /// From accept to a finished TLS handshake.
    pub handshake_timeout_secs: NonZeroU64,
    /// For an HTTP/1 request head, from when the connection is ready for it (so also the time an
    /// HTTP/1 keep-alive connection may wait for its next request).
    pub header_timeout_secs: NonZeroU64,
    /// For the whole request body, from when its head arrived; over it the answer is `408`.
    pub body_timeout_secs: NonZeroU64,
    /// A connection without a request in flight (HTTP/1 or HTTP/2, or TLS without any request yet)
    /// is closed after this, gracefully and then, after a short grace, hard. At most 55 s, so an
    /// idle connection is gone within a minute.
    pub idle_timeout_secs: NonZeroU64,
    /// Concurrent connections from one peer IP address; more are refused at accept. 0: no limit.
    /// Behind a TCP load balancer without PROXY protocol every client has the balancer's address:
    /// raise this there, or set 0.
    pub max_per_peer: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            handshake_timeout_secs: secs(10),
            header_timeout_secs: secs(10),
            body_timeout_secs: secs(30),
            idle_timeout_secs: secs(30),
            max_per_peer: 100,
        }
    }
}

/// The longest configurable idle timeout: with the grace after it, an idle connection is closed
/// within 60 s.
pub const MAX_IDLE_TIMEOUT_SECS: u64 = 55;

impl ConnectionLimits {
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs.get())
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.get())
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs.get())
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs.get())
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.idle_timeout_secs.get() > MAX_IDLE_TIMEOUT_SECS {
            bail!(
                "connections.idle_timeout_secs may be at most {MAX_IDLE_TIMEOUT_SECS}, so an idle \
                 connection is closed within a minute"
            );
        }
        Ok(())
    }
}

fn secs(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN)
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8443))
}

fn default_database_url() -> String {
    "sqlite:data/gateway.db".into()
}

fn default_audience() -> String {
    "amsterdam-privacy-gateway".into()
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
    /// Reads the file, applies environment overrides and makes paths absolute.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .with_context(|| format!("config {} is not valid", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(url) = var("DATABASE_URL") {
            self.database_url = url;
        }
        if let Some(listen) = var("GATEWAY_LISTEN") {
            self.listen = listen.parse().context("GATEWAY_LISTEN must be HOST:PORT")?;
        }
        if let Some(format) = var("GATEWAY_LOG_FORMAT") {
            self.log_format = match format.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                other => bail!("GATEWAY_LOG_FORMAT must be text or json, not {other}"),
            };
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
        if let Some(path) = self.database_url.strip_prefix("sqlite:")
            && !path.starts_with('/')
            && !path.starts_with("//")
        {
            self.database_url = format!("sqlite:{}", base.join(path).display());
        }
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
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file() {
        let mut config: Config = toml::from_str(
            r#"
            register = "r.toml"
            pseudonym_key_file = "k"
            [tls]
            server_cert = "a"
            server_key = "b"
            client_ca = "c"
            upstream_ca = "c"
            client_cert = "a"
            client_key = "b"
            [citizen_idp]
            issuer = "digid"
            key = "d"
            "#,
        )
        .unwrap();
        config
            .apply_env(|k| match k {
                "DATABASE_URL" => Some("postgres://db/x".into()),
                "GATEWAY_LISTEN" => Some("0.0.0.0:9000".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.database_url, "postgres://db/x");
        assert_eq!(config.listen.port(), 9000);
    }

    #[test]
    fn limit_sections_may_name_only_some_keys_and_the_rest_keep_their_defaults() {
        let limits: ConnectionLimits = toml::from_str("idle_timeout_secs = 5").unwrap();
        assert_eq!(limits.idle_timeout(), Duration::from_secs(5));
        assert_eq!(
            limits.max_per_peer,
            ConnectionLimits::default().max_per_peer
        );
        let tokens: TokenConfig = toml::from_str("").unwrap();
        assert_eq!(tokens.max_lifetime_secs.get(), 3600);
        assert!(toml::from_str::<ConnectionLimits>("idle_timeout_secs = 0").is_err());
    }

    #[test]
    fn an_idle_timeout_over_55_seconds_is_refused() {
        let limits: ConnectionLimits = toml::from_str("idle_timeout_secs = 56").unwrap();
        assert!(limits.validate().is_err());
        assert!(ConnectionLimits::default().validate().is_ok());
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret(vec![1, 2, 3])), "[redacted]");
    }
}

#[cfg(test)]
mod deploy_examples {
    use super::*;

    #[test]
    fn the_production_example_configuration_parses() {
        let text = include_str!("../../deploy/production/gateway.toml");
        let config: Config = toml::from_str(text).unwrap();
        assert!(config.database_url.starts_with("postgres://"));
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(config.partners.contains_key("wpi"));
    }
}
