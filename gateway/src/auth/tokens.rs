//! Strict JWT verification (README, "Design"): one pinned algorithm (ES256), `iss`
//! is the partner (or the citizen identity provider), `aud` is this gateway, `exp`, `nbf` and `sub`
//! required, 30 s leeway, and a maximum lifetime (`exp - iat` and `exp - now`), so a leaked token is
//! not good for years. A professional's `sub` and `role` must be usable. And the signing half, for
//! `gateway dev token` only.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

mod cache;

const ALGORITHM: Algorithm = Algorithm::ES256;
const LEEWAY_SECS: u64 = 30;
/// The longest professional id (`sub`) accepted, in characters.
pub const MAX_SUBJECT_CHARS: usize = 128;

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
    pub iat: Option<i64>,
}

pub struct TokenVerifier {
    audience: String,
    partner_keys: HashMap<String, DecodingKey>,
    citizen_issuer: String,
    citizen_key: DecodingKey,
    max_lifetime_secs: i64,
    /// Partner tokens that passed every check (see `cache`).
    verified: cache::VerifiedTokens,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("audience", &self.audience)
            .field("partners", &self.partner_keys.keys().collect::<Vec<_>>())
            .field("citizen_issuer", &self.citizen_issuer)
            .field("max_lifetime_secs", &self.max_lifetime_secs)
            .field("verified_tokens", &self.verified.len())
            .finish()
    }
}

/// Why a token was refused. Neither `Display` nor [`TokenError::reason`] carries text from the
/// token: a token is attacker-chosen bytes, and the reason goes into the log.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no signing key is registered for the partner")]
    UnknownPartner,
    #[error("the token does not verify: {0}")]
    Invalid(#[source] InvalidToken),
    #[error(
        "the token's sub is empty, too long or holds control, invisible or direction-changing characters"
    )]
    BadSubject,
    #[error("the token's role is empty")]
    NoRole,
    #[error("the token is valid for longer than the gateway accepts")]
    LifetimeTooLong,
}

/// A jsonwebtoken error, kept as the source but never displayed with its own text (its messages
/// may quote the token, e.g. serde's "unknown variant `...`"), not even by `Debug`.
pub struct InvalidToken(jsonwebtoken::errors::Error);

impl std::fmt::Debug for InvalidToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("InvalidToken")
            .field(&self.kind_reason())
            .finish()
    }
}

impl std::fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind_reason())
    }
}

impl std::error::Error for InvalidToken {}

impl InvalidToken {
    fn kind_reason(&self) -> &'static str {
        match self.0.kind() {
            ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Utf8(_) => "malformed",
            ErrorKind::Json(_) | ErrorKind::InvalidClaimFormat(_) => "malformed_json",
            ErrorKind::InvalidSignature => "bad_signature",
            ErrorKind::ExpiredSignature => "expired",
            ErrorKind::ImmatureSignature => "not_yet_valid",
            ErrorKind::InvalidIssuer => "wrong_issuer",
            ErrorKind::InvalidAudience => "wrong_audience",
            ErrorKind::InvalidSubject => "wrong_subject",
            ErrorKind::InvalidAlgorithm
            | ErrorKind::MissingAlgorithm
            | ErrorKind::InvalidAlgorithmName => "wrong_algorithm",
            ErrorKind::MissingRequiredClaim(_) => "missing_claim",
            _ => "verification_failed",
        }
    }
}

impl From<jsonwebtoken::errors::Error> for TokenError {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        Self::Invalid(InvalidToken(e))
    }
}

impl TokenError {
    /// A fixed string per kind of refusal, for the log.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::UnknownPartner => "no_partner_key",
            Self::Invalid(e) => e.kind_reason(),
            Self::BadSubject => "bad_sub",
            Self::NoRole => "no_role",
            Self::LifetimeTooLong => "lifetime_too_long",
        }
    }
}

impl TokenVerifier {
    /// How many partners have a token key here.
    pub fn partners(&self) -> usize {
        self.partner_keys.len()
    }

    pub fn new(
        audience: String,
        partner_keys: HashMap<String, DecodingKey>,
        citizen_issuer: String,
        citizen_key: DecodingKey,
        max_lifetime_secs: u64,
    ) -> Self {
        Self {
            audience,
            partner_keys,
            citizen_issuer,
            citizen_key,
            max_lifetime_secs: i64::try_from(max_lifetime_secs).unwrap_or(i64::MAX),
            verified: cache::VerifiedTokens::new(cache::CAPACITY),
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

    /// Verifies a professional's token against the key of `partner_id`, who must be its issuer. A
    /// token that verified before is taken from the cache if it is still within `exp`, `nbf` and
    /// the maximum lifetime now; else it is verified in full.
    pub fn verify_partner(
        &self,
        partner_id: &str,
        token: &str,
    ) -> Result<PartnerClaims, TokenError> {
        let key = self
            .partner_keys
            .get(partner_id)
            .ok_or(TokenError::UnknownPartner)?;
        let digest = cache::digest(partner_id, token);
        if let Some(claims) = self.cached(&digest, now()) {
            return Ok(claims);
        }
        let claims =
            jsonwebtoken::decode::<PartnerClaims>(token, key, &self.validation(partner_id))?.claims;
        let now = now();
        self.check_lifetime(claims.exp, claims.iat, now)?;
        check_professional(&claims.sub, &claims.role)?;
        self.verified.insert(
            digest,
            claims.clone(),
            now.saturating_sub(LEEWAY_SECS as i64),
        );
        Ok(claims)
    }

    /// A cached token whose time-dependent checks still pass at `now`, as jsonwebtoken applies
    /// them (`exp < now - leeway` is expired, `nbf > now + leeway` not yet valid); one that fails
    /// them is dropped.
    fn cached(&self, digest: &cache::TokenDigest, now: i64) -> Option<PartnerClaims> {
        let claims = self.verified.get(digest)?;
        let leeway = LEEWAY_SECS as i64;
        let in_time = claims.exp >= now.saturating_sub(leeway)
            && claims.nbf <= now.saturating_add(leeway)
            && self.check_lifetime(claims.exp, claims.iat, now).is_ok();
        if in_time {
            Some(claims)
        } else {
            self.verified.remove(digest);
            None
        }
    }

    pub fn verify_citizen(&self, token: &str) -> Result<CitizenClaims, TokenError> {
        let validation = self.validation(&self.citizen_issuer);
        let claims =
            jsonwebtoken::decode::<CitizenClaims>(token, &self.citizen_key, &validation)?.claims;
        self.check_lifetime(claims.exp, claims.iat, now())?;
        Ok(claims)
    }

    /// A token may be issued for at most the maximum lifetime (`exp - iat`, when `iat` is given) and
    /// may not reach further than that from now (`exp - now`, with the leeway for clock skew).
    fn check_lifetime(&self, exp: i64, iat: Option<i64>, now: i64) -> Result<(), TokenError> {
        let max = self.max_lifetime_secs;
        let issued_for_too_long = iat.is_some_and(|iat| exp.saturating_sub(iat) > max);
        let reaches_too_far = exp.saturating_sub(now) > max.saturating_add(LEEWAY_SECS as i64);
        if issued_for_too_long || reaches_too_far {
            return Err(TokenError::LifetimeTooLong);
        }
        Ok(())
    }
}

/// The same clock jsonwebtoken checks `exp` and `nbf` with, so the lifetime check agrees with it.
fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX)
}

/// `sub` is the key of the per-professional rate limit and names the professional in the records,
/// the console and the CSV export: it must name someone, briefly, in text that shows what it says.
fn check_professional(sub: &str, role: &str) -> Result<(), TokenError> {
    if sub.trim().is_empty()
        || sub.chars().count() > MAX_SUBJECT_CHARS
        || sub
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(TokenError::BadSubject);
    }
    if role.trim().is_empty() {
        return Err(TokenError::NoRole);
    }
    Ok(())
}

/// Unicode format characters (category Cf) that change how the text around them is shown without
/// showing themselves: direction overrides and isolates (U+202E turns `nimda` into `admin` on the
/// screen), zero-width spaces and joiners, the soft hyphen, the byte-order mark, tags. A name
/// holding one can pass for another name.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
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
        iat: Some(now.timestamp()),
    }
}

#[cfg(test)]
mod tests;
