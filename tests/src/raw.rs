//! Raw connections to the gateway, for what happens below the HTTP client: a TCP connection from a
//! chosen loopback address (Linux routes all of 127.0.0.0/8 to the loopback interface, so a test can
//! be its own peer address), TLS over it with or without a partner's certificate and with chosen
//! ALPN protocols, and reading until the server closes the connection.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::TestApp;

/// ALPN for HTTP/1.1 only.
pub const HTTP1: &[&str] = &["http/1.1"];
/// ALPN for HTTP/2 only.
pub const HTTP2: &[&str] = &["h2"];

/// A TCP connection to the gateway from `from` (an address of 127.0.0.0/8).
pub async fn tcp(app: &TestApp, from: IpAddr) -> io::Result<TcpStream> {
    tcp_to(app.addr, from).await
}

/// A TCP connection to `to` (the gateway, or a balancer in front of it) from `from`.
pub async fn tcp_to(to: SocketAddr, from: IpAddr) -> io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(to).await
}

/// A TLS connection to the gateway from `from`, as `partner` (its client certificate) or anonymous,
/// offering `alpn`.
pub async fn tls(
    app: &TestApp,
    from: IpAddr,
    partner: Option<&str>,
    alpn: &[&str],
) -> io::Result<TlsStream<TcpStream>> {
    tls_over(app, tcp(app, from).await?, partner, alpn).await
}

/// TLS to the gateway over `tcp` (direct, or through a balancer), as `partner` or anonymous.
pub async fn tls_over(
    app: &TestApp,
    tcp: TcpStream,
    partner: Option<&str>,
    alpn: &[&str],
) -> io::Result<TlsStream<TcpStream>> {
    let mut config = match partner {
        Some(partner) => gateway::tls::client_config(
            &app.pki.ca(),
            &app.pki.partner_cert(partner),
            &app.pki.partner_key(partner),
        ),
        None => gateway::tls::anonymous_client_config(&app.pki.ca()),
    }
    .map_err(io::Error::other)?;
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(io::Error::other)?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// What a connection delivered before the server closed it, and after how long.
#[derive(Debug)]
pub struct Closed {
    pub received: Vec<u8>,
    pub after: Duration,
}

/// Reads until the server closes the connection (end of stream, or an error such as a reset or a
/// TCP close without TLS close_notify); `None` if it is still open after `limit`.
pub async fn read_until_closed(
    stream: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> Option<Closed> {
    let started = Instant::now();
    let mut received = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.ok()?;
    Some(Closed {
        received,
        after: started.elapsed(),
    })
}

/// An HTTP/1 response: status and body.
#[derive(Debug)]
pub struct Http1Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// Reads one HTTP/1 response with a `Content-Length` body; `None` if the connection closes first or
/// it takes longer than `limit`.
pub async fn read_http1_response(
    stream: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> Option<Http1Response> {
    let read = async {
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(response) = parse_http1(&received) {
                return Some(response);
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.ok()?
}

fn parse_http1(bytes: &[u8]) -> Option<Http1Response> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let body = bytes.get(end + 4..end + 4 + length)?.to_vec();
    Some(Http1Response { status, head, body })
}

/// An HTTP/2 frame header and payload, as a server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub kind: u8,
    pub flags: u8,
    pub payload: Vec<u8>,
}

/// HTTP/2 frame types and flags (RFC 9113 §6).
pub const HEADERS: u8 = 0x1;
pub const RST_STREAM: u8 = 0x3;
pub const SETTINGS: u8 = 0x4;
pub const GOAWAY: u8 = 0x7;
pub const CONTINUATION: u8 = 0x9;
const PING: u8 = 0x6;
const ACK: u8 = 0x1;
pub const END_STREAM: u8 = 0x1;
pub const END_HEADERS: u8 = 0x4;

/// One HTTP/2 frame as a client writes it.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).expect("a frame's length");
    let mut out = length.to_be_bytes()[1..].to_vec();
    out.extend([kind, flags]);
    out.extend((stream & 0x7fff_ffff).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// An HPACK header block for a `method` request to `path` on localhost, without Huffman coding or
/// the dynamic table: `:method`, `:scheme https` and `:authority`, `:path` as literals.
pub fn request_block(method: &str, path: &str) -> Vec<u8> {
    let mut block = Vec::new();
    let mut literal = |name_index: u8, value: &str| {
        block.push(name_index); // literal without indexing, indexed name (RFC 7541 §6.2.2)
        block.push(u8::try_from(value.len()).expect("a short value"));
        block.extend_from_slice(value.as_bytes());
    };
    literal(2, method);
    literal(1, "localhost");
    literal(4, path);
    block.push(0x87); // :scheme https
    block
}

/// The error code of a RST_STREAM or GOAWAY frame.
pub fn error_code(frame: &Frame) -> Option<u32> {
    let at = match frame.kind {
        RST_STREAM => 0,
        GOAWAY => 4,
        _ => return None,
    };
    let bytes: [u8; 4] = frame.payload.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

/// Reads HTTP/2 frames for `window`, or until the server closes the connection; returns them and
/// whether it closed.
pub async fn http2_frames_for(
    stream: &mut (impl AsyncRead + Unpin),
    window: Duration,
) -> (Vec<Frame>, bool) {
    let mut frames = Vec::new();
    let mut received = Vec::new();
    let mut buf = [0u8; 16384];
    let until = Instant::now() + window;
    loop {
        while let Some(frame) = take_frame(&mut received) {
            frames.push(frame);
        }
        match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
            Err(_) => return (frames, false),
            Ok(Ok(0) | Err(_)) => return (frames, true),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// The HTTP/2 client connection preface followed by an empty SETTINGS frame.
pub const HTTP2_PREFACE: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Reads HTTP/2 frames until the server closes the connection, answering its PINGs as a live client
/// does (a graceful HTTP/2 shutdown waits for one); `None` if still open after `limit`.
pub async fn http2_frames_until_closed(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
    limit: Duration,
) -> Option<(Vec<Frame>, Duration)> {
    let started = Instant::now();
    let read = async {
        let mut frames = Vec::new();
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            while let Some(frame) = take_frame(&mut received) {
                if frame.kind == PING && frame.flags & ACK == 0 {
                    let mut ack = vec![0, 0, 8, PING, ACK, 0, 0, 0, 0];
                    ack.extend_from_slice(&frame.payload);
                    let _ = stream.write_all(&ack).await;
                }
                frames.push(frame);
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return frames,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    let frames = tokio::time::timeout(limit, read).await.ok()?;
    Some((frames, started.elapsed()))
}

fn take_frame(bytes: &mut Vec<u8>) -> Option<Frame> {
    let header = bytes.get(..9)?;
    let length =
        usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let payload = bytes.get(9..9 + length)?.to_vec();
    let frame = Frame {
        kind: header[3],
        flags: header[4],
        payload,
    };
    bytes.drain(..9 + length);
    Some(frame)
}
