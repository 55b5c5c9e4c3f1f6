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
    tree: Mutex<Tree>,
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
            tree: Mutex::new(Tree::new()),
        };
        let mut tree = log.tree.lock().await;
        log.catch_up(&mut tree).await?;
        if let Some(latest) = log.store.latest_checkpoint().await? {
            log.signer.verifier().verify_checkpoint(&latest.note)?;
            if tree.size() < latest.size || tree.root_at(latest.size)? != latest.root {
                return Err(LogError::Diverged { size: latest.size });
            }
        }
        drop(tree);
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
    /// latest signed checkpoint. Called after every commit; the requests of that commit wait for it.
    pub async fn checkpoint(&self) -> Result<StoredCheckpoint, LogError> {
        let mut tree = self.tree.lock().await;
        let size = self.catch_up(&mut tree).await?;
        let root = tree.root_at(size)?;
        if let Some(previous) = self.store.latest_checkpoint().await? {
            if previous.size > size {
                return Err(LogError::Diverged {
                    size: previous.size,
                });
            }
            if previous.size == size && previous.root == root {
                return Ok(previous);
            }
            let proof = tree.consistency_proof(previous.size, size)?;
            merkle::verify_consistency(previous.size, size, &previous.root, &root, &proof)
                .map_err(|_| LogError::Diverged {
                    size: previous.size,
                })?;
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
        Ok(stored)
    }

    /// The latest signed checkpoint, if any entry was ever logged.
    pub async fn latest(&self) -> Result<Option<StoredCheckpoint>, LogError> {
        Ok(self.store.latest_checkpoint().await?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, LogError> {
        let mut tree = self.tree.lock().await;
        if size > tree.size() {
            self.catch_up(&mut tree).await?;
        }
        let path = tree.inclusion_proof(index, size)?;
        let leaf_hash = tree
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
        let mut tree = self.tree.lock().await;
        if to > tree.size() {
            self.catch_up(&mut tree).await?;
        }
        Ok(tree.consistency_proof(from, to)?)
    }
}
