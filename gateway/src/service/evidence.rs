//! The Amsterdammer's evidence that an entry about them is in the public log (vuistregel 7, art. 15
//! AVG): an inclusion proof against the latest signed checkpoint, and a downloadable bundle that
//! `gateway log verify --bundle` (or any RFC 9162 verifier, for the tree part) checks offline.

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::logcheck::{BUNDLE_FORMAT, EvidenceBundle};
use crate::state::AppState;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::{Disclosure, InclusionProof, StoredCheckpoint};

/// The evidence bundle of entry `id`, if `viewer` may see it.
pub async fn bundle(
    state: &AppState,
    viewer: Viewer<'_>,
    id: &str,
) -> Result<EvidenceBundle, ApiError> {
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
    Ok(bundle)
}

/// One of the caller's own entries (`404` for anyone else's), the latest signed checkpoint, and the
/// entry's inclusion proof against it.
pub async fn proven(
    state: &AppState,
    me: Viewer<'_>,
    id: &str,
) -> Result<(Disclosure, StoredCheckpoint, InclusionProof), ApiError> {
    let entry = state
        .store
        .disclosure(id)
        .await?
        .filter(|d| d.subject == *me.subject && me.may_see(&state.register(), d, state.clock.now()))
        .ok_or_else(|| ApiError::not_found("disclosure"))?;
    let checkpoint = state
        .log
        .latest()
        .await
        .map_err(ApiError::from)?
        .filter(|c| c.size > entry.log_index)
        .ok_or_else(|| {
            // The writer answers only after a checkpoint covers the entry, so this is a moment.
            let mut e = ApiError::unavailable(
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
        .map_err(ApiError::from)?;
    Ok((entry, checkpoint, proof))
}
