//! `decide` on the demo register (issue 9: median under 20 µs with 10,000 consents stored for
//! other subjects). The store hands `decide` only the subject's own consents, so the first case is
//! what a request costs: five of the subject's consents, one covering. The second gives `decide`
//! all 10,000 consents at once, the one covering last, as a bound on a subject with very many.
//!
//! `cargo bench -p policies --bench decide`

use std::collections::BTreeSet;
use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use policies::{
    ConsentGrant, Decision, JustificationRule, Mode, PartyRef, Register, Request, decide,
};

const DEMO: &str = include_str!("../../deploy/demo/register.toml");

fn grant(n: usize, covering: bool) -> ConsentGrant {
    let now = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("a time");
    ConsentGrant {
        id: format!("c-{n}"),
        recorded_by: "bt-centrum-west".into(),
        recipients: vec![PartyRef::Partner(if covering {
            "okt-amsterdam".into()
        } else {
            format!("elders-{n}")
        })],
        sources: None,
        categories: ["contact".to_string(), "regie".to_string()].into(),
        activities: ["gezinsondersteuning-ouders".to_string()].into(),
        valid_from: now - Duration::days(30),
        valid_until: now + Duration::days(300),
        ended: false,
        confirmed: true,
    }
}

fn bench(c: &mut Criterion) {
    let register = Register::from_toml(DEMO).expect("the demo register");
    let activity = register
        .activity("gezinsondersteuning-ouders")
        .expect("the activity");
    let source = register.partner("bt-centrum-west").expect("a partner");
    let recipient = register.partner("okt-amsterdam").expect("a partner");
    let categories: BTreeSet<String> = ["contact".to_string()].into();
    let own: Vec<ConsentGrant> = (0..5).map(|n| grant(n, n == 4)).collect();
    let own_request = Request {
        consents: &own,
        ..base(activity, source, recipient, &categories)
    };
    assert!(matches!(decide(&own_request), Decision::Permit(_)));
    c.bench_function("decide: the subject's 5 consents", |b| {
        b.iter(|| decide(black_box(&own_request)))
    });

    let all: Vec<ConsentGrant> = (0..10_000).map(|n| grant(n, n == 9_999)).collect();
    let all_request = Request {
        consents: &all,
        ..base(activity, source, recipient, &categories)
    };
    assert!(matches!(decide(&all_request), Decision::Permit(_)));
    c.bench_function("decide: 10,000 consents, the covering one last", |b| {
        b.iter(|| decide(black_box(&all_request)))
    });
}

/// An exchange by the OKT of a buurtteam's contact data, without consents yet.
fn base<'a>(
    activity: &'a policies::Activity,
    source: &'a policies::Partner,
    recipient: &'a policies::Partner,
    categories: &'a BTreeSet<String>,
) -> Request<'a> {
    Request {
        mode: Mode::Exchange,
        activity,
        source,
        recipient,
        role: "okt-medewerker",
        categories,
        consents: &[],
        refusals: &[],
        justification: None,
        justification_rule: JustificationRule {
            min_chars: 20,
            min_words: 3,
        },
        now: Utc
            .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
            .single()
            .expect("a time"),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
