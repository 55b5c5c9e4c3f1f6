//! PostgreSQL. Several gateway replicas may share one database: every ledger write locks the single
//! `ledger_head` row (`FOR UPDATE`) before it reads the size, so replicas take turns and ledger
//! indexes stay consecutive and unique. A database whose `synchronous_commit` is `off` is refused:
//! there a commit can return before it is on disk.

use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;

use crate::sql::{Backend, Faults, SqlStore};
use crate::store::{Purpose, StoreError};

impl Backend for Postgres {
    const BEGIN_READ: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const BEGIN_WRITE: &'static str = "BEGIN";
    // Held until commit: another replica's batch waits here, then reads the size this one wrote.
    const LOCK_LEDGER_HEAD: &'static str = "SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE";

    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

/// `synchronous_commit` values under which a commit returns only once it is flushed locally.
const DURABLE_COMMIT: [&str; 4] = ["on", "local", "remote_write", "remote_apply"];

/// Connects to `postgres://...`, refuses a database that does not commit durably, and runs the
/// migrations.
pub async fn connect(
    url: &str,
    purpose: Purpose,
    kek: Option<crate::vault::Kek>,
) -> Result<SqlStore<Postgres>, StoreError> {
    let faults = Faults::default();
    let pool = faults.apply(PgPoolOptions::new()).connect(url).await?;
    if purpose == Purpose::Inspect {
        return Ok(SqlStore::new(pool.clone(), pool, kek, faults));
    }
    // Checked before migrating, so a refused database is left untouched.
    let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&pool)
        .await?;
    if !DURABLE_COMMIT.contains(&setting.as_str()) {
        pool.close().await;
        return Err(StoreError::NotDurable(format!(
            "synchronous_commit is {setting:?}, so a commit may be reported before it is on disk and a crash \
             would lose ledger entries that were already answered; set it to on (for example \
             ALTER DATABASE <name> SET synchronous_commit = on, or remove the override)"
        )));
    }
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(SqlStore::new(pool.clone(), pool, kek, faults))
}
