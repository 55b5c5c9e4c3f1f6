//! This process's own buckets (governor's GCRA in memory): the limits of a single replica, and
//! the Amsterdammers' fallback when the shared limits are unavailable.

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota as Governed};

use super::{OverLimit, Quota};

#[derive(Debug)]
pub(super) struct Local {
    professionals: DefaultKeyedRateLimiter<(String, String)>,
    organisations: DefaultKeyedRateLimiter<String>,
    amsterdammers: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn governed(quota: Quota) -> Governed {
    Governed::per_second(quota.per_second).allow_burst(quota.burst)
}

impl Local {
    pub(super) fn new(personal: Quota, organisation: Quota) -> Self {
        Self {
            professionals: DefaultKeyedRateLimiter::keyed(governed(personal)),
            organisations: DefaultKeyedRateLimiter::keyed(governed(organisation)),
            amsterdammers: DefaultKeyedRateLimiter::keyed(governed(personal)),
            clock: DefaultClock::default(),
        }
    }

    /// The professional is checked first, so one who is already refused does not use up the
    /// budget of their colleagues.
    pub(super) fn check_professional(
        &self,
        partner: &str,
        professional: &str,
    ) -> Result<(), OverLimit> {
        self.professionals
            .check_key(&(partner.to_owned(), professional.to_owned()))
            .map_err(|n| OverLimit::Professional(n.wait_time_from(self.clock.now())))?;
        self.organisations
            .check_key(&partner.to_owned())
            .map_err(|n| OverLimit::Organisation(n.wait_time_from(self.clock.now())))
    }

    pub(super) fn check_amsterdammer(&self, subject: &str) -> Result<(), OverLimit> {
        self.amsterdammers
            .check_key(&subject.to_owned())
            .map_err(|n| OverLimit::Amsterdammer(n.wait_time_from(self.clock.now())))
    }

    /// Forgets keys whose buckets are full again; run every minute.
    pub(super) fn prune(&self) {
        self.professionals.retain_recent();
        self.professionals.shrink_to_fit();
        self.organisations.retain_recent();
        self.amsterdammers.retain_recent();
        self.amsterdammers.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;
    use std::time::Duration;

    use super::*;

    fn n(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    fn limits(
        per_second: u32,
        burst: u32,
        organisation_per_second: u32,
        organisation_burst: u32,
    ) -> Local {
        Local::new(
            Quota {
                per_second: n(per_second),
                burst: n(burst),
            },
            Quota {
                per_second: n(organisation_per_second),
                burst: n(organisation_burst),
            },
        )
    }

    #[test]
    fn a_professional_over_the_burst_must_wait_while_a_colleague_may_go_on() {
        let limits = limits(1, 2, 50, 200);
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
        let limits = limits(20, 200, 1, 3);
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
        let limits = limits(1, 1, 1, 2);
        assert!(limits.check_professional("wpi", "km-1").is_ok());
        for _ in 0..10 {
            assert!(matches!(
                limits.check_professional("wpi", "km-1"),
                Err(OverLimit::Professional(_))
            ));
        }
        assert!(limits.check_professional("wpi", "km-2").is_ok());
    }
}
