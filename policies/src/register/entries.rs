//! What the register declares, entry by entry: partners, data categories with their field schema,
//! the processing activities, and who records which representation. Plain data as read from the
//! TOML; the checks that tie the entries together are in `register.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub id: String,
    pub name: String,
    /// `buurtteam`, `okt`, `wpi`, `aanbieder`, `meldpunt`, or another configured kind.
    pub kind: String,
    /// Organisation identifier (OIN) carried in the client certificate's subject `serialNumber`.
    pub oin: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Date,
    Integer,
    Boolean,
    StringList,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// Special category of personal data (art. 9 AVG: health) or criminal data (art. 10).
    #[serde(default)]
    pub special: bool,
    /// Financial data (income, debts): the only kind a bewindvoerder acts for, and the kind a
    /// mentor does not (`RepresentativeRole::covers`).
    #[serde(default)]
    pub financial: bool,
    /// The schema of the category: every field a partner system may hold, and its type.
    pub fields: BTreeMap<String, FieldType>,
    /// How old (days since the source last brought it up to date) data of this category may be
    /// before an answer flags it as possibly outdated (vuistregel 3). None: no limit.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// The fields that are the "necessary information" when this category reaches another
    /// organisation's dossier (seed 004 §3.1.1: the buurtteam registers only the necessary
    /// information about the child). Empty: no such limit.
    #[serde(default)]
    pub necessary_fields: BTreeSet<String>,
}

/// The legal ground (art. 6 AVG) of an activity. Only `Consent` needs a toestemmingsverklaring; the
/// others need a written justification per request, which privacy officers review.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    LegalObligation,
    VitalInterest,
    PublicTask,
}

impl LegalBasis {
    /// The stored or written name back to a basis; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Consent,
            Self::LegalObligation,
            Self::VitalInterest,
            Self::PublicTask,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::LegalObligation => "legal_obligation",
            Self::VitalInterest => "vital_interest",
            Self::PublicTask => "public_task",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub legal_basis: LegalBasis,
    /// Partner kinds whose data is disclosed (source of an exchange, sender of a delivery).
    pub from: Vec<String>,
    /// Partner kinds that receive it.
    pub to: Vec<String>,
    /// Professional roles (token claim `role`) that may use the activity.
    pub roles: Vec<String>,
    /// Whether partners may pull (`exchange`), push (`delivery`), or both.
    pub modes: Vec<crate::Mode>,
    /// Partner kinds whose professionals may record a consent for this activity that is active at
    /// once. Any other party of the activity may record one, but it stays `pending` until a listed
    /// recorder or the Amsterdammer confirms it. Empty for activities not based on consent.
    #[serde(default)]
    pub consent_recorders: Vec<String>,
    /// Retention of the disclosure record, in days (vuistregel 5).
    pub retention_days: u32,
    /// For an activity on a basis other than consent that passes on a special category: the
    /// exception of art. 9(2) or art. 10 AVG (and the UAVG article) it relies on.
    #[serde(default)]
    pub special_exception: Option<String>,
    /// Whether, and for how many days at most, a sender may defer the Amsterdammer's notice of a
    /// disclosure under this activity (where telling them at once would endanger someone).
    #[serde(default)]
    pub max_deferral_days: Option<u32>,
    /// Where the activity comes from (the seed or the law), for reviewers; the purpose itself is
    /// written for the Amsterdammer and names no internal references.
    #[serde(default)]
    pub source: Option<String>,
    /// Per category, the fields this purpose needs (vuistregel 1). Its keys are the activity's categories.
    pub fields: BTreeMap<String, BTreeSet<String>>,
}

impl Activity {
    pub fn categories(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// ISO 8601 duration of the retention period, as served in the public register.
    pub fn retention(&self) -> String {
        format!("P{}D", self.retention_days)
    }

    /// Whether a partner of `kind` takes part in the activity, as source or as recipient.
    pub fn is_party(&self, kind: &str) -> bool {
        self.from.iter().chain(&self.to).any(|k| k == kind)
    }

    /// Whether a consent recorded by a partner of `kind` is active without confirmation.
    pub fn is_consent_recorder(&self, kind: &str) -> bool {
        self.consent_recorders.iter().any(|k| k == kind)
    }
}

/// The trust model of one representative role: which partner kinds record it, which professional
/// roles of the recording organisation confirm it (four eyes: never the professional who recorded
/// it), and whether the representative may undo what the person chose themselves.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RepresentationRecorders {
    pub role: crate::RepresentativeRole,
    /// Partner kinds whose professionals record it (and only for a person in whose care the
    /// organisation already has a part).
    pub kinds: Vec<String>,
    /// Professional roles (token claim `role`) that confirm it after seeing the court decision or
    /// the parental authority. Empty: only the person represented confirms it.
    #[serde(default)]
    pub confirmers: Vec<String>,
    /// Whether a representative in this role may withdraw a refusal or revoke a consent that the
    /// person gave themselves. Default: no.
    #[serde(default)]
    pub may_undo_own_choices: bool,
}
