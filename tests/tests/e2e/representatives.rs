//! Who gives consent and who acts for whom (issue 8): a child under 16's consent is given by a
//! parent or guardian (UAVG art. 5); a mentor, curator or bewindvoerder acts for the person they
//! represent with their own citizen token, only within their role, and every step they take is
//! recorded as theirs and shown to both.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use tests::{BSN, Db, OTHER_BSN, TestApp};

const OUDERS: &str = "gezinsondersteuning-ouders";
const INKOMEN: &str = "samenwerking-wpi-inkomen";
/// A third valid BSN (11-proef), for the representative.
pub(crate) const REPRESENTATIVE: &str = "200000007";

fn consent_body(grantor: Option<Value>, birth: Option<NaiveDate>, categories: &[&str]) -> Value {
    let mut body = json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": [OUDERS],
        "categories": categories, "valid_until": (Utc::now() + Duration::days(180)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"}});
    if let Some(g) = grantor {
        body["grantor"] = g;
    }
    if let Some(b) = birth {
        body["subject_birth_date"] = json!(b.to_string());
    }
    body
}

async fn record(app: &TestApp, body: &Value) -> (u16, Value) {
    app.post_as("bt-centrum-west", "regievoerder", "/v1/consents", body)
        .await
}

fn years_ago(years: i32) -> NaiveDate {
    let today = Utc::now().date_naive();
    NaiveDate::from_ymd_opt(today.year_ce().1 as i32 - years, 1, 1).unwrap()
}

use chrono::Datelike as _;

async fn a_childs_consent_is_given_by_a_parent_or_guardian_and_shown_as_such(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let child = years_ago(10);
    // The child cannot give it themselves.
    let (status, refused) = record(&app, &consent_body(None, Some(child), &["contact"])).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "grantor_required");
    assert_eq!(refused["error"]["field"], "grantor");
    // A parent gives it; the parent's BSN is needed, and never shown.
    let parent = json!({"role": "parent"});
    let (status, no_bsn) =
        record(&app, &consent_body(Some(parent), Some(child), &["contact"])).await;
    assert_eq!(
        (status, &no_bsn["error"]["field"]),
        (400, &json!("grantor.bsn")),
        "{no_bsn}"
    );
    let parent = json!({"role": "parent", "bsn": REPRESENTATIVE});
    let (status, given) = record(
        &app,
        &consent_body(Some(parent.clone()), Some(child), &["contact"]),
    )
    .await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(given["grantor"]["role"], "parent");
    assert_eq!(given["status"], "active");
    assert!(!given.to_string().contains(REPRESENTATIVE));
    // Without the child's date of birth, a parent's consent cannot be checked.
    let (status, body) = record(
        &app,
        &consent_body(Some(parent.clone()), None, &["contact"]),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("birth_date_required"))
    );
    // From 16 the Amsterdammer gives consent themselves.
    let (status, body) = record(
        &app,
        &consent_body(Some(parent.clone()), Some(years_ago(17)), &["contact"]),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("grantor_not_allowed")),
        "{body}"
    );
    // A parent's consent ends by the child's 16th birthday at the latest.
    let almost = Utc::now().date_naive() - Duration::days(16 * 365 - 30);
    let (status, body) = record(
        &app,
        &consent_body(Some(parent), Some(almost), &["contact"]),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("valid_until")),
        "{body}"
    );
    // The Amsterdammer sees who gave it.
    let (_, mine) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(mine[0]["grantor"]["role"], "parent");
    app.stop().await;
}

/// A representation of `BSN` by `REPRESENTATIVE` in `role`, recorded by the buurtteam (which must
/// already have a part in `BSN`'s care), confirmed by `BSN`, and active; its id.
pub(crate) async fn record_representation(app: &TestApp, role: &str) -> String {
    let body = json!({"representative_bsn": REPRESENTATIVE, "represented_bsn": BSN, "role": role,
        "basis": "beschikking rechtbank Amsterdam", "document_sha256": "ef".repeat(32),
        "label": "mijn broer", "valid_until": (Utc::now() + Duration::days(365)).to_rfc3339()});
    let (status, r) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            "/v1/representations",
            &body,
        )
        .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(
        r["status"], "pending",
        "a recorded representation waits for confirmation"
    );
    let id = r["id"].as_str().unwrap().to_owned();
    let (status, r) = as_citizen(
        app,
        BSN,
        None,
        reqwest::Method::POST,
        &format!("/v1/me/representations/{id}/confirm"),
        None,
    )
    .await;
    assert_eq!((status, &r["status"]), (200, &json!("active")), "{r}");
    id
}

/// A request as `bsn`, acting under `representation` when given.
pub(crate) async fn as_citizen(
    app: &TestApp,
    bsn: &str,
    representation: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = app
        .public()
        .request(method, app.url(path))
        .bearer_auth(app.citizen_token(bsn));
    if let Some(r) = representation {
        request = request.header("On-Behalf-Of", r);
    }
    if let Some(b) = body {
        request = request.json(b);
    }
    tests::send(request).await
}

async fn a_representative_acts_within_their_role_and_both_see_what_they_did(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let care = app
        .record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let money = app
        .record_consent(BSN, &["bt-centrum-west"], &[INKOMEN], &["inkomen"])
        .await;
    // A bewindvoerder acts for the person's finances only.
    let bewind = record_representation(&app, "bewindvoerder").await;
    let (status, mine) = as_citizen(
        &app,
        REPRESENTATIVE,
        None,
        reqwest::Method::GET,
        "/v1/me/representations",
        None,
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["representing"][0]["id"], bewind.as_str());
    assert_eq!(mine["representing"][0]["label"], "mijn broer");
    let (_, theirs) = app.get_as_citizen(BSN, "/v1/me/representations").await;
    assert_eq!(theirs["represented_by"][0]["role"], "bewindvoerder");
    assert_eq!(
        theirs["represented_by"][0]["label"],
        Value::Null,
        "the label is the representative's"
    );

    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let (status, seen) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        get.clone(),
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    let ids: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![money.as_str()],
        "a bewindvoerder sees the financial consent only"
    );
    // Outside the role: invisible, so not revocable; a new consent on care data is refused.
    let (status, _) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        post.clone(),
        &format!("/v1/me/consents/{care}/revoke"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let care_terms = json!({"recipients": ["okt"], "activities": [OUDERS], "categories": ["contact"],
        "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339()});
    let (status, body) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        post.clone(),
        "/v1/me/consents",
        Some(&care_terms),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("outside_representation")),
        "{body}"
    );
    assert_eq!(body["error"]["field"], "categories");
    // A consent the person gave themselves is not the representative's to revoke (the register
    // lists no `may_undo_own_choices` for a bewindvoerder).
    let (status, own) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        post.clone(),
        &format!("/v1/me/consents/{money}/revoke"),
        None,
    )
    .await;
    assert_eq!(
        (status, &own["error"]["code"]),
        (403, &json!("own_choice")),
        "{own}"
    );
    // One the bewindvoerder gave, they revoke, and it is recorded as theirs.
    let (status, given) = record(
        &app,
        &json!({"subject_bsn": BSN, "recipients": ["bt-centrum-west"], "activities": [INKOMEN],
            "categories": ["inkomen"], "valid_until": (Utc::now() + Duration::days(180)).to_rfc3339(),
            "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
            "grantor": {"role": "bewindvoerder", "bsn": REPRESENTATIVE}}),
    )
    .await;
    assert_eq!(status, 201, "{given}");
    let money = given["id"].as_str().unwrap().to_owned();
    let (status, revoked) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        post.clone(),
        &format!("/v1/me/consents/{money}/revoke"),
        None,
    )
    .await;
    assert_eq!(
        (status, &revoked["status"]),
        (200, &json!("revoked")),
        "{revoked}"
    );
    let (_, own_view) = app.get_as_citizen(BSN, "/v1/me/consents").await;
    let money_view = own_view
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == money.as_str())
        .unwrap();
    let last = money_view["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["event"], "revoked");
    assert_eq!(
        last["representation_id"],
        bewind.as_str(),
        "the Amsterdammer sees their representative acted"
    );
    let (_, partner_view) = app
        .get_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/consents/{money}"),
        )
        .await;
    assert_eq!(partner_view["status"], "revoked");

    // Nobody else can act under it, and not after it ended.
    let (status, body) = as_citizen(
        &app,
        OTHER_BSN,
        Some(&bewind),
        get.clone(),
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_representative"))
    );
    let (status, _) = app
        .post_as(
            "bt-centrum-west",
            "regievoerder",
            &format!("/v1/representations/{bewind}/end"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&bewind),
        get.clone(),
        "/v1/me/consents",
        None,
    )
    .await;
    assert_eq!(status, 403, "an ended representation acts for nobody");
    // Another organisation does not see the representation.
    let (status, _) = app
        .get_as(
            "okt-amsterdam",
            "okt-medewerker",
            &format!("/v1/representations/{bewind}"),
        )
        .await;
    assert_eq!(status, 404);

    // A mentor acts for care, not finances; a consent given by a mentor names them as grantor.
    let mentor = record_representation(&app, "mentor").await;
    let (status, given) = as_citizen(
        &app,
        REPRESENTATIVE,
        Some(&mentor),
        post.clone(),
        "/v1/me/consents",
        Some(&care_terms),
    )
    .await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(
        given["grantor"],
        json!({"role": "mentor", "representation_id": mentor})
    );
    assert_eq!(given["history"][0]["representation_id"], mentor.as_str());
    app.stop().await;
}

async fn a_legal_representative_gives_consent_only_under_a_recorded_representation(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let grantor = json!({"role": "bewindvoerder", "bsn": REPRESENTATIVE});
    let mut body = json!({"subject_bsn": BSN, "recipients": ["bt-centrum-west"], "activities": [INKOMEN],
        "categories": ["inkomen"], "valid_until": (Utc::now() + Duration::days(180)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
        "grantor": grantor});
    let (status, refused) = record(&app, &body).await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (400, &json!("no_representation")),
        "{refused}"
    );
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let id = record_representation(&app, "bewindvoerder").await;
    let (status, given) = record(&app, &body).await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(
        given["grantor"],
        json!({"role": "bewindvoerder", "representation_id": id})
    );
    // Not for data outside their role.
    body["activities"] = json!([OUDERS]);
    body["recipients"] = json!(["okt-amsterdam"]);
    body["categories"] = json!(["contact"]);
    let (status, outside) = record(&app, &body).await;
    assert_eq!(
        (status, &outside["error"]["code"]),
        (403, &json!("outside_representation")),
        "{outside}"
    );
    // Only an organisation that records consents records a representation.
    let r = json!({"representative_bsn": REPRESENTATIVE, "represented_bsn": BSN, "role": "mentor",
        "basis": "x", "document_sha256": "ef".repeat(32), "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339()});
    let (status, body) = app
        .post_as("aio-lvb-cordaan", "begeleider", "/v1/representations", &r)
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_a_recorder")),
        "{body}"
    );
    app.stop().await;
}

tests::both_databases! {
    a_childs_consent_is_given_by_a_parent_or_guardian_and_shown_as_such =>
        a_childs_consent_is_given_by_a_parent_or_guardian_and_shown_as_such;
    a_representative_acts_within_their_role_and_both_see_what_they_did =>
        a_representative_acts_within_their_role_and_both_see_what_they_did;
    a_legal_representative_gives_consent_only_under_a_recorded_representation =>
        a_legal_representative_gives_consent_only_under_a_recorded_representation;
}
