//! `[ledger]` and `[notifications]`: the log's keys, checkpoints and retention, and how partners
//! are told of consent changes.

use super::Secret;
use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::PathBuf;

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
/// `[notifications]` in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationConfig {
    /// File holding the Ed25519 signing key: its 32-byte seed as 64 hex digits, the same on every
    /// replica. Without it no notifications are sent (partners can still poll
    /// `GET /v1/consents/changes`).
    pub signing_key_file: Option<std::path::PathBuf>,
    /// How often the notifier looks for work, in milliseconds.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    /// The first retry waits this long, in milliseconds; each next one twice as long, up to an hour.
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_ms: u64,
    /// Attempts before a notification is given up (`failed`).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
}

impl Default for NotificationConfig {
    fn default() -> Self {
        Self {
            signing_key_file: None,
            interval_ms: default_interval_ms(),
            retry_base_ms: default_retry_base_ms(),
            max_attempts: default_max_attempts(),
        }
    }
}

fn default_interval_ms() -> u64 {
    1000
}
fn default_retry_base_ms() -> u64 {
    1000
}
fn default_max_attempts() -> u32 {
    12
}
