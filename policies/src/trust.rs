//! The consent trust model: who may record a toestemmingsverklaring, who must confirm it, and who may
//! see and revoke it. Seed 004 §2.4.6: the Amsterdammer gives consent, the professional registers it
//! in the dossier; art. 7(3) AVG: withdrawing must be as easy as giving, so whoever is involved may
//! revoke on the Amsterdammer's behalf.
//!
//! - Recording: an organisation must take part (as source or recipient) in **every** activity it
//!   records for. If its kind is a listed `consent_recorders` kind of every one of them, the consent
//!   is active at once; otherwise it is pending until a listed recorder or the Amsterdammer confirms.
//! - Recipients must be partners or kinds in the activities' `to`, sources in their `from`.
//! - Sight: the recording organisation, the recipients (by id, or every partner of a named kind) and
//!   the sources named by id. Being of the recorder's kind, or a possible source by kind, is not enough.

use crate::decide::{ConsentGrant, PartyRef};
use crate::register::{Activity, Partner, Register};

/// How a consent stands once it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Recorded by a listed recorder of every activity (or by the Amsterdammer): it covers requests.
    Active,
    /// Recorded by another party of the activities: it covers nothing until confirmed.
    AwaitingConfirmation,
}

/// Why a consent may not be recorded as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    #[error("a {kind} takes no part in activity '{activity}', so it cannot record consent for it")]
    NotAParty { kind: String, activity: String },
    #[error("recipients: '{0}' is not a partner or kind that receives data under these activities")]
    Recipient(String),
    #[error("sources: '{0}' is not a partner or kind whose data these activities disclose")]
    Source(String),
    #[error("'{0}' is neither a partner id nor a partner kind")]
    UnknownParty(String),
}

/// The standing of a consent recorded by a professional of a `kind` partner for `activities`.
pub fn recording_by(kind: &str, activities: &[&Activity]) -> Result<Standing, RecordingError> {
    if let Some(a) = activities.iter().find(|a| !a.is_party(kind)) {
        return Err(RecordingError::NotAParty {
            kind: kind.to_owned(),
            activity: a.id.clone(),
        });
    }
    Ok(if may_confirm(kind, activities) {
        Standing::Active
    } else {
        Standing::AwaitingConfirmation
    })
}

/// Whether a professional of a `kind` partner may confirm a pending consent for `activities`.
pub fn may_confirm(kind: &str, activities: &[&Activity]) -> bool {
    !activities.is_empty() && activities.iter().all(|a| a.is_consent_recorder(kind))
}

/// Checks that every recipient receives, and every source discloses, under at least one of the
/// activities; returns them resolved.
pub fn parties(
    register: &Register,
    activities: &[&Activity],
    recipients: &[String],
    sources: Option<&[String]>,
) -> Result<(Vec<PartyRef>, Option<Vec<PartyRef>>), RecordingError> {
    let takes_part = |party: &PartyRef, side: fn(&Activity) -> &[String]| {
        activities.iter().any(|a| {
            side(a)
                .iter()
                .any(|kind| kind_of(register, party) == Some(kind))
        })
    };
    let resolve = |name: &String| {
        register
            .party(name)
            .ok_or_else(|| RecordingError::UnknownParty(name.clone()))
    };
    let mut to = Vec::new();
    for name in recipients {
        let party = resolve(name)?;
        if !takes_part(&party, |a| &a.to) {
            return Err(RecordingError::Recipient(name.clone()));
        }
        to.push(party);
    }
    let from = match sources {
        None => None,
        Some(names) => {
            let mut from = Vec::new();
            for name in names {
                let party = resolve(name)?;
                if !takes_part(&party, |a| &a.from) {
                    return Err(RecordingError::Source(name.clone()));
                }
                from.push(party);
            }
            Some(from)
        }
    };
    Ok((to, from))
}

fn kind_of<'r>(register: &'r Register, party: &'r PartyRef) -> Option<&'r String> {
    match party {
        PartyRef::Partner(id) => register.partner(id).map(|p| &p.kind),
        PartyRef::Kind(kind) => Some(kind),
    }
}

/// Whether `partner` may see the consent, and so revoke it on the Amsterdammer's behalf.
pub fn may_see(consent: &ConsentGrant, partner: &Partner) -> bool {
    consent.recorded_by == partner.id
        || consent.recipients.iter().any(|r| r.matches(partner))
        || consent
            .sources
            .iter()
            .flatten()
            .any(|s| matches!(s, PartyRef::Partner(id) if *id == partner.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../deploy/demo/register.toml");

    fn register() -> Register {
        Register::from_toml(DEMO).unwrap()
    }

    fn grant(
        recorded_by: &str,
        recipients: Vec<PartyRef>,
        sources: Option<Vec<PartyRef>>,
    ) -> ConsentGrant {
        ConsentGrant {
            id: "c".into(),
            recorded_by: recorded_by.into(),
            recipients,
            sources,
            categories: Default::default(),
            activities: Default::default(),
            valid_from: chrono::DateTime::UNIX_EPOCH,
            valid_until: chrono::DateTime::UNIX_EPOCH,
            ended: false,
            confirmed: true,
        }
    }

    #[test]
    fn a_recipient_recording_for_itself_gets_a_consent_that_awaits_confirmation() {
        let r = register();
        let aanmelding = r.activity("aanmelding-aanvullende-ondersteuning").unwrap();
        assert_eq!(
            recording_by("aanbieder", &[aanmelding]),
            Ok(Standing::AwaitingConfirmation)
        );
        assert_eq!(
            recording_by("buurtteam", &[aanmelding]),
            Ok(Standing::Active)
        );
    }

    #[test]
    fn a_recorder_must_take_part_in_every_activity_it_names() {
        let r = register();
        let casus = r.activity("samenwerking-wpi-casus").unwrap();
        let kind = r.activity("gezinsondersteuning-kind").unwrap();
        assert_eq!(recording_by("wpi", &[casus]), Ok(Standing::Active));
        assert_eq!(
            recording_by("wpi", &[casus, kind]),
            Err(RecordingError::NotAParty {
                kind: "wpi".into(),
                activity: "gezinsondersteuning-kind".into()
            })
        );
    }

    #[test]
    fn a_listed_recorder_of_only_some_activities_records_a_pending_consent() {
        let r = register();
        let casus = r.activity("samenwerking-wpi-casus").unwrap();
        let inkomen = r.activity("samenwerking-wpi-inkomen").unwrap();
        assert_eq!(
            recording_by("wpi", &[casus, inkomen]),
            Ok(Standing::AwaitingConfirmation)
        );
        assert!(may_confirm("buurtteam", &[casus, inkomen]));
        assert!(!may_confirm("wpi", &[casus, inkomen]));
    }

    #[test]
    fn recipients_must_receive_and_sources_must_disclose_under_the_activities() {
        let r = register();
        let aanmelding = r.activity("aanmelding-aanvullende-ondersteuning").unwrap();
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(
            parties(
                &r,
                &[aanmelding],
                &names(&["aio-lvb-cordaan", "aanbieder"]),
                None
            )
            .is_ok()
        );
        assert_eq!(
            parties(&r, &[aanmelding], &names(&["wpi"]), None),
            Err(RecordingError::Recipient("wpi".into()))
        );
        assert_eq!(
            parties(
                &r,
                &[aanmelding],
                &names(&["aanbieder"]),
                Some(&names(&["okt-amsterdam"]))
            ),
            Err(RecordingError::Source("okt-amsterdam".into()))
        );
        assert_eq!(
            parties(&r, &[aanmelding], &names(&["nobody"]), None),
            Err(RecordingError::UnknownParty("nobody".into()))
        );
    }

    #[test]
    fn sight_comes_from_being_named_not_from_being_of_the_same_kind() {
        let r = register();
        let west = r.partner("bt-centrum-west").unwrap();
        let zuid = r.partner("bt-zuid-oost").unwrap();
        let okt = r.partner("okt-amsterdam").unwrap();
        let wpi = r.partner("wpi").unwrap();
        let c = grant("bt-centrum-west", vec![PartyRef::Kind("okt".into())], None);
        assert!(may_see(&c, west), "the recorder");
        assert!(may_see(&c, okt), "a recipient by kind");
        assert!(!may_see(&c, zuid), "another buurtteam");
        let named = grant(
            "bt-centrum-west",
            vec![PartyRef::Partner("bt-centrum-west".into())],
            Some(vec![PartyRef::Partner("wpi".into())]),
        );
        assert!(may_see(&named, wpi), "a source named by id");
        let by_kind = grant(
            "bt-centrum-west",
            vec![PartyRef::Partner("bt-centrum-west".into())],
            Some(vec![PartyRef::Kind("wpi".into())]),
        );
        assert!(!may_see(&by_kind, wpi), "a source by kind only");
    }
}
