//! What every request passes before its handler (issue 5, finding 7): the request id and trace
//! context are the gateway's own, a request with too many or too large headers is `431` in the
//! API's error shape, every other error is in that shape too, and no response about a resident is
//! cached.

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Version};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;
use tracing::Instrument as _;

use crate::config::{BODY_LIMIT, MAX_HEADER_BYTES, MAX_HEADERS};
use crate::error::ApiError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// Keeps a client's `x-request-id` only when it is one UUID in canonical form and `traceparent`
/// only when it is one W3C trace context; otherwise the first is replaced by a fresh UUID and the
/// second removed, before anything logs or forwards them.
pub async fn own_request_id(mut req: Request, next: Next) -> Response {
    let headers = req.headers_mut();
    if single(headers, &REQUEST_ID).is_none_or(|id| !is_uuid(id)) {
        let fresh = uuid::Uuid::new_v4().hyphenated().to_string();
        let fresh = HeaderValue::from_str(&fresh).unwrap_or(HeaderValue::from_static("-"));
        headers.insert(REQUEST_ID, fresh);
    }
    if single(headers, &TRACEPARENT).is_none_or(|t| !is_traceparent(t)) {
        headers.remove(TRACEPARENT);
    }
    if let Some(id) = headers.get(REQUEST_ID).cloned() {
        req.extensions_mut().insert(RequestId::new(id));
    }
    next.run(req).await
}

/// Runs the rest of the request (its handler) in a task of its own, so a client that hangs up, or a
/// proxy that gives up, cannot cancel it half-way through a database call. sqlx 0.8 is not
/// cancel-safe at `BEGIN`: a transaction cancelled there went back to the pool still open, and every
/// later request on that connection failed (`503`; on PostgreSQL "current transaction is aborted",
/// transact-rs/sqlx#4393; on SQLite "begin_with at non-zero transaction depth", #3932). Found by
/// `bench/run`, whose load generator drops its requests in flight at each run's deadline. A request
/// the gateway started is finished: its decision and any disclosure are recorded as usual.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    let handler = tokio::spawn(next.run(req).instrument(tracing::Span::current()));
    match handler.await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only when the runtime shuts down.
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// The header's value when it occurs exactly once and is visible ASCII.
fn single<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().ok(),
        _ => None,
    }
}

/// The canonical hyphenated form (8-4-4-4-12 hex digits), nothing else `Uuid` would parse.
fn is_uuid(value: &str) -> bool {
    value.len() == 36 && uuid::Uuid::try_parse(value).is_ok()
}

/// `00-<32 hex>-<16 hex>-<2 hex>`, lowercase, trace id and parent id not all zero (W3C Trace
/// Context §3.2).
fn is_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let not_zero = |s: &str| s.bytes().any(|b| b != b'0');
    matches!(parts.as_slice(), [version, trace, parent, flags]
        if *version == "00" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2)
            && not_zero(trace) && not_zero(parent))
}

/// `431 headers_too_large` for more than [`MAX_HEADERS`] fields or [`MAX_HEADER_BYTES`] bytes.
pub async fn refuse_large_headers(req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "the request headers are too large: at most {MAX_HEADERS} fields and {} KiB",
                MAX_HEADER_BYTES / 1024
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// A body whose declared length is over the limit is `413` before any of it is processed. Over
/// HTTP/1.1 it is answered at once: the client is not told to continue (`Expect: 100-continue`),
/// and what it sends anyway is drained after the answer (`server`). Over HTTP/2 the body is drained
/// first (within [`LINGER_TIME`] and [`LINGER_BYTES`]), so the stream ends cleanly with the answer.
pub async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_none_or(|n| n <= BODY_LIMIT as u64) {
        return next.run(req).await;
    }
    if req.version() == Version::HTTP_2 {
        crate::json::discard(req.into_body()).await;
    }
    ApiError::payload_too_large().into_response()
}

/// A 4xx/5xx that is not JSON did not come from an [`ApiError`] but from axum itself (an extractor's
/// rejection, e.g. a path segment that is not UTF-8): it gets the API's error shape, with a message
/// that does not repeat the request (axum's own text may quote it). Its other headers are kept.
pub async fn error_shape(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    // JSON errors are shaped already; an HTML page (the portal's, the receipt) is meant for a person.
    let is_shaped = response.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if !(status.is_client_error() || status.is_server_error()) || is_shaped {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(CONTENT_LENGTH);
    let reason = status.canonical_reason().unwrap_or("error");
    let mut shaped = ApiError::new(
        status,
        code_for(status),
        format!("the request could not be handled: {reason}"),
    )
    .into_response();
    shaped.headers_mut().extend(parts.headers);
    shaped
}

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid_request",
        429 => "rate_limited",
        431 => "headers_too_large",
        500 => "internal",
        503 => "unavailable",
        _ if status.is_client_error() => "client_error",
        _ => "server_error",
    }
}

/// `Cache-Control: no-store` on every response that does not set its own: most answers are about a
/// resident or a consent, and a cache (of a browser, of a partner's proxy) must not keep them.
pub async fn no_store_by_default(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Counts every answer for `/metrics`: by route template (never the URI) and status, with its time.
pub async fn count(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    state
        .metrics
        .answered(&route, response.status().as_u16(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_canonical_uuid_is_a_request_id() {
        assert!(is_uuid("0190a3c2-7d4e-7b1a-9f00-123456789abc"));
        assert!(is_uuid("0190A3C2-7D4E-7B1A-9F00-123456789ABC"));
        for bad in [
            "111222333",
            "0190a3c27d4e7b1a9f00123456789abc",
            "{0190a3c2-7d4e-7b1a-9f00-123456789abc}",
            "urn:uuid:0190a3c2-7d4e-7b1a-9f00-123456789abc",
            "0190a3c2-7d4e-7b1a-9f00-12345678911x",
            "",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn only_a_w3c_shaped_traceparent_is_kept() {
        assert!(is_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-111222333-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
            "",
        ] {
            assert!(!is_traceparent(bad), "{bad}");
        }
    }

    #[test]
    fn a_header_sent_twice_is_not_kept() {
        let mut headers = HeaderMap::new();
        let id = HeaderValue::from_static("0190a3c2-7d4e-7b1a-9f00-123456789abc");
        headers.append(REQUEST_ID, id.clone());
        assert!(single(&headers, &REQUEST_ID).is_some());
        headers.append(REQUEST_ID, id);
        assert!(single(&headers, &REQUEST_ID).is_none());
    }
}
