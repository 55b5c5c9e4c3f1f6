//! Change notifications to partner systems (see `notify`): the public verifier key, and a partner's
//! view of what was sent to its system and how delivery went.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Professional;
use crate::contract::ErrorBody;
use crate::error::ApiError;
use crate::state::AppState;

/// How many notifications `GET /v1/notifications` lists, newest first.
const LISTED: u32 = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(notification_key))
        .routes(routes!(my_notifications))
}

/// The key notifications are signed with.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationKeyView {
    /// `Ed25519`.
    pub algorithm: String,
    /// Base64 of the 32-byte public key. A notification's `webhook-signature` is `v1a,` and the
    /// base64 Ed25519 signature of `{webhook-id}.{webhook-timestamp}.{body}` (Standard Webhooks).
    pub public_key: String,
}

/// The verifier key of change notifications, for partner systems to check what they receive.
#[utoipa::path(get, path = "/v1/notifications/key", tag = "notifications",
    responses((status = 200, body = NotificationKeyView), (status = 404, body = ErrorBody, description = "notifications are not configured")))]
pub async fn notification_key(
    State(state): State<AppState>,
) -> Result<Json<NotificationKeyView>, ApiError> {
    let notifier = state
        .notifier
        .as_ref()
        .ok_or_else(|| ApiError::not_found("notification key"))?;
    Ok(Json(NotificationKeyView {
        algorithm: "Ed25519".into(),
        public_key: notifier.public_key(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub consent_id: String,
    /// `revoked`, `superseded` or `expired`.
    pub change: String,
    pub changed_at: DateTime<Utc>,
    /// `pending` (being retried), `delivered`, or `failed` (given up).
    pub status: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (e.g. `partner system answered 503`).
    pub last_error: Option<String>,
    /// The body exactly as signed and sent.
    pub body: serde_json::Value,
}

/// The notifications sent (or being sent) to the caller's organisation's system, newest first, with
/// their delivery state.
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications", security(("partner_certificate" = [], "partner_token" = [])),
    responses((status = 200, body = [NotificationView]), (status = 401, body = ErrorBody)))]
pub async fn my_notifications(
    State(state): State<AppState>,
    who: Professional,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    let notifications = state
        .store
        .notifications_for(&who.partner.id, LISTED)
        .await?;
    Ok(Json(
        notifications
            .into_iter()
            .map(|n| NotificationView {
                next_attempt_at: (n.status == "pending").then_some(n.next_attempt_at),
                body: serde_json::from_str(&n.body).unwrap_or(serde_json::Value::Null),
                id: n.id,
                consent_id: n.consent_id,
                change: n.change,
                changed_at: n.changed_at,
                status: n.status,
                attempts: n.attempts,
                created_at: n.created_at,
                last_attempt_at: n.last_attempt_at,
                delivered_at: n.delivered_at,
                last_error: n.last_error,
            })
            .collect(),
    ))
}
