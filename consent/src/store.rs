//! Over 350 lines: one trait, the storage contract, whose length is its methods' docs.
//! The storage trait. One implementation per database, chosen once in [`crate::connect`]; domain
//! code never asks which database it runs on. What a commit hands the store is in `seal`; the
//! checkpoint it signs in its transaction is defined here, and implemented by [`crate::Log`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::SubjectId;
pub use crate::error::StoreError;
use crate::model::{
    Actor, Consent, DecisionRecord, Disclosure, Erase, ErasureEntry, LedgerEntry, NewConsent,
    NewRefusal, NewRepresentation, Outcome, Refusal, Representation,
};
use crate::model::{
    Attempt, AuditQuery, AuditRead, DeferralRecord, NewNotification, Notification, PageSession,
    RecordedRepresentation, Review, ReviewSelection, Seek,
};
use crate::seal::SealedWrite;

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// Cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The request pool's connections now: (open, idle), for `/metrics`.
    fn pool_use(&self) -> (u32, usize);

    /// Records a consent and its `recorded` history event; returns it as stored.
    async fn insert_consent(
        &self,
        id: &str,
        consent: &NewConsent,
        now: DateTime<Utc>,
    ) -> Result<Consent, StoreError>;

    /// Amends consent `old`: records `consent` as its next version `id`, and marks `old` superseded
    /// by it, in one transaction. `None` (and nothing written) if `old` is missing or no longer in
    /// force at `now` (revoked, superseded, refused or expired).
    async fn amend_consent(
        &self,
        old: &str,
        id: &str,
        consent: &NewConsent,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError>;

    async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError>;

    /// Every consent of the subject, oldest first, with history.
    async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError>;

    /// Every consent of the subject, oldest first, without its history (`history` is empty): what
    /// a decision reads, once per exchange, so it is the cheapest read of them.
    async fn consents_to_decide(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError>;

    /// Every unrevoked consent (of any subject) whose validity ends after `after` and no later than
    /// `until`, soonest first, with history.
    async fn consents_expiring(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Consent>, StoreError>;

    /// Every consent (of any subject) revoked, or whose validity ended, after `after` and no later
    /// than `until`, with history.
    async fn consents_changed(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Consent>, StoreError>;

    /// Revokes; idempotent (a second call changes nothing and returns the consent as it is).
    /// `None` if there is no such consent.
    async fn revoke_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError>;

    /// Confirms a consent that awaits confirmation; idempotent, and a revoked consent stays revoked
    /// (nothing changes). `None` if there is no such consent.
    async fn confirm_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError>;

    /// Marks a consent that awaits confirmation as refused by the Amsterdammer; idempotent, and a
    /// consent no longer awaiting confirmation is left as it is. `None` if there is no such consent.
    async fn refuse_consent(
        &self,
        id: &str,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<Consent>, StoreError>;

    /// Records a representation; returns it as stored.
    async fn insert_representation(
        &self,
        id: &str,
        representation: &NewRepresentation,
        now: DateTime<Utc>,
    ) -> Result<Representation, StoreError>;

    async fn representation(&self, id: &str) -> Result<Option<Representation>, StoreError>;

    /// Every representation in which `person` is the representative or the person represented,
    /// oldest first, ended ones too.
    async fn representations_of(
        &self,
        person: &SubjectId,
    ) -> Result<Vec<Representation>, StoreError>;

    /// The refusals professionals of `organisation` (every organisation's with `None`) recorded
    /// on residents' behalf from `from` on, newest first, at most `limit`; never those the
    /// residents recorded themselves.
    async fn recorded_refusals(&self, q: &AuditQuery) -> Result<Vec<Refusal>, StoreError>;

    /// Starts a page session; sessions that ended or expired a day before `session.created_at` are
    /// forgotten on the way.
    async fn start_session(&self, session: &PageSession) -> Result<(), StoreError>;

    /// The session of `area` with digest `id_digest`, if it is in force at `now`: not ended, not
    /// past its absolute end, and used after `idle_since`. Marks it used at `now`.
    async fn use_session(
        &self,
        id_digest: &str,
        area: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<Option<PageSession>, StoreError>;

    /// Ends the session with digest `id_digest` (signing out), for every replica at once.
    async fn end_session(&self, id_digest: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// The representations recorded by `organisation` (every organisation's with `None`) from
    /// `from` on, newest first, at most `limit`, each with its first use and how many people its
    /// representative represents.
    async fn recorded_representations(
        &self,
        q: &AuditQuery,
    ) -> Result<Vec<RecordedRepresentation>, StoreError>;

    /// Ends a representation, naming who ended it (`amsterdammer` or `<partner>/<professional>`);
    /// idempotent (the first end stays). `None` if there is no such one.
    async fn end_representation(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Representation>, StoreError>;

    /// Confirms a pending representation, naming who confirmed it; from then on it is in force
    /// within its period. Idempotent (the first confirmation stays); an ended one stays ended.
    async fn confirm_representation(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Representation>, StoreError>;

    /// Queues notifications, each due at `now`; one already queued for the same partner, consent
    /// and change is kept as it is. Returns how many were new.
    async fn enqueue_notifications(
        &self,
        notifications: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Pending notifications due at `now`, the longest waiting first, at most `limit`.
    async fn due_notifications(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Notification>, StoreError>;

    /// Claims a due notification for one delivery attempt: counts the attempt and holds it until
    /// `lease_until`, unless another replica claimed it first (`attempts` no longer `seen`): then
    /// `false`.
    async fn claim_notification(
        &self,
        id: &str,
        seen: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records how a claimed attempt ended.
    async fn finish_notification(
        &self,
        id: &str,
        attempt: &Attempt,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The notifications queued for `partner`, newest first, at most `limit`.
    async fn notifications_for(
        &self,
        partner: &str,
        limit: u32,
    ) -> Result<Vec<Notification>, StoreError>;

    /// How far the notifier has looked for changed consents.
    async fn notifier_cursor(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Moves the notifier's cursor forward to `until` (never back).
    async fn advance_notifier_cursor(&self, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Records a refusal; returns it as stored.
    async fn insert_refusal(
        &self,
        id: &str,
        refusal: &NewRefusal,
        now: DateTime<Utc>,
    ) -> Result<Refusal, StoreError>;

    /// Every refusal of the subject, oldest first, withdrawn ones too.
    async fn refusals_of(&self, subject: &SubjectId) -> Result<Vec<Refusal>, StoreError>;

    /// Withdraws a refusal, naming who did (`amsterdammer` or `<partner>/<professional>`);
    /// idempotent (the first withdrawal stays). `None` if there is no such one.
    async fn withdraw_refusal(
        &self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Refusal>, StoreError>;

    /// Writes decisions and disclosures in ONE transaction and one durable commit. Disclosures get
    /// consecutive ledger indexes in the order given (serialised across replicas). With a
    /// `checkpointer`, the checkpoint that covers the ledger as this commit leaves it is signed and
    /// stored in the same transaction: the commit and its checkpoint land together or not at all
    /// (with no writes, only that checkpoint). Returns, per write, the ledger index of its disclosure.
    async fn commit_batch(
        &self,
        writes: &[SealedWrite],
        checkpointer: Option<&dyn Checkpointer>,
    ) -> Result<Vec<Option<u64>>, StoreError>;

    /// Ledger entries about the subject, by ledger index.
    async fn disclosures_of(&self, subject: &SubjectId) -> Result<Vec<Disclosure>, StoreError>;

    /// At most `limit` ledger entries about the subject, from where `seek` says, in its order.
    async fn disclosures_page(
        &self,
        subject: &SubjectId,
        seek: Seek,
        limit: u32,
    ) -> Result<Vec<Disclosure>, StoreError>;

    async fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, StoreError>;

    /// Number of ledger entries (the Merkle tree size).
    async fn ledger_size(&self) -> Result<u64, StoreError>;

    /// Most recent decisions first, optionally only one outcome.
    async fn decisions(
        &self,
        outcome: Option<Outcome>,
        limit: u32,
    ) -> Result<Vec<DecisionRecord>, StoreError>;

    /// Ledger entries `from..to` (by log index), disclosures, erasures and consent entries, in order, for
    /// re-deriving their leaves.
    async fn entries_between(&self, from: u64, to: u64) -> Result<Vec<LedgerEntry>, StoreError>;

    /// Erases personal content (see `vault`): each affected entry loses its sealed record, the keys
    /// go, and erasure entries naming the entries erased are appended to the ledger (as many as
    /// needed; none if nothing was left to erase). Serialised with ledger writes, on any replica.
    async fn erase(
        &self,
        what: &Erase,
        now: DateTime<Utc>,
    ) -> Result<Vec<ErasureEntry>, StoreError>;

    /// Disclosures a privacy officer asked for, newest first (at most `q.limit`).
    async fn audit_disclosures(&self, q: &AuditQuery) -> Result<Vec<Disclosure>, StoreError>;

    /// Decisions a privacy officer asked for, newest first (at most `q.limit`).
    async fn audit_decisions(&self, q: &AuditQuery) -> Result<Vec<DecisionRecord>, StoreError>;

    /// The review queue: disclosures under a basis other than consent that match `q` and
    /// `selection`, newest first, each with its reviews (oldest first).
    async fn review_queue(
        &self,
        q: &AuditQuery,
        selection: &ReviewSelection,
    ) -> Result<Vec<(Disclosure, Vec<Review>)>, StoreError>;

    /// Records `review` of its disclosure, if that disclosure rests on a basis other than consent
    /// and (with `organisation`) that organisation took part in it; `false` (nothing written)
    /// otherwise.
    async fn insert_review(
        &self,
        review: &Review,
        organisation: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Disclosures whose notice to the Amsterdammer was deferred, matching `q` (period of the
    /// disclosure, partner, activity, organisation), newest first, with their deferral.
    async fn deferrals(
        &self,
        q: &AuditQuery,
    ) -> Result<Vec<(Disclosure, DeferralRecord)>, StoreError>;

    /// A privacy officer (`by`: organisation, id) brings the end of a deferral forward to `until`
    /// (never later than it was); `None` (nothing written) if there is no such deferral, it was
    /// not set by `organisation` (the sender; `None`: a city-wide officer), or `until` would
    /// lengthen it.
    async fn shorten_deferral(
        &self,
        disclosure_id: &str,
        until: DateTime<Utc>,
        by: (&str, &str),
        now: DateTime<Utc>,
        organisation: Option<&str>,
    ) -> Result<Option<DeferralRecord>, StoreError>;

    /// Deletes every decision of an activity of `cutoffs` taken before its cutoff, and every
    /// decision of an activity not listed taken before `otherwise` (vuistregel 5). Returns how many.
    async fn purge_decisions(
        &self,
        cutoffs: &[(String, DateTime<Utc>)],
        otherwise: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Removes the personal details (note, who recorded the evidence, the grantor) of every consent
    /// that ended (expired, revoked, superseded or refused) before `before`, once. Returns how many.
    async fn purge_consents(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Records a read of the audit API.
    async fn log_audit_read(&self, read: &AuditRead) -> Result<(), StoreError>;

    /// Appends an `expired` entry to the log for every consent whose validity ended by `now` while
    /// it was in force, and for every representation whose period ended before anyone ended it,
    /// once each (also across replicas). Returns how many.
    async fn log_expiries(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The leaf hashes of ledger entries `from..to` (by log index), in order.
    async fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError>;

    /// The checkpoint of the largest size signed so far.
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Every stored checkpoint, smallest size first (for `gateway log verify`).
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;
}

/// What signs the checkpoint of a ledger commit from inside its transaction ([`crate::Log`]).
/// The store calls it while it holds the ledger head, so no writer on any replica can append
/// until the transaction ends, and the tree it signs is exactly the ledger being committed.
#[async_trait]
pub trait Checkpointer: Send + Sync {
    /// Waits for the tree and holds it for one commit.
    async fn hold(&self) -> Box<dyn PendingCheckpoint + '_>;
}

/// The tree held for one commit. Leaves added to it are taken back when it is dropped before
/// [`PendingCheckpoint::committed`], so a failed commit leaves the tree as the ledger is.
pub trait PendingCheckpoint: Send {
    /// How many leaves the tree holds; the store first adds those the ledger has beyond it
    /// (written by another replica, or by an erasure) before the commit's own.
    fn size(&self) -> u64;
    /// Adds `leaves` (in log order, starting at [`size`](Self::size)) and signs a checkpoint of the
    /// tree after proving that it extends the checkpoint signed before. `None` when the tree has
    /// not grown since a checkpoint was signed: there is nothing new to sign.
    fn sign(&mut self, leaves: &[[u8; 32]]) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// The transaction committed, with this checkpoint (its note as stored for that size), or
    /// with none when [`sign`](Self::sign) had nothing new to sign.
    fn committed(self: Box<Self>, stored: Option<StoredCheckpoint>);
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: [u8; 32],
    /// The C2SP signed note, exactly as served.
    pub note: String,
    pub signed_at: DateTime<Utc>,
}

/// Why a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To run the gateway on: created if missing, migrated, its durability checked.
    Serve,
    /// To read and check: only an existing database, left exactly as it is.
    Inspect,
}
