//! The store as the gateway uses it, told once and checked on both backends: every test below runs
//! on a fresh SQLite file and on a fresh PostgreSQL database (`DATABASE_URL`; `SKIP_POSTGRES=1` to
//! skip those).

#[macro_use]
mod common;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use consent::{
    Actor, Consent, ConsentEvent, ConsentStatus, LedgerWriter, Outcome, Seal, SealedWrite, Store,
    StoreError, leaf_hash,
};
use sqlx::{Connection, SqliteConnection};

use common::{
    BSN_A, BSN_B, SqliteFile, at, decision, denied_write, disclosure_for, kek, new_consent, new_id,
    permitted_write, subject,
};

on_both_backends! {
    store the_store_answers_a_ping,
    store a_recorded_consent_reads_back_with_its_history,
    store consents_of_returns_only_that_subjects_consents_oldest_first,
    store an_unknown_consent_reads_as_none_and_revoking_it_finds_nothing,
    store revoking_twice_keeps_the_first_revocation_and_one_revoked_event,
    store racing_revocations_leave_exactly_one_revoked_event,
    store a_pending_consent_becomes_active_once_confirmed_and_says_who_confirmed,
    store a_revoked_consent_cannot_be_confirmed_back_to_life,
    store an_amendment_supersedes_its_version_in_one_step_and_only_once,
    store a_representation_reads_back_and_is_ended_once,
    store a_refusal_reads_back_and_is_withdrawn_once,
    store five_hundred_concurrent_writes_get_ledger_indexes_0_to_499_once_each,
    store a_write_without_disclosure_records_a_decision_and_takes_no_ledger_index,
    store a_batch_numbers_its_disclosures_consecutively_in_the_order_given,
    store a_failed_batch_leaves_no_decision_and_no_ledger_entry_behind,
    store decisions_come_most_recent_first_up_to_the_limit,
    store decisions_past_their_activitys_retention_are_purged_and_no_others,
    store a_disclosure_reads_back_as_sealed_and_its_leaf_hash_verifies,
    store disclosures_of_lists_only_that_subjects_entries_in_ledger_order,
    store times_are_kept_to_the_microsecond,
    store an_entry_written_at_a_nanosecond_time_still_verifies_against_its_leaf,
    store one_bad_write_in_a_group_commit_does_not_fail_its_neighbours,
    store no_writer_is_answered_before_a_signed_checkpoint_covers_its_entry,
    store a_commit_that_does_not_finish_in_time_answers_every_writer_with_an_error,
    url two_stores_on_one_database_write_consecutive_unique_indexes,
    url a_reopened_database_keeps_its_records_and_continues_the_ledger,
}

// ---- consents ----

async fn the_store_answers_a_ping(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
}

async fn a_recorded_consent_reads_back_with_its_history(store: Arc<dyn Store>) {
    let new = new_consent(&subject(BSN_A));
    let id = new_id();

    let recorded = store
        .insert_consent(&id, &new, at(5))
        .await
        .expect("insert_consent");

    let expected = Consent {
        id: id.clone(),
        subject: new.subject.clone(),
        recipients: new.recipients.clone(),
        sources: new.sources.clone(),
        categories: new.categories.clone(),
        activities: new.activities.clone(),
        valid_from: new.valid_from,
        valid_until: new.valid_until,
        evidence: new.evidence.clone(),
        note: new.note.clone(),
        recorded_by_partner: "buurtteam-oost".into(),
        created_at: at(5),
        revoked_at: None,
        confirmed_at: Some(at(5)),
        history: vec![ConsentEvent {
            at: at(5),
            event: "recorded".into(),
            by: "buurtteam-oost".into(),
            professional: Some("j.jansen".into()),
            representation: None,
            log_index: Some(0),
        }],
        grantor: consent::Grantor::Subject,
        language: "nl".into(),
        version: 1,
        supersedes: None,
        superseded: None,
        refused_at: None,
    };
    assert_eq!(recorded, expected);
    assert_eq!(store.consent(&id).await.expect("consent"), Some(expected));
    assert_eq!(recorded.status_at(at(10)), ConsentStatus::Active);
}

async fn consents_of_returns_only_that_subjects_consents_oldest_first(store: Arc<dyn Store>) {
    let (a, b) = (subject(BSN_A), subject(BSN_B));
    // Recorded out of order: the older one second.
    let newer = store
        .insert_consent(&new_id(), &new_consent(&a), at(20))
        .await
        .expect("insert");
    let mut sparse = new_consent(&a);
    sparse.sources = None;
    sparse.note = None;
    let older = store
        .insert_consent(&new_id(), &sparse, at(10))
        .await
        .expect("insert");
    let other = store
        .insert_consent(&new_id(), &new_consent(&b), at(15))
        .await
        .expect("insert");

    let of_a = store.consents_of(&a).await.expect("consents_of");
    assert_eq!(of_a, vec![older.clone(), newer]);
    assert_eq!(
        of_a[0].sources, None,
        "no sources stays no sources, not an empty list"
    );
    assert_eq!(of_a[0].note, None);
    assert!(
        of_a.iter().all(|c| c.history.len() == 1),
        "each consent carries its own history only"
    );

    assert_eq!(
        store.consents_of(&b).await.expect("consents_of"),
        vec![other]
    );
    assert_eq!(
        store
            .consents_of(&subject("999999990"))
            .await
            .expect("consents_of"),
        vec![]
    );
}

async fn an_unknown_consent_reads_as_none_and_revoking_it_finds_nothing(store: Arc<dyn Store>) {
    assert_eq!(
        store.consent("no-such-consent").await.expect("consent"),
        None
    );
    assert_eq!(
        store
            .revoke_consent("no-such-consent", &Actor::amsterdammer(), at(1))
            .await
            .expect("revoke"),
        None
    );
}

async fn revoking_twice_keeps_the_first_revocation_and_one_revoked_event(store: Arc<dyn Store>) {
    let id = new_id();
    store
        .insert_consent(&id, &new_consent(&subject(BSN_A)), at(0))
        .await
        .expect("insert");

    let first = store
        .revoke_consent(&id, &Actor::amsterdammer(), at(10))
        .await
        .expect("revoke")
        .expect("found");
    let second = store
        .revoke_consent(
            &id,
            &Actor::professional("buurtteam-oost", "p.de.vries"),
            at(20),
        )
        .await
        .expect("revoke")
        .expect("found");

    assert_eq!(first.revoked_at, Some(at(10)));
    assert_eq!(second, first, "the second revocation changes nothing");
    assert_eq!(
        second.history,
        vec![
            ConsentEvent {
                at: at(0),
                event: "recorded".into(),
                by: "buurtteam-oost".into(),
                professional: Some("j.jansen".into()),
                representation: None,
                log_index: Some(0),
            },
            ConsentEvent {
                at: at(10),
                event: "revoked".into(),
                by: "amsterdammer".into(),
                professional: None,
                representation: None,
                log_index: Some(1),
            },
        ]
    );
    assert_eq!(
        store.consent(&id).await.expect("consent"),
        Some(first.clone())
    );
    assert_eq!(first.status_at(at(30)), ConsentStatus::Revoked);
}

async fn racing_revocations_leave_exactly_one_revoked_event(store: Arc<dyn Store>) {
    let id = new_id();
    store
        .insert_consent(&id, &new_consent(&subject(BSN_A)), at(0))
        .await
        .expect("insert");

    let racers: Vec<_> = (1..=10)
        .map(|i| {
            let (store, id) = (store.clone(), id.clone());
            tokio::spawn(async move {
                store
                    .revoke_consent(&id, &Actor::amsterdammer(), at(i))
                    .await
            })
        })
        .collect();
    for racer in racers {
        racer.await.expect("task").expect("revoke").expect("found");
    }

    let consent = store.consent(&id).await.expect("consent").expect("found");
    let revoked: Vec<_> = consent
        .history
        .iter()
        .filter(|e| e.event == "revoked")
        .collect();
    assert_eq!(revoked.len(), 1, "history: {:?}", consent.history);
    assert_eq!(consent.revoked_at, Some(revoked[0].at));
}

async fn a_pending_consent_becomes_active_once_confirmed_and_says_who_confirmed(
    store: Arc<dyn Store>,
) {
    let id = new_id();
    let mut new = new_consent(&subject(BSN_A));
    new.recorded_by = Actor::professional("aanbieder-noord", "b.bakker");
    new.confirmed = false;
    let pending = store
        .insert_consent(&id, &new, at(0))
        .await
        .expect("insert");
    assert_eq!(pending.confirmed_at, None);
    assert!(pending.awaits_confirmation());
    assert_eq!(pending.status_at(at(5)), ConsentStatus::Pending);

    let confirmer = Actor::professional("buurtteam-oost", "j.jansen");
    let confirmed = store
        .confirm_consent(&id, &confirmer, at(10))
        .await
        .expect("confirm")
        .expect("found");
    assert_eq!(confirmed.confirmed_at, Some(at(10)));
    assert_eq!(confirmed.status_at(at(11)), ConsentStatus::Active);
    let again = store
        .confirm_consent(&id, &Actor::amsterdammer(), at(20))
        .await
        .expect("confirm")
        .expect("found");
    assert_eq!(again, confirmed, "a second confirmation changes nothing");
    let events: Vec<_> = again
        .history
        .iter()
        .map(|e| (e.event.as_str(), e.by.as_str(), e.professional.as_deref()))
        .collect();
    assert_eq!(
        events,
        vec![
            ("recorded", "aanbieder-noord", Some("b.bakker")),
            ("confirmed", "buurtteam-oost", Some("j.jansen")),
        ]
    );
}

async fn a_revoked_consent_cannot_be_confirmed_back_to_life(store: Arc<dyn Store>) {
    let id = new_id();
    let mut new = new_consent(&subject(BSN_A));
    new.confirmed = false;
    store
        .insert_consent(&id, &new, at(0))
        .await
        .expect("insert");
    store
        .revoke_consent(&id, &Actor::amsterdammer(), at(5))
        .await
        .expect("revoke");
    let after = store
        .confirm_consent(
            &id,
            &Actor::professional("buurtteam-oost", "j.jansen"),
            at(10),
        )
        .await
        .expect("confirm")
        .expect("found");
    assert_eq!(after.confirmed_at, None);
    assert_eq!(after.status_at(at(11)), ConsentStatus::Revoked);
    assert!(after.history.iter().all(|e| e.event != "confirmed"));
}

async fn an_amendment_supersedes_its_version_in_one_step_and_only_once(store: Arc<dyn Store>) {
    let (old, first, second) = (new_id(), new_id(), new_id());
    let new = new_consent(&subject(BSN_A));
    store
        .insert_consent(&old, &new, at(0))
        .await
        .expect("insert");
    let by = Actor::representative("rep-1");
    let mut amended = new.clone();
    amended.recorded_by = by.clone();
    amended.categories = vec!["financien".into()];
    let v2 = store
        .amend_consent(&old, &first, &amended, at(10))
        .await
        .expect("amend")
        .expect("amended");
    assert_eq!(
        (v2.version, v2.supersedes.as_deref()),
        (2, Some(old.as_str()))
    );
    assert_eq!(v2.history[0].event, "amended");
    assert_eq!(v2.history[0].representation.as_deref(), Some("rep-1"));
    let v1 = store.consent(&old).await.expect("read").expect("found");
    assert_eq!(v1.superseded, Some((at(10), first.clone())));
    assert_eq!(v1.status_at(at(11)), ConsentStatus::Superseded);
    assert_eq!(
        v1.history.last().map(|e| e.event.as_str()),
        Some("superseded")
    );
    // The old version is no longer in force: a second amendment of it writes nothing.
    let again = store
        .amend_consent(&old, &second, &amended, at(20))
        .await
        .expect("amend");
    assert_eq!(again, None);
    assert_eq!(store.consent(&second).await.expect("read"), None);
    assert_eq!(
        store
            .consents_of(&subject(BSN_A))
            .await
            .expect("list")
            .len(),
        2
    );
    // Nor can a superseded version be revoked: its successor is the one in force.
    let after = store
        .revoke_consent(&old, &Actor::amsterdammer(), at(30))
        .await
        .expect("revoke")
        .expect("found");
    assert_eq!(after.revoked_at, None);
}

async fn a_representation_reads_back_and_is_ended_once(store: Arc<dyn Store>) {
    let id = new_id();
    let new = consent::NewRepresentation {
        representative: subject(BSN_B),
        represented: subject(BSN_A),
        role: policies::RepresentativeRole::Mentor,
        basis: "beschikking rechtbank Amsterdam".into(),
        document_sha256: consent::Sha256Hex::parse(&"ef".repeat(32)).expect("digest"),
        label: Some("Piet".into()),
        valid_from: at(0),
        valid_until: at(0) + chrono::Duration::days(365),
        recorded_by: Actor::professional("buurtteam-oost", "j.jansen"),
    };
    let stored = store
        .insert_representation(&id, &new, at(1))
        .await
        .expect("insert");
    assert_eq!(stored.role, policies::RepresentativeRole::Mentor);
    assert!(
        !stored.in_force_at(at(2)),
        "recorded, it grants nothing until confirmed"
    );
    let stored = store
        .confirm_representation(&id, "amsterdammer", at(1))
        .await
        .expect("confirm")
        .expect("found");
    assert!(stored.in_force_at(at(2)));
    assert_eq!(stored.confirmed_by.as_deref(), Some("amsterdammer"));
    assert_eq!(
        store.representation(&id).await.expect("read"),
        Some(stored.clone())
    );
    for person in [BSN_A, BSN_B] {
        let of = store
            .representations_of(&subject(person))
            .await
            .expect("list");
        assert_eq!(of, vec![stored.clone()], "both sides see it");
    }
    let ended = store
        .end_representation(&id, "amsterdammer", at(5))
        .await
        .expect("end")
        .expect("found");
    let again = store
        .end_representation(&id, "buurtteam-oost/j.jansen", at(9))
        .await
        .expect("end")
        .expect("found");
    assert_eq!((ended.ended_at, again.ended_at), (Some(at(5)), Some(at(5))));
    assert_eq!(
        again.ended_by.as_deref(),
        Some("amsterdammer"),
        "the first end stays"
    );
    assert!(!ended.in_force_at(at(6)));
}

// ---- decisions and the ledger ----

async fn five_hundred_concurrent_writes_get_ledger_indexes_0_to_499_once_each(
    store: Arc<dyn Store>,
) {
    let writer = LedgerWriter::start(store.clone());
    let (a, b) = (subject(BSN_A), subject(BSN_B));

    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let write = permitted_write(if i % 2 == 0 { &a } else { &b }, at(i));
            let id = write
                .disclosure
                .as_ref()
                .map(|d| d.id.clone())
                .expect("a disclosure");
            let writer = writer.clone();
            tokio::spawn(async move { (id, writer.write(write).await) })
        })
        .collect();
    let mut written = Vec::new();
    for task in tasks {
        let (id, result) = task.await.expect("task");
        written.push((id, result.expect("write").expect("a ledger index")));
    }

    let mut indexes: Vec<u64> = written.iter().map(|(_, index)| *index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..500).collect::<Vec<u64>>());
    assert_eq!(store.ledger_size().await.expect("ledger_size"), 500);

    let mut leaves = HashSet::new();
    for (id, index) in &written {
        let stored = store
            .disclosure(id)
            .await
            .expect("disclosure")
            .expect("stored");
        assert_eq!(stored.log_index, *index);
        assert_eq!(&stored.id, id);
        leaves.insert(stored.leaf_hash);
    }
    assert_eq!(leaves.len(), 500, "every entry has its own leaf hash");
    assert_eq!(
        store.decisions(None, 1000).await.expect("decisions").len(),
        500,
        "one decision per write"
    );
}

async fn a_write_without_disclosure_records_a_decision_and_takes_no_ledger_index(
    store: Arc<dyn Store>,
) {
    let writer = LedgerWriter::start(store.clone());
    let write = denied_write(&subject(BSN_A), at(1));
    let expected = write.decision.clone();

    assert_eq!(writer.write(write).await.expect("write"), None);

    assert_eq!(store.ledger_size().await.expect("ledger_size"), 0);
    assert_eq!(
        store
            .decisions(Some(Outcome::Deny), 10)
            .await
            .expect("decisions"),
        vec![expected]
    );
    assert_eq!(
        store
            .decisions(Some(Outcome::Permit), 10)
            .await
            .expect("decisions"),
        vec![]
    );
    assert_eq!(
        store
            .disclosures_of(&subject(BSN_A))
            .await
            .expect("disclosures_of"),
        vec![]
    );
}

async fn a_batch_numbers_its_disclosures_consecutively_in_the_order_given(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let batch: Vec<SealedWrite> = [
        permitted_write(&s, at(1)),
        denied_write(&s, at(2)),
        permitted_write(&s, at(3)),
        permitted_write(&s, at(4)),
    ]
    .into_iter()
    .map(|w| sealed(w.decision, w.disclosure))
    .collect();

    assert_eq!(
        store.commit_batch(&batch, None).await.expect("commit"),
        vec![Some(0), None, Some(1), Some(2)]
    );
    let next = [
        sealed(permitted_write(&s, at(5)).decision, None),
        sealed_permit(&s, at(6)),
    ];
    assert_eq!(
        store.commit_batch(&next, None).await.expect("commit"),
        vec![None, Some(3)]
    );
    assert_eq!(
        store.commit_batch(&[], None).await.expect("an empty batch"),
        vec![]
    );
    assert_eq!(store.ledger_size().await.expect("ledger_size"), 4);

    let third = batch[2]
        .disclosure
        .as_ref()
        .map(|(d, _)| d.id.clone())
        .expect("a disclosure");
    assert_eq!(
        store
            .disclosure(&third)
            .await
            .expect("disclosure")
            .expect("stored")
            .log_index,
        1
    );
}

async fn a_failed_batch_leaves_no_decision_and_no_ledger_entry_behind(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let first = sealed_permit(&s, at(1));
    // The second write reuses the first disclosure's id, which the ledger refuses.
    let mut clash = permitted_write(&s, at(2));
    if let (Some(d), Some((taken, _))) = (clash.disclosure.as_mut(), first.disclosure.as_ref()) {
        d.id = taken.id.clone();
    }
    let batch = [first.clone(), sealed(clash.decision, clash.disclosure)];

    assert!(store.commit_batch(&batch, None).await.is_err());

    assert_eq!(store.ledger_size().await.expect("ledger_size"), 0);
    assert_eq!(store.decisions(None, 10).await.expect("decisions"), vec![]);
    let first_id = first
        .disclosure
        .as_ref()
        .map(|(d, _)| d.id.clone())
        .expect("a disclosure");
    assert_eq!(store.disclosure(&first_id).await.expect("disclosure"), None);
    // The ledger goes on without a gap.
    assert_eq!(
        store
            .commit_batch(&[sealed_permit(&s, at(3))], None)
            .await
            .expect("commit"),
        vec![Some(0)]
    );
}

async fn decisions_past_their_activitys_retention_are_purged_and_no_others(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let old = decision(&s, Outcome::Deny, at(10));
    let recent = decision(&s, Outcome::Deny, at(30));
    let mut other_old = decision(&s, Outcome::Permit, at(10));
    other_old.activity = "regiecheck".into();
    let mut unlisted_old = decision(&s, Outcome::Permit, at(10));
    unlisted_old.activity = "no-longer-registered".into();
    let mut unlisted_recent = unlisted_old.clone();
    unlisted_recent.id = new_id();
    unlisted_recent.at = at(30);
    let batch: Vec<_> = [&old, &recent, &other_old, &unlisted_old, &unlisted_recent]
        .into_iter()
        .map(|d| sealed(d.clone(), None))
        .collect();
    store.commit_batch(&batch, None).await.expect("commit");

    // schuldhulpverlening-intake keeps decisions until at(20), regiecheck until at(5); others at(20).
    let cutoffs = [
        ("schuldhulpverlening-intake".to_owned(), at(20)),
        ("regiecheck".to_owned(), at(5)),
    ];
    let purged = store
        .purge_decisions(&cutoffs, at(20))
        .await
        .expect("purge");
    assert_eq!(purged, 2);
    let left: HashSet<String> = store
        .decisions(None, 10)
        .await
        .expect("decisions")
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(
        left,
        HashSet::from([recent.id, other_old.id, unlisted_recent.id])
    );
}

async fn decisions_come_most_recent_first_up_to_the_limit(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let middle = decision(&s, Outcome::Deny, at(20));
    let oldest = decision(&s, Outcome::Permit, at(10));
    let newest = decision(&s, Outcome::Deny, at(30));
    let batch: Vec<_> = [&middle, &oldest, &newest]
        .into_iter()
        .map(|d| sealed(d.clone(), None))
        .collect();
    store.commit_batch(&batch, None).await.expect("commit");

    assert_eq!(
        store.decisions(None, 10).await.expect("decisions"),
        vec![newest.clone(), middle.clone(), oldest.clone()]
    );
    assert_eq!(
        store.decisions(None, 2).await.expect("decisions"),
        vec![newest.clone(), middle.clone()]
    );
    assert_eq!(
        store
            .decisions(Some(Outcome::Deny), 10)
            .await
            .expect("decisions"),
        vec![newest, middle]
    );
    assert_eq!(
        store
            .decisions(Some(Outcome::Permit), 10)
            .await
            .expect("decisions"),
        vec![oldest]
    );
    assert_eq!(store.decisions(None, 0).await.expect("decisions"), vec![]);
}

async fn a_disclosure_reads_back_as_sealed_and_its_leaf_hash_verifies(store: Arc<dyn Store>) {
    let write = permitted_write(&subject(BSN_A), at(7));
    let mut record = write.disclosure.expect("a disclosure");
    record.justification = Some("acute schuldsituatie".into());
    record.consent_id = None;
    let salt = [9u8; 16];
    let seal = Seal::of(&salt, &record);

    let index = store
        .commit_batch(
            &[SealedWrite {
                decision: write.decision,
                disclosure: Some((record.clone(), seal.clone())),
                deferral: None,
            }],
            None,
        )
        .await
        .expect("commit");
    assert_eq!(index, vec![Some(0)]);

    let stored = store
        .disclosure(&record.id)
        .await
        .expect("disclosure")
        .expect("stored");
    assert_eq!(stored.record(), Some(record));
    assert_eq!(stored.log_index, 0);
    assert_eq!(stored.leaf_hash, seal.leaf_hash);
    assert_eq!(stored.record_digest, seal.record_digest);
    let recomputed = leaf_hash(&salt, &stored.record().expect("readable"));
    assert_eq!(
        recomputed, stored.leaf_hash,
        "the stored record still hashes to its leaf"
    );
    assert_eq!(
        store
            .disclosure("no-such-disclosure")
            .await
            .expect("disclosure"),
        None
    );
}

async fn disclosures_of_lists_only_that_subjects_entries_in_ledger_order(store: Arc<dyn Store>) {
    let (a, b) = (subject(BSN_A), subject(BSN_B));
    let batch = [
        sealed_permit(&a, at(1)),
        sealed_permit(&b, at(2)),
        sealed_permit(&a, at(3)),
    ];
    store.commit_batch(&batch, None).await.expect("commit");

    let of_a = store.disclosures_of(&a).await.expect("disclosures_of");
    assert_eq!(
        of_a.iter().map(|d| d.log_index).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert!(of_a.iter().all(|d| d.subject == a));
    let of_b = store.disclosures_of(&b).await.expect("disclosures_of");
    assert_eq!(
        of_b.iter().map(|d| d.log_index).collect::<Vec<_>>(),
        vec![1]
    );
}

async fn times_are_kept_to_the_microsecond(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let precise = at(0) + Duration::nanoseconds(123_456_789);
    store
        .commit_batch(&[sealed(decision(&s, Outcome::Deny, precise), None)], None)
        .await
        .expect("commit");

    let back = store.decisions(None, 1).await.expect("decisions");
    assert_eq!(
        back[0].at,
        at(123_456),
        "nanoseconds are cut to whole microseconds on every backend"
    );
}

// ---- opening a database more than once ----

async fn two_stores_on_one_database_write_consecutive_unique_indexes(url: String) {
    // Two gateway replicas: each its own store (pool) and its own writer, on one database.
    let first = consent::connect(&url, kek()).await.expect("first store");
    let second = consent::connect(&url, kek()).await.expect("second store");
    let writers = [
        LedgerWriter::start(first.clone()),
        LedgerWriter::start(second.clone()),
    ];
    let s = subject(BSN_A);

    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let writer = writers[i % 2].clone();
            let write = permitted_write(&s, at(i64::try_from(i).expect("small")));
            tokio::spawn(async move { writer.write(write).await })
        })
        .collect();
    let mut indexes = Vec::new();
    for task in tasks {
        indexes.push(
            task.await
                .expect("task")
                .expect("write")
                .expect("a ledger index"),
        );
    }

    indexes.sort_unstable();
    assert_eq!(indexes, (0..300).collect::<Vec<u64>>());
    assert_eq!(first.ledger_size().await.expect("ledger_size"), 300);
    assert_eq!(second.ledger_size().await.expect("ledger_size"), 300);
    let stored: Vec<u64> = first
        .disclosures_of(&s)
        .await
        .expect("disclosures_of")
        .iter()
        .map(|d| d.log_index)
        .collect();
    assert_eq!(stored, (0..300).collect::<Vec<u64>>());
}

async fn a_reopened_database_keeps_its_records_and_continues_the_ledger(url: String) {
    let s = subject(BSN_A);
    let consent_id = new_id();
    {
        let store = consent::connect(&url, kek()).await.expect("store");
        store
            .insert_consent(&consent_id, &new_consent(&s), at(0))
            .await
            .expect("insert");
        // The consent's `recorded` entry is entry 0 of the log.
        let writer = LedgerWriter::start(store.clone());
        for i in 0..3 {
            assert_eq!(
                writer
                    .write(permitted_write(&s, at(i)))
                    .await
                    .expect("write"),
                Some(i as u64 + 1)
            );
        }
    }

    let reopened = consent::connect(&url, kek())
        .await
        .expect("the same database opens again");
    assert_eq!(reopened.ledger_size().await.expect("ledger_size"), 4);
    assert!(
        reopened
            .consent(&consent_id)
            .await
            .expect("consent")
            .is_some()
    );
    let writer = LedgerWriter::start(reopened.clone());
    assert_eq!(
        writer
            .write(permitted_write(&s, at(3)))
            .await
            .expect("write"),
        Some(4)
    );
}

// ---- one backend only ----

mod sqlite_only {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_sqlite_files_never_contain_a_plain_bsn() {
        let file = SqliteFile::create();
        let store = consent::connect(&file.url(), kek()).await.expect("store");
        let s = subject(BSN_A); // a Pseudonymizer's HMAC of the BSN
        let consent_id = new_id();
        store
            .insert_consent(&consent_id, &new_consent(&s), at(0))
            .await
            .expect("insert");
        let writer = LedgerWriter::start(store.clone());
        writer
            .write(permitted_write(&s, at(1)))
            .await
            .expect("write");
        writer.write(denied_write(&s, at(2))).await.expect("write");
        store
            .revoke_consent(&consent_id, &Actor::amsterdammer(), at(3))
            .await
            .expect("revoke");

        let mut scanned = Vec::new();
        let mut pseudonym_seen = false;
        for entry in std::fs::read_dir(file.dir.path()).expect("read_dir") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            assert!(
                !contains(&bytes, BSN_A.as_bytes()),
                "{} holds the plain BSN",
                path.display()
            );
            pseudonym_seen |= contains(&bytes, s.as_str().as_bytes());
            scanned.push(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        assert!(
            scanned.contains(&"consent.db-wal".to_string()),
            "scanned {scanned:?}"
        );
        assert!(
            pseudonym_seen,
            "the scan did see the records (they hold the pseudonym)"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_url_of_either_form_creates_missing_directories_in_wal_mode() {
        let dir = tempfile::TempDir::new().expect("a temporary directory");
        let short = dir.path().join("one/two/consent.db");
        let long = dir.path().join("three/consent.db");

        for url in [
            format!("sqlite:{}", short.display()),
            format!("sqlite://{}", long.display()),
        ] {
            let store = consent::connect(&url, kek())
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            store.ping().await.expect("ping");
            let mut raw = SqliteConnection::connect(&url)
                .await
                .expect("a plain connection");
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut raw)
                .await
                .expect("pragma");
            assert_eq!(mode, "wal", "{url}");
            raw.close().await.expect("close");
        }
        assert!(short.is_file() && long.is_file());
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }
}

mod postgres_only {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_with_synchronous_commit_off_is_refused_as_not_durable() {
        let Some(db) = fixture::PgDatabase::create("consent_test").await else {
            return;
        };
        db.admin(&format!(
            "ALTER DATABASE {} SET synchronous_commit = off",
            db.name()
        ))
        .await;

        let result = consent::connect(db.url(), kek()).await;

        match result {
            Err(StoreError::NotDurable(why)) => {
                assert!(why.contains("synchronous_commit"), "{why}")
            }
            other => panic!("expected NotDurable, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unsupported_database_url_is_refused() {
    for url in ["mysql://localhost/consent", "consent.db", ""] {
        assert!(
            matches!(
                consent::connect(url, kek()).await,
                Err(StoreError::UnsupportedUrl)
            ),
            "{url}"
        );
    }
}

// ---- refusals ----

async fn a_refusal_reads_back_and_is_withdrawn_once(store: Arc<dyn Store>) {
    let s = subject(BSN_A);
    let new = consent::NewRefusal {
        subject: s.clone(),
        recipient: Some("wpi".into()),
        category: None,
        activity: Some("schuldhulpverlening-intake".into()),
        note: Some("niet naar het inkomensdomein".into()),
        recorded_by: Actor::professional("buurtteam-oost", "j.jansen"),
    };
    let id = new_id();
    let stored = store
        .insert_refusal(&id, &new, at(1))
        .await
        .expect("insert");
    assert_eq!(
        (
            stored.recipient.as_deref(),
            stored.category.as_deref(),
            stored.activity.as_deref()
        ),
        (Some("wpi"), None, Some("schuldhulpverlening-intake"))
    );
    assert_eq!(
        (
            stored.recorded_by_partner.as_str(),
            stored.professional.as_deref()
        ),
        ("buurtteam-oost", Some("j.jansen"))
    );
    assert_eq!((stored.created_at, stored.withdrawn_at), (at(1), None));
    assert_eq!(
        store.refusals_of(&s).await.expect("read"),
        vec![stored.clone()]
    );
    assert!(
        store
            .refusals_of(&subject(BSN_B))
            .await
            .expect("read")
            .is_empty()
    );

    let withdrawn = store
        .withdraw_refusal(&id, "bt-centrum-west/prof-1", at(2))
        .await
        .expect("withdraw")
        .expect("found");
    assert_eq!(withdrawn.withdrawn_at, Some(at(2)));
    assert_eq!(
        withdrawn.withdrawn_by.as_deref(),
        Some("bt-centrum-west/prof-1")
    );
    let again = store
        .withdraw_refusal(&id, "amsterdammer", at(3))
        .await
        .expect("withdraw")
        .expect("found");
    assert_eq!(
        (again.withdrawn_at, again.withdrawn_by.as_deref()),
        (Some(at(2)), Some("bt-centrum-west/prof-1")),
        "the first withdrawal stays"
    );
    assert_eq!(
        store
            .withdraw_refusal("no-such", "amsterdammer", at(3))
            .await
            .expect("withdraw"),
        None
    );
}

// ---- helpers ----

fn sealed(
    decision: consent::DecisionRecord,
    disclosure: Option<consent::NewDisclosure>,
) -> SealedWrite {
    let disclosure = disclosure.map(|record| {
        let seal = Seal::of(new_id().as_bytes(), &record);
        (record, seal)
    });
    SealedWrite {
        decision,
        disclosure,
        deferral: None,
    }
}

fn sealed_permit(s: &consent::SubjectId, at: chrono::DateTime<chrono::Utc>) -> SealedWrite {
    let decision = decision(s, Outcome::Permit, at);
    let disclosure = disclosure_for(&decision);
    sealed(decision, Some(disclosure))
}

async fn an_entry_written_at_a_nanosecond_time_still_verifies_against_its_leaf(
    store: Arc<dyn Store>,
) {
    // Real clocks have nanoseconds, the databases keep microseconds: the leaf must commit to what is stored.
    let when = at(7) + chrono::Duration::nanoseconds(123);
    let write = permitted_write(&subject(BSN_A), when);
    let id = write.disclosure.as_ref().expect("a disclosure").id.clone();
    let writer = consent::LedgerWriter::start(store.clone());
    writer.write(write).await.expect("durable write");
    let stored = store.disclosure(&id).await.expect("read").expect("stored");
    let personal = stored.personal().expect("readable");
    let salt = hex::decode(&personal.salt).expect("hex salt");
    let recomputed = leaf_hash(&salt, &stored.record().expect("readable"));
    assert_eq!(recomputed, stored.leaf_hash);
}

async fn one_bad_write_in_a_group_commit_does_not_fail_its_neighbours(store: Arc<dyn Store>) {
    let writer = consent::LedgerWriter::start(store.clone());
    let first = permitted_write(&subject(BSN_A), at(1));
    writer.write(first.clone()).await.expect("first write");
    // Twenty good writes and one that repeats the first one's ids, all at once.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let writer = writer.clone();
        let write = permitted_write(&subject(BSN_A), at(10 + i));
        tasks.push(tokio::spawn(
            async move { writer.write(write).await.is_ok() },
        ));
    }
    let duplicate = {
        let writer = writer.clone();
        tokio::spawn(async move { writer.write(first).await.is_ok() })
    };
    for task in tasks {
        assert!(
            task.await.expect("task"),
            "a good write failed with its batch"
        );
    }
    assert!(!duplicate.await.expect("task"), "the duplicate must fail");
    assert_eq!(store.ledger_size().await.expect("size"), 21);
}

async fn no_writer_is_answered_before_a_signed_checkpoint_covers_its_entry(store: Arc<dyn Store>) {
    use std::sync::atomic::Ordering;

    let faulty = Arc::new(common::failing::Faulty::around(store.clone()));
    let skey = consent::LogSigner::generate_skey("test.example/log").expect("a key");
    let signer = consent::LogSigner::from_skey(&skey).expect("a signer");
    let verifier = signer.verifier().clone();
    let log = Arc::new(
        consent::Log::open(faulty.clone(), signer, Arc::new(consent::SystemClock))
            .await
            .expect("the log opens"),
    );
    let (writer, _task) = LedgerWriter::spawn(faulty.clone(), Some(log));
    let subject = subject(BSN_A);

    let first = writer
        .write(permitted_write(&subject, at(1)))
        .await
        .expect("written");
    assert_eq!(first, Some(0));
    let latest = store
        .latest_checkpoint()
        .await
        .expect("read")
        .expect("signed");
    assert_eq!(
        verifier
            .verify_checkpoint(&latest.note)
            .expect("verifies")
            .size,
        1
    );

    // The checkpoint step fails: the writer is told so, never "done".
    faulty.failing_checkpoints.store(true, Ordering::SeqCst);
    let refused = writer.write(permitted_write(&subject, at(2))).await;
    assert!(
        matches!(refused, Err(StoreError::CheckpointFailed(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.ledger_size().await.expect("size"),
        1,
        "an entry lands only with the checkpoint that covers it"
    );
    assert_eq!(
        store
            .latest_checkpoint()
            .await
            .expect("read")
            .expect("signed")
            .size,
        1
    );

    // Once checkpoints can be signed again, the tree the failed commit extended was taken back:
    // the next checkpoint covers exactly what the ledger holds.
    faulty.failing_checkpoints.store(false, Ordering::SeqCst);
    writer
        .write(permitted_write(&subject, at(3)))
        .await
        .expect("written");
    let latest = store
        .latest_checkpoint()
        .await
        .expect("read")
        .expect("signed");
    assert_eq!(
        verifier
            .verify_checkpoint(&latest.note)
            .expect("verifies")
            .size,
        2
    );
    // Rebuilt from the ledger alone, the tree matches that checkpoint.
    consent::Log::open(
        store.clone(),
        consent::LogSigner::from_skey(&skey).expect("a signer"),
        Arc::new(consent::SystemClock),
    )
    .await
    .expect("the ledger matches its latest checkpoint");
}

async fn a_commit_that_does_not_finish_in_time_answers_every_writer_with_an_error(
    store: Arc<dyn Store>,
) {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    let faulty = Arc::new(common::failing::Faulty::around(store.clone()));
    let signer = consent::LogSigner::from_skey(
        &consent::LogSigner::generate_skey("test.example/log").expect("a key"),
    )
    .expect("a signer");
    let log = Arc::new(
        consent::Log::open(faulty.clone(), signer, Arc::new(consent::SystemClock))
            .await
            .expect("the log opens"),
    );
    let batching = consent::Batching {
        commit_timeout: Duration::from_millis(300),
        ..consent::Batching::default()
    };
    let (writer, _task) = LedgerWriter::spawn_batching(faulty.clone(), Some(log), batching);
    let subject = subject(BSN_A);

    faulty.slow_commits.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let stuck =
        futures::future::join_all((0..3).map(|i| writer.write(permitted_write(&subject, at(i)))))
            .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered at the deadline, not after the commit"
    );
    for answer in stuck {
        assert!(
            matches!(answer, Err(StoreError::CommitTimedOut)),
            "{answer:?}"
        );
    }
    // The store recovers: the next write is committed and covered by a checkpoint.
    faulty.slow_commits.store(false, Ordering::SeqCst);
    let index = writer
        .write(permitted_write(&subject, at(10)))
        .await
        .expect("written")
        .expect("an index");
    let latest = store
        .latest_checkpoint()
        .await
        .expect("read")
        .expect("signed");
    assert!(latest.size > index);
}
