//! The error body every failed request answers with: a stable code and a readable message.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_bsn`, `denied`.
    pub code: String,
    pub message: String,
    /// For `denied`: each vuistregel broken.
    pub violations: Option<Vec<ViolationView>>,
    /// The request field at fault, as a path (e.g. `grantor.bsn`), when one is.
    pub field: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationView {
    /// 1 to 8 (seed 004 §2.6).
    pub vuistregel: u8,
    /// Why, in English.
    pub reason: String,
    /// Why, in plain Dutch (empty for decisions recorded before reasons were given in Dutch).
    pub reason_nl: String,
}
