//! The one error of the storage layer, below everything that stores, so that the records, the
//! sealing and the store can all return it without importing each other.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Read(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite:PATH or postgres://...)")]
    UnsupportedUrl,
    #[error("the database is not configured durably: {0}")]
    NotDurable(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the ledger commit failed: {0}")]
    CommitFailed(String),
    #[error("the ledger writer has stopped")]
    WriterGone,
    #[error("no checkpoint could be signed after the commit: {0}")]
    CheckpointFailed(String),
    #[error("the ledger commit did not finish in time")]
    CommitTimedOut,
    #[error("the database did not answer within {0:?}")]
    TimedOut(std::time::Duration),
    #[error("the ledger key does not fit this ledger: {0}")]
    WrongKey(String),
}
