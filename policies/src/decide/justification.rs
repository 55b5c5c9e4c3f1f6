//! A legal basis other than consent must be argued per request (seed 004 §2.7): what a written
//! justification must have to count as one (the rule itself, [`JustificationRule`], is part of the
//! request).

use super::request::{JustificationRule, Request, Violation, v};
use crate::register::{Activity, LegalBasis};

/// Whether a request under `activity` lacks the justification its legal basis needs: without
/// consent, another basis must be argued per request (seed 004 §2.7: "goed onderbouwen").
pub fn needs_justification(
    activity: &Activity,
    justification: Option<&str>,
    rule: JustificationRule,
) -> bool {
    let given = justification.is_some_and(|j| rule.is_met_by(j));
    activity.legal_basis != LegalBasis::Consent && !given
}

pub(super) fn justification_for_other_bases(req: &Request<'_>) -> Vec<Violation> {
    if !needs_justification(req.activity, req.justification, req.justification_rule) {
        return Vec::new();
    }
    vec![v(
        2,
        format!(
            "activity '{}' rests on {}, which needs a written justification of {} per request",
            req.activity.id,
            req.activity.legal_basis.as_str(),
            req.justification_rule.describe()
        ),
        format!(
            "'{}' gebeurt zonder toestemming; de professional moet dan elke keer opschrijven waarom het nodig is.",
            req.activity.name
        ),
    )]
}
