//! `gateway log verify` and `gateway log monitor`: checking the log with nothing but what it
//! publishes (the verifier key), as an auditor or a CT-style monitor would, not trusting the operator.
//!
//! - verify: re-derives every leaf from what is stored (with the ledger key, from the record itself;
//!   an erased entry from its header and record digest), rebuilds the tree, checks that every erased
//!   entry is named by exactly the erasure entry it points to, and checks every stored checkpoint's
//!   signature, that its root is the tree's at its size, and that each extends the one before;
//!   optionally that a checkpoint kept from earlier is still extended.
//! - monitor: fetches the public checkpoint, checks its signature and that it extends the one seen
//!   last time (a consistency proof from the log), and remembers it; a fork, a shrinking log, a bad
//!   signature or a changed key is an error.

use anyhow::{Context, anyhow, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::merkle::{self, Hash, Tree};
use consent::{
    Checkpoint, Content, Kek, LeafHeader, LedgerEntry, LogVerifier, consent_digest,
    consent_leaf_input, erasure_leaf_input, hash_leaf, leaf_input, record_digest,
    representation_digest, representation_leaf_input,
};
use std::collections::BTreeSet;

mod bundle;
mod monitor;

pub use bundle::{BUNDLE_FORMAT, BundleReport, EvidenceBundle, verify_bundle};
pub use monitor::{MonitorReport, MonitorState, monitor};

/// Entries read per query.
const CHUNK: u64 = 10_000;

/// What `verify` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    /// Disclosures whose record was opened and gives its digest (none without the ledger key).
    pub readable: u64,
    /// Disclosures erased, each named by its erasure entry.
    pub erased: u64,
    /// Disclosures left sealed (checked without the ledger key).
    pub sealed: u64,
    /// Erasure entries.
    pub erasures: u64,
    /// Consent entries (changes in a consent's life), each checked against its digest.
    pub consent_changes: u64,
    /// Representation entries (changes in a representation's life), each checked likewise.
    pub representation_changes: u64,
    pub root: Hash,
    pub checkpoints: usize,
    /// The size of a given earlier checkpoint that the log still extends.
    pub given: Option<u64>,
}

/// Checks the ledger in the database at `database_url` against the log key `vkey`; with the ledger
/// key `kek`, every readable record is opened and checked against its digest too.
pub async fn verify(
    database_url: &str,
    vkey: &str,
    given: Option<&str>,
    kek: Option<Kek>,
) -> anyhow::Result<VerifyReport> {
    let verifier = LogVerifier::parse(vkey).context("the log key")?;
    let store = consent::connect_to_inspect(database_url, kek)
        .await
        .context("cannot open the database")?;
    let mut tree = Tree::new();
    let mut entries = Entries::default();
    let size = each_entry(store.as_ref(), |entry| {
        let index = entry.log_index();
        ensure!(
            index == tree.size(),
            "the ledger has a gap before entry {index}"
        );
        tree.push(entries.check(entry)?);
        Ok(())
    })
    .await?;
    ensure!(
        entries.erased_by == entries.named_by,
        "an erased entry and the erasure entries disagree: an entry was erased without an erasure entry \
         naming it, or an erasure entry names an entry that is not erased"
    );
    let mut previous: Option<Checkpoint> = None;
    let stored = store.checkpoints().await?;
    for row in &stored {
        let signed = verifier
            .verify_checkpoint(&row.note)
            .with_context(|| format!("the checkpoint of size {}", row.size))?;
        ensure!(
            signed.size == row.size && signed.root == row.root,
            "the checkpoint of size {} is stored with another size or root than it was signed with",
            row.size
        );
        extends(&tree, &signed, "stored")?;
        if let Some(before) = &previous {
            let proof = tree.consistency_proof(before.size, signed.size)?;
            merkle::verify_consistency(
                before.size,
                signed.size,
                &before.root,
                &signed.root,
                &proof,
            )
            .with_context(|| {
                format!(
                    "checkpoint {} does not extend checkpoint {}",
                    signed.size, before.size
                )
            })?;
        }
        previous = Some(signed);
    }
    let given = match given {
        None => None,
        Some(note) => {
            let signed = verifier
                .verify_checkpoint(note)
                .context("the given checkpoint")?;
            extends(&tree, &signed, "given")?;
            Some(signed.size)
        }
    };
    Ok(VerifyReport {
        entries: size,
        readable: entries.readable,
        erased: entries.erased_by.len() as u64,
        sealed: entries.sealed,
        erasures: entries.erasures,
        consent_changes: entries.consent_changes,
        representation_changes: entries.representation_changes,
        root: tree.root(),
        checkpoints: stored.len(),
        given,
    })
}

/// What `verify` learns entry by entry.
#[derive(Debug, Default)]
struct Entries {
    readable: u64,
    sealed: u64,
    erasures: u64,
    consent_changes: u64,
    representation_changes: u64,
    /// (erased entry, erasure entry) as each erased disclosure says.
    erased_by: BTreeSet<(u64, u64)>,
    /// (erased entry, erasure entry) as each erasure entry says.
    named_by: BTreeSet<(u64, u64)>,
}

impl Entries {
    /// Checks one entry against what its stored leaf hash commits to; returns that leaf hash.
    fn check(&mut self, entry: LedgerEntry) -> anyhow::Result<Hash> {
        let (index, derived, stored) = match entry {
            LedgerEntry::Disclosure(d) => {
                let index = d.log_index;
                match &d.content {
                    Content::Readable(personal) => {
                        let salt = hex::decode(&personal.salt)
                            .map_err(|_| anyhow!("entry {index}: its salt is not hex"))?;
                        let record = d
                            .record()
                            .ok_or_else(|| anyhow!("entry {index}: unreadable"))?;
                        ensure!(
                            record_digest(&salt, &record) == d.record_digest,
                            "entry {index}: its record no longer gives its digest: the entry was changed"
                        );
                        self.readable += 1;
                    }
                    Content::Erased(mark) => {
                        ensure!(
                            mark.erasure_index > index,
                            "entry {index} is erased by entry {}, which is not after it",
                            mark.erasure_index
                        );
                        self.erased_by.insert((index, mark.erasure_index));
                    }
                    Content::Sealed => self.sealed += 1,
                }
                let derived =
                    hash_leaf(&leaf_input(LeafHeader::from(d.as_ref()), &d.record_digest));
                (index, derived, d.leaf_hash)
            }
            LedgerEntry::Erasure(e) => {
                self.erasures += 1;
                for erased in &e.entries {
                    self.named_by.insert((*erased, e.log_index));
                }
                let derived = hash_leaf(&erasure_leaf_input(&e.id, e.at, e.reason, &e.entries));
                (e.log_index, derived, e.leaf_hash)
            }
            LedgerEntry::Consent(c) => {
                let index = c.log_index;
                let salt = hex::decode(&c.salt)
                    .map_err(|_| anyhow!("entry {index}: its salt is not hex"))?;
                ensure!(
                    consent_digest(&salt, &c) == c.record_digest,
                    "entry {index}: the consent change no longer gives its digest: the entry was changed"
                );
                self.consent_changes += 1;
                let derived = hash_leaf(&consent_leaf_input(&c, &c.record_digest));
                (index, derived, c.leaf_hash)
            }
            LedgerEntry::Representation(r) => {
                let index = r.log_index;
                let salt = hex::decode(&r.salt)
                    .map_err(|_| anyhow!("entry {index}: its salt is not hex"))?;
                ensure!(
                    representation_digest(&salt, &r) == r.record_digest,
                    "entry {index}: the representation change no longer gives its digest: the entry was changed"
                );
                self.representation_changes += 1;
                let derived = hash_leaf(&representation_leaf_input(&r, &r.record_digest));
                (index, derived, r.leaf_hash)
            }
        };
        ensure!(
            derived == stored,
            "entry {index}: what is stored no longer gives its leaf hash: the entry was changed"
        );
        Ok(derived)
    }
}

/// The tree still has the root `checkpoint` signed for its size.
fn extends(tree: &Tree, checkpoint: &Checkpoint, which: &str) -> anyhow::Result<()> {
    let size = checkpoint.size;
    ensure!(
        size <= tree.size(),
        "the {which} checkpoint has {size} entries but the ledger {}: entries were removed",
        tree.size()
    );
    ensure!(
        tree.root_at(size)? == checkpoint.root,
        "the ledger's first {size} entries no longer give the root the {which} checkpoint signed: the log was changed"
    );
    Ok(())
}

/// Prints every ledger entry of the database at `database_url` to `out`, one JSON line each in the
/// Logboek Dataverwerkingen shape (`gateway log export`); returns how many.
/// Erasure entries are not processing of anyone's data and are left out; without the ledger key
/// `kek`, records show no more than their clear header.
pub async fn export(
    database_url: &str,
    kek: Option<Kek>,
    mut out: impl std::io::Write,
) -> anyhow::Result<u64> {
    let store = consent::connect_to_inspect(database_url, kek)
        .await
        .context("cannot open the database")?;
    let mut written = 0;
    each_entry(store.as_ref(), |entry| {
        if let LedgerEntry::Disclosure(d) = entry {
            let record = crate::logboek::LogboekRecord::from(d.as_ref());
            writeln!(out, "{}", serde_json::to_string(&record)?)?;
            written += 1;
        }
        Ok(())
    })
    .await?;
    Ok(written)
}

/// Calls `f` with every ledger entry in index order, read a chunk at a time; returns how many.
async fn each_entry(
    store: &dyn consent::Store,
    mut f: impl FnMut(LedgerEntry) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let size = store.ledger_size().await?;
    let mut from = 0;
    while from < size {
        let to = size.min(from + CHUNK);
        for entry in store.entries_between(from, to).await? {
            f(entry)?;
        }
        from = to;
    }
    Ok(size)
}

/// A base64 SHA-256 hash, as the log's routes write them.
pub(crate) fn decode_hash(text: &str) -> Option<Hash> {
    B64.decode(text).ok()?.try_into().ok()
}

pub(crate) fn decode_path(path: &[String]) -> Option<Vec<Hash>> {
    path.iter().map(|h| decode_hash(h)).collect()
}
