//! `gateway serve --config FILE` as an operator runs it: JSON logs on stdout, one object per line,
//! a request id and the route on each request line, and never a BSN or a token, even when the BSN
//! travels in a query string or a request fails.

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::common::{BSN, GATEWAY, okt_consent, okt_exchange, partner_client, partner_token};
use gateway::pki::PkiLayout;
use serde_json::Value;

fn config(pki: &PkiLayout) -> String {
    let p = |path: std::path::PathBuf| path.display().to_string();
    let mut text = format!(
        r#"
listen = "127.0.0.1:0"
database_url = "sqlite:data/serve.db"
register = "{register}"
pseudonym_key_file = "{key}"
log_signing_key_file = "{log_key}"
log_format = "json"
[ledger]
key_file = "{ledger_key}"
[tls]
server_cert = "{cert}"
server_key = "{server_key}"
client_ca = "{ca}"
upstream_ca = "{ca}"
client_cert = "{cert}"
client_key = "{server_key}"
[citizen_idp]
issuer = "{issuer}"
key = "{idp}"
"#,
        register = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/demo/register.toml"),
        key = p(pki.pseudonym_key()),
        log_key = p(pki.log_key()),
        ledger_key = p(pki.ledger_key()),
        cert = p(pki.gateway_cert()),
        server_key = p(pki.gateway_key()),
        ca = p(pki.ca()),
        issuer = gateway::demo::DEV_CITIZEN_ISSUER,
        idp = p(pki.citizen_idp_pub()),
    );
    for partner in ["bt-centrum-west", "okt-amsterdam"] {
        // No endpoints: an exchange reaches the decision and then fails at the (absent) source.
        text.push_str(&format!(
            "[partners.{partner}]\ntoken_key = \"{}\"\n",
            p(pki.partner_token_pub(partner))
        ));
    }
    text
}

/// Starts `gateway serve --config gateway.toml` in `dir` (JSON logs, no `DATABASE_URL` or
/// `RUST_LOG` from this shell): the process, its log lines to come, those read so far, its port.
fn serve(dir: &Path) -> (Child, Lines<BufReader<ChildStdout>>, Vec<String>, u16) {
    let mut child = Command::new(GATEWAY)
        .args(["serve", "--config", "gateway.toml"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gateway serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("its stdout")).lines();
    let mut log = Vec::new();
    let port = loop {
        let line = lines
            .next()
            .expect("the gateway logs its address")
            .expect("a log line");
        let entry: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        log.push(line);
        if let Some(addr) = entry["addr"].as_str() {
            break addr
                .rsplit(':')
                .next()
                .and_then(|port| port.parse::<u16>().ok())
                .expect("a port");
        }
    };
    (child, lines, log, port)
}

/// Stops the gateway as systemd does (`SIGTERM`), checks that it stopped cleanly, and reads the
/// rest of its log into `log`.
fn stop(child: &mut Child, lines: Lines<BufReader<ChildStdout>>, log: &mut Vec<String>) {
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(stopped.success());
    assert!(
        child.wait().expect("the gateway ends").success(),
        "SIGTERM is a clean stop"
    );
    log.extend(lines.map(|line| line.expect("a log line")));
}

#[tokio::test]
async fn serve_logs_json_lines_without_a_bsn_or_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let pki = gateway::pki::generate(&dir.path().join("pki"), &register).unwrap();
    std::fs::write(dir.path().join("gateway.toml"), config(&pki)).unwrap();
    let (mut child, lines, mut log, port) = serve(dir.path());
    let base = format!("https://localhost:{port}");
    let bt = partner_token(&pki, "bt-centrum-west", "prof-9", "regievoerder");
    let consent = okt_consent(&["contact"], "prof-9");
    let r = partner_client(&pki, "bt-centrum-west")
        .post(format!("{base}/v1/consents"))
        .bearer_auth(&bt)
        .json(&consent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = partner_client(&pki, "bt-centrum-west")
        .get(format!("{base}/v1/consents?subject_bsn={BSN}"))
        .bearer_auth(&bt)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let okt = partner_token(&pki, "okt-amsterdam", "prof-9", "okt-medewerker");
    let exchange = okt_exchange(&["contact"]);
    let r = partner_client(&pki, "okt-amsterdam")
        .post(format!("{base}/v1/exchange"))
        .bearer_auth(&okt)
        .json(&exchange)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502, "no source endpoint is configured");
    let r = partner_client(&pki, "okt-amsterdam")
        .post(format!("{base}/v1/exchange"))
        .bearer_auth("not.a.token")
        .json(&exchange)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    stop(&mut child, lines, &mut log);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();

    let all = format!("{}\n{stderr}", log.join("\n"));
    assert!(!all.contains(BSN), "a BSN reached the log:\n{all}");
    assert!(
        !all.contains(&bt) && !all.contains(&okt),
        "a token reached the log"
    );
    for line in &log {
        let entry: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        assert!(entry["level"].is_string(), "{line}");
    }
    let requests: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("\"route\":\"/v1/exchange\""))
        .collect();
    assert!(!requests.is_empty(), "request lines name the route:\n{all}");
    assert!(
        requests.iter().all(|l| l.contains("request_id")),
        "request lines carry a request id"
    );
    assert!(
        all.contains("source_unavailable"),
        "the failed exchange is logged with its code"
    );
    // The access line of an exchange says who asked and which decision it led to.
    let answered = requests
        .iter()
        .find(|l| l.contains("finished processing request") && l.contains("\"status\":502"))
        .unwrap_or_else(|| panic!("no access line of the failed exchange:\n{all}"));
    assert!(
        answered.contains("\"partner\":\"okt-amsterdam\""),
        "{answered}"
    );
    assert!(
        answered.contains("\"professional\":\"prof-9\""),
        "{answered}"
    );
    assert!(answered.contains("\"decision_id\":\""), "{answered}");
}

/// The development login lets anyone sign in as any Amsterdammer and as any organisation's
/// privacy officer: `serve` refuses to start with it, naming the key, before it opens a port.
#[test]
fn serve_refuses_a_configuration_with_the_development_login() {
    let dir = tempfile::tempdir().unwrap();
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let pki = gateway::pki::generate(&dir.path().join("pki"), &register).unwrap();
    let with_dev_login = format!("{}[portal]\ndev_login = true\n", config(&pki));
    std::fs::write(dir.path().join("gateway.toml"), with_dev_login).unwrap();
    let mut child = Command::new(GATEWAY)
        .args(["serve", "--config", "gateway.toml"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let started = child.try_wait().unwrap().is_none();
    if started {
        child.kill().unwrap();
    }
    let serve = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&serve.stdout),
        String::from_utf8_lossy(&serve.stderr)
    );
    assert!(!started, "serve must not start with dev_login: {said}");
    assert!(!serve.status.success(), "serve must not start: {said}");
    assert!(said.contains("[portal] dev_login"), "{said}");
    assert!(!said.contains("\"addr\""), "no port was opened: {said}");
}

/// `gateway reload --pid PID` sends `SIGHUP`: the running gateway re-reads its configuration file.
/// A partner added to it is served at once; a file with a misspelled key is refused, logged, and the
/// configuration in force stays.
#[tokio::test]
async fn sighup_reloads_the_configuration_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let pki = gateway::pki::generate(&dir.path().join("pki"), &register).unwrap();
    let file = dir.path().join("gateway.toml");
    std::fs::write(&file, config(&pki)).unwrap();
    let (mut child, lines, mut log, port) = serve(dir.path());
    let url = format!("https://localhost:{port}/v1/consents?subject_bsn={BSN}");
    let wpi = partner_token(&pki, "wpi", "km-1", "klantmanager");
    let as_wpi = || async {
        partner_client(&pki, "wpi")
            .get(&url)
            .bearer_auth(&wpi)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(as_wpi().await, 401, "wpi has no token key configured yet");
    let reload = || {
        let out = Command::new(GATEWAY)
            .args(["reload", "--pid", &child.id().to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };

    let mut text = config(&pki);
    text.push_str(&format!(
        "[partners.wpi]\ntoken_key = \"{}\"\n",
        pki.partner_token_pub("wpi").display()
    ));
    std::fs::write(&file, &text).unwrap();
    reload();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while as_wpi().await != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "wpi is served after the reload"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    std::fs::write(&file, text.replace("log_format", "log_fromat")).unwrap();
    reload();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(as_wpi().await, 200, "the configuration in force stays");

    stop(&mut child, lines, &mut log);
    let all = log.join("\n");
    assert!(all.contains("reloaded: the register"), "{all}");
    assert!(
        all.contains("reload refused") && all.contains("log_fromat"),
        "the refusal names the problem:\n{all}"
    );
}
