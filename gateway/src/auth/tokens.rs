//! Strict JWT verification (architecture.md, pipeline step 2): one pinned algorithm (ES256), `iss`
//! is the partner (or the citizen identity provider), `aud` is this gateway, `exp`, `nbf` and `sub`
//! required, 30 s leeway. And the signing half, for `gateway dev token` only.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

const ALGORITHM: Algorithm = Algorithm::ES256;
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartnerClaims {
    pub iss: String,
    pub sub: String,
    pub role: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitizenClaims {
    pub iss: String,
    pub sub: String,
    pub bsn: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
}

pub struct TokenVerifier {
    audience: String,
    partner_keys: HashMap<String, DecodingKey>,
    citizen_issuer: String,
    citizen_key: DecodingKey,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("audience", &self.audience)
            .field("partners", &self.partner_keys.keys().collect::<Vec<_>>())
            .field("citizen_issuer", &self.citizen_issuer)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no signing key is registered for partner {0}")]
    UnknownPartner(String),
    #[error("{0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

impl TokenVerifier {
    pub fn new(
        audience: String,
        partner_keys: HashMap<String, DecodingKey>,
        citizen_issuer: String,
        citizen_key: DecodingKey,
    ) -> Self {
        Self {
            audience,
            partner_keys,
            citizen_issuer,
            citizen_key,
        }
    }

    pub fn read_public_key(path: &Path) -> anyhow::Result<DecodingKey> {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read token key {}", path.display()))?;
        DecodingKey::from_ec_pem(&pem)
            .with_context(|| format!("{} is not a P-256 public key", path.display()))
    }

    fn validation(&self, issuer: &str) -> Validation {
        let mut v = Validation::new(ALGORITHM);
        v.set_audience(&[&self.audience]);
        v.set_issuer(&[issuer]);
        v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        v.validate_nbf = true;
        v.leeway = LEEWAY_SECS;
        v
    }

    /// Verifies a professional's token against the key of `partner_id`, who must be its issuer.
    pub fn verify_partner(
        &self,
        partner_id: &str,
        token: &str,
    ) -> Result<PartnerClaims, TokenError> {
        let key = self
            .partner_keys
            .get(partner_id)
            .ok_or_else(|| TokenError::UnknownPartner(partner_id.to_owned()))?;
        Ok(jsonwebtoken::decode::<PartnerClaims>(token, key, &self.validation(partner_id))?.claims)
    }

    pub fn verify_citizen(&self, token: &str) -> Result<CitizenClaims, TokenError> {
        let validation = self.validation(&self.citizen_issuer);
        Ok(jsonwebtoken::decode::<CitizenClaims>(token, &self.citizen_key, &validation)?.claims)
    }
}

/// Signs a token with a PKCS#8 PEM P-256 key (development and tests).
pub fn sign(claims: &impl Serialize, private_key_pem: &[u8]) -> anyhow::Result<String> {
    let key = EncodingKey::from_ec_pem(private_key_pem).context("not a P-256 private key")?;
    Ok(jsonwebtoken::encode(&Header::new(ALGORITHM), claims, &key)?)
}

/// Claims for a professional of `partner` valid for `ttl` from `now`.
pub fn partner_claims(
    partner: &str,
    sub: &str,
    role: &str,
    audience: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> PartnerClaims {
    PartnerClaims {
        iss: partner.into(),
        sub: sub.into(),
        role: role.into(),
        aud: audience.into(),
        exp: (now + ttl).timestamp(),
        nbf: now.timestamp(),
        iat: Some(now.timestamp()),
    }
}

pub fn citizen_claims(
    issuer: &str,
    bsn: &str,
    audience: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> CitizenClaims {
    CitizenClaims {
        iss: issuer.into(),
        // The demo identity provider uses a random subject id; the BSN travels in its own claim.
        sub: uuid::Uuid::new_v4().to_string(),
        bsn: bsn.into(),
        aud: audience.into(),
        exp: (now + ttl).timestamp(),
        nbf: now.timestamp(),
    }
}
