use super::*;
use crate::register::{Activity, LegalBasis, Partner};
use chrono::TimeZone;

fn partner(id: &str, kind: &str) -> Partner {
    Partner {
        id: id.into(),
        name: id.into(),
        kind: kind.into(),
        oin: format!("oin-{id}"),
    }
}

fn wpi_activity() -> Activity {
    Activity {
        id: "samenwerking-wpi-inkomen".into(),
        name: "Inkomen".into(),
        purpose: "p".into(),
        legal_basis: LegalBasis::Consent,
        from: vec!["wpi".into()],
        to: vec!["buurtteam".into()],
        roles: vec!["buurtteammedewerker".into()],
        modes: vec![Mode::Exchange],
        retention_days: 365,
        special_exception: None,
        max_deferral_days: None,
        source: None,
        consent_recorders: vec!["buurtteam".into()],
        fields: [("inkomen".to_string(), ["uitkering".to_string()].into())].into(),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn consent() -> ConsentGrant {
    ConsentGrant {
        id: "c1".into(),
        recorded_by: "bt-west".into(),
        recipients: vec![PartyRef::Kind("buurtteam".into())],
        sources: None,
        categories: ["inkomen".to_string()].into(),
        activities: ["samenwerking-wpi-inkomen".to_string()].into(),
        valid_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        valid_until: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        ended: false,
        confirmed: true,
    }
}

struct Case {
    activity: Activity,
    bt: Partner,
    wpi: Partner,
    categories: BTreeSet<String>,
    consents: Vec<ConsentGrant>,
    refusals: Vec<RefusalRule>,
    role: &'static str,
}

impl Case {
    fn new() -> Self {
        Self {
            activity: wpi_activity(),
            bt: partner("bt-west", "buurtteam"),
            wpi: partner("wpi", "wpi"),
            categories: ["inkomen".to_string()].into(),
            consents: vec![consent()],
            refusals: Vec::new(),
            role: "buurtteammedewerker",
        }
    }

    fn decide(&self) -> Decision {
        decide(&Request {
            mode: Mode::Exchange,
            activity: &self.activity,
            source: &self.wpi,
            recipient: &self.bt,
            role: self.role,
            categories: &self.categories,
            consents: &self.consents,
            refusals: &self.refusals,
            justification: None,
            justification_rule: RULE,
            now: now(),
        })
    }

    fn violated(&self) -> Vec<u8> {
        match self.decide() {
            Decision::Permit(_) => vec![],
            Decision::Deny(v) => v.iter().map(|v| v.vuistregel).collect(),
        }
    }
}

#[test]
fn a_covering_consent_permits_exactly_the_activity_fields() {
    let Decision::Permit(p) = Case::new().decide() else {
        panic!("expected permit")
    };
    assert_eq!(p.consent_id.as_deref(), Some("c1"));
    assert_eq!(
        p.fields["inkomen"],
        BTreeSet::from(["uitkering".to_string()])
    );
}

#[test]
fn without_consent_vuistregel_8_denies() {
    let mut case = Case::new();
    case.consents.clear();
    assert_eq!(case.violated(), vec![8]);
}

#[test]
fn a_revoked_or_expired_consent_never_counts() {
    let mut case = Case::new();
    case.consents[0].ended = true;
    assert_eq!(case.violated(), vec![8]);
    let mut case = Case::new();
    case.consents[0].valid_until = now();
    assert_eq!(case.violated(), vec![8]);
}

#[test]
fn a_consent_awaiting_confirmation_covers_nothing() {
    let mut case = Case::new();
    case.consents[0].confirmed = false;
    assert_eq!(case.violated(), vec![8]);
}

#[test]
fn a_consent_for_another_recipient_does_not_cover() {
    let mut case = Case::new();
    case.consents[0].recipients = vec![PartyRef::Partner("bt-oost".into())];
    assert_eq!(case.violated(), vec![8]);
}

#[test]
fn a_category_outside_the_activity_breaks_vuistregel_1() {
    let mut case = Case::new();
    case.categories.insert("gezondheid".into());
    assert!(case.violated().contains(&1));
}

#[test]
fn a_role_outside_the_activity_breaks_vuistregel_6() {
    let mut case = Case::new();
    case.role = "receptionist";
    assert_eq!(case.violated(), vec![6]);
}

#[test]
fn the_wrong_direction_breaks_vuistregel_2() {
    let mut case = Case::new();
    std::mem::swap(&mut case.bt, &mut case.wpi);
    assert!(case.violated().contains(&2));
}

fn refusal(
    recipient: Option<PartyRef>,
    category: Option<&str>,
    activity: Option<&str>,
) -> RefusalRule {
    RefusalRule {
        id: "r1".into(),
        recipient,
        category: category.map(Into::into),
        activity: activity.map(Into::into),
    }
}

#[test]
fn a_refusal_beats_a_covering_consent_and_names_itself() {
    let refusals = [
        refusal(Some(PartyRef::Partner("bt-west".into())), None, None),
        refusal(Some(PartyRef::Kind("buurtteam".into())), None, None),
        refusal(None, Some("inkomen"), None),
        refusal(None, None, Some("samenwerking-wpi-inkomen")),
        refusal(
            Some(PartyRef::Kind("buurtteam".into())),
            Some("inkomen"),
            Some("samenwerking-wpi-inkomen"),
        ),
    ];
    for r in refusals {
        let mut case = Case::new();
        case.refusals = vec![r.clone()];
        let Decision::Deny(violations) = case.decide() else {
            panic!("{r:?} should deny")
        };
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].vuistregel, 8);
        assert!(
            violations[0].reason.contains("refusal r1"),
            "{violations:?}"
        );
    }
}

#[test]
fn a_refusal_of_something_else_leaves_the_request_alone() {
    let others = [
        refusal(Some(PartyRef::Partner("bt-oost".into())), None, None),
        refusal(Some(PartyRef::Kind("okt".into())), None, None),
        refusal(None, Some("gezondheid"), None),
        refusal(None, None, Some("another-activity")),
        // Every part must match: this buurtteam refusal is only for health data.
        refusal(
            Some(PartyRef::Kind("buurtteam".into())),
            Some("gezondheid"),
            None,
        ),
    ];
    for r in others {
        let mut case = Case::new();
        case.refusals = vec![r.clone()];
        assert!(
            matches!(case.decide(), Decision::Permit(_)),
            "{r:?} should not apply"
        );
    }
}

const RULE: JustificationRule = JustificationRule {
    min_chars: 20,
    min_words: 3,
};

#[test]
fn another_basis_needs_a_justification_of_real_content() {
    let mut activity = wpi_activity();
    activity.legal_basis = LegalBasis::PublicTask;
    activity.consent_recorders.clear();
    for (given, needed) in [
        (None, true),
        (Some(""), true),
        (Some("."), true),
        (Some("   x                        "), true),
        (Some("........................."), true),
        (Some("controle controle 123456789"), true),
        (Some("Controle CONTROLE controle"), true),
        (Some("zorgen: 1 2 3 4 5 6 7 8 9 0"), true),
        (Some("zorgen over de woning"), false),
    ] {
        assert_eq!(
            needs_justification(&activity, given, RULE),
            needed,
            "{given:?}"
        );
    }
    assert!(
        !needs_justification(&wpi_activity(), None, RULE),
        "consent needs none"
    );
}

#[test]
fn every_broken_rule_is_explained_in_dutch_and_english() {
    let mut case = Case::new();
    case.consents.clear();
    case.role = "receptionist";
    case.categories.insert("gezondheid".into());
    std::mem::swap(&mut case.bt, &mut case.wpi);
    let Decision::Deny(violations) = case.decide() else {
        panic!("expected a denial");
    };
    let rules: BTreeSet<u8> = violations.iter().map(|v| v.vuistregel).collect();
    assert_eq!(rules, BTreeSet::from([1, 2, 6, 8]), "{violations:?}");
    for v in &violations {
        assert!(!v.reason.is_empty(), "{v:?}");
        assert!(!v.reason_nl.is_empty(), "{v:?}");
        assert_ne!(v.reason, v.reason_nl, "{v:?}");
        assert!(!v.reason_nl.contains('§'), "no internal references: {v:?}");
    }
}
