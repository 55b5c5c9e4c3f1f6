//! A consent's receipt and FHIR form as responses: JSON, FHIR JSON, or the printable page.

use crate::service::usage::receipt;
use crate::state::AppState;
use axum::Json;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use consent::Consent;

/// The consent as FHIR R4 JSON, served as `application/fhir+json`.
pub fn fhir_response(state: &AppState, consent: &Consent) -> Response {
    let resource = crate::fhir::consent_resource(consent, &state.register(), state.clock.now());
    let mut response = Json(resource).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    response
}

/// The receipt as JSON, or as the printable page for a client that asks for HTML.
pub fn receipt_response(
    state: &AppState,
    c: &Consent,
    headers: &axum::http::HeaderMap,
) -> Response {
    let receipt = receipt(state, c);
    if super::receipt_page::wants_html(headers) {
        super::receipt_page::response(&receipt)
    } else {
        Json(receipt).into_response()
    }
}
