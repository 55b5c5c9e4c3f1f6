//! The edge a partner cannot dodge (issue 5, findings 4 and 7): a limit per organisation besides the
//! one per professional, tokens that name a professional and do not live for years, a request id
//! that is the gateway's own, no caching of answers about residents, and every error, `431`
//! included, in the API's error shape.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::num::NonZeroU32;

use chrono::Utc;
use gateway::demo::DEFAULT_AUDIENCE;
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
           "categories": ["regie"], "justification": "Afstemmen wie de regie voert."})
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

/// Claims of a professional of `okt-amsterdam`, valid for ten minutes from now.
fn claims(sub: &str) -> Value {
    let now = Utc::now().timestamp();
    json!({"iss": "okt-amsterdam", "sub": sub, "role": "okt-medewerker", "aud": DEFAULT_AUDIENCE,
           "exp": now + 600, "nbf": now, "iat": now})
}

async fn a_token_without_a_usable_sub_or_valid_for_too_long_is_refused(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let now = Utc::now().timestamp();
    let ten_years = 10 * 365 * 24 * 3600;
    let mut refused = vec![
        ("no role", {
            let mut c = claims("okt-1");
            c["role"] = json!("");
            c
        }),
        ("valid for ten years", {
            let mut c = claims("okt-1");
            c["exp"] = json!(now + ten_years);
            c
        }),
    ];
    let mut without_iat = claims("okt-1");
    without_iat["exp"] = json!(now + ten_years);
    without_iat.as_object_mut().unwrap().remove("iat");
    refused.push(("expiring in ten years, without iat", without_iat));

    let client = app.partner("okt-amsterdam");
    let path = app.url(&format!("/v1/consents?subject_bsn={BSN}"));
    for (what, claims) in &refused {
        let token = app.sign_partner("okt-amsterdam", claims);
        let (status, body) = send(client.get(&path).bearer_auth(token)).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"]["code"], "invalid_token", "{what}: {body}");
    }
    for (what, sub) in [
        ("an empty sub", String::new()),
        ("a blank sub", "   ".to_owned()),
        ("a sub of 129 characters", "k".repeat(129)),
    ] {
        let token = app.sign_partner("okt-amsterdam", &claims(&sub));
        let (status, body) = send(client.get(&path).bearer_auth(token)).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert_eq!(body["error"]["code"], "invalid_sub", "{what}: {body}");
    }
    let longest = app.sign_partner("okt-amsterdam", &claims(&"k".repeat(128)));
    let (status, body) = send(client.get(&path).bearer_auth(longest)).await;
    assert_eq!(status, 200, "a sub of 128 characters is fine: {body}");

    let mut citizen = claims("citizen");
    citizen["iss"] = json!(gateway::demo::DEV_CITIZEN_ISSUER);
    citizen["bsn"] = json!(BSN);
    citizen["exp"] = json!(now + ten_years);
    let key = std::fs::read(app.pki.citizen_idp_key()).unwrap();
    let token = gateway::auth::tokens::sign(&citizen, &key).unwrap();
    let (status, body) = send(
        app.public()
            .get(app.url("/v1/me/consents"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, 401, "a citizen token for ten years: {body}");
    app.stop().await;
}

/// A professional's name shows in the console and the CSV export: a `sub` with a direction
/// override (`\u{202E}`, so `nimda` reads as `admin`), a zero-width space or a line break could pass
/// for another professional there, so the token is refused before anything is decided or recorded.
async fn a_professional_name_that_hides_or_reverses_text_is_refused(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let client = app.partner("okt-amsterdam");
    let path = app.url(&format!("/v1/consents?subject_bsn={BSN}"));
    for sub in [
        "okt-\u{202E}nimda",
        "okt\u{200B}-1",
        "okt-1\u{2066}",
        "\u{FEFF}okt-1",
        "okt\n1",
    ] {
        let token = app.sign_partner("okt-amsterdam", &claims(sub));
        let (status, body) = send(client.get(&path).bearer_auth(token)).await;
        assert_eq!(status, 400, "{sub:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_sub", "{sub:?}: {body}");
        assert!(
            !body.to_string().contains(sub),
            "the answer does not echo the name"
        );
    }
    let token = app.sign_partner("okt-amsterdam", &claims("Çiğdem Öztürk-Ñúñez"));
    let (status, body) = send(client.get(&path).bearer_auth(token)).await;
    assert_eq!(status, 200, "letters of any script are a name: {body}");
    app.stop().await;
}

fn is_uuid(value: &str) -> bool {
    value.len() == 36 && uuid::Uuid::try_parse(value).is_ok()
}

async fn a_request_id_the_client_chose_is_kept_only_when_it_is_a_uuid(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let client = app.public();
    let id_of = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    for chosen in [
        "111222333",
        "bsn=111222333;note=x",
        "{0190a3c2-7d4e-7b1a-9f00-123456789abc}",
    ] {
        let r = client
            .get(app.url("/healthz"))
            .header("x-request-id", chosen)
            .send()
            .await
            .unwrap();
        let id = id_of(&r);
        assert!(
            is_uuid(&id) && id != chosen,
            "{chosen:?} came back as {id:?}"
        );
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let r = client
        .get(app.url("/healthz"))
        .header("x-request-id", &uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&r), uuid, "a UUID is kept");
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert!(is_uuid(&id_of(&r)), "without one the gateway makes one");
    app.stop().await;
}

async fn answers_about_a_resident_or_a_consent_are_not_cached(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let id = app
        .record_consent(
            BSN,
            &["okt-amsterdam"],
            &["gezinsondersteuning-ouders"],
            &["contact"],
        )
        .await;
    let token = app.partner_token("bt-centrum-west", "prof-1", "regievoerder");
    let partner = app.partner("bt-centrum-west");
    let citizen = app.citizen_token(BSN);
    let requests = [
        (
            "GET /v1/me/consents",
            app.public()
                .get(app.url("/v1/me/consents"))
                .bearer_auth(&citizen),
        ),
        (
            "GET /v1/me/disclosures",
            app.public()
                .get(app.url("/v1/me/disclosures"))
                .bearer_auth(&citizen),
        ),
        (
            "GET /v1/consents/{id}",
            partner
                .get(app.url(&format!("/v1/consents/{id}")))
                .bearer_auth(&token),
        ),
        (
            "GET /v1/consents?subject_bsn=",
            partner
                .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
                .bearer_auth(&token),
        ),
        (
            "POST /v1/consents/search",
            partner
                .post(app.url("/v1/consents/search"))
                .bearer_auth(&token)
                .json(&json!({"subject_bsn": BSN})),
        ),
        (
            "POST /v1/consents/{id}/revoke",
            partner
                .post(app.url(&format!("/v1/consents/{id}/revoke")))
                .bearer_auth(&token),
        ),
        (
            "POST /v1/me/consents/{id}/revoke",
            app.public()
                .post(app.url(&format!("/v1/me/consents/{id}/revoke")))
                .bearer_auth(&citizen),
        ),
        (
            "401 on /v1/me/consents",
            app.public().get(app.url("/v1/me/consents")),
        ),
    ];
    for (what, request) in requests {
        let r = request.send().await.unwrap();
        let status = r.status();
        assert_eq!(
            r.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{what} ({status})"
        );
    }
    app.stop().await;
}

async fn oversized_headers_get_431_in_the_error_shape(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for (version, client) in [("HTTP/1.1", app.public()), ("HTTP/2", app.public_http2())] {
        let many = (0..120).fold(client.get(app.url("/healthz")), |r, i| {
            r.header(format!("x-filler-{i}"), "x")
        });
        let large = client
            .get(app.url("/healthz"))
            .header("x-large", "x".repeat(20 * 1024));
        for (what, request) in [("120 headers", many), ("a 20 KiB header", large)] {
            let r = request.send().await.unwrap();
            assert_eq!(r.version() == reqwest::Version::HTTP_2, version == "HTTP/2");
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 431, "{version}, {what}: {body}");
            assert_eq!(
                body["error"]["code"], "headers_too_large",
                "{version}, {what}"
            );
            assert!(body["error"]["message"].is_string(), "{version}, {what}");
        }
        let (status, _) = send(client.get(app.url("/healthz"))).await;
        assert_eq!(status, 200, "{version}: ordinary headers pass");
    }
    app.stop().await;
}

async fn an_error_axum_produces_itself_gets_the_error_shape(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    // A path segment that is not UTF-8 fails axum's `Path` extractor, not one of ours.
    let (status, body) = send(
        app.public()
            .post(app.url("/v1/me/consents/%FF%FE111222333/revoke"))
            .bearer_auth(app.citizen_token(BSN)),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(!body.to_string().contains(BSN), "{body}");
    app.stop().await;
}

tests::both_databases! {
    rotating_subs_cannot_get_past_the_organisation_limit => rotating_subs_cannot_get_past_the_organisation_limit;
    a_token_without_a_usable_sub_or_valid_for_too_long_is_refused => a_token_without_a_usable_sub_or_valid_for_too_long_is_refused;
    a_professional_name_that_hides_or_reverses_text_is_refused => a_professional_name_that_hides_or_reverses_text_is_refused;
    a_request_id_the_client_chose_is_kept_only_when_it_is_a_uuid => a_request_id_the_client_chose_is_kept_only_when_it_is_a_uuid;
    answers_about_a_resident_or_a_consent_are_not_cached => answers_about_a_resident_or_a_consent_are_not_cached;
    oversized_headers_get_431_in_the_error_shape => oversized_headers_get_431_in_the_error_shape;
    an_error_axum_produces_itself_gets_the_error_shape => an_error_axum_produces_itself_gets_the_error_shape;
}
