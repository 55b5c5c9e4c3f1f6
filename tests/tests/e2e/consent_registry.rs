//! The consent registry as its users see it (issue 8): what a consent was actually used for, and
//! every consent as a FHIR R4 `Consent` resource that an independent validator accepts
//! (`tools/fhir_validate.py`, with the PyPI package `fhir.resources`).

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::sync::Arc;

use chrono::{Duration, Utc};
use consent::FixedClock;
use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const AANMELDING: &str = "aanmelding-aanvullende-ondersteuning";
const CORDAAN: &str = "aio-lvb-cordaan";

async fn exchange(app: &TestApp, categories: &[&str]) -> String {
    let (status, answer) = try_exchange(app, categories).await;
    assert_eq!(status, 200, "{answer}");
    answer["disclosure_id"].as_str().unwrap().to_owned()
}

async fn a_consents_usage_lists_the_disclosures_made_under_it_to_whom_may_see_it(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let used = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let first = exchange(&app, &["contact"]).await;
    let second = exchange(&app, &["contact", "regie"]).await;
    // Recorded after both exchanges: nothing was disclosed under it.
    let unused = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;

    let (status, usage) = app
        .get_as_citizen(BSN, &format!("/v1/me/consents/{used}/usage"))
        .await;
    assert_eq!(status, 200, "{usage}");
    let listed: Vec<(&str, &Value)> = usage
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["disclosure_id"].as_str().unwrap(), &u["categories"]))
        .collect();
    assert_eq!(
        listed,
        vec![
            (first.as_str(), &json!(["contact"])),
            (second.as_str(), &json!(["contact", "regie"]))
        ]
    );
    assert_eq!(usage[0]["to"], "okt-amsterdam");
    assert_eq!(usage[0]["from"], "bt-centrum-west");
    let (_, none) = app
        .get_as_citizen(BSN, &format!("/v1/me/consents/{unused}/usage"))
        .await;
    assert_eq!(none, json!([]), "a consent never used lists nothing");

    // The recipient sees the same; someone else's consent is not there for another Amsterdammer.
    let (status, theirs) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            &format!("/v1/consents/{used}/usage"),
        )
        .await;
    assert_eq!(
        (status, theirs.as_array().unwrap().len()),
        (200, 2),
        "{theirs}"
    );
    let (status, _) = app
        .get_as_citizen(OTHER_BSN, &format!("/v1/me/consents/{used}/usage"))
        .await;
    assert_eq!(status, 404);
    // A partner the consent does not concern learns nothing of it.
    let (status, _) = app
        .get_as(CORDAAN, "begeleider", &format!("/v1/consents/{used}/usage"))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// GETs a consent's FHIR form as the Amsterdammer; checks the media type.
async fn fhir(app: &TestApp, id: &str) -> Value {
    let response = app
        .public()
        .get(app.url(&format!("/v1/me/consents/{id}/fhir")))
        .bearer_auth(app.citizen_token(BSN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/fhir+json");
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(BSN),
        "the BSN never leaves in a FHIR resource"
    );
    serde_json::from_str(&text).unwrap()
}

async fn every_consent_exports_as_a_fhir_r4_consent_that_an_independent_validator_accepts(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock(db, clock.clone()).await else {
        return;
    };
    let active = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact", "regie"])
        .await;
    let revoked = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let (status, _) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{revoked}/revoke"))
        .await;
    assert_eq!(status, 200);
    // Recorded by an aanbieder that is no listed recorder: it awaits confirmation.
    let body = json!({"subject_bsn": BSN, "recipients": [CORDAAN], "activities": [AANMELDING],
        "categories": ["contact"], "sources": ["bt-centrum-west"],
        "valid_until": (start + Duration::days(180)).to_rfc3339(),
        "evidence": {"method": "verbal_recorded", "document_sha256": "cd".repeat(32), "recorded_by": "prof-9"}});
    let (status, pending) = app
        .post_as(CORDAAN, "begeleider", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{pending}");
    let pending = pending["id"].as_str().unwrap().to_owned();
    // Recorded by the Amsterdammer themselves.
    let mine = json!({"recipients": ["okt"], "activities": [OUDERS], "categories": ["contact"],
        "valid_until": (start + Duration::days(30)).to_rfc3339()});
    let response = app
        .public()
        .post(app.url("/v1/me/consents"))
        .bearer_auth(app.citizen_token(BSN))
        .json(&mine)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let own = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Amended (the old version superseded), refused, and given by a parent for a child of 10.
    let old = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let amendment = json!({"recipients": ["okt-amsterdam"], "activities": [OUDERS], "categories": ["regie"],
        "valid_until": (start + Duration::days(90)).to_rfc3339(), "language": "tr",
        "evidence": {"method": "signed_form", "document_sha256": "ef".repeat(32), "recorded_by": "prof-1"}});
    let (status, amended) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{old}/amend"),
            &amendment,
        )
        .await;
    assert_eq!(status, 201, "{amended}");
    let amended = amended["id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .post_as(CORDAAN, "begeleider", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201);
    let (_, listed) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    let refused = listed.as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{refused}/refuse"))
        .await;
    assert_eq!(status, 200);
    let mut by_parent = amendment.clone();
    by_parent["subject_bsn"] = json!(BSN);
    by_parent["grantor"] = json!({"role": "parent", "bsn": OTHER_BSN});
    by_parent["subject_birth_date"] =
        json!((start - Duration::days(3650)).date_naive().to_string());
    let (status, parental) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/consents",
            &by_parent,
        )
        .await;
    assert_eq!(status, 201, "{parental}");
    let parental = parental["id"].as_str().unwrap().to_owned();

    let mut resources = vec![
        ("active", fhir(&app, &active).await),
        ("revoked", fhir(&app, &revoked).await),
        ("pending", fhir(&app, &pending).await),
        ("own", fhir(&app, &own).await),
        ("superseded", fhir(&app, &old).await),
        ("amended", fhir(&app, &amended).await),
        ("refused", fhir(&app, &refused).await),
        ("parental", fhir(&app, &parental).await),
    ];
    clock.set(start + Duration::days(400));
    resources.push(("expired", fhir(&app, &active).await));
    // The partner's route gives the same resource.
    let (status, as_partner) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            &format!("/v1/consents/{active}/fhir"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(as_partner, resources.last().unwrap().1);

    let status_of =
        |name: &str| resources.iter().find(|(n, _)| *n == name).unwrap().1["status"].clone();
    assert_eq!(status_of("active"), "active");
    assert_eq!(status_of("revoked"), "inactive");
    assert_eq!(status_of("pending"), "proposed");
    assert_eq!(status_of("own"), "active");
    assert_eq!(status_of("expired"), "inactive");
    assert_eq!(status_of("superseded"), "inactive");
    assert_eq!(status_of("amended"), "active");
    assert_eq!(status_of("refused"), "rejected");
    let of = |name: &str| &resources.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_eq!(of("amended")["language"], "tr");
    assert_eq!(
        of("parental")["performer"][0]["display"],
        "ouder van de Amsterdammer"
    );
    assert!(!of("parental").to_string().contains(OTHER_BSN));
    let active_fhir = &resources[0].1;
    assert_eq!(active_fhir["resourceType"], "Consent");
    assert_eq!(active_fhir["provision"]["type"], "permit");
    assert_eq!(
        active_fhir["provision"]["class"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["contact", "regie"]
    );
    assert_eq!(active_fhir["provision"]["purpose"][0]["code"], OUDERS);
    assert_eq!(
        active_fhir["provision"]["actor"][0]["role"]["coding"][0]["code"],
        "IRCP"
    );
    let pending_fhir = &resources[2].1;
    assert_eq!(
        pending_fhir["provision"]["actor"][1]["role"]["coding"][0]["code"], "INF",
        "a named source is an actor: {pending_fhir}"
    );

    // The independent validator, over every resource of this test.
    let dir = tempfile::TempDir::new().unwrap();
    let files: Vec<_> = resources
        .iter()
        .map(|(name, resource)| {
            let path = dir.path().join(format!("{name}.json"));
            std::fs::write(&path, resource.to_string()).unwrap();
            path
        })
        .collect();
    let validator = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/fhir_validate.py");
    let out = std::process::Command::new("python3")
        .arg(validator)
        .args(&files)
        .output()
        .expect("python3 runs (the tests need python3 with `pip install fhir.resources`)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the FHIR validator refused (needs `pip install fhir.resources`):\n{report}"
    );
    assert_eq!(report.matches("valid   ").count(), files.len(), "{report}");
    app.stop().await;
}

async fn a_consent_receipt_says_what_was_agreed_with_whom_and_how_to_withdraw(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let body = json!({"subject_bsn": BSN, "recipients": [CORDAAN], "activities": [AANMELDING],
        "categories": ["gezondheid", "contact"],
        "valid_until": (Utc::now() + Duration::days(90)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"}});
    let (status, recorded) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{recorded}");
    let id = recorded["id"].as_str().unwrap();

    let (status, receipt) = app
        .get_as_citizen(BSN, &format!("/v1/me/consents/{id}/receipt"))
        .await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["schema"], "ISO/IEC TS 27560:2023");
    assert_eq!(receipt["record_id"], id);
    assert_eq!(receipt["status"], "active");
    assert_eq!(receipt["method"], "signed_form");
    assert_eq!(receipt["recorded_by"]["id"], "bt-centrum-west");
    assert_eq!(receipt["recipients"][0]["id"], CORDAAN);
    assert_ne!(
        receipt["recipients"][0]["name"], CORDAAN,
        "named, not just an id"
    );
    assert_eq!(receipt["purposes"][0]["activity"], AANMELDING);
    assert!(
        !receipt["purposes"][0]["purpose"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    let special: Vec<(&str, bool)> = receipt["data_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["special"].as_bool().unwrap()))
        .collect();
    assert_eq!(special, vec![("contact", false), ("gezondheid", true)]);
    assert!(
        receipt["how_to_withdraw"]
            .as_str()
            .unwrap()
            .contains(&format!("/v1/me/consents/{id}/revoke"))
    );
    assert!(!receipt.to_string().contains(BSN));
    // The recording professional can print the same receipt; another Amsterdammer gets nothing.
    let (status, printed) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{id}/receipt"),
        )
        .await;
    assert_eq!((status, &printed["record_id"]), (200, &json!(id)));
    let (status, _) = app
        .get_as_citizen(OTHER_BSN, &format!("/v1/me/consents/{id}/receipt"))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn a_partner_lists_its_consents_that_run_out_soon(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let record = |days: i64| {
        let body = json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": [OUDERS],
            "categories": ["contact"], "valid_until": (Utc::now() + Duration::days(days)).to_rfc3339(),
            "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"}});
        let app = &app;
        async move {
            let (status, c) = app
                .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
                .await;
            assert_eq!(status, 201, "{c}");
            c["id"].as_str().unwrap().to_owned()
        }
    };
    let soon = record(20).await;
    let later = record(200).await;
    let revoked = record(10).await;
    let (status, _) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{revoked}/revoke"))
        .await;
    assert_eq!(status, 200);
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, month) = app
        .get_as("okt-amsterdam", "okt-medewerker", "/v1/consents/expiring")
        .await;
    assert_eq!(status, 200, "{month}");
    assert_eq!(
        ids(&month),
        vec![soon.clone()],
        "30 days by default; revoked ones are done"
    );
    let (_, year) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/consents/expiring?within_days=365",
        )
        .await;
    assert_eq!(ids(&year), vec![soon, later], "soonest first");
    let (_, unconcerned) = app
        .get_as(
            CORDAAN,
            "begeleider",
            "/v1/consents/expiring?within_days=365",
        )
        .await;
    assert_eq!(
        unconcerned,
        json!([]),
        "another partner's consents stay hidden"
    );
    for bad in ["0", "366", "soon"] {
        let (status, body) = app
            .get_as(
                "okt-amsterdam",
                "okt-medewerker",
                &format!("/v1/consents/expiring?within_days={bad}"),
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    app.stop().await;
}

/// A revocation binds every request that starts after it committed (invariant 3), also while a
/// stream of exchanges runs: every exchange sent after the revocation's answer arrived is denied.
async fn no_exchange_started_after_a_revocation_committed_is_permitted(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let id = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let app = Arc::new(app);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two streams of exchanges, each noting when it sent a request and what came back.
    let streams: Vec<_> = (0..2)
        .map(|_| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let sent = std::time::Instant::now();
                    let (status, _) = try_exchange(&app, &["contact"]).await;
                    seen.push((sent, status));
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, revoked) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{id}/revoke"))
        .await;
    let committed = std::time::Instant::now();
    assert_eq!(status, 200, "{revoked}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut seen = Vec::new();
    for s in streams {
        seen.extend(s.await.unwrap());
    }

    let before = seen.iter().filter(|(sent, _)| *sent < committed).count();
    let after: Vec<u16> = seen
        .iter()
        .filter(|(sent, _)| *sent > committed)
        .map(|(_, status)| *status)
        .collect();
    assert!(
        seen.iter()
            .any(|(sent, status)| *sent < committed && *status == 200),
        "the stream ran under the consent first ({before} before)"
    );
    assert!(!after.is_empty(), "the stream went on after the revocation");
    assert!(
        after.iter().all(|status| *status == 403),
        "an exchange sent after the revocation committed was answered {after:?}"
    );
    // The server's side agrees: no disclosure is dated after the revocation.
    let revoked_at: chrono::DateTime<Utc> =
        revoked["revoked_at"].as_str().unwrap().parse().unwrap();
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    let last = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<Utc>>()
                .unwrap()
        })
        .max()
        .unwrap();
    assert!(
        last < revoked_at + Duration::seconds(1),
        "last disclosure {last}, revoked at {revoked_at}"
    );
}

async fn try_exchange(app: &TestApp, categories: &[&str]) -> (u16, Value) {
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": categories});
    app.post_as("okt-amsterdam", "okt-medewerker", "/v1/exchange", &body)
        .await
}

async fn a_partner_polls_the_consents_that_stopped_covering_anything(db: Db) {
    let start = Utc::now();
    let clock = Arc::new(FixedClock::new(start));
    let Some(app) = TestApp::spawn_with_clock(db, clock.clone()).await else {
        return;
    };
    let revoked = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let body = json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": [OUDERS],
        "categories": ["contact"], "valid_until": (start + Duration::days(10)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"}});
    let (status, short) = app
        .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
        .await;
    assert_eq!(status, 201, "{short}");
    let short = short["id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .post_as_citizen(BSN, &format!("/v1/me/consents/{revoked}/revoke"))
        .await;
    assert_eq!(status, 200);
    let poll = |as_partner: &'static str, role: &'static str, since: chrono::DateTime<Utc>| {
        let app = &app;
        async move {
            let since = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let (status, body) = app
                .get_as(
                    as_partner,
                    role,
                    &format!("/v1/consents/changes?since={since}"),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let changes: Vec<(String, String)> = body["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["consent_id"].as_str().unwrap().to_owned(),
                        c["change"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let until: chrono::DateTime<Utc> = body["until"].as_str().unwrap().parse().unwrap();
            (changes, until)
        }
    };
    let okt = |since| poll("okt-amsterdam", "okt-medewerker", since);

    // Right after the revocation the feed has not settled over it yet.
    clock.set(start + Duration::seconds(1));
    let (changes, until) = okt(start - Duration::hours(1)).await;
    assert!(changes.is_empty(), "{changes:?}");
    assert!(until < start, "the feed stays behind the clock");

    clock.set(start + Duration::seconds(30));
    let (changes, until) = okt(until).await;
    assert_eq!(changes, vec![(revoked.clone(), "revoked".to_owned())]);
    // Asking again from the new cursor gives nothing twice.
    let (again, until) = okt(until).await;
    assert!(again.is_empty(), "{again:?}");

    clock.set(start + Duration::days(11));
    let (changes, _) = okt(until).await;
    assert_eq!(changes, vec![(short.clone(), "expired".to_owned())]);
    // From the start, both, oldest first; a partner they do not concern sees neither.
    let (all, _) = okt(start - Duration::hours(1)).await;
    assert_eq!(
        all,
        vec![
            (revoked, "revoked".to_owned()),
            (short, "expired".to_owned())
        ]
    );
    let (theirs, _) = poll(CORDAAN, "begeleider", start - Duration::hours(1)).await;
    assert!(theirs.is_empty(), "{theirs:?}");
    let (status, body) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/consents/changes?since=yesterday",
        )
        .await;
    assert_eq!(status, 400, "{body}");
    app.stop().await;
}

tests::both_databases! {
    a_partner_polls_the_consents_that_stopped_covering_anything =>
        a_partner_polls_the_consents_that_stopped_covering_anything;
    no_exchange_started_after_a_revocation_committed_is_permitted =>
        no_exchange_started_after_a_revocation_committed_is_permitted;
    a_partner_lists_its_consents_that_run_out_soon =>
        a_partner_lists_its_consents_that_run_out_soon;
    a_consent_receipt_says_what_was_agreed_with_whom_and_how_to_withdraw =>
        a_consent_receipt_says_what_was_agreed_with_whom_and_how_to_withdraw;
    a_consents_usage_lists_the_disclosures_made_under_it_to_whom_may_see_it =>
        a_consents_usage_lists_the_disclosures_made_under_it_to_whom_may_see_it;
    every_consent_exports_as_a_fhir_r4_consent_that_an_independent_validator_accepts =>
        every_consent_exports_as_a_fhir_r4_consent_that_an_independent_validator_accepts;
}
