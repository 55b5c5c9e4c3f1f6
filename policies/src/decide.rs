//! `decide`: the eight vuistregels (seed 004 §2.6) as named rules over one request. Each rule that
//! fails adds a [`Violation`] with the vuistregel it enforces and a reason a person can read; the
//! request is permitted only when no rule fails. Deny is the default: a permit must be earned.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::register::{Activity, LegalBasis, Partner};

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The recipient pulls data from a source partner's system.
    Exchange,
    /// The sender pushes data to a recipient.
    Delivery,
}

impl Mode {
    /// The stored or written name back to a mode; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Exchange, Self::Delivery]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exchange => "exchange",
            Self::Delivery => "delivery",
        }
    }
}

/// A partner named in a consent: one organisation by id, or every partner of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyRef {
    Partner(String),
    Kind(String),
}

impl PartyRef {
    pub fn matches(&self, partner: &Partner) -> bool {
        match self {
            Self::Partner(id) => *id == partner.id,
            Self::Kind(kind) => *kind == partner.kind,
        }
    }
}

/// What `decide` needs to know of one toestemmingsverklaring.
#[derive(Debug, Clone)]
pub struct ConsentGrant {
    pub id: String,
    /// The partner id that recorded it, or `amsterdammer`.
    pub recorded_by: String,
    pub recipients: Vec<PartyRef>,
    /// `None`: the sources are the `from` kinds of the consent's activities.
    pub sources: Option<Vec<PartyRef>>,
    pub categories: BTreeSet<String>,
    pub activities: BTreeSet<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// Revoked, superseded by a newer version, or refused: it covers nothing, ever again.
    pub ended: bool,
    /// `false` while it awaits confirmation by a listed recorder or the Amsterdammer.
    pub confirmed: bool,
}

/// A refusal (weigering): the Amsterdammer said "never" to this. It applies where every part it names
/// matches (a part it leaves out matches anything), and then no consent can permit the request:
/// deny wins, as a FHIR deny provision does.
#[derive(Debug, Clone)]
pub struct RefusalRule {
    pub id: String,
    /// Never to this partner, or to any partner of this kind.
    pub recipient: Option<PartyRef>,
    /// Never this data category.
    pub category: Option<String>,
    /// Never for this processing activity.
    pub activity: Option<String>,
}

impl RefusalRule {
    /// What it refuses, in words.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match &self.recipient {
            Some(PartyRef::Partner(id)) => parts.push(format!("to {id}")),
            Some(PartyRef::Kind(kind)) => parts.push(format!("to any {kind}")),
            None => {}
        }
        if let Some(category) = &self.category {
            parts.push(format!("category '{category}'"));
        }
        if let Some(activity) = &self.activity {
            parts.push(format!("for '{activity}'"));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub mode: Mode,
    pub activity: &'a Activity,
    /// Whose data is disclosed.
    pub source: &'a Partner,
    /// Who receives it.
    pub recipient: &'a Partner,
    pub role: &'a str,
    pub categories: &'a BTreeSet<String>,
    pub consents: &'a [ConsentGrant],
    /// The subject's refusals in force.
    pub refusals: &'a [RefusalRule],
    pub justification: Option<&'a str>,
    /// What a justification must have to count as one (configurable).
    pub justification_rule: JustificationRule,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub vuistregel: u8,
    /// Why, in English.
    pub reason: String,
    /// Why, in plain Dutch, as an Amsterdammer could read it (empty in decisions recorded before).
    #[serde(default)]
    pub reason_nl: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    /// Per category, exactly the fields that may be passed on.
    pub fields: BTreeMap<String, BTreeSet<String>>,
    pub legal_basis: LegalBasis,
    /// The toestemmingsverklaring relied on, when the legal basis is consent.
    pub consent_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Permit(Permit),
    Deny(Vec<Violation>),
}

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

/// Vuistregel 1, verzamel alleen wat je nodig hebt: only categories the activity needs.
fn only_what_the_purpose_needs(req: &Request<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if req.categories.is_empty() {
        out.push(v(
            1,
            "the request names no data category; ask only for what the purpose needs".into(),
            "De vraag noemt geen soort gegevens. Vraag alleen wat nodig is voor het doel.".into(),
        ));
    }
    for cat in req.categories {
        if !req.activity.fields.contains_key(cat) {
            out.push(v(
                1,
                format!(
                    "category '{cat}' is not needed for activity '{}'",
                    req.activity.id
                ),
                format!(
                    "De gegevens '{cat}' zijn niet nodig voor '{}'.",
                    req.activity.name
                ),
            ));
        }
    }
    out
}

/// Vuistregel 2, gebruik gegevens alleen waarvoor je ze gevraagd hebt: the activity must cover this
/// direction (source kind in `from`, recipient kind in `to`) and this way of exchanging.
fn only_for_the_declared_purpose(req: &Request<'_>) -> Vec<Violation> {
    let a = req.activity;
    let mut out = Vec::new();
    if !a.modes.contains(&req.mode) {
        let (mode, wijze) = match req.mode {
            Mode::Exchange => ("an exchange (pull)", "opvragen"),
            Mode::Delivery => ("a delivery (push)", "toesturen"),
        };
        out.push(v(
            2,
            format!("activity '{}' does not allow {mode}", a.id),
            format!(
                "Voor '{}' mogen gegevens niet op deze manier ({wijze}) gedeeld worden.",
                a.name
            ),
        ));
    }
    if !a.from.contains(&req.source.kind) {
        out.push(v(
            2,
            format!(
                "activity '{}' does not disclose data of a {} ({})",
                a.id, req.source.kind, req.source.id
            ),
            format!(
                "Voor '{}' worden geen gegevens van {} gedeeld.",
                a.name, req.source.name
            ),
        ));
    }
    if !a.to.contains(&req.recipient.kind) {
        out.push(v(
            2,
            format!(
                "activity '{}' does not disclose data to a {} ({})",
                a.id, req.recipient.kind, req.recipient.id
            ),
            format!(
                "Voor '{}' krijgt {} geen gegevens.",
                a.name, req.recipient.name
            ),
        ));
    }
    if req.source.id == req.recipient.id {
        out.push(v(
            2,
            "source and recipient are the same organisation; nothing to exchange".into(),
            "Afzender en ontvanger zijn dezelfde organisatie; er valt niets te delen.".into(),
        ));
    }
    out
}

/// Vuistregel 6, beveilig en bescherm persoonsgegevens: least privilege, by professional role.
fn least_privilege(req: &Request<'_>) -> Vec<Violation> {
    if req.activity.roles.iter().any(|r| r == req.role) {
        return Vec::new();
    }
    vec![v(
        6,
        format!(
            "role '{}' may not use activity '{}' (allowed: {})",
            req.role,
            req.activity.id,
            req.activity.roles.join(", ")
        ),
        format!(
            "Een medewerker in de rol '{}' mag '{}' niet gebruiken.",
            req.role, req.activity.name
        ),
    )]
}

/// What a written justification (or a deferral's reason) must have to argue anything: at least
/// `min_chars` characters, not counting surrounding blanks, and at least `min_words` different
/// words, a word being two or more letters in a row. A blank, a dot, 25 dots or one repeated word says nothing
/// (seed 004 §2.7: "goed onderbouwen").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JustificationRule {
    pub min_chars: usize,
    pub min_words: usize,
}

impl JustificationRule {
    pub fn is_met_by(&self, text: &str) -> bool {
        let text = text.trim();
        text.chars().count() >= self.min_chars.max(1) && words(text) >= self.min_words
    }

    /// The rule in words, for error messages: "at least 20 characters and 3 words".
    pub fn describe(&self) -> String {
        format!(
            "at least {} characters and {} different words",
            self.min_chars.max(1),
            self.min_words
        )
    }
}

/// Different words of two or more letters, whatever their case; digits, punctuation and single
/// letters do not count.
fn words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect::<BTreeSet<_>>()
        .len()
}

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

fn justification_for_other_bases(req: &Request<'_>) -> Vec<Violation> {
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

/// Vuistregel 8, deel geen gegevens met derden zonder expliciete toestemming: one recorded, unrevoked,
/// current toestemmingsverklaring must cover recipient, source, activity and every category.
fn explicit_consent(req: &Request<'_>) -> Result<String, Violation> {
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
fn no_refusal_applies(req: &Request<'_>) -> Vec<Violation> {
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

fn v(vuistregel: u8, reason: String, reason_nl: String) -> Violation {
    Violation {
        vuistregel,
        reason,
        reason_nl,
    }
}

#[cfg(test)]
mod tests;
