//! Rate limits (README, "Design"): per professional and per organisation, keyed by the
//! verified partner (client certificate) and token subject, never by a header a client could choose.
//! The organisation limit is what a partner cannot dodge by rotating `sub`. Amsterdammers have their
//! own limit per pseudonym.
//!
//! One process keeps its buckets in memory ([`local`]). Several replicas share them in Redis
//! ([`shared`], `[rate_limit] redis`), so a partner gets its allowance once in total, not once per
//! replica. When Redis does not answer, partners are refused (`503`, fail closed: an unchecked
//! partner could flood the gateway through every replica) while Amsterdammers fall back to this
//! replica's own buckets (fail open to a local limit: a resident revoking a consent is never
//! turned away because a counter store is down).

mod local;
mod shared;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use serde::Deserialize;

use local::Local;
use shared::Shared;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per second for one professional (and one Amsterdammer).
    pub per_second: NonZeroU32,
    /// Requests one professional may make at once before the sustained rate applies.
    pub burst: NonZeroU32,
    /// Sustained requests per second for all professionals of one organisation together.
    pub organisation_per_second: NonZeroU32,
    /// Requests one organisation may make at once before its sustained rate applies.
    pub organisation_burst: NonZeroU32,
    /// The Redis server every replica keeps its limits in (`redis://HOST:PORT/DB`, or `rediss://`
    /// for TLS; a password in the URL is never logged). Without it each process keeps its own,
    /// which is right for one replica only. `GATEWAY_RATE_LIMIT_REDIS` overrides it.
    pub redis: Option<RedisUrl>,
    /// The prefix of every key in Redis, so several gateways (acceptance, production) can share
    /// one server without sharing limits.
    pub redis_prefix: String,
    /// How long one check may wait for Redis, in milliseconds, before it counts as unavailable.
    pub redis_timeout_ms: NonZeroU32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        let n = |n| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            per_second: n(20),
            burst: n(200),
            organisation_per_second: n(50),
            organisation_burst: n(200),
            redis: None,
            redis_prefix: "gateway".to_owned(),
            redis_timeout_ms: n(250),
        }
    }
}

/// A Redis URL; its `Debug` leaves out what could hold a password.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct RedisUrl(pub String);

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://[user:password@]host... : show the scheme and what follows the credentials.
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("redis", &self.0));
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        write!(f, "{scheme}://{host}")
    }
}

impl RedisUrl {
    /// Whether this is a URL the Redis client takes.
    pub fn validate(&self) -> anyhow::Result<()> {
        redis::Client::open(self.0.as_str())
            .map(drop)
            .map_err(|e| anyhow::anyhow!("{self:?} is not a Redis URL: {e}"))
    }
}

/// Who is over the limit, and how long until the next request may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    Professional(Duration),
    Organisation(Duration),
    Amsterdammer(Duration),
}

impl OverLimit {
    /// Whose limit it was, as the metrics name it.
    pub fn whose(&self) -> &'static str {
        match self {
            Self::Professional(_) => "professional",
            Self::Organisation(_) => "organisation",
            Self::Amsterdammer(_) => "amsterdammer",
        }
    }
}

/// Why a partner's request is not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Over(OverLimit),
    /// The shared limits could not be checked (Redis down or too slow).
    Unavailable,
}

/// A bucket's quota: sustained rate and what may come at once.
#[derive(Debug, Clone, Copy)]
struct Quota {
    per_second: NonZeroU32,
    burst: NonZeroU32,
}

#[derive(Debug)]
pub struct RateLimits {
    local: Local,
    shared: Option<Shared>,
    personal: Quota,
    organisation: Quota,
    /// Checks that found the shared limits unavailable (a metric).
    unavailable: Counter,
}

impl RateLimits {
    /// The limits of `config`; `unavailable` counts the checks Redis did not answer. Connecting
    /// to Redis happens on first use, so a gateway starts (and says it is not ready) without it.
    pub fn new(config: &RateLimitConfig, unavailable: Counter) -> anyhow::Result<Arc<Self>> {
        let personal = Quota {
            per_second: config.per_second,
            burst: config.burst,
        };
        let organisation = Quota {
            per_second: config.organisation_per_second,
            burst: config.organisation_burst,
        };
        let shared = match &config.redis {
            Some(url) => Some(Shared::new(
                url,
                &config.redis_prefix,
                Duration::from_millis(u64::from(config.redis_timeout_ms.get())),
            )?),
            None => None,
        };
        Ok(Arc::new(Self {
            local: Local::new(personal, organisation),
            shared,
            personal,
            organisation,
            unavailable,
        }))
    }

    /// A professional's request counts against their own limit and their organisation's, and
    /// only when both let it through: one who is refused does not use up the budget of their
    /// colleagues.
    pub async fn check_professional(
        &self,
        partner: &str,
        professional: &str,
    ) -> Result<(), Refused> {
        let Some(shared) = &self.shared else {
            return self
                .local
                .check_professional(partner, professional)
                .map_err(Refused::Over);
        };
        let buckets = [
            (
                shared.professional_key(partner, professional),
                self.personal,
            ),
            (shared.organisation_key(partner), self.organisation),
        ];
        match shared.check(&buckets).await {
            Ok(None) => Ok(()),
            Ok(Some((0, wait))) => Err(Refused::Over(OverLimit::Professional(wait))),
            Ok(Some((_, wait))) => Err(Refused::Over(OverLimit::Organisation(wait))),
            Err(e) => {
                self.unavailable.inc();
                tracing::warn!(error = %e, "the shared rate limits do not answer: partner refused");
                Err(Refused::Unavailable)
            }
        }
    }

    /// An Amsterdammer, by pseudonym; this replica's own limit when the shared one is unavailable.
    pub async fn check_amsterdammer(&self, subject: &str) -> Result<(), OverLimit> {
        if let Some(shared) = &self.shared {
            match shared
                .check(&[(shared.amsterdammer_key(subject), self.personal)])
                .await
            {
                Ok(None) => return Ok(()),
                Ok(Some((_, wait))) => return Err(OverLimit::Amsterdammer(wait)),
                Err(e) => {
                    self.unavailable.inc();
                    tracing::warn!(error = %e, "the shared rate limits do not answer: this replica's own limit applies");
                }
            }
        }
        self.local.check_amsterdammer(subject)
    }

    /// For `/readyz`: the shared limits answer (always, without them).
    pub async fn ready(&self) -> Result<(), String> {
        match &self.shared {
            Some(shared) => shared.ping().await.map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// Spawns the task that forgets idle local buckets; it ends when the limiter is dropped.
    /// (Redis forgets its own: every key expires once its bucket is full again.)
    pub fn start_pruning(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(limits) => limits.local.prune(),
                    None => break,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_section_may_name_only_some_keys() {
        let config: RateLimitConfig = toml::from_str("organisation_per_second = 7").unwrap();
        assert_eq!(config.organisation_per_second.get(), 7);
        assert_eq!(config.per_second, RateLimitConfig::default().per_second);
        assert!(config.redis.is_none());
    }

    #[test]
    fn a_redis_password_is_not_shown() {
        let url = RedisUrl("rediss://gateway:s3cret@redis.example:6380/2".to_owned());
        assert_eq!(format!("{url:?}"), "rediss://redis.example:6380/2");
    }
}
