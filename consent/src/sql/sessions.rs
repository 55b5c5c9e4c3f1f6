//! Page sessions of Amsterdammers and privacy officers: started at login, used on every page,
//! ended at logout or expiry.

use chrono::{DateTime, Utc};
use tracing::instrument;

use super::encode::DbTime;
use crate::model::PageSession;
use crate::store::StoreError;

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn start_session(&self, session: &PageSession) -> Result<(), StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let forget_before = DbTime(session.created_at - chrono::Duration::days(1));
            sqlx::query("DELETE FROM page_sessions WHERE expires_at < $1 OR ended_at < $1")
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO page_sessions (id_digest, area, principal, created_at, last_used_at, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(session.id_digest.as_str())
            .bind(session.area.as_str())
            .bind(session.principal.as_str())
            .bind(DbTime(session.created_at))
            .bind(DbTime(session.expires_at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }

        #[instrument(skip_all)]
        pub(super) async fn use_session(
            &self,
            id_digest: &str,
            area: &str,
            now: DateTime<Utc>,
            idle_since: DateTime<Utc>,
        ) -> Result<Option<PageSession>, StoreError> {
            let row: Option<(String, String, String, DbTime, DbTime)> = sqlx::query_as(
                "UPDATE page_sessions SET last_used_at = $1
                 WHERE id_digest = $2 AND area = $3 AND ended_at IS NULL
                   AND expires_at > $1 AND last_used_at > $4
                 RETURNING id_digest, area, principal, created_at, expires_at",
            )
            .bind(DbTime(now))
            .bind(id_digest)
            .bind(area)
            .bind(DbTime(idle_since))
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(
                |(id_digest, area, principal, created_at, expires_at)| PageSession {
                    id_digest,
                    area,
                    principal,
                    created_at: created_at.0,
                    expires_at: expires_at.0,
                },
            ))
        }

        #[instrument(skip_all)]
        pub(super) async fn end_session(&self, id_digest: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE page_sessions SET ended_at = $1 WHERE id_digest = $2 AND ended_at IS NULL",
            )
            .bind(DbTime(now))
            .bind(id_digest)
            .execute(&self.pool)
            .await?;
            Ok(())
        }
    }
}
