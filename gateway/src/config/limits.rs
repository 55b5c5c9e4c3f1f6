//! Limits a deployment may tune: token lifetime, connection timeouts and the per-peer connection
//! cap (issue 5, finding 5), and the longest consent period. Every key has a safe default.

use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

use anyhow::bail;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentConfig {
    /// The longest period one toestemmingsverklaring may cover, from `valid_from` to `valid_until`,
    /// in days. Consent is given for a plan, not for ever (vuistregel 5); default two years.
    pub max_period_days: u32,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        Self {
            max_period_days: 730,
        }
    }
}

impl ConsentConfig {
    pub fn max_period(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.max_period_days))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// The longest a token may be valid: `exp - iat`, and `exp - now` (plus 30 s leeway).
    pub max_lifetime_secs: NonZeroU64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            max_lifetime_secs: secs(3600),
        }
    }
}

/// What one connection may take of the gateway (issue 5, finding 5): every phase has a deadline, and
/// one peer address may hold only so many connections.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionLimits {
    /// From accept to a finished TLS handshake.
    pub handshake_timeout_secs: NonZeroU64,
    /// For an HTTP/1 request head, from when the connection is ready for it (so also the time an
    /// HTTP/1 keep-alive connection may wait for its next request).
    pub header_timeout_secs: NonZeroU64,
    /// For the whole request body, from when its head arrived; over it the answer is `408`.
    pub body_timeout_secs: NonZeroU64,
    /// A connection without a request in flight (HTTP/1 or HTTP/2, or TLS without any request yet)
    /// is closed after this, gracefully and then, after a short grace, hard. At most 55 s, so an
    /// idle connection is gone within a minute.
    pub idle_timeout_secs: NonZeroU64,
    /// Concurrent connections from one peer IP address; more are refused at accept. 0: no limit.
    /// Behind a TCP load balancer without PROXY protocol every client has the balancer's address:
    /// raise this there, or set 0.
    pub max_per_peer: usize,
    /// Requests in progress at once, over all connections; one more is answered at once with
    /// `503 overloaded` and `Retry-After` (`/healthz` and `/readyz` are always answered), so under
    /// overload memory and the latency of what is accepted stay bounded. 0: no limit.
    pub max_in_flight: usize,
    /// Connections the kernel holds for the gateway to accept (the listen backlog), for bursts of
    /// new connections; the kernel caps it at `net.core.somaxconn`.
    pub backlog: u32,
    /// The TCP load balancers (addresses or networks, `10.0.0.5`, `10.0.0.0/24`) whose connections
    /// start with a PROXY protocol v2 header naming the client, which the per-peer limit and the
    /// logs then see. A connection from one of them without a valid header is closed; from anyone
    /// else a header is never read. Empty (the default): no PROXY protocol.
    pub proxy_protocol_from: Vec<String>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            handshake_timeout_secs: secs(10),
            header_timeout_secs: secs(10),
            body_timeout_secs: secs(30),
            idle_timeout_secs: secs(30),
            max_per_peer: 100,
            max_in_flight: 1024,
            backlog: 1024,
            proxy_protocol_from: Vec::new(),
        }
    }
}

/// Calls to partner systems: how long one may take, and how many may be open to one system at once.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    /// The whole call to a partner system, from waiting for a free connection to the last byte of
    /// its answer; over it the exchange is `504 source_timeout` and nothing is disclosed.
    pub timeout_secs: NonZeroU64,
    /// Calls open to one partner system at once (HTTP/1.1: connections); more wait for one to
    /// finish, within `timeout_secs`. Keep it under the system's own limit per client address.
    pub max_connections_per_system: NonZeroUsize,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        Self {
            timeout_secs: secs(5),
            max_connections_per_system: NonZeroUsize::new(32).unwrap_or(NonZeroUsize::MIN),
        }
    }
}

impl UpstreamConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.get())
    }
}

/// The longest configurable idle timeout: with the grace after it, an idle connection is closed
/// within 60 s.
pub const MAX_IDLE_TIMEOUT_SECS: u64 = 55;

impl ConnectionLimits {
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs.get())
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.get())
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs.get())
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs.get())
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.idle_timeout_secs.get() > MAX_IDLE_TIMEOUT_SECS {
            bail!(
                "connections.idle_timeout_secs may be at most {MAX_IDLE_TIMEOUT_SECS}, so an idle \
                 connection is closed within a minute"
            );
        }
        for entry in &self.proxy_protocol_from {
            if crate::server::proxy::Network::parse(entry).is_none() {
                bail!(
                    "connections.proxy_protocol_from: {entry:?} is not an IP address or network \
                     (10.0.0.5, 10.0.0.0/24, fd00::/8)"
                );
            }
        }
        Ok(())
    }
}

fn secs(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN)
}

/// `[policy]`: how the vuistregels are applied where a deployment may choose.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// The fewest characters a justification for a basis other than consent must have (a blank or
    /// a single character argues nothing; seed 004 §2.7 "goed onderbouwen"); default 20.
    pub min_justification_chars: usize,
    /// The fewest words (two or more letters in a row) a justification or a deferral's reason
    /// must have, so length alone (25 dots) argues nothing; default 3.
    pub min_justification_words: usize,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            min_justification_chars: 20,
            min_justification_words: 3,
        }
    }
}

impl PolicyConfig {
    pub fn justification_rule(&self) -> policies::JustificationRule {
        policies::JustificationRule {
            min_chars: self.min_justification_chars,
            min_words: self.min_justification_words,
        }
    }
}

/// A request body larger than this (1 MiB) is `413 payload_too_large`: refused on its declared
/// length before any of it is read, or when reading passes it.
pub const BODY_LIMIT: usize = 1 << 20;
/// How long a body answered before it was read is still read and discarded, at most (lingering
/// close: the answer is not lost to a reset while the client is still sending).
pub const LINGER_TIME: Duration = Duration::from_secs(5);
/// How many bytes of a body answered before it was read are still read and discarded, at most.
pub const LINGER_BYTES: usize = 64 << 20;
/// More header fields than this is `431`; hyper's own limit is set above it (`server`).
pub const MAX_HEADERS: usize = 100;
/// More header bytes (names and values) than this is `431`; hyper's own limits are set above it.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
