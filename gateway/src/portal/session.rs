//! The pages' sessions: a short-lived cookie that names who is signed in (the Amsterdammer by
//! pseudonym, an officer by organisation and id), signed with a key derived from the pseudonym key
//! (one per kind of page), so every replica accepts it and none keeps state. `Secure`, `HttpOnly`,
//! `SameSite=Strict`, scoped to its pages. Every form carries a CSRF token bound to the session (or,
//! before login, to a pre-session cookie): a post from another site, or without the token, is refused.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use chrono::{DateTime, Utc};
use ring::hmac;

/// How long a session lasts without a new login.
pub const SESSION_MINUTES: i64 = 30;

/// Someone signed in.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who: what the pages put in at login (never a BSN).
    pub principal: String,
    pub until: DateTime<Utc>,
    /// The cookie's value, which CSRF tokens are bound to.
    pub cookie: String,
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

/// A new session cookie value for `principal`.
pub fn issue(key: &hmac::Key, principal: &str, now: DateTime<Utc>) -> String {
    let until = (now + chrono::Duration::minutes(SESSION_MINUTES)).timestamp();
    let body = format!("{}.{until}", B64URL.encode(principal));
    let tag = hmac::sign(key, body.as_bytes());
    format!("{body}.{}", hex::encode(tag.as_ref()))
}

/// The session a cookie value stands for, if its signature holds and it has not run out.
pub fn open(key: &hmac::Key, value: &str, now: DateTime<Utc>) -> Option<Session> {
    let (body, tag) = value.rsplit_once('.')?;
    hmac::verify(key, body.as_bytes(), &hex::decode(tag).ok()?).ok()?;
    let (principal, until) = body.split_once('.')?;
    let principal = String::from_utf8(B64URL.decode(principal).ok()?).ok()?;
    let until = DateTime::from_timestamp(until.parse().ok()?, 0)?;
    (until > now).then(|| Session {
        principal,
        until,
        cookie: value.to_owned(),
    })
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
    fn a_session_opens_with_its_key_until_it_runs_out_and_not_when_changed() {
        let now = Utc::now();
        let value = issue(&key(), "okt-amsterdam\nprivacy.officer@example", now);
        let session = open(&key(), &value, now).expect("opens");
        assert_eq!(session.principal, "okt-amsterdam\nprivacy.officer@example");
        assert!(open(&key(), &value, now + chrono::Duration::minutes(31)).is_none());
        let other = hmac::Key::new(hmac::HMAC_SHA256, &[8u8; 32]);
        assert!(open(&other, &value, now).is_none());
        let forged = format!("c{}", &value[1..]);
        assert!(open(&key(), &forged, now).is_none());
    }

    #[test]
    fn a_csrf_token_belongs_to_its_session_only() {
        let token = csrf_token(&key(), "session-a");
        assert!(csrf_ok(&key(), "session-a", &token));
        assert!(!csrf_ok(&key(), "session-b", &token));
        assert!(!csrf_ok(&key(), "session-a", ""));
    }
}
