use std::time::Duration;

use super::*;

/// The smallest configuration file: every key without a default.
const MINIMAL: &str = r#"
        register = "r.toml"
        pseudonym_key_file = "k"
        log_signing_key_file = "l"
        [tls]
        server_cert = "a"
        server_key = "b"
        client_ca = "c"
        upstream_ca = "c"
        client_cert = "a"
        client_key = "b"
        [citizen_idp]
        issuer = "digid"
        key = "d"
"#;

#[test]
fn environment_overrides_the_file() {
    let mut config: Config = toml::from_str(MINIMAL).unwrap();
    config
        .apply_env(|k| match k {
            "DATABASE_URL" => Some("postgres://db/x".into()),
            "GATEWAY_LISTEN" => Some("0.0.0.0:9000".into()),
            _ => None,
        })
        .unwrap();
    assert_eq!(config.database_url.expose(), "postgres://db/x");
    assert_eq!(config.listen.port(), 9000);
}

#[test]
fn limit_sections_may_name_only_some_keys_and_the_rest_keep_their_defaults() {
    let limits: ConnectionLimits = toml::from_str("idle_timeout_secs = 5").unwrap();
    assert_eq!(limits.idle_timeout(), Duration::from_secs(5));
    assert_eq!(
        limits.max_per_peer,
        ConnectionLimits::default().max_per_peer
    );
    let tokens: TokenConfig = toml::from_str("").unwrap();
    assert_eq!(tokens.max_lifetime_secs.get(), 3600);
    assert!(toml::from_str::<ConnectionLimits>("idle_timeout_secs = 0").is_err());
}

#[test]
fn an_idle_timeout_over_55_seconds_is_refused() {
    let limits: ConnectionLimits = toml::from_str("idle_timeout_secs = 56").unwrap();
    assert!(limits.validate().is_err());
    assert!(ConnectionLimits::default().validate().is_ok());
}

#[test]
fn a_database_url_never_prints_its_password() {
    let url = DatabaseUrl::new("postgres://gateway:s3cr3t@db.internal:5432/gw?sslmode=require");
    let shown = format!("{url:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert_eq!(
        shown,
        "postgres://gateway:[redacted]@db.internal:5432/gw?sslmode=require"
    );
    assert_eq!(
        format!("{:?}", DatabaseUrl::new("sqlite:data/gateway.db")),
        "sqlite:data/gateway.db"
    );
    assert_eq!(
        format!(
            "{:?}",
            DatabaseUrl::new("postgres://postgres@127.0.0.1/test")
        ),
        "postgres://postgres@127.0.0.1/test"
    );
}

#[test]
fn the_log_format_has_one_spelling() {
    assert_eq!("json".parse::<LogFormat>().unwrap(), LogFormat::Json);
    assert_eq!("text".parse::<LogFormat>().unwrap(), LogFormat::Text);
    assert!("JSON".parse::<LogFormat>().is_err());
}

#[test]
fn secrets_never_print() {
    assert_eq!(format!("{:?}", Secret(vec![1, 2, 3])), "[redacted]");
}

// ---- the deploy examples ----

#[test]
fn the_production_example_configuration_parses() {
    let text = include_str!("../../../deploy/production/gateway.toml");
    let config: Config = toml::from_str(text).unwrap();
    assert!(config.database_url.expose().starts_with("postgres://"));
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(config.partners.contains_key("wpi"));
}

#[test]
fn the_ledger_key_comes_from_the_environment_or_the_file_and_is_never_shown() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("ledger.key");
    std::fs::write(&file, format!("{}\n", "11".repeat(32))).unwrap();
    let mut ledger = LedgerConfig {
        key_file: Some(file.clone()),
        ..Default::default()
    };
    let from_file = ledger.kek().unwrap();

    let mut config: Config = toml::from_str(&format!(
        "{MINIMAL}\n[ledger]\nkey_file = \"{}\"\n",
        file.display()
    ))
    .unwrap();
    config
        .apply_env(|k| (k == "GATEWAY_LEDGER_KEY").then(|| "22".repeat(32)))
        .unwrap();
    let from_env = config.ledger_key().unwrap();
    assert_ne!(from_env.id(), from_file.id(), "the environment wins");
    assert!(!format!("{config:?}").contains(&"22".repeat(32)));

    ledger.key_file = None;
    let missing = ledger.kek().unwrap_err().to_string();
    assert!(missing.contains("no ledger key"), "{missing}");
    std::fs::write(&file, "not hex").unwrap();
    ledger.key_file = Some(file);
    let bad = format!("{:#}", ledger.kek().unwrap_err());
    assert!(
        bad.contains("ledger.key") && bad.contains("64 hex digits"),
        "{bad}"
    );
}

#[test]
fn the_production_example_parses_with_its_identity_providers() {
    let text = include_str!("../../../deploy/production/gateway.toml");
    let mut config: Config = toml::from_str(text).unwrap();
    config.resolve_paths(Path::new("/etc/gateway"));
    assert!(!config.portal.dev_login);
    let digid = config.portal.oidc.as_ref().unwrap();
    assert!(digid.redirect_uri.ends_with("/mijn/login/terug"));
    let okt = &config.audit.oidc["okt-amsterdam"];
    assert!(okt.redirect_uri.ends_with("/audit/login/terug"));
    assert_eq!(config.audit.role_claim, "roles");
    // Without the keys, the defaults.
    let minimal: Config = toml::from_str(MINIMAL).unwrap();
    assert_eq!(minimal.portal.bsn_claim, "bsn");
    assert!(minimal.portal.oidc.is_none() && minimal.audit.oidc.is_empty());
}

#[test]
fn the_configuration_reference_lists_every_key_the_gateway_reads_and_no_other() {
    let keys = super::keys::keys();
    for key in [
        "listen",
        "tls.server_cert",
        "rate_limit.redis",
        "partners.<id>.token_key",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} is traced: {keys:?}");
    }
    let reference = include_str!("../../../docs/configuration.md");
    // Every key of the reference is the first cell of a table row: | `key` | ...
    let documented: Vec<String> = reference
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(key, _)| key.to_owned())
        .collect();
    let missing: Vec<&String> = keys.iter().filter(|k| !documented.contains(k)).collect();
    let gone: Vec<&String> = documented.iter().filter(|k| !keys.contains(k)).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "docs/configuration.md lacks {missing:?} and names keys the gateway does not read: {gone:?}"
    );
}
