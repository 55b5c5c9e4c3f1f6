//! What the binary-level tests need to talk to a running gateway as a partner would.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of this

use chrono::{Duration, Utc};
use gateway::auth::tokens;
use gateway::pki::PkiLayout;
use serde_json::{Value, json};

pub const GATEWAY: &str = env!("CARGO_BIN_EXE_gateway");
pub const BSN: &str = "111222333";

/// An HTTPS client presenting `partner`'s client certificate.
pub fn partner_client(pki: &PkiLayout, partner: &str) -> reqwest::Client {
    let tls = gateway::tls::client_config(
        &pki.ca(),
        &pki.partner_cert(partner),
        &pki.partner_key(partner),
    )
    .unwrap();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .unwrap()
}

/// A token of professional `sub` at `partner`, valid for five minutes.
pub fn partner_token(pki: &PkiLayout, partner: &str, sub: &str, role: &str) -> String {
    let claims = tokens::partner_claims(
        partner,
        sub,
        role,
        gateway::demo::DEFAULT_AUDIENCE,
        Utc::now(),
        Duration::minutes(5),
    );
    tokens::sign(
        &claims,
        &std::fs::read(pki.partner_token_key(partner)).unwrap(),
    )
    .unwrap()
}

/// A consent body for the OKT under gezinsondersteuning-ouders, recorded by `by`.
pub fn okt_consent(categories: &[&str], by: &str) -> Value {
    json!({"subject_bsn": BSN, "recipients": ["okt-amsterdam"], "activities": ["gezinsondersteuning-ouders"],
        "categories": categories, "valid_until": (Utc::now() + Duration::days(30)).to_rfc3339(),
        "evidence": {"method": "signed_form", "document_sha256": "cd".repeat(32), "recorded_by": by}})
}

/// The OKT's exchange from bt-centrum-west under gezinsondersteuning-ouders.
pub fn okt_exchange(categories: &[&str]) -> Value {
    json!({"subject_bsn": BSN, "source": "bt-centrum-west",
        "activity": "gezinsondersteuning-ouders", "categories": categories})
}
