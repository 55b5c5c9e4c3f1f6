//! The database a test runs on: a SQLite file in the test's directory, or a fresh PostgreSQL database
//! created from `DATABASE_URL` and dropped when the test ends.

use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The database a test runs on; a PostgreSQL one is dropped when the test ends.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub sqlite_file: Option<std::path::PathBuf>,
    pg: Option<(String, String)>,
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
                    pg: None,
                })
            }
            Db::Postgres => {
                let Ok(admin) = std::env::var("DATABASE_URL") else {
                    if std::env::var("SKIP_POSTGRES").as_deref() == Ok("1") {
                        eprintln!("PostgreSQL test skipped: SKIP_POSTGRES=1");
                        return None;
                    }
                    panic!(
                        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the PostgreSQL tests \
                         (or SKIP_POSTGRES=1 to skip them)"
                    );
                };
                let name = format!("gw_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let url = with_database(&admin, &name);
                Some(Self {
                    url,
                    sqlite_file: None,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    /// Drops a PostgreSQL test database (best effort).
    pub async fn drop_database(&self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_database_url_keeps_host_and_options() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "y"),
            "postgres://h/y?sslmode=disable"
        );
    }
}
