//! What privacy officers read and record (issue 9 items 4 and 6): disclosures and decisions by
//! period, partner, activity, basis and outcome; the review queue of disclosures under a basis
//! other than consent; reviews; and the record of every read of the audit API.

use chrono::{DateTime, TimeZone as _, Utc};
use sqlx::FromRow;

use super::encode::DbTime;
use super::rows::{DECISION_COLUMNS, DISCLOSURE_SELECT, DecisionRow, DisclosureRow};
use super::statements::placeholders;
use crate::model::{
    AuditQuery, AuditRead, DecisionRecord, Deferral, DeferralRecord, Disclosure, Review,
    ReviewOutcome,
};
use crate::store::StoreError;

/// The disclosures' filter: `$1`..`$6` as [`Bounds::bind`] binds them.
const DISCLOSURE_FILTER: &str = "d.at >= $1 AND d.at < $2
    AND ($3 = '' OR d.source = $3 OR d.recipient = $3)
    AND ($4 = '' OR d.activity = $4)
    AND ($5 = '' OR d.legal_basis = $5)
    AND ($6 = '' OR d.source = $6 OR d.recipient = $6)";

pub const REVIEW_COLUMNS: &str = "id, disclosure_id, at, outcome, note, officer_partner, officer";

#[derive(Debug, FromRow)]
pub struct ReviewRow {
    id: String,
    disclosure_id: String,
    at: DbTime,
    outcome: String,
    note: String,
    officer_partner: String,
    officer: String,
}

impl ReviewRow {
    fn into_review(self) -> Result<Review, StoreError> {
        Ok(Review {
            outcome: ReviewOutcome::parse(&self.outcome).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown review outcome {:?}", self.outcome))
            })?,
            id: self.id,
            disclosure_id: self.disclosure_id,
            at: self.at.0,
            note: self.note,
            officer_partner: self.officer_partner,
            officer: self.officer,
        })
    }
}

pub const DEFERRAL_COLUMNS: &str = "disclosure_id, until, reason, set_by_partner, set_by, \
     created_at, shortened_at, shortened_by_partner, shortened_by";

#[derive(Debug, FromRow)]
pub struct DeferralRow {
    disclosure_id: String,
    until: DbTime,
    reason: String,
    set_by_partner: String,
    set_by: String,
    created_at: DbTime,
    shortened_at: Option<DbTime>,
    shortened_by_partner: Option<String>,
    shortened_by: Option<String>,
}

impl DeferralRow {
    fn into_record(self) -> DeferralRecord {
        let shortened = match (
            self.shortened_at,
            self.shortened_by_partner,
            self.shortened_by,
        ) {
            (Some(at), Some(partner), Some(by)) => Some((at.0, partner, by)),
            _ => None,
        };
        DeferralRecord {
            disclosure_id: self.disclosure_id,
            deferral: Deferral {
                until: self.until.0,
                reason: self.reason,
                set_by_partner: self.set_by_partner,
                set_by: self.set_by,
            },
            created_at: self.created_at.0,
            shortened,
        }
    }
}

/// The filters of a query as bind values; '' stands for "any" (a typed NULL would differ per
/// database).
struct Bounds {
    from: DbTime,
    to: DbTime,
    partner: String,
    activity: String,
    fourth: String,
    organisation: String,
    limit: i64,
}

impl Bounds {
    fn of(q: &AuditQuery, fourth: Option<&str>) -> Self {
        let far = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single();
        let (earliest, latest) = (far(1970), far(9999));
        Self {
            from: DbTime(q.from.or(earliest).unwrap_or_default()),
            to: DbTime(q.to.or(latest).unwrap_or_default()),
            partner: q.partner.clone().unwrap_or_default(),
            activity: q.activity.clone().unwrap_or_default(),
            fourth: fourth.unwrap_or_default().to_owned(),
            organisation: q.organisation.clone().unwrap_or_default(),
            limit: i64::from(q.limit.max(1)),
        }
    }
}

sql_impl! {
    impl SqlStore {
        /// Writes the deferral of disclosure `id`, in the transaction that appends it.
        pub(super) async fn insert_deferral(
            conn: &mut DB::Connection,
            id: &str,
            d: &Deferral,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO deferrals (disclosure_id, until, reason, set_by_partner, set_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(DbTime(d.until))
            .bind(d.reason.as_str())
            .bind(d.set_by_partner.as_str())
            .bind(d.set_by.as_str())
            .bind(DbTime(at))
            .execute(conn)
            .await?;
            Ok(())
        }

        pub(super) async fn read_deferrals(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<(Disclosure, DeferralRecord)>, StoreError> {
            let disclosures = self
                .read_audit_disclosures(q, &["f.disclosure_id IS NOT NULL"], None)
                .await?;
            let mut out = Vec::with_capacity(disclosures.len());
            for d in disclosures {
                let deferral = self.read_deferral(&d.id).await?;
                out.push((d, deferral));
            }
            Ok(out)
        }

        pub(super) async fn write_shorter_deferral(
            &self,
            id: &str,
            until: DateTime<Utc>,
            (partner, by): (&str, &str),
            now: DateTime<Utc>,
            organisation: Option<&str>,
        ) -> Result<Option<DeferralRecord>, StoreError> {
            let changed = sqlx::query(
                "UPDATE deferrals SET until = $1, shortened_at = $2, shortened_by_partner = $3,
                                      shortened_by = $4
                 WHERE disclosure_id = $5 AND until > $1 AND ($6 = '' OR set_by_partner = $6)",
            )
            .bind(DbTime(until))
            .bind(DbTime(now))
            .bind(partner)
            .bind(by)
            .bind(id)
            .bind(organisation.unwrap_or_default())
            .execute(&self.pool)
            .await?;
            if DB::rows_affected(&changed) != 1 {
                return Ok(None);
            }
            Ok(Some(self.read_deferral(id).await?))
        }

        async fn read_deferral(&self, id: &str) -> Result<DeferralRecord, StoreError> {
            let row: DeferralRow = sqlx::query_as(&format!(
                "SELECT {DEFERRAL_COLUMNS} FROM deferrals WHERE disclosure_id = $1"
            ))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            Ok(row.into_record())
        }

        /// The disclosures `q` asks for that also meet every condition of `only` (SQL over `d`, the
        /// disclosure, and `f`, its deferral), newest first.
        /// `only` may refer to `$8`, bound to `eighth` when given.
        pub(super) async fn read_audit_disclosures(
            &self,
            q: &AuditQuery,
            only: &[&str],
            eighth: Option<&str>,
        ) -> Result<Vec<Disclosure>, StoreError> {
            let b = Bounds::of(q, q.basis.map(|basis| basis.as_str()));
            let mut sql = format!("{DISCLOSURE_SELECT} WHERE {DISCLOSURE_FILTER}");
            for condition in only {
                sql.push_str(" AND ");
                sql.push_str(condition);
            }
            sql.push_str(" ORDER BY d.log_index DESC LIMIT $7");
            let mut query = sqlx::query_as(&sql)
                .bind(b.from)
                .bind(b.to)
                .bind(b.partner)
                .bind(b.activity)
                .bind(b.fourth)
                .bind(b.organisation)
                .bind(b.limit);
            if let Some(eighth) = eighth {
                query = query.bind(eighth);
            }
            let rows: Vec<DisclosureRow> = query.fetch_all(&self.pool).await?;
            self.disclosures(rows)
        }

        pub(super) async fn read_audit_decisions(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<DecisionRecord>, StoreError> {
            let b = Bounds::of(q, q.outcome.map(|o| o.as_str()));
            let rows: Vec<DecisionRow> = sqlx::query_as(&format!(
                "SELECT {DECISION_COLUMNS} FROM decisions
                 WHERE at >= $1 AND at < $2
                   AND ($3 = '' OR partner = $3 OR source = $3 OR recipient = $3)
                   AND ($4 = '' OR activity = $4)
                   AND ($5 = '' OR outcome = $5)
                   AND ($6 = '' OR partner = $6 OR source = $6 OR recipient = $6)
                 ORDER BY at DESC, id DESC LIMIT $7"
            ))
            .bind(b.from)
            .bind(b.to)
            .bind(b.partner)
            .bind(b.activity)
            .bind(b.fourth)
            .bind(b.organisation)
            .bind(b.limit)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(DecisionRow::into_decision).collect()
        }

        /// The reviews of the disclosures `ids`, oldest first.
        pub(super) async fn reviews_of(&self, ids: &[&str]) -> Result<Vec<Review>, StoreError> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list = placeholders(1, ids.len(), DB::placeholder);
            let sql = format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE disclosure_id IN {list} ORDER BY at, id"
            );
            let mut query = sqlx::query_as::<_, ReviewRow>(&sql);
            for id in ids {
                query = query.bind(*id);
            }
            query
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(ReviewRow::into_review)
                .collect()
        }

        pub(super) async fn write_review(
            &self,
            review: &Review,
            organisation: Option<&str>,
        ) -> Result<bool, StoreError> {
            let written = sqlx::query(
                "INSERT INTO reviews (id, disclosure_id, at, outcome, note, officer_partner, officer)
                 SELECT $1, d.id, $3, $4, $5, $6, $7 FROM disclosures d
                 WHERE d.id = $2 AND d.legal_basis <> 'consent'
                   AND ($8 = '' OR d.source = $8 OR d.recipient = $8)",
            )
            .bind(review.id.as_str())
            .bind(review.disclosure_id.as_str())
            .bind(DbTime(review.at))
            .bind(review.outcome.as_str())
            .bind(review.note.as_str())
            .bind(review.officer_partner.as_str())
            .bind(review.officer.as_str())
            .bind(organisation.unwrap_or_default())
            .execute(&self.pool)
            .await?;
            Ok(DB::rows_affected(&written) == 1)
        }

        pub(super) async fn write_audit_read(&self, read: &AuditRead) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO audit_reads (at, officer_partner, officer, what, query, results)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(DbTime(read.at))
            .bind(read.officer_partner.as_str())
            .bind(read.officer.as_str())
            .bind(read.what.as_str())
            .bind(read.query.as_str())
            .bind(i64::try_from(read.results).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await?;
            Ok(())
        }
    }
}
