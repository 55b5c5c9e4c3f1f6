//! What a decision takes and gives: the request with the subject's consents and refusals, and the
//! permit or the violations, each naming its vuistregel.

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

pub(super) fn v(vuistregel: u8, reason: String, reason_nl: String) -> Violation {
    Violation {
        vuistregel,
        reason,
        reason_nl,
    }
}
