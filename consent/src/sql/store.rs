//! Over 350 lines: the one `Store` impl, which Rust cannot split across files.
//! The shared SQL's [`Store`] impl: each method hands over to the module of its concept
//! (`consents`, `refusals`, `ledger`, ...), where its statements are, watched for database faults
//! and, unless it works over the whole ledger, bounded by the store's deadline (`faults`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::SubjectId;
use crate::model::{
    Actor, Attempt, AuditQuery, AuditRead, Consent, DecisionRecord, DeferralRecord, Disclosure,
    Erase, ErasureEntry, LedgerEntry, NewConsent, NewNotification, NewRefusal, NewRepresentation,
    Notification, Outcome, PageSession, RecordedRepresentation, Refusal, Representation, Review,
    ReviewSelection, Seek,
};
use crate::seal::SealedWrite;
use crate::store::{Checkpointer, Store, StoreError, StoredCheckpoint};

sql_impl! {
    #[async_trait]
    impl Store for SqlStore {
        async fn ping(&self) -> Result<(), StoreError> {
            self.faults.watch(self.ping()).await
        }

        fn pool_use(&self) -> (u32, usize) {
            (self.pool.size(), self.pool.num_idle())
        }

        async fn insert_consent(
            &self,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Consent, StoreError> {
            self.faults.watch(self.insert_consent(id, c, now)).await
        }

        async fn amend_consent(
            &self,
            old: &str,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.faults.watch(self.amend_consent(old, id, c, now)).await
        }

        async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
            self.faults.watch(self.consent(id)).await
        }

        async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            self.faults.watch(self.consents_of(subject)).await
        }

        async fn consents_to_decide(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            self.faults.watch(self.consents_to_decide(subject)).await
        }

        async fn consents_expiring(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.faults.watch_long(self.consents_expiring(after, until)).await
        }

        async fn consents_changed(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.faults.watch_long(self.consents_changed(after, until)).await
        }

        async fn revoke_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.faults.watch(self.revoke_consent(id, by, now)).await
        }

        async fn confirm_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.faults.watch(self.confirm_consent(id, by, now)).await
        }

        async fn refuse_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.faults.watch(self.refuse_consent(id, by, now)).await
        }

        async fn insert_representation(
            &self,
            id: &str,
            r: &NewRepresentation,
            now: DateTime<Utc>,
        ) -> Result<Representation, StoreError> {
            self.faults.watch(self.insert_representation(id, r, now)).await
        }

        async fn representation(&self, id: &str) -> Result<Option<Representation>, StoreError> {
            self.faults.watch(self.representation(id)).await
        }

        async fn representations_of(
            &self,
            person: &SubjectId,
        ) -> Result<Vec<Representation>, StoreError> {
            self.faults.watch(self.representations_of(person)).await
        }

        async fn recorded_refusals(&self, q: &AuditQuery) -> Result<Vec<Refusal>, StoreError> {
            self.faults.watch(self.recorded_refusals(q)).await
        }

        async fn start_session(&self, session: &PageSession) -> Result<(), StoreError> {
            self.faults.watch(self.start_session(session)).await
        }

        async fn use_session(
            &self,
            id_digest: &str,
            area: &str,
            now: DateTime<Utc>,
            idle_since: DateTime<Utc>,
        ) -> Result<Option<PageSession>, StoreError> {
            self.faults.watch(self.use_session(id_digest, area, now, idle_since)).await
        }

        async fn end_session(&self, id_digest: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
            self.faults.watch(self.end_session(id_digest, now)).await
        }

        async fn recorded_representations(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<RecordedRepresentation>, StoreError> {
            self.faults.watch(self.recorded_representations(q)).await
        }

        async fn end_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            self.faults.watch(self.end_representation(id, by, now)).await
        }

        async fn confirm_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            self.faults.watch(self.confirm_representation(id, by, now)).await
        }

        async fn enqueue_notifications(
            &self,
            notifications: &[NewNotification],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            self.faults.watch(self.enqueue_notifications(notifications, now)).await
        }

        async fn due_notifications(
            &self,
            now: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            self.faults.watch(self.due_notifications(now, limit)).await
        }

        async fn claim_notification(
            &self,
            id: &str,
            seen: u32,
            now: DateTime<Utc>,
            lease_until: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            self.faults.watch(self.claim_notification(id, seen, now, lease_until)).await
        }

        async fn finish_notification(
            &self,
            id: &str,
            attempt: &Attempt,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            self.faults.watch(self.finish_notification(id, attempt, now)).await
        }

        async fn notifications_for(
            &self,
            partner: &str,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            self.faults.watch(self.notifications_for(partner, limit)).await
        }

        async fn notifier_cursor(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
            self.faults.watch(self.notifier_cursor()).await
        }

        async fn advance_notifier_cursor(&self, until: DateTime<Utc>) -> Result<(), StoreError> {
            self.faults.watch(self.advance_notifier_cursor(until)).await
        }

        async fn insert_refusal(
            &self,
            id: &str,
            r: &NewRefusal,
            now: DateTime<Utc>,
        ) -> Result<Refusal, StoreError> {
            self.faults.watch(self.insert_refusal(id, r, now)).await
        }

        async fn refusals_of(&self, subject: &SubjectId) -> Result<Vec<Refusal>, StoreError> {
            self.faults.watch(self.refusals_of(subject)).await
        }

        async fn withdraw_refusal(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Refusal>, StoreError> {
            self.faults.watch(self.withdraw_refusal(id, by, now)).await
        }

        async fn commit_batch(
            &self,
            writes: &[SealedWrite],
            checkpointer: Option<&dyn Checkpointer>,
        ) -> Result<Vec<Option<u64>>, StoreError> {
            let committed = self.faults.watch_long(self.commit_batch(writes, checkpointer)).await;
            self.faults.ledger_committed(committed.is_ok());
            committed
        }

        async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError> {
            self.faults.watch(self.disclosures_of(subject)).await
        }

        async fn disclosures_page(
            &self,
            subject: &SubjectId,
            seek: Seek,
            limit: u32,
        ) -> Result<Vec<Disclosure>, StoreError> {
            self.faults.watch(self.disclosures_page(subject, seek, limit)).await
        }

        async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError> {
            self.faults.watch(self.disclosure(id)).await
        }

        async fn ledger_size(&self) -> Result<u64, StoreError> {
            self.faults.watch(self.ledger_size()).await
        }

        async fn decisions(
            &self,
            outcome: Option<Outcome>,
            limit: u32,
        ) -> Result<Vec<DecisionRecord>, StoreError> {
            self.faults.watch(self.decisions(outcome, limit)).await
        }

        async fn entries_between(&self, from: u64, to: u64) -> Result<Vec<LedgerEntry>, StoreError> {
            self.faults.watch_long(self.entries_between(from, to)).await
        }

        async fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError> {
            self.faults.watch_long(self.leaf_hashes(from, to)).await
        }

        async fn audit_disclosures(&self, q: &AuditQuery) -> Result<Vec<Disclosure>, StoreError> {
            self.faults.watch(self.audit_disclosures(q)).await
        }

        async fn audit_decisions(&self, q: &AuditQuery) -> Result<Vec<DecisionRecord>, StoreError> {
            self.faults.watch(self.audit_decisions(q)).await
        }

        async fn review_queue(
            &self,
            q: &AuditQuery,
            selection: &ReviewSelection,
        ) -> Result<Vec<(Disclosure, Vec<Review>)>, StoreError> {
            self.faults.watch(self.review_queue(q, selection)).await
        }

        async fn insert_review(
            &self,
            review: &Review,
            organisation: Option<&str>,
        ) -> Result<bool, StoreError> {
            self.faults.watch(self.insert_review(review, organisation)).await
        }

        async fn deferrals(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<(Disclosure, DeferralRecord)>, StoreError> {
            self.faults.watch(self.deferrals(q)).await
        }

        async fn shorten_deferral(
            &self,
            disclosure_id: &str,
            until: DateTime<Utc>,
            by: (&str, &str),
            now: DateTime<Utc>,
            organisation: Option<&str>,
        ) -> Result<Option<DeferralRecord>, StoreError> {
            self.faults.watch(self.shorten_deferral(disclosure_id, until, by, now, organisation)).await
        }

        async fn purge_consents(
            &self,
            before: DateTime<Utc>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            self.faults.watch_long(self.purge_consents(before, now)).await
        }

        async fn purge_decisions(
            &self,
            cutoffs: &[(String, DateTime<Utc>)],
            otherwise: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            self.faults.watch_long(self.purge_decisions(cutoffs, otherwise)).await
        }

        async fn log_audit_read(&self, read: &AuditRead) -> Result<(), StoreError> {
            self.faults.watch(self.log_audit_read(read)).await
        }

        async fn log_expiries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
            self.faults.watch_long(self.log_expiries(now)).await
        }

        async fn erase(
            &self,
            what: &Erase,
            now: DateTime<Utc>,
        ) -> Result<Vec<ErasureEntry>, StoreError> {
            self.faults.watch_long(self.erase(what, now)).await
        }

        async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
            self.faults.watch(self.latest_checkpoint()).await
        }

        async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
            self.faults.watch_long(self.checkpoints()).await
        }
    }
}
