//! `[portal]` and `[audit]`: the two web areas, how people sign in to them and how long a session
//! lasts.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[portal]`: the web pages (`/mijn`, `/audit`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The development logins (pick a resident by BSN, an officer by organisation; no identity
    /// provider). Demo only: never in production.
    pub dev_login: bool,
    /// The citizen identity provider the Amsterdammer logs in through (OpenID Connect).
    pub oidc: Option<ProviderConfig>,
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
/// traffic, unless their organisation is listed here (`/openapi.json`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Partner ids whose privacy officers see every organisation's traffic.
    pub city_wide: Vec<String>,
    /// Per partner id: the organisation's OpenID Connect provider its privacy officers log in to
    /// the console through.
    pub oidc: BTreeMap<String, ProviderConfig>,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenIdpConfig {
    pub issuer: String,
    /// Public key (PEM, P-256) the citizen tokens are signed with (ES256).
    pub key: PathBuf,
}
/// `[portal.oidc]` or `[audit.oidc.<partner id>]`: an OpenID Connect provider.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The issuer (`iss`); its `/.well-known/openid-configuration` names the endpoints.
    pub issuer: String,
    pub client_id: String,
    /// File holding the client secret (a confidential client); without one, a public client that
    /// relies on PKCE alone.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// Where the provider sends the browser back, as registered with it: this gateway's
    /// `https://<host>/mijn/login/terug` or `https://<host>/audit/login/terug`.
    pub redirect_uri: String,
    /// CA certificates (PEM) trusted for the provider's TLS (e.g. the system bundle).
    pub ca_file: PathBuf,
    /// Scopes asked for besides `openid`.
    #[serde(default)]
    pub scopes: Vec<String>,
}
