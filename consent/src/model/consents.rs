//! The toestemmingsverklaring as stored: who gave it, to whom, for what, and its history of changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use policies::RepresentativeRole;

use crate::{Sha256Hex, SubjectId};

/// How the toestemmingsverklaring was obtained (seed 004 §2.4.6: it must be registered in the dossier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// e.g. `signed_form`, `verbal_recorded`, `digital_signature`.
    pub method: String,
    /// SHA-256 of the signed document held by the recording organisation.
    pub document_sha256: Sha256Hex,
    /// The professional who recorded it.
    pub recorded_by: String,
}

/// The party name that stands for the Amsterdammer acting themselves, in place of a partner id.
pub const AMSTERDAMMER: &str = "amsterdammer";

/// Who acted on a consent: a professional of a partner, or the Amsterdammer (themselves, or a
/// representative acting for them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A partner id, or [`AMSTERDAMMER`].
    pub party: String,
    /// The professional (token `sub`); `None` when the Amsterdammer acted.
    pub professional: Option<String>,
    /// The representation a representative acted under; `None` when the Amsterdammer acted
    /// themselves (or a professional did).
    pub representation: Option<String>,
}

impl Actor {
    pub fn professional(partner: &str, sub: &str) -> Self {
        Self {
            party: partner.to_owned(),
            professional: Some(sub.to_owned()),
            representation: None,
        }
    }

    pub fn amsterdammer() -> Self {
        Self {
            party: AMSTERDAMMER.to_owned(),
            professional: None,
            representation: None,
        }
    }

    /// A representative acting for the Amsterdammer under the representation `id`.
    pub fn representative(representation: &str) -> Self {
        Self {
            party: AMSTERDAMMER.to_owned(),
            professional: None,
            representation: Some(representation.to_owned()),
        }
    }
}

/// Who gave a toestemmingsverklaring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantor {
    /// The Amsterdammer themselves.
    Subject,
    /// A parent or guardian of a child under 16 (UAVG art. 5), or a legal representative.
    Representative {
        role: RepresentativeRole,
        /// The representative's keyed pseudonym.
        person: SubjectId,
        /// The recorded representation they acted under, when there is one.
        representation: Option<String>,
    },
}

impl Grantor {
    /// `self`, or the representative's role.
    pub fn role_str(&self) -> &'static str {
        match self {
            Self::Subject => "self",
            Self::Representative { role, .. } => role.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub subject: SubjectId,
    /// Partner ids or partner kinds, as given.
    pub recipients: Vec<String>,
    /// `None`: the `from` kinds of the activities.
    pub sources: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub evidence: Evidence,
    pub note: Option<String>,
    /// Who recorded it.
    pub recorded_by: Actor,
    /// Active at once (recorded by a listed recorder of every activity, or by the Amsterdammer);
    /// otherwise it awaits confirmation.
    pub confirmed: bool,
    pub grantor: Grantor,
    /// The language the Amsterdammer was informed in and gave consent in (BCP 47, e.g. `nl`).
    pub language: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Active,
    Revoked,
    Expired,
    /// Recorded, but awaiting confirmation or with `valid_from` ahead: it covers nothing yet.
    Pending,
    /// Replaced by a newer version (an amendment); covers nothing.
    Superseded,
    /// Awaited confirmation, and the Amsterdammer refused it; covers nothing.
    Refused,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Pending => "pending",
            Self::Superseded => "superseded",
            Self::Refused => "refused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub at: DateTime<Utc>,
    /// `recorded`, `confirmed`, `revoked`, `amended` (this version was recorded as an amendment),
    /// `superseded` (a newer version replaced it) or `refused`.
    pub event: String,
    /// A partner id, or `amsterdammer` when the resident (or their representative) acted.
    pub by: String,
    /// The professional (token `sub`) who acted for the partner.
    pub professional: Option<String>,
    /// The representation a representative acted under.
    pub representation: Option<String>,
    /// Where the change is in the public log (none for changes made before consents were logged).
    pub log_index: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub subject: SubjectId,
    pub recipients: Vec<String>,
    pub sources: Option<Vec<String>>,
    pub categories: Vec<String>,
    pub activities: Vec<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub evidence: Evidence,
    pub note: Option<String>,
    /// The partner id that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `None` while it awaits confirmation.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub history: Vec<ConsentEvent>,
    pub grantor: Grantor,
    pub language: String,
    /// 1 for a consent as first recorded; each amendment is the next version.
    pub version: u32,
    /// The version this one replaced.
    pub supersedes: Option<String>,
    /// When and by which version this one was replaced.
    pub superseded: Option<(DateTime<Utc>, String)>,
    pub refused_at: Option<DateTime<Utc>>,
}

impl Consent {
    pub fn awaits_confirmation(&self) -> bool {
        self.confirmed_at.is_none() && !self.ended()
    }

    /// Revoked, superseded or refused: it covers nothing, ever again.
    pub fn ended(&self) -> bool {
        self.revoked_at.is_some() || self.superseded.is_some() || self.refused_at.is_some()
    }

    /// When it stopped covering anything for good, and why (`revoked`, `superseded`, `refused` or
    /// `expired`); `None` while it may still cover something at or after `now`.
    pub fn ended_at(&self, now: DateTime<Utc>) -> Option<(ConsentStatus, DateTime<Utc>)> {
        let ended = [
            self.revoked_at.map(|t| (ConsentStatus::Revoked, t)),
            self.superseded
                .as_ref()
                .map(|(t, _)| (ConsentStatus::Superseded, *t)),
            self.refused_at.map(|t| (ConsentStatus::Refused, t)),
            Some((ConsentStatus::Expired, self.valid_until)).filter(|(_, t)| *t <= now),
        ];
        ended.into_iter().flatten().min_by_key(|(_, t)| *t)
    }

    /// [`Self::ended_at`], if that was after `since` and no later than `until`: what a feed of
    /// changes over that window reports.
    pub fn ended_between(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<(ConsentStatus, DateTime<Utc>)> {
        self.ended_at(now)
            .filter(|(_, at)| *at > since && *at <= until)
    }

    pub fn status_at(&self, now: DateTime<Utc>) -> ConsentStatus {
        if self.revoked_at.is_some() {
            ConsentStatus::Revoked
        } else if self.superseded.is_some() {
            ConsentStatus::Superseded
        } else if self.refused_at.is_some() {
            ConsentStatus::Refused
        } else if now >= self.valid_until {
            ConsentStatus::Expired
        } else if self.confirmed_at.is_none() || now < self.valid_from {
            ConsentStatus::Pending
        } else {
            ConsentStatus::Active
        }
    }
}

/// A change in a consent's life, as the public log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentChange {
    Recorded,
    Amended,
    Superseded,
    Confirmed,
    Revoked,
    Refused,
    /// Its validity ended by the clock.
    Expired,
}

impl ConsentChange {
    pub const ALL: [Self; 7] = [
        Self::Recorded,
        Self::Amended,
        Self::Superseded,
        Self::Confirmed,
        Self::Revoked,
        Self::Refused,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Amended => "amended",
            Self::Superseded => "superseded",
            Self::Confirmed => "confirmed",
            Self::Revoked => "revoked",
            Self::Refused => "refused",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Who is named as the actor of an expiry: nobody acted, the clock ran out.
pub const EXPIRY_ACTOR: &str = "gateway";
