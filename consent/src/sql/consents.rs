//! An Amsterdammer's consents: recording, amending, confirming, refusing and revoking them, and
//! reading them back with or without their histories.

use chrono::{DateTime, Utc};
use tracing::instrument;

use super::consent_rows::{
    CONSENT_COLUMNS, ConsentHistoryRow, ConsentRow, consents_from_joined, consents_with_history,
};
use super::encode::DbTime;
use super::statements::ConsentKey;
use crate::SubjectId;
use crate::model::{Actor, Consent, ConsentChange, NewConsent};
use crate::store::StoreError;

/// An Amsterdammer's consents, oldest first, without their histories.
pub(super) fn consents_to_decide() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE subject = $1 ORDER BY created_at, id")
    })
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn insert_consent(
            &self,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Consent, StoreError> {
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            Self::insert_version(&mut tx, id, c, now, 1, None).await?;
            let consent = Self::load_consents(&mut tx, ConsentKey::Id, id)
                .await?
                .pop();
            tx.commit().await?;
            consent.ok_or_else(|| {
                StoreError::Corrupt(format!("consent {id} vanished while being recorded"))
            })
        }

        #[instrument(skip_all)]
        pub(super) async fn amend_consent(
            &self,
            old: &str,
            id: &str,
            c: &NewConsent,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            // Only a version still in force can be replaced; the row lock this takes makes a concurrent
            // revocation or amendment of the same version wait, and then find it ended.
            let replaced: Option<(i64,)> = sqlx::query_as(
                "UPDATE consents SET superseded_at = $1, superseded_by = $2
                 WHERE id = $3 AND revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL
                   AND valid_until > $1
                 RETURNING version",
            )
            .bind(DbTime(now))
            .bind(id)
            .bind(old)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((version,)) = replaced else {
                return Ok(None);
            };
            let version = u32::try_from(version + 1)
                .map_err(|_| StoreError::Corrupt(format!("consent {old} version {version}")))?;
            Self::add_event(&mut tx, old, now, ConsentChange::Superseded, &c.recorded_by).await?;
            Self::insert_version(&mut tx, id, c, now, version, Some(old)).await?;
            let consent = Self::load_consents(&mut tx, ConsentKey::Id, id)
                .await?
                .pop();
            tx.commit().await?;
            Ok(consent)
        }

        #[instrument(skip_all)]
        pub(super) async fn consent(&self, id: &str) -> Result<Option<Consent>, StoreError> {
            Ok(self.read_consents(ConsentKey::Id, id).await?.pop())
        }

        #[instrument(skip_all)]
        pub(super) async fn consents_of(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            self.read_consents(ConsentKey::Subject, subject.as_str())
                .await
        }

        #[instrument(skip_all)]
        pub(super) async fn consents_to_decide(&self, subject: &SubjectId) -> Result<Vec<Consent>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.consents_to_decide(subject.as_str());
            }
            let rows: Vec<ConsentRow> = sqlx::query_as(consents_to_decide())
                .bind(subject.as_str())
                .fetch_all(&self.pool)
                .await?;
            consents_with_history(rows, Vec::new())
        }

        #[instrument(skip_all)]
        pub(super) async fn consents_expiring(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.read_between(
                "revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL \
                 AND valid_until > $1 AND valid_until <= $2",
                "valid_until, id",
                after,
                until,
            )
            .await
        }

        #[instrument(skip_all)]
        pub(super) async fn consents_changed(
            &self,
            after: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<Vec<Consent>, StoreError> {
            self.read_between(
                "(revoked_at > $1 AND revoked_at <= $2) OR (superseded_at > $1 AND superseded_at <= $2) \
                 OR (valid_until > $1 AND valid_until <= $2)",
                "id",
                after,
                until,
            )
            .await
        }

        #[instrument(skip_all)]
        pub(super) async fn revoke_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET revoked_at = $1
                 WHERE id = $2 AND revoked_at IS NULL AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Revoked,
            )
            .await
        }

        #[instrument(skip_all)]
        pub(super) async fn confirm_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET confirmed_at = $1
                 WHERE id = $2 AND confirmed_at IS NULL AND revoked_at IS NULL
                   AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Confirmed,
            )
            .await
        }

        #[instrument(skip_all)]
        pub(super) async fn refuse_consent(
            &self,
            id: &str,
            by: &Actor,
            now: DateTime<Utc>,
        ) -> Result<Option<Consent>, StoreError> {
            self.transition(
                id,
                by,
                now,
                "UPDATE consents SET refused_at = $1
                 WHERE id = $2 AND confirmed_at IS NULL AND revoked_at IS NULL
                   AND superseded_at IS NULL AND refused_at IS NULL",
                ConsentChange::Refused,
            )
            .await
        }

        /// The consents under `key` with their histories, in one statement (so from one snapshot,
        /// inside a transaction or not).
        pub(super) async fn load_consents(
            conn: &mut DB::Connection,
            key: ConsentKey,
            value: &str,
        ) -> Result<Vec<Consent>, StoreError> {
            let rows: Vec<ConsentHistoryRow> = sqlx::query_as(key.query())
                .bind(value)
                .fetch_all(&mut *conn)
                .await?;
            consents_from_joined(rows)
        }

        /// A consent and its history come from one statement, so no transaction is needed: one round
        /// trip (the exchange's consent lookup; a transaction took four).
        pub(super) async fn read_consents(
            &self,
            key: ConsentKey,
            value: &str,
        ) -> Result<Vec<Consent>, StoreError> {
            if let Some(direct) = &self.direct {
                return direct.consents(key, value);
            }
            let mut conn = self.pool.acquire().await?;
            Self::load_consents(&mut conn, key, value).await
        }
    }
}
