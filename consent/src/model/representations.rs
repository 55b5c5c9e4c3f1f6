//! Who acts for whom (a legal representative or parent), with its period and its changes.

use chrono::{DateTime, Utc};

use policies::RepresentativeRole;

use super::consents::Actor;
use crate::{Sha256Hex, SubjectId};

/// One change in a representation's life, as the public log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepresentationChange {
    Recorded,
    Confirmed,
    Ended,
    Expired,
}

impl RepresentationChange {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Confirmed => "confirmed",
            Self::Ended => "ended",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Recorded, Self::Confirmed, Self::Ended, Self::Expired]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A representation to record: `representative` may act for `represented` in `role`, on `basis`,
/// from `valid_from` until `valid_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRepresentation {
    pub representative: SubjectId,
    pub represented: SubjectId,
    pub role: RepresentativeRole,
    /// What the representation rests on, e.g. a court decision, by reference.
    pub basis: String,
    pub document_sha256: Sha256Hex,
    /// How the representative knows the person (e.g. a first name), shown to them; optional.
    pub label: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The professional who recorded it, and their organisation.
    pub recorded_by: Actor,
}

/// A stored representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representation {
    pub id: String,
    pub representative: SubjectId,
    pub represented: SubjectId,
    pub role: RepresentativeRole,
    pub basis: String,
    pub document_sha256: Sha256Hex,
    pub label: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub recorded_by_partner: String,
    pub professional: String,
    pub created_at: DateTime<Utc>,
    /// Set when it was ended before `valid_until` (e.g. the court lifted it).
    pub ended_at: Option<DateTime<Utc>>,
    /// Set once it was confirmed: by the person represented, or by a second professional of the
    /// recording organisation. Until then it grants nothing.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed it: `amsterdammer`, or `<partner>/<professional>`.
    pub confirmed_by: Option<String>,
    /// Who ended it: `amsterdammer`, or `<partner>/<professional>`.
    pub ended_by: Option<String>,
}

/// A representation as its recording organisation's privacy officers review it: with what points
/// at misuse (one representative for many people; a representation used soon after it was
/// recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRepresentation {
    pub representation: Representation,
    /// When the representative first acted under it (a consent change or a refusal), if ever.
    pub first_used_at: Option<DateTime<Utc>>,
    /// How many different people the same representative represents in representations not
    /// ended, recorded by any organisation (this one included).
    pub representative_represents: u64,
}

impl Representation {
    /// Whether the representative may act under it at `now`: confirmed, not ended, within its period.
    pub fn in_force_at(&self, now: DateTime<Utc>) -> bool {
        self.confirmed_at.is_some()
            && self.ended_at.is_none()
            && self.valid_from <= now
            && now < self.valid_until
    }

    /// Whether it still waits for its confirmation (and so grants nothing).
    pub fn awaits_confirmation(&self) -> bool {
        self.confirmed_at.is_none() && self.ended_at.is_none()
    }
}
