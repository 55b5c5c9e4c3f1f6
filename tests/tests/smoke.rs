use serde_json::json;
use tests::{BSN, Db, TestApp};

async fn smoke(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    app.record_consent(
        BSN,
        &["okt-amsterdam"],
        &["gezinsondersteuning-ouders"],
        &["contact", "regie"],
    )
    .await;
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": "gezinsondersteuning-ouders", "categories": ["contact", "regie"]}),
        )
        .await;
    println!("{status} {body:#}");
    assert_eq!(status, 200);
    let (status, body) = app.get_as_citizen(BSN, "/v1/me/disclosures").await;
    println!("{status} {body:#}");
    app.stop().await;
}

tests::both_databases! {
    smoke_runs => smoke;
}
