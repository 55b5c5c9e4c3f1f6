//! Anomalies worth a privacy officer's look (issue 10), found in the decisions they may see:
//! - a professional far above their usual volume;
//! - many distinct Amsterdammers asked about in a short time (a sweep);
//! - requests refused after the Amsterdammer revoked the consent that would have covered them;
//! - lookups outside working hours (Amsterdam time).
//!
//! Each is a pointer, not a verdict: the console lists them with what to look at.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use consent::{Consent, DecisionRecord, Outcome};
use policies::Register;

/// The window a professional's volume is judged in, against their daily mean over the 28 days before.
pub const VOLUME_WINDOW: Duration = Duration::hours(24);
const VOLUME_HISTORY_DAYS: i64 = 28;
/// At least this many requests in the window, and more than `VOLUME_FACTOR` times the usual.
pub const VOLUME_MIN: usize = 20;
const VOLUME_FACTOR: f64 = 3.0;
/// A sweep: this many distinct Amsterdammers asked about by one professional within `SWEEP_WINDOW`.
pub const SWEEP_SUBJECTS: usize = 25;
pub const SWEEP_WINDOW: Duration = Duration::hours(1);
/// Working hours, Amsterdam time, Monday to Friday.
pub const WORK_START_HOUR: u32 = 7;
pub const WORK_END_HOUR: u32 = 19;

/// What kind of anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Volume,
    Sweep,
    AfterRevocation,
    AfterHours,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Volume => "Veel meer verzoeken dan gewoonlijk",
            Kind::Sweep => "Veel verschillende Amsterdammers in korte tijd",
            Kind::AfterRevocation => "Verzoek na intrekking van de toestemming",
            Kind::AfterHours => "Verzoeken buiten werktijd",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub kind: Kind,
    /// The partner and professional it is about.
    pub partner: String,
    pub professional: String,
    /// What was seen, in Dutch.
    pub detail: String,
    /// When (the latest request involved).
    pub at: DateTime<Utc>,
}

/// Every anomaly in `decisions` (any order) as of `now`; `consents` holds the consents of the
/// Amsterdammers whose requests were refused, to tell a refusal after a revocation.
pub fn find(
    decisions: &[DecisionRecord],
    consents: &HashMap<String, Vec<Consent>>,
    register: &Register,
    now: DateTime<Utc>,
) -> Vec<Anomaly> {
    let mut found = Vec::new();
    found.extend(volume(decisions, now));
    found.extend(sweeps(decisions));
    found.extend(after_revocation(decisions, consents, register));
    found.extend(after_hours(decisions));
    found.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.at.cmp(&a.at)));
    found
}

fn by_professional(decisions: &[DecisionRecord]) -> BTreeMap<(&str, &str), Vec<&DecisionRecord>> {
    let mut by: BTreeMap<(&str, &str), Vec<&DecisionRecord>> = BTreeMap::new();
    for d in decisions {
        by.entry((d.partner.as_str(), d.professional.as_str()))
            .or_default()
            .push(d);
    }
    for list in by.values_mut() {
        list.sort_by_key(|d| d.at);
    }
    by
}

fn volume(decisions: &[DecisionRecord], now: DateTime<Utc>) -> Vec<Anomaly> {
    let recent_from = now - VOLUME_WINDOW;
    let history_from = recent_from - Duration::days(VOLUME_HISTORY_DAYS);
    by_professional(decisions)
        .into_iter()
        .filter_map(|((partner, professional), list)| {
            let recent = list.iter().filter(|d| d.at >= recent_from).count();
            let before = list
                .iter()
                .filter(|d| d.at >= history_from && d.at < recent_from)
                .count();
            let usual = before as f64 / VOLUME_HISTORY_DAYS as f64;
            (recent >= VOLUME_MIN && recent as f64 > VOLUME_FACTOR * usual).then(|| Anomaly {
                kind: Kind::Volume,
                partner: partner.to_owned(),
                professional: professional.to_owned(),
                detail: format!(
                    "{recent} verzoeken in de laatste 24 uur; gewoonlijk {usual:.1} per dag (gemiddelde over de {VOLUME_HISTORY_DAYS} dagen ervoor)."
                ),
                at: list.last().map_or(now, |d| d.at),
            })
        })
        .collect()
}

fn sweeps(decisions: &[DecisionRecord]) -> Vec<Anomaly> {
    let mut found = Vec::new();
    for ((partner, professional), list) in by_professional(decisions) {
        // The widest window: the most distinct subjects in any SWEEP_WINDOW.
        let mut best: Option<(usize, DateTime<Utc>)> = None;
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut start = 0;
        for (end, d) in list.iter().enumerate() {
            *counts.entry(d.subject.as_str()).or_default() += 1;
            while list[start].at + SWEEP_WINDOW < d.at {
                let s = list[start].subject.as_str();
                if let Some(n) = counts.get_mut(s) {
                    *n -= 1;
                    if *n == 0 {
                        counts.remove(s);
                    }
                }
                start += 1;
            }
            let distinct = counts.len();
            if distinct >= SWEEP_SUBJECTS && best.is_none_or(|(n, _)| distinct > n) {
                best = Some((distinct, list[end].at));
            }
        }
        if let Some((n, at)) = best {
            found.push(Anomaly {
                kind: Kind::Sweep,
                partner: partner.to_owned(),
                professional: professional.to_owned(),
                detail: format!("{n} verschillende Amsterdammers binnen een uur opgevraagd."),
                at,
            });
        }
    }
    found
}

fn after_revocation(
    decisions: &[DecisionRecord],
    consents: &HashMap<String, Vec<Consent>>,
    register: &Register,
) -> Vec<Anomaly> {
    decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Deny && d.violations.iter().any(|v| v.vuistregel == 8))
        .filter_map(|d| {
            let revoked = consents.get(d.subject.as_str())?.iter().find(|c| {
                c.revoked_at.is_some_and(|at| at <= d.at)
                    && c.activities.contains(&d.activity)
                    && c.recipients.iter().any(|r| {
                        *r == d.recipient
                            || register.partner(&d.recipient).is_some_and(|p| p.kind == *r)
                    })
            })?;
            Some(Anomaly {
                kind: Kind::AfterRevocation,
                partner: d.partner.clone(),
                professional: d.professional.clone(),
                detail: format!(
                    "Geweigerd verzoek ({}) nadat de Amsterdammer toestemming {} had ingetrokken.",
                    d.activity, revoked.id
                ),
                at: d.at,
            })
        })
        .collect()
}

fn after_hours(decisions: &[DecisionRecord]) -> Vec<Anomaly> {
    by_professional(decisions)
        .into_iter()
        .filter_map(|((partner, professional), list)| {
            let outside: Vec<&&DecisionRecord> =
                list.iter().filter(|d| !working_hours(d.at)).collect();
            let last = outside.last()?;
            Some(Anomaly {
                kind: Kind::AfterHours,
                partner: partner.to_owned(),
                professional: professional.to_owned(),
                detail: format!(
                    "{} verzoek(en) buiten werktijd (ma-vr {WORK_START_HOUR}:00-{WORK_END_HOUR}:00), het laatste op {}.",
                    outside.len(),
                    local(last.at).format("%d-%m-%Y %H:%M")
                ),
                at: last.at,
            })
        })
        .collect()
}

/// Monday to Friday, 07:00 to 19:00 Amsterdam time.
pub fn working_hours(at: DateTime<Utc>) -> bool {
    let t = local(at);
    !matches!(t.weekday(), Weekday::Sat | Weekday::Sun)
        && (WORK_START_HOUR..WORK_END_HOUR).contains(&chrono::Timelike::hour(&t))
}

/// Amsterdam's local time: CET, or CEST from the last Sunday of March to the last Sunday of
/// October (01:00 UTC both), the EU rule.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + offset(at)
}

fn offset(at: DateTime<Utc>) -> Duration {
    let year = at.year();
    let summer_from = last_sunday(year, 3);
    let summer_to = last_sunday(year, 10);
    if at >= summer_from && at < summer_to {
        Duration::hours(2)
    } else {
        Duration::hours(1)
    }
}

/// 01:00 UTC on the last Sunday of `month`.
fn last_sunday(year: i32, month: u32) -> DateTime<Utc> {
    let mut day = NaiveDate::from_ymd_opt(year, month, 31)
        .or_else(|| NaiveDate::from_ymd_opt(year, month, 30))
        .unwrap_or_default();
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt().unwrap_or(day);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default())
}

/// The start of `day` in Amsterdam, as a moment.
pub fn start_of_local_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // The offset in force at that midnight (DST never changes at midnight).
    let guess = Utc.from_utc_datetime(&midnight);
    Utc.from_utc_datetime(&(midnight - offset(guess)))
}

/// Distinct subjects of refused requests (to look up their consents), at most `cap`.
pub fn refused_subjects(decisions: &[DecisionRecord], cap: usize) -> Vec<consent::SubjectId> {
    let mut seen = HashSet::new();
    decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Deny)
        .filter(|d| seen.insert(d.subject.as_str().to_owned()))
        .take(cap)
        .map(|d| d.subject.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn amsterdam_time_follows_summer_time() {
        assert_eq!(
            local(at("2026-01-15T06:30:00Z")).to_string(),
            "2026-01-15 07:30:00"
        );
        assert_eq!(
            local(at("2026-07-15T06:30:00Z")).to_string(),
            "2026-07-15 08:30:00"
        );
        // 2026's summer time starts on 29 March at 01:00 UTC and ends on 25 October.
        assert_eq!(
            local(at("2026-03-29T00:59:00Z")).to_string(),
            "2026-03-29 01:59:00"
        );
        assert_eq!(
            local(at("2026-03-29T01:00:00Z")).to_string(),
            "2026-03-29 03:00:00"
        );
        assert_eq!(
            local(at("2026-10-25T01:00:00Z")).to_string(),
            "2026-10-25 02:00:00"
        );
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        assert_eq!(start_of_local_day(day), at("2026-06-30T22:00:00Z"));
    }

    #[test]
    fn working_hours_are_weekdays_seven_to_seven_in_amsterdam() {
        // Friday 27 November 2026, 06:30 UTC = 07:30 in Amsterdam.
        assert!(working_hours(at("2026-11-27T06:30:00Z")));
        assert!(!working_hours(at("2026-11-27T05:59:00Z")));
        assert!(!working_hours(at("2026-11-27T18:00:00Z")));
        // Saturday.
        assert!(!working_hours(at("2026-11-28T10:00:00Z")));
    }
}
