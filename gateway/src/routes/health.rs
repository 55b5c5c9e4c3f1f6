use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

/// Liveness and readiness, for load balancers and orchestrators.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// How long `/readyz` waits for the database at most before it says not ready.
const READY_DEADLINE: Duration = Duration::from_secs(2);

/// The gateway can serve: it can commit to its database (a one-row write, within
/// [`READY_DEADLINE`]) and no ledger commit failed in the last seconds. A database that answers
/// reads but refuses writes (full, read-only) is not ready. With shared rate limits, Redis must
/// answer too: without it partners are refused.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready"),
        (status = 503, description = "the database cannot commit or does not answer in time, or the shared rate limits (Redis) do not answer")))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let message = match tokio::time::timeout(READY_DEADLINE, state.store.ping()).await {
        Ok(Ok(())) => match state.limits.ready().await {
            Ok(()) => return Ok(Json(json!({ "status": "ready" }))),
            Err(e) => {
                tracing::warn!(error = %e, "not ready: the shared rate limits do not answer");
                "the gateway's shared rate limits (Redis) do not answer: partners' requests are refused"
            }
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            "the gateway cannot commit to its database"
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            "the gateway's database does not answer in time"
        }
    };
    Err(ApiError::unavailable("not_ready", message))
}
