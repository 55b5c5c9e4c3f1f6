//! `gateway dev pki`: a development PKI (`/openapi.json`). Never for production:
//! the keys are written unencrypted next to each other.

use std::fs;
use std::io::Write as _;
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Datelike as _, Utc};
use policies::Register;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};

/// OID 2.5.4.5, the subject attribute that carries the organisation identifier (OIN).
pub const SERIAL_NUMBER_OID: [u64; 4] = [2, 5, 4, 5];
/// The gateway's OIN in the development PKI (its certificate's subject `serialNumber`); the sample
/// partner systems accept calls only from a certificate carrying it.
pub const GATEWAY_OIN: &str = "00000001000000000000";

/// Where `dev pki` puts things.
#[derive(Debug, Clone)]
pub struct PkiLayout {
    pub dir: PathBuf,
}

impl PkiLayout {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }
    /// The CA's private key (`dev pki --revoke` signs CRLs with it).
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca.key")
    }
    /// The CRL `revoke` writes.
    pub fn crl(&self) -> PathBuf {
        self.dir.join("ca.crl")
    }
    pub fn gateway_cert(&self) -> PathBuf {
        self.dir.join("gateway.crt")
    }
    pub fn gateway_key(&self) -> PathBuf {
        self.dir.join("gateway.key")
    }
    pub fn partner_cert(&self, id: &str) -> PathBuf {
        self.dir.join("partners").join(format!("{id}.crt"))
    }
    pub fn partner_key(&self, id: &str) -> PathBuf {
        self.dir.join("partners").join(format!("{id}.key"))
    }
    /// The private key the partner's tokens are signed with (ES256, PKCS#8 PEM).
    pub fn partner_token_key(&self, id: &str) -> PathBuf {
        self.dir.join("partners").join(format!("{id}.token.key"))
    }
    pub fn partner_token_pub(&self, id: &str) -> PathBuf {
        self.dir.join("partners").join(format!("{id}.token.pub"))
    }
    pub fn citizen_idp_key(&self) -> PathBuf {
        self.dir.join("citizen-idp.key")
    }
    pub fn citizen_idp_pub(&self) -> PathBuf {
        self.dir.join("citizen-idp.pub")
    }
    /// The log's checkpoint signing key, in signed-note signer form (`PRIVATE+KEY+...`).
    pub fn log_key(&self) -> PathBuf {
        self.dir.join("log.key")
    }
    /// The log's verifier key, in signed-note form (what `/v1/log/key` serves).
    pub fn log_pub(&self) -> PathBuf {
        self.dir.join("log.pub")
    }
    /// The ledger's key-encryption key (64 hex digits).
    pub fn ledger_key(&self) -> PathBuf {
        self.dir.join("ledger.key")
    }
    /// The Ed25519 seed (64 hex digits) change notifications to partner systems are signed with.
    pub fn notification_key(&self) -> PathBuf {
        self.dir.join("notifications.key")
    }
    pub fn pseudonym_key(&self) -> PathBuf {
        self.dir.join("pseudonym.key")
    }
    pub fn exists(&self) -> bool {
        self.ca().exists() && self.pseudonym_key().exists()
    }
}

/// Writes a fresh PKI for every partner of `register` into `dir`.
pub fn generate(dir: &Path, register: &Register) -> anyhow::Result<PkiLayout> {
    let layout = PkiLayout::new(dir);
    fs::create_dir_all(dir.join("partners"))
        .with_context(|| format!("cannot create {}", dir.display()))?;

    let ca_key = KeyPair::generate()?;
    let ca = ca_params()?.self_signed(&ca_key)?;
    write(&layout.ca(), &ca.pem())?;
    write_secret(&layout.ca_key(), &ca_key.serialize_pem())?;

    let leaf = |cn: &str, org: &str, oin: Option<&str>| -> anyhow::Result<(String, String)> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        params.distinguished_name = dn(cn, org, oin);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params.signed_by(&key, &ca, &ca_key)?;
        Ok((cert.pem(), key.serialize_pem()))
    };

    let (cert, key) = leaf(
        "amsterdam-privacy-gateway",
        "Gemeente Amsterdam",
        Some(GATEWAY_OIN),
    )?;
    write(&layout.gateway_cert(), &cert)?;
    write_secret(&layout.gateway_key(), &key)?;

    for partner in &register.partners {
        let (cert, key) = leaf(&partner.id, &partner.name, Some(&partner.oin))?;
        write(&layout.partner_cert(&partner.id), &cert)?;
        write_secret(&layout.partner_key(&partner.id), &key)?;
        new_token_key(&layout, &partner.id)?;
    }

    let idp = KeyPair::generate()?;
    write_secret(&layout.citizen_idp_key(), &idp.serialize_pem())?;
    write(&layout.citizen_idp_pub(), &idp.public_key_pem())?;

    let mut secret = [0u8; 32];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| anyhow::anyhow!("no randomness available"))?;
    write_secret(&layout.pseudonym_key(), &hex::encode(secret))?;
    ensure_log_key(&layout)?;
    ensure_ledger_key(&layout)?;
    ensure_notification_key(&layout)?;
    Ok(layout)
}

/// Writes a new token signing key pair for `partner` over its old one (a partner rotating its
/// key: its old tokens stop verifying once the gateway reloads the new public key).
pub fn new_token_key(layout: &PkiLayout, partner: &str) -> anyhow::Result<()> {
    let token_key = KeyPair::generate()?;
    write_secret(
        &layout.partner_token_key(partner),
        &token_key.serialize_pem(),
    )?;
    write(
        &layout.partner_token_pub(partner),
        &token_key.public_key_pem(),
    )
}

/// Writes `ca.crl`, a CRL signed by the dev CA that revokes the client certificates of `partner_ids`
/// (none: a CRL that revokes nothing), valid for 30 days. Returns its path. For `[tls] client_crl`.
pub fn revoke(layout: &PkiLayout, partner_ids: &[&str]) -> anyhow::Result<PathBuf> {
    let ca_key = fs::read_to_string(layout.ca_key())
        .with_context(|| format!("cannot read {}", layout.ca_key().display()))?;
    let ca_key = KeyPair::from_pem(&ca_key).context("ca.key is not a private key")?;
    // rcgen signs a CRL with a `Certificate`: the CA's own parameters and key give one with the
    // subject and key identifier of ca.crt, which is all the CRL takes from it.
    let ca = ca_params()?.self_signed(&ca_key)?;
    let now = Utc::now();
    let day = |d: chrono::NaiveDate| -> anyhow::Result<_> {
        let month = u8::try_from(d.month())?;
        let day = u8::try_from(d.day())?;
        Ok(rcgen::date_time_ymd(d.year(), month, day))
    };
    let today = day(now.date_naive())?;
    let revoked_certs = partner_ids
        .iter()
        .map(|id| {
            let cert = crate::tls::load_certs(&layout.partner_cert(id))
                .with_context(|| format!("no certificate for partner {id} in the PKI"))?;
            let (_, cert) = x509_parser::parse_x509_certificate(cert[0].as_ref())
                .map_err(|e| anyhow::anyhow!("the certificate of {id} does not parse: {e}"))?;
            Ok(RevokedCertParams {
                serial_number: SerialNumber::from(cert.serial.to_bytes_be()),
                revocation_time: today,
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let crl = CertificateRevocationListParams {
        this_update: today,
        next_update: day(now.date_naive() + chrono::Days::new(30))?,
        crl_number: SerialNumber::from(u64::try_from(now.timestamp())?),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca, &ca_key)?;
    write(&layout.crl(), &crl.pem()?)?;
    Ok(layout.crl())
}

/// The dev CA: its subject, and the right to sign certificates and CRLs.
fn ca_params() -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = dn(
        "Amsterdam Sociaal Domein Dev CA",
        "Gemeente Amsterdam (development)",
        None,
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

fn dn(cn: &str, org: &str, oin: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CountryName, "NL");
    if let Some(oin) = oin {
        dn.push(DnType::CustomDnType(SERIAL_NUMBER_OID.to_vec()), oin);
    }
    dn
}

fn write(path: &Path, contents: &str) -> anyhow::Result<()> {
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a private key readable by its owner only: the file is created with mode 0600 (an earlier
/// file is removed first, since opening an existing file keeps its old mode).
/// The origin (and key name) of the development log.
pub const DEV_LOG_ORIGIN: &str = "privacy-gateway.amsterdam.example/ledger";

/// Writes the log's signing and verifier keys if `layout` has none yet (a PKI from before the log
/// was signed gets them on the next `demo`).
pub fn ensure_log_key(layout: &PkiLayout) -> anyhow::Result<()> {
    if layout.log_key().exists() {
        return Ok(());
    }
    let skey = consent::LogSigner::generate_skey(DEV_LOG_ORIGIN)?;
    let signer = consent::LogSigner::from_skey(&skey)?;
    write_secret(&layout.log_key(), &format!("{skey}\n"))?;
    write(
        &layout.log_pub(),
        &format!("{}\n", signer.verifier().vkey()),
    )
}

/// Writes the ledger's key-encryption key if `layout` has none yet (a PKI from before records were
/// sealed gets one on the next `demo`).
pub fn ensure_ledger_key(layout: &PkiLayout) -> anyhow::Result<()> {
    if layout.ledger_key().exists() {
        return Ok(());
    }
    write_secret(
        &layout.ledger_key(),
        &format!("{}\n", consent::Kek::generate_hex()?),
    )
}

/// Writes the notification signing key if `layout` has none yet (a PKI from before notifications
/// were signed gets one on the next `demo`).
pub fn ensure_notification_key(layout: &PkiLayout) -> anyhow::Result<()> {
    if layout.notification_key().exists() {
        return Ok(());
    }
    write_secret(
        &layout.notification_key(),
        &format!("{}\n", crate::notify::NotifySigner::generate_hex()?),
    )
}

fn write_secret(path: &Path, contents: &str) -> anyhow::Result<()> {
    let context = || format!("cannot write {}", path.display());
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(context);
        }
        _ => {}
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).with_context(context)?;
    file.write_all(contents.as_bytes()).with_context(context)
}
