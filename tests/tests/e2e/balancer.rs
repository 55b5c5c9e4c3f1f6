//! Behind a real TCP load balancer (Debian's HAProxy, TLS passed through, `send-proxy-v2`): the
//! gateway reads the PROXY protocol v2 header only from the configured balancer address
//! (`[connections] proxy_protocol_from`), so the per-peer limit counts each client on its own,
//! not every client as the balancer; a connection from the balancer without a header, and a header
//! from anyone else, is refused; exchanges through the balancer are served, and HAProxy's own
//! health checks (which send a `LOCAL` header) on `/readyz` pass.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use tests::raw::{self, HTTP1};
use tests::{BSN, Db, TestApp};
use tokio::io::AsyncWriteExt as _;

const OUDERS: &str = "gezinsondersteuning-ouders";
/// The balancer's own address towards the gateway.
const BALANCER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 9);
const PER_PEER: usize = 2;

/// HAProxy in front of `app`, stopped when dropped.
struct Haproxy {
    child: Child,
    addr: SocketAddr,
    stats: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn haproxy(app: &TestApp) -> Haproxy {
    let dir = tempfile::tempdir().unwrap();
    let (port, stats) = (free_port(), free_port());
    let config = format!(
        "global\n  maxconn 512\n\
         defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\
         frontend gateway\n  bind 127.0.0.1:{port}\n  default_backend replicas\n\
         frontend stats\n  mode http\n  bind 127.0.0.1:{stats}\n  stats enable\n  stats uri /stats\n\
         backend replicas\n  option httpchk GET /readyz\n  http-check expect status 200\n\
         \x20 server replica1 {gateway} source {BALANCER} send-proxy-v2 check check-ssl verify none \
         check-send-proxy inter 200ms fall 2 rise 1\n",
        gateway = app.addr,
    );
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let check = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .output();
    let check = check.expect("haproxy (Debian's, installed by .ci/run)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Haproxy {
        child,
        addr,
        stats: SocketAddr::from(([127, 0, 0, 1], stats)),
        _dir: dir,
    }
}

/// The replica's state in HAProxy's CSV statistics (`UP`, `DOWN`, ...).
async fn replica_status(app: &TestApp, balancer: &Haproxy) -> String {
    let csv = app
        .public()
        .get(format!("http://{}/stats;csv", balancer.stats))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = csv
        .lines()
        .find(|l| l.starts_with("replicas,replica1,"))
        .unwrap()
        .to_owned();
    line.split(',').nth(17).unwrap().to_owned()
}

/// A TLS connection through the balancer from `from`: whether the gateway completed the handshake
/// (and answered a request on it), with the stream to keep it open.
async fn through(
    app: &TestApp,
    balancer: &Haproxy,
    from: Ipv4Addr,
) -> Option<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let tcp = raw::tcp_to(balancer.addr, IpAddr::V4(from)).await.ok()?;
    let mut tls = raw::tls_over(app, tcp, None, HTTP1).await.ok()?;
    tls.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .ok()?;
    let response = raw::read_http1_response(&mut tls, Duration::from_secs(3)).await?;
    (response.status == 200).then_some(tls)
}

async fn behind_haproxy_each_client_is_seen_by_its_own_address(db: Db) {
    let Some(app) = TestApp::spawn_configured(db, |config, _| {
        config.connections.proxy_protocol_from = vec![BALANCER.to_string()];
        config.connections.max_per_peer = PER_PEER;
    })
    .await
    else {
        return;
    };
    let balancer = haproxy(&app).await;

    // HAProxy's checks of /readyz (with a LOCAL header) pass: the replica is UP.
    let mut status = String::new();
    for _ in 0..30 {
        status = replica_status(&app, &balancer).await;
        if status == "UP" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "UP", "HAProxy's health check of /readyz");

    // An exchange through the balancer, as a partner system does it.
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    let tcp = raw::tcp_to(balancer.addr, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 5)))
        .await
        .unwrap();
    let mut tls = raw::tls_over(&app, tcp, Some("okt-amsterdam"), HTTP1)
        .await
        .unwrap();
    let token = app.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
    let body = json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
                      "categories": ["contact"]})
    .to_string();
    let request = format!(
        "POST /v1/exchange HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(request.as_bytes()).await.unwrap();
    let response = raw::read_http1_response(&mut tls, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(app.count("disclosures").await, 1);

    // The per-peer limit counts each client behind the balancer on its own.
    let first = Ipv4Addr::new(127, 0, 0, 6);
    let mut held = Vec::new();
    for _ in 0..PER_PEER {
        held.push(
            through(&app, &balancer, first)
                .await
                .expect("within the limit"),
        );
    }
    assert!(
        through(&app, &balancer, first).await.is_none(),
        "one more from the same client is refused"
    );
    assert!(
        through(&app, &balancer, Ipv4Addr::new(127, 0, 0, 7))
            .await
            .is_some(),
        "another client behind the same balancer is served"
    );
    drop(held);

    // From the balancer's address without a header: refused. A header from anyone else: not read.
    let direct = raw::tls(&app, IpAddr::V4(BALANCER), None, HTTP1).await;
    assert!(
        direct.is_err(),
        "a balancer connection without a PROXY header is closed"
    );
    let mut forged = raw::tcp(&app, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 8)))
        .await
        .unwrap();
    let mut header = gateway::server::proxy::SIGNATURE.to_vec();
    header.extend([
        0x21, 0x11, 0, 12, 10, 9, 8, 7, 127, 0, 0, 1, 0x30, 0x39, 0x01, 0xbb,
    ]);
    forged.write_all(&header).await.unwrap();
    let closed = raw::read_until_closed(&mut forged, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "a PROXY header from a client that is no balancer: closed"
    );
    drop(balancer);
}

tests::both_databases! {
    behind_haproxy_each_client_is_seen_by_its_own_address =>
        behind_haproxy_each_client_is_seen_by_its_own_address;
}
