//! The register of processing activities (verwerkingsregister) and the eight AVG vuistregels of
//! seed 004 §2.6 as pure rules: [`decide`] takes a request and the subject's consents and returns a
//! [`Decision`]. Nothing here does I/O after the register is loaded.
#![forbid(unsafe_code)]

mod bsn;
mod decide;
mod payload;
mod register;
mod register_check;
mod release;
mod representation;
mod trust;

pub use bsn::{Bsn, BsnError};
pub use decide::{
    ConsentGrant, Decision, JustificationRule, Mode, PartyRef, Permit, RefusalRule, Request,
    Violation, decide, needs_justification,
};
pub use payload::{PayloadIssue, filter_payload, withheld_fields};
pub use register::{
    Activity, Category, FieldType, LegalBasis, Partner, Problem, Register, RegisterError,
};
pub use register_check::{ONLY_THROUGH_MELDPUNT, line_of};
pub use release::{Released, release};
pub use representation::{AGE_OF_CONSENT, RepresentativeRole};
pub use trust::{RecordingError, Standing, may_confirm, may_see, parties, recording_by};
