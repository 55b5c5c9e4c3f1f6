//! `gateway config check FILE` as an operations team runs it: the production example of
//! `deploy/production/` is accepted once the files it names exist (here under a temporary root,
//! from a development PKI), and a misspelled key, a key in the wrong kind, a missing file and a
//! partner the register does not know are each refused as `FILE:LINE: key: problem`.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::GATEWAY;

const EXAMPLE: &str = include_str!("../../../deploy/production/gateway.toml");
const PARTNERS: [&str; 3] = ["bt-centrum-west", "okt-amsterdam", "wpi"];

/// The example configuration with every file it names present under `dir`.
fn example_in(dir: &Path) -> PathBuf {
    let register = policies::Register::from_toml(gateway::demo::DEMO_REGISTER).unwrap();
    let pki = gateway::pki::generate(&dir.join("pki"), &register).unwrap();
    let root = dir.join("root");
    let mut files: Vec<(String, PathBuf)> = vec![
        (
            "/run/secrets/gateway-pseudonym-key".into(),
            pki.pseudonym_key(),
        ),
        ("/run/secrets/gateway-log-key".into(), pki.log_key()),
        ("/run/secrets/gateway-ledger-key".into(), pki.ledger_key()),
        ("/etc/gateway/tls/gateway.crt".into(), pki.gateway_cert()),
        ("/run/secrets/gateway-tls-key".into(), pki.gateway_key()),
        ("/etc/gateway/tls/partners-ca.crt".into(), pki.ca()),
        (
            "/etc/gateway/tls/gateway-client.crt".into(),
            pki.gateway_cert(),
        ),
        ("/run/secrets/gateway-client-key".into(), pki.gateway_key()),
        (
            "/etc/gateway/keys/citizen-idp.pub".into(),
            pki.citizen_idp_pub(),
        ),
    ];
    for partner in PARTNERS {
        files.push((
            format!("/etc/gateway/keys/{partner}.pub"),
            pki.partner_token_pub(partner),
        ));
    }
    for (at, from) in files {
        let to = root.join(at.trim_start_matches('/'));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
    std::fs::write(
        root.join("etc/gateway/register.toml"),
        gateway::demo::DEMO_REGISTER,
    )
    .unwrap();
    for secret in ["oidc-okt-amsterdam", "oidc-digid"] {
        std::fs::write(root.join("run/secrets").join(secret), "a client secret").unwrap();
    }
    let text = EXAMPLE
        .replace(
            "\"/etc/gateway/",
            &format!("\"{}/etc/gateway/", root.display()),
        )
        .replace(
            "\"/run/secrets/",
            &format!("\"{}/run/secrets/", root.display()),
        );
    let file = dir.join("gateway.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Runs `gateway config check FILE` without the environment overrides of this shell.
fn check(file: &Path) -> (bool, String, String) {
    let out = Command::new(GATEWAY)
        .args(["config", "check"])
        .arg(file)
        .env_remove("DATABASE_URL")
        .env_remove("GATEWAY_LEDGER_KEY")
        .env_remove("GATEWAY_RATE_LIMIT_REDIS")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The line (from 1) of the first line of `file` holding `needle`.
fn line_with(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

#[test]
fn config_check_accepts_the_production_example_and_names_each_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = example_in(dir.path());
    let (ok, stdout, stderr) = check(&file);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("configuration is valid"), "{stdout}");
    assert!(
        stdout.contains("3 partner(s)") && stdout.contains("PostgreSQL"),
        "{stdout}"
    );

    // Two misspelled keys in two tables, a value of the wrong kind, a missing file and a
    // partner the register does not know.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("organisation_burst = 200", "organisation_brust = 200")
        .replace("max_in_flight = 1024", "max_in_fligth = 1024")
        .replace("[partners.wpi]", "[partners.wpi-onbekend]");
    std::fs::write(&file, &text).unwrap();
    std::fs::remove_file(dir.path().join("root/etc/gateway/tls/gateway.crt")).unwrap();
    let (ok, _, stderr) = check(&file);
    assert!(!ok, "a configuration with problems is refused");
    let at = |needle: &str| format!("{}:{}: ", file.display(), line_with(&file, needle));
    for expected in [
        format!(
            "{}rate_limit.organisation_brust: unknown field",
            at("organisation_brust")
        ),
        format!(
            "{}connections.max_in_fligth: unknown field",
            at("max_in_fligth")
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    }

    // With the keys spelled right, what the files hold is checked.
    let text = text
        .replace("organisation_brust", "organisation_burst")
        .replace("max_in_fligth", "max_in_flight");
    std::fs::write(&file, &text).unwrap();
    let (ok, _, stderr) = check(&file);
    assert!(!ok);
    for expected in [
        format!("{}tls.server_cert: cannot read", at("server_cert =")),
        format!(
            "{}:{}: partners.wpi-onbekend.token_key: partner 'wpi-onbekend' is not in the register",
            file.display(),
            line_with(&file, "[partners.wpi-onbekend]") + 2
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    }

    // A value of the wrong kind.
    std::fs::write(&file, text.replace("\nburst = 200", "\nburst = \"veel\"")).unwrap();
    let (ok, _, stderr) = check(&file);
    assert!(!ok);
    let expected = format!("{}rate_limit.burst: invalid type", at("burst = \"veel\""));
    assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
}
