//! The terms of a toestemmingsverklaring as a request states them, checked once against the register
//! and the consent trust model (`policies::trust`) before anything is stored, whoever records it: a
//! professional (`POST /v1/consents`) or the Amsterdammer (`POST /v1/me/consents`).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use consent::{Actor, Evidence, NewConsent};
use policies::{RecordingError, Standing, recording_by};

use super::parse;
use crate::error::ApiError;
use crate::state::AppState;

/// What a request to record a consent asks for, whoever sends it.
pub struct Terms<'a> {
    pub recipients: &'a [String],
    pub sources: Option<&'a [String]>,
    pub categories: &'a [String],
    pub activities: &'a [String],
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
}

/// Terms that passed the register and the trust model.
pub struct CheckedTerms {
    recipients: Vec<String>,
    sources: Option<Vec<String>>,
    activities: Vec<String>,
    categories: Vec<String>,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    standing: Standing,
}

impl Terms<'_> {
    /// Checks the terms against the register and the consent trust model (`policies::trust`).
    /// `recorder_kind` is the recording partner's kind; `None` when the Amsterdammer records.
    pub fn check(
        &self,
        state: &AppState,
        recorder_kind: Option<&str>,
    ) -> Result<CheckedTerms, ApiError> {
        let register = &state.register;
        if self.recipients.is_empty() || self.activities.is_empty() || self.categories.is_empty() {
            return Err(ApiError::bad_request(
                "invalid_request",
                "recipients, activities and categories must each name at least one",
            ));
        }
        let mut activities = Vec::new();
        for id in self.activities {
            let a = parse::activity(register, id)?;
            if a.legal_basis != policies::LegalBasis::Consent {
                return Err(ApiError::bad_request(
                    "not_consent_based",
                    format!(
                        "activity '{id}' rests on {}, not on consent",
                        a.legal_basis.as_str()
                    ),
                ));
            }
            activities.push(a);
        }
        let standing = match recorder_kind {
            Some(kind) => recording_by(kind, &activities)
                .map_err(|e| ApiError::new(StatusCode::FORBIDDEN, "not_a_party", e.to_string()))?,
            // The Amsterdammer gives consent themselves: nothing to confirm.
            None => Standing::Active,
        };
        policies::parties(register, &activities, self.recipients, self.sources).map_err(|e| {
            let code = match e {
                RecordingError::Recipient(_) => "invalid_recipient",
                RecordingError::Source(_) => "invalid_source",
                RecordingError::UnknownParty(_) | RecordingError::NotAParty { .. } => {
                    "unknown_partner"
                }
            };
            ApiError::bad_request(code, e.to_string())
        })?;
        let categories = parse::categories(register, self.categories)?;
        if let Some(cat) = categories
            .iter()
            .find(|c| !activities.iter().any(|a| a.fields.contains_key(*c)))
        {
            return Err(ApiError::bad_request(
                "category_not_needed",
                format!("category '{cat}' is not needed by any of the activities (vuistregel 1)"),
            ));
        }
        let now = state.clock.now();
        let valid_from = self.valid_from.unwrap_or(now);
        if self.valid_until <= valid_from {
            return Err(ApiError::bad_request(
                "invalid_period",
                "valid_until must lie after valid_from",
            ));
        }
        if self.valid_until - valid_from > state.consent.max_period() {
            return Err(ApiError::bad_request(
                "consent_period_too_long",
                format!(
                    "a toestemmingsverklaring may cover at most {} days from valid_from to valid_until",
                    state.consent.max_period_days
                ),
            ));
        }
        Ok(CheckedTerms {
            recipients: self.recipients.to_vec(),
            sources: self.sources.map(<[String]>::to_vec),
            activities: self.activities.to_vec(),
            categories: categories.into_iter().collect(),
            valid_from,
            valid_until: self.valid_until,
            standing,
        })
    }
}

impl CheckedTerms {
    pub fn into_new_consent(
        self,
        subject: consent::SubjectId,
        evidence: Evidence,
        note: Option<String>,
        recorded_by: Actor,
    ) -> NewConsent {
        NewConsent {
            subject,
            recipients: self.recipients,
            sources: self.sources,
            categories: self.categories,
            activities: self.activities,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            evidence,
            note,
            recorded_by,
            confirmed: self.standing == Standing::Active,
        }
    }
}
