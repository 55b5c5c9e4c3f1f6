//! A development OpenID Connect provider, for the tests (as `sample` stands in for partner
//! systems): discovery, an authorization endpoint that logs in whoever the test says, a token
//! endpoint that checks the PKCE code verifier and redirect URI and redeems each code once, and its
//! ES256 key as a JWK set. It can be told to misbehave (a wrong nonce, audience or key), so the
//! tests can show the gateway refuses such a token. Never part of a deployment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How the provider misbehaves, for tests of the gateway's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tamper {
    #[default]
    None,
    /// The ID token carries another nonce than the login's.
    Nonce,
    /// The ID token is for another client.
    Audience,
    /// The ID token is signed with a key the provider does not publish.
    Key,
}

#[derive(Debug, Clone)]
struct Pending {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: String,
    claims: Value,
}

struct Keys {
    kid: String,
    signing: EncodingKey,
    public_jwk: Value,
    /// A key it never publishes (for `Tamper::Key`).
    stranger: EncodingKey,
}

#[derive(Clone)]
struct IdpState {
    issuer: String,
    keys: Arc<Keys>,
    next_user: Arc<Mutex<Value>>,
    codes: Arc<Mutex<HashMap<String, Pending>>>,
    tamper: Arc<Mutex<Tamper>>,
    redeemed: Arc<Mutex<usize>>,
}

/// A running development provider.
pub struct DevIdp {
    /// Its issuer: `https://localhost:<port>`.
    pub issuer: String,
    state: IdpState,
    _stop: oneshot::Sender<()>,
}

impl std::fmt::Debug for DevIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIdp")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

fn es256_key() -> anyhow::Result<(EncodingKey, Vec<u8>)> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("no P-256 key"))?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| anyhow::anyhow!("a bad P-256 key"))?;
    Ok((
        EncodingKey::from_ec_der(pkcs8.as_ref()),
        pair.public_key().as_ref().to_vec(),
    ))
}

fn random() -> String {
    let mut bytes = [0u8; 24];
    let _ = SystemRandom::new().fill(&mut bytes);
    B64URL.encode(bytes)
}

impl DevIdp {
    /// Starts the provider on a free port of 127.0.0.1, serving `tls` (whose certificate must name
    /// `localhost`).
    pub async fn start(tls: Arc<rustls::ServerConfig>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let issuer = format!("https://localhost:{}", listener.local_addr()?.port());
        let (signing, public) = es256_key()?;
        let (stranger, _) = es256_key()?;
        // The uncompressed point: 0x04 || x || y.
        let public_jwk = json!({
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "dev-1",
            "x": B64URL.encode(&public[1..33]), "y": B64URL.encode(&public[33..65]),
        });
        let state = IdpState {
            issuer: issuer.clone(),
            keys: Arc::new(Keys {
                kid: "dev-1".into(),
                signing,
                public_jwk,
                stranger,
            }),
            next_user: Arc::new(Mutex::new(json!({"sub": "nobody"}))),
            codes: Arc::default(),
            tamper: Arc::default(),
            redeemed: Arc::default(),
        };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let limits = crate::config::ConnectionLimits::default();
        let tls = Arc::new(arc_swap::ArcSwap::new(tls));
        tokio::spawn(crate::server::serve(listener, tls, router, limits, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            issuer,
            state,
            _stop: stop,
        })
    }

    /// Who logs in next: the claims (beyond `iss`, `aud`, `exp`, `iat`, `nonce`) of the ID token.
    pub fn log_in_as(&self, claims: Value) {
        *self
            .state
            .next_user
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = claims;
    }

    pub fn tamper(&self, how: Tamper) {
        *self.state.tamper.lock().unwrap_or_else(|e| e.into_inner()) = how;
    }

    /// How many codes were redeemed for an ID token.
    pub fn redeemed(&self) -> usize {
        *self
            .state
            .redeemed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

async fn discovery(State(s): State<IdpState>) -> Json<Value> {
    Json(json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "jwks_uri": format!("{}/jwks", s.issuer),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(s): State<IdpState>) -> Json<Value> {
    Json(json!({"keys": [s.keys.public_jwk]}))
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: String,
}

async fn authorize(State(s): State<IdpState>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.response_type != "code" || q.code_challenge_method != "S256" || q.code_challenge.len() < 43
    {
        return (
            StatusCode::BAD_REQUEST,
            "code flow with an S256 PKCE challenge only",
        )
            .into_response();
    }
    let code = random();
    let claims = s
        .next_user
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    s.codes.lock().unwrap_or_else(|e| e.into_inner()).insert(
        code.clone(),
        Pending {
            client_id: q.client_id,
            redirect_uri: q.redirect_uri.clone(),
            challenge: q.code_challenge,
            nonce: q.nonce,
            claims,
        },
    );
    let Ok(mut back) = reqwest::Url::parse(&q.redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri").into_response();
    };
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q.state);
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(back.as_str()) {
        response.headers_mut().insert(LOCATION, v);
    }
    response
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    client_id: String,
}

fn invalid_grant(why: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_grant", "error_description": why})),
    )
        .into_response()
}

async fn token(State(s): State<IdpState>, Form(f): Form<TokenForm>) -> Response {
    if f.grant_type != "authorization_code" {
        return invalid_grant("grant_type");
    }
    // A code is redeemed once, whatever happens next.
    let Some(pending) = s
        .codes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&f.code)
    else {
        return invalid_grant("unknown or used code");
    };
    let challenge = B64URL.encode(ring::digest::digest(
        &ring::digest::SHA256,
        f.code_verifier.as_bytes(),
    ));
    if challenge != pending.challenge {
        return invalid_grant("the code verifier does not match the challenge");
    }
    if f.redirect_uri != pending.redirect_uri || f.client_id != pending.client_id {
        return invalid_grant("redirect_uri or client_id");
    }
    let tamper = *s.tamper.lock().unwrap_or_else(|e| e.into_inner());
    let now = jsonwebtoken::get_current_timestamp();
    let mut claims = pending.claims.clone();
    if let Value::Object(map) = &mut claims {
        map.insert("iss".into(), json!(s.issuer));
        map.insert(
            "aud".into(),
            json!(if tamper == Tamper::Audience {
                "another-client".to_owned()
            } else {
                pending.client_id.clone()
            }),
        );
        map.insert("iat".into(), json!(now));
        map.insert("exp".into(), json!(now + 300));
        map.insert(
            "nonce".into(),
            json!(if tamper == Tamper::Nonce {
                random()
            } else {
                pending.nonce.clone()
            }),
        );
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(s.keys.kid.clone());
    let key = if tamper == Tamper::Key {
        &s.keys.stranger
    } else {
        &s.keys.signing
    };
    let Ok(id_token) = jsonwebtoken::encode(&header, &claims, key) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    *s.redeemed.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    Json(json!({"access_token": random(), "token_type": "Bearer", "expires_in": 300, "id_token": id_token}))
        .into_response()
}
