//! The accept loop: a limit of connections per peer address, the TLS handshake per connection (off
//! the accept path, with a deadline), the peer certificate turned into a [`ClientIdentity`] once per
//! connection and attached to each of its requests, HTTP/1.1 and HTTP/2, an idle timeout that closes
//! a connection with no request in flight, and graceful shutdown that drains in-flight requests.
//!
//! Every phase of a connection has a deadline (issue 5, finding 5): the handshake
//! (`handshake_timeout_secs`), an HTTP/1 request head (`header_timeout_secs`, hyper's own), a request
//! body (`body_timeout_secs`, see [`BodyDeadline`]) and the time without a request in flight
//! (`idle_timeout_secs`, which also covers a TLS connection that never sends a request and an idle
//! HTTP/2 connection). At most `max_in_flight` requests are in progress at once; one more is
//! answered `503 overloaded` before it is routed. A body answered before it was read is drained after its answer (`linger`).

mod idle;
mod linger;
mod peers;
pub mod proxy;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::auth::ClientIdentity;
use crate::config::ConnectionLimits;
use crate::config::{MAX_HEADER_BYTES, MAX_HEADERS};
use crate::json::BodyDeadline;
use idle::Activity;
use linger::Lingering;
use peers::{PeerSlot, Peers, RefusalLog};

const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// After an idle connection is asked to close (HTTP/2 GOAWAY, HTTP/1 no keep-alive), how long it
/// may take before it is dropped.
const IDLE_GRACE: Duration = Duration::from_secs(5);

/// A listener on `addr` whose kernel queue of connections not yet accepted holds `backlog`.
pub fn listen(addr: std::net::SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog)
}

/// Serves `router` over TLS on `listener` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ArcSwap<rustls::ServerConfig>>,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let builder = Arc::new(http_builder(&limits));
    let balancers: Vec<proxy::Network> = limits
        .proxy_protocol_from
        .iter()
        .filter_map(|entry| proxy::Network::parse(entry))
        .collect();
    let limits = Arc::new(limits);
    let peers = Peers::new(limits.max_per_peer);
    let in_flight = Arc::new(Semaphore::new(match limits.max_in_flight {
        0 => Semaphore::MAX_PERMITS,
        most => most,
    }));
    let mut refusals = RefusalLog::default();
    // Each connection holds a receiver; shutdown signals them and waits until all are gone.
    let (stop, _) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let connection = Connection {
            // The TLS configuration in force now: a reload's certificates and CRLs apply to every
            // connection accepted after it.
            acceptor: TlsAcceptor::from(tls.load_full()),
            builder: builder.clone(),
            router: router.clone(),
            limits: limits.clone(),
            in_flight: in_flight.clone(),
            stop: stop.subscribe(),
            _slot: None,
        };
        if balancers.iter().any(|b| b.contains(peer.ip())) {
            // The client's address is in the PROXY header: the per-peer limit applies after it.
            tokio::spawn(connection.proxied(tcp, peer, peers.clone()));
            continue;
        }
        let Some(slot) = peers.admit(peer.ip()) else {
            refusals.refused(peer.ip());
            continue;
        };
        let connection = Connection {
            _slot: Some(slot),
            ..connection
        };
        tokio::spawn(connection.serve(tcp, peer));
    }
    drop(listener);
    let _ = stop.send(());
    if tokio::time::timeout(DRAIN_TIMEOUT, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: some connections did not finish in time");
    }
}

/// HTTP/1 and HTTP/2 with hyper's own limits set above the gateway's (`routes::layers`), so that a
/// request with too many or too large headers gets the gateway's `431` in the API's error shape.
fn http_builder(limits: &ConnectionLimits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout())
        .max_headers(2 * MAX_HEADERS)
        .max_buf_size(4 * MAX_HEADER_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(4 * MAX_HEADER_BYTES).unwrap_or(u32::MAX));
    builder
}

struct Connection {
    acceptor: TlsAcceptor,
    builder: Arc<Builder<TokioExecutor>>,
    router: Router,
    limits: Arc<ConnectionLimits>,
    /// One permit per request in progress, shared by every connection (`max_in_flight`).
    in_flight: Arc<Semaphore>,
    stop: watch::Receiver<()>,
    /// Counts this connection against its peer address until it is dropped.
    _slot: Option<PeerSlot>,
}

impl Connection {
    /// A connection from a load balancer: the PROXY header first (within the handshake deadline),
    /// then the per-peer limit on the client it names, then TLS as from that client.
    async fn proxied(mut self, mut tcp: TcpStream, balancer: std::net::SocketAddr, peers: Peers) {
        let header = tokio::time::timeout(self.limits.handshake_timeout(), proxy::read(&mut tcp));
        let client = match header.await {
            Ok(Ok(proxy::Proxied::Client(client))) => client,
            Ok(Ok(proxy::Proxied::Local)) => balancer,
            Ok(Err(e)) => {
                tracing::info!(%balancer, error = %e, "PROXY header refused");
                return;
            }
            Err(_) => {
                tracing::info!(%balancer, "no PROXY header within the handshake deadline");
                return;
            }
        };
        let Some(slot) = peers.admit(client.ip()) else {
            tracing::debug!(peer = %client, "proxied connection refused: too many from this peer");
            return;
        };
        self._slot = Some(slot);
        self.serve(tcp, client).await;
    }

    async fn serve(mut self, tcp: TcpStream, peer: std::net::SocketAddr) {
        let handshake =
            tokio::time::timeout(self.limits.handshake_timeout(), self.acceptor.accept(tcp));
        let tls = tokio::select! {
            result = handshake => match result {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::info!(%peer, error = %e, "TLS handshake refused");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            },
            _ = self.stop.changed() => return,
        };
        let der = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.as_ref().to_vec());
        let identity = ClientIdentity::from_der(der.as_deref());
        let activity = Activity::new();
        let service = {
            let activity = activity.clone();
            let router = self.router.clone();
            let body_timeout = self.limits.body_timeout();
            let in_flight = self.in_flight.clone();
            tower::service_fn(move |req: axum::http::Request<hyper::body::Incoming>| {
                let busy = activity.begin();
                let permit = in_flight.clone().try_acquire_owned().ok();
                let shed = permit.is_none() && !is_probe(req.uri().path());
                let (parts, body) = req.into_parts();
                let body = Lingering::new(body, &parts.headers);
                let mut req = axum::http::Request::from_parts(parts, body);
                req.extensions_mut().insert(identity.clone());
                req.extensions_mut()
                    .insert(BodyDeadline(Instant::now() + body_timeout));
                let response = (!shed).then(|| router.clone().oneshot(req));
                async move {
                    let response = match response {
                        Some(response) => response.await,
                        None => Ok(overloaded()),
                    };
                    drop((busy, permit));
                    response
                }
            })
        };
        let conn = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(tls), TowerToHyperService::new(service));
        tokio::pin!(conn);
        let grace = tokio::select! {
            result = conn.as_mut() => return log_end(result),
            () = activity.idle_for(self.limits.idle_timeout()) => Some(IDLE_GRACE),
            // Drain: in-flight requests finish; `serve` bounds the wait.
            _ = self.stop.changed() => None,
        };
        conn.as_mut().graceful_shutdown();
        match grace {
            None => log_end(conn.await),
            Some(grace) => match tokio::time::timeout(grace, conn).await {
                Ok(result) => log_end(result),
                Err(_) => tracing::debug!(%peer, "idle connection dropped after its grace"),
            },
        }
    }
}

/// Health probes are answered even at the limit of requests in progress: a balancer must see that
/// the replica is alive and ready, not that it is busy.
fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz")
}

/// The answer to a request over `max_in_flight`, before it is routed.
fn overloaded() -> axum::response::Response {
    use axum::response::IntoResponse as _;
    crate::error::ApiError::unavailable(
        "overloaded",
        "the gateway is at its limit of requests in progress; try again in a moment",
    )
    .into_response()
}

fn log_end(result: Result<(), Box<dyn std::error::Error + Send + Sync>>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_listener_queues_as_many_connections_as_configured() {
        let listener = super::listen("127.0.0.1:0".parse().unwrap(), 777).unwrap();
        let port = listener.local_addr().unwrap().port();
        let ss = std::process::Command::new("ss")
            .args(["-ltnH", &format!("sport = :{port}")])
            .output()
            .expect("ss (iproute2)");
        // A listening socket's Send-Q is its backlog.
        let line = String::from_utf8(ss.stdout).unwrap();
        let backlog: u32 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert_eq!(backlog, 777, "{line}");
    }
}
