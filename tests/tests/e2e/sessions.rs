//! The pages' sessions end (issue 19, finding 5): signing out ends a session on every replica at
//! once, so a copied cookie is worth nothing afterwards; a session ends after its idle time without
//! use; and every session ends at its absolute lifetime however busy it is (8 hours for officers,
//! 30 minutes for residents by default).

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use chrono::{Duration, Utc};
use consent::FixedClock;
use tests::{BSN, Db, TestApp, Visitor};

async fn signed_in(visitor: &mut Visitor, page: &str) -> bool {
    let answer = visitor.get(page).await;
    match answer.status {
        200 => true,
        303 => false,
        other => panic!("{page}: {other} {}", answer.body),
    }
}

async fn signing_out_ends_the_session_on_every_replica(db: Db) {
    let Some(first) = TestApp::spawn(db).await else {
        return;
    };
    let second = first.replica(db).await;

    let mut officer = first.officer_visitor("bt-centrum-west").await;
    let mut copied = officer.copied_to(&second);
    assert!(
        signed_in(&mut copied, "/audit").await,
        "one session, every replica"
    );
    assert!(signed_in(&mut officer, "/audit").await);
    let out = officer.post("/audit/uitloggen", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert!(!signed_in(&mut officer, "/audit").await);
    assert!(
        !signed_in(&mut copied, "/audit").await,
        "a copied cookie is worth nothing after signing out, on the other replica too"
    );
    assert!(!signed_in(&mut officer.copied_to(&first), "/audit").await);

    let mut resident = first.visitor();
    resident.get("/mijn/login").await;
    resident.post("/mijn/login", &[("bsn", BSN)]).await;
    let mut copied = resident.copied_to(&second);
    assert!(signed_in(&mut copied, "/mijn").await);
    assert!(signed_in(&mut resident, "/mijn").await);
    let out = resident.post("/mijn/uitloggen", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert!(!signed_in(&mut copied, "/mijn").await);
    second.stop().await;
    first.stop().await;
}

async fn a_session_ends_when_idle_and_at_its_lifetime_however_busy(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock(db, clock.clone()).await else {
        return;
    };
    // An officer busy all day, a page every 25 minutes: signed in until eight hours have passed.
    let mut busy = app.officer_visitor("bt-centrum-west").await;
    let mut minutes = 0;
    while minutes + 25 < 8 * 60 {
        minutes += 25;
        clock.set(start + Duration::minutes(minutes));
        assert!(
            signed_in(&mut busy, "/audit").await,
            "after {minutes} minutes"
        );
    }
    clock.set(start + Duration::minutes(8 * 60 + 1));
    assert!(
        !signed_in(&mut busy, "/audit").await,
        "a working day at most"
    );

    // Idle for longer than 30 minutes: out, however young the session.
    let idle_start = start + Duration::minutes(8 * 60 + 2);
    clock.set(idle_start);
    let mut idle = app.officer_visitor("bt-centrum-west").await;
    clock.set(idle_start + Duration::minutes(31));
    assert!(!signed_in(&mut idle, "/audit").await, "idle too long");

    // A resident: 30 minutes at most, even while using the pages.
    let resident_start = idle_start + Duration::minutes(40);
    clock.set(resident_start);
    let mut resident = app.visitor();
    resident.get("/mijn/login").await;
    resident.post("/mijn/login", &[("bsn", BSN)]).await;
    clock.set(resident_start + Duration::minutes(20));
    assert!(signed_in(&mut resident, "/mijn").await);
    clock.set(resident_start + Duration::minutes(31));
    assert!(
        !signed_in(&mut resident, "/mijn").await,
        "30 minutes at most"
    );
    app.stop().await;
}

tests::both_databases! {
    signing_out_ends_the_session_on_every_replica =>
        signing_out_ends_the_session_on_every_replica;
    a_session_ends_when_idle_and_at_its_lifetime_however_busy =>
        a_session_ends_when_idle_and_at_its_lifetime_however_busy;
}
