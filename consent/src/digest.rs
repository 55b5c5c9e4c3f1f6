//! A SHA-256 digest as it is written down: 64 lowercase hex characters. Parsed once where it enters
//! (a request, a stored row), so no other code checks its shape again.

use std::fmt;

use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Hex(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a SHA-256 digest is 64 hex characters")]
pub struct InvalidDigest;

impl Sha256Hex {
    /// 64 hex characters, either case; kept in lowercase.
    pub fn parse(s: &str) -> Result<Self, InvalidDigest> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(InvalidDigest)
        }
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(digest(&SHA256, bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = InvalidDigest;

    fn try_from(s: String) -> Result<Self, InvalidDigest> {
        Self::parse(&s)
    }
}

impl From<Sha256Hex> for String {
    fn from(d: Sha256Hex) -> Self {
        d.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_four_hex_characters_of_either_case_are_a_digest_kept_in_lowercase() {
        let d = Sha256Hex::parse(&"AB".repeat(32)).unwrap();
        assert_eq!(d.as_str(), "ab".repeat(32));
    }

    #[test]
    fn anything_else_is_not_a_digest() {
        for s in [
            "",
            "ab",
            &"ab".repeat(31),
            &format!("{}g", "a".repeat(63)),
            &"ab".repeat(33),
        ] {
            assert_eq!(Sha256Hex::parse(s), Err(InvalidDigest), "{s:?}");
        }
    }

    #[test]
    fn the_digest_of_bytes_is_their_sha256() {
        assert_eq!(
            Sha256Hex::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
