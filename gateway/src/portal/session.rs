//! The pages' sessions: a cookie holding a random session id, signed with a key derived from the
//! pseudonym key (one per kind of page) so that a forged or garbled cookie never reaches the
//! database. The session itself (who is signed in: the Amsterdammer by pseudonym, an officer by
//! organisation and id) lives in the database under a digest of that id, so every replica agrees:
//! signing out ends it everywhere, it ends after its idle time without use, and at its absolute
//! lifetime however busy it is. `Secure`, `HttpOnly`, `SameSite=Strict`, scoped to its pages.
//! Every form carries a CSRF token bound to the session (or, before login, to a pre-session
//! cookie): a post from another site, or without the token, is refused.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use chrono::{DateTime, Utc};
use ring::hmac;
use ring::rand::SecureRandom as _;

/// Someone signed in.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who: what the pages put in at login (never a BSN).
    pub principal: String,
    pub until: DateTime<Utc>,
    /// The cookie's value, which CSRF tokens are bound to.
    pub cookie: String,
    /// The digest the database keeps the session under.
    pub digest: String,
}

/// The value of cookie `name`, if sent.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A new session: its cookie value (a random id with its signature) and the digest the database
/// keeps it under.
pub fn issue(key: &hmac::Key) -> Option<(String, String)> {
    let mut id = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut id).ok()?;
    let id = B64URL.encode(id);
    let tag = hmac::sign(key, format!("session/{id}").as_bytes());
    let value = format!("{id}.{}", hex::encode(tag.as_ref()));
    Some((value, digest(&id)))
}

/// The database digest of the session a cookie value names, if its signature holds.
pub fn open(key: &hmac::Key, value: &str) -> Option<String> {
    let (id, tag) = value.split_once('.')?;
    hmac::verify(
        key,
        format!("session/{id}").as_bytes(),
        &hex::decode(tag).ok()?,
    )
    .ok()?;
    Some(digest(id))
}

fn digest(id: &str) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, id.as_bytes()).as_ref())
}

/// The CSRF token of forms shown with `bound_to` (a session or pre-session cookie value).
pub fn csrf_token(key: &hmac::Key, bound_to: &str) -> String {
    hex::encode(hmac::sign(key, format!("csrf/{bound_to}").as_bytes()).as_ref())
}

/// Whether `token` is the CSRF token of `bound_to`.
pub fn csrf_ok(key: &hmac::Key, bound_to: &str, token: &str) -> bool {
    hex::decode(token)
        .ok()
        .is_some_and(|t| hmac::verify(key, format!("csrf/{bound_to}").as_bytes(), &t).is_ok())
}

/// A `Set-Cookie` value: secure, script-proof, same-site only, scoped to the pages under `path`.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age_secs: i64) -> String {
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}; Secure; HttpOnly; SameSite=Strict"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[7u8; 32])
    }

    #[test]
    fn a_session_cookie_opens_with_its_key_only_and_not_when_changed() {
        let (value, digest) = issue(&key()).expect("random");
        assert_eq!(open(&key(), &value), Some(digest.clone()));
        assert!(
            !value.contains(&digest),
            "the cookie does not hold the digest"
        );
        let other = hmac::Key::new(hmac::HMAC_SHA256, &[8u8; 32]);
        assert!(open(&other, &value).is_none());
        let forged = format!(
            "{}{}",
            if value.starts_with('c') { 'd' } else { 'c' },
            &value[1..]
        );
        assert!(open(&key(), &forged).is_none());
        assert_ne!(
            issue(&key()).expect("random").1,
            digest,
            "each session its own id"
        );
    }

    #[test]
    fn a_csrf_token_belongs_to_its_session_only() {
        let token = csrf_token(&key(), "session-a");
        assert!(csrf_ok(&key(), "session-a", &token));
        assert!(!csrf_ok(&key(), "session-b", &token));
        assert!(!csrf_ok(&key(), "session-a", ""));
    }
}
