//! The JSON routes of the v1 API (described at `/openapi.json`) and the layers every request passes: the gateway's own request id, a span
//! that names the route (never the URI: query strings may hold a BSN), `no-store` by default, the
//! header limits and the 1 MiB body limit.

pub(crate) mod audit;
pub(crate) mod consents;
pub(crate) mod evidence;
mod exchange;
pub mod explain;
mod health;
pub mod layers;
mod log;
mod me;
mod notifications;
mod receipt_page;
pub(crate) mod recorded;
pub mod refusals;
mod register;
pub(crate) mod representations;
mod usage;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::from_fn;
use axum::routing::get;
use tower_http::request_id::{PropagateRequestIdLayer, RequestId};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa_axum::router::OpenApiRouter;

use crate::config::BODY_LIMIT;
use crate::state::AppState;

/// Every API route, each declared once with its OpenAPI description (one `router()` per area),
/// and the document they make together, served at `/openapi.json`.
pub fn router() -> Router<AppState> {
    let (routes, document) = OpenApiRouter::with_openapi(crate::openapi::base())
        .merge(health::router())
        .merge(register::router())
        .merge(consents::router())
        .merge(exchange::router())
        .merge(me::router())
        .merge(log::router())
        .merge(evidence::router())
        .merge(refusals::router())
        .merge(representations::router())
        .merge(recorded::router())
        .merge(notifications::router())
        .merge(audit::router())
        .merge(explain::router())
        .split_for_parts();
    let document = crate::openapi::finish(document);
    routes.route(
        "/openapi.json",
        get(move || std::future::ready(document.clone())),
    )
}

/// `routes` (the API and the pages) with the answers for what matches nothing and the layers
/// every request passes.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .layer(from_fn(layers::run_to_completion))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(layers::refuse_large_headers))
        .layer(from_fn(layers::refuse_large_bodies))
        .layer(from_fn(layers::error_shape))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
                    let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
                    // Who is asking, which decision it led to and what it disclosed are recorded once
                    // known (`auth`, `pipeline`), so one line per request (at its end) says it all.
                    tracing::info_span!("request", method = %req.method(), route, request_id = id.unwrap_or("-"),
                        partner = tracing::field::Empty, professional = tracing::field::Empty,
                        decision_id = tracing::field::Empty, disclosure_id = tracing::field::Empty,
                        log_index = tracing::field::Empty)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn_with_state(state, layers::count))
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
