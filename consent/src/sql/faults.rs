//! Recovery from a database fault without a restart. When a statement fails for a reason that is
//! the database's and not the request's (a full disk, a read-only database, a lost connection, a
//! commit that did not finish in time), every connection open at that moment is distrusted: each
//! pool closes it when it is next acquired, and opens a fresh one. A connection left inside a
//! failed transaction (SQLite after `SQLITE_FULL` rolls back by itself, and the driver still counts
//! the transaction as open) or opened while the database was read-only (PostgreSQL's
//! `default_transaction_read_only` is fixed per session) is so never used again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::Database;
use sqlx::pool::{PoolConnectionMetadata, PoolOptions};

use crate::store::StoreError;

/// When the last fault was noted, shared by a store and the hooks of its pools.
#[derive(Debug, Clone)]
pub struct Faults(Arc<Mark>);

#[derive(Debug)]
struct Mark {
    /// What the other times count from.
    origin: Instant,
    /// Microseconds from `origin` to the last fault, plus one (0: none yet).
    last: AtomicU64,
    /// The same, for the last ledger commit if it failed (0: the last one succeeded).
    commit_failed: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Self(Arc::new(Mark {
            origin: Instant::now(),
            last: AtomicU64::new(0),
            commit_failed: AtomicU64::new(0),
        }))
    }
}

/// The longest a statement waits for a connection (also one being opened), well within the
/// ledger's commit deadline (10 s); then it fails, and the partner gets `503`.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest a request waits on one store call, when the database stops answering without
/// closing its connections (a network partition, a hung server); the ledger's commit deadline too.
pub const STORE_DEADLINE: Duration = Duration::from_secs(10);

/// How long after a failed ledger commit the store reports that it cannot commit, even when a
/// test write succeeds (on SQLite a small write can fit in the write-ahead log on a full disk).
pub const COMMIT_FAILURE_HOLD: Duration = Duration::from_secs(10);

impl Faults {
    /// `options` with the wait for a connection bounded ([`ACQUIRE_TIMEOUT`]) and a check before
    /// each acquire that closes a connection opened before the last fault (no round trip: a
    /// comparison of two times).
    pub fn apply<DB: Database>(&self, options: PoolOptions<DB>) -> PoolOptions<DB> {
        let faults = self.clone();
        options.acquire_timeout(ACQUIRE_TIMEOUT).before_acquire(
            move |_, meta: PoolConnectionMetadata| {
                let trusted = faults.trusts(meta.age);
                Box::pin(async move { Ok(trusted) })
            },
        )
    }

    /// Notes how the last ledger commit ended.
    pub fn ledger_committed(&self, ok: bool) {
        let at = if ok {
            0
        } else {
            self.since_origin(Instant::now()) + 1
        };
        self.0.commit_failed.store(at, Ordering::Release);
    }

    /// How long ago the last ledger commit failed, if it did within [`COMMIT_FAILURE_HOLD`].
    pub fn recent_commit_failure(&self) -> Option<Duration> {
        let at = self.0.commit_failed.load(Ordering::Acquire);
        if at == 0 {
            return None;
        }
        let ago = Duration::from_micros(self.since_origin(Instant::now()).saturating_sub(at - 1));
        (ago < COMMIT_FAILURE_HOLD).then_some(ago)
    }

    /// Runs `work` within [`STORE_DEADLINE`], noting a fault as [`Faults::watch_long`] does (a
    /// deadline passed is one).
    pub async fn watch<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.watch_long(async {
            tokio::time::timeout(STORE_DEADLINE, work)
                .await
                .map_err(|_| StoreError::TimedOut(STORE_DEADLINE))?
        })
        .await
    }

    /// Runs `work` without a deadline of its own (work over the whole ledger: verification,
    /// retention, erasure; the ledger commit, which the writer bounds), noting a fault if it fails
    /// for the database's reasons or is dropped before it finishes.
    pub async fn watch_long<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let unfinished = Unfinished(self);
        let result = work.await;
        std::mem::forget(unfinished);
        if let Err(e) = &result
            && is_fault(e)
        {
            self.note();
        }
        result
    }

    fn note(&self) {
        let now = self.since_origin(Instant::now());
        self.0.last.store(now + 1, Ordering::Release);
    }

    /// Whether a connection opened `age` ago was opened after the last fault.
    fn trusts(&self, age: Duration) -> bool {
        let last = self.0.last.load(Ordering::Acquire);
        if last == 0 {
            return true;
        }
        let opened = self
            .since_origin(Instant::now())
            .saturating_sub(micros(age));
        opened >= last
    }

    fn since_origin(&self, at: Instant) -> u64 {
        micros(at.saturating_duration_since(self.0.origin))
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Notes a fault when dropped: forgotten once the work it guards has finished.
struct Unfinished<'a>(&'a Faults);

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        self.0.note();
    }
}

/// Whether `e` is the database's fault rather than the request's: a constraint the request broke
/// or a row it asked for that is not there says nothing about the connection.
fn is_fault(e: &StoreError) -> bool {
    match e {
        // Not found, or no connection free in time: nothing is wrong with the connections.
        StoreError::Database(
            sqlx::Error::RowNotFound | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed,
        ) => false,
        StoreError::Database(sqlx::Error::Database(db)) => !matches!(
            db.kind(),
            sqlx::error::ErrorKind::UniqueViolation
                | sqlx::error::ErrorKind::ForeignKeyViolation
                | sqlx::error::ErrorKind::NotNullViolation
                | sqlx::error::ErrorKind::CheckViolation
        ),
        StoreError::Database(_)
        | StoreError::Read(_)
        | StoreError::CommitFailed(_)
        | StoreError::CommitTimedOut
        | StoreError::TimedOut(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_opened_before_a_fault_is_distrusted_and_one_opened_after_it_is_not() {
        let faults = Faults::default();
        assert!(faults.trusts(Duration::from_secs(3600)), "no fault yet");
        std::thread::sleep(Duration::from_millis(5));
        faults.note();
        assert!(
            !faults.trusts(Duration::from_millis(4)),
            "opened before the fault"
        );
        std::thread::sleep(Duration::from_millis(5));
        assert!(
            faults.trusts(Duration::from_millis(1)),
            "opened after the fault"
        );
    }

    #[tokio::test]
    async fn a_failed_statement_is_a_fault_and_a_missing_row_is_not() {
        let faults = Faults::default();
        let missing: Result<(), _> = faults
            .watch(async { Err(StoreError::Database(sqlx::Error::RowNotFound)) })
            .await;
        assert!(missing.is_err());
        assert!(faults.trusts(Duration::from_secs(1)));
        let lost: Result<(), _> = faults
            .watch(async { Err(StoreError::Database(sqlx::Error::Protocol("lost".into()))) })
            .await;
        assert!(lost.is_err());
        assert!(!faults.trusts(Duration::from_secs(1)));
    }
}
