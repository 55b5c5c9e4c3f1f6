//! The records, as the storage layer reads and writes them, one module per concept.

mod audit;
mod consents;
mod disclosures;
mod entries;
mod notifications;
mod refusals;
mod representations;
mod sessions;

pub use audit::{AuditQuery, AuditRead, Cursor, Review, ReviewOutcome, ReviewSelection, Seek};
pub use consents::{
    AMSTERDAMMER, Actor, Consent, ConsentChange, ConsentEvent, ConsentStatus, EXPIRY_ACTOR,
    Evidence, Grantor, NewConsent,
};
pub use disclosures::{
    Content, DecisionRecord, Deferral, DeferralRecord, Disclosure, ErasureMark, ErasureReason,
    LedgerWrite, NewDisclosure, Outcome, Personal,
};
pub use entries::{ConsentEntry, Erase, ErasureEntry, LedgerEntry, RepresentationEntry};
pub use notifications::{Attempt, NewNotification, Notification};
pub use refusals::{NewRefusal, Refusal};
pub use representations::{
    NewRepresentation, RecordedRepresentation, Representation, RepresentationChange,
};
pub use sessions::PageSession;
