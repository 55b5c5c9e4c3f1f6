//! The public log over the ledger (invariant 6): an RFC 9162 Merkle tree of every entry's leaf hash,
//! and a signed checkpoint after every commit that is signed only once it is proven to extend the
//! checkpoint before it. The tree lives in memory, rebuilt from the ledger at start and brought up to
//! date from the database before each use, so replicas that share one database share one tree.

use std::sync::Arc;

use tokio::sync::Mutex;

use crate::checkpoint::{Checkpoint, LogSigner, LogVerifier, NoteError};
use crate::clock::Clock;
use crate::merkle::{self, Hash, ProofError, Tree};
use crate::store::{Store, StoreError, StoredCheckpoint};

/// Leaves read per query when the tree catches up with the ledger.
const CHUNK: u64 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error(
        "the ledger does not match its signed checkpoint of size {size}: entries were changed or removed"
    )]
    Diverged { size: u64 },
}

/// An inclusion proof of one leaf in the tree of one size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: Hash,
    pub path: Vec<Hash>,
}

#[derive(Debug)]
pub struct Log {
    store: Arc<dyn Store>,
    signer: LogSigner,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tree: Tree,
    /// The checkpoint this process signed (or found at start) last; each new one must extend it.
    last: Option<StoredCheckpoint>,
}

impl Log {
    /// Builds the tree from the ledger and checks it against the latest signed checkpoint: a ledger
    /// that no longer matches what was signed is refused (the gateway does not start on it).
    pub async fn open(
        store: Arc<dyn Store>,
        signer: LogSigner,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, LogError> {
        let log = Self {
            store,
            signer,
            clock,
            state: Mutex::new(State::default()),
        };
        let mut state = log.state.lock().await;
        log.catch_up(&mut state.tree).await?;
        if let Some(latest) = log.store.latest_checkpoint().await? {
            log.signer.verifier().verify_checkpoint(&latest.note)?;
            if state.tree.size() < latest.size || state.tree.root_at(latest.size)? != latest.root {
                return Err(LogError::Diverged { size: latest.size });
            }
            state.last = Some(latest);
        }
        drop(state);
        Ok(log)
    }

    pub fn verifier(&self) -> &LogVerifier {
        self.signer.verifier()
    }

    /// Appends to `tree` the entries the ledger gained since (from any replica).
    async fn catch_up(&self, tree: &mut Tree) -> Result<u64, LogError> {
        let size = self.store.ledger_size().await?;
        while tree.size() < size {
            let to = size.min(tree.size() + CHUNK);
            for leaf in self.store.leaf_hashes(tree.size(), to).await? {
                tree.push(leaf);
            }
        }
        Ok(size)
    }

    /// Signs and stores a checkpoint of the ledger as it is now, after proving that it extends the
    /// checkpoint signed before it. Called after every commit with the leaves that commit appended
    /// (`(log index, leaf hash)`, in order); the requests of that commit wait for it. When no other
    /// replica appended in between, the tree takes those leaves directly; otherwise it catches up
    /// from the database.
    pub async fn checkpoint(&self, appended: &[(u64, Hash)]) -> Result<StoredCheckpoint, LogError> {
        let mut state = self.state.lock().await;
        let next = state.tree.size();
        let contiguous = appended
            .iter()
            .enumerate()
            .all(|(i, (index, _))| *index == next + i as u64);
        if !appended.is_empty() && contiguous {
            for (_, leaf) in appended {
                state.tree.push(*leaf);
            }
        } else {
            self.catch_up(&mut state.tree).await?;
        }
        let size = state.tree.size();
        let root = state.tree.root_at(size)?;
        if let Some(previous) = &state.last {
            let diverged = LogError::Diverged {
                size: previous.size,
            };
            if previous.size == size {
                return if previous.root == root {
                    Ok(previous.clone())
                } else {
                    Err(diverged)
                };
            }
            let proof = state.tree.consistency_proof(previous.size, size)?;
            merkle::verify_consistency(previous.size, size, &previous.root, &root, &proof)
                .map_err(|_| diverged)?;
        }
        let checkpoint = Checkpoint {
            origin: self.signer.name().to_owned(),
            size,
            root,
        };
        let mut stored = StoredCheckpoint {
            size,
            root,
            note: self.signer.sign(&checkpoint)?,
            signed_at: self.clock.now(),
        };
        // Another replica may have signed this size first; its note is as good and is kept.
        stored.note = self.store.insert_checkpoint(&stored).await?;
        state.last = Some(stored.clone());
        Ok(stored)
    }

    /// The latest signed checkpoint, if any entry was ever logged.
    pub async fn latest(&self) -> Result<Option<StoredCheckpoint>, LogError> {
        Ok(self.store.latest_checkpoint().await?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, LogError> {
        let mut state = self.state.lock().await;
        if size > state.tree.size() {
            self.catch_up(&mut state.tree).await?;
        }
        let path = state.tree.inclusion_proof(index, size)?;
        let leaf_hash = state
            .tree
            .leaf(index)
            .ok_or(ProofError::IndexOutOfRange { index, size })?;
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            leaf_hash,
            path,
        })
    }

    /// The consistency proof from the tree of `from` entries to the tree of `to` entries.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, LogError> {
        let mut state = self.state.lock().await;
        if to > state.tree.size() {
            self.catch_up(&mut state.tree).await?;
        }
        Ok(state.tree.consistency_proof(from, to)?)
    }
}
