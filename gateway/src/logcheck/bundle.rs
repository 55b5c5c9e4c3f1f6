//! An evidence bundle: one entry, its inclusion proof and a signed checkpoint, checked offline
//! against the log's key; and `gateway log export`, which writes the log's entries out.

use super::decode_path;
use anyhow::{Context, anyhow, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::merkle::{self};
use consent::{LogVerifier, hash_leaf, leaf_input, record_digest};
use serde::{Deserialize, Serialize};

/// What a resident downloads to prove one disclosure is in the log, offline and without trusting the
/// operator: the entry, what its leaf is made of, the inclusion proof, the signed checkpoint and
/// the log key (to be compared with a key obtained elsewhere).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EvidenceBundle {
    /// `amsterdam-privacy-gateway/evidence-bundle/v1`.
    pub format: String,
    pub disclosure_id: String,
    /// The whole record; `null` once it was erased (the leaf input still proves the entry).
    pub entry: Option<consent::NewDisclosure>,
    /// Hex of the salt mixed into the record digest (`consent/src/leaf.rs`); `null` once erased.
    pub salt: Option<String>,
    /// Base64 of the leaf input (the non-personal header and the record digest); its
    /// SHA-256(0x00 || input) is the leaf hash, which any RFC 9162 verifier can check.
    pub leaf_input: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    /// Base64 hashes of the inclusion path.
    pub path: Vec<String>,
    /// The signed checkpoint the proof is against.
    pub checkpoint: String,
    /// The log's verifier key as the gateway published it.
    pub log_key: String,
}

pub const BUNDLE_FORMAT: &str = "amsterdam-privacy-gateway/evidence-bundle/v1";

/// What a bundle proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    pub disclosure_id: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub origin: String,
}

/// Checks a bundle against the log key `vkey` obtained independently of the bundle: the entry gives
/// the leaf input and leaf hash, the proof puts that leaf in the tree whose root the checkpoint
/// signed, and the key signed it.
pub fn verify_bundle(bundle: &str, vkey: &str) -> anyhow::Result<BundleReport> {
    let bundle: EvidenceBundle = serde_json::from_str(bundle).context("not an evidence bundle")?;
    ensure!(
        bundle.format == BUNDLE_FORMAT,
        "unknown bundle format {:?}",
        bundle.format
    );
    let verifier = LogVerifier::parse(vkey).context("the log key")?;
    ensure!(
        bundle.log_key.trim() == verifier.vkey(),
        "the bundle names another log key than the one given: {}",
        bundle.log_key.trim()
    );
    let input = B64
        .decode(&bundle.leaf_input)
        .map_err(|_| anyhow!("the leaf input is not base64"))?;
    if let Some(entry) = &bundle.entry {
        let salt = bundle.salt.as_deref().unwrap_or_default();
        let salt = hex::decode(salt).map_err(|_| anyhow!("the salt is not hex"))?;
        let digest = record_digest(&salt, entry);
        ensure!(
            entry.id == bundle.disclosure_id && leaf_input(entry.into(), &digest) == input,
            "the entry does not give the bundle's leaf input: the entry was changed"
        );
    }
    let leaf = hash_leaf(&input);
    let checkpoint = verifier
        .verify_checkpoint(&bundle.checkpoint)
        .context("the bundle's checkpoint")?;
    ensure!(
        checkpoint.size == bundle.tree_size,
        "the proof is for {} entries, the checkpoint for {}",
        bundle.tree_size,
        checkpoint.size
    );
    let path = decode_path(&bundle.path)
        .ok_or_else(|| anyhow!("the proof holds a hash that is not 32 bytes"))?;
    merkle::verify_inclusion(
        &leaf,
        bundle.leaf_index,
        bundle.tree_size,
        &path,
        &checkpoint.root,
    )
    .context("the entry is not in the tree the checkpoint signed")?;
    Ok(BundleReport {
        disclosure_id: bundle.disclosure_id,
        leaf_index: bundle.leaf_index,
        tree_size: bundle.tree_size,
        origin: checkpoint.origin,
    })
}
