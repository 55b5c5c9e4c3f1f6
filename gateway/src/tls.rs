//! rustls configuration, ring provider passed explicitly. The server asks every client for a
//! certificate and verifies one that is presented against the partners' CA (an unknown CA fails the
//! handshake); clients without one (residents, public endpoints) are let through, and partner routes
//! refuse them later (see `auth::Partner`). Towards partner systems the gateway accepts only a server
//! certificate naming that partner's OIN.

mod organisation;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::client::WebPkiServerVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

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

/// The listener's TLS: server certificate, optional-but-verified client certificates.
pub fn server_config(tls: &TlsConfig) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = provider();
    let verifier = WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots(&tls.client_ca)?),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .context("cannot build the client certificate verifier")?;
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

/// TLS for a client without a certificate (residents, the public), trusting `ca`.
pub fn anonymous_client_config(ca: &Path) -> anyhow::Result<ClientConfig> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(ca)?)
        .with_no_client_auth())
}
