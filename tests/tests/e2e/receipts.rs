//! The consent receipt as a printable page (issue 8 item 7): what the recording professional prints
//! at the kitchen table and the Amsterdammer keeps. Same receipt as the JSON, in Dutch, escaped, no
//! script or outside assets, and never the BSN.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{Duration, Utc};
use reqwest::header::{ACCEPT, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use serde_json::json;
use tests::{BSN, Db, TestApp};

const CORDAAN: &str = "aio-lvb-cordaan";
const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";

async fn a_professional_prints_the_receipt_and_the_amsterdammer_gets_the_same_page(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    // The evidence method is free text: markup in it must be shown, never run.
    let body = json!({"subject_bsn": BSN, "recipients": [CORDAAN], "activities": [AANMELDING],
        "categories": ["gezondheid", "contact"],
        "valid_until": (Utc::now() + Duration::days(90)).to_rfc3339(),
        "evidence": {"method": "<script>alert(1)</script>", "document_sha256": "ab".repeat(32),
                     "recorded_by": "prof-1"}});
    let (status, recorded) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{recorded}");
    let id = recorded["id"].as_str().unwrap();

    let token = app.partner_token("bt-centrum-west", "prof-1", "regievoerder");
    let printed = app
        .partner("bt-centrum-west")
        .get(app.url(&format!("/v1/consents/{id}/receipt")))
        .bearer_auth(token)
        .header(ACCEPT, "text/html,application/xhtml+xml;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(printed.status(), 200);
    assert!(
        printed.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = printed.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let page = printed.text().await.unwrap();
    assert!(page.contains("<html lang=\"nl\">"), "{page}");
    assert!(page.contains("Bewijs van uw toestemming"), "{page}");
    assert!(page.contains(id), "the record's number is on it");
    assert!(page.contains("Cordaan"), "recipients by name: {page}");
    assert!(
        page.contains("bijzonder gevoelig"),
        "special categories marked"
    );
    assert!(page.contains("intrekken"), "how to withdraw: {page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>"),
        "markup escaped: {page}"
    );
    assert!(!page.contains(BSN), "never the BSN");

    let mine = app
        .public()
        .get(app.url(&format!("/v1/me/consents/{id}/receipt")))
        .bearer_auth(app.citizen_token(BSN))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    let mine = mine.text().await.unwrap();
    assert!(mine.contains(id) && mine.contains("Bewijs van uw toestemming"));
    // Without asking for HTML, the same route still answers the JSON of the contract.
    let (status, json) = app
        .get_as_citizen(BSN, &format!("/v1/me/consents/{id}/receipt"))
        .await;
    assert_eq!((status, &json["record_id"]), (200, &json!(id)));
    app.stop().await;
}

tests::both_databases! {
    a_professional_prints_the_receipt_and_the_amsterdammer_gets_the_same_page =>
        a_professional_prints_the_receipt_and_the_amsterdammer_gets_the_same_page;
}
