//! Connections held open without credentials (issue 5, finding 5): every phase of a connection has a
//! deadline, and one address may hold only so many. Each test configures short timeouts and waits
//! for the server to close the connection, never for a fixed time.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::net::IpAddr;
use std::num::NonZeroU64;
use std::time::Duration;

use tests::raw::{self, GOAWAY, HTTP1, HTTP2, HTTP2_PREFACE};
use tests::{Db, TestApp};
use tokio::io::AsyncWriteExt as _;

/// How long a test waits for the server at most; far beyond every configured timeout.
const PATIENCE: Duration = Duration::from_secs(20);
/// The grace an idle connection gets after it is asked to close (`server::IDLE_GRACE`).
const GRACE: Duration = Duration::from_secs(5);

fn secs(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap()
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// The gateway with an idle timeout of one second and long header and body timeouts, so only the
/// idle timeout can close an idle connection.
async fn with_idle_timeout_of_one_second() -> TestApp {
    TestApp::spawn_with_config(Db::Sqlite, |config| {
        config.connections.idle_timeout_secs = secs(1);
        config.connections.header_timeout_secs = secs(50);
        config.connections.body_timeout_secs = secs(50);
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_connection_that_sends_nothing_is_closed_after_the_idle_timeout() {
    let app = with_idle_timeout_of_one_second().await;
    let mut tls = raw::tls(&app, loopback(1), None, &["h2", "http/1.1"])
        .await
        .unwrap();
    let closed = raw::read_until_closed(&mut tls, PATIENCE)
        .await
        .expect("the server closes a connection that never sends a request");
    assert!(closed.after < Duration::from_secs(1) + GRACE, "{closed:?}");
    assert!(closed.received.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http1_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let app = with_idle_timeout_of_one_second().await;
    let mut tls = raw::tls(&app, loopback(1), None, HTTP1).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let response = raw::read_http1_response(&mut tls, PATIENCE).await.unwrap();
    assert_eq!(response.status, 200, "{}", response.head);
    let closed = raw::read_until_closed(&mut tls, PATIENCE)
        .await
        .expect("the server closes the idle keep-alive connection");
    assert!(closed.after < Duration::from_secs(1) + GRACE, "{closed:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_sent_goaway_and_closed_after_the_idle_timeout() {
    let app = with_idle_timeout_of_one_second().await;
    let mut tls = raw::tls(&app, loopback(1), None, HTTP2).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    tls.write_all(HTTP2_PREFACE).await.unwrap();
    let (frames, after) = raw::http2_frames_until_closed(&mut tls, PATIENCE)
        .await
        .expect("the server closes the idle HTTP/2 connection");
    assert!(after < Duration::from_secs(1) + GRACE, "after {after:?}");
    assert!(
        frames.iter().any(|f| f.kind == GOAWAY),
        "a graceful close: {frames:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_request_head_is_dropped_after_idle_timeout_and_grace() {
    let app = with_idle_timeout_of_one_second().await;
    let mut tls = raw::tls(&app, loopback(1), None, HTTP1).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nhost: local")
        .await
        .unwrap();
    let closed = raw::read_until_closed(&mut tls, PATIENCE)
        .await
        .expect("the server drops a connection whose request head never ends");
    assert!(
        closed.after < Duration::from_secs(1) + GRACE + Duration::from_secs(2),
        "{closed:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tcp_connection_that_never_starts_tls_is_closed_after_the_handshake_timeout() {
    let app = TestApp::spawn_with_config(Db::Sqlite, |config| {
        config.connections.handshake_timeout_secs = secs(1);
    })
    .await
    .unwrap();
    let mut tcp = raw::tcp(&app, loopback(1)).await.unwrap();
    let closed = raw::read_until_closed(&mut tcp, PATIENCE)
        .await
        .expect("the server closes a connection without a handshake");
    assert!(closed.after < Duration::from_secs(3), "{closed:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_gets_408_in_the_error_shape_after_the_body_timeout() {
    let app = TestApp::spawn_with_config(Db::Sqlite, |config| {
        config.connections.body_timeout_secs = secs(1);
        config.connections.idle_timeout_secs = secs(50);
        config.connections.header_timeout_secs = secs(50);
    })
    .await
    .unwrap();
    let tls = raw::tls(&app, loopback(1), Some("okt-amsterdam"), HTTP1)
        .await
        .unwrap();
    let (mut read, mut write) = tokio::io::split(tls);
    let token = app.partner_token("okt-amsterdam", "okt-1", "okt-medewerker");
    let head = format!(
        "POST /v1/exchange HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 100000\r\n\r\n{{\"subject_bsn\": "
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    // A client that trickles its body: one byte every 100 ms, for far longer than allowed.
    let trickle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            if write.write_all(b" ").await.is_err() || write.flush().await.is_err() {
                break;
            }
        }
    });
    let response = raw::read_http1_response(&mut read, PATIENCE)
        .await
        .expect("an answer before the connection closes");
    trickle.abort();
    assert_eq!(response.status, 408, "{}", response.head);
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert!(body["error"]["message"].is_string());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_connections_than_max_per_peer_are_refused_while_the_first_still_work() {
    let app = TestApp::spawn_with_config(Db::Sqlite, |config| {
        config.connections.max_per_peer = 2;
    })
    .await
    .unwrap();
    // The harness's own clients come from 127.0.0.1; this test is its own peer.
    let peer = loopback(2);
    let mut first = raw::tls(&app, peer, None, HTTP1).await.unwrap();
    let _second = raw::tls(&app, peer, None, HTTP1).await.unwrap();
    match raw::tls(&app, peer, None, HTTP1).await {
        Err(_) => {}
        Ok(mut third) => {
            let closed = raw::read_until_closed(&mut third, PATIENCE).await;
            assert!(
                closed.is_some_and(|c| c.received.is_empty()),
                "a third is refused"
            );
        }
    }
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let response = raw::read_http1_response(&mut first, PATIENCE)
        .await
        .unwrap();
    assert_eq!(response.status, 200, "the first connection still works");

    let mut elsewhere = raw::tls(&app, loopback(3), None, HTTP1).await.unwrap();
    elsewhere
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let response = raw::read_http1_response(&mut elsewhere, PATIENCE)
        .await
        .unwrap();
    assert_eq!(response.status, 200, "another address is not held back");
    app.stop().await;
}
