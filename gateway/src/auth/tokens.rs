//! Strict JWT verification (architecture.md, pipeline step 2): one pinned algorithm (ES256), `iss`
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
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("audience", &self.audience)
            .field("partners", &self.partner_keys.keys().collect::<Vec<_>>())
            .field("citizen_issuer", &self.citizen_issuer)
            .field("max_lifetime_secs", &self.max_lifetime_secs)
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
    #[error("the token's sub is empty, too long or holds control characters")]
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
            .ok_or(TokenError::UnknownPartner)?;
        let claims =
            jsonwebtoken::decode::<PartnerClaims>(token, key, &self.validation(partner_id))?.claims;
        self.check_lifetime(claims.exp, claims.iat, now())?;
        check_professional(&claims.sub, &claims.role)?;
        Ok(claims)
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

/// `sub` is the key of the per-professional rate limit and names the professional in the records:
/// it must name someone, briefly, in printable text.
fn check_professional(sub: &str, role: &str) -> Result<(), TokenError> {
    if sub.trim().is_empty()
        || sub.chars().count() > MAX_SUBJECT_CHARS
        || sub.chars().any(char::is_control)
    {
        return Err(TokenError::BadSubject);
    }
    if role.trim().is_empty() {
        return Err(TokenError::NoRole);
    }
    Ok(())
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
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;

    const AUDIENCE: &str = "gw";
    const HOUR: i64 = 3600;

    fn verifier() -> (TokenVerifier, Vec<u8>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let public = DecodingKey::from_ec_pem(key.public_key_pem().as_bytes()).unwrap();
        let keys = HashMap::from([("wpi".to_owned(), public.clone())]);
        let verifier = TokenVerifier::new(AUDIENCE.into(), keys, "idp".into(), public, 3600);
        (verifier, key.serialize_pem().into_bytes())
    }

    fn claims(sub: &str, role: &str) -> serde_json::Value {
        let now = Utc::now().timestamp();
        json!({"iss": "wpi", "sub": sub, "role": role, "aud": AUDIENCE, "exp": now + 600, "nbf": now, "iat": now})
    }

    fn refusal(claims: &serde_json::Value) -> &'static str {
        let (verifier, key) = verifier();
        let token = sign(claims, &key).unwrap();
        verifier.verify_partner("wpi", &token).unwrap_err().reason()
    }

    #[test]
    fn a_well_formed_token_within_the_lifetime_verifies() {
        let (verifier, key) = verifier();
        let token = sign(&claims("km-1", "klantmanager"), &key).unwrap();
        assert_eq!(verifier.verify_partner("wpi", &token).unwrap().sub, "km-1");
    }

    #[test]
    fn a_sub_must_name_someone_briefly_in_printable_text() {
        assert_eq!(refusal(&claims("", "klantmanager")), "bad_sub");
        assert_eq!(refusal(&claims("   ", "klantmanager")), "bad_sub");
        assert_eq!(
            refusal(&claims(&"x".repeat(129), "klantmanager")),
            "bad_sub"
        );
        assert_eq!(refusal(&claims("km\n1", "klantmanager")), "bad_sub");
        assert!(check_professional(&"é".repeat(128), "klantmanager").is_ok());
    }

    #[test]
    fn a_role_must_be_given() {
        assert_eq!(refusal(&claims("km-1", "")), "no_role");
    }

    #[test]
    fn a_token_issued_for_longer_than_the_maximum_is_refused() {
        let mut ten_years = claims("km-1", "klantmanager");
        let now = Utc::now().timestamp();
        ten_years["exp"] = json!(now + 10 * 365 * 24 * HOUR);
        assert_eq!(refusal(&ten_years), "lifetime_too_long");
        // Issued long ago for a long time, with little left: still more than the maximum.
        let mut long_ago = claims("km-1", "klantmanager");
        long_ago["iat"] = json!(now - 2 * HOUR);
        long_ago["nbf"] = json!(now - 2 * HOUR);
        long_ago["exp"] = json!(now + 60);
        assert_eq!(refusal(&long_ago), "lifetime_too_long");
    }

    #[test]
    fn a_token_without_iat_may_not_reach_further_than_the_maximum() {
        let (verifier, _) = verifier();
        let now = 1_000_000;
        assert!(verifier.check_lifetime(now + HOUR + 30, None, now).is_ok());
        assert!(verifier.check_lifetime(now + HOUR + 31, None, now).is_err());
        assert!(verifier.check_lifetime(now + HOUR, Some(now), now).is_ok());
        assert!(
            verifier
                .check_lifetime(now + HOUR + 1, Some(now), now)
                .is_err()
        );
    }

    #[test]
    fn a_citizen_token_obeys_the_same_maximum_lifetime() {
        let (verifier, key) = verifier();
        let now = Utc::now();
        let ok = citizen_claims("idp", "111222333", AUDIENCE, now, Duration::minutes(10));
        assert!(verifier.verify_citizen(&sign(&ok, &key).unwrap()).is_ok());
        let long = citizen_claims("idp", "111222333", AUDIENCE, now, Duration::days(3650));
        let refused = verifier.verify_citizen(&sign(&long, &key).unwrap());
        assert_eq!(refused.unwrap_err().reason(), "lifetime_too_long");
    }

    #[test]
    fn a_refusal_carries_no_text_from_the_token() {
        let (verifier, _) = verifier();
        let evil = "\u{1b}[31m\nINFO forged line\u{7}\r";
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": evil, "typ": evil}).to_string());
        let body = URL_SAFE_NO_PAD.encode(json!({"sub": evil, "exp": evil}).to_string());
        for token in [
            format!("{header}.{body}.c2ln"),
            format!(
                "{}.{body}.c2ln",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#)
            ),
            format!("{evil}.{evil}.{evil}"),
        ] {
            let e = verifier.verify_partner("wpi", &token).unwrap_err();
            for text in [e.reason().to_owned(), e.to_string(), format!("{e:?}")] {
                assert!(!text.contains("forged"), "{text:?}");
                assert!(!text.chars().any(char::is_control), "{text:?}");
            }
        }
    }
}
