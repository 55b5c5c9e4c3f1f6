//! Rate limits per professional (architecture.md, pipeline step 3), keyed by the verified partner and
//! token subject, never by a header a client could choose. Idle keys are pruned periodically.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per second for one professional.
    pub per_second: NonZeroU32,
    /// Requests one professional may make at once before the sustained rate applies.
    pub burst: NonZeroU32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_second: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            burst: NonZeroU32::new(200).unwrap_or(NonZeroU32::MIN),
        }
    }
}

#[derive(Debug)]
pub struct RateLimits {
    limiter: DefaultKeyedRateLimiter<(String, String)>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Arc<Self> {
        let quota = Quota::per_second(config.per_second).allow_burst(config.burst);
        Arc::new(Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        })
    }

    /// `Err(wait)` when the professional must wait before the next request.
    pub fn check(&self, partner: &str, professional: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&(partner.to_owned(), professional.to_owned()))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys whose buckets are full again; run every minute.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Spawns the pruning task; it ends when the limiter is dropped.
    pub fn start_pruning(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(limits) => limits.prune(),
                    None => break,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_professional_over_the_burst_must_wait_while_a_colleague_may_go_on() {
        let limits = RateLimits::new(RateLimitConfig {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(2).unwrap(),
        });
        assert!(limits.check("wpi", "km-1").is_ok());
        assert!(limits.check("wpi", "km-1").is_ok());
        let wait = limits.check("wpi", "km-1").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(limits.check("wpi", "km-2").is_ok());
        assert!(limits.check("okt-amsterdam", "km-1").is_ok());
    }
}
