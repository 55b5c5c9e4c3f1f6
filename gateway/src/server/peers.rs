//! At most `max_per_peer` concurrent connections per peer address, counted from accept until the
//! connection's task ends. IPv6 peers are counted per /64 (one host usually has a whole /64).
//! Refusals are logged at most once a second.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub(super) struct Peers {
    /// 0: no limit.
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub(super) struct PeerSlot {
    peers: Option<(Peers, IpAddr)>,
}

impl Peers {
    pub(super) fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    /// A slot for a new connection from `ip`, or `None` when that address has its maximum open.
    pub(super) fn admit(&self, ip: IpAddr) -> Option<PeerSlot> {
        if self.max == 0 {
            return Some(PeerSlot { peers: None });
        }
        let key = peer_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            peers: Some((self.clone(), key)),
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let Some((peers, key)) = &self.peers else {
            return;
        };
        let mut open = peers.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(key);
            }
        }
    }
}

fn peer_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// Logs refused connections, at most once a second, with how many were not logged in between.
#[derive(Debug, Default)]
pub(super) struct RefusalLog {
    last: Option<Instant>,
    unlogged: u64,
}

impl RefusalLog {
    pub(super) fn refused(&mut self, ip: IpAddr) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < Duration::from_secs(1))
        {
            self.unlogged += 1;
            return;
        }
        tracing::warn!(
            peer = %peer_key(ip),
            also_refused_since_last_report = self.unlogged,
            "connection refused: too many open connections from this address"
        );
        self.last = Some(now);
        self.unlogged = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_maximum_is_refused_until_one_of_its_connections_closes() {
        let peers = Peers::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let first = peers.admit(a).unwrap();
        let _second = peers.admit(a).unwrap();
        assert!(peers.admit(a).is_none());
        assert!(peers.admit("10.0.0.2".parse().unwrap()).is_some());
        drop(first);
        assert!(peers.admit(a).is_some());
    }

    #[test]
    fn zero_means_no_limit() {
        let peers = Peers::new(0);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let slots: Vec<_> = (0..1000).map(|_| peers.admit(a).unwrap()).collect();
        assert_eq!(slots.len(), 1000);
    }

    #[test]
    fn ipv6_addresses_of_one_64_count_together_and_mapped_ipv4_as_ipv4() {
        let peers = Peers::new(1);
        let _one = peers.admit("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(peers.admit("2001:db8:1:2::ffff".parse().unwrap()).is_none());
        assert!(peers.admit("2001:db8:1:3::1".parse().unwrap()).is_some());
        let _v4 = peers.admit("10.0.0.1".parse().unwrap()).unwrap();
        assert!(peers.admit("::ffff:10.0.0.1".parse().unwrap()).is_none());
    }
}
