//! Certificate verifiers that, besides the usual chain check, require the peer's certificate to name
//! one organisation: its OIN in the subject `serialNumber`. A wrong organisation fails the handshake,
//! so not one byte of a request (which carries a BSN) or of an answer is exchanged.
//!
//! - [`RequireClientOin`]: a partner system accepts only the gateway (README, "Design").
//! - [`RequireServerOin`]: the gateway talks only to the system of the partner it means.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, OtherError, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// The subject `serialNumber` (OID 2.5.4.5) of a DER certificate: the organisation's OIN.
pub fn certificate_oin(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let oid = x509_parser::oid_registry::OID_X509_SERIALNUMBER;
    let attr = cert.subject().iter_by_oid(&oid).next()?;
    attr.as_str().ok().map(str::to_owned)
}

/// The peer's certificate is valid but names another organisation (or none).
#[derive(Debug)]
struct WrongOrganisation {
    peer: &'static str,
    expected: String,
    presented: Option<String>,
}

impl fmt::Display for WrongOrganisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.presented {
            Some(oin) => write!(
                f,
                "the {} certificate names OIN {oin}, not the expected {}",
                self.peer, self.expected
            ),
            None => write!(
                f,
                "the {} certificate names no OIN; expected {}",
                self.peer, self.expected
            ),
        }
    }
}

impl std::error::Error for WrongOrganisation {}

fn require_oin(peer: &'static str, expected: &str, end_entity: &[u8]) -> Result<(), Error> {
    let presented = certificate_oin(end_entity);
    if presented.as_deref() == Some(expected) {
        return Ok(());
    }
    Err(Error::InvalidCertificate(CertificateError::Other(
        OtherError(Arc::new(WrongOrganisation {
            peer,
            expected: expected.to_owned(),
            presented,
        })),
    )))
}

/// A client-certificate verifier that accepts only certificates carrying `oin`, after `inner` has
/// verified the chain.
#[derive(Debug)]
pub struct RequireClientOin {
    inner: Arc<dyn ClientCertVerifier>,
    oin: String,
}

impl RequireClientOin {
    pub fn new(inner: Arc<dyn ClientCertVerifier>, oin: impl Into<String>) -> Self {
        Self {
            inner,
            oin: oin.into(),
        }
    }
}

impl ClientCertVerifier for RequireClientOin {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        require_oin("client", &self.oin, end_entity)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A server-certificate verifier that accepts only certificates carrying `oin`, after `inner` has
/// verified the chain and the host name.
#[derive(Debug)]
pub struct RequireServerOin {
    inner: Arc<WebPkiServerVerifier>,
    oin: String,
}

impl RequireServerOin {
    pub fn new(inner: Arc<WebPkiServerVerifier>, oin: impl Into<String>) -> Self {
        Self {
            inner,
            oin: oin.into(),
        }
    }
}

impl ServerCertVerifier for RequireServerOin {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        require_oin("partner system", &self.oin, end_entity)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
