//! The verwerkingsregister (art. 30 AVG): partners, data categories with their field schema, and the
//! processing activities with purpose, legal basis, direction, fields and retention. It is a reviewed
//! data file (`deploy/demo/register.toml`); [`Register::from_toml`] refuses one that contradicts itself.

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

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub partners: Vec<Partner>,
    pub categories: Vec<Category>,
    pub activities: Vec<Activity>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the register is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the register contradicts itself: {0}")]
    Inconsistent(String),
}

impl Register {
    pub fn from_toml(text: &str) -> Result<Self, RegisterError> {
        let register: Register = toml::from_str(text)?;
        register.check()?;
        Ok(register)
    }

    pub fn partner(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == id)
    }

    pub fn partner_by_oin(&self, oin: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.oin == oin)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn activity(&self, id: &str) -> Option<&Activity> {
        self.activities.iter().find(|a| a.id == id)
    }

    /// A name in a consent: a partner id (first) or a partner kind.
    pub fn party(&self, name: &str) -> Option<crate::PartyRef> {
        if self.partner(name).is_some() {
            Some(crate::PartyRef::Partner(name.to_owned()))
        } else if self.kinds().contains(name) {
            Some(crate::PartyRef::Kind(name.to_owned()))
        } else {
            None
        }
    }

    pub fn kinds(&self) -> BTreeSet<&str> {
        self.partners.iter().map(|p| p.kind.as_str()).collect()
    }

    /// Resolves category names, or returns the first one the register does not know.
    pub fn categories_named<'a>(
        &self,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Result<BTreeSet<String>, String> {
        let mut set = BTreeSet::new();
        for name in names {
            if self.category(name).is_none() {
                return Err(name.clone());
            }
            set.insert(name.clone());
        }
        Ok(set)
    }

    fn check(&self) -> Result<(), RegisterError> {
        let fail = |msg: String| Err(RegisterError::Inconsistent(msg));
        let mut ids = BTreeSet::new();
        let mut oins = BTreeSet::new();
        for p in &self.partners {
            // Consent histories name the resident acting themselves so.
            if p.id == "amsterdammer" || p.kind == "amsterdammer" {
                return fail(
                    "'amsterdammer' is reserved for the resident; no partner may use it".into(),
                );
            }
            if !ids.insert(p.id.as_str()) {
                return fail(format!("partner id {} appears twice", p.id));
            }
            if !oins.insert(p.oin.as_str()) {
                return fail(format!("OIN {} belongs to two partners", p.oin));
            }
        }
        let kinds = self.kinds();
        for a in &self.activities {
            for kind in a.from.iter().chain(&a.to) {
                if !kinds.contains(kind.as_str()) {
                    return fail(format!(
                        "activity {} names unknown partner kind {kind}",
                        a.id
                    ));
                }
            }
            match a.legal_basis {
                LegalBasis::Consent if a.consent_recorders.is_empty() => {
                    return fail(format!(
                        "activity {} rests on consent but names no consent_recorders",
                        a.id
                    ));
                }
                LegalBasis::Consent => {}
                _ if !a.consent_recorders.is_empty() => {
                    return fail(format!(
                        "activity {} does not rest on consent, so it takes no consent_recorders",
                        a.id
                    ));
                }
                _ => {}
            }
            if let Some(kind) = a.consent_recorders.iter().find(|k| !a.is_party(k)) {
                return fail(format!(
                    "activity {}: consent recorder {kind} takes no part in it (from/to)",
                    a.id
                ));
            }
            if a.fields.is_empty() || a.roles.is_empty() || a.modes.is_empty() {
                return fail(format!("activity {} needs fields, roles and modes", a.id));
            }
            for (cat, fields) in &a.fields {
                let Some(category) = self.category(cat) else {
                    return fail(format!("activity {} names unknown category {cat}", a.id));
                };
                if let Some(f) = fields.iter().find(|f| !category.fields.contains_key(*f)) {
                    return fail(format!(
                        "activity {} names field {f} that {cat} does not have",
                        a.id
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../deploy/demo/register.toml");

    #[test]
    fn the_demo_register_loads_and_has_all_five_partner_kinds() {
        let register = Register::from_toml(DEMO).unwrap();
        for kind in ["buurtteam", "okt", "wpi", "aanbieder", "meldpunt"] {
            assert!(register.kinds().contains(kind), "{kind}");
        }
    }

    #[test]
    fn a_consent_recorder_that_takes_no_part_in_the_activity_is_refused() {
        let broken = DEMO.replace(
            "consent_recorders = [\"buurtteam\", \"wpi\"]",
            "consent_recorders = [\"buurtteam\", \"aanbieder\"]",
        );
        assert_ne!(broken, DEMO, "the demo register changed; adapt this test");
        let err = Register::from_toml(&broken).unwrap_err();
        assert!(err.to_string().contains("aanbieder takes no part"), "{err}");
    }

    #[test]
    fn a_consent_based_activity_without_recorders_is_refused() {
        let broken = DEMO.replace("consent_recorders = [\"buurtteam\"]\n", "");
        assert_ne!(broken, DEMO, "the demo register changed; adapt this test");
        let err = Register::from_toml(&broken).unwrap_err();
        assert!(
            err.to_string().contains("names no consent_recorders"),
            "{err}"
        );
    }

    #[test]
    fn an_activity_naming_a_field_its_category_lacks_is_refused() {
        let broken = DEMO.replace("kind = [\"voornaam\",", "kind = [\"bsn\", \"voornaam\",");
        let err = Register::from_toml(&broken).unwrap_err();
        assert!(err.to_string().contains("field bsn"), "{err}");
    }
}
