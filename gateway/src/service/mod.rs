//! The use cases: plain async functions over the [`AppState`](crate::state::AppState) that the
//! JSON routes (`routes/`) and the pages (`portal/`) both call. They check, store, log and answer
//! with domain values or contract views; they know nothing of HTTP (no extractors, no status
//! codes: an [`ApiError`](crate::error::ApiError) names its kind by constructor).

pub mod audit;
pub mod consents;
pub mod evidence;
pub mod export;
pub mod parse;
pub mod pipeline;
pub mod recorded;
pub mod refusals;
pub mod representations;
pub mod terms;
pub mod usage;
