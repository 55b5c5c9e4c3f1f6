//! Rate limits that hold across replicas (`[rate_limit] redis`): two replicas share one Redis, so
//! an organisation rotating `sub` over both gets its burst once in total, not once per replica.
//! When Redis dies, partners are refused `503 rate_limits_unavailable` with `Retry-After` (fail
//! closed) and `/readyz` says not ready, while an Amsterdammer is still served under the replica's
//! own limit; once Redis is back, so is the gateway. Redis is the test's own `redis-server`.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use tests::redis::RedisServer;
use tests::{BSN, Db, RateLimitConfig, TestApp};

const BURST: usize = 6;

/// A partner's list of consents, as professional `sub` of okt-amsterdam: status, Retry-After, body.
async fn as_professional(app: &TestApp, sub: &str) -> (u16, bool, serde_json::Value) {
    let token = app.partner_token("okt-amsterdam", sub, "okt-medewerker");
    let response = app
        .partner("okt-amsterdam")
        .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    (status, retry_after, response.json().await.unwrap())
}

async fn the_organisation_limit_holds_across_replicas_and_fails_closed_without_redis(db: Db) {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let limits = RateLimitConfig {
        organisation_per_second: NonZeroU32::new(1).unwrap(),
        organisation_burst: NonZeroU32::new(u32::try_from(BURST).unwrap()).unwrap(),
        redis: Some(gateway::ratelimit::RedisUrl(redis.url())),
        redis_prefix: format!("test-{}", uuid::Uuid::new_v4()),
        ..tests::generous_rate_limit()
    };
    let shared = limits.clone();
    let Some(first) = TestApp::spawn_with_config(db, |c| c.rate_limit = shared).await else {
        return;
    };
    let second = first.replica_with(db, |c| c.rate_limit = limits).await;

    // A new `sub` for every request, alternating replicas: only the organisation limit binds.
    let started = Instant::now();
    let mut passed = 0;
    for i in 0..2 * BURST {
        let replica = if i % 2 == 0 { &first } else { &second };
        let (status, retry_after, body) = as_professional(replica, &format!("rotating-{i}")).await;
        match status {
            200 => passed += 1,
            429 => {
                assert!(retry_after, "{body}");
                assert_eq!(body["error"]["code"], "rate_limited");
                assert!(
                    body["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("organisation")
                );
            }
            other => panic!("{other}: {body}"),
        }
    }
    // One more may have been earned back meanwhile (one per second); per replica it would be 12.
    let earned = usize::try_from(started.elapsed().as_secs()).unwrap();
    assert!(
        passed >= BURST && passed <= BURST + earned,
        "{passed} passed over two replicas; the organisation's burst is {BURST} in total"
    );

    // Redis dies: partners are refused, the replica says it is not ready, residents are served.
    redis.kill();
    let (status, retry_after, body) = as_professional(&second, "after-redis").await;
    assert_eq!(status, 503, "{body}");
    assert!(retry_after, "{body}");
    assert_eq!(body["error"]["code"], "rate_limits_unavailable");
    assert_eq!(second.ready_status().await, 503);
    let (status, body) = second.get_as_citizen(BSN, "/v1/me/consents").await;
    assert_eq!(status, 200, "{body}");
    let metrics = second.metrics_text().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("gateway_rate_limits_unavailable_total ") && !l.ends_with(" 0")),
        "the refusals are counted"
    );

    // Redis is back (empty): the replicas reconnect by themselves.
    redis.resume();
    let deadline = Instant::now() + Duration::from_secs(15);
    while second.ready_status().await != 200 {
        assert!(Instant::now() < deadline, "ready again once Redis is back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, _, body) = as_professional(&first, "redis-is-back").await;
    assert_eq!(status, 200, "{body}");
    second.stop().await;
    first.stop().await;
}

tests::both_databases! {
    the_organisation_limit_holds_across_replicas_and_fails_closed_without_redis =>
        the_organisation_limit_holds_across_replicas_and_fails_closed_without_redis;
}
