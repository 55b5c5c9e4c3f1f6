//! A `Json` extractor whose rejections speak the API's error format (`/openapi.json`):
//! malformed JSON is `400 malformed_json`, a body over the limit `413 payload_too_large`, a body that
//! does not arrive before its [`BodyDeadline`] `408 request_timeout`. It is where request bodies are
//! read, so it is where the body deadline is kept.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::config::{LINGER_BYTES, LINGER_TIME};
use crate::error::ApiError;

/// When a request's body must have arrived (else `408`): set by the server on every request when
/// its head arrives, kept here where bodies are read.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub tokio::time::Instant);

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let deadline = req.extensions().get::<BodyDeadline>().copied();
        let read = axum::Json::<T>::from_request(req, state);
        let read = match deadline {
            Some(BodyDeadline(at)) => tokio::time::timeout_at(at, read)
                .await
                .map_err(|_| ApiError::request_timeout())?,
            None => read.await,
        };
        match read {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonRejection::JsonDataError(e) => {
            // The body text is not echoed: it may hold personal data. serde's message names the field.
            ApiError::bad_request(
                "invalid_request",
                format!("the request body does not fit: {}", e.body_text()),
            )
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request("malformed_json", "the request body is not valid JSON")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
        other => ApiError::bad_request("invalid_request", other.body_text()),
    }
}

/// A `Query` extractor whose rejection is `400 invalid_query` in the API's error format.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(q)| Self(q))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// `value` as a JSON file to save, named `filename` (quotes taken out).
pub fn attachment(value: &impl serde::Serialize, filename: &str) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let response = axum::Json(value).into_response();
    as_attachment(response, filename)
}

/// A JSON body that streams, as a file to keep under `filename`.
pub fn streamed_attachment(body: axum::body::Body, filename: &str) -> axum::response::Response {
    let mut response = axum::response::Response::new(body);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    as_attachment(response, filename)
}

fn as_attachment(
    mut response: axum::response::Response,
    filename: &str,
) -> axum::response::Response {
    let disposition = format!("attachment; filename=\"{}\"", filename.replace('"', ""));
    if let Ok(value) = axum::http::HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A page of a list as JSON (an array, as the list always was), with a `Link: <...>; rel="next"`
/// header (RFC 8288) when more follow: the request's own path and query with the next `cursor`.
pub fn paged<T: serde::Serialize>(
    uri: &axum::http::Uri,
    page: crate::service::parse::Page<T>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let mut response = axum::Json(page.items).into_response();
    if let Some(next) = &page.next {
        let mut query: Vec<&str> = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("cursor"))
            .collect();
        let cursor = format!("cursor={}", crate::contract::paging::encode(next));
        query.push(&cursor);
        let link = format!("<{}?{}>; rel=\"next\"", uri.path(), query.join("&"));
        if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(axum::http::header::LINK, value);
        }
    }
    response
}

/// Reads `body` to its end and discards it, within [`LINGER_TIME`] and [`LINGER_BYTES`] (a body
/// answered before it was read: the lingering close); true if it ended within them.
pub async fn discard<B>(body: B) -> bool
where
    B: hyper::body::Body + Unpin,
{
    let mut body = body;
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut read = 0usize;
    while read <= LINGER_BYTES {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx));
        match tokio::time::timeout_at(deadline, frame).await {
            Ok(Some(Ok(frame))) => read += frame.data_ref().map_or(0, hyper::body::Buf::remaining),
            Ok(Some(Err(_))) | Err(_) => return false,
            Ok(None) => return true,
        }
    }
    false
}
