//! The HTTP error: a stable snake_case code and a readable message (`/openapi.json`), never internals.
//! The cause is logged once, by [`ApiError::into_response`] for 5xx, without payloads or BSNs.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use policies::Violation;
use serde_json::json;

use crate::ratelimit::OverLimit;

/// The `Retry-After` of a `503`: the database or a queue may be back by then.
const RETRY_UNAVAILABLE_SECS: u32 = 5;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub violations: Vec<Violation>,
    pub retry_after_secs: Option<u32>,
    /// The request field at fault, as a path (`grantor.bsn`), when one is.
    pub field: Option<&'static str>,
    /// Logged for server-side errors; never sent.
    pub cause: Option<Box<str>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            violations: Vec::new(),
            retry_after_secs: None,
            field: None,
            cause: None,
        }
    }

    /// Names the request field at fault.
    pub fn at(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// `403` with a code of its own: who is asking may not do this.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// `409`: the thing asked about is in a state that does not allow it (ended, already decided).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// `503`: a part the answer needs is not reachable now; worth trying again later.
    /// `503`, with `Retry-After`: the gateway cannot serve this now, and may soon.
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        let mut err = Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
        err.retry_after_secs = Some(RETRY_UNAVAILABLE_SECS);
        err
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn denied(violations: Vec<Violation>) -> Self {
        let mut e = Self::new(
            StatusCode::FORBIDDEN,
            "denied",
            "the request breaks one or more AVG vuistregels; nothing was disclosed",
        );
        e.violations = violations;
        e
    }

    /// The activity rests on a basis other than consent and the request gave no justification.
    pub fn justification_required(
        activity: &policies::Activity,
        rule: policies::JustificationRule,
        violations: Vec<Violation>,
    ) -> Self {
        let mut e = Self::bad_request(
            "justification_required",
            format!(
                "activity '{}' rests on {}, not on consent: give a justification of {} that says why; it is recorded for review",
                activity.id,
                activity.legal_basis.as_str(),
                rule.describe()
            ),
        )
        .at("justification");
        e.violations = violations;
        e
    }

    /// `429` with `Retry-After`, saying whose limit was reached.
    pub fn rate_limited(over: OverLimit) -> Self {
        let (who, wait) = match over {
            OverLimit::Professional(wait) => ("this professional", wait),
            OverLimit::Organisation(wait) => {
                ("this organisation (all its professionals together)", wait)
            }
            OverLimit::Amsterdammer(wait) => ("this Amsterdammer", wait),
        };
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests from {who}; try again after Retry-After seconds"),
        );
        // Whole seconds, rounded up: a client that waits as told is let through.
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        e.retry_after_secs = Some(u32::try_from(secs).unwrap_or(u32::MAX));
        e
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is larger than the gateway accepts (1 MiB)",
        )
    }

    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body did not arrive in time; send it at once",
        )
    }

    pub fn bad_gateway(
        code: &'static str,
        message: impl Into<String>,
        cause: impl ToString,
    ) -> Self {
        let mut e = Self::new(StatusCode::BAD_GATEWAY, code, message);
        e.cause = Some(cause.to_string().into());
        e
    }

    pub fn gateway_timeout(
        code: &'static str,
        message: impl Into<String>,
        cause: impl ToString,
    ) -> Self {
        let mut e = Self::new(StatusCode::GATEWAY_TIMEOUT, code, message);
        e.cause = Some(cause.to_string().into());
        e
    }

    pub fn internal(cause: impl ToString) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the gateway could not complete the request; nothing was disclosed",
        );
        e.cause = Some(cause.to_string().into());
        e
    }
}

/// A proof asked for sizes or indexes the log does not have is the caller's mistake (`400`);
/// anything else is the gateway's (`503`).
impl From<consent::LogError> for ApiError {
    fn from(e: consent::LogError) -> Self {
        match e {
            consent::LogError::Proof(p) => {
                ApiError::bad_request("invalid_proof_request", p.to_string())
            }
            consent::LogError::Store(s) => s.into(),
            other => ApiError::internal(other),
        }
    }
}

impl From<consent::StoreError> for ApiError {
    fn from(e: consent::StoreError) -> Self {
        let mut err = Self::internal(&e);
        err.code = "storage_unavailable";
        err.status = StatusCode::SERVICE_UNAVAILABLE;
        err.retry_after_secs = Some(RETRY_UNAVAILABLE_SECS);
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(code = self.code, status = self.status.as_u16(), cause = %cause, "request failed");
        }
        let mut body = json!({ "code": self.code, "message": self.message });
        if !self.violations.is_empty() {
            body["violations"] = json!(self.violations);
        }
        if let Some(field) = self.field {
            body["field"] = json!(field);
        }
        let mut response = (self.status, Json(json!({ "error": body }))).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
