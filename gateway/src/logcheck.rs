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

use std::path::Path;

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::BTreeSet;

use consent::merkle::{self, Hash, Tree};
use consent::{
    Checkpoint, Content, Kek, LeafHeader, LedgerEntry, LogVerifier, consent_digest,
    consent_leaf_input, erasure_leaf_input, hash_leaf, leaf_input, record_digest,
    representation_digest, representation_leaf_input,
};
use serde::{Deserialize, Serialize};

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

/// What a monitor remembers between runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MonitorState {
    /// The log key seen on the first run (trust on first use).
    pub key: String,
    pub size: u64,
    /// Base64 root hash of the checkpoint seen last.
    pub root: String,
}

/// What one monitor run saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorReport {
    pub origin: String,
    pub size: u64,
    /// The size seen on the run before, if any.
    pub previous: Option<u64>,
}

/// One monitor run against the gateway at `url`, trusting the CA(s) in `cacert`.
pub async fn monitor(url: &str, state_file: &Path, cacert: &Path) -> anyhow::Result<MonitorReport> {
    let tls = crate::tls::anonymous_client_config(cacert)?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(20))
        .build()?;
    let base = url.trim_end_matches('/');
    let get = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let answer = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("GET {url}"))?;
            ensure!(
                answer.status().is_success(),
                "GET {url}: HTTP {}",
                answer.status()
            );
            Ok::<_, anyhow::Error>(answer)
        }
    };
    let key = get("/v1/log/key").await?.text().await?.trim().to_owned();
    let state: Option<MonitorState> = match std::fs::read_to_string(state_file) {
        Ok(text) => Some(serde_json::from_str(&text).context("the state file")?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).context("cannot read the state file"),
    };
    if let Some(state) = &state {
        ensure!(
            state.key == key,
            "the log's key changed from {} to {key}: not the log this monitor watches",
            state.key
        );
    }
    let verifier = LogVerifier::parse(&key).context("the log key")?;
    let note = get("/v1/log/checkpoint").await?.text().await?;
    let checkpoint = verifier
        .verify_checkpoint(&note)
        .context("the published checkpoint")?;
    if let Some(state) = &state {
        let root =
            decode_hash(&state.root).ok_or_else(|| anyhow!("the state file holds no root hash"))?;
        if checkpoint.size < state.size {
            bail!(
                "the log shrank from {} to {} entries: a fork or a rollback",
                state.size,
                checkpoint.size
            );
        }
        if checkpoint.size == state.size {
            ensure!(
                checkpoint.root == root,
                "fork: two different roots signed for {} entries",
                state.size
            );
        } else {
            let proof: ConsistencyAnswer = get(&format!(
                "/v1/log/proofs/consistency?from={}&to={}",
                state.size, checkpoint.size
            ))
            .await?
            .json()
            .await
            .context("the consistency proof")?;
            let path = decode_path(&proof.path).ok_or_else(|| {
                anyhow!("the consistency proof holds a hash that is not 32 bytes")
            })?;
            merkle::verify_consistency(state.size, checkpoint.size, &root, &checkpoint.root, &path)
                .with_context(|| {
                    format!(
                        "fork: the checkpoint of {} entries does not extend the one of {} seen before",
                        checkpoint.size, state.size
                    )
                })?;
        }
    }
    let next = MonitorState {
        key,
        size: checkpoint.size,
        root: B64.encode(checkpoint.root),
    };
    write_atomically(state_file, &serde_json::to_string_pretty(&next)?)?;
    Ok(MonitorReport {
        origin: checkpoint.origin,
        size: checkpoint.size,
        previous: state.map(|s| s.size),
    })
}

#[derive(Debug, Deserialize)]
struct ConsistencyAnswer {
    path: Vec<String>,
}

/// A crash between writing and renaming leaves the old state whole.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}

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
fn decode_hash(text: &str) -> Option<Hash> {
    B64.decode(text).ok()?.try_into().ok()
}

fn decode_path(path: &[String]) -> Option<Vec<Hash>> {
    path.iter().map(|h| decode_hash(h)).collect()
}
