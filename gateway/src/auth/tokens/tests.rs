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

#[test]
fn a_verified_token_is_served_from_the_cache_only_while_it_is_in_time() {
    let (verifier, key) = verifier();
    let token = sign(&claims("km-1", "klantmanager"), &key).unwrap();
    verifier.verify_partner("wpi", &token).unwrap();
    let digest = cache::digest("wpi", &token);
    let now = now();
    assert_eq!(verifier.cached(&digest, now).unwrap().sub, "km-1");
    assert_eq!(verifier.verify_partner("wpi", &token).unwrap().sub, "km-1");
    // Past `exp` (600 s) and the leeway: dropped, so the verifier decides again.
    assert!(verifier.cached(&digest, now + 600 + 31).is_none());
    assert_eq!(verifier.verified.len(), 0);
    // Before `nbf` less the leeway (a clock set back): not served either.
    verifier.verify_partner("wpi", &token).unwrap();
    assert!(verifier.cached(&digest, now - 31).is_none());
}

#[test]
fn a_cached_token_is_found_only_for_the_partner_whose_key_verified_it() {
    let wpi = rcgen::KeyPair::generate().unwrap();
    let okt = rcgen::KeyPair::generate().unwrap();
    let public =
        |k: &rcgen::KeyPair| DecodingKey::from_ec_pem(k.public_key_pem().as_bytes()).unwrap();
    let keys = HashMap::from([
        ("wpi".to_owned(), public(&wpi)),
        ("okt".to_owned(), public(&okt)),
    ]);
    let verifier = TokenVerifier::new(AUDIENCE.into(), keys, "idp".into(), public(&wpi), 3600);
    let token = sign(
        &claims("km-1", "klantmanager"),
        wpi.serialize_pem().as_bytes(),
    )
    .unwrap();
    verifier.verify_partner("wpi", &token).unwrap();
    assert!(verifier.verify_partner("okt", &token).is_err());
    assert_ne!(cache::digest("wpi", &token), cache::digest("okt", &token));
}

#[test]
fn a_refused_token_is_not_cached() {
    let (verifier, key) = verifier();
    let mut expired = claims("km-1", "klantmanager");
    expired["exp"] = json!(Utc::now().timestamp() - 120);
    let token = sign(&expired, &key).unwrap();
    for _ in 0..2 {
        assert_eq!(
            verifier.verify_partner("wpi", &token).unwrap_err().reason(),
            "expired"
        );
    }
    assert_eq!(verifier.verified.len(), 0);
}

#[test]
fn the_cache_stays_within_its_capacity_dropping_expired_tokens_first() {
    let cache = cache::VerifiedTokens::new(3);
    let entry = |exp: i64| PartnerClaims {
        iss: "wpi".into(),
        sub: "km-1".into(),
        role: "klantmanager".into(),
        aud: AUDIENCE.into(),
        exp,
        nbf: 0,
        iat: None,
    };
    cache.insert([1; 32], entry(10), 0);
    cache.insert([2; 32], entry(100), 0);
    cache.insert([3; 32], entry(100), 0);
    // Full: the token that expired before 50 goes.
    cache.insert([4; 32], entry(100), 50);
    assert_eq!(cache.len(), 3);
    assert!(cache.get(&[1; 32]).is_none());
    // Full and none expired: everything goes.
    cache.insert([5; 32], entry(100), 50);
    assert_eq!(cache.len(), 1);
    assert!(cache.get(&[5; 32]).is_some());
}
