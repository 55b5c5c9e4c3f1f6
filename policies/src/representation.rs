//! Who may act for whom (issue 8): a parent or guardian for a child, a mentor, curator or
//! bewindvoerder appointed by a court (Boek 1 BW). Each role covers what the law gives it: a mentor
//! the person's care and wellbeing, a bewindvoerder their finances only, a curator, parent or guardian
//! both. Outside that, a representative cannot give, see or withdraw anything.

use serde::{Deserialize, Serialize};

use crate::{Category, Register};

/// The age from which an Amsterdammer gives consent themselves (UAVG art. 5); below it, a parent or
/// guardian gives it.
pub const AGE_OF_CONSENT: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepresentativeRole {
    /// A parent with parental authority (ouderlijk gezag), for a child.
    Parent,
    /// A guardian (voogd), for a child.
    Guardian,
    /// Mentor (Boek 1 BW art. 450): care, treatment, support; not finances.
    Mentor,
    /// Curator (art. 378): person and finances.
    Curator,
    /// Bewindvoerder (art. 431): finances only.
    Bewindvoerder,
}

impl RepresentativeRole {
    pub const ALL: [Self; 5] = [
        Self::Parent,
        Self::Guardian,
        Self::Mentor,
        Self::Curator,
        Self::Bewindvoerder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::Guardian => "guardian",
            Self::Mentor => "mentor",
            Self::Curator => "curator",
            Self::Bewindvoerder => "bewindvoerder",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role speaks for a child (and so gives consent for a child under 16).
    pub fn is_for_a_child(self) -> bool {
        matches!(self, Self::Parent | Self::Guardian)
    }

    /// Whether the role covers data of this category: a bewindvoerder only financial categories, a
    /// mentor only the others.
    pub fn covers(self, category: &Category) -> bool {
        match self {
            Self::Bewindvoerder => category.financial,
            Self::Mentor => !category.financial,
            Self::Parent | Self::Guardian | Self::Curator => true,
        }
    }

    /// The categories among `categories` the role does not cover (an unknown one is not covered).
    pub fn uncovered<'c>(
        self,
        register: &Register,
        categories: impl IntoIterator<Item = &'c String>,
    ) -> Vec<&'c str> {
        categories
            .into_iter()
            .filter(|c| !register.category(c).is_some_and(|c| self.covers(c)))
            .map(String::as_str)
            .collect()
    }

    /// Whether the role covers every category there is.
    pub fn covers_all(self) -> bool {
        matches!(self, Self::Parent | Self::Guardian | Self::Curator)
    }

    /// In Dutch, for the Amsterdammer.
    pub fn dutch(self) -> &'static str {
        match self {
            Self::Parent => "ouder",
            Self::Guardian => "voogd",
            Self::Mentor => "mentor",
            Self::Curator => "curator",
            Self::Bewindvoerder => "bewindvoerder",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(financial: bool) -> Category {
        Category {
            id: "c".into(),
            name: "C".into(),
            special: false,
            financial,
            fields: Default::default(),
            necessary_fields: Default::default(),
            max_age_days: None,
        }
    }

    #[test]
    fn a_bewindvoerder_covers_finances_only_and_a_mentor_everything_else() {
        let (money, care) = (category(true), category(false));
        assert!(RepresentativeRole::Bewindvoerder.covers(&money));
        assert!(!RepresentativeRole::Bewindvoerder.covers(&care));
        assert!(RepresentativeRole::Mentor.covers(&care));
        assert!(!RepresentativeRole::Mentor.covers(&money));
        for role in [
            RepresentativeRole::Parent,
            RepresentativeRole::Guardian,
            RepresentativeRole::Curator,
        ] {
            assert!(role.covers(&money) && role.covers(&care), "{role:?}");
        }
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in RepresentativeRole::ALL {
            assert_eq!(RepresentativeRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(RepresentativeRole::parse("self"), None);
    }
}
