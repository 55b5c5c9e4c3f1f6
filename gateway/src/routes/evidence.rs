//! The Amsterdammer's evidence routes: a disclosure's proof and bundle, and the export of all.

use crate::auth::Citizen;
use crate::contract::ErrorBody;
use crate::contract::{MyExport, MyProofView};
use crate::error::ApiError;
use crate::service::evidence as service;
use crate::service::evidence::proven;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(my_disclosure_proof))
        .routes(routes!(my_disclosure_bundle))
        .routes(routes!(my_export))
}

/// Proves that one of the Amsterdammer's disclosures is in the public log: an inclusion proof against
/// the latest signed checkpoint, which anyone can check with the log's key (`/v1/log/key`).
#[utoipa::path(get, path = "/v1/me/disclosures/{id}/proof", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = MyProofView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn my_disclosure_proof(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<MyProofView>, ApiError> {
    let (_, checkpoint, proof) = proven(&state, me.viewer(), &id).await?;
    Ok(Json(MyProofView {
        inclusion: proof.into(),
        checkpoint: checkpoint.note,
    }))
}

/// The evidence bundle of one of the Amsterdammer's disclosures, as a file to keep: the entry, its
/// salt and leaf input, the inclusion proof, the signed checkpoint and the log key.
#[utoipa::path(get, path = "/v1/me/disclosures/{id}/bundle", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, description = "the bundle (JSON), as an attachment"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn my_disclosure_bundle(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bundle = service::bundle(&state, me.viewer(), &id).await?;
    Ok(crate::json::attachment(
        &bundle,
        &format!("bewijs-{id}.json"),
    ))
}

/// Everything the gateway holds about the Amsterdammer, machine-readable, as a file to keep.
#[utoipa::path(get, path = "/v1/me/export", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = MyExport, description = "as an attachment"), (status = 401, body = ErrorBody)))]
pub async fn my_export(State(state): State<AppState>, me: Citizen) -> Result<Response, ApiError> {
    let export = crate::service::export::export(&state, me.viewer()).await?;
    Ok(crate::json::streamed_attachment(
        export,
        "mijn-gegevens.json",
    ))
}
