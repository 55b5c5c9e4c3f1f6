//! The database a test runs on: a SQLite file in the test's directory, or a fresh PostgreSQL database
//! (`fixture::PgDatabase`) dropped when the test ends, also when it panics.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The database a test runs on; a PostgreSQL one is dropped with it, also when the test panics.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub sqlite_file: Option<std::path::PathBuf>,
    _pg: Option<fixture::PgDatabase>,
}

impl TestDb {
    /// `None` when PostgreSQL tests are skipped (SKIP_POSTGRES=1).
    pub async fn create(kind: Db, dir: &std::path::Path) -> Option<Self> {
        match kind {
            Db::Sqlite => {
                let file = dir.join("gateway.db");
                Some(Self {
                    url: format!("sqlite:{}", file.display()),
                    sqlite_file: Some(file),
                    _pg: None,
                })
            }
            Db::Postgres => {
                let pg = fixture::PgDatabase::create("gw_test").await?;
                Some(Self {
                    url: pg.url().to_owned(),
                    sqlite_file: None,
                    _pg: Some(pg),
                })
            }
        }
    }
}
