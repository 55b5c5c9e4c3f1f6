//! The public log (`/openapi.json`): its latest signed checkpoint, its verifier key, and inclusion
//! and consistency proofs that anyone can check against a checkpoint without trusting the operator.
//! Nothing here is personal: leaf hashes commit to salted digests.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::contract::{ErrorBody, InclusionView};
use crate::error::ApiError;
use crate::json::ApiQuery;
use crate::state::AppState;

/// The log's public routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(checkpoint))
        .routes(routes!(key))
        .routes(routes!(inclusion))
        .routes(routes!(consistency))
}

/// The latest signed checkpoint: a C2SP tlog-checkpoint body (origin, size, base64 root hash) under
/// a C2SP signed-note Ed25519 signature line.
#[utoipa::path(get, path = "/v1/log/checkpoint", tag = "log",
    responses((status = 200, content_type = "text/plain", body = String, description = "the signed note")))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let latest = state.log.latest().await.map_err(ApiError::from)?;
    let note = latest.map(|c| c.note).ok_or_else(|| {
        ApiError::unavailable("no_checkpoint", "no checkpoint has been signed yet")
    })?;
    Ok(text(note))
}

/// The log's verifier key in signed-note form: `<name>+<hex key id>+<base64(0x01 || public key)>`.
#[utoipa::path(get, path = "/v1/log/key", tag = "log",
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.log.verifier().vkey()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The entry's log index.
    pub index: u64,
    /// The tree size to prove against; default: the latest checkpoint's.
    pub size: Option<u64>,
}

/// Proves that entry `index` is in the tree of `size` entries.
#[utoipa::path(get, path = "/v1/log/proofs/inclusion", tag = "log", params(InclusionQuery),
    responses((status = 200, body = InclusionView), (status = 400, body = ErrorBody)))]
pub async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionView>, ApiError> {
    let size = match q.size {
        Some(size) => size,
        None => latest_size(&state).await?,
    };
    let proof = state
        .log
        .inclusion_proof(q.index, size)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(proof.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    pub from: u64,
    /// Default: the latest checkpoint's size.
    pub to: Option<u64>,
}

/// A consistency proof (RFC 9162 §2.1.4); hashes in base64.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyView {
    pub from: u64,
    pub to: u64,
    pub path: Vec<String>,
}

/// Proves that the tree of `to` entries extends the tree of `from` entries.
#[utoipa::path(get, path = "/v1/log/proofs/consistency", tag = "log", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyView), (status = 400, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyView>, ApiError> {
    let to = match q.to {
        Some(to) => to,
        None => latest_size(&state).await?,
    };
    let path = state
        .log
        .consistency_proof(q.from, to)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(ConsistencyView {
        from: q.from,
        to,
        path: path.iter().map(|h| B64.encode(h)).collect(),
    }))
}

pub async fn latest_size(state: &AppState) -> Result<u64, ApiError> {
    Ok(state
        .log
        .latest()
        .await
        .map_err(ApiError::from)?
        .map_or(0, |c| c.size))
}

fn text(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
