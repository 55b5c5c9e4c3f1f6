//! Encryption of ledger records at rest (vuistregel 6) and their erasure by deleting keys (art. 17,
//! vuistregel 5). Every readable record is sealed with AES-256-GCM under a *record key* that belongs
//! to one subject and one retention month (`YYYY-MM` of the record's `retain_until`); record keys are
//! stored only wrapped, sealed under the *key-encryption key* (KEK) that the operator keeps outside
//! the database (a file or an environment variable). Deleting a subject's record keys makes every
//! copy of their records unreadable, also in backups; deleting a month's keys when the month has
//! passed does the same for retention.
//!
//! Every ciphertext is bound to where it belongs by its associated data: a wrapped key to its subject
//! and month, a record to its disclosure id and subject, so a ciphertext moved to another row does
//! not open.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};

/// Bytes of a key (AES-256).
pub const KEY_LEN: usize = 32;

const WRAP_TAG: &str = "subject-key/v1";
const RECORD_TAG: &str = "ledger-record/v1";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the ledger key must be {KEY_LEN} bytes, written as {} hex digits", 2 * KEY_LEN)]
    BadKey,
    #[error("no randomness available")]
    NoRandomness,
    #[error("a ciphertext does not open: {0}")]
    DoesNotOpen(&'static str),
}

/// The key-encryption key. `Debug` never shows it.
pub struct Kek {
    key: LessSafeKey,
    id: String,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek({})", self.id)
    }
}

impl Kek {
    /// From its file or variable: 32 bytes as 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, VaultError> {
        let bytes = hex::decode(text.trim()).map_err(|_| VaultError::BadKey)?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(Self::from_bytes(&bytes))
    }

    /// A fresh random key, as the hex text to store (the dev PKI writes one).
    pub fn generate_hex() -> Result<String, VaultError> {
        Ok(hex::encode(random::<KEY_LEN>()?))
    }

    fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        let mut tagged = b"kek-id/v1".to_vec();
        tagged.extend_from_slice(bytes);
        Self {
            key: aes(bytes),
            // Names the key (which KEK sealed what) without revealing anything of it.
            id: hex::encode(&digest(&SHA256, &tagged).as_ref()[..8]),
        }
    }

    /// A short public name of this key, stored with every key it wraps, so that starting with the
    /// wrong KEK is a clear refusal instead of records that do not open.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A new record key for `subject` in retention month `epoch`, with its wrapped form to store.
    pub fn new_record_key(
        &self,
        subject: &str,
        epoch: &str,
    ) -> Result<(RecordKey, String), VaultError> {
        let bytes = random::<KEY_LEN>()?;
        let wrapped = seal(&self.key, &wrap_aad(subject, epoch), &bytes)?;
        Ok((RecordKey(aes(&bytes)), wrapped))
    }

    /// The record key stored wrapped for `subject` and `epoch`.
    pub fn unwrap(
        &self,
        subject: &str,
        epoch: &str,
        wrapped: &str,
    ) -> Result<RecordKey, VaultError> {
        let bytes = open(&self.key, &wrap_aad(subject, epoch), wrapped)
            .map_err(|_| VaultError::DoesNotOpen("a record key (wrong ledger key, or moved)"))?;
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| VaultError::DoesNotOpen("a record key of the wrong length"))?;
        Ok(RecordKey(aes(&bytes)))
    }
}

/// The key of one subject's records of one retention month.
pub struct RecordKey(LessSafeKey);

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordKey([redacted])")
    }
}

impl RecordKey {
    /// Seals the record of disclosure `id` about `subject`: base64 of nonce, ciphertext and tag.
    pub fn seal(&self, id: &str, subject: &str, record: &[u8]) -> Result<String, VaultError> {
        seal(&self.0, &record_aad(id, subject), record)
    }

    pub fn open(&self, id: &str, subject: &str, sealed: &str) -> Result<Vec<u8>, VaultError> {
        open(&self.0, &record_aad(id, subject), sealed)
            .map_err(|_| VaultError::DoesNotOpen("a ledger record (changed, or moved)"))
    }
}

/// The retention month a record's key belongs to: `YYYY-MM` of its `retain_until` (UTC). Text order
/// is time order.
pub fn epoch_of(retain_until: chrono::DateTime<chrono::Utc>) -> String {
    retain_until.format("%Y-%m").to_string()
}

fn aes(bytes: &[u8; KEY_LEN]) -> LessSafeKey {
    // AES-256-GCM takes any 32 bytes.
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes is an AES-256 key"))
}

fn wrap_aad(subject: &str, epoch: &str) -> Vec<u8> {
    [WRAP_TAG, subject, epoch].join("\0").into_bytes()
}

fn record_aad(id: &str, subject: &str) -> Vec<u8> {
    [RECORD_TAG, id, subject].join("\0").into_bytes()
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| VaultError::NoRandomness)?;
    Ok(out)
}

/// A random 96-bit nonce per message: a key seals far fewer than the 2^32 messages that allows.
fn seal(key: &LessSafeKey, aad: &[u8], plaintext: &[u8]) -> Result<String, VaultError> {
    let nonce = random::<NONCE_LEN>()?;
    let mut sealed = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut sealed,
    )
    .map_err(|_| VaultError::DoesNotOpen("sealing failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

fn open(key: &LessSafeKey, aad: &[u8], sealed: &str) -> Result<Vec<u8>, ()> {
    let bytes = B64.decode(sealed).map_err(|_| ())?;
    if bytes.len() < NONCE_LEN {
        return Err(());
    }
    let (nonce, body) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| ())?;
    let mut body = body.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(aad), &mut body)
        .map_err(|_| ())?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kek() -> Kek {
        Kek::from_hex(&Kek::generate_hex().unwrap()).unwrap()
    }

    #[test]
    fn a_record_opens_with_its_key_and_place_only() {
        let kek = kek();
        let (key, wrapped) = kek.new_record_key("subject-a", "2028-03").unwrap();
        let sealed = key.seal("d-1", "subject-a", b"the record").unwrap();
        assert!(!sealed.contains("the record"));

        let again = kek.unwrap("subject-a", "2028-03", &wrapped).unwrap();
        assert_eq!(
            again.open("d-1", "subject-a", &sealed).unwrap(),
            b"the record"
        );
        // Moved to another disclosure or subject, it does not open.
        assert!(again.open("d-2", "subject-a", &sealed).is_err());
        assert!(again.open("d-1", "subject-b", &sealed).is_err());
        // Nor with a flipped bit.
        let mut bytes = B64.decode(&sealed).unwrap();
        bytes[NONCE_LEN + 1] ^= 1;
        assert!(again.open("d-1", "subject-a", &B64.encode(bytes)).is_err());
    }

    #[test]
    fn a_wrapped_key_opens_with_its_kek_subject_and_month_only() {
        let kek = kek();
        let (_, wrapped) = kek.new_record_key("subject-a", "2028-03").unwrap();
        assert!(kek.unwrap("subject-a", "2028-03", &wrapped).is_ok());
        assert!(kek.unwrap("subject-b", "2028-03", &wrapped).is_err());
        assert!(kek.unwrap("subject-a", "2028-04", &wrapped).is_err());
        let other = self::kek();
        assert_ne!(other.id(), kek.id());
        assert!(other.unwrap("subject-a", "2028-03", &wrapped).is_err());
    }

    #[test]
    fn a_kek_is_64_hex_digits() {
        assert!(Kek::from_hex(&"ab".repeat(32)).is_ok());
        assert!(Kek::from_hex(&format!("  {}\n", "ab".repeat(32))).is_ok());
        assert!(Kek::from_hex(&"ab".repeat(31)).is_err());
        assert!(Kek::from_hex(&"zz".repeat(32)).is_err());
        assert!(!format!("{:?}", kek()).contains(&"ab".repeat(4)));
    }

    #[test]
    fn the_epoch_is_the_retention_month() {
        use chrono::TimeZone;
        let t = chrono::Utc
            .with_ymd_and_hms(2028, 3, 31, 23, 59, 59)
            .unwrap();
        assert_eq!(epoch_of(t), "2028-03");
    }
}
