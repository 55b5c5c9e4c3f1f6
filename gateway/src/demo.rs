//! `gateway demo`: the gateway on SQLite with the demo register, a generated dev PKI and a sample
//! system for every partner. Also the building blocks the end-to-end tests start the same way.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use policies::Register;

use crate::app::{Application, shutdown_signal};
use crate::config::{CitizenIdpConfig, Config, DatabaseUrl, LogFormat, PartnerConfig, TlsConfig};
use crate::pki::{self, PkiLayout};
use crate::sample::{Behaviour, SampleSystem};
use crate::tls;

/// The demo register, built into the binary so `dev pki` and `demo` work from any directory.
pub const DEMO_REGISTER: &str = include_str!("../../deploy/demo/register.toml");
/// Issuer of citizen tokens in development (a DigiD stand-in).
pub const DEV_CITIZEN_ISSUER: &str = "demo-digid";
pub use crate::config::DEFAULT_AUDIENCE;

/// The register file to use: `path` if it exists, else the built-in demo register written into `dir`.
pub fn register_file(path: Option<&Path>, dir: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = path {
        return Ok(path.to_path_buf());
    }
    let default = Path::new("deploy/demo/register.toml");
    if default.exists() {
        return Ok(default.to_path_buf());
    }
    std::fs::create_dir_all(dir)?;
    let file = dir.join("register.toml");
    std::fs::write(&file, DEMO_REGISTER)?;
    Ok(file)
}

/// A development configuration over a dev PKI; `endpoints` are the partners' system URLs.
pub fn dev_config(
    pki: &PkiLayout,
    register_path: PathBuf,
    register: &Register,
    database_url: String,
    listen: SocketAddr,
    endpoints: &BTreeMap<String, String>,
) -> Config {
    Config {
        listen,
        database_url: DatabaseUrl::new(database_url),
        register: register_path,
        audience: DEFAULT_AUDIENCE.into(),
        pseudonym_key_file: pki.pseudonym_key(),
        log_signing_key_file: pki.log_key(),
        ledger: crate::config::LedgerConfig {
            key_file: Some(pki.ledger_key()),
            ..Default::default()
        },
        notifications: crate::config::NotificationConfig {
            signing_key_file: Some(pki.notification_key()),
            ..Default::default()
        },
        audit: crate::config::AuditConfig::default(),
        policy: crate::config::PolicyConfig::default(),
        // The demo's residents are synthetic: pick one by BSN.
        portal: crate::config::PortalConfig {
            dev_login: true,
            ..crate::config::PortalConfig::default()
        },
        log_format: LogFormat::Text,
        rate_limit: Default::default(),
        consent: Default::default(),
        tokens: Default::default(),
        connections: Default::default(),
        upstream: Default::default(),
        // A port of its own per process, so demos and tests side by side do not collide.
        metrics: crate::config::MetricsConfig {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        },
        tls: TlsConfig {
            server_cert: pki.gateway_cert(),
            server_key: pki.gateway_key(),
            client_ca: pki.ca(),
            upstream_ca: pki.ca(),
            client_cert: pki.gateway_cert(),
            client_key: pki.gateway_key(),
            client_crl: Vec::new(),
        },
        citizen_idp: CitizenIdpConfig {
            issuer: DEV_CITIZEN_ISSUER.into(),
            key: pki.citizen_idp_pub(),
        },
        partners: register
            .partners
            .iter()
            .map(|p| {
                let config = PartnerConfig {
                    endpoint: endpoints.get(&p.id).cloned(),
                    token_key: pki.partner_token_pub(&p.id),
                };
                (p.id.clone(), config)
            })
            .collect(),
    }
}

/// Starts one sample system per partner, each serving with that partner's certificate and accepting
/// only the gateway's (`pki::GATEWAY_OIN`); `behaviour` picks how each behaves.
pub async fn start_sample_systems(
    pki: &PkiLayout,
    register: &Arc<Register>,
    behaviour: impl Fn(&str) -> Behaviour,
) -> anyhow::Result<Vec<SampleSystem>> {
    let mut systems = Vec::new();
    for partner in &register.partners {
        let tls = tls::strict_server_config(
            &pki.ca(),
            &pki.partner_cert(&partner.id),
            &pki.partner_key(&partner.id),
            pki::GATEWAY_OIN,
        )?;
        systems.push(
            SampleSystem::start(
                partner.clone(),
                register.clone(),
                tls,
                behaviour(&partner.id),
            )
            .await?,
        );
    }
    Ok(systems)
}

pub async fn run(
    pki_dir: PathBuf,
    port: u16,
    register: Option<PathBuf>,
    database_url: String,
) -> anyhow::Result<()> {
    let register_path = register_file(register.as_deref(), Path::new("data"))?;
    let register = Arc::new(crate::app::load_register(&register_path)?);
    let layout = if PkiLayout::new(&pki_dir).exists() {
        let layout = PkiLayout::new(&pki_dir);
        pki::ensure_log_key(&layout)?;
        pki::ensure_notification_key(&layout)?;
        pki::ensure_ledger_key(&layout)?;
        layout
    } else {
        pki::generate(&pki_dir, &register)?
    };
    let systems = start_sample_systems(&layout, &register, |_| Behaviour::Normal).await?;
    let endpoints = systems
        .iter()
        .map(|s| (s.partner_id.clone(), s.url.clone()))
        .collect();
    std::fs::create_dir_all("data").context("cannot create ./data")?;
    let listen = SocketAddr::from(([127, 0, 0, 1], port));
    let config = dev_config(
        &layout,
        register_path,
        &register,
        database_url,
        listen,
        &endpoints,
    );
    let app = Application::build(&config).await?;
    print_welcome(&app.local_addr(), &layout, &register, &systems);
    app.run_until(shutdown_signal()).await;
    Ok(())
}

fn print_welcome(
    addr: &SocketAddr,
    pki: &PkiLayout,
    register: &Register,
    systems: &[SampleSystem],
) {
    let exe =
        std::env::current_exe().map_or_else(|_| "gateway".into(), |p| p.display().to_string());
    let dir = pki.dir.display();
    let base = format!("https://localhost:{}", addr.port());
    println!("\nAmsterdam privacy gateway (demo) at {base}");
    println!("  register:  {base}/v1/register    API: {base}/openapi.json");
    println!(
        "  Mijn gegevens (Amsterdammers): {base}/mijn    console (privacy officers): {base}/audit"
    );
    println!("  (development logins: a BSN such as 111222333; an organisation)\n");
    println!("Demo partners (sample systems answer synthetic data for any valid BSN):");
    for p in &register.partners {
        let url = systems
            .iter()
            .find(|s| s.partner_id == p.id)
            .map_or("-", |s| s.url.as_str());
        println!("  {:<28} {:<10} {}  ({url})", p.id, p.kind, p.name);
    }
    let bt = "bt-centrum-west";
    let curl_bt = format!(
        "curl -s --cacert {dir}/ca.crt --cert {dir}/partners/{bt}.crt --key {dir}/partners/{bt}.key"
    );
    let curl_okt = format!(
        "curl -s --cacert {dir}/ca.crt --cert {dir}/partners/okt-amsterdam.crt --key {dir}/partners/okt-amsterdam.key"
    );
    // One year ahead: within the register's maximum consent period whenever the demo runs.
    let valid_until = (chrono::Utc::now() + chrono::Duration::days(365))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    println!("\nTry it (BSN 111222333 is a valid test number):\n");
    println!("  # 1. A buurtteam professional records the toestemmingsverklaring for the OKT");
    println!(
        "  BT=$({exe} dev token --pki {dir} --partner {bt} --sub medewerker-1 --role regievoerder)"
    );
    println!(
        "  {curl_bt} -H \"Authorization: Bearer $BT\" -H 'Content-Type: application/json' {base}/v1/consents \\\n    -d '{{\"subject_bsn\":\"111222333\",\"recipients\":[\"okt-amsterdam\"],\"activities\":[\"gezinsondersteuning-ouders\"],\"categories\":[\"contact\",\"regie\"],\"valid_until\":\"{until}\",\"evidence\":{{\"method\":\"signed_form\",\"document_sha256\":\"{}\",\"recorded_by\":\"medewerker-1\"}}}}'",
        "ab".repeat(32),
        until = valid_until
    );
    println!("\n  # 2. An OKT professional asks the buurtteam for what that purpose needs");
    println!(
        "  OKT=$({exe} dev token --pki {dir} --partner okt-amsterdam --sub okt-7 --role okt-medewerker)"
    );
    println!(
        "  {curl_okt} -H \"Authorization: Bearer $OKT\" -H 'Content-Type: application/json' {base}/v1/exchange \\\n    -d '{{\"subject_bsn\":\"111222333\",\"source\":\"{bt}\",\"activity\":\"gezinsondersteuning-ouders\",\"categories\":[\"contact\",\"regie\"]}}'"
    );
    println!("\n  # 3. The Amsterdammer sees what was shared");
    println!("  ME=$({exe} dev token --pki {dir} --citizen 111222333)");
    println!(
        "  curl -s --cacert {dir}/ca.crt -H \"Authorization: Bearer $ME\" {base}/v1/me/disclosures\n"
    );
    println!("Stop with Ctrl-C.");
}
