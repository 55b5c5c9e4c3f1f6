//! The ledger's own statements: appending sealed records, the record keys they are sealed under,
//! erasing, and sealing rows written before records were sealed. See `vault` for the keys.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, SubsecRound as _, Utc};
use sqlx::Executor;

use super::encode::{DbTime, from_index, to_index, to_json};
use super::rows::{DISCLOSURE_COLUMNS, DISCLOSURE_SELECT, DisclosureRow, hash32};
use super::statements::placeholders;
use crate::leaf::{LeafHeader, erasure_leaf_input, hash_leaf, leaf_input, record_digest};
use crate::model::{Erase, ErasureEntry, ErasureReason, NewDisclosure};
use crate::seal::Seal;
use crate::store::{Checkpointer, PendingCheckpoint, StoreError, StoredCheckpoint};
use crate::vault::{Kek, RecordKey, epoch_of};

/// Entries one erasure entry names at most; a larger erasure is several entries.
const ERASE_CHUNK: i64 = 1_000;

/// Legacy rows sealed per transaction.
const LEGACY_CHUNK: i64 = 500;

type KeyRing = HashMap<(String, String), RecordKey>;

sql_impl! {
    impl SqlStore {
        /// The leaf hashes of entries `from..to`, in log order, over `executor` (the pool, or the
        /// transaction that holds the ledger head).
        pub(super) async fn read_leaf_hashes<'c, E>(
            executor: E,
            from: u64,
            to: u64,
        ) -> Result<Vec<[u8; 32]>, StoreError>
        where
            E: Executor<'c, Database = DB>,
        {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT log_index, leaf_hash FROM disclosures WHERE log_index >= $1 AND log_index < $2
                 UNION ALL
                 SELECT log_index, leaf_hash FROM erasures WHERE log_index >= $1 AND log_index < $2
                 UNION ALL
                 SELECT log_index, leaf_hash FROM consent_entries WHERE log_index >= $1 AND log_index < $2
                 UNION ALL
                 SELECT log_index, leaf_hash FROM representation_entries WHERE log_index >= $1 AND log_index < $2
                 ORDER BY log_index",
            )
            .bind(from_index(from)?)
            .bind(from_index(to)?)
            .fetch_all(executor)
            .await?;
            let gap = || StoreError::Corrupt(format!("the ledger has a gap between {from} and {to}"));
            if rows.len() as u64 != to.saturating_sub(from) {
                return Err(gap());
            }
            rows.iter()
                .zip(from..)
                .map(|((index, hash), expected)| {
                    if to_index(*index)? == expected {
                        hash32(hash)
                    } else {
                        Err(gap())
                    }
                })
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

        /// The key-encryption key; a store opened only to inspect may have none.
        pub(super) fn sealing_key(&self) -> Result<&Kek, StoreError> {
            self.kek.as_ref().ok_or_else(|| {
                StoreError::WrongKey("the store was opened without the ledger key".into())
            })
        }

        /// Every disclosure of a batch in one statement, at consecutive log indexes from `first`, each
        /// record sealed under its subject's key for its retention month (made here if it is the first).
        pub(super) async fn insert_disclosures(
            conn: &mut DB::Connection,
            kek: &Kek,
            first: u64,
            disclosures: &[(&NewDisclosure, &Seal)],
        ) -> Result<(), StoreError> {
            let Some((earliest, _)) = disclosures.first() else {
                return Ok(());
            };
            let wanted: BTreeSet<(&str, String)> = disclosures
                .iter()
                .map(|(d, _)| (d.subject.as_str(), epoch_of(d.retain_until)))
                .collect();
            let keys = Self::record_keys(&mut *conn, kek, &wanted, earliest.at).await?;
            let rows = disclosures
                .iter()
                .enumerate()
                .map(|(i, (d, seal))| {
                    let key = keys
                        .get(&(d.subject.as_str().to_owned(), epoch_of(d.retain_until)))
                        .ok_or_else(|| StoreError::Corrupt("a record key was not made".into()))?;
                    let personal = to_json(&d.personal(&seal.salt))?;
                    let sealed = key
                        .seal(&d.id, d.subject.as_str(), personal.as_bytes())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok((from_index(first + i as u64)?, sealed))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let sql = format!(
                "INSERT INTO disclosures ({DISCLOSURE_COLUMNS}) VALUES {}",
                placeholders(disclosures.len(), 15, DB::placeholder)
            );
            let mut insert = sqlx::query(&sql);
            for ((d, seal), (index, sealed)) in disclosures.iter().zip(&rows) {
                insert = insert
                    .bind(*index)
                    .bind(d.id.as_str())
                    .bind(DbTime(d.at))
                    .bind(d.mode.as_str())
                    .bind(d.source.as_str())
                    .bind(d.recipient.as_str())
                    .bind(d.subject.as_str())
                    .bind(d.activity.as_str())
                    .bind(d.legal_basis.as_str())
                    .bind(d.decision_id.as_str())
                    .bind(DbTime(d.retain_until))
                    .bind(epoch_of(d.retain_until))
                    .bind(hex::encode(seal.record_digest))
                    .bind(sealed.as_str())
                    .bind(hex::encode(seal.leaf_hash));
            }
            insert.execute(conn).await?;
            Ok(())
        }

        /// The record keys of the `(subject, retention month)` pairs wanted; those that do not exist yet
        /// are made and stored. Runs inside the ledger's write transaction, which holds the ledger head:
        /// no other writer (on any replica) can make or erase the same key meanwhile.
        async fn record_keys(
            conn: &mut DB::Connection,
            kek: &Kek,
            wanted: &BTreeSet<(&str, String)>,
            now: DateTime<Utc>,
        ) -> Result<KeyRing, StoreError> {
            let subjects: BTreeSet<&str> = wanted.iter().map(|(s, _)| *s).collect();
            let list = (1..=subjects.len())
                .map(DB::placeholder)
                .collect::<Vec<_>>()
                .join(", ");
            let sql =
                format!("SELECT subject, epoch, wrapped FROM subject_keys WHERE subject IN ({list})");
            let mut select = sqlx::query_as::<_, (String, String, String)>(&sql);
            for subject in &subjects {
                select = select.bind(*subject);
            }
            let mut keys = KeyRing::new();
            for (subject, epoch, wrapped) in select.fetch_all(&mut *conn).await? {
                if wanted.contains(&(subject.as_str(), epoch.clone())) {
                    let key = kek
                        .unwrap(&subject, &epoch, &wrapped)
                        .map_err(|e| StoreError::WrongKey(e.to_string()))?;
                    keys.insert((subject, epoch), key);
                }
            }
            let mut made = Vec::new();
            for (subject, epoch) in wanted {
                let id = ((*subject).to_owned(), epoch.clone());
                if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(id) {
                    let (key, wrapped) = kek
                        .new_record_key(subject, epoch)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    slot.insert(key);
                    made.push((*subject, epoch.as_str(), wrapped));
                }
            }
            if !made.is_empty() {
                let sql = format!(
                    "INSERT INTO subject_keys (subject, epoch, wrapped, kek_id, created_at) VALUES {}",
                    placeholders(made.len(), 5, DB::placeholder)
                );
                let mut insert = sqlx::query(&sql);
                for (subject, epoch, wrapped) in &made {
                    insert = insert
                        .bind(*subject)
                        .bind(*epoch)
                        .bind(wrapped.as_str())
                        .bind(kek.id())
                        .bind(DbTime(now));
                }
                insert.execute(&mut *conn).await?;
            }
            Ok(keys)
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

        /// Refuses a key-encryption key other than the one the stored record keys were wrapped with.
        pub(super) async fn check_kek(&self) -> Result<(), StoreError> {
            let Some(kek) = &self.kek else {
                return Ok(());
            };
            let other: Option<(String,)> =
                sqlx::query_as("SELECT kek_id FROM subject_keys WHERE kek_id <> $1 LIMIT 1")
                    .bind(kek.id())
                    .fetch_optional(&self.pool)
                    .await?;
            match other {
                None => Ok(()),
                Some((stored,)) => Err(StoreError::WrongKey(format!(
                    "the ledger's record keys were wrapped with key {stored}, the key given is {}",
                    kek.id()
                ))),
            }
        }

        /// Seals the rows written before records were sealed (their personal part is in `legacy`, in
        /// the clear), checking on the way that each still gives its leaf hash.
        pub(super) async fn seal_legacy(&self) -> Result<u64, StoreError> {
            let kek = self.sealing_key()?;
            let mut sealed = 0;
            loop {
                let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
                sqlx::query(DB::LOCK_LEDGER_HEAD).execute(&mut *tx).await?;
                let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                    "{DISCLOSURE_SELECT} WHERE d.legacy IS NOT NULL ORDER BY d.log_index LIMIT {LEGACY_CHUNK}"
                ))
                .fetch_all(&mut *tx)
                .await?;
                if rows.is_empty() {
                    tx.commit().await?;
                    return Ok(sealed);
                }
                let entries = rows
                    .into_iter()
                    .map(DisclosureRow::into_legacy)
                    .collect::<Result<Vec<_>, _>>()?;
                let wanted: BTreeSet<(&str, String)> = entries
                    .iter()
                    .map(|e| (e.subject.as_str(), epoch_of(e.retain_until)))
                    .collect();
                let keys = Self::record_keys(&mut tx, kek, &wanted, Utc::now()).await?;
                for entry in &entries {
                    let (Some(personal), Some(record)) = (entry.personal(), entry.record()) else {
                        continue;
                    };
                    let corrupt = |what: &str| {
                        StoreError::Corrupt(format!("ledger entry {}: {what}", entry.log_index))
                    };
                    let salt =
                        hex::decode(&personal.salt).map_err(|_| corrupt("its salt is not hex"))?;
                    let digest = record_digest(&salt, &record);
                    if hash_leaf(&leaf_input(LeafHeader::from(entry), &digest)) != entry.leaf_hash {
                        return Err(corrupt(
                            "its record no longer gives its leaf hash: the entry was changed",
                        ));
                    }
                    let key = keys
                        .get(&(
                            entry.subject.as_str().to_owned(),
                            epoch_of(entry.retain_until),
                        ))
                        .ok_or_else(|| corrupt("its record key was not made"))?;
                    let text = key
                        .seal(
                            &entry.id,
                            entry.subject.as_str(),
                            to_json(personal)?.as_bytes(),
                        )
                        .map_err(|e| corrupt(&e.to_string()))?;
                    sqlx::query(
                        "UPDATE disclosures SET sealed = $1, record_digest = $2, legacy = NULL
                         WHERE log_index = $3",
                    )
                    .bind(text)
                    .bind(hex::encode(digest))
                    .bind(from_index(entry.log_index)?)
                    .execute(&mut *tx)
                    .await?;
                    sealed += 1;
                }
                tx.commit().await?;
            }
        }
    }
}
