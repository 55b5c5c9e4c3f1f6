//! Bounded answers (issue 21 item 4), as a resident's app, a privacy officer's tooling and the
//! resident in the portal read a long history: every list answers a page at a time (at most
//! `limit`, 1 to 1000) and names the next page in a `Link: <...>; rel="next"` header until the
//! last; following the links gives every entry once, in the list's order, the same as one large
//! page; a cursor the gateway did not write is `400 invalid_cursor`. The export streams (no
//! `Content-Length`) and still holds every entry; `/mijn` shows the newest and links to older ones.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};

use crate::mijn::resident;

const OUDERS: &str = "gezinsondersteuning-ouders";
const OFFICER: &str = "privacy_officer";
/// More than one page of the export (200) and of `/mijn` (50).
const HISTORY: usize = 230;

/// One GET with its status, `Link` header and JSON body.
type Answer = (u16, Option<String>, Value);

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let link = response
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, link, response.json().await.unwrap_or(Value::Null))
}

/// The path of a `Link` header's `rel="next"`.
fn next(link: &str) -> String {
    let (target, rel) = link.split_once(';').unwrap();
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    target
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// Every page from `first` on, following the links; returns the pages' sizes and all entries.
async fn follow(
    get: impl Fn(String) -> reqwest::RequestBuilder,
    first: &str,
) -> (Vec<usize>, Vec<Value>) {
    let (mut sizes, mut all) = (Vec::new(), Vec::new());
    let mut path = Some(first.to_owned());
    while let Some(current) = path.take() {
        let (status, link, body) = answer(get(current.clone())).await;
        assert_eq!(status, 200, "{current}: {body}");
        let page = body.as_array().unwrap();
        sizes.push(page.len());
        all.extend(page.iter().cloned());
        path = link.as_deref().map(next);
        assert!(sizes.len() < 100, "the links never end");
    }
    (sizes, all)
}

fn ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_long_history_is_read_a_page_at_a_time(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        config.connections.max_per_peer = 0;
    })
    .await
    else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]});
    let answers = app.exchanges_at_once(HISTORY, &body).await;
    assert!(answers.iter().all(|(status, ..)| *status == 200));

    // The resident's own list: oldest first, 100 a page.
    let citizen = |path: String| {
        app.public()
            .get(app.url(&path))
            .bearer_auth(app.citizen_token(BSN))
    };
    let (sizes, mine) = follow(citizen, "/v1/me/disclosures?limit=100").await;
    assert_eq!(sizes, [100, 100, 30]);
    let indexes: Vec<u64> = mine
        .iter()
        .map(|d| d["log_index"].as_u64().unwrap())
        .collect();
    assert!(
        indexes.windows(2).all(|w| w[0] < w[1]),
        "oldest first, each once: {indexes:?}"
    );
    let (status, link, unpaged) = answer(citizen("/v1/me/disclosures".to_owned())).await;
    assert_eq!(status, 200);
    assert_eq!(unpaged.as_array().unwrap().len(), 200, "the default page");
    assert!(link.is_some(), "and a link to the rest");

    // The officer's lists: newest first, the pages together the same as one large page.
    let officer = |path: String| {
        app.partner("okt-amsterdam")
            .get(app.url(&path))
            .bearer_auth(app.partner_token("okt-amsterdam", "prof-1", OFFICER))
    };
    for list in ["/v1/audit/disclosures", "/v1/audit/decisions"] {
        let (sizes, paged) = follow(officer, &format!("{list}?activity={OUDERS}&limit=64")).await;
        assert_eq!(sizes, [64, 64, 64, 38], "{list}");
        let (_, link, whole) =
            answer(officer(format!("{list}?activity={OUDERS}&limit=1000"))).await;
        assert_eq!(link, None, "{list}: one page holds it all");
        assert_eq!(ids(&paged), ids(whole.as_array().unwrap()), "{list}");
    }
    let (sizes, _) = follow(officer, "/v1/audit/reviews?status=all&limit=1").await;
    assert_eq!(sizes, [0], "no disclosure on another basis: one empty page");

    // Bad paging is refused, with the field named.
    let decisions_link = answer(officer("/v1/audit/decisions?limit=1".to_owned()))
        .await
        .1
        .unwrap();
    let from_decisions = next(&decisions_link)
        .split("cursor=")
        .nth(1)
        .unwrap()
        .to_owned();
    for (path, code) in [
        ("/v1/audit/disclosures?limit=0".to_owned(), "invalid_limit"),
        (
            "/v1/audit/disclosures?limit=1001".to_owned(),
            "invalid_limit",
        ),
        (
            "/v1/audit/disclosures?cursor=bm9wZQ".to_owned(),
            "invalid_cursor",
        ),
        (
            format!("/v1/audit/disclosures?cursor={from_decisions}"),
            "invalid_cursor",
        ),
    ] {
        let (status, _, body) = answer(officer(path.clone())).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some(code)),
            "{path}: {body}"
        );
    }
    let (status, _, body) = answer(citizen(format!(
        "/v1/me/disclosures?cursor={from_decisions}"
    )))
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_cursor")),
        "{body}"
    );

    // The export streams, and holds every entry once in both of its lists.
    let response = citizen("/v1/me/export".to_owned()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-length"),
        None,
        "the export streams"
    );
    let export: Value = response.json().await.unwrap();
    assert_eq!(ids(export["disclosures"].as_array().unwrap()), ids(&mine));
    assert_eq!(export["logboek"].as_array().unwrap().len(), HISTORY);
    assert_eq!(export["consents"].as_array().unwrap().len(), 1);

    // Mijn gegevens: the newest 50, then older ones through the link, down to the first entry.
    let mut me = resident(&app, BSN).await;
    let mut page = me.get("/mijn").await;
    let mut shown = Vec::new();
    loop {
        assert_eq!(page.status, 200);
        let entries = page
            .body
            .split("data-bewijs=\"/mijn/verstrekkingen/")
            .skip(1)
            .map(|rest| rest.split('/').next().unwrap().to_owned());
        shown.extend(entries);
        let Some((_, rest)) = page.body.split_once("href=\"/mijn?ouder=") else {
            break;
        };
        let before = rest.split('"').next().unwrap().to_owned();
        assert!(
            page.body.contains("Toon eerdere keren"),
            "the link says what it does"
        );
        page = me.get(&format!("/mijn?ouder={before}")).await;
        assert!(page.body.contains("Terug naar de nieuwste"));
    }
    let mut newest_first = ids(&mine);
    newest_first.reverse();
    assert_eq!(shown, newest_first, "every entry once, newest first");

    // What an organisation recorded pages the same way: five refusals, two a page.
    for recipient in [
        "okt-amsterdam",
        "wpi",
        "aio-lvb-cordaan",
        "bt-begeleid-thuis-hvo",
        "meldpunt-zorg-woonoverlast",
    ] {
        let body = json!({"subject_bsn": BSN, "recipient": recipient});
        let (status, answer) = app
            .post_as("bt-centrum-west", "regievoerder", "/v1/refusals", &body)
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    let recorder = |path: String| {
        app.partner("bt-centrum-west")
            .get(app.url(&path))
            .bearer_auth(app.partner_token("bt-centrum-west", "prof-1", OFFICER))
    };
    let (sizes, paged) = follow(recorder, "/v1/audit/refusals?limit=2").await;
    assert_eq!(sizes, [2, 2, 1]);
    let (_, _, whole) = answer(recorder("/v1/audit/refusals".to_owned())).await;
    let refusal_ids = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|r| r["refusal"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(refusal_ids(&paged), refusal_ids(whole.as_array().unwrap()));
    let (status, _, body) = answer(recorder(format!(
        "/v1/audit/refusals?cursor={from_decisions}"
    )))
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_cursor")),
        "{body}"
    );
    app.stop().await;
}

tests::both_databases! {
    a_long_history_is_read_a_page_at_a_time => a_long_history_is_read_a_page_at_a_time;
}
