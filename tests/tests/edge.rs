//! The edge a partner cannot dodge (issue 5, finding 4): a limit per organisation besides the one
//! per professional.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::num::NonZeroU32;

use policies::Bsn;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp, send};

/// `n` distinct BSNs that pass the elfproef.
fn valid_bsns(n: usize) -> Vec<String> {
    (100_000_000u32..)
        .map(|n| n.to_string())
        .filter(|s| Bsn::parse(s).is_ok())
        .take(n)
        .collect()
}

fn regiecheck(bsn: &str) -> Value {
    json!({"subject_bsn": bsn, "source": "bt-centrum-west", "activity": "regiecheck",
           "categories": ["regie"], "justification": "."})
}

async fn rotating_subs_cannot_get_past_the_organisation_limit(db: Db) {
    let Some(app) = TestApp::spawn_with_config(db, |config| {
        config.rate_limit.organisation_per_second = NonZeroU32::new(1).unwrap();
        config.rate_limit.organisation_burst = NonZeroU32::new(20).unwrap();
    })
    .await
    else {
        return;
    };
    let client = app.partner("aio-lvb-cordaan");
    let started = std::time::Instant::now();
    let mut ok = 0;
    let mut limited = 0;
    for (i, bsn) in valid_bsns(300).iter().enumerate() {
        let token = app.partner_token("aio-lvb-cordaan", &format!("rotating-{i}"), "begeleider");
        let r = client
            .post(app.url("/v1/exchange"))
            .bearer_auth(token)
            .json(&regiecheck(bsn))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            200 => ok += 1,
            429 => {
                limited += 1;
                let retry_after: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry_after >= 1);
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["error"]["code"], "rate_limited");
                let message = body["error"]["message"].as_str().unwrap();
                assert!(message.contains("organisation"), "{message}");
            }
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
    }
    // The burst of 20, then one a second while the loop runs.
    let most = 20 + started.elapsed().as_secs() + 2;
    assert!(
        ok >= 20 && ok <= most,
        "{ok} passed (at most {most}), {limited} limited"
    );
    assert_eq!(ok + limited, 300);

    let colleague = app.partner_token("okt-amsterdam", "okt-1", "okt-medewerker");
    let (status, body) = send(
        app.partner("okt-amsterdam")
            .post(app.url("/v1/exchange"))
            .bearer_auth(colleague)
            .json(&regiecheck(BSN)),
    )
    .await;
    assert_eq!(status, 200, "another organisation is not held back: {body}");
    app.stop().await;
}

tests::both_databases! {
    rotating_subs_cannot_get_past_the_organisation_limit => rotating_subs_cannot_get_past_the_organisation_limit;
}
