//! The log's entries read back in log order, of every kind (disclosure, consent change,
//! representation change, erasure), and their leaf hashes: what proofs and `log verify` are built on.

use sqlx::{Executor, FromRow};
use tracing::instrument;

use super::checkpoints::hash32;
use super::disclosures::{DISCLOSURE_SELECT, DisclosureRow};
use super::encode::{DbTime, from_index, from_json, to_index};
use crate::SubjectId;
use crate::model::{
    ConsentChange, ConsentEntry, ErasureEntry, ErasureReason, LedgerEntry, RepresentationChange,
    RepresentationEntry,
};
use crate::store::StoreError;

pub const ERASURE_COLUMNS: &str = "log_index, id, at, reason, entries, leaf_hash";

pub const REPRESENTATION_ENTRY_COLUMNS: &str = "log_index, id, at, event, actor, representation_id, \
     subject, professional, salt, record_digest, leaf_hash";

pub const CONSENT_ENTRY_COLUMNS: &str = "log_index, id, at, event, actor, consent_id, subject, \
     professional, representation_id, salt, record_digest, leaf_hash";

#[derive(Debug, FromRow)]
pub struct ErasureRow {
    log_index: i64,
    id: String,
    at: DbTime,
    reason: String,
    entries: String,
    leaf_hash: String,
}

impl ErasureRow {
    pub fn into_erasure(self) -> Result<ErasureEntry, StoreError> {
        Ok(ErasureEntry {
            log_index: to_index(self.log_index)?,
            reason: ErasureReason::parse(&self.reason).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown erasure reason {:?}", self.reason))
            })?,
            entries: from_json(&self.entries)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct ConsentEntryRow {
    log_index: i64,
    id: String,
    at: DbTime,
    event: String,
    actor: String,
    consent_id: String,
    subject: String,
    professional: Option<String>,
    representation_id: Option<String>,
    salt: String,
    record_digest: String,
    leaf_hash: String,
}

impl ConsentEntryRow {
    pub fn into_entry(self) -> Result<ConsentEntry, StoreError> {
        Ok(ConsentEntry {
            log_index: to_index(self.log_index)?,
            event: ConsentChange::parse(&self.event).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown consent change {:?}", self.event))
            })?,
            record_digest: hash32(&self.record_digest)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
            actor: self.actor,
            consent_id: self.consent_id,
            subject: SubjectId::from_stored(self.subject),
            professional: self.professional,
            representation: self.representation_id,
            salt: self.salt,
        })
    }
}

#[derive(Debug, FromRow)]
pub struct RepresentationEntryRow {
    log_index: i64,
    id: String,
    at: DbTime,
    event: String,
    actor: String,
    representation_id: String,
    subject: String,
    professional: Option<String>,
    salt: String,
    record_digest: String,
    leaf_hash: String,
}

impl RepresentationEntryRow {
    pub fn into_entry(self) -> Result<RepresentationEntry, StoreError> {
        Ok(RepresentationEntry {
            log_index: to_index(self.log_index)?,
            event: RepresentationChange::parse(&self.event).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown representation change {:?}", self.event))
            })?,
            record_digest: hash32(&self.record_digest)?,
            leaf_hash: hash32(&self.leaf_hash)?,
            id: self.id,
            at: self.at.0,
            actor: self.actor,
            representation_id: self.representation_id,
            subject: SubjectId::from_stored(self.subject),
            professional: self.professional,
            salt: self.salt,
        })
    }
}

sql_impl! {
    impl SqlStore {
        #[instrument(skip_all)]
        pub(super) async fn ledger_size(&self) -> Result<u64, StoreError> {
            let (size,): (i64,) = sqlx::query_as("SELECT size FROM ledger_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
            to_index(size)
        }

        #[instrument(skip_all)]
        pub(super) async fn entries_between(&self, from: u64, to: u64) -> Result<Vec<LedgerEntry>, StoreError> {
            let (lo, hi) = (from_index(from)?, from_index(to)?);
            let mut tx = self.pool.begin_with(DB::BEGIN_READ).await?;
            let rows: Vec<DisclosureRow> = sqlx::query_as(&format!(
                "{DISCLOSURE_SELECT} WHERE d.log_index >= $1 AND d.log_index < $2 ORDER BY d.log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let erasures: Vec<ErasureRow> = sqlx::query_as(&format!(
                "SELECT {ERASURE_COLUMNS} FROM erasures WHERE log_index >= $1 AND log_index < $2
                 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let consents: Vec<ConsentEntryRow> = sqlx::query_as(&format!(
                "SELECT {CONSENT_ENTRY_COLUMNS} FROM consent_entries
                 WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            let representations: Vec<RepresentationEntryRow> = sqlx::query_as(&format!(
                "SELECT {REPRESENTATION_ENTRY_COLUMNS} FROM representation_entries
                 WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index"
            ))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            let mut entries: Vec<LedgerEntry> = self
                .disclosures(rows)?
                .into_iter()
                .map(|d| LedgerEntry::Disclosure(Box::new(d)))
                .collect();
            for erasure in erasures {
                entries.push(LedgerEntry::Erasure(erasure.into_erasure()?));
            }
            for consent in consents {
                entries.push(LedgerEntry::Consent(Box::new(consent.into_entry()?)));
            }
            for representation in representations {
                entries.push(LedgerEntry::Representation(Box::new(
                    representation.into_entry()?,
                )));
            }
            entries.sort_by_key(LedgerEntry::log_index);
            Ok(entries)
        }

        #[instrument(skip_all, fields(from, to))]
        pub(super) async fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError> {
            Self::read_leaf_hashes(&self.pool, from, to).await
        }

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
    }
}
