//! The CLI as a person uses it: `dev pki`, `dev token`, and `demo`, whose printed commands are run
//! verbatim with bash and curl.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::GATEWAY;

fn gateway(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(GATEWAY)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gateway")
}

#[test]
fn dev_pki_writes_the_files_the_api_contract_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = gateway(&["dev", "pki", "--out", "pki"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pki = dir.path().join("pki");
    for file in [
        "ca.crt",
        "gateway.crt",
        "gateway.key",
        "partners/bt-centrum-west.crt",
        "partners/bt-centrum-west.key",
    ] {
        assert!(pki.join(file).exists(), "{file} missing");
    }
}

#[test]
fn dev_pki_writes_every_private_key_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |file: &Path| std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
    for run in ["first", "second, over a key left world-readable"] {
        let out = gateway(&["dev", "pki", "--out", "pki"], dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pki = dir.path().join("pki");
        let mut keys: Vec<_> = ["ca.key", "gateway.key", "citizen-idp.key", "pseudonym.key"]
            .iter()
            .map(|f| pki.join(f))
            .collect();
        for entry in std::fs::read_dir(pki.join("partners")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "key") {
                keys.push(path);
            }
        }
        assert!(
            keys.iter()
                .any(|k| k.to_string_lossy().ends_with("wpi.token.key")),
            "token keys are among them: {keys:?}"
        );
        for key in &keys {
            assert_eq!(
                mode(key),
                0o600,
                "{run} run: {} is {:o}",
                key.display(),
                mode(key)
            );
        }
        std::fs::set_permissions(
            pki.join("gateway.key"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
}

#[test]
fn dev_pki_revoke_writes_a_crl_for_the_pki_already_there() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        gateway(&["dev", "pki", "--out", "pki"], dir.path())
            .status
            .success()
    );
    let ca = std::fs::read(dir.path().join("pki/ca.crt")).unwrap();
    let out = gateway(
        &[
            "dev",
            "pki",
            "--out",
            "pki",
            "--revoke",
            "wpi",
            "--revoke",
            "okt-amsterdam",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let crl = std::fs::read_to_string(dir.path().join("pki/ca.crl")).unwrap();
    assert!(crl.starts_with("-----BEGIN X509 CRL-----"), "{crl}");
    assert_eq!(
        std::fs::read(dir.path().join("pki/ca.crt")).unwrap(),
        ca,
        "the CA is kept, so the CRL fits the certificates already handed out"
    );
    let unknown = gateway(
        &["dev", "pki", "--out", "pki", "--revoke", "nobody"],
        dir.path(),
    );
    assert!(!unknown.status.success(), "an unknown partner is an error");
}

#[test]
fn dev_token_prints_partner_and_citizen_tokens_and_refuses_a_bad_bsn() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        gateway(&["dev", "pki", "--out", "pki"], dir.path())
            .status
            .success()
    );
    let partner = gateway(
        &[
            "dev",
            "token",
            "--pki",
            "pki",
            "--partner",
            "wpi",
            "--sub",
            "km-1",
            "--role",
            "klantmanager",
        ],
        dir.path(),
    );
    assert!(partner.status.success());
    assert_eq!(
        String::from_utf8_lossy(&partner.stdout)
            .trim()
            .split('.')
            .count(),
        3
    );
    let citizen = gateway(
        &["dev", "token", "--pki", "pki", "--citizen", "111222333"],
        dir.path(),
    );
    assert!(citizen.status.success());
    let bad = gateway(
        &["dev", "token", "--pki", "pki", "--citizen", "123456789"],
        dir.path(),
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("BSN"));
}

struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

#[test]
fn demo_starts_in_seconds_and_its_printed_commands_work() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(GATEWAY)
        .args(["demo", "--pki", "dev-pki", "--port", "0"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start demo");
    let stdout = child.stdout.take().unwrap();
    let demo = Demo(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Stop with Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "demo took {:?}",
        started.elapsed()
    );
    let text = printed.join("\n");
    assert!(text.contains("https://localhost:"), "{text}");
    for kind in ["buurtteam", "okt", "wpi", "aanbieder", "meldpunt"] {
        assert!(text.contains(kind), "demo partners should include a {kind}");
    }
    // The commands after "Try it", comments dropped, run as one script.
    let script: String = printed
        .iter()
        .skip_while(|l| !l.starts_with("Try it"))
        .skip(1)
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("Stop"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace("\\\n", " ");
    let script = format!(
        "set -e\n{}",
        script.replace("curl -s ", "curl -sS --fail-with-body ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "script failed:\n{script}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"disclosure_id\""), "{stdout}");
    assert!(stdout.contains("\"to\":\"okt-amsterdam\""), "{stdout}");
    assert!(
        dir.path().join("data/demo.db").exists(),
        "the demo keeps its database under ./data"
    );

    // A monitor follows the demo's public log, with nothing but its CA and the published key.
    let base = text
        .split_whitespace()
        .find(|w| w.starts_with("https://localhost:"))
        .expect("the demo's address");
    let said = log_command(
        &[
            "monitor",
            "--url",
            base,
            "--state",
            "monitor.json",
            "--cacert",
            "dev-pki/ca.crt",
        ],
        dir.path(),
    )
    .expect("the monitor accepts the demo's log");
    // The consent the demo's printed command recorded, and the exchange.
    assert!(said.contains("2 entries, signature verified"), "{said}");
    drop(demo);

    // An auditor re-derives the whole log from the database with the public key only.
    let verify = ["verify", "--database-url", "sqlite:data/demo.db", "--key"];
    let said = log_command(&[&verify[..], &["dev-pki/log.pub"]].concat(), dir.path())
        .expect("the demo's log verifies");
    assert!(said.contains("log verified: 2 entries"), "{said}");
    assert!(said.contains("1 consent changes"), "{said}");
    let refused = log_command(&[&verify[..], &["dev-pki/ca.crt"]].concat(), dir.path())
        .expect_err("a key that is not the log's fails");
    assert!(refused.contains("the log key"), "{refused}");
    // An auditor's check never creates or migrates what it inspects.
    let missing = [
        "verify",
        "--database-url",
        "sqlite:data/elsewhere/none.db",
        "--key",
    ];
    log_command(&[&missing[..], &["dev-pki/log.pub"]].concat(), dir.path())
        .expect_err("there is no ledger to verify");
    assert!(!dir.path().join("data/elsewhere").exists());

    // The whole log in the Logboek Dataverwerkingen shape, one JSON line per entry.
    let exported = log_command(
        &["export", "--database-url", "sqlite:data/demo.db"],
        dir.path(),
    )
    .expect("the log exports");
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.len(), 1, "{exported}");
    let record: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(
        record["attributes"]["dpl.core.processing_activity_id"],
        "gezinsondersteuning-ouders"
    );
}

/// `gateway log ARGS`: its standard output if it succeeds, its standard error if not.
fn log_command(args: &[&str], cwd: &Path) -> Result<String, String> {
    let out = gateway(&[&["log"], args].concat(), cwd);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(text(&out.stderr))
    }
}

#[test]
fn policy_check_summarises_a_good_register_and_names_what_is_wrong_with_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, gateway::demo::DEMO_REGISTER).unwrap();
    let out = gateway(&["policy", "check", "--register", "good.toml"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("register is consistent"), "{summary}");
    assert!(
        summary.contains("melding-zorg-en-woonoverlast") && summary.contains("public_task"),
        "{summary}"
    );
    // The privacy officer sees who may record a consent that is active at once, per activity.
    let ouders = summary
        .split("gezinsondersteuning-ouders")
        .nth(1)
        .expect("the ouders activity is listed");
    assert!(
        ouders.contains("consent recorders: buurtteam, okt"),
        "{summary}"
    );
    // ...and who may record and confirm each kind of representation.
    let curator = summary
        .lines()
        .find(|l| l.trim_start().starts_with("curator"))
        .expect("the curator line");
    assert!(
        curator.contains("recorded by buurtteam, wpi")
            && curator.contains("confirmed by the person represented or a second regievoerder"),
        "{summary}"
    );

    // Every problem is listed, each with the line of its entry (`gateway policy check FILE`).
    let bad = gateway::demo::DEMO_REGISTER
        .replace("kind = [\"voornaam\",", "kind = [\"bsn\", \"voornaam\",")
        .replace("retention_days = 365", "retention_days = 0");
    std::fs::write(dir.path().join("bad.toml"), &bad).unwrap();
    let out = gateway(&["policy", "check", "bad.toml"], dir.path());
    assert!(!out.status.success());
    let reason = String::from_utf8_lossy(&out.stderr);
    let line_of = |id: &str| {
        1 + bad
            .lines()
            .position(|l| l == format!("id = \"{id}\""))
            .unwrap()
    };
    // bsn is not a field of kind, nor among its necessary fields: two problems; and the retention.
    assert!(reason.contains("3 problem(s)"), "{reason}");
    assert!(
        reason.contains(&format!(
            "bad.toml:{}: activities gezinsondersteuning-kind: names field bsn",
            line_of("gezinsondersteuning-kind")
        )),
        "{reason}"
    );
    assert!(
        reason.contains(&format!(
            "bad.toml:{}: activities regiecheck: has no retention",
            line_of("regiecheck")
        )),
        "{reason}"
    );
}
