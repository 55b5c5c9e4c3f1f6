//! `decide`: the eight vuistregels (seed 004 §2.6) as named rules over one request. Each rule that
//! fails adds a [`Violation`] with the vuistregel it enforces and a reason a person can read; the
//! request is permitted only when no rule fails. Deny is the default: a permit must be earned.

mod consent;
mod justification;
mod purpose;
mod request;

use crate::register::LegalBasis;
pub use justification::needs_justification;
pub use request::{
    ConsentGrant, Decision, JustificationRule, Mode, PartyRef, Permit, RefusalRule, Request,
    Violation,
};

use consent::{explicit_consent, no_refusal_applies};
use justification::justification_for_other_bases;
use purpose::{least_privilege, only_for_the_declared_purpose, only_what_the_purpose_needs};

/// Applies every rule; see the module documentation.
pub fn decide(req: &Request<'_>) -> Decision {
    let mut violations = Vec::new();
    let rules: [fn(&Request<'_>) -> Vec<Violation>; 4] = [
        only_what_the_purpose_needs,
        only_for_the_declared_purpose,
        least_privilege,
        justification_for_other_bases,
    ];
    for rule in rules {
        violations.extend(rule(req));
    }
    let consent_id = if req.activity.legal_basis == LegalBasis::Consent {
        violations.extend(no_refusal_applies(req));
        match explicit_consent(req) {
            Ok(id) => Some(id),
            Err(v) => {
                violations.push(v);
                None
            }
        }
    } else {
        None
    };
    if !violations.is_empty() {
        return Decision::Deny(violations);
    }
    let fields = req
        .activity
        .fields
        .iter()
        .filter(|(cat, _)| req.categories.contains(*cat))
        .map(|(cat, fields)| (cat.clone(), fields.clone()))
        .collect();
    Decision::Permit(Permit {
        fields,
        legal_basis: req.activity.legal_basis,
        consent_id,
    })
}

/// What the tests beside this file take from it through `use super::*`.
#[cfg(test)]
use {
    chrono::{DateTime, Utc},
    std::collections::BTreeSet,
};

#[cfg(test)]
mod tests;
