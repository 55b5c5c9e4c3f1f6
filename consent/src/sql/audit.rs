//! What privacy officers read: disclosures and decisions by period, partner, activity, basis and
//! outcome, and the record of every read of the audit API.

use chrono::{DateTime, TimeZone as _, Utc};
use tracing::instrument;

use super::disclosures::{DECISION_COLUMNS, DISCLOSURE_SELECT, DecisionRow, DisclosureRow};
use super::encode::DbTime;
use crate::model::{AuditQuery, AuditRead, Cursor, DecisionRecord, Disclosure};
use crate::store::StoreError;

/// The disclosures' filter: `$1`..`$7` as [`Bounds`] holds them.
const DISCLOSURE_FILTER: &str = "d.at >= $1 AND d.at < $2
    AND ($3 = '' OR d.source = $3 OR d.recipient = $3)
    AND ($4 = '' OR d.activity = $4)
    AND ($5 = '' OR d.legal_basis = $5)
    AND ($6 = '' OR d.source = $6 OR d.recipient = $6)
    AND d.log_index < $7";

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
    /// The page starts after this entry: before this ledger index, or before this decision.
    before_index: i64,
    before_decision: (DbTime, String),
}

/// The first moment of year `y`: an open end of a time range (1970, 9999) as the SQL compares it.
pub(super) fn year(y: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Bounds {
    fn of(q: &AuditQuery, fourth: Option<&str>) -> Self {
        let (earliest, latest) = (year(1970), year(9999));
        let before_index = match &q.before {
            Some(Cursor::Ledger(index)) => i64::try_from(*index).unwrap_or(i64::MAX),
            _ => i64::MAX,
        };
        let before_decision = match &q.before {
            Some(Cursor::Decision(at, id)) => (DbTime(*at), id.clone()),
            _ => (DbTime(latest), String::new()),
        };
        Self {
            before_index,
            before_decision,
            from: DbTime(q.from.unwrap_or(earliest)),
            to: DbTime(q.to.unwrap_or(latest)),
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
        #[instrument(skip_all)]
        pub(super) async fn audit_disclosures(&self, q: &AuditQuery) -> Result<Vec<Disclosure>, StoreError> {
            self.read_audit_disclosures(q, &[], None).await
        }

        #[instrument(skip_all)]
        pub(super) async fn audit_decisions(&self, q: &AuditQuery) -> Result<Vec<DecisionRecord>, StoreError> {
            self.read_audit_decisions(q).await
        }

        #[instrument(skip_all)]
        pub(super) async fn log_audit_read(&self, read: &AuditRead) -> Result<(), StoreError> {
            self.write_audit_read(read).await
        }

        /// The disclosures `q` asks for that also meet every condition of `only` (SQL over `d`, the
        /// disclosure, and `f`, its deferral), newest first.
        /// `only` may refer to `$9`, bound to `ninth` when given.
        pub(super) async fn read_audit_disclosures(
            &self,
            q: &AuditQuery,
            only: &[&str],
            ninth: Option<&str>,
        ) -> Result<Vec<Disclosure>, StoreError> {
            let b = Bounds::of(q, q.basis.map(|basis| basis.as_str()));
            let mut sql = format!("{DISCLOSURE_SELECT} WHERE {DISCLOSURE_FILTER}");
            for condition in only {
                sql.push_str(" AND ");
                sql.push_str(condition);
            }
            sql.push_str(" ORDER BY d.log_index DESC LIMIT $8");
            let mut query = sqlx::query_as(&sql)
                .bind(b.from)
                .bind(b.to)
                .bind(b.partner)
                .bind(b.activity)
                .bind(b.fourth)
                .bind(b.organisation)
                .bind(b.before_index)
                .bind(b.limit);
            if let Some(ninth) = ninth {
                query = query.bind(ninth);
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
                   AND (at < $7 OR (at = $7 AND id < $8))
                 ORDER BY at DESC, id DESC LIMIT $9"
            ))
            .bind(b.from)
            .bind(b.to)
            .bind(b.partner)
            .bind(b.activity)
            .bind(b.fourth)
            .bind(b.organisation)
            .bind(b.before_decision.0)
            .bind(b.before_decision.1)
            .bind(b.limit)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(DecisionRow::into_decision).collect()
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
