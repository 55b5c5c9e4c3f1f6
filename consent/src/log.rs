//! The public log over the ledger (invariant 6): an RFC 9162 Merkle tree of every entry's leaf hash,
//! and a signed checkpoint after every commit that is signed only once it is proven to extend the
//! checkpoint before it. The tree lives in memory, rebuilt from the ledger at start and brought up to
//! date from the database before each use, so replicas that share one database share one tree.
//!
//! A commit signs its checkpoint inside its own transaction (the [`Checkpointer`] the store calls
//! while it holds the ledger head): the entries and the checkpoint covering them land in one
//! durable commit, or neither does, and the tree takes back what a failed commit added.

use async_trait::async_trait;
use tokio::sync::{Mutex, MutexGuard};

use crate::checkpoint::{Checkpoint, LogSigner, LogVerifier, NoteError};
use crate::clock::Clock;
use crate::merkle::{self, Hash, ProofError, Tree};
use crate::store::{Checkpointer, PendingCheckpoint, Store, StoreError, StoredCheckpoint};
use std::sync::Arc;

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
        let size = log.store.ledger_size().await?;
        let leaves = log.leaves(0, size).await?;
        for leaf in leaves {
            state.tree.push(leaf);
        }
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

    /// The leaf hashes of entries `from..to`, read in chunks.
    async fn leaves(&self, from: u64, to: u64) -> Result<Vec<Hash>, LogError> {
        let mut leaves = Vec::new();
        let mut at = from;
        while at < to {
            let next = to.min(at + CHUNK);
            leaves.extend(self.store.leaf_hashes(at, next).await?);
            at = next;
        }
        Ok(leaves)
    }

    /// Signs and stores a checkpoint of the ledger as it is now: at start, so there always is one
    /// to prove against, and after an erasure. Ledger commits sign their own, in their transaction.
    pub async fn checkpoint(&self) -> Result<(), LogError> {
        self.store.commit_batch(&[], Some(self)).await?;
        Ok(())
    }

    /// The tree, holding at least the first `size` leaves if the ledger has them. What is missing
    /// is read while the tree is not held, so a commit (which holds it inside its transaction)
    /// never waits for this read, and this read never waits for a connection that commit holds.
    async fn tree_with(&self, size: u64) -> Result<MutexGuard<'_, State>, LogError> {
        loop {
            let state = self.state.lock().await;
            let have = state.tree.size();
            if have >= size {
                return Ok(state);
            }
            drop(state);
            let ledger = self.store.ledger_size().await?;
            if ledger <= have {
                // Asked beyond the ledger: the proof says so.
                return Ok(self.state.lock().await);
            }
            let missing = self.leaves(have, ledger).await?;
            let mut state = self.state.lock().await;
            if state.tree.size() == have {
                for leaf in missing {
                    state.tree.push(leaf);
                }
                return Ok(state);
            }
            // A commit moved the tree meanwhile: look again.
        }
    }

    /// The latest signed checkpoint, if any entry was ever logged.
    pub async fn latest(&self) -> Result<Option<StoredCheckpoint>, LogError> {
        Ok(self.store.latest_checkpoint().await?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, LogError> {
        let state = self.tree_with(size).await?;
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

    /// The root of the tree of the first `size` entries, as the ledger's leaves give it.
    pub async fn root_at(&self, size: u64) -> Result<Hash, LogError> {
        let state = self.tree_with(size).await?;
        Ok(state.tree.root_at(size)?)
    }

    /// The consistency proof from the tree of `from` entries to the tree of `to` entries.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, LogError> {
        let state = self.tree_with(to).await?;
        Ok(state.tree.consistency_proof(from, to)?)
    }
}

#[async_trait]
impl Checkpointer for Log {
    async fn hold(&self) -> Box<dyn PendingCheckpoint + '_> {
        let state = self.state.lock().await;
        Box::new(Pending {
            base: state.tree.size(),
            log: self,
            state,
            done: false,
        })
    }
}

/// The tree held by one commit; see [`PendingCheckpoint`].
struct Pending<'a> {
    log: &'a Log,
    state: MutexGuard<'a, State>,
    /// The size the tree had before this commit added to it.
    base: u64,
    done: bool,
}

impl Pending<'_> {
    fn sign_tree(&mut self) -> Result<Option<StoredCheckpoint>, LogError> {
        let size = self.state.tree.size();
        let root = self.state.tree.root_at(size)?;
        if let Some(previous) = &self.state.last {
            let diverged = LogError::Diverged {
                size: previous.size,
            };
            if previous.size == size {
                return if previous.root == root {
                    Ok(None)
                } else {
                    Err(diverged)
                };
            }
            if previous.size > size {
                return Err(diverged);
            }
            let proof = self.state.tree.consistency_proof(previous.size, size)?;
            merkle::verify_consistency(previous.size, size, &previous.root, &root, &proof)
                .map_err(|_| diverged)?;
        }
        let checkpoint = Checkpoint {
            origin: self.log.signer.name().to_owned(),
            size,
            root,
        };
        Ok(Some(StoredCheckpoint {
            size,
            root,
            note: self.log.signer.sign(&checkpoint)?,
            signed_at: self.log.clock.now(),
        }))
    }
}

impl PendingCheckpoint for Pending<'_> {
    fn size(&self) -> u64 {
        self.state.tree.size()
    }

    fn sign(&mut self, leaves: &[Hash]) -> Result<Option<StoredCheckpoint>, StoreError> {
        for leaf in leaves {
            self.state.tree.push(*leaf);
        }
        self.sign_tree().map_err(|e| {
            tracing::error!(error = %e, "no checkpoint can be signed");
            StoreError::CheckpointFailed(e.to_string())
        })
    }

    fn committed(mut self: Box<Self>, stored: Option<StoredCheckpoint>) {
        if let Some(stored) = stored {
            self.state.last = Some(stored);
        }
        self.done = true;
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            // The commit did not land: the tree holds again only what the ledger holds.
            let base = self.base;
            self.state.tree.truncate(base);
        }
    }
}
