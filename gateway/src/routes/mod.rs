//! The HTTP routes (api.md) and the layers every request passes: the gateway's own request id, a span
//! that names the route (never the URI: query strings may hold a BSN), `no-store` by default, the
//! header limits and the 1 MiB body limit.

pub mod bodies;
mod consents;
mod exchange;
mod health;
pub mod layers;
mod me;
pub(crate) mod parse;
mod register;
mod terms;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::from_fn;
use axum::routing::{get, post};
use tower_http::request_id::{PropagateRequestIdLayer, RequestId};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::state::AppState;

pub use consents::*;
pub use exchange::*;
pub use health::*;
pub use me::*;
pub use register::*;

pub const BODY_LIMIT: usize = 1 << 20;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/v1/register", get(get_register))
        .route("/v1/consents", post(record_consent).get(list_consents))
        .route("/v1/consents/search", post(search_consents))
        .route("/v1/consents/{id}", get(get_consent))
        .route("/v1/consents/{id}/revoke", post(revoke_consent))
        .route("/v1/consents/{id}/confirm", post(confirm_consent))
        .route("/v1/exchange", post(exchange))
        .route("/v1/deliveries", post(deliver))
        .route("/v1/me/consents", get(my_consents).post(record_my_consent))
        .route("/v1/me/consents/{id}/revoke", post(revoke_my_consent))
        .route("/v1/me/consents/{id}/confirm", post(confirm_my_consent))
        .route("/v1/me/disclosures", get(my_disclosures))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(layers::refuse_large_headers))
        .layer(from_fn(layers::error_shape))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
                    let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
                    // Who is asking and which decision it led to are recorded once known (`auth`, `pipeline`).
                    tracing::info_span!("request", method = %req.method(), route, request_id = id.unwrap_or("-"),
                        partner = tracing::field::Empty, professional = tracing::field::Empty,
                        decision_id = tracing::field::Empty)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(from_fn(layers::no_store_by_default))
        .layer(PropagateRequestIdLayer::new(layers::REQUEST_ID))
        .layer(from_fn(layers::own_request_id))
}

async fn method_not_allowed() -> crate::error::ApiError {
    crate::error::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method; see /openapi.json",
    )
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("route")
}
