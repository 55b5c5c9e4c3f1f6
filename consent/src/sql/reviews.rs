//! The review queue of disclosures under a basis other than consent, officers' reviews, and the
//! deferral of an Amsterdammer's notice.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tracing::instrument;

use super::encode::DbTime;
use super::statements::placeholders;
use crate::model::{
    AuditQuery, Deferral, DeferralRecord, Disclosure, Review, ReviewOutcome, ReviewSelection,
};
use crate::store::StoreError;

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

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn review_queue(
            &self,
            q: &AuditQuery,
            selection: &ReviewSelection,
        ) -> Result<Vec<(Disclosure, Vec<Review>)>, StoreError> {
            const OTHER_BASES: &str = "d.legal_basis <> 'consent'";
            const NOT_REVIEWED_BY: &str = "NOT EXISTS (SELECT 1 FROM reviews r
                WHERE r.disclosure_id = d.id AND r.officer_partner = $9)";
            // Some organisation's latest review (by time, then id, as the reviews are read) flags it.
            const FLAGGED: &str = "EXISTS (SELECT 1 FROM reviews r
                WHERE r.disclosure_id = d.id AND r.outcome = 'flag'
                  AND NOT EXISTS (SELECT 1 FROM reviews l
                      WHERE l.disclosure_id = r.disclosure_id AND l.officer_partner = r.officer_partner
                        AND (l.at > r.at OR (l.at = r.at AND l.id > r.id))))";
            let (only, ninth): (&[&str], _) = match selection {
                ReviewSelection::All => (&[OTHER_BASES], None),
                ReviewSelection::NotYetReviewedBy(partner) => {
                    (&[OTHER_BASES, NOT_REVIEWED_BY], Some(partner.as_str()))
                }
                ReviewSelection::Flagged => (&[OTHER_BASES, FLAGGED], None),
            };
            let disclosures = self.read_audit_disclosures(q, only, ninth).await?;
            let ids: Vec<&str> = disclosures.iter().map(|d| d.id.as_str()).collect();
            let mut reviews = self.reviews_of(&ids).await?;
            Ok(disclosures
                .into_iter()
                .map(|d| {
                    let (mine, rest) = reviews.drain(..).partition(|r| r.disclosure_id == d.id);
                    reviews = rest;
                    (d, mine)
                })
                .collect())
        }

        #[instrument(skip_all)]
        pub(super) async fn insert_review(
            &self,
            review: &Review,
            organisation: Option<&str>,
        ) -> Result<bool, StoreError> {
            self.write_review(review, organisation).await
        }

        #[instrument(skip_all)]
        pub(super) async fn deferrals(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<(Disclosure, DeferralRecord)>, StoreError> {
            self.read_deferrals(q).await
        }

        #[instrument(skip_all)]
        pub(super) async fn shorten_deferral(
            &self,
            disclosure_id: &str,
            until: DateTime<Utc>,
            by: (&str, &str),
            now: DateTime<Utc>,
            organisation: Option<&str>,
        ) -> Result<Option<DeferralRecord>, StoreError> {
            self.write_shorter_deferral(disclosure_id, until, by, now, organisation)
                .await
        }

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

        pub(super) async fn read_deferral(&self, id: &str) -> Result<DeferralRecord, StoreError> {
            let row: DeferralRow = sqlx::query_as(&format!(
                "SELECT {DEFERRAL_COLUMNS} FROM deferrals WHERE disclosure_id = $1"
            ))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            Ok(row.into_record())
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
    }
}
