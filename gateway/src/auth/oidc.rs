//! Logging in to the pages through an OpenID Connect provider: the authorization code flow with
//! PKCE (RFC 7636, `S256`), `state` and `nonce`. The Amsterdammer logs in through the citizen
//! identity provider (`[portal.oidc]`, e.g. a DigiD broker; the BSN comes in a claim); a privacy
//! officer through their own organisation's provider (`[audit.oidc.<partner id>]`; the officer is
//! the token's `sub`, and a role claim must say `privacy_officer`).
//!
//! The flow's secrets (state, nonce, code verifier) travel in a short-lived signed cookie, so any
//! replica finishes a login another began. It is `SameSite=Lax`, the one cookie that must come back
//! on the provider's cross-site redirect; the session cookie set at the end is `Strict` as always.
//! The ID token is checked with the provider's published keys: signature, issuer, audience,
//! expiry and nonce.

use std::time::Duration;

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use ring::hmac;
use ring::rand::SecureRandom as _;
use serde::Deserialize;

pub use crate::config::ProviderConfig;

/// How long a login may take at the provider.
const FLOW_MINUTES: i64 = 10;

/// A provider, ready: its configuration, client secret and HTTP client.
pub struct Provider {
    pub config: ProviderConfig,
    secret: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.config.issuer)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    id_token: String,
}

/// What the browser carries through the provider: signed, so it cannot be changed or forged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// The organisation an officer logs in for (empty for the Amsterdammer).
    pub organisation: String,
    pub until: i64,
}

impl Flow {
    /// A new flow: fresh state, nonce and code verifier (32 random bytes each).
    pub fn new(organisation: &str, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Self> {
        Ok(Self {
            state: random()?,
            nonce: random()?,
            verifier: random()?,
            organisation: organisation.to_owned(),
            until: (now + chrono::Duration::minutes(FLOW_MINUTES)).timestamp(),
        })
    }

    /// The PKCE code challenge (`S256`).
    pub fn challenge(&self) -> String {
        B64URL.encode(ring::digest::digest(
            &ring::digest::SHA256,
            self.verifier.as_bytes(),
        ))
    }

    /// The cookie value: the fields, then their HMAC.
    pub fn seal(&self, key: &hmac::Key) -> String {
        let body = [
            self.state.as_str(),
            self.nonce.as_str(),
            self.verifier.as_str(),
            &B64URL.encode(&self.organisation),
            &self.until.to_string(),
        ]
        .join(".");
        let tag = hmac::sign(key, format!("oidc/{body}").as_bytes());
        format!("{body}.{}", B64URL.encode(tag.as_ref()))
    }

    /// The flow in a cookie value, if its HMAC holds and it has not run out.
    pub fn open(key: &hmac::Key, value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Self> {
        let (body, tag) = value.rsplit_once('.')?;
        hmac::verify(
            key,
            format!("oidc/{body}").as_bytes(),
            &B64URL.decode(tag).ok()?,
        )
        .ok()?;
        let parts: Vec<&str> = body.split('.').collect();
        let [state, nonce, verifier, organisation, until] = parts.as_slice() else {
            return None;
        };
        let until: i64 = until.parse().ok()?;
        let organisation = String::from_utf8(B64URL.decode(organisation).ok()?).ok()?;
        (until > now.timestamp()).then(|| Self {
            state: (*state).to_owned(),
            nonce: (*nonce).to_owned(),
            verifier: (*verifier).to_owned(),
            organisation,
            until,
        })
    }
}

fn random() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow!("no randomness"))?;
    Ok(B64URL.encode(bytes))
}

/// The claims of a verified ID token.
pub type Claims = serde_json::Map<String, serde_json::Value>;

impl Provider {
    pub fn new(config: ProviderConfig) -> anyhow::Result<Self> {
        let secret = config
            .client_secret_file
            .as_ref()
            .map(|path| {
                std::fs::read_to_string(path)
                    .map(|s| s.trim().to_owned())
                    .with_context(|| format!("cannot read the client secret {}", path.display()))
            })
            .transpose()?;
        let tls = crate::tls::anonymous_client_config(&config.ca_file)
            .with_context(|| format!("the CA file of {}", config.issuer))?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            config,
            secret,
            http,
        })
    }

    async fn discover(&self) -> anyhow::Result<Discovery> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self
            .http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .context("the provider's configuration")?;
        ensure!(
            discovery.issuer == self.config.issuer,
            "the provider names itself {}, configured as {}",
            discovery.issuer,
            self.config.issuer
        );
        Ok(discovery)
    }

    /// Where to send the browser to log in.
    pub async fn authorization_url(&self, flow: &Flow) -> anyhow::Result<String> {
        let discovery = self.discover().await?;
        let mut url = reqwest::Url::parse(&discovery.authorization_endpoint)
            .context("the provider's authorization endpoint")?;
        let scope = std::iter::once("openid")
            .chain(self.config.scopes.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("scope", &scope)
            .append_pair("state", &flow.state)
            .append_pair("nonce", &flow.nonce)
            .append_pair("code_challenge", &flow.challenge())
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Redeems `code` (with the flow's code verifier) and checks the ID token it brings.
    pub async fn finish(&self, flow: &Flow, code: &str) -> anyhow::Result<Claims> {
        let discovery = self.discover().await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("code_verifier", flow.verifier.as_str()),
            ("client_id", self.config.client_id.as_str()),
        ];
        if let Some(secret) = &self.secret {
            form.push(("client_secret", secret));
        }
        let response = self
            .http
            .post(&discovery.token_endpoint)
            .form(&form)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("the provider refused the code ({})", response.status());
        }
        let tokens: TokenResponse = response.json().await.context("the token response")?;
        let keys: JwkSet = self
            .http
            .get(&discovery.jwks_uri)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .context("the provider's keys")?;
        let claims = self.verify(&tokens.id_token, &keys)?;
        ensure!(
            claims.get("nonce").and_then(|n| n.as_str()) == Some(flow.nonce.as_str()),
            "the ID token's nonce is not this login's"
        );
        Ok(claims)
    }

    fn verify(&self, id_token: &str, keys: &JwkSet) -> anyhow::Result<Claims> {
        let header = jsonwebtoken::decode_header(id_token).context("the ID token's header")?;
        ensure!(
            matches!(
                header.alg,
                Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 | Algorithm::EdDSA
            ),
            "the ID token is signed with {:?}, which is not accepted",
            header.alg
        );
        let jwk = match &header.kid {
            Some(kid) => keys.find(kid),
            None if keys.keys.len() == 1 => keys.keys.first(),
            None => None,
        }
        .ok_or_else(|| anyhow!("the provider publishes no key for the ID token"))?;
        let key = DecodingKey::from_jwk(jwk).context("the provider's key")?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(jsonwebtoken::decode::<Claims>(id_token, &key, &validation)?.claims)
    }
}

/// Whether `claims[name]` is `value` or a list holding it.
pub fn claim_has(claims: &Claims, name: &str, value: &str) -> bool {
    match claims.get(name) {
        Some(serde_json::Value::String(s)) => s == value,
        Some(serde_json::Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(value)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[3u8; 32])
    }

    #[test]
    fn a_flow_comes_back_only_unchanged_and_in_time() {
        let now = chrono::Utc::now();
        let flow = Flow::new("okt-amsterdam", now).unwrap_or_else(|e| panic!("{e}"));
        let sealed = flow.seal(&key());
        assert_eq!(Flow::open(&key(), &sealed, now), Some(flow.clone()));
        assert_eq!(
            Flow::open(&key(), &sealed, now + chrono::Duration::minutes(11)),
            None
        );
        // Another first character (the state is random: never the same one by chance).
        let first = if sealed.starts_with('x') { 'y' } else { 'x' };
        let other = format!("{first}{}", &sealed[1..]);
        assert_eq!(Flow::open(&key(), &other, now), None);
        // RFC 7636 appendix B: the S256 challenge of this verifier.
        let rfc = Flow {
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            ..flow
        };
        assert_eq!(
            rfc.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_claim_is_a_value_or_a_list_holding_it() {
        let claims: Claims =
            serde_json::from_str(r#"{"roles":["medewerker","privacy_officer"],"role":"x"}"#)
                .unwrap_or_default();
        assert!(claim_has(&claims, "roles", "privacy_officer"));
        assert!(claim_has(&claims, "role", "x"));
        assert!(!claim_has(&claims, "role", "privacy_officer"));
        assert!(!claim_has(&claims, "missing", "x"));
    }
}
