//! Erasure (crypto-shredding): an Amsterdammer's record keys are destroyed and an erasure entry
//! names the entries that can no longer be opened.

use chrono::{DateTime, SubsecRound as _, Utc};
use tracing::instrument;

use super::encode::{DbTime, from_index, to_index, to_json};
use crate::leaf::{erasure_leaf_input, hash_leaf};
use crate::model::{Erase, ErasureEntry, ErasureReason};
use crate::store::StoreError;
use crate::vault::epoch_of;

/// Entries one erasure entry names at most; a larger erasure is several entries.
const ERASE_CHUNK: i64 = 1_000;

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn erase(
            &self,
            what: &Erase,
            now: DateTime<Utc>,
        ) -> Result<Vec<ErasureEntry>, StoreError> {
            let mut appended = Vec::new();
            while let Some(entry) = self.erase_step(what, now).await? {
                appended.push(entry);
            }
            Ok(appended)
        }

        /// One step of an erasure: up to [`ERASE_CHUNK`] entries lose their sealed record and are named
        /// by a new erasure entry of the log. When none are left, the keys go (all of the subject's,
        /// or every key of a retention month that has passed) and `None` is returned.
        pub(super) async fn erase_step(
            &self,
            what: &Erase,
            now: DateTime<Utc>,
        ) -> Result<Option<ErasureEntry>, StoreError> {
            let now = now.trunc_subsecs(6);
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            let (size,): (i64,) = sqlx::query_as(DB::LOCK_LEDGER_HEAD)
                .fetch_one(&mut *tx)
                .await?;
            let (reason, selection, key) = match what {
                Erase::Expired => (
                    ErasureReason::Retention,
                    "retain_until <= $1",
                    // Text order of `YYYY-MM` is time order.
                    ("DELETE FROM subject_keys WHERE epoch < $1", epoch_of(now)),
                ),
                Erase::Subject(subject) => (
                    ErasureReason::Request,
                    "subject = $1",
                    (
                        "DELETE FROM subject_keys WHERE subject = $1",
                        subject.as_str().to_owned(),
                    ),
                ),
            };
            let select = format!(
                "SELECT log_index FROM disclosures WHERE erased_by IS NULL AND {selection}
                 ORDER BY log_index LIMIT {ERASE_CHUNK}"
            );
            let query = sqlx::query_as::<_, (i64,)>(&select);
            let query = match what {
                Erase::Expired => query.bind(DbTime(now)),
                Erase::Subject(subject) => query.bind(subject.as_str()),
            };
            let entries = query
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(i,)| to_index(i))
                .collect::<Result<Vec<u64>, _>>()?;
            if entries.is_empty() {
                let (delete, value) = key;
                sqlx::query(delete).bind(value).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(None);
            }
            let id = uuid::Uuid::now_v7().to_string();
            let leaf_hash = hash_leaf(&erasure_leaf_input(&id, now, reason, &entries));
            sqlx::query(
                "INSERT INTO erasures (log_index, id, at, reason, entries, leaf_hash)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(size)
            .bind(id.as_str())
            .bind(DbTime(now))
            .bind(reason.as_str())
            .bind(to_json(&entries)?)
            .bind(hex::encode(leaf_hash))
            .execute(&mut *tx)
            .await?;
            let (first, last) = (entries[0], entries[entries.len() - 1]);
            let update = format!(
                "UPDATE disclosures SET sealed = NULL, erased_by = $1
                 WHERE erased_by IS NULL AND log_index >= $2 AND log_index <= $3 AND {}",
                selection.replace("$1", "$4")
            );
            let update = sqlx::query(&update)
                .bind(size)
                .bind(from_index(first)?)
                .bind(from_index(last)?);
            let update = match what {
                Erase::Expired => update.bind(DbTime(now)),
                Erase::Subject(subject) => update.bind(subject.as_str()),
            };
            let erased = DB::rows_affected(&update.execute(&mut *tx).await?);
            if erased != entries.len() as u64 {
                return Err(StoreError::Corrupt(format!(
                    "an erasure selected {} entries but erased {erased}",
                    entries.len()
                )));
            }
            sqlx::query("UPDATE ledger_head SET size = $1 WHERE id = 1")
                .bind(size + 1)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(ErasureEntry {
                log_index: to_index(size)?,
                id,
                at: now,
                reason,
                entries,
                leaf_hash,
            }))
        }
    }
}
