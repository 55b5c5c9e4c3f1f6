//! The notification outbox: changes partners are told about, claimed and retried by the notifier,
//! and the cursor of consents it has passed.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tracing::instrument;

use super::encode::DbTime;
use crate::model::{Attempt, NewNotification, Notification};
use crate::store::StoreError;

pub const NOTIFICATION_COLUMNS: &str = "id, partner, consent_id, change, changed_at, body, status, attempts, \
     created_at, next_attempt_at, last_attempt_at, delivered_at, last_error";

#[derive(Debug, FromRow)]
pub struct NotificationRow {
    id: String,
    partner: String,
    consent_id: String,
    change: String,
    changed_at: DbTime,
    body: String,
    status: String,
    attempts: i64,
    created_at: DbTime,
    next_attempt_at: DbTime,
    last_attempt_at: Option<DbTime>,
    delivered_at: Option<DbTime>,
    last_error: Option<String>,
}

impl NotificationRow {
    pub fn into_notification(self) -> Result<Notification, StoreError> {
        Ok(Notification {
            attempts: u32::try_from(self.attempts).map_err(|_| {
                StoreError::Corrupt(format!("notification attempts {}", self.attempts))
            })?,
            id: self.id,
            partner: self.partner,
            consent_id: self.consent_id,
            change: self.change,
            changed_at: self.changed_at.0,
            body: self.body,
            status: self.status,
            created_at: self.created_at.0,
            next_attempt_at: self.next_attempt_at.0,
            last_attempt_at: self.last_attempt_at.map(|t| t.0),
            delivered_at: self.delivered_at.map(|t| t.0),
            last_error: self.last_error,
        })
    }
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all, fields(n = notifications.len()))]
        pub(super) async fn enqueue_notifications(
            &self,
            notifications: &[NewNotification],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let mut added = 0;
            for n in notifications {
                let result = sqlx::query(
                    "INSERT INTO notifications (id, partner, consent_id, change, changed_at, body, created_at, next_attempt_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     ON CONFLICT (partner, consent_id, change) DO NOTHING",
                )
                .bind(n.id.as_str())
                .bind(n.partner.as_str())
                .bind(n.consent_id.as_str())
                .bind(n.change.as_str())
                .bind(DbTime(n.changed_at))
                .bind(n.body.as_str())
                .bind(DbTime(now))
                .execute(&mut *tx)
                .await?;
                added += DB::rows_affected(&result);
            }
            tx.commit().await?;
            Ok(added)
        }

        #[instrument(skip_all)]
        pub(super) async fn due_notifications(
            &self,
            now: DateTime<Utc>,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications
                 WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
            ))
            .bind(DbTime(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(NotificationRow::into_notification)
                .collect()
        }

        #[instrument(skip_all)]
        pub(super) async fn claim_notification(
            &self,
            id: &str,
            seen: u32,
            now: DateTime<Utc>,
            lease_until: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let result = sqlx::query(
                "UPDATE notifications SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2
                 WHERE id = $3 AND attempts = $4 AND status = 'pending'",
            )
            .bind(DbTime(now))
            .bind(DbTime(lease_until))
            .bind(id)
            .bind(i64::from(seen))
            .execute(&self.pool)
            .await?;
            Ok(DB::rows_affected(&result) == 1)
        }

        #[instrument(skip_all)]
        pub(super) async fn finish_notification(
            &self,
            id: &str,
            attempt: &Attempt,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let query = match attempt {
                Attempt::Delivered => sqlx::query(
                    "UPDATE notifications SET status = 'delivered', delivered_at = $1, last_error = NULL WHERE id = $2",
                )
                .bind(DbTime(now))
                .bind(id),
                Attempt::Failed {
                    error,
                    retry_at: Some(at),
                } => sqlx::query(
                    "UPDATE notifications SET next_attempt_at = $1, last_error = $2 WHERE id = $3",
                )
                .bind(DbTime(*at))
                .bind(error.as_str())
                .bind(id),
                Attempt::Failed {
                    error,
                    retry_at: None,
                } => sqlx::query(
                    "UPDATE notifications SET status = 'failed', last_error = $1 WHERE id = $2",
                )
                .bind(error.as_str())
                .bind(id),
            };
            query.execute(&self.pool).await?;
            Ok(())
        }

        #[instrument(skip_all)]
        pub(super) async fn notifications_for(
            &self,
            partner: &str,
            limit: u32,
        ) -> Result<Vec<Notification>, StoreError> {
            let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE partner = $1
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            ))
            .bind(partner)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(NotificationRow::into_notification)
                .collect()
        }

        #[instrument(skip_all)]
        pub(super) async fn notifier_cursor(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
            let row: Option<(DbTime,)> =
                sqlx::query_as("SELECT until FROM notifier_cursor WHERE name = 'consents'")
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(row.map(|(t,)| t.0))
        }

        #[instrument(skip_all)]
        pub(super) async fn advance_notifier_cursor(&self, until: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO notifier_cursor (name, until) VALUES ('consents', $1)
                 ON CONFLICT (name) DO UPDATE SET until = $1 WHERE notifier_cursor.until < $1",
            )
            .bind(DbTime(until))
            .execute(&self.pool)
            .await?;
            Ok(())
        }
    }
}
