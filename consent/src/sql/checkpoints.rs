//! Signed checkpoints: stored in the transaction whose entries they cover, and read back.

use sqlx::FromRow;
use tracing::instrument;

use super::encode::{DbTime, from_index, to_index};
use crate::store::{Checkpointer, PendingCheckpoint, StoreError, StoredCheckpoint};

#[derive(Debug, FromRow)]
pub struct CheckpointRow {
    size: i64,
    root_hash: String,
    note: String,
    signed_at: DbTime,
}

impl CheckpointRow {
    pub fn into_checkpoint(self) -> Result<StoredCheckpoint, StoreError> {
        Ok(StoredCheckpoint {
            size: to_index(self.size)?,
            root: hash32(&self.root_hash)?,
            note: self.note,
            signed_at: self.signed_at.0,
        })
    }
}

/// A stored hex SHA-256 (leaf or root hash) back to bytes.
pub fn hash32(hex_text: &str) -> Result<[u8; 32], StoreError> {
    hex::decode(hex_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            StoreError::Corrupt(format!("stored hash {hex_text:?} is not 32 bytes of hex"))
        })
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
            let row: Option<CheckpointRow> = sqlx::query_as(
                "SELECT size, root_hash, note, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await?;
            row.map(CheckpointRow::into_checkpoint).transpose()
        }

        #[instrument(skip_all)]
        pub(super) async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
            let rows: Vec<CheckpointRow> = sqlx::query_as(
                "SELECT size, root_hash, note, signed_at FROM checkpoints ORDER BY size",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(CheckpointRow::into_checkpoint)
                .collect()
        }

        /// Stores a checkpoint unless one of its size is stored already (another replica signed it
        /// first); returns the note kept for the size.
        pub(super) async fn store_checkpoint(
            conn: &mut DB::Connection,
            checkpoint: &StoredCheckpoint,
        ) -> Result<String, StoreError> {
            let inserted = sqlx::query(
                "INSERT INTO checkpoints (size, root_hash, note, signed_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (size) DO NOTHING",
            )
            .bind(from_index(checkpoint.size)?)
            .bind(hex::encode(checkpoint.root))
            .bind(checkpoint.note.as_str())
            .bind(DbTime(checkpoint.signed_at))
            .execute(&mut *conn)
            .await?;
            if DB::rows_affected(&inserted) == 1 {
                return Ok(checkpoint.note.clone());
            }
            let (note,): (String,) = sqlx::query_as("SELECT note FROM checkpoints WHERE size = $1")
                .bind(from_index(checkpoint.size)?)
                .fetch_one(&mut *conn)
                .await?;
            Ok(note)
        }

        /// The checkpoint step of a transaction that holds the ledger head, which stood at `size`
        /// before the transaction appended `leaves`: the log's tree is brought to `size` from the
        /// ledger (what other replicas or an erasure appended), extended by `leaves` and signed; the
        /// checkpoint is stored in the transaction. The caller commits, then hands the stored
        /// checkpoint back to the pending tree; should the commit fail, dropping it rolls the tree back.
        pub(super) async fn checkpoint_in<'k>(
            conn: &mut DB::Connection,
            checkpointer: &'k dyn Checkpointer,
            size: u64,
            leaves: &[[u8; 32]],
        ) -> Result<(Box<dyn PendingCheckpoint + 'k>, Option<StoredCheckpoint>), StoreError> {
            let mut pending = checkpointer.hold().await;
            let held = pending.size();
            if held > size {
                return Err(StoreError::Corrupt(format!(
                    "the log's tree holds {held} entries but the ledger only {size}"
                )));
            }
            // Usually the tree holds the whole ledger already (this writer appended the rest): no read.
            let mut all = if held == size {
                Vec::with_capacity(leaves.len())
            } else {
                Self::read_leaf_hashes(&mut *conn, held, size).await?
            };
            all.extend_from_slice(leaves);
            let stored = match pending.sign(&all)? {
                Some(mut checkpoint) => {
                    checkpoint.note = Self::store_checkpoint(conn, &checkpoint).await?;
                    Some(checkpoint)
                }
                None => None,
            };
            Ok((pending, stored))
        }
    }
}
