//! The public log (issue 7, api.md "The log"), checked as an outsider would: only with what the
//! gateway publishes (the verifier key, signed checkpoints, proofs), never by trusting it.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::merkle::{self, Hash};
use consent::{Checkpoint, LogVerifier};
use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp, send};

const OUDERS: &str = "gezinsondersteuning-ouders";

async fn exchange(app: &TestApp, bsn: &str) -> Value {
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS,
                    "categories": ["contact"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.public().get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{path}"
    );
    response.text().await.unwrap()
}

/// The published key and the checkpoint it signed, checked with the C2SP rules.
async fn signed_checkpoint(app: &TestApp) -> (LogVerifier, Checkpoint) {
    let verifier = LogVerifier::parse(&text(app, "/v1/log/key").await).unwrap();
    let note = text(app, "/v1/log/checkpoint").await;
    let checkpoint = verifier.verify_checkpoint(&note).unwrap();
    (verifier, checkpoint)
}

fn hash(v: &Value) -> Hash {
    B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn path(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

async fn every_disclosure_is_proven_in_a_checkpoint_signed_by_the_published_key(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    app.record_consent(OTHER_BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let mine = [exchange(&app, BSN).await, exchange(&app, BSN).await];
    exchange(&app, OTHER_BSN).await;

    let (verifier, checkpoint) = signed_checkpoint(&app).await;
    assert_eq!(
        checkpoint.size, 5,
        "both consents recorded and every answered exchange are in the signed tree"
    );
    for answered in &mine {
        let id = answered["disclosure_id"].as_str().unwrap();
        let (status, proof) = app
            .get_as_citizen(BSN, &format!("/v1/me/disclosures/{id}/proof"))
            .await;
        assert_eq!(status, 200, "{proof}");
        assert_eq!(proof["leaf_index"], answered["log_index"]);
        // The checkpoint in the answer is itself signed; the proof holds against its root.
        let against = verifier
            .verify_checkpoint(proof["checkpoint"].as_str().unwrap())
            .unwrap();
        assert_eq!(proof["tree_size"].as_u64(), Some(against.size));
        merkle::verify_inclusion(
            &hash(&proof["leaf_hash"]),
            proof["leaf_index"].as_u64().unwrap(),
            against.size,
            &path(&proof["path"]),
            &against.root,
        )
        .unwrap();
        // The same proof from the public route, by index only.
        let (status, public) = send(app.public().get(app.url(&format!(
            "/v1/log/proofs/inclusion?index={}&size={}",
            answered["log_index"], against.size
        ))))
        .await;
        assert_eq!(status, 200, "{public}");
        assert_eq!(public["path"], proof["path"]);
        assert_eq!(public["leaf_hash"], proof["leaf_hash"]);
    }
    app.stop().await;
}

async fn every_checkpoint_is_proven_to_extend_the_one_before(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    exchange(&app, BSN).await;
    let (verifier, earlier) = signed_checkpoint(&app).await;
    for _ in 0..4 {
        exchange(&app, BSN).await;
    }
    let (_, later) = signed_checkpoint(&app).await;
    assert_eq!((earlier.size, later.size), (2, 6));
    let (status, proof) = send(app.public().get(app.url(&format!(
        "/v1/log/proofs/consistency?from={}&to={}",
        earlier.size, later.size
    ))))
    .await;
    assert_eq!(status, 200, "{proof}");
    merkle::verify_consistency(
        earlier.size,
        later.size,
        &earlier.root,
        &later.root,
        &path(&proof["path"]),
    )
    .unwrap();
    // A root the log never had does not verify against the same proof.
    let mut forged = later.root;
    forged[0] ^= 1;
    assert!(
        merkle::verify_consistency(
            earlier.size,
            later.size,
            &earlier.root,
            &forged,
            &path(&proof["path"])
        )
        .is_err()
    );
    assert_eq!(verifier.name(), earlier.origin);
    app.stop().await;
}

async fn a_proof_the_log_cannot_give_is_a_clear_400(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for query in [
        "/v1/log/proofs/inclusion?index=0&size=1",
        "/v1/log/proofs/inclusion?index=5&size=3",
        "/v1/log/proofs/consistency?from=2&to=1",
        "/v1/log/proofs/consistency?from=0&to=99",
    ] {
        let (status, body) = send(app.public().get(app.url(query))).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_proof_request", "{query}");
    }
    let (status, body) = send(
        app.public()
            .get(app.url("/v1/log/proofs/inclusion?index=x")),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("invalid_query"))
    );
    app.stop().await;
}

async fn an_amsterdammer_gets_only_the_proofs_of_their_own_disclosures(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let id = exchange(&app, BSN).await["disclosure_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .get_as_citizen(OTHER_BSN, &format!("/v1/me/disclosures/{id}/proof"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
}

async fn a_ledger_changed_behind_the_gateways_back_does_not_open(db: Db) {
    let Some(mut app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    exchange(&app, BSN).await;
    exchange(&app, BSN).await;
    app.stop_server().await;

    let store = consent::connect(&app.db.url, app.ledger_key())
        .await
        .unwrap();
    let signer =
        consent::LogSigner::from_skey(&std::fs::read_to_string(app.pki.log_key()).unwrap())
            .unwrap();
    let clock = Arc::new(consent::SystemClock);
    // Untouched, the ledger opens (what the gateway does at start).
    consent::Log::open(store.clone(), signer, clock.clone())
        .await
        .unwrap();
    app.execute(
        "UPDATE disclosures SET leaf_hash = $1 WHERE log_index = 1",
        &"00".repeat(32),
    )
    .await;
    let signer =
        consent::LogSigner::from_skey(&std::fs::read_to_string(app.pki.log_key()).unwrap())
            .unwrap();
    let refused = consent::Log::open(store, signer, clock).await;
    assert!(
        matches!(refused, Err(consent::LogError::Diverged { size: 3 })),
        "{refused:?}"
    );
}

/// A stopped gateway whose ledger has `kept + more` entries, the checkpoint signed at `kept`
/// entries (as an auditor would have kept it), and the log's public key.
async fn ledger_of(db: Db, kept: usize, more: usize) -> Option<(TestApp, String, String)> {
    let mut app = TestApp::spawn(db).await?;
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    for _ in 0..kept {
        exchange(&app, BSN).await;
    }
    let checkpoint = text(&app, "/v1/log/checkpoint").await;
    for _ in 0..more {
        exchange(&app, BSN).await;
    }
    app.stop_server().await;
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    Some((app, checkpoint, vkey))
}

async fn log_verify_passes_on_an_untouched_ledger_and_names_a_changed_entry(db: Db) {
    let Some((app, kept, vkey)) = ledger_of(db, 3, 1).await else {
        return;
    };

    let report = gateway::logcheck::verify(&app.db.url, &vkey, Some(&kept), Some(app.ledger_key()))
        .await
        .unwrap();
    assert_eq!((report.entries, report.given), (5, Some(4)));
    assert!(report.checkpoints >= 2, "{report:?}");

    // An entry whose record is changed no longer gives its leaf.
    app.execute(
        "UPDATE disclosures SET recipient = $1 WHERE log_index = 2",
        "aio-lvb-cordaan",
    )
    .await;
    let refused = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("entry 2") && refused.to_string().contains("changed"),
        "{refused:#}"
    );
}

async fn log_verify_notices_entries_removed_after_they_were_signed(db: Db) {
    let Some((app, kept, vkey)) = ledger_of(db, 3, 0).await else {
        return;
    };
    // The operator quietly drops the last entry (and the checkpoints that named it).
    app.execute(
        "DELETE FROM checkpoints WHERE size >= CAST($1 AS INTEGER)",
        "4",
    )
    .await;
    app.execute(
        "DELETE FROM disclosures WHERE log_index = CAST($1 AS INTEGER)",
        "3",
    )
    .await;
    app.execute("UPDATE ledger_head SET size = CAST($1 AS INTEGER)", "3")
        .await;
    // The database alone looks whole; the checkpoint a resident or auditor kept does not.
    gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    let refused =
        gateway::logcheck::verify(&app.db.url, &vkey, Some(&kept), Some(app.ledger_key()))
            .await
            .unwrap_err();
    assert!(
        refused.to_string().contains("entries were removed"),
        "{refused:#}"
    );
}

async fn the_monitor_follows_a_growing_log_and_detects_a_fork(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("monitor.json");
    let monitor = |app: &TestApp| {
        let (url, state, ca) = (app.base.clone(), state.clone(), app.pki.ca());
        async move { gateway::logcheck::monitor(&url, &state, &ca).await }
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    exchange(&app, BSN).await;
    let first = monitor(&app).await.unwrap();
    assert_eq!((first.size, first.previous), (2, None));
    exchange(&app, BSN).await;
    exchange(&app, BSN).await;
    let second = monitor(&app).await.unwrap();
    assert_eq!((second.size, second.previous), (4, Some(2)));

    // A second log signed with the same key but with another history: a fork.
    let key = app.pki.log_key();
    let Some(fork) = TestApp::spawn_configured(db, move |config, _| {
        config.log_signing_key_file = key;
    })
    .await
    else {
        return;
    };
    fork.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    for _ in 0..4 {
        exchange(&fork, BSN).await;
    }
    let (url, ca) = (fork.base.clone(), fork.pki.ca());
    let refused = gateway::logcheck::monitor(&url, &state, &ca)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("fork"), "{refused:#}");
    // A monitor that saw a fork does not forget what it saw before.
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(kept["size"], 4);
    fork.stop().await;
    app.stop().await;
}

async fn an_amsterdammer_can_prove_an_entry_offline_with_the_evidence_bundle(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    exchange(&app, BSN).await;
    let id = exchange(&app, BSN).await["disclosure_id"]
        .as_str()
        .unwrap()
        .to_owned();
    exchange(&app, BSN).await;
    let response = app
        .public()
        .get(app.url(&format!("/v1/me/disclosures/{id}/bundle")))
        .bearer_auth(app.citizen_token(BSN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let bundle = response.text().await.unwrap();
    // The key comes from elsewhere (here: the log key file), not from the bundle.
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify_bundle(&bundle, &vkey).unwrap();
    assert_eq!(
        (
            report.disclosure_id.as_str(),
            report.leaf_index,
            report.tree_size
        ),
        (id.as_str(), 2, 4)
    );

    let mut changed: Value = serde_json::from_str(&bundle).unwrap();
    changed["entry"]["recipient"] = json!("aio-lvb-cordaan");
    let refused = gateway::logcheck::verify_bundle(&changed.to_string(), &vkey).unwrap_err();
    assert!(refused.to_string().contains("changed"), "{refused:#}");
    let mut moved: Value = serde_json::from_str(&bundle).unwrap();
    moved["leaf_index"] = json!(3);
    assert!(gateway::logcheck::verify_bundle(&moved.to_string(), &vkey).is_err());
    let other_key = consent::LogSigner::from_skey(
        &consent::LogSigner::generate_skey("privacy-gateway.amsterdam.example/ledger").unwrap(),
    )
    .unwrap()
    .verifier()
    .vkey();
    assert!(gateway::logcheck::verify_bundle(&bundle, &other_key).is_err());
    // Someone else's entry has no bundle for this Amsterdammer.
    let (status, _) = app
        .get_as_citizen(OTHER_BSN, &format!("/v1/me/disclosures/{id}/bundle"))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn the_amsterdammer_exports_everything_held_about_them_and_nothing_else(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    app.record_consent(OTHER_BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let mine = [exchange(&app, BSN).await, exchange(&app, BSN).await];
    let theirs = exchange(&app, OTHER_BSN).await;
    let response = app
        .public()
        .get(app.url("/v1/me/export"))
        .bearer_auth(app.citizen_token(BSN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let export: Value = response.json().await.unwrap();
    assert_eq!(export["consents"].as_array().unwrap().len(), 1, "{export}");
    let ids = |list: &Value, field: &str| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e.pointer(field).unwrap().as_str().unwrap().to_owned())
            .collect()
    };
    let expected: Vec<String> = mine
        .iter()
        .map(|d| d["disclosure_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&export["disclosures"], "/id"), expected);
    assert_eq!(
        ids(&export["logboek"], "/attributes/dpl.gateway.disclosure_id"),
        expected
    );
    assert!(
        !export
            .to_string()
            .contains(theirs["disclosure_id"].as_str().unwrap())
    );
    assert!(
        !export.to_string().contains(BSN),
        "the BSN itself is not in the export"
    );
    for record in export["logboek"].as_array().unwrap() {
        assert_eq!(
            record["attributes"]["dpl.core.processing_activity_id"],
            OUDERS
        );
        assert_eq!(
            record["attributes"]["dpl.core.data_subject_id_type"],
            "pseudonym"
        );
        assert_eq!(record["trace_id"].as_str().unwrap().len(), 32, "{record}");
        assert_eq!(record["span_id"].as_str().unwrap().len(), 16, "{record}");
        assert_eq!(record["name"], format!("exchange {OUDERS}"));
    }
    app.stop().await;
}

tests::both_databases! {
    every_disclosure_is_proven_in_a_checkpoint_signed_by_the_published_key => every_disclosure_is_proven_in_a_checkpoint_signed_by_the_published_key;
    every_checkpoint_is_proven_to_extend_the_one_before => every_checkpoint_is_proven_to_extend_the_one_before;
    a_proof_the_log_cannot_give_is_a_clear_400 => a_proof_the_log_cannot_give_is_a_clear_400;
    an_amsterdammer_gets_only_the_proofs_of_their_own_disclosures => an_amsterdammer_gets_only_the_proofs_of_their_own_disclosures;
    a_ledger_changed_behind_the_gateways_back_does_not_open => a_ledger_changed_behind_the_gateways_back_does_not_open;
    log_verify_passes_on_an_untouched_ledger_and_names_a_changed_entry => log_verify_passes_on_an_untouched_ledger_and_names_a_changed_entry;
    log_verify_notices_entries_removed_after_they_were_signed => log_verify_notices_entries_removed_after_they_were_signed;
    the_monitor_follows_a_growing_log_and_detects_a_fork => the_monitor_follows_a_growing_log_and_detects_a_fork;
    an_amsterdammer_can_prove_an_entry_offline_with_the_evidence_bundle => an_amsterdammer_can_prove_an_entry_offline_with_the_evidence_bundle;
    the_amsterdammer_exports_everything_held_about_them_and_nothing_else => the_amsterdammer_exports_everything_held_about_them_and_nothing_else;
}
