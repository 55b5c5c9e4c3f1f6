//! The records, as the storage layer reads and writes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use policies::{LegalBasis, Mode, RepresentativeRole, Violation};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Permit,
    Deny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permit => "permit",
            Self::Deny => "deny",
        }
    }
}

/// One decision, permit or deny, without payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    /// The partner the professional acts for.
    pub partner: String,
    /// The professional (token `sub`).
    pub professional: String,
    pub role: String,
    pub activity: String,
    pub source: String,
    pub recipient: String,
    pub subject: SubjectId,
    pub categories: Vec<String>,
    pub outcome: Outcome,
    /// Each vuistregel broken; empty for a permit.
    pub violations: Vec<Violation>,
    pub consent_id: Option<String>,
    /// Set when a permitted request still ended without disclosure, e.g. `source_unavailable`.
    pub error: Option<String>,
    /// The version (SHA-256) of the register the decision was taken under; empty for decisions
    /// recorded before versions were.
    pub register_version: String,
}

/// A disclosure to be appended to the ledger. The payload itself is never here: only its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDisclosure {
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    /// The partner whose data was disclosed.
    pub source: String,
    /// The partner that received it.
    pub recipient: String,
    pub professional: String,
    pub subject: SubjectId,
    pub activity: String,
    pub legal_basis: LegalBasis,
    pub categories: Vec<String>,
    /// `category.field` of every field released.
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    pub justification: Option<String>,
    /// SHA-256 (hex) of the released payload (canonical JSON).
    pub payload_sha256: Sha256Hex,
    pub decision_id: String,
    pub retain_until: DateTime<Utc>,
}

/// A stored ledger entry: in the clear what names no person and what its leaf commits to; the
/// personal part of the record as far as it can still be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// Position in the ledger (0-based), the Merkle leaf index.
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub mode: Mode,
    pub source: String,
    pub recipient: String,
    pub subject: SubjectId,
    pub activity: String,
    pub legal_basis: LegalBasis,
    pub decision_id: String,
    pub retain_until: DateTime<Utc>,
    /// The salted digest of the whole record that the leaf commits to (see `leaf`).
    pub record_digest: [u8; 32],
    /// RFC 9162 leaf hash of the entry.
    pub leaf_hash: [u8; 32],
    pub content: Content,
    /// Deferred notice: until then the entry is not shown to the Amsterdammer (it is in the log).
    pub hidden_until: Option<DateTime<Utc>>,
}

/// The personal part of a ledger record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Readable(Personal),
    /// Erased (retention ended, or at the Amsterdammer's request): its key and sealed record are gone.
    Erased(ErasureMark),
    /// Sealed, and opened without the key-encryption key (an inspection of the log only).
    Sealed,
}

/// The part of a ledger record that is sealed at rest, under the record key of its subject and
/// retention month, with the salt of its leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    /// Hex of the 16 random bytes mixed into the record digest (see `seal::Seal`).
    pub salt: String,
    pub professional: String,
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub consent_id: Option<String>,
    pub justification: Option<String>,
    pub payload_sha256: Sha256Hex,
}

/// That, when and why an entry was erased, and the erasure entry of the log that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureMark {
    pub at: DateTime<Utc>,
    pub reason: ErasureReason,
    pub erasure_index: u64,
}

/// Why personal content was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// Its retention period ended (vuistregel 5).
    Retention,
    /// The Amsterdammer asked for erasure (art. 17 AVG), handled by a privacy officer.
    Request,
}

impl ErasureReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retention => "retention",
            Self::Request => "request",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "retention" => Some(Self::Retention),
            "request" => Some(Self::Request),
            _ => None,
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

/// A consent entry of the log: one change in a toestemmingsverklaring's life (see `leaf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub event: ConsentChange,
    /// A partner id, `amsterdammer`, or [`EXPIRY_ACTOR`].
    pub actor: String,
    pub consent_id: String,
    pub subject: SubjectId,
    pub professional: Option<String>,
    pub representation: Option<String>,
    /// Hex; mixed into the digest so an entry cannot be confirmed by guessing it.
    pub salt: String,
    pub record_digest: [u8; 32],
    pub leaf_hash: [u8; 32],
}

/// What to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erase {
    /// Every entry whose retention ended by `now`, and every record key of a month that has passed.
    Expired,
    /// Every entry about the subject, and all their record keys.
    Subject(SubjectId),
}

/// An erasure entry of the log: names no person, only which entries lost their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub reason: ErasureReason,
    /// The log indexes of the entries erased, ascending.
    pub entries: Vec<u64>,
    pub leaf_hash: [u8; 32],
}

/// A refusal to record: never to this recipient (partner id or kind), this category, this activity
/// (at least one of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefusal {
    pub subject: SubjectId,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Actor,
}

/// A stored refusal (weigering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    pub subject: SubjectId,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    /// The partner id that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    /// The professional who recorded it; `None` when the Amsterdammer did.
    pub professional: Option<String>,
    /// The representation under which a representative recorded it.
    pub representation: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set once withdrawn; from then on it binds nothing.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it: `amsterdammer`, or `<partner>/<professional>` of the organisation that
    /// recorded it.
    pub withdrawn_by: Option<String>,
}

/// One leaf of the log: a disclosure, or an erasure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerEntry {
    Disclosure(Box<Disclosure>),
    Erasure(ErasureEntry),
    Consent(Box<ConsentEntry>),
    Representation(Box<RepresentationEntry>),
}

impl LedgerEntry {
    pub fn log_index(&self) -> u64 {
        match self {
            Self::Disclosure(d) => d.log_index,
            Self::Erasure(e) => e.log_index,
            Self::Consent(c) => c.log_index,
            Self::Representation(r) => r.log_index,
        }
    }
}

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

/// A representation change as an entry of the public log: its leaf names no person (time, event,
/// who acted); the salted digest commits to the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepresentationEntry {
    pub log_index: u64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub event: RepresentationChange,
    /// A partner id, `amsterdammer`, or [`EXPIRY_ACTOR`].
    pub actor: String,
    pub representation_id: String,
    /// The person represented (keyed pseudonym).
    pub subject: SubjectId,
    pub professional: Option<String>,
    /// Hex; mixed into the digest so an entry cannot be confirmed by guessing it.
    pub salt: String,
    pub record_digest: [u8; 32],
    pub leaf_hash: [u8; 32],
}

impl Disclosure {
    /// Whether the Amsterdammer may be shown the entry at `now` (deferred notice ends).
    pub fn shown_at(&self, now: DateTime<Utc>) -> bool {
        self.hidden_until.is_none_or(|until| until <= now)
    }

    /// The personal part, if it can be read.
    pub fn personal(&self) -> Option<&Personal> {
        match &self.content {
            Content::Readable(p) => Some(p),
            _ => None,
        }
    }

    /// The whole record as it was appended, if its personal part can be read.
    pub fn record(&self) -> Option<NewDisclosure> {
        let p = self.personal()?;
        Some(NewDisclosure {
            id: self.id.clone(),
            at: self.at,
            mode: self.mode,
            source: self.source.clone(),
            recipient: self.recipient.clone(),
            professional: p.professional.clone(),
            subject: self.subject.clone(),
            activity: self.activity.clone(),
            legal_basis: self.legal_basis,
            categories: p.categories.clone(),
            fields: p.fields.clone(),
            consent_id: p.consent_id.clone(),
            justification: p.justification.clone(),
            payload_sha256: p.payload_sha256.clone(),
            decision_id: self.decision_id.clone(),
            retain_until: self.retain_until,
        })
    }
}

impl NewDisclosure {
    /// The personal part of this record, to be sealed, with the salt of its leaf.
    pub fn personal(&self, salt: &str) -> Personal {
        Personal {
            salt: salt.to_owned(),
            professional: self.professional.clone(),
            categories: self.categories.clone(),
            fields: self.fields.clone(),
            consent_id: self.consent_id.clone(),
            justification: self.justification.clone(),
            payload_sha256: self.payload_sha256.clone(),
        }
    }
}

/// What one request writes when it ends: its decision, and its disclosure if one happened. Both go
/// into the same group commit.
#[derive(Debug, Clone)]
pub struct LedgerWrite {
    pub decision: DecisionRecord,
    pub disclosure: Option<NewDisclosure>,
    /// With a disclosure: its entry is kept from the Amsterdammer until a date (deferred notice).
    pub deferral: Option<Deferral>,
}

/// Deferred notice, never secrecy (issue 9 item 5): where telling the Amsterdammer at once would
/// endanger someone, the sender may hold a disclosure's entry back from them until `until`. It is
/// in the ledger and its proofs from the start; privacy officers see it and may shorten the delay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    pub until: DateTime<Utc>,
    pub reason: String,
    /// The sending organisation and professional.
    pub set_by_partner: String,
    pub set_by: String,
}

/// A deferral as stored, with the disclosure it holds back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferralRecord {
    pub disclosure_id: String,
    pub deferral: Deferral,
    pub created_at: DateTime<Utc>,
    /// Set when a privacy officer shortened the delay: when, and who (organisation, id).
    pub shortened: Option<(DateTime<Utc>, String, String)>,
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

/// A notification to queue for a partner's system: its consent changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub id: String,
    pub partner: String,
    pub consent_id: String,
    /// `revoked`, `superseded` or `expired`.
    pub change: String,
    pub changed_at: DateTime<Utc>,
    /// The JSON body, exactly as it is signed and sent.
    pub body: String,
}

/// A queued notification and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub partner: String,
    pub consent_id: String,
    pub change: String,
    pub changed_at: DateTime<Utc>,
    pub body: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Failed; try again at `retry_at`, or give up (`None`).
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// A privacy officer's judgement of a disclosure made under a basis other than consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The justification holds.
    Approve,
    /// It does not, or needs follow-up: flagged for the organisation's attention.
    Flag,
}

impl ReviewOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Flag => "flag",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "flag" => Some(Self::Flag),
            _ => None,
        }
    }
}

/// A session of the pages (`/mijn`, `/audit`), kept server-side so every replica agrees on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSession {
    /// SHA-256 hex of the session id the cookie carries; the id itself is never stored.
    pub id_digest: String,
    /// `mijn` or `audit`.
    pub area: String,
    /// Who is signed in: a keyed pseudonym, or `<partner>\n<officer>`; never a BSN.
    pub principal: String,
    pub created_at: DateTime<Utc>,
    /// Its absolute end, however busy it is.
    pub expires_at: DateTime<Utc>,
}

/// Which disclosures of the review queue to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewSelection {
    All,
    /// Those this organisation's privacy officers have not reviewed yet (each party reviews for
    /// itself; another party's verdict does not take a disclosure out of its queue).
    NotYetReviewedBy(String),
    /// Those whose latest review by some organisation flags them: a flag stays until the
    /// organisation that set it reviews again, whatever the others say.
    Flagged,
}

/// One review of a disclosure by an organisation's privacy officer; per organisation the latest
/// one counts, the earlier ones stay readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: String,
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    pub outcome: ReviewOutcome,
    pub note: String,
    /// The privacy officer's organisation and id (token `sub`).
    pub officer_partner: String,
    pub officer: String,
}

/// What a privacy officer asks to see. Every filter is optional; `organisation` limits the answer to
/// the traffic that organisation took part in (an officer who is not city-wide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Traffic this partner took part in: as source or recipient (and, for decisions, as caller).
    pub partner: Option<String>,
    pub activity: Option<String>,
    /// Disclosures only: their legal basis.
    pub basis: Option<LegalBasis>,
    /// Decisions only: permit or deny.
    pub outcome: Option<Outcome>,
    pub organisation: Option<String>,
    pub limit: u32,
}

/// A read of the audit API, as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRead {
    pub at: DateTime<Utc>,
    pub officer_partner: String,
    pub officer: String,
    /// The route read.
    pub what: String,
    /// The filters, as given.
    pub query: String,
    pub results: u64,
}
