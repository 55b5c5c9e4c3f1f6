//! Pipeline step 3: a professional over the limit gets `429 rate_limited` with `Retry-After`, and a
//! colleague at the same organisation is not held back.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::num::NonZeroU32;

use serde_json::json;
use tests::{BSN, Db, RateLimitConfig, TestApp};

async fn a_professional_over_the_limit_waits_while_a_colleague_goes_on(db: Db) {
    let limit = RateLimitConfig {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(3).unwrap(),
        ..tests::generous_rate_limit()
    };
    let Some(app) = TestApp::spawn_with_rate_limit(db, limit).await else {
        return;
    };
    let client = app.partner("okt-amsterdam");
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west",
        "activity": "gezinsondersteuning-ouders", "categories": ["contact"]});
    let busy = app.partner_token("okt-amsterdam", "okt-busy", "okt-medewerker");
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let r = client
            .post(app.url("/v1/exchange"))
            .bearer_auth(&busy)
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            retry_after = r.headers().get("retry-after").cloned();
            let error: serde_json::Value = r.json().await.unwrap();
            assert_eq!(error["error"]["code"], "rate_limited");
        }
    }
    // Three within the burst (denied for lack of consent, which is fine), then limited.
    assert_eq!(&statuses[..3], &[403, 403, 403], "{statuses:?}");
    assert_eq!(statuses[3..], [429, 429], "{statuses:?}");
    let retry_after: u64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);

    let colleague = app.partner_token("okt-amsterdam", "okt-calm", "okt-medewerker");
    let r = client
        .post(app.url("/v1/exchange"))
        .bearer_auth(&colleague)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a colleague is not rate limited");
    app.stop().await;
}

tests::both_databases! {
    a_professional_over_the_limit_waits_while_a_colleague_goes_on => a_professional_over_the_limit_waits_while_a_colleague_goes_on;
}
