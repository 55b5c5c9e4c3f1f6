//! `GET /v1/rights`: the Amsterdammer's rights, in plain words (`contract::rights_list`).

use crate::contract::{RightView, rights_list};
use crate::state::AppState;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rights))
}

/// The Amsterdammer's rights (AVG art. 7(3), 15-17, 21, 77), in plain Dutch and English.
#[utoipa::path(get, path = "/v1/rights", tag = "public", responses((status = 200, body = [RightView])))]
pub async fn rights() -> Json<Vec<RightView>> {
    Json(rights_list())
}
