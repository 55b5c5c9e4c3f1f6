//! Representations (a curator, mentor, parent or authorised person acting for an Amsterdammer):
//! recording, confirming and ending them, and reading them back.

use chrono::{DateTime, Utc};
use policies::RepresentativeRole;
use sqlx::FromRow;
use tracing::instrument;

use super::encode::DbTime;
use super::encode::digest;
use crate::SubjectId;
use crate::model::{
    AuditQuery, NewRepresentation, RecordedRepresentation, Representation, RepresentationChange,
    RepresentationEntry,
};
use crate::store::StoreError;

pub const REPRESENTATION_COLUMNS: &str = "id, representative, represented, role, basis, document_sha256, label, \
     valid_from, valid_until, recorded_by_partner, professional, created_at, ended_at, confirmed_at, confirmed_by, ended_by";

/// A [`RepresentationRow`] with what its officers review it by.
#[derive(Debug, FromRow)]
pub struct RecordedRepresentationRow {
    #[sqlx(flatten)]
    pub representation: RepresentationRow,
    pub first_used_at: Option<DbTime>,
    pub representative_represents: i64,
}

#[derive(Debug, FromRow)]
pub struct RepresentationRow {
    id: String,
    representative: String,
    represented: String,
    role: String,
    basis: String,
    document_sha256: String,
    label: Option<String>,
    valid_from: DbTime,
    valid_until: DbTime,
    recorded_by_partner: String,
    professional: String,
    created_at: DbTime,
    ended_at: Option<DbTime>,
    confirmed_at: Option<DbTime>,
    confirmed_by: Option<String>,
    ended_by: Option<String>,
}

impl RepresentationRow {
    pub fn into_representation(self) -> Result<Representation, StoreError> {
        Ok(Representation {
            role: RepresentativeRole::parse(&self.role).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown representation role {:?}", self.role))
            })?,
            document_sha256: digest(self.document_sha256)?,
            representative: SubjectId::from_stored(self.representative),
            represented: SubjectId::from_stored(self.represented),
            basis: self.basis,
            label: self.label,
            valid_from: self.valid_from.0,
            valid_until: self.valid_until.0,
            recorded_by_partner: self.recorded_by_partner,
            professional: self.professional,
            created_at: self.created_at.0,
            ended_at: self.ended_at.map(|t| t.0),
            confirmed_at: self.confirmed_at.map(|t| t.0),
            confirmed_by: self.confirmed_by,
            ended_by: self.ended_by,
            id: self.id,
        })
    }
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn insert_representation(
            &self,
            id: &str,
            r: &NewRepresentation,
            now: DateTime<Utc>,
        ) -> Result<Representation, StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let row: RepresentationRow = sqlx::query_as(&format!(
                "INSERT INTO representations ({REPRESENTATION_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, NULL, NULL)
                 RETURNING {REPRESENTATION_COLUMNS}"
            ))
            .bind(id)
            .bind(r.representative.as_str())
            .bind(r.represented.as_str())
            .bind(r.role.as_str())
            .bind(r.basis.as_str())
            .bind(r.document_sha256.as_str())
            .bind(r.label.as_deref())
            .bind(DbTime(r.valid_from))
            .bind(DbTime(r.valid_until))
            .bind(r.recorded_by.party.as_str())
            .bind(r.recorded_by.professional.as_deref().unwrap_or_default())
            .bind(DbTime(now))
            .fetch_one(&mut *tx)
            .await?;
            let by = match &r.recorded_by.professional {
                Some(professional) => format!("{}/{professional}", r.recorded_by.party),
                None => r.recorded_by.party.clone(),
            };
            let entry = RepresentationEntry::seal(
                id,
                r.represented.clone(),
                now,
                RepresentationChange::Recorded,
                &by,
            )?;
            Self::append_representation_entry(&mut tx, &entry).await?;
            tx.commit().await?;
            row.into_representation()
        }

        #[instrument(skip_all)]
        pub(super) async fn representation(&self, id: &str) -> Result<Option<Representation>, StoreError> {
            let row: Option<RepresentationRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_COLUMNS} FROM representations WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            row.map(RepresentationRow::into_representation).transpose()
        }

        #[instrument(skip_all)]
        pub(super) async fn representations_of(
            &self,
            person: &SubjectId,
        ) -> Result<Vec<Representation>, StoreError> {
            let rows: Vec<RepresentationRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_COLUMNS} FROM representations
                 WHERE representative = $1 OR represented = $1 ORDER BY created_at, id"
            ))
            .bind(person.as_str())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(RepresentationRow::into_representation)
                .collect()
        }

        #[instrument(skip_all)]
        pub(super) async fn recorded_representations(
            &self,
            q: &AuditQuery,
        ) -> Result<Vec<RecordedRepresentation>, StoreError> {
            let page = super::refusals::RecordedPage::of(q);
            static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = SQL.get_or_init(|| {
                format!(
                    "SELECT {REPRESENTATION_COLUMNS},
                        (SELECT MIN(u.at) FROM (
                            SELECT e.at FROM consent_events e WHERE e.representation_id = r.id
                            UNION ALL
                            SELECT f.created_at FROM refusals f WHERE f.representation_id = r.id) u
                        ) AS first_used_at,
                        (SELECT COUNT(DISTINCT o.represented) FROM representations o
                          WHERE o.representative = r.representative AND o.ended_at IS NULL
                        ) AS representative_represents
                     FROM representations r
                     WHERE ($1 = '' OR r.recorded_by_partner = $1) AND r.created_at >= $2
                       AND (r.created_at < $3 OR (r.created_at = $3 AND r.id < $4))
                     ORDER BY r.created_at DESC, r.id DESC LIMIT $5"
                )
            });
            let rows: Vec<RecordedRepresentationRow> = sqlx::query_as(sql)
                .bind(page.organisation)
                .bind(page.from)
                .bind(page.before.0)
                .bind(page.before.1)
                .bind(page.limit)
                .fetch_all(&self.pool)
                .await?;
            rows.into_iter()
                .map(|row| {
                    Ok(RecordedRepresentation {
                        representation: row.representation.into_representation()?,
                        first_used_at: row.first_used_at.map(|t| t.0),
                        representative_represents: u64::try_from(row.representative_represents)
                            .unwrap_or_default(),
                    })
                })
                .collect()
        }

        #[instrument(skip_all)]
        pub(super) async fn end_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            const SQL: &str = "UPDATE representations SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at IS NULL";
            self.change_representation(SQL, id, by, now, RepresentationChange::Ended)
                .await?;
            self.representation(id).await
        }

        #[instrument(skip_all)]
        pub(super) async fn confirm_representation(
            &self,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
        ) -> Result<Option<Representation>, StoreError> {
            const SQL: &str = "UPDATE representations SET confirmed_at = $1, confirmed_by = $2
                 WHERE id = $3 AND confirmed_at IS NULL AND ended_at IS NULL";
            self.change_representation(SQL, id, by, now, RepresentationChange::Confirmed)
                .await?;
            self.representation(id).await
        }

        /// Runs `sql` (`$1` now, `$2` by, `$3` the id) on representation `id` and, if it changed it,
        /// appends the change to the log in the same transaction.
        pub(super) async fn change_representation(
            &self,
            sql: &str,
            id: &str,
            by: &str,
            now: DateTime<Utc>,
            event: RepresentationChange,
        ) -> Result<(), StoreError> {
            let mut tx = self.pool.begin_with(DB::BEGIN_WRITE).await?;
            let changed = sqlx::query(sql)
                .bind(DbTime(now))
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if DB::rows_affected(&changed) == 1 {
                let (represented,): (String,) =
                    sqlx::query_as("SELECT represented FROM representations WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                let entry =
                    RepresentationEntry::seal(id, SubjectId::from_stored(represented), now, event, by)?;
                Self::append_representation_entry(&mut tx, &entry).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        /// Appends representation change `entry` to the log at the ledger's head (locked here until
        /// the caller commits).
        pub(super) async fn append_representation_entry(
            conn: &mut DB::Connection,
            entry: &RepresentationEntry,
        ) -> Result<(), StoreError> {
            let size = Self::lock_head(conn).await?;
            sqlx::query(
                "INSERT INTO representation_entries (log_index, id, at, event, actor, representation_id,
                                                     subject, professional, salt, record_digest, leaf_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(size)
            .bind(entry.id.as_str())
            .bind(DbTime(entry.at))
            .bind(entry.event.as_str())
            .bind(entry.actor.as_str())
            .bind(entry.representation_id.as_str())
            .bind(entry.subject.as_str())
            .bind(entry.professional.as_deref())
            .bind(entry.salt.as_str())
            .bind(hex::encode(entry.record_digest))
            .bind(hex::encode(entry.leaf_hash))
            .execute(&mut *conn)
            .await?;
            Self::advance_head(conn, size).await
        }
    }
}
