//! Who reads the audit routes and the console: a privacy officer of one organisation, seeing its
//! traffic, or of a city-wide one, seeing all.

use super::PrivacyOfficer;
use crate::state::AppState;

/// Who reads the audit routes, through the API (token role `privacy_officer`) or the console.
#[derive(Debug, Clone)]
pub struct Officer {
    /// Their organisation (partner id).
    pub partner: String,
    /// Their id at it (token `sub`, or the console login's).
    pub id: String,
    /// The organisation whose traffic they may see; `None`: every organisation's.
    pub scope: Option<String>,
}

impl Officer {
    /// An officer of `partner`, city-wide if `[audit] city_wide` lists it.
    pub fn of(state: &AppState, partner: &str, id: &str) -> Self {
        let city_wide = state.audit.city_wide.iter().any(|p| p == partner);
        Self {
            partner: partner.to_owned(),
            id: id.to_owned(),
            scope: (!city_wide).then(|| partner.to_owned()),
        }
    }
}

impl From<PrivacyOfficer> for Officer {
    fn from(o: PrivacyOfficer) -> Self {
        Self {
            partner: o.professional.partner.id,
            id: o.professional.id,
            scope: o.scope,
        }
    }
}
