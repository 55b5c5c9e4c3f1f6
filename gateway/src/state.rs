//! Everything a handler needs, built once at start-up and passed with `State`. No globals.

use std::sync::Arc;

use arc_swap::ArcSwap;
use consent::{Clock, LedgerWriter, Log, Pseudonymizer, Store};
use policies::Register;

use crate::auth::tokens::TokenVerifier;
use crate::forward::Upstream;
use crate::ratelimit::RateLimits;

#[derive(Debug, Clone)]
pub struct AppState {
    /// The register in force; `reload` swaps it (each use takes the one in force then).
    pub current_register: Arc<ArcSwap<Register>>,
    pub store: Arc<dyn Store>,
    pub ledger: LedgerWriter,
    /// The public log over the ledger: tree, checkpoints, proofs.
    pub log: Arc<Log>,
    pub pseudonyms: Arc<Pseudonymizer>,
    /// The partners' and the citizen identity provider's token keys; `reload` swaps them.
    pub current_tokens: Arc<ArcSwap<TokenVerifier>>,
    pub upstream: Arc<Upstream>,
    pub limits: Arc<RateLimits>,
    pub clock: Arc<dyn Clock>,
    pub consent: crate::config::ConsentConfig,
    /// Behind an `Arc`, as every part of the state that owns heap data: the state is cloned for
    /// each request's extractors.
    pub audit: Arc<crate::config::AuditConfig>,
    pub policy: crate::config::PolicyConfig,
    pub portal: Arc<crate::config::PortalConfig>,
    /// The identity providers the pages log in through.
    pub logins: Arc<crate::auth::logins::Logins>,
    /// Tells partner systems of revoked, superseded and expired consents; `None` when not configured.
    pub notifier: Option<Arc<crate::notify::Notifier>>,
    /// What `/metrics` serves.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// The register in force now. A use case takes it once and decides with that one.
    pub fn register(&self) -> Arc<Register> {
        self.current_register.load_full()
    }

    /// The token keys in force now.
    pub fn tokens(&self) -> Arc<TokenVerifier> {
        self.current_tokens.load_full()
    }

    /// After a consent or representation change (itself already a durable log entry): signs a
    /// checkpoint that covers it, so the Amsterdammer can prove it at once. The change stands
    /// either way; should no checkpoint be signed now, the next commit's checkpoint covers it.
    pub async fn cover_consent_change(&self) {
        if let Err(e) = self.log.checkpoint().await {
            tracing::error!(error = %e, "no checkpoint covers a consent change yet");
        }
    }
}
