//! Partner tokens that verified, so the ES256 signature check (most of the CPU an exchange cost,
//! `BENCHMARKS.md`) runs once per token rather than once per request. Only tokens that passed every
//! check are kept, keyed by the SHA-256 of the partner id and the token, so a token is only ever
//! found again for the partner whose key verified it. The time-dependent checks (`exp`, `nbf`, the
//! maximum lifetime) run again on every hit; a token that fails them is dropped and verified in
//! full, which refuses it with the verifier's own reason. The cache belongs to its `TokenVerifier`:
//! a new key set means a new verifier with an empty cache. Bounded: when full, expired tokens go
//! first, then everything.

use std::collections::HashMap;
use std::sync::Mutex;

use ring::digest::{Context, SHA256};

use super::PartnerClaims;

/// At most this many tokens are kept (a few MB).
pub const CAPACITY: usize = 10_000;

/// SHA-256 over the partner id, a 0 byte and the token.
pub type TokenDigest = [u8; 32];

pub fn digest(partner_id: &str, token: &str) -> TokenDigest {
    let mut context = Context::new(&SHA256);
    context.update(partner_id.as_bytes());
    context.update(&[0]);
    context.update(token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

#[derive(Debug)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<TokenDigest, PartnerClaims>>,
    capacity: usize,
}

impl VerifiedTokens {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The claims of a token that verified before; the caller checks them against the clock.
    pub fn get(&self, key: &TokenDigest) -> Option<PartnerClaims> {
        // A poisoned lock is a miss: the token is verified in full.
        self.entries.lock().ok()?.get(key).cloned()
    }

    pub fn remove(&self, key: &TokenDigest) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    /// Keeps a token that passed every check; `expired_before` drops the expired ones when full.
    pub fn insert(&self, key: TokenDigest, claims: PartnerClaims, expired_before: i64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, c| c.exp >= expired_before);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, claims);
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }
}
