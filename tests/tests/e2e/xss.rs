//! Markup in what partners and residents type never runs on a page: hostile values in every stored
//! field a page shows (the evidence method of a consent, professionals' `sub`s, justifications,
//! deferral reasons, representation bases and labels, review notes) and in a query parameter the
//! console echoes. Every page of `/mijn` and `/audit`, and the receipt page, is read as the one who
//! sees it: the hostile text is there, escaped, and never as markup.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{Duration, Utc};
use reqwest::header::ACCEPT;
use serde_json::json;
use tests::{BSN, Db, OTHER_BSN, TestApp};

use crate::mijn::resident;
use crate::representatives::REPRESENTATIVE;

const OUDERS: &str = "gezinsondersteuning-ouders";
const MELDING: &str = "melding-zorg-en-woonoverlast";

const SCRIPT: &str = "<script>alert(1)</script>";
const SCRIPT_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
/// Breaks out of a double-quoted attribute.
const BREAKER: &str = "\"><img src=x onerror=alert(1)>";
const BREAKER_ESCAPED: &str = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
/// Breaks out of a single-quoted attribute.
const QUOTE: &str = "'><svg onload=alert(1)>";
const QUOTE_ESCAPED: &str = "&gt;&lt;svg onload=alert(1)&gt;";
const LINK: &str = "javascript:alert(1)";

/// A professional whose name is an attack.
const PROFESSIONAL: &str = "prof\"><img src=x onerror=alert(1)>";

/// The page shows no hostile value as markup.
fn assert_inert(path: &str, body: &str) {
    for raw in [
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "onerror=alert(1)>",
        "href=\"javascript:",
        "src=\"javascript:",
        "action=\"javascript:",
    ] {
        assert!(
            !body.contains(raw),
            "{path} shows {raw:?} unescaped:\n{body}"
        );
    }
    // An attribute value never starts with the hostile link.
    assert!(!body.contains("=\"javascript:"), "{path}:\n{body}");
}

async fn hostile_values_are_shown_as_text_on_every_page(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    // A consent whose evidence method (free text) is a script; the receipt page shows it.
    let body = json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": [OUDERS],
        "categories": ["contact"], "valid_until": (Utc::now() + Duration::days(90)).to_rfc3339(),
        "evidence": {"method": SCRIPT, "document_sha256": "ab".repeat(32), "recorded_by": PROFESSIONAL}});
    let (status, consent) = app
        .post_by(
            "bt-centrum-west",
            PROFESSIONAL,
            "regievoerder",
            "/v1/consents",
            &body,
        )
        .await;
    assert_eq!(status, 201, "{consent}");
    let consent_id = consent["id"].as_str().unwrap().to_owned();

    // A melding on a public task by the hostile professional, its justification hostile, and one
    // deferred with a hostile reason.
    let justification = format!("{SCRIPT} {BREAKER} {QUOTE} {LINK}");
    for defer in [
        None,
        Some(
            json!({"until": (Utc::now() + Duration::days(20)).to_rfc3339(), "reason": format!("{BREAKER} {SCRIPT}")}),
        ),
    ] {
        let mut melding = json!({"subject_bsn": BSN, "recipient": "meldpunt-zorg-woonoverlast",
            "activity": MELDING, "justification": justification,
            "data": {"contact": {"naam": "Jan de Vries"}}});
        if let Some(defer) = defer {
            melding["defer_notice"] = defer;
        }
        let (status, delivered) = app
            .post_by(
                "bt-centrum-west",
                PROFESSIONAL,
                "buurtteammedewerker",
                "/v1/deliveries",
                &melding,
            )
            .await;
        assert_eq!(status, 200, "{delivered}");
    }
    // A refused request by the hostile professional (no consent for OTHER_BSN).
    let (status, refused) = app
        .post_by(
            "okt-amsterdam",
            PROFESSIONAL,
            "okt-medewerker",
            "/v1/exchange",
            &json!({"subject_bsn": OTHER_BSN, "source": "bt-centrum-west", "activity": OUDERS,
                    "categories": ["contact"]}),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
    // A refusal recorded by the hostile professional.
    let (status, refusal) = app
        .post_by(
            "bt-centrum-west",
            PROFESSIONAL,
            "regievoerder",
            "/v1/refusals",
            &json!({"subject_bsn": BSN, "recipient": "wpi", "note": SCRIPT}),
        )
        .await;
    assert_eq!(status, 201, "{refusal}");
    // A representation with a hostile basis and label, by the hostile professional.
    let (status, representation) = app
        .post_by(
            "bt-centrum-west",
            PROFESSIONAL,
            "regievoerder",
            "/v1/representations",
            &json!({"representative_bsn": REPRESENTATIVE, "represented_bsn": BSN, "role": "curator",
                "basis": format!("{BREAKER} {SCRIPT}"), "label": format!("{QUOTE} {SCRIPT}"),
                "document_sha256": "ef".repeat(32),
                "valid_until": (Utc::now() + Duration::days(365)).to_rfc3339()}),
        )
        .await;
    assert_eq!(status, 201, "{representation}");
    let representation = representation["id"].as_str().unwrap().to_owned();

    // The receipt page, as the professional and as the Amsterdammer.
    for (client, token, path) in [
        (
            app.partner("bt-centrum-west"),
            app.partner_token("bt-centrum-west", "prof-1", "regievoerder"),
            format!("/v1/consents/{consent_id}/receipt"),
        ),
        (
            app.public(),
            app.citizen_token(BSN),
            format!("/v1/me/consents/{consent_id}/receipt"),
        ),
    ] {
        let page = client
            .get(app.url(&path))
            .bearer_auth(token)
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{path}");
        let page = page.text().await.unwrap();
        assert_inert(&path, &page);
        assert!(page.contains(SCRIPT_ESCAPED), "{path}: {page}");
    }

    // Mijn gegevens, as the person represented: the basis, escaped; they confirm it.
    let mut represented = resident(&app, BSN).await;
    for path in [
        "/mijn".to_owned(),
        "/mijn?taal=en".to_owned(),
        "/mijn?taal=nl".to_owned(),
        "/mijn/login".to_owned(),
        format!("/mijn/toestemmingen/{consent_id}/intrekken"),
        "/mijn/weigeren?ontvanger=wpi".to_owned(),
        format!("/mijn/weigeren?ontvanger={}", urlencoded(SCRIPT)),
        format!(
            "/mijn?ingetrokken={}&geweigerd={}",
            urlencoded(SCRIPT),
            urlencoded(BREAKER)
        ),
    ] {
        let page = represented.get(&path).await;
        assert_inert(&path, &page.body);
    }
    let home = represented.get("/mijn").await;
    assert!(
        home.body.contains(BREAKER_ESCAPED),
        "the basis: {}",
        home.body
    );
    assert!(home.body.contains(SCRIPT_ESCAPED), "{}", home.body);
    let done = represented
        .post(
            &format!("/mijn/vertegenwoordiging/{representation}/bevestigen"),
            &[],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);

    // As the representative: the label, escaped, also while acting for the person.
    let mut representative = resident(&app, REPRESENTATIVE).await;
    let page = representative.get("/mijn").await;
    assert_inert("/mijn (representative)", &page.body);
    assert!(
        page.body.contains(QUOTE_ESCAPED),
        "the label: {}",
        page.body
    );
    let acting = representative
        .post("/mijn/namens", &[("vertegenwoordiging", &representation)])
        .await;
    assert_eq!(acting.status, 303, "{}", acting.body);
    for path in ["/mijn", "/mijn?taal=en"] {
        let page = representative.get(path).await;
        assert_inert(path, &page.body);
        assert!(page.body.contains(QUOTE_ESCAPED), "acting: {}", page.body);
    }

    // The console, as officers of the organisations that took part.
    let mut bt = app.officer_visitor("bt-centrum-west").await;
    let queue = bt.get("/audit/beoordelen").await;
    let melding_id = queue
        .body
        .split("action=\"/audit/beoordelen/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let reviewed = bt
        .post(
            &format!("/audit/beoordelen/{melding_id}"),
            &[
                ("uitkomst", "flag"),
                ("toelichting", &format!("{SCRIPT} {BREAKER}")),
            ],
        )
        .await;
    assert_eq!(reviewed.status, 303, "{}", reviewed.body);
    let mut okt = app.officer_visitor("okt-amsterdam").await;
    let mut seen = String::new();
    for officer in [&mut bt, &mut okt] {
        for path in [
            "/audit".to_owned(),
            "/audit/login".to_owned(),
            "/audit/verstrekkingen".to_owned(),
            format!("/audit/verstrekkingen?partner={}", urlencoded(BREAKER)),
            "/audit/weigeringen".to_owned(),
            "/audit/beoordelen".to_owned(),
            "/audit/beoordelen?status=all".to_owned(),
            "/audit/beoordelen?status=flagged".to_owned(),
            format!("/audit/beoordelen?opgeslagen={}", urlencoded(SCRIPT)),
            "/audit/uitgesteld".to_owned(),
            "/audit/vertegenwoordigingen".to_owned(),
        ] {
            let page = officer.get(&path).await;
            assert_inert(&path, &page.body);
            seen.push_str(&page.body);
        }
    }
    let reviews = bt.get("/audit/beoordelen?status=all").await.body;
    assert!(
        reviews.contains(SCRIPT_ESCAPED) && reviews.contains(BREAKER_ESCAPED),
        "the justification and note: {reviews}"
    );
    let echoed = bt
        .get(&format!(
            "/audit/beoordelen?opgeslagen={}",
            urlencoded(SCRIPT)
        ))
        .await
        .body;
    assert!(
        echoed.contains(SCRIPT_ESCAPED),
        "the echoed query: {echoed}"
    );
    for (path, shown) in [
        ("/audit/verstrekkingen", BREAKER_ESCAPED),
        ("/audit/verstrekkingen", QUOTE_ESCAPED),
        ("/audit/uitgesteld", BREAKER_ESCAPED),
        ("/audit/vertegenwoordigingen", BREAKER_ESCAPED),
    ] {
        let page = bt.get(path).await.body;
        assert!(page.contains(shown), "{path} shows {shown}: {page}");
    }
    let denials = okt.get("/audit/weigeringen").await.body;
    assert!(
        denials.contains(BREAKER_ESCAPED),
        "the professional of a denial: {denials}"
    );
    assert!(seen.contains(LINK), "the link is shown as text");
    app.stop().await;
}

fn urlencoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

tests::both_databases! {
    hostile_values_are_shown_as_text_on_every_page => hostile_values_are_shown_as_text_on_every_page;
}
