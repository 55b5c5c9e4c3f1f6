//! The keyed pseudonym that stands for a BSN everywhere in storage (the BSN stays out of logs
//! and indexes). HMAC-SHA-256 under a secret key: stable, so lookups work, and not reversible
//! without the key, so a copy of the database does not reveal who is in it.

use std::fmt;

use policies::Bsn;
use ring::hmac;

/// Pseudonym of one Amsterdammer: lowercase hex of HMAC-SHA-256(key, BSN).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SubjectId(String);

impl SubjectId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a pseudonym read back from storage.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even a pseudonym is personal data (recital 26 AVG): show only a prefix.
        write!(f, "SubjectId({}…)", &self.0[..8.min(self.0.len())])
    }
}

pub struct Pseudonymizer {
    key: hmac::Key,
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymizer([redacted])")
    }
}

impl Pseudonymizer {
    /// `secret` must be at least 32 random bytes.
    pub fn new(secret: &[u8]) -> Result<Self, &'static str> {
        if secret.len() < 32 {
            return Err("the pseudonym key must be at least 32 bytes");
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        })
    }

    /// A key for another purpose (e.g. signing the portal's session cookies), derived from the same
    /// secret so every replica has it, and never equal to a pseudonym (the label is not a BSN).
    pub fn derived_key(&self, label: &str) -> hmac::Key {
        let tag = hmac::sign(&self.key, format!("derived-key/{label}").as_bytes());
        hmac::Key::new(hmac::HMAC_SHA256, tag.as_ref())
    }

    pub fn subject(&self, bsn: &Bsn) -> SubjectId {
        let tag = hmac::sign(&self.key, bsn.expose().as_bytes());
        SubjectId(hex::encode(tag.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bsn_gives_the_same_pseudonym_and_never_the_bsn_itself() {
        let p = Pseudonymizer::new(&[7u8; 32]).unwrap();
        let bsn = Bsn::parse("111222333").unwrap();
        assert_eq!(p.subject(&bsn), p.subject(&bsn));
        assert!(!p.subject(&bsn).as_str().contains("111222333"));
    }

    #[test]
    fn another_key_gives_another_pseudonym() {
        let bsn = Bsn::parse("111222333").unwrap();
        let a = Pseudonymizer::new(&[7u8; 32]).unwrap().subject(&bsn);
        let b = Pseudonymizer::new(&[8u8; 32]).unwrap().subject(&bsn);
        assert_ne!(a, b);
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(Pseudonymizer::new(&[1u8; 16]).is_err());
    }
}
