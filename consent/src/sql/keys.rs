//! The record keys ledger records are sealed under (one per Amsterdammer and epoch, wrapped by the
//! key-encryption key), the check that the key-encryption key is the ledger's, and sealing rows
//! written before records were sealed.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::disclosures::{DISCLOSURE_SELECT, DisclosureRow};
use super::encode::{DbTime, from_index, to_json};
use super::statements::placeholders;
use crate::leaf::{LeafHeader, hash_leaf, leaf_input, record_digest};
use crate::store::StoreError;
use crate::vault::{Kek, RecordKey, epoch_of};

/// Legacy rows sealed per transaction.
const LEGACY_CHUNK: i64 = 500;

type KeyRing = HashMap<(String, String), RecordKey>;

sql_impl! {
    impl SqlStore {
        /// The record keys of the `(subject, retention month)` pairs wanted; those that do not exist yet
        /// are made and stored. Runs inside the ledger's write transaction, which holds the ledger head:
        /// no other writer (on any replica) can make or erase the same key meanwhile.
        pub(super) async fn record_keys(
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
