//! The records the gateway keeps: toestemmingsverklaringen (consents) with their history, every
//! decision, and the append-only disclosure ledger. Behind one [`Store`] trait with a SQLite and a
//! PostgreSQL implementation, chosen once by [`connect`]. Exchanged payloads are never stored here
//! (vuistregel 4); subjects appear only as a keyed pseudonym ([`SubjectId`]), never as a BSN.
#![forbid(unsafe_code)]

mod checkpoint;
mod clock;
mod connect;
mod digest;
mod error;
mod leaf;
mod ledger;
mod log;
pub mod merkle;
mod model;
mod postgres;
mod pseudonym;
mod seal;
mod sql;
mod sqlite;
mod store;
mod vault;

pub use checkpoint::{Checkpoint, LogSigner, LogVerifier, NoteError};
pub use clock::{Clock, FixedClock, SystemClock};
pub use connect::{connect, connect_to_inspect};
pub use digest::{InvalidDigest, Sha256Hex};
pub use error::StoreError;
pub use leaf::{
    LeafHeader, consent_digest, consent_leaf_input, erasure_leaf_input, hash_leaf, leaf_hash,
    leaf_input, record_digest, representation_digest, representation_leaf_input,
};
pub use ledger::{BatchObserver, Batching, LedgerWriter};
pub use log::{InclusionProof, Log, LogError};
pub use model::{
    AMSTERDAMMER, Actor, Attempt, AuditQuery, AuditRead, Consent, ConsentChange, ConsentEntry,
    ConsentEvent, ConsentStatus, Content, DecisionRecord, Disclosure, EXPIRY_ACTOR, Erase,
    ErasureEntry, ErasureMark, ErasureReason, Evidence, Grantor, LedgerEntry, LedgerWrite,
    NewConsent, NewDisclosure, NewNotification, NewRefusal, NewRepresentation, Notification,
    Outcome, Personal, Refusal, Representation, RepresentationChange, RepresentationEntry,
};
pub use model::{
    Cursor, Deferral, DeferralRecord, PageSession, RecordedRepresentation, Review, ReviewOutcome,
    ReviewSelection, Seek,
};
pub use pseudonym::{Pseudonymizer, SubjectId};
pub use seal::{Seal, SealedWrite};
pub use sqlite::backup as backup_sqlite;
pub use store::{Checkpointer, PendingCheckpoint, Purpose, Store, StoredCheckpoint};
pub use vault::{Kek, VaultError, epoch_of};
