//! Consents as both databases return them: the consent row, its events, the row joined with its
//! history, and how they become [`Consent`]s.

use std::collections::HashMap;

use policies::RepresentativeRole;
use sqlx::FromRow;

use super::encode::digest;
use super::encode::{DbTime, from_json};
use crate::SubjectId;
use crate::model::{Consent, ConsentEvent, Evidence, Grantor};
use crate::store::StoreError;

pub const CONSENT_COLUMNS: &str = "id, subject, recipients, sources, categories, activities, valid_from, valid_until, \
     evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, \
     revoked_at, confirmed_at, grantor_role, grantor, representation_id, language, version, supersedes, \
     superseded_at, superseded_by, refused_at";

pub const EVENT_COLUMNS: &str =
    "consent_id, at, event, actor, professional, representation_id, log_index";

#[derive(Debug, FromRow)]
pub struct ConsentRow {
    id: String,
    subject: String,
    recipients: String,
    sources: Option<String>,
    categories: String,
    activities: String,
    valid_from: DbTime,
    valid_until: DbTime,
    evidence_method: String,
    evidence_document_sha256: String,
    evidence_recorded_by: String,
    note: Option<String>,
    recorded_by_partner: String,
    created_at: DbTime,
    revoked_at: Option<DbTime>,
    confirmed_at: Option<DbTime>,
    grantor_role: String,
    grantor: Option<String>,
    representation_id: Option<String>,
    language: String,
    version: i64,
    supersedes: Option<String>,
    superseded_at: Option<DbTime>,
    superseded_by: Option<String>,
    refused_at: Option<DbTime>,
}

#[derive(Debug, FromRow)]
pub struct EventRow {
    consent_id: String,
    at: DbTime,
    event: String,
    actor: String,
    professional: Option<String>,
    representation_id: Option<String>,
    log_index: Option<i64>,
}

/// A consent joined with one step of its history (`h_*`, all NULL for a consent without any), so
/// a consent and its history come from one statement: one snapshot, one round trip.
#[derive(Debug, FromRow)]
pub struct ConsentHistoryRow {
    #[sqlx(flatten)]
    consent: ConsentRow,
    h_consent_id: Option<String>,
    h_at: Option<DbTime>,
    h_event: Option<String>,
    h_actor: Option<String>,
    h_professional: Option<String>,
    h_representation_id: Option<String>,
    h_log_index: Option<i64>,
}

impl ConsentRow {
    /// The row as [`direct`](super::direct) reads it: [`CONSENT_COLUMNS`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            subject: row.get(1)?,
            recipients: row.get(2)?,
            sources: row.get(3)?,
            categories: row.get(4)?,
            activities: row.get(5)?,
            valid_from: row.get(6)?,
            valid_until: row.get(7)?,
            evidence_method: row.get(8)?,
            evidence_document_sha256: row.get(9)?,
            evidence_recorded_by: row.get(10)?,
            note: row.get(11)?,
            recorded_by_partner: row.get(12)?,
            created_at: row.get(13)?,
            revoked_at: row.get(14)?,
            confirmed_at: row.get(15)?,
            grantor_role: row.get(16)?,
            grantor: row.get(17)?,
            representation_id: row.get(18)?,
            language: row.get(19)?,
            version: row.get(20)?,
            supersedes: row.get(21)?,
            superseded_at: row.get(22)?,
            superseded_by: row.get(23)?,
            refused_at: row.get(24)?,
        })
    }
}

impl ConsentHistoryRow {
    /// The row as [`direct`](super::direct) reads it: the columns of
    /// [`consent_history_columns`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            consent: ConsentRow::from_direct(row)?,
            h_consent_id: row.get(25)?,
            h_at: row.get(26)?,
            h_event: row.get(27)?,
            h_actor: row.get(28)?,
            h_professional: row.get(29)?,
            h_representation_id: row.get(30)?,
            h_log_index: row.get(31)?,
        })
    }
}

/// The columns of [`ConsentHistoryRow`] over `consents c LEFT JOIN consent_history h`.
pub fn consent_history_columns() -> String {
    let consent = CONSENT_COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let history = EVENT_COLUMNS
        .split(',')
        .map(|c| format!("h.{0} AS h_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{consent}, {history}")
}

/// Consents from rows ordered by consent and then history: each consent once, with its steps in
/// that order.
pub fn consents_from_joined(rows: Vec<ConsentHistoryRow>) -> Result<Vec<Consent>, StoreError> {
    let mut consents: Vec<(ConsentRow, Vec<ConsentEvent>)> = Vec::new();
    for row in rows {
        let event = match (row.h_consent_id, row.h_at, row.h_event, row.h_actor) {
            (None, ..) => None,
            (Some(_), Some(at), Some(event), Some(actor)) => Some(ConsentEvent {
                at: at.0,
                event,
                by: actor,
                professional: row.h_professional,
                representation: row.h_representation_id,
                log_index: row.h_log_index.and_then(|i| u64::try_from(i).ok()),
            }),
            (Some(id), ..) => {
                return Err(StoreError::Corrupt(format!(
                    "a history step of consent {id} lacks its time, event or actor"
                )));
            }
        };
        match consents.last_mut() {
            Some((consent, history)) if consent.id == row.consent.id => history.extend(event),
            _ => consents.push((row.consent, event.into_iter().collect())),
        }
    }
    consents
        .into_iter()
        .map(|(row, history)| row.into_consent(history))
        .collect()
}

/// Consents with their histories: each event goes to its consent, in the order given.
pub fn consents_with_history(
    rows: Vec<ConsentRow>,
    events: Vec<EventRow>,
) -> Result<Vec<Consent>, StoreError> {
    let mut histories: HashMap<String, Vec<ConsentEvent>> = HashMap::new();
    for e in events {
        histories
            .entry(e.consent_id)
            .or_default()
            .push(ConsentEvent {
                at: e.at.0,
                event: e.event,
                by: e.actor,
                professional: e.professional,
                representation: e.representation_id,
                log_index: e.log_index.and_then(|i| u64::try_from(i).ok()),
            });
    }
    rows.into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            row.into_consent(history)
        })
        .collect()
}

impl ConsentRow {
    fn into_consent(self, history: Vec<ConsentEvent>) -> Result<Consent, StoreError> {
        let grantor = match (self.grantor_role.as_str(), self.grantor) {
            ("self", _) => Grantor::Subject,
            (role, Some(person)) => Grantor::Representative {
                role: RepresentativeRole::parse(role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown grantor role {role:?}")))?,
                person: SubjectId::from_stored(person),
                representation: self.representation_id,
            },
            (role, None) => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} names a {role} as grantor but not who",
                    self.id
                )));
            }
        };
        let superseded = match (self.superseded_at, self.superseded_by) {
            (Some(at), Some(by)) => Some((at.0, by)),
            (None, None) => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "consent {} is half superseded",
                    self.id
                )));
            }
        };
        Ok(Consent {
            grantor,
            language: self.language,
            version: u32::try_from(self.version)
                .map_err(|_| StoreError::Corrupt(format!("consent version {}", self.version)))?,
            supersedes: self.supersedes,
            superseded,
            refused_at: self.refused_at.map(|t| t.0),
            subject: SubjectId::from_stored(self.subject),
            recipients: from_json(&self.recipients)?,
            sources: self.sources.as_deref().map(from_json).transpose()?,
            categories: from_json(&self.categories)?,
            activities: from_json(&self.activities)?,
            valid_from: self.valid_from.0,
            valid_until: self.valid_until.0,
            evidence: Evidence {
                method: self.evidence_method,
                document_sha256: digest(self.evidence_document_sha256)?,
                recorded_by: self.evidence_recorded_by,
            },
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            created_at: self.created_at.0,
            revoked_at: self.revoked_at.map(|t| t.0),
            confirmed_at: self.confirmed_at.map(|t| t.0),
            history,
            id: self.id,
        })
    }
}
