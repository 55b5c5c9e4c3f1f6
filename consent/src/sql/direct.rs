//! SQLite reads on the calling thread, for the reads every exchange makes: an Amsterdammer's consents
//! and refusals (issue 11).
//!
//! sqlx's SQLite driver runs each statement on a worker thread of the connection's own and sends the
//! rows back: two thread wake-ups per statement. For a read of a few rows by index that hand-off
//! costs more than the read: the profile put 37% of the gateway's CPU on those worker threads, most
//! of it in the kernel, switching. Here a read takes an idle connection from a small stack, runs its
//! cached prepared statement and puts the connection back, all on the caller's thread.
//!
//! The read blocks that thread while it runs: a handful of rows by index from a WAL database whose
//! pages are in the OS cache, tens of microseconds. WAL readers do not wait for the writer; the short
//! busy timeout covers the rare moment SQLite makes a reader wait (recovering the WAL index after a
//! crash), and a read that still meets a lock fails (`503`) instead of stalling the runtime. A read
//! sees what has committed, as one through the pool does, so a revocation that has been answered is
//! seen by every read after it. Writes stay with sqlx and the ledger's group commit.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::consent_rows::{
    ConsentHistoryRow, ConsentRow, consents_from_joined, consents_with_history,
};
use super::consents::consents_to_decide;
use super::refusals::{RefusalRow, refusals_of};
use super::statements::ConsentKey;
use crate::model::{Consent, Refusal};
use crate::store::StoreError;

/// Idle connections kept; more readers at once open more, and the surplus is closed after use.
const IDLE_MAX: usize = 8;

/// How long a read may wait for a lock SQLite holds against readers before it fails.
const BUSY: Duration = Duration::from_millis(50);

/// Read-only connections to one SQLite file, used on the caller's thread.
#[derive(Debug)]
pub struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    /// Opens the first connection now, so that a file that cannot be read fails at start.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let reads = Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        };
        let first = reads.connect()?;
        reads.put_back(first);
        Ok(reads)
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY)?;
        // Reads only: a statement that would write is refused by SQLite itself.
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }

    fn put_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_MAX {
            idle.push(conn);
        }
    }

    /// Runs `read` on an idle connection (or a new one). A connection whose read failed is closed,
    /// not kept.
    fn with<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let out = read(&conn)?;
        self.put_back(conn);
        Ok(out)
    }

    /// The consents under `key` with their histories: the same statement as the pool's
    /// (`ConsentKey::query`), so one snapshot.
    pub fn consents(&self, key: ConsentKey, value: &str) -> Result<Vec<Consent>, StoreError> {
        consents_from_joined(self.all(key.query(), value, ConsentHistoryRow::from_direct)?)
    }

    /// An Amsterdammer's consents, oldest first, without their histories.
    pub fn consents_to_decide(&self, subject: &str) -> Result<Vec<Consent>, StoreError> {
        let rows = self.all(consents_to_decide(), subject, ConsentRow::from_direct)?;
        consents_with_history(rows, Vec::new())
    }

    /// An Amsterdammer's refusals, oldest first.
    pub fn refusals(&self, subject: &str) -> Result<Vec<Refusal>, StoreError> {
        let rows = self.all(refusals_of(), subject, RefusalRow::from_direct)?;
        Ok(rows.into_iter().map(RefusalRow::into_refusal).collect())
    }

    /// Every row of `sql` with its one parameter bound to `key`, each made by `row`.
    fn all<T>(
        &self,
        sql: &str,
        key: &str,
        row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare_cached(sql)?;
            let rows = statement.query_map([key], row)?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _, Utc};

    use crate::model::{Actor, Evidence, Grantor, NewConsent, NewRefusal};
    use crate::store::Purpose;
    use crate::{Sha256Hex, SubjectId};

    fn consent_of(subject: &SubjectId, activity: &str) -> NewConsent {
        let from = Utc
            .with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
            .single()
            .expect("a date");
        NewConsent {
            subject: subject.clone(),
            recipients: vec!["buurtteam-oost".into()],
            sources: Some(vec!["inkomen".into()]),
            categories: vec!["financien".into()],
            activities: vec![activity.into()],
            valid_from: from,
            valid_until: from + Duration::days(365),
            evidence: Evidence {
                method: "signed_form".into(),
                document_sha256: Sha256Hex::parse(&"ab".repeat(32)).expect("a digest"),
                recorded_by: "j.jansen".into(),
            },
            note: Some("aan de keukentafel".into()),
            recorded_by: Actor::professional("buurtteam-oost", "j.jansen"),
            confirmed: true,
            grantor: Grantor::Subject,
            language: "nl".into(),
        }
    }

    /// The direct reads return what the pool returns, row for row (the columns are read by
    /// position, so a column added to one list and not the other shows here), and see a change as
    /// soon as it has committed.
    #[tokio::test]
    async fn direct_reads_return_what_the_pool_returns_and_see_each_commit() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("direct.db").display());
        let kek = crate::Kek::from_hex(&"5a".repeat(32)).expect("a key");
        let store = crate::sqlite::connect(&url, Purpose::Serve, Some(kek))
            .await
            .expect("a store");
        assert!(store.direct.is_some(), "a file database reads directly");
        let pooled = super::super::SqlStore::new(
            store.pool.clone(),
            store.ledger.clone(),
            None,
            super::super::Faults::default(),
        );
        let (anna, bert) = (
            SubjectId::from_stored("anna".into()),
            SubjectId::from_stored("bert".into()),
        );
        let now = Utc::now();
        for (id, subject, activity) in [
            ("c1", &anna, "schuldhulp"),
            ("c2", &anna, "gezin"),
            ("c3", &bert, "schuldhulp"),
        ] {
            store
                .insert_consent(id, &consent_of(subject, activity), now)
                .await
                .expect("recorded");
        }
        let refusal = NewRefusal {
            subject: anna.clone(),
            recipient: Some("okt".into()),
            category: None,
            activity: None,
            note: None,
            recorded_by: Actor::amsterdammer(),
        };
        store
            .insert_refusal("r1", &refusal, now)
            .await
            .expect("refused");

        let before = store.consents_to_decide(&anna).await.expect("read");
        assert_eq!(
            before.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c1", "c2"]
        );
        assert!(before.iter().all(|c| c.revoked_at.is_none()));

        store
            .revoke_consent("c1", &Actor::amsterdammer(), now + Duration::seconds(1))
            .await
            .expect("revoked")
            .expect("found");
        let decided = store.consents_to_decide(&anna).await.expect("read");
        assert!(decided[0].revoked_at.is_some(), "the revocation is seen");

        let with_history = store.consents_of(&anna).await.expect("read");
        assert_eq!(with_history, pooled.consents_of(&anna).await.expect("read"));
        assert_eq!(with_history[0].history.len(), 2, "recorded, revoked");
        let mut without: Vec<_> = with_history.clone();
        for c in &mut without {
            c.history.clear();
        }
        assert_eq!(decided, without);
        assert_eq!(
            pooled.consents_to_decide(&anna).await.expect("read"),
            decided
        );
        assert_eq!(
            store.consent("c3").await.expect("read"),
            pooled.consent("c3").await.expect("read")
        );
        let refusals = store.refusals_of(&anna).await.expect("read");
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals, pooled.refusals_of(&anna).await.expect("read"));
        assert!(store.refusals_of(&bert).await.expect("read").is_empty());
    }

    /// A direct connection only reads: SQLite itself refuses a write on it.
    #[test]
    fn a_direct_connection_cannot_write() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("plain.db");
        rusqlite::Connection::open(&path)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x INTEGER)"))
            .expect("a database");
        let reads = super::DirectReads::open(&path).expect("opened");
        let written = reads.with(|c| c.execute("INSERT INTO t VALUES (1)", []));
        assert!(written.is_err(), "{written:?}");
    }
}
