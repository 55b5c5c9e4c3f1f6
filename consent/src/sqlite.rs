//! SQLite: one file, WAL journal, `synchronous = FULL` so that a commit is on disk before it returns
//! (NORMAL is not durable). Every write transaction starts with `BEGIN IMMEDIATE`, so it holds the
//! write lock from its first statement: two writers never read the same ledger size, and no
//! reader-turned-writer can deadlock on the upgrade. Times are TEXT (see [`crate::sql::DbTime`]).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::sql::{Backend, Faults, SqlStore};
use crate::store::{Purpose, StoreError};

impl Backend for Sqlite {
    const BEGIN_READ: &'static str = "BEGIN";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    // BEGIN IMMEDIATE already holds the write lock.
    const LOCK_LEDGER_HEAD: &'static str = "SELECT size FROM ledger_head WHERE id = 1";

    fn placeholder(_: usize) -> String {
        "?".into()
    }

    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

/// A consistent copy of the SQLite database at `url` in the new file `to`, taken while it serves:
/// `VACUUM INTO` reads one snapshot in one read transaction (writers go on, in WAL mode) and
/// writes it compacted. `to` must not exist yet (SQLite refuses to write over a file).
pub async fn backup(url: &str, to: &Path) -> Result<(), StoreError> {
    use sqlx::ConnectOptions as _;
    let mut connection = SqliteConnectOptions::from_str(url)?
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut connection)
        .await?;
    Ok(())
}

/// Opens (creating if missing, with its directory) the database at `sqlite:PATH` or
/// `sqlite://PATH`, and runs the migrations.
pub async fn connect(
    url: &str,
    purpose: Purpose,
    kek: Option<crate::vault::Kek>,
) -> Result<SqlStore<Sqlite>, StoreError> {
    let serve = purpose == Purpose::Serve;
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(serve)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // A multi-row INSERT keeps a statement journal; in memory it costs no file writes.
        .pragma("temp_store", "memory");
    if serve {
        create_parent_dir(options.get_filename())?;
    }
    let filename = options.get_filename().to_owned();
    // No ping before each use: a SQLite connection is a file handle that cannot go stale, and the
    // ping is a round trip to the connection's worker thread (two thread wake-ups per request).
    let faults = Faults::default();
    let pool = faults
        .apply(SqlitePoolOptions::new())
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await?;
    if serve {
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    }
    // Ledger appends on a connection of their own (see `SqlStore::ledger`).
    let ledger = faults
        .apply(SqlitePoolOptions::new())
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    let store = SqlStore::new(pool, ledger, kek, faults);
    if in_memory(url) {
        return Ok(store);
    }
    Ok(store.with_direct_reads(&filename))
}

/// An in-memory database is private to its connection: no other connection can read it.
fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

fn create_parent_dir(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))
        }
        _ => Ok(()),
    }
}
