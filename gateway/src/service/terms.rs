//! The terms of a toestemmingsverklaring as a request states them, checked once against the register
//! and the consent trust model (`policies::trust`) before anything is stored, whoever records it: a
//! professional (`POST /v1/consents`) or the Amsterdammer (`POST /v1/me/consents`).

use chrono::{DateTime, Months, NaiveDate, Utc};
use consent::{Actor, Evidence, Grantor, NewConsent};
use policies::{AGE_OF_CONSENT, RecordingError, RepresentativeRole, Standing, recording_by};

use crate::auth::{Citizen, within_role};
use crate::contract::GrantorBody;
use crate::error::ApiError;
use crate::service::parse;
use crate::state::AppState;

/// What a request to record a consent asks for, whoever sends it.
#[derive(Debug)]
pub struct Terms<'a> {
    pub recipients: &'a [String],
    pub sources: Option<&'a [String]>,
    pub categories: &'a [String],
    pub activities: &'a [String],
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: DateTime<Utc>,
    /// BCP 47; `None`: `nl`.
    pub language: Option<&'a str>,
}

/// Terms that passed the register and the trust model.
#[derive(Debug)]
pub struct CheckedTerms {
    recipients: Vec<String>,
    sources: Option<Vec<String>>,
    activities: Vec<String>,
    categories: Vec<String>,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    standing: Standing,
    language: String,
}

impl Terms<'_> {
    /// Checks the terms against the register and the consent trust model (`policies::trust`).
    /// `recorder_kind` is the recording partner's kind; `None` when the Amsterdammer records.
    pub fn check(
        &self,
        state: &AppState,
        recorder_kind: Option<&str>,
    ) -> Result<CheckedTerms, ApiError> {
        let register = &state.register();
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
                .map_err(|e| ApiError::refused("not_a_party", e.to_string()))?,
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
        let language = language(self.language)?;
        Ok(CheckedTerms {
            language,
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
    /// A consent a representative records follows the recorder rules of its activities: it waits
    /// for a listed recorder (or the person themselves) to confirm it.
    pub fn recorded_by_a_representative(mut self) -> Self {
        self.standing = Standing::AwaitingConfirmation;
        self
    }

    /// Whether the consent is active at once (not pending confirmation).
    pub fn is_active_at_once(&self) -> bool {
        self.standing == Standing::Active
    }

    /// Who gave the consent a professional records for `subject`: the Amsterdammer, unless `body`
    /// names a parent or guardian (of a child under 16, by `birth_date`) or a legal representative
    /// with a representation in force that covers every category.
    pub async fn grantor_recorded(
        &self,
        state: &AppState,
        subject: &consent::SubjectId,
        body: Option<&GrantorBody>,
        birth_date: Option<NaiveDate>,
    ) -> Result<Grantor, ApiError> {
        let sixteenth = birth_date
            .map(|b| {
                b.checked_add_months(Months::new(12 * AGE_OF_CONSENT))
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_birth_date",
                            "subject_birth_date is not a date of birth",
                        )
                        .at("subject_birth_date")
                    })
            })
            .transpose()?;
        let child = sixteenth.is_some_and(|d| self.valid_from.date_naive() < d);
        let role = match body.map(|g| g.role.as_str()) {
            None | Some("self") => {
                let named = body
                    .and_then(|g| g.bsn.as_deref())
                    .map(|b| parse::bsn_at("grantor.bsn", b))
                    .transpose()?;
                if named.is_some_and(|b| state.pseudonyms.subject(&b) != *subject) {
                    return Err(ApiError::bad_request(
                        "invalid_grantor",
                        "grantor role 'self' is the Amsterdammer: give no other BSN, or name the grantor's role",
                    )
                    .at("grantor.bsn"));
                }
                if child {
                    return Err(ApiError::bad_request(
                        "grantor_required",
                        format!("a child under {AGE_OF_CONSENT} cannot give consent themselves (UAVG art. 5): name the parent or guardian who gave it"),
                    )
                    .at("grantor"));
                }
                return Ok(Grantor::Subject);
            }
            Some(r) => RepresentativeRole::parse(r).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_grantor",
                    "grantor.role is one of self, parent, guardian, mentor, curator, bewindvoerder",
                )
                .at("grantor.role")
            })?,
        };
        let bsn = body.and_then(|g| g.bsn.as_deref()).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_grantor",
                format!(
                    "a {} who gives consent is named by their BSN",
                    role.as_str()
                ),
            )
            .at("grantor.bsn")
        })?;
        let bsn = parse::bsn_at("grantor.bsn", bsn)?;
        let person = state.pseudonyms.subject(&bsn);
        if person == *subject {
            return Err(ApiError::bad_request(
                "invalid_grantor",
                "the grantor's BSN is the subject's: use grantor role 'self'",
            )
            .at("grantor.bsn"));
        }
        let now = state.clock.now();
        let representation = state
            .store
            .representations_of(&person)
            .await?
            .into_iter()
            .find(|r| {
                r.representative == person
                    && r.represented == *subject
                    && r.role == role
                    && r.in_force_at(now)
            });
        if role.is_for_a_child() {
            let Some(sixteenth) = sixteenth else {
                return Err(ApiError::bad_request(
                    "birth_date_required",
                    "subject_birth_date is needed when a parent or guardian gives consent",
                )
                .at("subject_birth_date"));
            };
            if !child {
                return Err(ApiError::bad_request(
                    "grantor_not_allowed",
                    format!("from {AGE_OF_CONSENT} the Amsterdammer gives consent themselves, not a parent or guardian"),
                )
                .at("grantor.role"));
            }
            if self.valid_until.date_naive() > sixteenth {
                return Err(ApiError::bad_request(
                    "consent_period_too_long",
                    format!("a {}'s consent for a child ends when the child turns {AGE_OF_CONSENT}: valid_until at most {sixteenth}", role.as_str()),
                )
                .at("valid_until"));
            }
        } else if representation.is_none() {
            return Err(ApiError::bad_request(
                "no_representation",
                format!("no {} representation in force for this grantor and subject: record it first (POST /v1/representations)", role.as_str()),
            )
            .at("grantor"));
        }
        within_role(&state.register(), role, &self.categories)?;
        Ok(Grantor::Representative {
            role,
            person,
            representation: representation.map(|r| r.id),
        })
    }

    /// Who gives the consent the signed-in citizen records: themselves, or the person they
    /// represent, within their role.
    pub fn grantor_signed_in(&self, state: &AppState, me: &Citizen) -> Result<Grantor, ApiError> {
        let Some(r) = &me.acting else {
            return Ok(Grantor::Subject);
        };
        within_role(&state.register(), r.role, &self.categories)?;
        Ok(Grantor::Representative {
            role: r.role,
            person: r.representative.clone(),
            representation: Some(r.id.clone()),
        })
    }

    pub fn into_new_consent(
        self,
        subject: consent::SubjectId,
        evidence: Evidence,
        note: Option<String>,
        recorded_by: Actor,
        grantor: Grantor,
    ) -> NewConsent {
        NewConsent {
            grantor,
            language: self.language,
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

/// A BCP 47 language tag as people write them (`nl`, `en`, `tr`, `ar-MA`); default `nl`.
fn language(tag: Option<&str>) -> Result<String, ApiError> {
    let Some(tag) = tag else {
        return Ok("nl".into());
    };
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let valid = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if valid {
        Ok(tag.to_owned())
    } else {
        Err(ApiError::bad_request(
            "invalid_language",
            "language is a BCP 47 tag such as nl, en or ar-MA",
        )
        .at("language"))
    }
}
