//! The Amsterdammer's own view (vuistregel 7, art. 15 AVG) and revocation (art. 7(3)).

use axum::Json;
use axum::extract::{Path, State};

use super::views::{ConsentView, ErrorBody, MyDisclosureView, RevokedView};
use crate::auth::Citizen;
use crate::error::ApiError;
use crate::state::AppState;

/// Every toestemmingsverklaring the Amsterdammer gave.
#[utoipa::path(get, path = "/v1/me/consents", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [ConsentView]), (status = 401, body = ErrorBody)))]
pub async fn my_consents(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<Vec<ConsentView>>, ApiError> {
    let now = state.clock.now();
    let consents = state.store.consents_of(&me.subject).await?;
    Ok(Json(
        consents
            .into_iter()
            .map(|c| ConsentView::new(c, now))
            .collect(),
    ))
}

/// Withdraws one of the Amsterdammer's consents; idempotent.
#[utoipa::path(post, path = "/v1/me/consents/{id}/revoke", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RevokedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_my_consent(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RevokedView>, ApiError> {
    let mine = state
        .store
        .consent(&id)
        .await?
        .is_some_and(|c| c.subject == me.subject);
    if !mine {
        return Err(ApiError::not_found("consent"));
    }
    super::consents::revoke(&state, &id, "amsterdammer").await
}

/// Every disclosure about the Amsterdammer: who received what, from whom, why, on which basis.
#[utoipa::path(get, path = "/v1/me/disclosures", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [MyDisclosureView]), (status = 401, body = ErrorBody)))]
pub async fn my_disclosures(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<Vec<MyDisclosureView>>, ApiError> {
    let disclosures = state.store.disclosures_of(&me.subject).await?;
    Ok(Json(
        disclosures
            .into_iter()
            .map(|d| MyDisclosureView::new(d, &state.register))
            .collect(),
    ))
}
