//! The verwerkingsregister (art. 30 AVG): partners, data categories with their field schema, and the
//! processing activities with purpose, legal basis, direction, fields and retention. It is a reviewed
//! data file (`deploy/demo/register.toml`); [`Register::from_toml`] refuses one that contradicts itself.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

mod entries;

pub use entries::{Activity, Category, FieldType, LegalBasis, Partner, RepresentationRecorders};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub partners: Vec<Partner>,
    pub categories: Vec<Category>,
    pub activities: Vec<Activity>,
    /// Who may record which kind of representation (one entry per role). A role without an entry
    /// is recorded by nobody.
    #[serde(default)]
    pub representation_recorders: Vec<RepresentationRecorders>,
    /// The register's version: SHA-256 (hex) of the file it was read from. Every decision record
    /// carries it, so an auditor can tell which rules were in force.
    #[serde(skip)]
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the register is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the register has {} problem(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
}

/// One problem of a register, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `partners`, `categories` or `activities`: the table the entry is in.
    pub table: &'static str,
    /// The entry's id.
    pub id: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.table, self.id, self.message)
    }
}

impl Register {
    /// The trust model of a representative role; `None`: nobody records it.
    pub fn representation_recorders(
        &self,
        role: crate::RepresentativeRole,
    ) -> Option<&RepresentationRecorders> {
        self.representation_recorders
            .iter()
            .find(|r| r.role == role)
    }

    pub fn from_toml(text: &str) -> Result<Self, RegisterError> {
        let mut register: Register = toml::from_str(text)?;
        let problems = register.problems();
        if !problems.is_empty() {
            return Err(RegisterError::Invalid(problems));
        }
        register.version =
            hex(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref());
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
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    fn problems_of(text: &str) -> Vec<String> {
        match Register::from_toml(text) {
            Err(RegisterError::Invalid(problems)) => {
                problems.iter().map(ToString::to_string).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_entry_not_only_the_first() {
        let broken = DEMO
            .replace("retention_days = 365", "retention_days = 0")
            .replace("roles = [\"okt-medewerker\"]", "roles = []");
        let problems = problems_of(&broken);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("activities regiecheck: has no retention"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("activities gezinsondersteuning-ouders: needs fields, roles"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_special_category_on_another_basis_needs_a_named_exception() {
        let start = DEMO.find("special_exception = ").unwrap();
        let end = start + DEMO[start..].find('\n').unwrap() + 1;
        let broken = format!("{}{}", &DEMO[..start], &DEMO[end..]);
        let problems = problems_of(&broken);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("special category veiligheid"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_purpose_with_an_internal_reference_is_refused() {
        let broken = DEMO.replace(
            "zodat we de hulp op elkaar afstemmen.",
            "zodat we de hulp op elkaar afstemmen (seed 004 §2.4).",
        );
        assert_ne!(broken, DEMO, "the demo register changed; adapt this test");
        let problems = problems_of(&broken);
        assert!(problems[0].contains("internal references"), "{problems:?}");
    }

    #[test]
    fn a_direct_activity_from_the_buurtteam_to_the_police_is_refused() {
        let broken = format!(
            "{DEMO}
[[partners]]
id = \"politie-amsterdam\"
name = \"Politie eenheid Amsterdam\"
kind = \"politie\"
oin = \"00000001003214345000\"

[[activities]]
id = \"melding-politie\"
name = \"Melding aan de politie\"
purpose = \"Het buurtteam meldt een zorgwekkende situatie rechtstreeks bij de politie.\"
legal_basis = \"public_task\"
from = [\"buurtteam\"]
to = [\"politie\"]
roles = [\"regievoerder\"]
modes = [\"delivery\"]
retention_days = 365
[activities.fields]
contact = [\"naam\"]
"
        );
        let problems = problems_of(&broken);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("only through the Meldpunt"),
            "{problems:?}"
        );
    }

    #[test]
    fn child_information_beyond_the_necessary_fields_does_not_reach_the_buurtteam() {
        let broken = DEMO.replace(
            "kind = [\"voornaam\", \"geboortedatum\", \"okt_medewerker\"]\n",
            "kind = [\"voornaam\", \"geboortedatum\", \"okt_medewerker\", \"jeugdhulp\"]\n",
        );
        assert_ne!(broken, DEMO, "the demo register changed; adapt this test");
        let problems = problems_of(&broken);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("kind.jeugdhulp"), "{problems:?}");
    }

    #[test]
    fn the_register_version_is_the_digest_of_its_text() {
        let register = Register::from_toml(DEMO).unwrap();
        assert_eq!(register.version.len(), 64);
        let other = Register::from_toml(&format!("{DEMO}\n# reviewed again\n")).unwrap();
        assert_ne!(
            register.version, other.version,
            "any change is a new version"
        );
    }

    #[test]
    fn a_problem_points_at_the_line_of_its_entry() {
        let line = crate::line_of(DEMO, "activities", "regiecheck").unwrap();
        assert_eq!(DEMO.lines().nth(line - 1), Some("id = \"regiecheck\""));
        assert_eq!(crate::line_of(DEMO, "categories", "regiecheck"), None);
    }
}
