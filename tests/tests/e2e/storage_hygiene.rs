//! No plaintext BSN is ever stored: after a realistic run (consents, permitted and denied exchanges, a
//! delivery, a revocation) the whole database, read as bytes (SQLite: file, WAL and shared memory) or
//! row by row over every table (PostgreSQL), holds no BSN, while the same scan does find content the
//! gateway must have stored. Nor does it hold any value of an exchanged or delivered payload.

use serde_json::json;
use sqlx::{Connection, Row};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";

/// Everything the database holds, as one byte string.
async fn database_contents(app: &TestApp) -> Vec<u8> {
    if let Some(file) = &app.db.sqlite_file {
        let mut bytes = Vec::new();
        let mut read = 0;
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", file.display());
            if let Ok(content) = std::fs::read(&path) {
                bytes.extend_from_slice(&content);
                read += 1;
            }
        }
        assert!(read >= 1, "the SQLite database file exists");
        return bytes;
    }
    let mut conn = sqlx::PgConnection::connect(&app.db.url).await.expect("pg");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    for expected in ["consents", "consent_events", "decisions", "disclosures"] {
        assert!(
            tables.iter().any(|t| t == expected),
            "table {expected} among {tables:?}"
        );
    }
    let mut bytes = Vec::new();
    for table in &tables {
        let rows = sqlx::query(&format!(
            "SELECT CAST(t AS TEXT) FROM \"{}\" t",
            table.replace('"', "\"\"")
        ))
        .fetch_all(&mut conn)
        .await
        .expect("rows");
        for row in rows {
            let text: Option<String> = row.try_get(0).expect("text");
            bytes.extend_from_slice(text.unwrap_or_default().as_bytes());
            bytes.push(b'\n');
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn no_plaintext_bsn_and_no_payload_is_stored_anywhere_in_the_database(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let okt = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    app.record_consent(
        BSN,
        &["aio-lvb-cordaan"],
        &[AANMELDING],
        &["contact", "gezondheid"],
    )
    .await;
    let exchange = |bsn: &str| json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": OUDERS, "categories": ["contact", "regie"]});
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(BSN),
        )
        .await;
    assert_eq!(status, 200, "permitted: {body}");
    let released = body["data"].clone();
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(OTHER_BSN),
        )
        .await;
    assert_eq!(status, 403, "denied: {body}");
    let (status, body) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/deliveries",
            &json!({"subject_bsn": BSN, "recipient": "aio-lvb-cordaan", "activity": AANMELDING,
                    "data": {"contact": {"naam": "Jan de Vries", "telefoon": "0201234567"},
                             "gezondheid": {"beperking": "lvb"}}}),
        )
        .await;
    assert_eq!(status, 200, "delivered: {body}");
    let (status, body) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{okt}/revoke"))
        .await;
    assert_eq!(status, 200, "revoked: {body}");
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange(BSN),
        )
        .await;
    assert_eq!(status, 403, "denied after revocation: {body}");
    let (status, _) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents?subject_bsn={BSN}"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.count("disclosures").await, 2);
    assert_eq!(app.count("decisions").await, 4);

    let contents = database_contents(&app).await;
    // Positive control: the scan reads real content.
    for stored in [OUDERS, AANMELDING, okt.as_str(), "amsterdammer"] {
        assert!(
            contains(&contents, stored),
            "the scan must find '{stored}', or it proves nothing"
        );
    }
    for bsn in [BSN, OTHER_BSN] {
        assert!(
            !contains(&contents, bsn),
            "plaintext BSN {bsn} found in the database"
        );
    }
    // Invariant 4: exchanged and delivered payloads are never stored, only their digests.
    let mut payload_values = vec!["Jan de Vries".to_owned(), "0201234567".to_owned()];
    for record in released.as_object().expect("released data").values() {
        for value in record.as_object().expect("a record").values() {
            if let Some(text) = value.as_str() {
                payload_values.push(text.to_owned());
            }
        }
    }
    assert!(
        payload_values.len() > 3,
        "the exchange released values to look for"
    );
    for value in &payload_values {
        assert!(
            !contains(&contents, value),
            "payload value '{value}' found in the database"
        );
    }
    app.stop().await;
}

tests::both_databases! {
    no_plaintext_bsn_and_no_payload_is_stored_anywhere_in_the_database => no_plaintext_bsn_and_no_payload_is_stored_anywhere_in_the_database;
}
