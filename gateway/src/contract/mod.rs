//! The v1 wire contract: the request bodies and views that `/openapi.json` describes, shared by
//! the JSON routes, the pages and the use cases. Field names here are the contract: add, never
//! rename. Plain data with serde and schema derives, nothing of HTTP.

mod audit;
mod consents;
mod disclosures;
mod errors;
mod evidence;
mod exchange;
mod explanations;
pub mod paging;
mod receipts;
mod recorded;
mod refusals;
mod representations;
mod reviews;

pub use audit::{AuditDecisionView, AuditDisclosureView, DecisionFilter, DisclosureFilter};
pub use consents::{
    AmendConsentRequest, ConsentChangeView, ConsentChangesView, ConsentEventView, ConsentView,
    EvidenceBody, GrantorBody, GrantorView, MyConsentRequest, RecordConsentRequest, RevokedView,
};
pub use disclosures::{ErasedView, MyDisclosureView};
pub use errors::{ErrorBody, ErrorDetail, ViolationView};
pub use evidence::{InclusionView, MyExport, MyProofView};
pub use exchange::{
    DeferNotice, DeliveryRequest, DeliveryResponse, ExchangeRequest, ExchangeResponse,
    ProvenanceView,
};
pub use explanations::{Explanation, RIGHTS_PATH, RightView, explain, rights_list};
pub use receipts::{ReceiptCategory, ReceiptParty, ReceiptPurpose, ReceiptView, UsageView};
pub use recorded::{
    MANY_REPRESENTED, RecordedFilter, RecordedRefusalView, RecordedRepresentationView,
    SOON_USED_MINUTES,
};
pub use refusals::{
    MyRefusalRequest, RecordRefusalRequest, RefusalView, WithdrawRefusalRequest, refusal_rule,
};
pub use representations::{
    ConfirmRepresentationRequest, MyRepresentationsView, RepresentationRequest, RepresentationView,
    party,
};
pub use reviews::{
    DeferralFilter, DeferralView, ReviewFilter, ReviewItemView, ReviewRequest, ReviewView,
    ShortenRequest, ShortenedView, VerdictView, review_status, verdict, verdicts,
};
