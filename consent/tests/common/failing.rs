//! A store that fails on command: where the ledger writer's commit signs its checkpoint, or by
//! committing too slowly. Fault injection for "no answer without a durable, signed entry".

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use consent::{
    Actor, Consent, DecisionRecord, Disclosure, Erase, ErasureEntry, LedgerEntry, NewConsent,
    NewRefusal, Outcome, Refusal, SealedWrite, Store, StoreError, StoredCheckpoint, SubjectId,
};
use consent::{Checkpointer, PendingCheckpoint, Seek};

#[derive(Debug)]
pub struct Faulty {
    pub inner: Arc<dyn Store>,
    /// Storing a checkpoint fails.
    pub failing_checkpoints: AtomicBool,
    /// A commit takes five seconds.
    pub slow_commits: AtomicBool,
}

impl Faulty {
    pub fn around(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            failing_checkpoints: AtomicBool::new(false),
            slow_commits: AtomicBool::new(false),
        }
    }
}

/// A checkpointer whose signing fails (as a signer that lost its key would), after the tree took
/// the commit's leaves: the failed commit must take them back.
struct Failing<'a> {
    inner: &'a dyn Checkpointer,
}

#[async_trait]
impl Checkpointer for Failing<'_> {
    async fn hold(&self) -> Box<dyn PendingCheckpoint + '_> {
        Box::new(FailingPending {
            inner: self.inner.hold().await,
        })
    }
}

struct FailingPending<'a> {
    inner: Box<dyn PendingCheckpoint + 'a>,
}

impl PendingCheckpoint for FailingPending<'_> {
    fn size(&self) -> u64 {
        self.inner.size()
    }
    fn sign(&mut self, leaves: &[[u8; 32]]) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.inner.sign(leaves)?;
        Err(StoreError::CheckpointFailed(
            "injected: the checkpoint cannot be signed".into(),
        ))
    }
    fn committed(self: Box<Self>, stored: Option<StoredCheckpoint>) {
        self.inner.committed(stored);
    }
}

#[async_trait]
impl Store for Faulty {
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
    fn pool_use(&self) -> (u32, usize) {
        self.inner.pool_use()
    }
    async fn insert_consent(
        &self,
        id: &str,
        c: &NewConsent,
        now: DateTime<Utc>,
    ) -> Result<Consent, StoreError> {
        self.inner.insert_consent(id, c, now).await
    }
    async fn amend_consent(
        &self,
        old: &str,
        id: &str,
        c: &NewConsent,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError> {
        self.inner.amend_consent(old, id, c, now).await
    }
    async fn refuse_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError> {
        self.inner.refuse_consent(id, by, now).await
    }
    async fn insert_representation(
        &self,
        id: &str,
        r: &consent::NewRepresentation,
        now: DateTime<Utc>,
    ) -> Result<consent::Representation, StoreError> {
        self.inner.insert_representation(id, r, now).await
    }
    async fn representation(
        &self,
        id: &str,
    ) -> Result<Option<consent::Representation>, StoreError> {
        self.inner.representation(id).await
    }
    async fn representations_of(
        &self,
        person: &SubjectId,
    ) -> Result<Vec<consent::Representation>, StoreError> {
        self.inner.representations_of(person).await
    }
    async fn recorded_refusals(&self, q: &consent::AuditQuery) -> Result<Vec<Refusal>, StoreError> {
        self.inner.recorded_refusals(q).await
    }
    async fn start_session(&self, session: &consent::PageSession) -> Result<(), StoreError> {
        self.inner.start_session(session).await
    }
    async fn use_session(
        &self,
        id_digest: &str,
        area: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<Option<consent::PageSession>, StoreError> {
        self.inner
            .use_session(id_digest, area, now, idle_since)
            .await
    }
    async fn end_session(&self, id_digest: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.inner.end_session(id_digest, now).await
    }
    async fn recorded_representations(
        &self,
        q: &consent::AuditQuery,
    ) -> Result<Vec<consent::RecordedRepresentation>, StoreError> {
        self.inner.recorded_representations(q).await
    }
    async fn end_representation(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<consent::Representation>, StoreError> {
        self.inner.end_representation(id, by, now).await
    }
    async fn confirm_representation(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<consent::Representation>, StoreError> {
        self.inner.confirm_representation(id, by, now).await
    }
    async fn enqueue_notifications(
        &self,
        n: &[consent::NewNotification],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.inner.enqueue_notifications(n, now).await
    }
    async fn due_notifications(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<consent::Notification>, StoreError> {
        self.inner.due_notifications(now, limit).await
    }
    async fn claim_notification(
        &self,
        id: &str,
        seen: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner
            .claim_notification(id, seen, now, lease_until)
            .await
    }
    async fn finish_notification(
        &self,
        id: &str,
        attempt: &consent::Attempt,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner.finish_notification(id, attempt, now).await
    }
    async fn notifications_for(
        &self,
        partner: &str,
        limit: u32,
    ) -> Result<Vec<consent::Notification>, StoreError> {
        self.inner.notifications_for(partner, limit).await
    }
    async fn notifier_cursor(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.inner.notifier_cursor().await
    }
    async fn advance_notifier_cursor(&self, until: DateTime<Utc>) -> Result<(), StoreError> {
        self.inner.advance_notifier_cursor(until).await
    }
    async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
        self.inner.consent(id).await
    }
    async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
        self.inner.consents_of(subject).await
    }

    async fn consents_to_decide(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
        self.inner.consents_to_decide(subject).await
    }
    async fn revoke_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError> {
        self.inner.revoke_consent(id, by, now).await
    }
    async fn confirm_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError> {
        self.inner.confirm_consent(id, by, now).await
    }
    async fn commit_batch(
        &self,
        writes: &[SealedWrite],
        checkpointer: Option<&dyn Checkpointer>,
    ) -> Result<Vec<Option<u64>>, StoreError> {
        if self.slow_commits.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
        if self.failing_checkpoints.load(Ordering::SeqCst) {
            let failing = checkpointer.map(|inner| Failing { inner });
            return self
                .inner
                .commit_batch(writes, failing.as_ref().map(|f| f as &dyn Checkpointer))
                .await;
        }
        self.inner.commit_batch(writes, checkpointer).await
    }
    async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
        self.inner.disclosures_of(subject).await
    }
    async fn disclosures_page(
        &self,
        subject: &SubjectId,
        seek: Seek,
        limit: u32,
    ) -> Result<Vec<Disclosure>, StoreError> {
        self.inner.disclosures_page(subject, seek, limit).await
    }
    async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError> {
        self.inner.disclosure(id).await
    }
    async fn ledger_size(&self) -> Result<u64, StoreError> {
        self.inner.ledger_size().await
    }
    async fn decisions(
        &self,
        outcome: Option<Outcome>,
        limit: u32,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        self.inner.decisions(outcome, limit).await
    }
    async fn consents_expiring(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Consent>, StoreError> {
        self.inner.consents_expiring(after, until).await
    }
    async fn consents_changed(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Consent>, StoreError> {
        self.inner.consents_changed(after, until).await
    }
    async fn insert_refusal(
        &self,
        id: &str,
        refusal: &NewRefusal,
        now: DateTime<Utc>,
    ) -> Result<Refusal, StoreError> {
        self.inner.insert_refusal(id, refusal, now).await
    }
    async fn refusals_of(&self, subject: &SubjectId) -> Result<Vec<Refusal>, StoreError> {
        self.inner.refusals_of(subject).await
    }
    async fn withdraw_refusal(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Refusal>, StoreError> {
        self.inner.withdraw_refusal(id, by, now).await
    }
    async fn entries_between(&self, from: u64, to: u64) -> Result<Vec<LedgerEntry>, StoreError> {
        self.inner.entries_between(from, to).await
    }
    async fn erase(
        &self,
        what: &Erase,
        now: DateTime<Utc>,
    ) -> Result<Vec<ErasureEntry>, StoreError> {
        self.inner.erase(what, now).await
    }
    async fn audit_disclosures(
        &self,
        q: &consent::AuditQuery,
    ) -> Result<Vec<Disclosure>, StoreError> {
        self.inner.audit_disclosures(q).await
    }
    async fn audit_decisions(
        &self,
        q: &consent::AuditQuery,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        self.inner.audit_decisions(q).await
    }
    async fn review_queue(
        &self,
        q: &consent::AuditQuery,
        selection: &consent::ReviewSelection,
    ) -> Result<Vec<(Disclosure, Vec<consent::Review>)>, StoreError> {
        self.inner.review_queue(q, selection).await
    }
    async fn insert_review(
        &self,
        review: &consent::Review,
        organisation: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.inner.insert_review(review, organisation).await
    }
    async fn deferrals(
        &self,
        q: &consent::AuditQuery,
    ) -> Result<Vec<(Disclosure, consent::DeferralRecord)>, StoreError> {
        self.inner.deferrals(q).await
    }
    async fn shorten_deferral(
        &self,
        disclosure_id: &str,
        until: DateTime<Utc>,
        by: (&str, &str),
        now: DateTime<Utc>,
        organisation: Option<&str>,
    ) -> Result<Option<consent::DeferralRecord>, StoreError> {
        self.inner
            .shorten_deferral(disclosure_id, until, by, now, organisation)
            .await
    }
    async fn purge_consents(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.inner.purge_consents(before, now).await
    }
    async fn purge_decisions(
        &self,
        cutoffs: &[(String, DateTime<Utc>)],
        otherwise: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.inner.purge_decisions(cutoffs, otherwise).await
    }
    async fn log_audit_read(&self, read: &consent::AuditRead) -> Result<(), StoreError> {
        self.inner.log_audit_read(read).await
    }
    async fn log_expiries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.log_expiries(now).await
    }
    async fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError> {
        self.inner.leaf_hashes(from, to).await
    }
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.inner.latest_checkpoint().await
    }
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.inner.checkpoints().await
    }
}
