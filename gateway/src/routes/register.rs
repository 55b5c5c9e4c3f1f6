use axum::Json;
use axum::extract::State;

use super::views::RegisterView;
use crate::state::AppState;

/// The public verwerkingsregister (art. 30 AVG, vuistregel 7).
#[utoipa::path(get, path = "/v1/register", tag = "public", responses((status = 200, body = RegisterView)))]
pub async fn get_register(State(state): State<AppState>) -> Json<RegisterView> {
    Json(RegisterView::from(state.register.as_ref()))
}
