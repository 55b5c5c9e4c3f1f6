//! Rate limits (README, "Design"): per professional and per organisation, keyed by the
//! verified partner (client certificate) and token subject, never by a header a client could choose.
//! The organisation limit is what a partner cannot dodge by rotating `sub`. Amsterdammers have their
//! own limit per pseudonym. Idle keys are pruned periodically.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
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
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        let n = |n| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            per_second: n(20),
            burst: n(200),
            organisation_per_second: n(50),
            organisation_burst: n(200),
        }
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

#[derive(Debug)]
pub struct RateLimits {
    professionals: DefaultKeyedRateLimiter<(String, String)>,
    organisations: DefaultKeyedRateLimiter<String>,
    amsterdammers: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Arc<Self> {
        let personal = Quota::per_second(config.per_second).allow_burst(config.burst);
        let organisation = Quota::per_second(config.organisation_per_second)
            .allow_burst(config.organisation_burst);
        Arc::new(Self {
            professionals: DefaultKeyedRateLimiter::keyed(personal),
            organisations: DefaultKeyedRateLimiter::keyed(organisation),
            amsterdammers: DefaultKeyedRateLimiter::keyed(personal),
            clock: DefaultClock::default(),
        })
    }

    /// A professional's request counts against their own limit and their organisation's. The
    /// professional is checked first, so one who is already refused does not use up the budget of
    /// their colleagues.
    pub fn check_professional(&self, partner: &str, professional: &str) -> Result<(), OverLimit> {
        self.professionals
            .check_key(&(partner.to_owned(), professional.to_owned()))
            .map_err(|n| OverLimit::Professional(n.wait_time_from(self.clock.now())))?;
        self.organisations
            .check_key(&partner.to_owned())
            .map_err(|n| OverLimit::Organisation(n.wait_time_from(self.clock.now())))
    }

    /// An Amsterdammer, by pseudonym.
    pub fn check_amsterdammer(&self, subject: &str) -> Result<(), OverLimit> {
        self.amsterdammers
            .check_key(&subject.to_owned())
            .map_err(|n| OverLimit::Amsterdammer(n.wait_time_from(self.clock.now())))
    }

    /// Forgets keys whose buckets are full again; run every minute.
    pub fn prune(&self) {
        self.professionals.retain_recent();
        self.professionals.shrink_to_fit();
        self.organisations.retain_recent();
        self.amsterdammers.retain_recent();
        self.amsterdammers.shrink_to_fit();
    }

    /// Spawns the pruning task; it ends when the limiter is dropped.
    pub fn start_pruning(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn a_professional_over_the_burst_must_wait_while_a_colleague_may_go_on() {
        let limits = RateLimits::new(RateLimitConfig {
            per_second: n(1),
            burst: n(2),
            ..RateLimitConfig::default()
        });
        assert!(limits.check_professional("wpi", "km-1").is_ok());
        assert!(limits.check_professional("wpi", "km-1").is_ok());
        let Err(OverLimit::Professional(wait)) = limits.check_professional("wpi", "km-1") else {
            panic!("the professional is over the limit");
        };
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(limits.check_professional("wpi", "km-2").is_ok());
        assert!(limits.check_professional("okt-amsterdam", "km-1").is_ok());
    }

    #[test]
    fn new_subjects_do_not_get_past_the_organisation_limit() {
        let limits = RateLimits::new(RateLimitConfig {
            organisation_per_second: n(1),
            organisation_burst: n(3),
            ..RateLimitConfig::default()
        });
        for i in 0..3 {
            assert!(limits.check_professional("wpi", &format!("km-{i}")).is_ok());
        }
        assert!(matches!(
            limits.check_professional("wpi", "km-new"),
            Err(OverLimit::Organisation(_))
        ));
        assert!(limits.check_professional("okt-amsterdam", "km-1").is_ok());
    }

    #[test]
    fn a_refused_professional_does_not_use_up_the_organisation_budget() {
        let limits = RateLimits::new(RateLimitConfig {
            per_second: n(1),
            burst: n(1),
            organisation_per_second: n(1),
            organisation_burst: n(2),
        });
        assert!(limits.check_professional("wpi", "km-1").is_ok());
        for _ in 0..10 {
            assert!(matches!(
                limits.check_professional("wpi", "km-1"),
                Err(OverLimit::Professional(_))
            ));
        }
        assert!(limits.check_professional("wpi", "km-2").is_ok());
    }

    #[test]
    fn a_rate_limit_section_may_name_only_some_keys() {
        let config: RateLimitConfig = toml::from_str("organisation_per_second = 7").unwrap();
        assert_eq!(config.organisation_per_second.get(), 7);
        assert_eq!(config.per_second, RateLimitConfig::default().per_second);
    }
}
