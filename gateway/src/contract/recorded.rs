//! What an organisation recorded on behalf of residents, as its privacy officers read it: the
//! representations and the refusals, with the signs that call for a second look.

use crate::contract::RefusalView;
use crate::contract::RepresentationView;
use chrono::{DateTime, Duration, Utc};
use consent::RecordedRepresentation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// From this many people represented (in representations not ended) one representative is an
/// anomaly to look at: a parent of a large family, a professional bewindvoerder, or a takeover.
pub const MANY_REPRESENTED: u64 = 5;

/// Used this soon after it was recorded, a representation is an anomaly to look at.
pub const SOON_USED_MINUTES: i64 = 60;

/// Which of the organisation's records to read.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedFilter {
    /// Recorded from this time on (RFC 3339); default 90 days ago.
    pub from: Option<DateTime<Utc>>,
    /// At most this many, newest first (1 to 1000, default 200).
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

/// A representation as its recording organisation's officers review it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedRepresentationView {
    pub representation: RepresentationView,
    /// The professional who recorded it.
    pub professional: String,
    /// Keyed pseudonyms (never a BSN) of the representative and the person represented.
    pub representative: String,
    pub represented: String,
    /// When the representative first acted under it (a consent change or a refusal), if ever.
    pub first_used_at: Option<DateTime<Utc>>,
    /// How many people the same representative represents (not ended, any organisation).
    pub representative_represents: u64,
    /// `many_represented` and/or `used_within_an_hour`.
    pub anomalies: Vec<String>,
}

impl RecordedRepresentationView {
    pub fn new(r: RecordedRepresentation, now: DateTime<Utc>) -> Self {
        let mut anomalies = Vec::new();
        if r.representative_represents >= MANY_REPRESENTED {
            anomalies.push("many_represented".to_owned());
        }
        let soon = r.representation.created_at + Duration::minutes(SOON_USED_MINUTES);
        if r.first_used_at.is_some_and(|used| used < soon) {
            anomalies.push("used_within_an_hour".to_owned());
        }
        Self {
            professional: r.representation.professional.clone(),
            representative: r.representation.representative.as_str().to_owned(),
            represented: r.representation.represented.as_str().to_owned(),
            representation: RepresentationView::new(r.representation, now),
            first_used_at: r.first_used_at,
            representative_represents: r.representative_represents,
            anomalies,
        }
    }
}

/// A refusal as its recording organisation's officers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedRefusalView {
    pub refusal: RefusalView,
    /// The professional who recorded it.
    pub professional: Option<String>,
    /// Keyed pseudonym (never a BSN) of the resident.
    pub subject: String,
}
