//! Every change in a consent's life is an entry of the public log (issue 8 item 8): recorded,
//! confirmed, amended and superseded, revoked, refused, and expired once the clock has passed the
//! end of its validity. On both backends.

#[macro_use]
#[allow(dead_code)]
mod common;

use std::sync::Arc;

use chrono::Duration;
use consent::{
    Actor, ConsentChange, LedgerEntry, LogSigner, Store, consent_digest, consent_leaf_input,
    hash_leaf, representation_digest, representation_leaf_input,
};

use common::{BSN_A, BSN_B, at, new_consent, new_id, subject};

on_both_backends! {
    store every_change_in_a_consents_life_is_a_log_entry_whose_leaf_rederives,
    store an_expiry_is_logged_once_and_only_for_a_consent_still_in_force_at_its_end,
    store a_checkpoint_signed_after_consent_changes_covers_them_and_the_tree_rebuilds,
    store a_long_ended_consent_loses_its_personal_details_once_and_a_current_one_keeps_them,
    store a_representation_that_runs_out_is_logged_expired_once_and_an_ended_one_not,
}

async fn a_long_ended_consent_loses_its_personal_details_once_and_a_current_one_keeps_them(
    store: Arc<dyn Store>,
) {
    let (revoked, current) = (new_id(), new_id());
    let new = new_consent(&subject(BSN_A));
    assert!(new.note.is_some());
    for id in [&revoked, &current] {
        store.insert_consent(id, &new, at(0)).await.expect("insert");
    }
    store
        .revoke_consent(&revoked, &Actor::amsterdammer(), at(10))
        .await
        .expect("revoke")
        .expect("found");

    assert_eq!(
        store.purge_consents(at(5), at(100)).await.expect("purge"),
        0,
        "not ended long enough ago"
    );
    assert_eq!(
        store.purge_consents(at(20), at(100)).await.expect("purge"),
        1
    );
    assert_eq!(
        store.purge_consents(at(20), at(100)).await.expect("purge"),
        0,
        "once"
    );
    let purged = store.consent(&revoked).await.expect("read").expect("found");
    assert_eq!(
        (purged.note, purged.evidence.recorded_by.as_str()),
        (None, "")
    );
    assert_eq!(purged.revoked_at, Some(at(10)), "what happened stays");
    let kept = store.consent(&current).await.expect("read").expect("found");
    assert_eq!(kept.note, new.note);
    assert_eq!(kept.evidence.recorded_by, new.evidence.recorded_by);
}

/// The consent entries of the ledger, in log order.
async fn consent_entries(store: &dyn Store) -> Vec<consent::ConsentEntry> {
    let size = store.ledger_size().await.expect("size");
    store
        .entries_between(0, size)
        .await
        .expect("entries")
        .into_iter()
        .map(|entry| match entry {
            LedgerEntry::Consent(c) => *c,
            other => panic!("only consent entries were written, found {other:?}"),
        })
        .collect()
}

async fn every_change_in_a_consents_life_is_a_log_entry_whose_leaf_rederives(
    store: Arc<dyn Store>,
) {
    let (first, second, pending) = (new_id(), new_id(), new_id());
    let new = new_consent(&subject(BSN_A));
    store
        .insert_consent(&first, &new, at(0))
        .await
        .expect("insert");
    let mut amended = new.clone();
    amended.categories = vec!["financien".into()];
    store
        .amend_consent(&first, &second, &amended, at(10))
        .await
        .expect("amend")
        .expect("amended");
    let resident = Actor::amsterdammer();
    store
        .revoke_consent(&second, &resident, at(20))
        .await
        .expect("revoke")
        .expect("found");
    // Revoking again changes nothing, so it logs nothing.
    store
        .revoke_consent(&second, &resident, at(30))
        .await
        .expect("revoke")
        .expect("found");
    let mut unconfirmed = new_consent(&subject(BSN_B));
    unconfirmed.confirmed = false;
    store
        .insert_consent(&pending, &unconfirmed, at(40))
        .await
        .expect("insert");
    store
        .refuse_consent(&pending, &resident, at(50))
        .await
        .expect("refuse")
        .expect("found");

    let entries = consent_entries(store.as_ref()).await;
    let seen: Vec<_> = entries
        .iter()
        .map(|e| (e.consent_id.as_str(), e.event, e.actor.as_str(), e.at))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                first.as_str(),
                ConsentChange::Recorded,
                "buurtteam-oost",
                at(0)
            ),
            (
                first.as_str(),
                ConsentChange::Superseded,
                "buurtteam-oost",
                at(10)
            ),
            (
                second.as_str(),
                ConsentChange::Amended,
                "buurtteam-oost",
                at(10)
            ),
            (
                second.as_str(),
                ConsentChange::Revoked,
                "amsterdammer",
                at(20)
            ),
            (
                pending.as_str(),
                ConsentChange::Recorded,
                "buurtteam-oost",
                at(40)
            ),
            (
                pending.as_str(),
                ConsentChange::Refused,
                "amsterdammer",
                at(50)
            ),
        ]
    );
    let leaves = store
        .leaf_hashes(0, entries.len() as u64)
        .await
        .expect("leaves");
    for (entry, leaf) in entries.iter().zip(&leaves) {
        assert_eq!(
            entry.subject,
            if entry.consent_id == pending {
                subject(BSN_B)
            } else {
                subject(BSN_A)
            }
        );
        let salt = hex::decode(&entry.salt).expect("hex salt");
        assert_eq!(consent_digest(&salt, entry), entry.record_digest);
        assert_eq!(
            hash_leaf(&consent_leaf_input(entry, &entry.record_digest)),
            *leaf,
            "entry {} re-derives to the leaf the tree holds",
            entry.log_index
        );
    }
    // Each step of the history says where it is in the log.
    let history = store
        .consent(&second)
        .await
        .expect("read")
        .expect("found")
        .history;
    let indexes: Vec<_> = history
        .iter()
        .map(|e| (e.event.as_str(), e.log_index))
        .collect();
    assert_eq!(indexes, vec![("amended", Some(2)), ("revoked", Some(3))]);
}

async fn an_expiry_is_logged_once_and_only_for_a_consent_still_in_force_at_its_end(
    store: Arc<dyn Store>,
) {
    let (runs_out, revoked_first, still_valid) = (new_id(), new_id(), new_id());
    let mut short = new_consent(&subject(BSN_A));
    short.valid_until = at(0) + Duration::days(30);
    store
        .insert_consent(&runs_out, &short, at(0))
        .await
        .expect("insert");
    store
        .insert_consent(&revoked_first, &short, at(0))
        .await
        .expect("insert");
    store
        .revoke_consent(&revoked_first, &Actor::amsterdammer(), at(5))
        .await
        .expect("revoke")
        .expect("found");
    store
        .insert_consent(&still_valid, &new_consent(&subject(BSN_A)), at(0))
        .await
        .expect("insert");

    assert_eq!(
        store
            .log_expiries(at(0) + Duration::days(29))
            .await
            .expect("log"),
        0,
        "nothing has run out yet"
    );
    let after = at(0) + Duration::days(31);
    assert_eq!(store.log_expiries(after).await.expect("log"), 1);
    assert_eq!(
        store.log_expiries(after).await.expect("log"),
        0,
        "an expiry is logged once"
    );
    let expiries: Vec<_> = consent_entries(store.as_ref())
        .await
        .into_iter()
        .filter(|e| e.event == ConsentChange::Expired)
        .collect();
    assert_eq!(expiries.len(), 1);
    assert_eq!(expiries[0].consent_id, runs_out);
    assert_eq!(
        expiries[0].at, short.valid_until,
        "logged at the moment it ran out"
    );
    assert_eq!(expiries[0].actor, consent::EXPIRY_ACTOR);
    let history = store
        .consent(&runs_out)
        .await
        .expect("read")
        .expect("found")
        .history;
    assert_eq!(
        history
            .last()
            .map(|e| (e.event.as_str(), e.at, e.log_index)),
        Some(("expired", short.valid_until, Some(expiries[0].log_index)))
    );
}

async fn a_checkpoint_signed_after_consent_changes_covers_them_and_the_tree_rebuilds(
    store: Arc<dyn Store>,
) {
    let skey = LogSigner::generate_skey("test.example/log").expect("a key");
    let clock = Arc::new(consent::SystemClock);
    let log = consent::Log::open(
        store.clone(),
        LogSigner::from_skey(&skey).expect("a signer"),
        clock.clone(),
    )
    .await
    .expect("opens");
    let id = new_id();
    store
        .insert_consent(&id, &new_consent(&subject(BSN_A)), at(0))
        .await
        .expect("insert");
    store
        .revoke_consent(&id, &Actor::amsterdammer(), at(1))
        .await
        .expect("revoke")
        .expect("found");
    log.checkpoint().await.expect("signed");
    let latest = store
        .latest_checkpoint()
        .await
        .expect("read")
        .expect("a checkpoint");
    assert_eq!(latest.size, 2);
    let proof = log.inclusion_proof(1, 2).await.expect("a proof");
    consent::merkle::verify_inclusion(&proof.leaf_hash, 1, 2, &proof.path, &latest.root)
        .expect("the revocation is in the signed tree");
    consent::Log::open(
        store.clone(),
        LogSigner::from_skey(&skey).expect("a signer"),
        clock,
    )
    .await
    .expect("rebuilt from the ledger, the tree matches the checkpoint");
}

async fn a_representation_that_runs_out_is_logged_expired_once_and_an_ended_one_not(
    store: Arc<dyn Store>,
) {
    let new = |until| consent::NewRepresentation {
        representative: subject(BSN_B),
        represented: subject(BSN_A),
        role: policies::RepresentativeRole::Mentor,
        basis: "beschikking rechtbank Amsterdam".into(),
        document_sha256: consent::Sha256Hex::parse(&"ef".repeat(32)).expect("digest"),
        label: None,
        valid_from: at(0),
        valid_until: until,
        recorded_by: Actor::professional("bt-centrum-west", "prof-1"),
    };
    let (runs_out, ended_first) = (new_id(), new_id());
    let until = at(0) + Duration::days(30);
    for id in [&runs_out, &ended_first] {
        store
            .insert_representation(id, &new(until), at(1))
            .await
            .expect("insert");
    }
    store
        .end_representation(&ended_first, "amsterdammer", at(2))
        .await
        .expect("end")
        .expect("found");
    let after = at(0) + Duration::days(31);
    assert_eq!(store.log_expiries(after).await.expect("log"), 1);
    assert_eq!(store.log_expiries(after).await.expect("log"), 0, "once");
    let size = store.ledger_size().await.expect("size");
    let changes: Vec<(String, &'static str, String, u64)> = store
        .entries_between(0, size)
        .await
        .expect("entries")
        .into_iter()
        .map(|entry| match entry {
            LedgerEntry::Representation(r) => {
                let salt = hex::decode(&r.salt).expect("hex");
                assert_eq!(representation_digest(&salt, &r), r.record_digest);
                assert_eq!(
                    hash_leaf(&representation_leaf_input(&r, &r.record_digest)),
                    r.leaf_hash
                );
                (
                    r.representation_id.clone(),
                    r.event.as_str(),
                    r.actor.clone(),
                    r.log_index,
                )
            }
            other => panic!("only representation entries were written, found {other:?}"),
        })
        .collect();
    let ran_out = |id: &str| (id.to_owned(), "expired", consent::EXPIRY_ACTOR.to_owned());
    assert_eq!(
        changes
            .iter()
            .map(|(id, event, actor, _)| (id.clone(), *event, actor.clone()))
            .collect::<Vec<_>>(),
        vec![
            (runs_out.clone(), "recorded", "bt-centrum-west".to_owned()),
            (
                ended_first.clone(),
                "recorded",
                "bt-centrum-west".to_owned()
            ),
            (ended_first.clone(), "ended", "amsterdammer".to_owned()),
            ran_out(&runs_out),
        ]
    );
    assert_eq!(
        changes.iter().map(|c| c.3).collect::<Vec<_>>(),
        vec![0, 1, 2, 3],
        "consecutive log indexes"
    );
}
