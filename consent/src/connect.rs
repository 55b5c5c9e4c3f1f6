//! Choosing the database from its URL and opening it: the one place that knows both backends, so
//! that the `Store` trait and the shared SQL never depend on what implements them.

use std::sync::Arc;

use crate::store::{Purpose, Store, StoreError};
use crate::vault::Kek;

/// Opens the database at `url`, runs its migrations and checks durability settings; ledger records
/// are sealed and opened with `kek` (see `vault`). `sqlite:PATH` (created if missing) or
/// `postgres://...`.
pub async fn connect(url: &str, kek: Kek) -> Result<Arc<dyn Store>, StoreError> {
    open(url, Purpose::Serve, Some(kek)).await
}

/// Opens an existing database as it is, to read and check it (`gateway log verify`, `log export`):
/// no migrations run and nothing is created, so an auditor never changes what they inspect.
/// Without `kek`, ledger records stay sealed ([`crate::Content::Sealed`]).
pub async fn connect_to_inspect(url: &str, kek: Option<Kek>) -> Result<Arc<dyn Store>, StoreError> {
    open(url, Purpose::Inspect, kek).await
}

async fn open(url: &str, purpose: Purpose, kek: Option<Kek>) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = crate::postgres::connect(url, purpose, kek).await?;
        Ok(Arc::new(store.prepare(purpose).await?))
    } else if url.starts_with("sqlite:") {
        let store = crate::sqlite::connect(url, purpose, kek).await?;
        Ok(Arc::new(store.prepare(purpose).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}
