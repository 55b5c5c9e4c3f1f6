//! The fuzz targets: every parser that reads what an outsider sends or hands over, each as a
//! function of arbitrary bytes that must not panic and must keep its own promise (a refusal in the
//! API's error shape, an escaped cell, a cursor that reads back as written). The coverage-guided
//! driver in `fuzz/` (cargo-afl) and the corpus replay in `gateway/tests/fuzz_corpus.rs` (run by
//! `cargo test`) call the same functions; see `fuzz/README.md`.

use std::sync::LazyLock;

use axum::extract::FromRequest as _;
use axum::http::{HeaderValue, Request, header};
use serde::de::DeserializeOwned;

use crate::auth::tokens::{self, TokenVerifier};
use crate::contract::{DeliveryRequest, ExchangeRequest, MyConsentRequest, RecordConsentRequest};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::service::parse;

/// A fuzz target: its name (the corpus folder) and the function of the input.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("exchange_body", exchange_body),
    ("delivery_body", delivery_body),
    ("consent_body", consent_body),
    ("register", register),
    ("token", token),
    ("bearer_header", bearer_header),
    ("checkpoint", checkpoint),
    ("bundle", bundle),
    ("csv_cell", csv_cell),
    ("html_text", html_text),
    ("cursor", cursor),
    ("proxy_header", proxy_header),
];

/// The target named `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

static REGISTER: LazyLock<policies::Register> = LazyLock::new(|| {
    policies::Register::from_toml(crate::demo::DEMO_REGISTER).expect("the demo register parses")
});

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

/// A refusal is in the API's shape: a 4xx with a stable snake_case code.
fn refused(e: &ApiError) {
    assert!(e.status.is_client_error(), "{} for bad input", e.status);
    assert!(
        !e.code.is_empty()
            && e.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
        "code {:?}",
        e.code
    );
}

/// The body as the JSON extractor of every route reads it (size, syntax, shape).
fn read_body<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(data.to_vec()))
        .expect("a request");
    match RUNTIME.block_on(ApiJson::<T>::from_request(request, &())) {
        Ok(ApiJson(body)) => Some(body),
        Err(e) => {
            refused(&e);
            None
        }
    }
}

/// `POST /v1/exchange`: the body, then its edge checks against the register.
pub fn exchange_body(data: &[u8]) {
    if let Some(body) = read_body::<ExchangeRequest>(data)
        && let Err(e) = body.parse(&REGISTER)
    {
        refused(&e);
    }
}

/// `POST /v1/deliveries`: the body, then its edge checks against the register.
pub fn delivery_body(data: &[u8]) {
    if let Some(body) = read_body::<DeliveryRequest>(data)
        && let Err(e) = body.parse(&REGISTER)
    {
        refused(&e);
    }
}

/// `POST /v1/consents` and `POST /v1/me/consents`: the bodies, the BSN, the evidence and the
/// named recipients, activities and categories.
pub fn consent_body(data: &[u8]) {
    if let Some(body) = read_body::<RecordConsentRequest>(data) {
        let checked = parse::bsn(&body.subject_bsn)
            .and_then(|_| parse::evidence(body.evidence))
            .and_then(|_| parse::categories(&REGISTER, &body.categories));
        if let Err(e) = checked {
            refused(&e);
        }
        for id in body.recipients.iter().chain(body.sources.iter().flatten()) {
            if let Err(e) = parse::partner(&REGISTER, id) {
                refused(&e);
            }
        }
        for id in &body.activities {
            if let Err(e) = parse::activity(&REGISTER, id) {
                refused(&e);
            }
        }
    }
    let _ = read_body::<MyConsentRequest>(data);
}

/// The register file (`gateway check-register` and start-up): parsed, then checked.
pub fn register(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(register) = policies::Register::from_toml(text) {
        let _ = register.problems();
    }
}

const AUDIENCE: &str = "amsterdam-privacy-gateway";
const PARTNER: &str = "okt-amsterdam";

/// A signing key and the verifier that trusts it, for the token target.
struct Keys {
    private_pem: String,
    verifier: TokenVerifier,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let key = rcgen::KeyPair::generate().expect("a P-256 key");
    let public = jsonwebtoken::DecodingKey::from_ec_pem(key.public_key_pem().as_bytes())
        .expect("its public key");
    let verifier = TokenVerifier::new(
        AUDIENCE.to_owned(),
        [(PARTNER.to_owned(), public.clone())].into_iter().collect(),
        "idp".to_owned(),
        public,
        3600,
    );
    Keys {
        private_pem: key.serialize_pem(),
        verifier,
    }
});

/// A partner's token: as sent (first byte even), or the input as claims signed with the partner's
/// own key (odd), so the claims checks are reached. What verifies has claims that pass them.
pub fn token(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let keys = &*KEYS;
    let token = if mode % 2 == 0 {
        text.to_owned()
    } else {
        let Ok(claims) = serde_json::from_str::<serde_json::Value>(text) else {
            return;
        };
        let Ok(signed) = tokens::sign(&claims, keys.private_pem.as_bytes()) else {
            return;
        };
        signed
    };
    if let Ok(claims) = keys.verifier.verify_partner(PARTNER, &token) {
        assert_eq!(claims.iss, PARTNER);
        assert!(!claims.sub.trim().is_empty() && !claims.role.trim().is_empty());
        assert!(
            claims.exp >= chrono::Utc::now().timestamp() - 120,
            "expired: {}",
            claims.exp
        );
    }
    let _ = keys.verifier.verify_citizen(&token);
}

/// The `Authorization` header as every authenticated route reads it.
pub fn bearer_header(data: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers.insert(header::AUTHORIZATION, value);
    match crate::auth::bearer(&parts) {
        Ok(token) => assert!(!token.is_empty() && token.trim() == token),
        Err(e) => refused(&e),
    }
}

/// A checkpoint as a monitor or witness reads it: the signed note, then its body; a body that
/// parses writes back to the same text.
pub fn checkpoint(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    static VERIFIER: LazyLock<consent::LogVerifier> = LazyLock::new(|| {
        let skey = consent::LogSigner::generate_skey("fuzz.example/log").expect("a key");
        consent::LogSigner::from_skey(&skey)
            .expect("the key")
            .verifier()
            .clone()
    });
    let _ = VERIFIER.verify_checkpoint(text);
    if let Ok(parsed) = consent::Checkpoint::parse_body(text) {
        let again = consent::Checkpoint::parse_body(&parsed.body()).expect("a body it wrote");
        assert_eq!(again.body(), parsed.body());
    }
}

/// An evidence bundle as `gateway log verify --bundle` reads it, against the key it names itself
/// (so a mutated real bundle reaches the proof checks), else a key of no one's.
pub fn bundle(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let named = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v["log_key"].as_str().map(str::to_owned));
    let vkey = named.unwrap_or_else(|| {
        "fuzz.example/log+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()
    });
    let _ = crate::logcheck::verify_bundle(text, &vkey);
}

/// A cell of the console's CSV export: one RFC 4180 field that no spreadsheet reads as a formula.
pub fn csv_cell(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cell = crate::portal::console::csv_cell(&text);
    let inner = match cell.strip_prefix('"') {
        Some(quoted) => {
            let inner = quoted.strip_suffix('"').expect("a quoted cell ends quoted");
            assert!(
                !inner.replace("\"\"", "").contains('"'),
                "a lone quote in {cell:?}"
            );
            inner.replace("\"\"", "\"")
        }
        None => {
            assert!(
                !cell.contains([',', ';', '"', '\n', '\r']),
                "unquoted {cell:?}"
            );
            cell.clone()
        }
    };
    let formula = ['=', '+', '-', '@', '\t', '\r'];
    assert!(!inner.starts_with(formula), "a formula: {cell:?}");
    let defused = if text.starts_with(formula) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    assert_eq!(inner, defused, "the cell holds the text");
}

/// Text the pages show (maud): in an element and in an attribute it stays text.
pub fn html_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let page = maud::html! { p title=(text) { (text) } }.into_string();
    let inside = page
        .strip_prefix("<p title=\"")
        .and_then(|p| p.strip_suffix("</p>"))
        .expect("the markup around the text");
    let (attribute, element) = inside.split_once("\">").expect("the attribute ends");
    for part in [attribute, element] {
        assert!(!part.contains(['<', '>', '"']), "unescaped in {page:?}");
    }
}

/// A page cursor sent back by a client: refused, or read back as the gateway writes it.
pub fn cursor(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(cursor) = crate::contract::paging::decode(text) {
        let written = crate::contract::paging::encode(&cursor);
        assert_eq!(crate::contract::paging::decode(&written), Some(cursor));
    }
    let _ = parse::paging(Some(200), Some(text));
}

/// The PROXY protocol v2 header from a load balancer: read byte-exact (what follows it, the TLS,
/// is left unread), with the same answer as parsing the whole header.
pub fn proxy_header(data: &[u8]) {
    use crate::server::proxy;
    let mut rest = data;
    let read = RUNTIME.block_on(proxy::read(&mut rest));
    if let Ok(Some(len)) = proxy::header_len(data)
        && len <= data.len()
    {
        assert_eq!(read, proxy::parse(&data[..len]), "read and parse agree");
        assert_eq!(
            rest.len(),
            data.len() - len,
            "nothing after the header is read"
        );
    } else {
        assert!(read.is_err(), "a header that is not whole: {read:?}");
    }
}
