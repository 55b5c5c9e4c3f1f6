//! Sealing what the ledger appends: each entry gets a fresh salt, the salted digest of its record
//! and the leaf hash the Merkle tree commits to (the encodings are in `leaf`). It sits between the
//! records (`model`) and the store, which takes sealed writes and never computes a digest itself.

use chrono::{DateTime, Utc};

use crate::SubjectId;
use crate::error::StoreError;
use crate::leaf;
use crate::model::{
    ConsentChange, ConsentEntry, DecisionRecord, Deferral, NewDisclosure, RepresentationChange,
    RepresentationEntry,
};

/// A disclosure with what the Merkle tree commits to.
#[derive(Debug, Clone)]
pub struct Seal {
    /// 16 random bytes (hex) mixed into the leaf, so a leaf cannot be confirmed by guessing the record.
    pub salt: String,
    /// The salted digest of the record that the leaf commits to.
    pub record_digest: [u8; 32],
    /// RFC 9162 leaf hash of the frozen v1 leaf encoding (see [`crate::leaf`]).
    pub leaf_hash: [u8; 32],
}

impl Seal {
    /// What the leaf of `record` commits to under `salt`.
    pub fn of(salt: &[u8], record: &NewDisclosure) -> Self {
        let record_digest = leaf::record_digest(salt, record);
        Self {
            salt: hex::encode(salt),
            record_digest,
            leaf_hash: leaf::hash_leaf(&leaf::leaf_input(record.into(), &record_digest)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SealedWrite {
    pub decision: DecisionRecord,
    pub disclosure: Option<(NewDisclosure, Seal)>,
    pub deferral: Option<Deferral>,
}

/// A fresh random salt for a log entry's digest.
fn entry_salt() -> Result<[u8; 16], StoreError> {
    use ring::rand::SecureRandom as _;
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| StoreError::Corrupt("no randomness for the entry salt".into()))?;
    Ok(salt)
}

impl ConsentEntry {
    /// The entry of one change, sealed under a fresh random salt; its log index is given when it
    /// is appended.
    pub fn seal(
        consent_id: &str,
        subject: SubjectId,
        at: DateTime<Utc>,
        event: ConsentChange,
        actor: String,
        professional: Option<String>,
        representation: Option<String>,
    ) -> Result<Self, StoreError> {
        let salt = entry_salt()?;
        let mut entry = Self {
            log_index: 0,
            id: uuid::Uuid::now_v7().to_string(),
            at,
            event,
            actor,
            consent_id: consent_id.to_owned(),
            subject,
            professional,
            representation,
            salt: hex::encode(salt),
            record_digest: [0; 32],
            leaf_hash: [0; 32],
        };
        entry.record_digest = leaf::consent_digest(&salt, &entry);
        entry.leaf_hash = leaf::hash_leaf(&leaf::consent_leaf_input(&entry, &entry.record_digest));
        Ok(entry)
    }
}

impl RepresentationEntry {
    /// The entry of one change, sealed under a fresh random salt; its log index is given when it
    /// is appended. `by` is as stored: `amsterdammer` or `<partner>/<professional>`.
    pub fn seal(
        representation_id: &str,
        subject: SubjectId,
        at: DateTime<Utc>,
        event: RepresentationChange,
        by: &str,
    ) -> Result<Self, StoreError> {
        let salt = entry_salt()?;
        let (actor, professional) = match by.split_once('/') {
            Some((party, professional)) => (party.to_owned(), Some(professional.to_owned())),
            None => (by.to_owned(), None),
        };
        let mut entry = Self {
            log_index: 0,
            id: uuid::Uuid::now_v7().to_string(),
            at,
            event,
            actor,
            representation_id: representation_id.to_owned(),
            subject,
            professional,
            salt: hex::encode(salt),
            record_digest: [0; 32],
            leaf_hash: [0; 32],
        };
        entry.record_digest = leaf::representation_digest(&salt, &entry);
        entry.leaf_hash = leaf::hash_leaf(&leaf::representation_leaf_input(
            &entry,
            &entry.record_digest,
        ));
        Ok(entry)
    }
}
