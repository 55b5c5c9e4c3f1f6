//! The PROXY protocol v2 header a TCP load balancer (HAProxy `send-proxy-v2`) sends before the TLS
//! it passes through, so the gateway sees each client's own address: for the per-peer limit and the
//! logs. Read only from the configured balancer addresses (`[connections] proxy_protocol_from`); a
//! connection from one of them without a valid header is closed, and from anyone else a header is
//! never read (it would fail the TLS handshake).
//!
//! The header (haproxy.org PROXY protocol specification §2.2): a 12-byte signature, a version and
//! command byte, an address family and transport byte, a 16-bit length, then that many bytes of
//! addresses and optional TLVs. `LOCAL` (a balancer's own health check) carries no client.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::io::{AsyncRead, AsyncReadExt as _};

/// The fixed start of every v2 header.
pub const SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";

/// The most a header may hold after its fixed 16 bytes; more is refused rather than read.
const MAX_BODY: usize = 512;

/// Why a header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("not a PROXY protocol v2 header")]
    Signature,
    #[error("PROXY protocol version {0} (only 2 is read)")]
    Version(u8),
    #[error("unknown PROXY command {0}")]
    Command(u8),
    #[error("PROXY header longer than {MAX_BODY} bytes")]
    TooLong,
    #[error("PROXY addresses shorter than their family needs")]
    Truncated,
    #[error("the connection ended inside the PROXY header")]
    Ended,
}

/// What the header says of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proxied {
    /// A client's connection, from this address.
    Client(SocketAddr),
    /// The balancer's own connection (`LOCAL`), or a client whose address family is not IP (the
    /// balancer's address stands for it).
    Local,
}

/// How many bytes the header has in all, from its first 16; `None` until 16 are there.
pub fn header_len(start: &[u8]) -> Result<Option<usize>, ProxyError> {
    let prefix = start.len().min(SIGNATURE.len());
    if start[..prefix] != SIGNATURE[..prefix] {
        return Err(ProxyError::Signature);
    }
    let Some(fixed) = start.get(..16) else {
        return Ok(None);
    };
    let body = usize::from(u16::from_be_bytes([fixed[14], fixed[15]]));
    if body > MAX_BODY {
        return Err(ProxyError::TooLong);
    }
    Ok(Some(16 + body))
}

/// Parses one whole header (exactly the bytes [`header_len`] counts).
pub fn parse(header: &[u8]) -> Result<Proxied, ProxyError> {
    let total = header_len(header)?.ok_or(ProxyError::Ended)?;
    let header = header.get(..total).ok_or(ProxyError::Ended)?;
    let (version, command) = (header[12] >> 4, header[12] & 0x0f);
    if version != 2 {
        return Err(ProxyError::Version(version));
    }
    let body = &header[16..];
    match command {
        0x0 => return Ok(Proxied::Local),
        0x1 => {}
        other => return Err(ProxyError::Command(other)),
    }
    let port = |at: usize| u16::from_be_bytes([body[at], body[at + 1]]);
    // The high nibble is the family, the low one the transport (stream or datagram): both are IP.
    match header[13] >> 4 {
        0x1 => {
            if body.len() < 12 {
                return Err(ProxyError::Truncated);
            }
            let ip = Ipv4Addr::new(body[0], body[1], body[2], body[3]);
            Ok(Proxied::Client(SocketAddr::new(IpAddr::V4(ip), port(8))))
        }
        0x2 => {
            if body.len() < 36 {
                return Err(ProxyError::Truncated);
            }
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&body[..16]);
            let ip = Ipv6Addr::from(octets);
            Ok(Proxied::Client(SocketAddr::new(IpAddr::V6(ip), port(32))))
        }
        _ => Ok(Proxied::Local),
    }
}

/// Reads the header from the start of `stream`, byte-exact (nothing of the TLS after it).
pub async fn read(stream: &mut (impl AsyncRead + Unpin)) -> Result<Proxied, ProxyError> {
    let mut header = vec![0u8; 16];
    stream
        .read_exact(&mut header)
        .await
        .map_err(|_| ProxyError::Ended)?;
    let total = header_len(&header)?.ok_or(ProxyError::Ended)?;
    header.resize(total, 0);
    stream
        .read_exact(&mut header[16..])
        .await
        .map_err(|_| ProxyError::Ended)?;
    parse(&header)
}

/// A balancer address or network, as `proxy_protocol_from` names it: `10.0.0.5` or `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr.parse().ok()?, prefix.parse().ok()?),
            None => {
                let addr: IpAddr = text.parse().ok()?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if matches!(addr, IpAddr::V4(_)) {
            32
        } else {
            128
        };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4_header(command: u8) -> Vec<u8> {
        let mut h = SIGNATURE.to_vec();
        h.extend([0x20 | command, 0x11, 0, 12]);
        h.extend([192, 0, 2, 7, 10, 0, 0, 1, 0xc3, 0x50, 0x01, 0xbb]);
        h
    }

    #[test]
    fn a_proxied_ipv4_client_is_read_with_its_port() {
        let h = v4_header(1);
        assert_eq!(header_len(&h), Ok(Some(28)));
        assert_eq!(
            parse(&h),
            Ok(Proxied::Client("192.0.2.7:50000".parse().unwrap()))
        );
    }

    #[test]
    fn a_balancers_own_check_is_local_and_junk_is_refused() {
        assert_eq!(parse(&v4_header(0)), Ok(Proxied::Local));
        assert_eq!(
            header_len(b"GET / HTTP/1.1\r\n"),
            Err(ProxyError::Signature)
        );
        let mut long = v4_header(1);
        long[14..16].copy_from_slice(&1000u16.to_be_bytes());
        assert_eq!(header_len(&long), Err(ProxyError::TooLong));
        let mut short = v4_header(1);
        short[15] = 4;
        short.truncate(20);
        assert_eq!(parse(&short), Err(ProxyError::Truncated));
        let mut v1 = v4_header(1);
        v1[12] = 0x11;
        assert_eq!(parse(&v1), Err(ProxyError::Version(1)));
    }

    #[test]
    fn networks_hold_their_addresses_only() {
        let net = Network::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(
            Network::parse("::/0")
                .unwrap()
                .contains("2001:db8::1".parse().unwrap())
        );
        assert_eq!(Network::parse("10.0.0.0/33"), None);
        assert_eq!(Network::parse("example.org"), None);
    }
}
