//! The SQL both databases share, written once: [`SqlStore`] implements [`Store`] for any [`Backend`].
//! Statements use `$N` placeholders, which SQLite accepts too. What truly differs per database (how
//! to connect, the durability check, how a transaction begins, how the ledger head is locked, and how
//! a time is stored) lives in `sqlite.rs` and `postgres.rs` and in [`DbTime`].

/// Writes an impl block on [`SqlStore`] for every database the shared SQL runs on: the one list
/// of what that SQL needs of a database. A macro and not a trait with these bounds, because Rust
/// does not carry a trait's where-clauses (on types other than `Self`) to the code that uses it.
/// Every row type's `FromRow` follows from the column types listed, through its derive.
macro_rules! sql_impl {
    ($(#[$attr:meta])* impl $trait_:ident for SqlStore { $($body:tt)* }) => {
        $crate::sql::sql_impl!(@ [$(#[$attr])* impl<DB> $trait_ for] { $($body)* });
    };
    ($(#[$attr:meta])* impl SqlStore { $($body:tt)* }) => {
        $crate::sql::sql_impl!(@ [$(#[$attr])* impl<DB>] { $($body)* });
    };
    (@ [$($head:tt)*] { $($body:tt)* }) => {
        $($head)* $crate::sql::SqlStore<DB>
        where
            DB: $crate::sql::Backend,
            for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
            for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
            for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> $crate::sql::DbTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<$crate::sql::DbTime>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            for<'r> String: sqlx::Decode<'r, DB>,
            for<'r> i64: sqlx::Decode<'r, DB>,
            for<'r> $crate::sql::DbTime: sqlx::Decode<'r, DB>,
            for<'r> &'r str: sqlx::ColumnIndex<DB::Row>,
            usize: sqlx::ColumnIndex<DB::Row>,
        {
            $($body)*
        }
    };
}
use sql_impl;

mod audit;
mod checkpoints;
mod consent_changes;
mod consent_rows;
mod consents;
mod direct;
mod disclosures;
mod encode;
mod entries;
mod erasure;
mod faults;
mod keys;
mod ledger;
mod notifications;
mod refusals;
mod representations;
mod retention;
mod reviews;
mod sessions;
mod statements;
mod store;

use sqlx::{Database, Pool};
use tracing::instrument;

use crate::store::StoreError;
use crate::vault::Kek;
pub use encode::DbTime;
pub use faults::Faults;

/// How the shared SQL runs on one database.
pub trait Backend: Database {
    /// Starts a read transaction whose statements all see one snapshot.
    const BEGIN_READ: &'static str;
    /// Starts a write transaction.
    const BEGIN_WRITE: &'static str;
    /// Reads the ledger size inside a write transaction and holds it until commit, so that writers
    /// (also on other replicas) take turns and ledger indexes stay consecutive and unique.
    const LOCK_LEDGER_HEAD: &'static str;

    /// The placeholder of parameter `n` (1-based) in a long, generated VALUES list. SQLite looks a
    /// named parameter (`$N`) up by scanning all of a statement's names, which is quadratic in a
    /// batch insert of a thousand parameters; its anonymous `?` is bound by position instead.
    fn placeholder(n: usize) -> String {
        format!("${n}")
    }

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

/// The store on one database.
#[derive(Debug)]
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
    /// Where transactions that append to the ledger run. On SQLite one connection of its own: its
    /// page cache stays warm from one commit to the next, and appends queue for it instead of
    /// polling SQLite's write lock. On PostgreSQL the same pool (the ledger head row serialises).
    ledger: Pool<DB>,
    /// Seals and opens ledger records; `None` only in a store opened to inspect without it.
    kek: Option<Kek>,
    /// On SQLite, the reads every exchange makes, on the caller's thread (see `direct`).
    direct: Option<direct::DirectReads>,
    /// The last database fault, which the pools' connections are checked against (see `faults`).
    faults: Faults,
}

impl<DB: Database> SqlStore<DB> {
    /// The store over `pool` and `ledger`, whose options `faults` was applied to.
    pub fn new(pool: Pool<DB>, ledger: Pool<DB>, kek: Option<Kek>, faults: Faults) -> Self {
        Self {
            pool,
            ledger,
            kek,
            direct: None,
            faults,
        }
    }

    /// Reads the consents and refusals of one Amsterdammer from the SQLite file at `path` on the
    /// caller's thread, instead of through the pool (see `direct`). Should the file not open that
    /// way (e.g. a read-only copy inspected), the reads stay with the pool, which works as before.
    pub fn with_direct_reads(mut self, path: &std::path::Path) -> Self {
        match direct::DirectReads::open(path) {
            Ok(direct) => self.direct = Some(direct),
            Err(e) => tracing::warn!(error = %e, "SQLite reads go through the pool"),
        }
        self
    }
}

sql_impl! {
    impl SqlStore {
        /// Whether the store can commit: a one-row write, committed on the connection ledger
        /// appends use, and no ledger commit failed within [`faults::COMMIT_FAILURE_HOLD`].
        #[instrument(skip_all)]
        pub(super) async fn ping(&self) -> Result<(), StoreError> {
            let mut tx = self.ledger.begin_with(DB::BEGIN_WRITE).await?;
            sqlx::query("UPDATE readiness SET checked_at = $1 WHERE id = 1")
                .bind(DbTime(chrono::Utc::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            match self.faults.recent_commit_failure() {
                Some(ago) => Err(StoreError::CommitFailed(format!(
                    "the last ledger commit failed {} s ago",
                    ago.as_secs()
                ))),
                None => Ok(()),
            }
        }

        /// What a freshly opened store checks and does before it serves: the key-encryption key is the
        /// one the ledger was sealed with, and rows from before sealing are sealed now.
        pub async fn prepare(self, purpose: crate::store::Purpose) -> Result<Self, StoreError> {
            self.check_kek().await?;
            if purpose == crate::store::Purpose::Serve {
                let sealed = self.seal_legacy().await?;
                if sealed > 0 {
                    tracing::info!(
                        entries = sealed,
                        "sealed ledger records written before sealing"
                    );
                }
            }
            Ok(self)
        }
    }
}
