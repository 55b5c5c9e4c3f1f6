//! Refusals (an Amsterdammer's objection to one kind of sharing): recording, withdrawing and
//! reading them.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tracing::instrument;

use super::encode::DbTime;
use crate::SubjectId;
use crate::model::{AuditQuery, NewRefusal, Refusal};
use crate::store::StoreError;

/// An Amsterdammer's refusals, oldest first.
pub(super) fn refusals_of() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!("SELECT {REFUSAL_COLUMNS} FROM refusals WHERE subject = $1 ORDER BY created_at, id")
    })
}

pub const REFUSAL_COLUMNS: &str = "id, subject, recipient, category, activity, note, recorded_by_partner, \
     professional, created_at, withdrawn_at, representation_id, withdrawn_by";

#[derive(Debug, FromRow)]
pub struct RefusalRow {
    id: String,
    subject: String,
    recipient: Option<String>,
    category: Option<String>,
    activity: Option<String>,
    note: Option<String>,
    recorded_by_partner: String,
    professional: Option<String>,
    created_at: DbTime,
    withdrawn_at: Option<DbTime>,
    representation_id: Option<String>,
    withdrawn_by: Option<String>,
}

impl RefusalRow {
    /// The row as [`direct`](super::direct) reads it: [`REFUSAL_COLUMNS`], in that order.
    pub fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            subject: row.get(1)?,
            recipient: row.get(2)?,
            category: row.get(3)?,
            activity: row.get(4)?,
            note: row.get(5)?,
            recorded_by_partner: row.get(6)?,
            professional: row.get(7)?,
            created_at: row.get(8)?,
            withdrawn_at: row.get(9)?,
            representation_id: row.get(10)?,
            withdrawn_by: row.get(11)?,
        })
    }

    pub fn into_refusal(self) -> Refusal {
        Refusal {
            id: self.id,
            subject: SubjectId::from_stored(self.subject),
            recipient: self.recipient,
            category: self.category,
            activity: self.activity,
            note: self.note,
            recorded_by_partner: self.recorded_by_partner,
            professional: self.professional,
            representation: self.representation_id,
            created_at: self.created_at.0,
            withdrawn_at: self.withdrawn_at.map(|t| t.0),
            withdrawn_by: self.withdrawn_by,
        }
    }
}

/// The bind values of a page of what an organisation recorded: its scope, from when, where the page
/// starts (before this time and id; the far future when it is the first) and how many.
pub(super) struct RecordedPage {
    pub organisation: String,
    pub from: DbTime,
    pub before: (DbTime, String),
    pub limit: i64,
}

impl RecordedPage {
    pub fn of(q: &AuditQuery) -> Self {
        use super::audit::year;
        let before = match &q.before {
            Some(crate::model::Cursor::Recorded(at, id)) => (DbTime(*at), id.clone()),
            _ => (DbTime(year(9999)), String::new()),
        };
        Self {
            organisation: q.organisation.clone().unwrap_or_default(),
            from: DbTime(q.from.unwrap_or_else(|| year(1970))),
            before,
            limit: i64::from(q.limit.max(1)),
        }
    }
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn recorded_refusals(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<Refusal>, StoreError> {
            let page = RecordedPage::of(q);
            static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = SQL.get_or_init(|| {
                format!(
                    "SELECT {REFUSAL_COLUMNS} FROM refusals
                     WHERE recorded_by_partner <> '{}' AND ($1 = '' OR recorded_by_partner = $1)
                       AND created_at >= $2
                       AND (created_at < $3 OR (created_at = $3 AND id < $4))
                     ORDER BY created_at DESC, id DESC LIMIT $5",
                    crate::model::AMSTERDAMMER
                )
            });
            let rows: Vec<RefusalRow> = sqlx::query_as(sql)
                .bind(page.organisation)
                .bind(page.from)
                .bind(page.before.0)
                .bind(page.before.1)
                .bind(page.limit)
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.into_iter().map(RefusalRow::into_refusal).collect())
        }

        #[instrument(skip_all)]
        pub(super) async fn insert_refusal(
            &self,
            id: &str,
            r: &NewRefusal,
            now: DateTime<Utc>,
        ) -> Result<Refusal, StoreError> {
            let row: RefusalRow = sqlx::query_as(&format!(
                "INSERT INTO refusals ({REFUSAL_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, NULL) RETURNING {REFUSAL_COLUMNS}"
            ))
            .bind(id)
            .bind(r.subject.as_str())
            .bind(r.recipient.as_deref())
            .bind(r.category.as_deref())
            .bind(r.activity.as_deref())
            .bind(r.note.as_deref())
            .bind(r.recorded_by.party.as_str())
            .bind(r.recorded_by.professional.as_deref())
            .bind(DbTime(now))
            .bind(r.recorded_by.representation.as_deref())
            .fetch_one(&self.pool)
            .await?;
            Ok(row.into_refusal())
        }

        #[instrument(skip_all)]
        pub(super) async fn refusals_of(&self, subject: &SubjectId) -> Result<Vec<Refusal>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.refusals(subject.as_str());
            }
            let rows: Vec<RefusalRow> = sqlx::query_as(refusals_of())
                .bind(subject.as_str())
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.into_iter().map(RefusalRow::into_refusal).collect())
        }

        #[instrument(skip_all)]
        pub(super) async fn withdraw_refusal(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Refusal>, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            const SQL: &str = "UPDATE refusals SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND withdrawn_at IS NULL";
            sqlx::query(SQL)
                .bind(DbTime(now))
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let row: Option<RefusalRow> = sqlx::query_as(&format!(
                "SELECT {REFUSAL_COLUMNS} FROM refusals WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(row.map(RefusalRow::into_refusal))
        }
    }
}
