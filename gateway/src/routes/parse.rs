//! Turning request strings into register-checked values, with the API's 400 codes.

use std::collections::BTreeSet;

use consent::Consent;
use policies::{Activity, Bsn, BsnError, ConsentGrant, Partner, PartyRef, Register};

use crate::error::ApiError;

pub fn bsn(input: &str) -> Result<Bsn, ApiError> {
    Bsn::parse(input).map_err(|e| {
        let detail = match e {
            BsnError::Format => "subject_bsn must be nine digits",
            BsnError::Checksum => "subject_bsn fails the 11-proef",
        };
        ApiError::bad_request("invalid_bsn", detail)
    })
}

pub fn activity<'r>(register: &'r Register, id: &str) -> Result<&'r Activity, ApiError> {
    register.activity(id).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_activity",
            format!("no processing activity '{id}' in the register"),
        )
    })
}

pub fn partner<'r>(register: &'r Register, id: &str) -> Result<&'r Partner, ApiError> {
    register.partner(id).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_partner",
            format!("no partner '{id}' in the register"),
        )
    })
}

/// A partner id or a partner kind.
pub fn party(register: &Register, name: &str) -> Result<(), ApiError> {
    if register.partner(name).is_some() || register.kinds().contains(name) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "unknown_partner",
            format!("'{name}' is neither a partner id nor a partner kind"),
        ))
    }
}

pub fn categories(register: &Register, names: &[String]) -> Result<BTreeSet<String>, ApiError> {
    register.categories_named(names).map_err(|name| {
        ApiError::bad_request(
            "unknown_category",
            format!("no data category '{name}' in the register"),
        )
    })
}

fn party_ref(register: &Register, name: &str) -> PartyRef {
    if register.partner(name).is_some() {
        PartyRef::Partner(name.to_owned())
    } else {
        PartyRef::Kind(name.to_owned())
    }
}

/// What `decide` needs of a stored consent.
pub fn grant(register: &Register, c: &Consent) -> ConsentGrant {
    ConsentGrant {
        id: c.id.clone(),
        recipients: c
            .recipients
            .iter()
            .map(|r| party_ref(register, r))
            .collect(),
        sources: c
            .sources
            .as_ref()
            .map(|s| s.iter().map(|r| party_ref(register, r)).collect()),
        categories: c.categories.iter().cloned().collect(),
        activities: c.activities.iter().cloned().collect(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        revoked: c.revoked_at.is_some(),
    }
}

/// A consent is visible to the organisation that recorded it, and to every organisation it names as
/// recipient or source.
pub fn visible_to(register: &Register, c: &Consent, partner: &Partner) -> bool {
    let g = grant(register, c);
    let is_source = match &g.sources {
        Some(sources) => sources.iter().any(|s| s.matches(partner)),
        None => c
            .activities
            .iter()
            .filter_map(|a| register.activity(a))
            .any(|a| a.from.contains(&partner.kind)),
    };
    c.recorded_by_partner == partner.id
        || g.recipients.iter().any(|r| r.matches(partner))
        || is_source
}
