//! Vuistregel 8: nothing goes to a third party without an explicit consent that covers it, and
//! never what the Amsterdammer refused.

use super::request::{ConsentGrant, Request, Violation, v};

/// Vuistregel 8, deel geen gegevens met derden zonder expliciete toestemming: one recorded, unrevoked,
/// current toestemmingsverklaring must cover recipient, source, activity and every category.
pub(super) fn explicit_consent(req: &Request<'_>) -> Result<String, Violation> {
    let covering = req.consents.iter().find(|c| covers(c, req));
    match covering {
        Some(c) => Ok(c.id.clone()),
        None => Err(v(
            8,
            format!(
                "no active toestemmingsverklaring of the Amsterdammer covers sharing {} from {} with {} for '{}'",
                req.categories
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                req.source.id,
                req.recipient.id,
                req.activity.id
            ),
            format!(
                "De Amsterdammer heeft geen geldige toestemming gegeven om deze gegevens van {} met {} te delen voor '{}'.",
                req.source.name, req.recipient.name, req.activity.name
            ),
        )),
    }
}

/// Vuistregel 8 too: what the Amsterdammer refused is never shared on the strength of a consent, even
/// one that covers it. (Other legal bases do not rest on consent; privacy officers review those.)
pub(super) fn no_refusal_applies(req: &Request<'_>) -> Vec<Violation> {
    req.refusals
        .iter()
        .filter(|r| {
            r.recipient.as_ref().is_none_or(|p| p.matches(req.recipient))
                && r.category.as_ref().is_none_or(|c| req.categories.contains(c))
                && r.activity.as_ref().is_none_or(|a| *a == req.activity.id)
        })
        .map(|r| {
            v(
                8,
                format!(
                    "the Amsterdammer refused this (refusal {}: never {}); a refusal beats any toestemmingsverklaring",
                    r.id,
                    r.describe()
                ),
                format!(
                    "De Amsterdammer heeft dit geweigerd (weigering {}). Een weigering gaat altijd voor een toestemming.",
                    r.id
                ),
            )
        })
        .collect()
}

fn covers(c: &ConsentGrant, req: &Request<'_>) -> bool {
    let current = !c.ended && c.confirmed && c.valid_from <= req.now && req.now < c.valid_until;
    let source_ok = match &c.sources {
        Some(sources) => sources.iter().any(|s| s.matches(req.source)),
        None => req.activity.from.contains(&req.source.kind),
    };
    current
        && source_ok
        && c.activities.contains(&req.activity.id)
        && c.recipients.iter().any(|r| r.matches(req.recipient))
        && req.categories.iter().all(|cat| c.categories.contains(cat))
}
