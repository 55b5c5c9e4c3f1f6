//! The Amsterdammer's evidence that an entry about them is in the public log (vuistregel 7, art. 15
//! AVG): an inclusion proof against the latest signed checkpoint, and a downloadable bundle that
//! `gateway log verify --bundle` (or any RFC 9162 verifier, for the tree part) checks offline; and
//! everything the gateway holds about them in one file (art. 15 AVG).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::{Disclosure, InclusionProof, StoredCheckpoint};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bodies::{ConsentView, ErrorBody, MyDisclosureView};
use super::log::{InclusionView, log_error};
use crate::auth::{Citizen, Viewer};
use crate::error::ApiError;
use crate::logboek::LogboekRecord;
use crate::logcheck::{BUNDLE_FORMAT, EvidenceBundle};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(my_disclosure_proof))
        .routes(routes!(my_disclosure_bundle))
        .routes(routes!(my_export))
}

/// An entry's inclusion proof with the signed checkpoint it is proven against.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyProofView {
    #[serde(flatten)]
    pub inclusion: InclusionView,
    /// The signed checkpoint (C2SP signed note) the proof is against.
    pub checkpoint: String,
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
    bundle(&state, me.viewer(), &id).await
}

/// The evidence bundle of entry `id`, if `viewer` may see it, as an attachment.
pub async fn bundle(state: &AppState, viewer: Viewer<'_>, id: &str) -> Result<Response, ApiError> {
    let (entry, checkpoint, proof) = proven(state, viewer, id).await?;
    let bundle = EvidenceBundle {
        format: BUNDLE_FORMAT.into(),
        disclosure_id: entry.id.clone(),
        leaf_input: B64.encode(consent::leaf_input((&entry).into(), &entry.record_digest)),
        salt: entry.personal().map(|p| p.salt.clone()),
        leaf_index: proof.leaf_index,
        tree_size: proof.tree_size,
        path: proof.path.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: checkpoint.note,
        log_key: state.log.verifier().vkey(),
        entry: entry.record(),
    };
    let mut response = Json(bundle).into_response();
    let name = format!(
        "attachment; filename=\"bewijs-{}.json\"",
        id.replace('"', "")
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Everything the gateway holds about the Amsterdammer (art. 15 AVG), in one file.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyExport {
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// Every toestemmingsverklaring, with its history.
    pub consents: Vec<ConsentView>,
    /// Every disclosure: who received what, from whom, why, on which basis.
    pub disclosures: Vec<MyDisclosureView>,
    /// The same disclosures in the Logius *Logboek Dataverwerkingen* shape.
    pub logboek: Vec<LogboekRecord>,
}

/// Everything the gateway holds about the Amsterdammer, machine-readable, as a file to keep.
#[utoipa::path(get, path = "/v1/me/export", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = MyExport, description = "as an attachment"), (status = 401, body = ErrorBody)))]
pub async fn my_export(State(state): State<AppState>, me: Citizen) -> Result<Response, ApiError> {
    export(&state, me.viewer()).await
}

/// Everything held about `viewer.subject` that `viewer` may see, as an attachment.
pub async fn export(state: &AppState, viewer: Viewer<'_>) -> Result<Response, ApiError> {
    let me = viewer;
    let now = state.clock.now();
    let consents = state.store.consents_of(me.subject).await?;
    let mut disclosures = state.store.disclosures_of(me.subject).await?;
    disclosures.retain(|d| me.may_see(&state.register, d, now));
    let export = MyExport {
        generated_at: now,
        consents: consents
            .into_iter()
            .filter(|c| me.covers(&state.register, &c.categories))
            .map(|c| ConsentView::new(c, now))
            .collect(),
        logboek: disclosures.iter().map(LogboekRecord::from).collect(),
        disclosures: disclosures
            .into_iter()
            .map(|d| MyDisclosureView::new(d, &state.register))
            .collect(),
    };
    let mut response = Json(export).into_response();
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"mijn-gegevens.json\""),
    );
    Ok(response)
}

/// One of the caller's own entries (`404` for anyone else's), the latest signed checkpoint, and the
/// entry's inclusion proof against it.
async fn proven(
    state: &AppState,
    me: Viewer<'_>,
    id: &str,
) -> Result<(Disclosure, StoredCheckpoint, InclusionProof), ApiError> {
    let entry = state
        .store
        .disclosure(id)
        .await?
        .filter(|d| d.subject == *me.subject && me.may_see(&state.register, d, state.clock.now()))
        .ok_or_else(|| ApiError::not_found("disclosure"))?;
    let checkpoint = state
        .log
        .latest()
        .await
        .map_err(log_error)?
        .filter(|c| c.size > entry.log_index)
        .ok_or_else(|| {
            // The writer answers only after a checkpoint covers the entry, so this is a moment.
            let mut e = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_yet_checkpointed",
                "the entry is logged but not yet in a signed checkpoint; try again in a second",
            );
            e.retry_after_secs = Some(1);
            e
        })?;
    let proof = state
        .log
        .inclusion_proof(entry.log_index, checkpoint.size)
        .await
        .map_err(log_error)?;
    Ok((entry, checkpoint, proof))
}
