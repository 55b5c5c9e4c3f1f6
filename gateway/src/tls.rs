//! rustls configuration, ring provider passed explicitly. The server asks every client for a
//! certificate and verifies one that is presented against the partners' CA (an unknown CA fails the
//! handshake) and, when configured, the CRLs; clients without one (residents, public endpoints) are
//! let through, and partner routes refuse them later (see `auth::Partner`). Towards partner systems
//! the gateway accepts only a server certificate naming that partner's OIN.

mod organisation;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::client::WebPkiServerVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};

pub use self::organisation::{RequireClientOin, RequireServerOin, certificate_oin};
use crate::config::TlsConfig;

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn load_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("cannot read certificates from {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} holds a malformed certificate", path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no certificate", path.display());
    }
    Ok(certs)
}

pub fn load_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .with_context(|| format!("cannot read private key {}", path.display()))
}

pub fn roots(path: &Path) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    for cert in load_certs(path)? {
        roots
            .add(cert)
            .with_context(|| format!("{} is not a usable CA certificate", path.display()))?;
    }
    Ok(roots)
}

/// Certificate revocation lists, each file PEM (one or more CRLs) or DER (one CRL).
pub fn load_crls(paths: &[PathBuf]) -> anyhow::Result<Vec<CertificateRevocationListDer<'static>>> {
    let mut crls = Vec::new();
    for path in paths {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read CRL {}", path.display()))?;
        if bytes.starts_with(b"-----BEGIN") {
            let pem = CertificateRevocationListDer::pem_slice_iter(&bytes)
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("{} holds a malformed CRL", path.display()))?;
            if pem.is_empty() {
                bail!("{} holds no CRL", path.display());
            }
            crls.extend(pem);
        } else {
            crls.push(CertificateRevocationListDer::from(bytes));
        }
    }
    Ok(crls)
}

/// The listener's TLS: server certificate, optional-but-verified client certificates, checked
/// against the configured CRLs (a revoked certificate fails the handshake).
pub fn server_config(tls: &TlsConfig) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = provider();
    let mut builder = WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots(&tls.client_ca)?),
        provider.clone(),
    )
    .allow_unauthenticated();
    if !tls.client_crl.is_empty() {
        // Only the partner's own certificate is looked up; one whose issuer has no CRL in the list
        // is refused (fail closed), so list a CRL for every CA in `client_ca`.
        builder = builder
            .with_crls(load_crls(&tls.client_crl)?)
            .only_check_end_entity_revocation();
    }
    let verifier = builder
        .build()
        .context("cannot build the client certificate verifier (is every CRL valid?)")?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(load_certs(&tls.server_cert)?, load_key(&tls.server_key)?)
        .context("the server certificate and key do not fit")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A server that *requires* a client certificate from `ca` naming `only_oin` (the sample partner
/// systems use this: only the gateway may call them; any other certificate fails the handshake).
pub fn strict_server_config(
    ca: &Path,
    cert: &Path,
    key: &Path,
    only_oin: &str,
) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = provider();
    let chain = WebPkiClientVerifier::builder_with_provider(Arc::new(roots(ca)?), provider.clone())
        .build()?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(RequireClientOin::new(chain, only_oin)))
        .with_single_cert(load_certs(cert)?, load_key(key)?)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The gateway's side of the calls to partner systems: whom it trusts and what it presents.
#[derive(Debug)]
pub struct UpstreamIdentity {
    roots: Arc<RootCertStore>,
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl UpstreamIdentity {
    /// Trust `ca`, present `cert`/`key`.
    pub fn load(ca: &Path, cert: &Path, key: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            roots: Arc::new(roots(ca)?),
            certs: load_certs(cert)?,
            key: load_key(key)?,
        })
    }

    /// TLS towards the system of the partner whose OIN is `oin`: its server certificate must chain
    /// to the trusted CA, fit the host name, and name that OIN.
    pub fn towards(&self, oin: &str) -> anyhow::Result<ClientConfig> {
        let provider = provider();
        let chain =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), provider.clone())
                .build()
                .context("cannot build the server certificate verifier")?;
        ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(RequireServerOin::new(chain, oin)))
            .with_client_auth_cert(self.certs.clone(), self.key.clone_key())
            .context("the client certificate and key do not fit")
    }
}

/// TLS with a client certificate: trust `ca`, present `cert`/`key` (partners calling the gateway).
pub fn client_config(ca: &Path, cert: &Path, key: &Path) -> anyhow::Result<ClientConfig> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(ca)?)
        .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
        .context("the client certificate and key do not fit")
}

/// A server's TLS without client certificates (the development identity provider).
pub fn plain_server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(load_certs(cert)?, load_key(key)?)
        .context("the server certificate and key do not fit")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// TLS for a client without a certificate (residents, the public), trusting `ca`.
pub fn anonymous_client_config(ca: &Path) -> anyhow::Result<ClientConfig> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(ca)?)
        .with_no_client_auth())
}

/// Each certificate of the PEM bundle at `path` (e.g. the partners' CAs): its subject and the
/// seconds until it expires (negative once it has).
pub fn expiries(path: &Path) -> anyhow::Result<Vec<(String, i64)>> {
    load_certs(path)?
        .iter()
        .map(|der| {
            let (_, cert) =
                x509_parser::parse_x509_certificate(der.as_ref()).with_context(|| {
                    format!("{} holds a certificate that is not X.509", path.display())
                })?;
            Ok((
                cert.subject().to_string(),
                crate::metrics::seconds_until(cert.validity().not_after.timestamp()),
            ))
        })
        .collect()
}

/// Seconds until the first certificate in the PEM file at `path` expires (negative once it has).
pub fn seconds_left(path: &Path) -> anyhow::Result<i64> {
    let certs = load_certs(path)?;
    let first = certs
        .first()
        .with_context(|| format!("{} holds no certificate", path.display()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(first.as_ref())
        .with_context(|| format!("{} is not an X.509 certificate", path.display()))?;
    Ok(crate::metrics::seconds_until(
        cert.validity().not_after.timestamp(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crl_loads_from_pem_and_from_der() {
        let dir = tempfile::tempdir().unwrap();
        let register = policies::Register::from_toml(crate::demo::DEMO_REGISTER).unwrap();
        let layout = crate::pki::generate(dir.path(), &register).unwrap();
        let pem = crate::pki::revoke(&layout, &["wpi"]).unwrap();
        let der = dir.path().join("ca.crl.der");
        std::fs::write(
            &der,
            load_crls(std::slice::from_ref(&pem)).unwrap()[0].as_ref(),
        )
        .unwrap();
        let crls = load_crls(&[pem, der]).unwrap();
        assert_eq!(crls.len(), 2);
        assert_eq!(crls[0], crls[1]);
    }

    #[test]
    fn a_pem_file_without_a_crl_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.crl");
        std::fs::write(
            &bad,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(load_crls(&[bad]).is_err());
    }
}
