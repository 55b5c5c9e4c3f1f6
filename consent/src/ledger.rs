//! Group commit for the ledger. Requests hand their [`LedgerWrite`] to one writer task and wait;
//! the writer takes everything that is waiting, writes it in one transaction (one fsync), and only
//! then answers each request. So a response never leaves before its entry is durable (invariant 1),
//! and durability costs one commit per batch, not per request.

use std::sync::Arc;

use chrono::SubsecRound as _;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::{mpsc, oneshot};

use crate::log::Log;
use crate::model::LedgerWrite;
use crate::seal::{Seal, SealedWrite};
use crate::store::{Checkpointer, Store, StoreError};

/// How the writer groups writes into commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// The most writes one commit takes; more wait for the next one.
    pub max_writes: usize,
    /// How long a commit may wait for more writes when fewer are waiting than the commit before
    /// took: the writers it answered tend to come straight back, and one sync can carry them too.
    /// A lone write is never held back.
    pub max_delay: std::time::Duration,
    /// How long a commit and its checkpoint may take before every write of the batch is answered
    /// with an error (fail closed: nothing of it is released).
    pub commit_timeout: std::time::Duration,
}

impl Default for Batching {
    fn default() -> Self {
        Self {
            max_writes: 256,
            max_delay: std::time::Duration::from_millis(2),
            commit_timeout: std::time::Duration::from_secs(10),
        }
    }
}

type Reply = oneshot::Sender<Result<Option<u64>, Arc<StoreError>>>;

/// Told of every group commit (for metrics): how many writes it held, and how long the commit
/// with its checkpoint took.
pub trait BatchObserver: Send + Sync + std::fmt::Debug {
    fn committed(&self, writes: usize, took: std::time::Duration);
}

/// Handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct LedgerWriter {
    tx: mpsc::Sender<(SealedWrite, Reply)>,
}

impl LedgerWriter {
    /// Starts the writer task on the current runtime, without a signed log (the storage tests).
    /// It stops when every handle is dropped.
    pub fn start(store: Arc<dyn Store>) -> Self {
        Self::spawn(store, None).0
    }

    /// Starts the writer with its task: it ends once every handle is dropped and every write
    /// queued before that is committed, so its owner can await it on shutdown. With a `log`, every
    /// commit carries the signed checkpoint that covers it, in the same transaction; if no
    /// checkpoint can be signed, the commit fails and every writer gets an error (fail closed:
    /// nothing is released, or recorded, without a signed checkpoint).
    pub fn spawn(
        store: Arc<dyn Store>,
        log: Option<Arc<Log>>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        Self::spawn_batching(store, log, Batching::default())
    }

    /// As [`spawn`](Self::spawn), with the batching given (`max_writes: 1` is one commit and one
    /// checkpoint per write, what the benchmark compares group commit with).
    pub fn spawn_batching(
        store: Arc<dyn Store>,
        log: Option<Arc<Log>>,
        batching: Batching,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        Self::spawn_observed(store, log, batching, None)
    }

    /// As [`spawn_batching`](Self::spawn_batching), telling `observer` of every group commit.
    pub fn spawn_observed(
        store: Arc<dyn Store>,
        log: Option<Arc<Log>>,
        batching: Batching,
        observer: Option<Arc<dyn BatchObserver>>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let batching = Batching {
            max_writes: batching.max_writes.max(1),
            ..batching
        };
        let (tx, rx) = mpsc::channel(4 * batching.max_writes);
        (
            Self { tx },
            tokio::spawn(run(store, log, rx, batching, observer)),
        )
    }

    /// Writes waiting for the writer (queued, not yet in a commit).
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Seals, queues, and waits until the write is durable. Returns the disclosure's ledger index.
    pub async fn write(&self, write: LedgerWrite) -> Result<Option<u64>, StoreError> {
        let sealed = seal(write)?;
        let (reply, wait) = oneshot::channel();
        self.tx
            .send((sealed, reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        match wait.await {
            Ok(Ok(index)) => Ok(index),
            Ok(Err(shared)) => Err(match shared.as_ref() {
                StoreError::CheckpointFailed(why) => StoreError::CheckpointFailed(why.clone()),
                StoreError::CommitTimedOut => StoreError::CommitTimedOut,
                other => StoreError::CommitFailed(other.to_string()),
            }),
            Err(_) => Err(StoreError::WriterGone),
        }
    }
}

fn seal(write: LedgerWrite) -> Result<SealedWrite, StoreError> {
    let disclosure = match write.disclosure {
        None => None,
        Some(mut record) => {
            // Both databases keep microseconds; hash what will be read back.
            record.at = record.at.trunc_subsecs(6);
            record.retain_until = record.retain_until.trunc_subsecs(6);
            let mut salt = [0u8; 16];
            SystemRandom::new()
                .fill(&mut salt)
                .map_err(|_| StoreError::Corrupt("no randomness for the leaf salt".into()))?;
            let seal = Seal::of(&salt, &record);
            Some((record, seal))
        }
    };
    Ok(SealedWrite {
        deferral: write.deferral,
        decision: write.decision,
        disclosure,
    })
}

async fn run(
    store: Arc<dyn Store>,
    log: Option<Arc<Log>>,
    mut rx: mpsc::Receiver<(SealedWrite, Reply)>,
    batching: Batching,
    observer: Option<Arc<dyn BatchObserver>>,
) {
    let max = batching.max_writes;
    let mut batch = Vec::with_capacity(max);
    let mut previous = 0;
    while rx.recv_many(&mut batch, max).await > 0 {
        // Under load, wait a moment for the writers the last commit answered (bounded).
        let deadline = tokio::time::Instant::now() + batching.max_delay;
        while batch.len() < previous.min(max) {
            let room = max - batch.len();
            match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                Ok(received) if received > 0 => {}
                _ => break,
            }
        }
        previous = batch.len();
        let (writes, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        let started = std::time::Instant::now();
        let answers = tokio::time::timeout(
            batching.commit_timeout,
            commit(&store, log.as_deref(), &writes),
        )
        .await
        .unwrap_or_else(|_| {
            // What did commit stays (the log errs towards recording); nothing is released.
            tracing::error!(
                writes = writes.len(),
                "the ledger commit did not finish in time"
            );
            vec![Err(Arc::new(StoreError::CommitTimedOut)); writes.len()]
        });
        if let Some(observer) = &observer {
            observer.committed(writes.len(), started.elapsed());
        }
        for (reply, answer) in replies.into_iter().zip(answers) {
            let _ = reply.send(answer);
        }
    }
}

/// Commits `writes` with the checkpoint that covers them; the answer for each write.
async fn commit(
    store: &Arc<dyn Store>,
    log: Option<&Log>,
    writes: &[SealedWrite],
) -> Vec<Result<Option<u64>, Arc<StoreError>>> {
    let checkpointer = log.map(|log| log as &dyn Checkpointer);
    match store.commit_batch(writes, checkpointer).await {
        Ok(indexes) => indexes.into_iter().map(Ok).collect(),
        Err(e) if writes.len() > 1 && !matches!(e, StoreError::CheckpointFailed(_)) => {
            // One bad write must not fail its neighbours: commit each alone. (Should the failed
            // commit have landed after all, the retries fail on the duplicate ids: the log then
            // holds an entry whose request got an error, which is the safe side.)
            tracing::warn!(error = %e, writes = writes.len(), "group commit failed; committing one by one");
            let mut answers = Vec::with_capacity(writes.len());
            for write in writes {
                let one = std::slice::from_ref(write);
                answers.push(match store.commit_batch(one, checkpointer).await {
                    Ok(index) => Ok(index.first().copied().flatten()),
                    Err(e) => Err(Arc::new(e)),
                });
            }
            answers
        }
        Err(e) => {
            tracing::error!(error = %e, "ledger commit failed");
            vec![Err(Arc::new(e)); writes.len()]
        }
    }
}
