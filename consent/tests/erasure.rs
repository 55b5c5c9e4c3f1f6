//! Sealed ledger records and their erasure, on both backends: what is stored in the clear, what an
//! erasure leaves (a whole tree, no content, an erasure entry naming what went), the wrong key
//! refused, and rows from before sealing sealed on the next start.

#[macro_use]
#[allow(dead_code)]
mod common;

use std::sync::Arc;

use chrono::Duration;
use consent::{
    Content, Erase, ErasureReason, LedgerEntry, LedgerWriter, NewDisclosure, Store, StoreError,
    erasure_leaf_input, hash_leaf, leaf_hash,
};
use sqlx::Connection;

use common::{BSN_A, BSN_B, at, kek, permitted_write, subject};

on_both_backends! {
    url a_ledger_row_holds_nothing_of_the_record_in_the_clear_and_reads_back_whole,
    url erasing_a_subject_leaves_the_tree_whole_and_their_content_and_keys_gone,
    store the_retention_purge_erases_only_what_has_expired,
    url a_different_key_encryption_key_is_refused,
    url rows_from_before_sealing_are_sealed_on_the_next_start,
}

/// A disclosure with values found nowhere else in the database.
async fn write(store: &Arc<dyn Store>, bsn: &str, micros: i64, retain: Duration) -> NewDisclosure {
    let mut w = permitted_write(&subject(bsn), at(micros));
    let d = w.disclosure.as_mut().expect("a disclosure");
    d.justification = Some("acute schuldsituatie bij mevrouw".into());
    d.fields = vec!["financien.schulden_totaal_uniek".into()];
    d.retain_until = d.at + retain;
    let record = d.clone();
    LedgerWriter::start(store.clone())
        .write(w)
        .await
        .expect("durable");
    record
}

/// Every value of the `disclosures` rows, as text.
async fn ledger_rows(url: &str) -> String {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
        sqlx::query_scalar(
            "SELECT COALESCE(json_group_array(json_array(log_index, id, at, mode, source, recipient, subject, \
             activity, legal_basis, decision_id, retain_until, key_epoch, record_digest, sealed, legacy, leaf_hash, \
             erased_by)), '') FROM disclosures",
        )
        .fetch_one(&mut c)
        .await
        .expect("rows")
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("pg");
        sqlx::query_scalar("SELECT COALESCE(json_agg(d)::text, '') FROM disclosures d")
            .fetch_one(&mut c)
            .await
            .expect("rows")
    }
}

async fn count(url: &str, sql: &str) -> i64 {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
        sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql)
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("pg");
        sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql)
    }
}

async fn a_ledger_row_holds_nothing_of_the_record_in_the_clear_and_reads_back_whole(url: String) {
    let store = consent::connect(&url, kek()).await.expect("store");
    let record = write(&store, BSN_A, 1, Duration::days(30)).await;

    let rows = ledger_rows(&url).await;
    for secret in [
        "acute schuldsituatie",
        "financien.schulden_totaal_uniek",
        record.professional.as_str(),
        record.payload_sha256.as_str(),
    ] {
        assert!(!rows.contains(secret), "{secret:?} is stored in the clear");
    }
    assert!(rows.contains(&record.id), "the row is there");

    let stored = store
        .disclosure(&record.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.record(), Some(record));
}

async fn erasing_a_subject_leaves_the_tree_whole_and_their_content_and_keys_gone(url: String) {
    let store = consent::connect(&url, kek()).await.expect("store");
    let (a, b) = (subject(BSN_A), subject(BSN_B));
    // Two retention months for A, so A has two record keys.
    write(&store, BSN_A, 1, Duration::days(30)).await;
    write(&store, BSN_B, 2, Duration::days(30)).await;
    write(&store, BSN_A, 3, Duration::days(90)).await;
    let leaves_before = store.leaf_hashes(0, 3).await.expect("leaves");
    let keys_of_a = format!(
        "SELECT COUNT(*) FROM subject_keys WHERE subject = '{}'",
        a.as_str()
    );
    assert_eq!(count(&url, &keys_of_a).await, 2);

    let erased = store
        .erase(&Erase::Subject(a.clone()), at(10))
        .await
        .expect("erase");

    assert_eq!(erased.len(), 1);
    let entry = &erased[0];
    assert_eq!((entry.log_index, entry.reason), (3, ErasureReason::Request));
    assert_eq!(entry.entries, vec![0, 2]);
    assert_eq!(
        entry.leaf_hash,
        hash_leaf(&erasure_leaf_input(
            &entry.id,
            entry.at,
            entry.reason,
            &entry.entries
        ))
    );
    // The tree: the old leaves unchanged, the erasure entry appended.
    assert_eq!(store.ledger_size().await.expect("size"), 4);
    let leaves = store.leaf_hashes(0, 4).await.expect("leaves");
    assert_eq!(leaves[..3], leaves_before[..]);
    assert_eq!(leaves[3], entry.leaf_hash);
    // A's entries are listed, marked erased; B's is untouched.
    let of_a = store.disclosures_of(&a).await.expect("of a");
    assert_eq!(of_a.len(), 2);
    for d in &of_a {
        match &d.content {
            Content::Erased(mark) => {
                assert_eq!(
                    (mark.reason, mark.erasure_index),
                    (ErasureReason::Request, 3)
                );
            }
            other => panic!("entry {} is not erased: {other:?}", d.log_index),
        }
    }
    let of_b = store.disclosures_of(&b).await.expect("of b");
    assert!(
        of_b[0].record().is_some(),
        "another subject's entry stays readable"
    );
    assert_eq!(count(&url, &keys_of_a).await, 0, "A's keys are deleted");
    assert!(!ledger_rows(&url).await.contains("acute"));
    let sealed_left = "SELECT COUNT(*) FROM disclosures WHERE sealed IS NOT NULL";
    assert_eq!(
        count(&url, sealed_left).await,
        1,
        "only B's record is still sealed in the row"
    );
    // The erasure is a leaf of the log among the entries.
    let entries = store.entries_between(0, 4).await.expect("entries");
    assert!(matches!(&entries[3], LedgerEntry::Erasure(e) if e == entry));

    // Nothing left to erase: no further entry.
    let again = store
        .erase(&Erase::Subject(a.clone()), at(11))
        .await
        .expect("erase again");
    assert!(again.is_empty());
    assert_eq!(store.ledger_size().await.expect("size"), 4);
    // A new disclosure about A afterwards is sealed under a new key and readable.
    let fresh = write(&store, BSN_A, 12, Duration::days(30)).await;
    let stored = store
        .disclosure(&fresh.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.record(), Some(fresh));
}

async fn the_retention_purge_erases_only_what_has_expired(store: Arc<dyn Store>) {
    let short = write(&store, BSN_A, 1, Duration::days(30)).await;
    let long = write(&store, BSN_A, 2, Duration::days(400)).await;
    let leaves_before = store.leaf_hashes(0, 2).await.expect("leaves");

    // Not yet due: nothing happens.
    assert!(
        store
            .erase(&Erase::Expired, at(3))
            .await
            .expect("purge")
            .is_empty()
    );

    let erased = store
        .erase(&Erase::Expired, short.retain_until + Duration::seconds(1))
        .await
        .expect("purge");
    assert_eq!(erased.len(), 1);
    assert_eq!(erased[0].reason, ErasureReason::Retention);
    assert_eq!(erased[0].entries, vec![0]);
    let short_now = store
        .disclosure(&short.id)
        .await
        .expect("read")
        .expect("kept");
    assert!(matches!(short_now.content, Content::Erased(_)));
    assert_eq!(
        store.leaf_hashes(0, 2).await.expect("leaves"),
        leaves_before
    );
    let long_now = store
        .disclosure(&long.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        long_now.record(),
        Some(long),
        "what is still within retention stays readable"
    );
}

async fn a_different_key_encryption_key_is_refused(url: String) {
    let store = consent::connect(&url, kek()).await.expect("store");
    write(&store, BSN_A, 1, Duration::days(30)).await;
    drop(store);

    let other = consent::Kek::from_hex(&"a5".repeat(32)).expect("a key");
    match consent::connect(&url, other).await {
        Err(StoreError::WrongKey(why)) => assert!(why.contains("wrapped with"), "{why}"),
        other => panic!("expected WrongKey, got {other:?}"),
    }
    // Inspecting without any key reads the entries sealed.
    let inspect = consent::connect_to_inspect(&url, None)
        .await
        .expect("inspect");
    let entries = inspect.entries_between(0, 1).await.expect("entries");
    assert!(matches!(&entries[0], LedgerEntry::Disclosure(d) if d.content == Content::Sealed));
}

async fn rows_from_before_sealing_are_sealed_on_the_next_start(url: String) {
    // The database as the gateway left it before records were sealed (migrations 0001 to 0003).
    let backend = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let old = tempfile::TempDir::new().expect("a directory");
    for name in [
        "0001_init.sql",
        "0002_consent_trust.sql",
        "0003_checkpoints.sql",
    ] {
        let from = format!("{}/migrations/{backend}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(from, old.path().join(name)).expect("copy a migration");
    }
    let migrator = sqlx::migrate::Migrator::new(old.path())
        .await
        .expect("old migrations");
    let mut w = permitted_write(&subject(BSN_A), at(1));
    let mut record = w.disclosure.take().expect("a disclosure");
    record.justification = Some("acute schuldsituatie bij mevrouw".into());
    record.retain_until = record.at + Duration::days(30);
    let salt = b"sixteen byte salt";
    let leaf = leaf_hash(salt, &record);
    let insert = format!(
        "INSERT INTO disclosures (log_index, id, at, mode, source, recipient, professional, subject, activity, \
         legal_basis, categories, fields, consent_id, justification, payload_sha256, decision_id, retain_until, salt, \
         leaf_hash) VALUES (0, '{id}', '2025-03-01T09:00:00.000001Z', 'exchange', '{source}', '{recipient}', \
         '{professional}', '{subject}', '{activity}', 'consent', '{categories}', '{fields}', 'c-1', \
         'acute schuldsituatie bij mevrouw', '{payload}', '{decision}', '2025-03-31T09:00:00.000001Z', '{salt}', '{leaf}')",
        id = record.id,
        source = record.source,
        recipient = record.recipient,
        professional = record.professional,
        subject = record.subject.as_str(),
        activity = record.activity,
        categories = serde_json::to_string(&record.categories).expect("json"),
        fields = serde_json::to_string(&record.fields).expect("json"),
        payload = record.payload_sha256.as_str(),
        decision = record.decision_id,
        salt = hex::encode(salt),
        leaf = hex::encode(leaf),
    );
    let bump = "UPDATE ledger_head SET size = 1 WHERE id = 1";
    if backend == "sqlite" {
        let opts = url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .expect("url")
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.expect("sqlite");
        migrator.run(&pool).await.expect("old schema");
        sqlx::query(&insert)
            .execute(&pool)
            .await
            .expect("legacy row");
        sqlx::query(bump).execute(&pool).await.expect("head");
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&url).await.expect("pg");
        migrator.run(&pool).await.expect("old schema");
        sqlx::query(&insert)
            .execute(&pool)
            .await
            .expect("legacy row");
        sqlx::query(bump).execute(&pool).await.expect("head");
        pool.close().await;
    }

    let store = consent::connect(&url, kek())
        .await
        .expect("migrates and seals");

    assert!(
        !ledger_rows(&url).await.contains("acute"),
        "sealed, not in the clear"
    );
    let stored = store
        .disclosure(&record.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stored.record(), Some(record));
    assert_eq!(store.leaf_hashes(0, 1).await.expect("leaves"), vec![leaf]);
}
