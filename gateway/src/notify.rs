//! Recipients are told (issue 8, item 6): when a consent is revoked, superseded by an amendment, or
//! expires, every organisation that received data under it gets a notification at its system
//! (`POST /v1/notifications`), so it can stop processing that data. Notifications are queued in the
//! database (one per organisation, consent and change, whichever replica saw it first), signed as
//! Standard Webhooks with the gateway's Ed25519 notification key (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1a,<base64 signature of "id.timestamp.body">`; the verifier key is public at
//! `GET /v1/notifications/key`), and retried with exponential backoff until delivered or given up.
//! The body names no person: `{"id", "type", "consent_id", "at", "superseded_by"?}`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::Utc;
use consent::{Attempt, Clock, Consent, ConsentStatus, NewNotification, Store, StoreError};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::json;

use crate::config::NotificationConfig;
use crate::forward::Upstream;

/// How far the scan for changed consents stays behind the clock (a revocation is stamped just
/// before it commits; see the changes feed).
const SETTLE: chrono::Duration = chrono::Duration::seconds(5);

/// How long a claimed delivery attempt holds its notification before another replica may retry it.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// Notifications delivered per round, at most.
const BATCH: u32 = 50;

/// The notification signing key.
#[derive(Debug)]
pub struct NotifySigner {
    key: Ed25519KeyPair,
}

impl NotifySigner {
    /// From the 64 hex digits of a 32-byte seed.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let seed = hex::decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the notification key is not hex"))?;
        let key = Ed25519KeyPair::from_seed_unchecked(&seed)
            .map_err(|_| anyhow::anyhow!("the notification key is not a 32-byte Ed25519 seed"))?;
        Ok(Self { key })
    }

    /// A fresh seed, as 64 hex digits.
    pub fn generate_hex() -> anyhow::Result<String> {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
            .map_err(|_| anyhow::anyhow!("no randomness"))?;
        Ok(hex::encode(seed))
    }

    /// The verifier key, base64 of the 32 raw bytes.
    pub fn public_key(&self) -> String {
        B64.encode(self.key.public_key().as_ref())
    }

    /// The Standard Webhooks signature header value of one message.
    pub fn signature(&self, id: &str, timestamp: i64, body: &str) -> String {
        let signed = format!("{id}.{timestamp}.{body}");
        format!(
            "v1a,{}",
            B64.encode(self.key.sign(signed.as_bytes()).as_ref())
        )
    }
}

#[derive(Debug)]
pub struct Notifier {
    store: Arc<dyn Store>,
    upstream: Arc<Upstream>,
    clock: Arc<dyn Clock>,
    signer: NotifySigner,
    config: NotificationConfig,
}

impl Notifier {
    pub fn new(
        store: Arc<dyn Store>,
        upstream: Arc<Upstream>,
        clock: Arc<dyn Clock>,
        signer: NotifySigner,
        config: NotificationConfig,
    ) -> Self {
        Self {
            store,
            upstream,
            clock,
            signer,
            config,
        }
    }

    pub fn public_key(&self) -> String {
        self.signer.public_key()
    }

    /// Looks for work every `interval_ms` until the task is aborted.
    pub fn start(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_millis(self.config.interval_ms.max(10)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.scan().await {
                    tracing::warn!(error = %e, "notifier: cannot look for changed consents");
                }
                if let Err(e) = self.deliver_due().await {
                    tracing::warn!(error = %e, "notifier: cannot deliver");
                }
            }
        })
    }

    /// Queues the notifications of a consent that just stopped covering anything, at once (the
    /// scan would find it too, a few seconds later).
    pub async fn changed(&self, consent: &Consent) {
        if let Err(e) = self.queue(std::slice::from_ref(consent)).await {
            tracing::warn!(error = %e, consent_id = %consent.id, "notifier: cannot queue; the scan retries");
        }
    }

    /// Every consent that stopped covering anything since the cursor, queued; the cursor moves on.
    async fn scan(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let until = now - SETTLE;
        let since = match self.store.notifier_cursor().await? {
            Some(t) => t,
            None => {
                // A new deployment: start from now, not from the beginning of time.
                self.store.advance_notifier_cursor(until).await?;
                return Ok(());
            }
        };
        if since >= until {
            return Ok(());
        }
        let changed: Vec<Consent> = self
            .store
            .consents_changed(since, until)
            .await?
            .into_iter()
            .filter(|c| c.ended_between(since, until, now).is_some())
            .collect();
        self.queue(&changed).await?;
        self.store.advance_notifier_cursor(until).await
    }

    async fn queue(&self, consents: &[Consent]) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut queued = Vec::new();
        for c in consents {
            let Some((status, at)) = c.ended_at(now) else {
                continue;
            };
            let change = match status {
                ConsentStatus::Revoked | ConsentStatus::Superseded | ConsentStatus::Expired => {
                    status.as_str()
                }
                // A refused consent never covered anything: nobody received data under it.
                _ => continue,
            };
            for partner in recipients_under(self.store.as_ref(), c).await? {
                let id = uuid::Uuid::now_v7().to_string();
                let mut body = json!({
                    "id": id,
                    "type": format!("consent.{change}"),
                    "consent_id": c.id,
                    "at": at,
                });
                if let Some((_, by)) = &c.superseded {
                    body["superseded_by"] = json!(by);
                }
                queued.push(NewNotification {
                    id,
                    partner,
                    consent_id: c.id.clone(),
                    change: change.to_owned(),
                    changed_at: at,
                    body: body.to_string(),
                });
            }
        }
        if !queued.is_empty() {
            let added = self.store.enqueue_notifications(&queued, now).await?;
            tracing::info!(added, "notifications queued");
        }
        Ok(())
    }

    /// One attempt at every due notification this replica can claim.
    async fn deliver_due(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        for n in self.store.due_notifications(now, BATCH).await? {
            if !self
                .store
                .claim_notification(&n.id, n.attempts, now, now + LEASE)
                .await?
            {
                continue;
            }
            let timestamp = Utc::now().timestamp();
            let headers = [
                ("webhook-id", n.id.clone()),
                ("webhook-timestamp", timestamp.to_string()),
                (
                    "webhook-signature",
                    self.signer.signature(&n.id, timestamp, &n.body),
                ),
            ];
            let attempts = n.attempts + 1;
            let outcome = match self.upstream.notify(&n.partner, &n.body, &headers).await {
                Ok(()) => Attempt::Delivered,
                Err(e) => Attempt::Failed {
                    error: e.to_string(),
                    retry_at: (attempts < self.config.max_attempts)
                        .then(|| self.clock.now() + self.backoff(attempts)),
                },
            };
            match &outcome {
                Attempt::Delivered => {
                    tracing::info!(notification = %n.id, partner = %n.partner, attempts, "notification delivered");
                }
                Attempt::Failed { error, retry_at } => {
                    tracing::warn!(notification = %n.id, partner = %n.partner, attempts, error = %error,
                        gives_up = retry_at.is_none(), "notification not delivered");
                }
            }
            self.store
                .finish_notification(&n.id, &outcome, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// The wait after `attempts` failed attempts: base, 2·base, 4·base, ... up to an hour.
    fn backoff(&self, attempts: u32) -> chrono::Duration {
        let factor = 1u64 << attempts.saturating_sub(1).min(20);
        let ms = self
            .config
            .retry_base_ms
            .saturating_mul(factor)
            .min(3_600_000);
        chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(3_600_000))
    }
}

/// The organisations that received data under the consent (the recipients of its disclosures whose
/// records can still be read).
async fn recipients_under(store: &dyn Store, c: &Consent) -> Result<BTreeSet<String>, StoreError> {
    Ok(store
        .disclosures_of(&c.subject)
        .await?
        .into_iter()
        .filter(|d| {
            d.personal()
                .is_some_and(|p| p.consent_id.as_deref() == Some(c.id.as_str()))
        })
        .map(|d| d.recipient)
        .collect())
}
