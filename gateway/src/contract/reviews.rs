//! The privacy officers' review queue and deferred notices in the v1 contract, with the verdict
//! rules that read the reviews.

use crate::contract::AuditDisclosureView;
use chrono::{DateTime, Utc};
use consent::{Disclosure, Review, ReviewOutcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewFilter {
    /// `pending` (default: not yet reviewed by the officer's own organisation), `flagged` (some
    /// organisation's latest review flags it) or `all`.
    pub status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// At most this many, newest first: 1 to 1000, default 200.
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    /// `approve` or `flag`.
    pub outcome: String,
    pub note: String,
    /// The privacy officer's organisation and id.
    pub by_partner: String,
    pub by: String,
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        Self {
            id: r.id,
            disclosure_id: r.disclosure_id,
            at: r.at,
            outcome: r.outcome.as_str().to_owned(),
            note: r.note,
            by_partner: r.officer_partner,
            by: r.officer,
        }
    }
}

/// A disclosure on a basis other than consent, with every review and each party's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItemView {
    pub disclosure: AuditDisclosureView,
    /// Over all organisations: `flagged` when any organisation's latest review flags it (another
    /// organisation's approval does not lift that), `approved` when every organisation that
    /// reviewed it approved, `pending` before any review.
    pub status: String,
    /// One per organisation: the source, the recipient, and any other (city-wide) organisation
    /// that reviewed it, each with its own latest verdict.
    pub verdicts: Vec<VerdictView>,
    /// Every review, oldest first.
    pub reviews: Vec<ReviewView>,
}

/// One organisation's verdict on a disclosure: its officers' latest review.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictView {
    pub partner: String,
    /// `pending`, `approved` or `flagged`.
    pub status: String,
    /// The latest review's time and officer; absent while pending.
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
}

impl ReviewItemView {
    pub fn new(d: Disclosure, reviews: Vec<Review>) -> Self {
        Self {
            status: review_status(&reviews).to_owned(),
            verdicts: verdicts(&d, &reviews)
                .into_iter()
                .map(|(partner, latest)| VerdictView {
                    partner: partner.to_owned(),
                    status: verdict(latest.map(|r| r.outcome)).to_owned(),
                    at: latest.map(|r| r.at),
                    by: latest.map(|r| r.officer.clone()),
                })
                .collect(),
            disclosure: d.into(),
            reviews: reviews.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `approve` or `flag`.
    pub outcome: String,
    /// Why: at least 10 characters someone else can follow.
    pub note: String,
}

/// Over all organisations (`reviews` oldest first): `flagged` when any organisation's latest
/// review flags it, `approved` when every organisation that reviewed it approved, else `pending`.
pub fn review_status(reviews: &[Review]) -> &'static str {
    let latest = latest_per_organisation(reviews);
    if latest.iter().any(|r| r.outcome == ReviewOutcome::Flag) {
        "flagged"
    } else if latest.is_empty() {
        "pending"
    } else {
        "approved"
    }
}

/// `pending`, `approved` or `flagged` for one organisation's latest outcome.
pub fn verdict(latest: Option<ReviewOutcome>) -> &'static str {
    match latest {
        None => "pending",
        Some(ReviewOutcome::Approve) => "approved",
        Some(ReviewOutcome::Flag) => "flagged",
    }
}

/// Each party's latest review of `d`: the source, the recipient, then any other organisation that
/// reviewed it, in the order of their first review.
pub fn verdicts<'a>(
    d: &'a Disclosure,
    reviews: &'a [Review],
) -> Vec<(&'a str, Option<&'a Review>)> {
    let latest = latest_per_organisation(reviews);
    let mut parties: Vec<&str> = vec![d.source.as_str()];
    if d.recipient != d.source {
        parties.push(d.recipient.as_str());
    }
    for r in &latest {
        if !parties.contains(&r.officer_partner.as_str()) {
            parties.push(r.officer_partner.as_str());
        }
    }
    parties
        .into_iter()
        .map(|p| (p, latest.iter().copied().find(|r| r.officer_partner == p)))
        .collect()
}

/// The latest review of each organisation, in the order of their first review.
fn latest_per_organisation(reviews: &[Review]) -> Vec<&Review> {
    let mut latest: Vec<&Review> = Vec::new();
    for r in reviews {
        match latest
            .iter_mut()
            .find(|l| l.officer_partner == r.officer_partner)
        {
            Some(l) => *l = r,
            None => latest.push(r),
        }
    }
    latest
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeferralFilter {
    /// Disclosures from this time on (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// At most this many, newest first: 1 to 1000, default 200.
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

/// A disclosure whose notice to the Amsterdammer was deferred.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeferralView {
    pub disclosure: AuditDisclosureView,
    /// Until when the Amsterdammer is not shown the entry.
    pub until: DateTime<Utc>,
    /// Whether it is still held back now.
    pub hidden: bool,
    pub reason: String,
    /// The sender who deferred it (organisation, professional).
    pub set_by_partner: String,
    pub set_by: String,
    pub created_at: DateTime<Utc>,
    /// Set when a privacy officer shortened it.
    pub shortened: Option<ShortenedView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShortenedView {
    pub at: DateTime<Utc>,
    pub by_partner: String,
    pub by: String,
}

impl DeferralView {
    pub fn new(d: Disclosure, r: consent::DeferralRecord, now: DateTime<Utc>) -> Self {
        Self {
            disclosure: d.into(),
            until: r.deferral.until,
            hidden: r.deferral.until > now,
            reason: r.deferral.reason,
            set_by_partner: r.deferral.set_by_partner,
            set_by: r.deferral.set_by,
            created_at: r.created_at,
            shortened: r
                .shortened
                .map(|(at, by_partner, by)| ShortenedView { at, by_partner, by }),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortenRequest {
    /// The new end (RFC 3339): earlier than the current one; now or earlier shows the entry at once.
    pub until: DateTime<Utc>,
}
