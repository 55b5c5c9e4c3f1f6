//! Faults the gateway recovers from by itself, without a restart: SQLite on a disk that fills up,
//! PostgreSQL turned read-only, PostgreSQL stopped. During each, partners get `503` with
//! `Retry-After` (never a wait past the commit deadline), `/readyz` says not ready within its own
//! deadline, and nothing is released without its ledger entry; after each, the gateway serves
//! again within seconds and `gateway log verify` accepts the log.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gateway::config::DatabaseUrl;
use serde_json::{Value, json};
use tests::{BSN, Db, TestApp};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

const OUDERS: &str = "gezinsondersteuning-ouders";
/// The ledger's commit deadline: no partner waits longer than this for an answer.
const COMMIT_DEADLINE: Duration = Duration::from_secs(10);
/// How long the gateway may take to serve again once the fault is gone.
const RECOVERY: Duration = Duration::from_secs(20);

fn exchange_body() -> Value {
    json!({"subject_bsn": BSN, "source": "bt-centrum-west", "activity": OUDERS,
           "categories": ["contact"]})
}

async fn exchange(app: &TestApp) -> (u16, Value, Duration) {
    let started = Instant::now();
    let (status, body) = app
        .post_as(
            "okt-amsterdam",
            "okt-medewerker",
            "/v1/exchange",
            &exchange_body(),
        )
        .await;
    (status, body, started.elapsed())
}

/// `/readyz`'s status and how long it took.
async fn readyz(app: &TestApp) -> (u16, Duration) {
    let started = Instant::now();
    let answer = app.public().get(app.url("/readyz")).send().await.unwrap();
    (answer.status().as_u16(), started.elapsed())
}

/// What partners saw during a fault: every answer is `200` or `503 storage_unavailable` with
/// `Retry-After`, each within the commit deadline; returns how many were `200`.
async fn during_fault(app: &TestApp, attempts: usize) -> usize {
    during_fault_within(app, attempts, COMMIT_DEADLINE).await
}

/// As [`during_fault`], with every answer within `deadline`.
async fn during_fault_within(app: &TestApp, attempts: usize, deadline: Duration) -> usize {
    let mut ok = 0;
    let mut refused = 0;
    for _ in 0..attempts {
        let (status, body, took) = exchange(app).await;
        assert!(took < deadline, "an answer took {took:?}: {body}");
        match status {
            200 => ok += 1,
            503 => {
                assert_eq!(body["error"]["code"], "storage_unavailable", "{body}");
                assert!(body.get("data").is_none(), "nothing released: {body}");
                refused += 1;
            }
            other => panic!("unexpected {other} during the fault: {body}"),
        }
    }
    assert!(
        refused > 0,
        "the fault was never seen ({ok} exchanges succeeded)"
    );
    let (status, retry_after, body) = app.exchanges_at_once(1, &exchange_body()).await.remove(0);
    if status == 503 {
        assert!(retry_after, "503 without Retry-After: {body}");
    } else {
        ok += 1;
    }
    let (status, took) = readyz(app).await;
    assert_eq!(status, 503, "/readyz during the fault");
    assert!(took < Duration::from_secs(4), "/readyz took {took:?}");
    ok
}

/// Waits until `/readyz` is `200` and an exchange succeeds again; panics after [`RECOVERY`].
async fn recovers(app: &TestApp) {
    let until = Instant::now() + RECOVERY;
    loop {
        let ready = readyz(app).await.0 == 200;
        if ready && exchange(app).await.0 == 200 {
            return;
        }
        assert!(
            Instant::now() < until,
            "not serving {RECOVERY:?} after the fault ended"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn log_verifies(app: &TestApp, disclosures: usize) {
    let vkey = std::fs::read_to_string(app.pki.log_pub()).unwrap();
    let report = gateway::logcheck::verify(&app.db.url, &vkey, None, Some(app.ledger_key()))
        .await
        .unwrap();
    // Every disclosure entry is one that a partner received with 200, and the consent change.
    assert_eq!(report.entries, disclosures as u64 + 1, "{report:?}");
}

/// A tmpfs of `mib` MiB mounted at a fresh directory, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mib: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "this test mounts a tmpfs (it runs as root in CI)"
        );
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn resize(&self, mib: u32) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={mib}m")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Fills what is left with a file.
    fn fill(&self) -> PathBuf {
        use std::io::Write as _;
        let file = self.path().join("filler");
        let mut out = std::fs::File::create(&file).unwrap();
        let block = vec![0u8; 64 * 1024];
        while out.write_all(&block).is_ok() {}
        file
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_answers_503_and_serves_again_once_there_is_room() {
    let disk = SmallDisk::mount(4);
    let file = disk.path().join("gateway.db");
    let url = format!("sqlite:{}", file.display());
    let mut app = TestApp::spawn_configured(Db::Sqlite, |config, _| {
        config.database_url = DatabaseUrl::new(url.clone());
    })
    .await
    .unwrap();
    app.db.url = url;
    app.db.sqlite_file = Some(file);
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);

    disk.fill();
    let mut ok = 1 + during_fault(&app, 60).await;
    assert_eq!(
        app.count("disclosures").await,
        ok as i64,
        "a 200 without its entry"
    );

    // The disk is grown, as an operator would; the filler stays.
    disk.resize(64);
    recovers(&app).await;
    ok += 1;
    app.stop_server().await;
    assert_eq!(app.count("disclosures").await, ok as i64);
    log_verifies(&app, ok).await;
}

/// The name of a PostgreSQL database from its URL.
fn database_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap().split('?').next().unwrap()
}

/// Runs `sql` on the server of the gateway's database, from its maintenance database (`postgres`),
/// which the fault does not touch.
async fn admin(app: &TestApp, sql: &str) {
    use sqlx::Connection as _;
    let name = database_name(&app.db.url);
    let url = app.db.url.replacen(&format!("/{name}"), "/postgres", 1);
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_turned_read_only_answers_503_and_serves_again_when_it_is_writable() {
    let Some(mut app) = TestApp::spawn(Db::Postgres).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);
    let name = database_name(&app.db.url).to_owned();

    // Read-only for every new session, and the gateway's sessions ended so it opens new ones.
    admin(
        &app,
        &format!("ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"),
    )
    .await;
    admin(
        &app,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .await;
    let mut ok = 1 + during_fault(&app, 30).await;
    assert_eq!(
        app.count("disclosures").await,
        ok as i64,
        "a 200 without its entry"
    );

    // Writable again for new sessions; the gateway's read-only sessions stay open: it must replace
    // them by itself.
    admin(
        &app,
        &format!("ALTER DATABASE \"{name}\" RESET default_transaction_read_only"),
    )
    .await;
    recovers(&app).await;
    ok += 1;
    app.stop_server().await;
    assert_eq!(app.count("disclosures").await, ok as i64);
    log_verifies(&app, ok).await;
}

/// A TCP proxy in front of PostgreSQL that the test can cut: while it is down, its port refuses
/// connections and every connection through it is closed, as if PostgreSQL had stopped; while it
/// hangs, connections stay open and nothing more is passed on, as in a network partition.
struct Outage {
    port: u16,
    target: String,
    accepting: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    cut: tokio::sync::watch::Sender<u64>,
    silent: Arc<AtomicBool>,
}

/// Passes bytes from `from` to `to` until either closes; once `silent`, holds what it reads.
async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if silent.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

impl Outage {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let outage = Self {
            port,
            target: target.to_owned(),
            accepting: std::sync::Mutex::new(None),
            cut,
            silent: Arc::new(AtomicBool::new(false)),
        };
        outage.accept(listener);
        outage
    }

    fn accept(&self, listener: TcpListener) {
        let target = self.target.clone();
        let cuts = self.cut.subscribe();
        let silent = self.silent.clone();
        let task = tokio::spawn(async move {
            let mut pipes = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let target = target.clone();
                let silent = silent.clone();
                let mut cuts = cuts.clone();
                // Only a cut after this connection was made ends it.
                cuts.borrow_and_update();
                pipes.spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::select! {
                        _ = forward(client_read, server_write, silent.clone()) => {}
                        _ = forward(server_read, client_write, silent) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        *self.accepting.lock().unwrap() = Some(task);
    }

    /// The port refuses connections, and the open ones are closed.
    fn down(&self) {
        if let Some(task) = self.accepting.lock().unwrap().take() {
            task.abort();
        }
        self.cut.send_modify(|n| *n += 1);
    }

    /// Connections stay open, and nothing more is passed on.
    fn hang(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    /// The partition heals: the connections it held are closed (as TCP would, at last), and new
    /// ones are passed on.
    fn heal(&self) {
        self.cut.send_modify(|n| *n += 1);
        self.silent.store(false, Ordering::SeqCst);
    }

    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.accept(listener);
    }
}

/// The gateway on PostgreSQL through an [`Outage`] proxy; `None` if PostgreSQL tests are skipped.
async fn behind(outage: &Outage) -> Option<TestApp> {
    let port = outage.port;
    TestApp::spawn_configured(Db::Postgres, |config, _| {
        let url = config
            .database_url
            .expose()
            .replacen(":5432/", &format!(":{port}/"), 1);
        assert!(
            url.contains(&format!(":{port}/")),
            "DATABASE_URL names port 5432"
        );
        config.database_url = DatabaseUrl::new(url);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_that_stops_answering_is_answered_503_at_the_deadline_and_serves_again_after() {
    let outage = Outage::start("127.0.0.1:5432").await;
    let Some(app) = behind(&outage).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);

    outage.hang();
    // A statement waits at most the store's deadline (10 s), then the partner gets 503.
    let mut ok = 1 + during_fault_within(&app, 1, COMMIT_DEADLINE + Duration::from_secs(2)).await;
    assert_eq!(
        app.count("disclosures").await,
        ok as i64,
        "a 200 without its entry"
    );

    outage.heal();
    recovers(&app).await;
    ok += 1;
    assert_eq!(app.count("disclosures").await, ok as i64);
    log_verifies(&app, ok).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stopped_answers_503_within_the_deadline_and_serves_again_when_it_is_back() {
    let outage = Outage::start("127.0.0.1:5432").await;
    let Some(app) = behind(&outage).await else {
        return;
    };
    app.record_consent(BSN, &["okt-amsterdam"], &[OUDERS], &["contact"])
        .await;
    assert_eq!(exchange(&app).await.0, 200);

    outage.down();
    let mut ok = 1 + during_fault(&app, 3).await;
    assert_eq!(
        app.count("disclosures").await,
        ok as i64,
        "a 200 without its entry"
    );

    outage.restore().await;
    recovers(&app).await;
    ok += 1;
    assert_eq!(app.count("disclosures").await, ok as i64);
    log_verifies(&app, ok).await;
}
