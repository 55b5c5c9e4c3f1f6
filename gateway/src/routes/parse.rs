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

pub fn categories(register: &Register, names: &[String]) -> Result<BTreeSet<String>, ApiError> {
    register.categories_named(names).map_err(|name| {
        ApiError::bad_request(
            "unknown_category",
            format!("no data category '{name}' in the register"),
        )
    })
}

/// What `decide` and the trust rules need of a stored consent.
pub fn grant(register: &Register, c: &Consent) -> ConsentGrant {
    // Stored names were checked against the register when recorded; one the register no longer
    // knows names nobody, so it matches nobody.
    let party = |name: &String| {
        register
            .party(name)
            .unwrap_or_else(|| PartyRef::Partner(name.clone()))
    };
    ConsentGrant {
        id: c.id.clone(),
        recorded_by: c.recorded_by_partner.clone(),
        recipients: c.recipients.iter().map(party).collect(),
        sources: c.sources.as_ref().map(|s| s.iter().map(party).collect()),
        categories: c.categories.iter().cloned().collect(),
        activities: c.activities.iter().cloned().collect(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        revoked: c.revoked_at.is_some(),
        confirmed: c.confirmed_at.is_some(),
    }
}

/// Whether `partner` may see (and so revoke) the consent: see `policies::may_see`.
pub fn visible_to(register: &Register, c: &Consent, partner: &Partner) -> bool {
    policies::may_see(&grant(register, c), partner)
}
