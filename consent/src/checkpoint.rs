//! Signed checkpoints of the ledger, in the formats transparency logs share, so any C2SP verifier can
//! check them: the body is a C2SP `tlog-checkpoint` (origin, tree size, base64 root hash), signed as a
//! C2SP `signed-note` with Ed25519 (ring).
//!
//! - signed note: the text, a blank line, then one line per signature: `— <key name> <base64(key
//!   hash || signature)>`; the key hash is the first 4 bytes of SHA-256(name || "\n" || 0x01 ||
//!   public key), the signature covers the text (final newline included).
//! - verifier key: `<name>+<hex key hash>+<base64(0x01 || public key)>` (served at `/v1/log/key`).
//! - signer key (the key file): `PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 || seed)>`.
//!
//! Specs: <https://c2sp.org/signed-note>, <https://c2sp.org/tlog-checkpoint>.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};

/// The algorithm byte of an Ed25519 key in signed-note key encodings.
const ALG_ED25519: u8 = 0x01;
/// What starts every signature line: an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Notes longer than this are refused unread.
const MAX_NOTE_BYTES: usize = 1 << 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    #[error("no signature by {0} on the note")]
    NotSignedBy(String),
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    #[error("the checkpoint is for log {found:?}, not {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("no randomness available")]
    NoRandomness,
}

/// The state of the log at one size: what a signed checkpoint commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log; the same as the signing key's name.
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

impl Checkpoint {
    /// The tlog-checkpoint body: three lines, each ending in a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Reads a body; extension lines after the root hash are allowed and ignored.
    pub fn parse_body(text: &str) -> Result<Self, NoteError> {
        let bad = NoteError::MalformedCheckpoint;
        let mut lines = text
            .strip_suffix('\n')
            .ok_or(bad("no final newline"))?
            .split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(bad("no origin"))?;
        let size = lines.next().ok_or(bad("no size"))?;
        let canonical = size == "0" || (!size.starts_with('0') && !size.is_empty());
        let size: u64 = size
            .parse()
            .ok()
            .filter(|_| canonical && size.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(bad("the size is not a decimal number"))?;
        let root = lines.next().ok_or(bad("no root hash"))?;
        let root: [u8; 32] = B64
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(bad("the root hash is not 32 bytes in base64"))?;
        if lines.any(str::is_empty) {
            return Err(bad("an empty extension line"));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// Signs checkpoints with the log's Ed25519 key.
pub struct LogSigner {
    name: String,
    pair: Ed25519KeyPair,
    verifier: LogVerifier,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl LogSigner {
    /// Reads a signer key (`PRIVATE+KEY+<name>+<hash>+<base64>`), checking its hash.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let bad = NoteError::MalformedKey;
        let rest = skey
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(bad("not a signer key"))?;
        let (name, hash, key) = split_key(rest)?;
        let key = B64
            .decode(key)
            .map_err(|_| bad("key material is not base64"))?;
        let (&alg, seed) = key.split_first().ok_or(bad("no key material"))?;
        if alg != ALG_ED25519 || seed.len() != 32 {
            return Err(bad("not an Ed25519 key"));
        }
        let pair =
            Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| bad("not an Ed25519 seed"))?;
        let public: [u8; 32] = pair
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| bad("not an Ed25519 key"))?;
        let verifier = LogVerifier::new(name, public);
        if hex::encode(verifier.key_id) != hash {
            return Err(bad("the key hash does not match the key"));
        }
        Ok(Self {
            name: name.to_owned(),
            pair,
            verifier,
        })
    }

    /// A new signer key for a log named `name` (`gateway dev pki` writes one).
    pub fn generate_skey(name: &str) -> Result<String, NoteError> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| NoteError::NoRandomness)?;
        let pair =
            Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| NoteError::NoRandomness)?;
        let public: [u8; 32] = pair
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| NoteError::NoRandomness)?;
        let key_id = LogVerifier::new(name, public).key_id;
        let mut material = vec![ALG_ED25519];
        material.extend_from_slice(&seed);
        Ok(format!(
            "PRIVATE+KEY+{name}+{}+{}",
            hex::encode(key_id),
            B64.encode(material)
        ))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn verifier(&self) -> &LogVerifier {
        &self.verifier
    }

    /// The signed note of `text` (which must end in a newline and hold no blank line).
    pub fn sign_text(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') || text.contains("\n\n") || text.starts_with('\n') {
            return Err(NoteError::MalformedNote(
                "the text must be non-empty lines, each ending in a newline",
            ));
        }
        let mut blob = self.verifier.key_id.to_vec();
        blob.extend_from_slice(self.pair.sign(text.as_bytes()).as_ref());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            B64.encode(blob)
        ))
    }

    /// The signed checkpoint (`origin` must be this key's name).
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<String, NoteError> {
        if checkpoint.origin != self.name {
            return Err(NoteError::WrongOrigin {
                expected: self.name.clone(),
                found: checkpoint.origin.clone(),
            });
        }
        self.sign_text(&checkpoint.body())
    }
}

/// Verifies the log's signed notes; anyone can hold one (it is public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogVerifier {
    name: String,
    key_id: [u8; 4],
    public: [u8; 32],
}

impl LogVerifier {
    fn new(name: &str, public: [u8; 32]) -> Self {
        let mut input = Vec::with_capacity(name.len() + 34);
        input.extend_from_slice(name.as_bytes());
        input.push(b'\n');
        input.push(ALG_ED25519);
        input.extend_from_slice(&public);
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(&digest(&SHA256, &input).as_ref()[..4]);
        Self {
            name: name.to_owned(),
            key_id,
            public,
        }
    }

    /// Reads a verifier key (`<name>+<hash>+<base64>`), checking its hash.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let bad = NoteError::MalformedKey;
        let (name, hash, key) = split_key(vkey.trim())?;
        let key = B64
            .decode(key)
            .map_err(|_| bad("key material is not base64"))?;
        let (&alg, public) = key.split_first().ok_or(bad("no key material"))?;
        let public: [u8; 32] = public.try_into().map_err(|_| bad("not an Ed25519 key"))?;
        if alg != ALG_ED25519 {
            return Err(bad("not an Ed25519 key"));
        }
        let verifier = Self::new(name, public);
        if hex::encode(verifier.key_id) != hash {
            return Err(bad("the key hash does not match the key"));
        }
        Ok(verifier)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key in signed-note form.
    pub fn vkey(&self) -> String {
        let mut material = vec![ALG_ED25519];
        material.extend_from_slice(&self.public);
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id),
            B64.encode(material)
        )
    }

    /// The text of `note` if this key signed it; signatures by other keys are ignored.
    pub fn open<'n>(&self, note: &'n str) -> Result<&'n str, NoteError> {
        let bad = NoteError::MalformedNote;
        if note.len() > MAX_NOTE_BYTES {
            return Err(bad("too long"));
        }
        let split = note
            .rfind("\n\n")
            .ok_or(bad("no blank line before the signatures"))?;
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        if text.starts_with('\n') || text.contains("\n\n") {
            return Err(bad("the text holds a blank line"));
        }
        let lines = signatures
            .strip_suffix('\n')
            .ok_or(bad("no final newline"))?;
        let mut found = false;
        for line in lines.split('\n') {
            let line = line
                .strip_prefix(SIGNATURE_PREFIX)
                .ok_or(bad("a signature line without its dash"))?;
            let (name, blob) = line
                .split_once(' ')
                .ok_or(bad("a signature line without a signature"))?;
            let blob = B64
                .decode(blob)
                .map_err(|_| bad("a signature that is not base64"))?;
            if name != self.name || blob.len() < 4 || blob[..4] != self.key_id {
                continue;
            }
            found = true;
            UnparsedPublicKey::new(&ED25519, &self.public)
                .verify(text.as_bytes(), &blob[4..])
                .map_err(|_| NoteError::BadSignature(self.name.clone()))?;
        }
        if found {
            Ok(text)
        } else {
            Err(NoteError::NotSignedBy(self.name.clone()))
        }
    }

    /// The checkpoint in `note`, if this key signed it and it is this log's.
    pub fn verify_checkpoint(&self, note: &str) -> Result<Checkpoint, NoteError> {
        let checkpoint = Checkpoint::parse_body(self.open(note)?)?;
        if checkpoint.origin != self.name {
            return Err(NoteError::WrongOrigin {
                expected: self.name.clone(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}

/// `<name>+<hash>+<key>`: the name holds no `+` or space, the hash is 8 hex digits, and the key's
/// base64 may itself hold `+`.
fn split_key(s: &str) -> Result<(&str, &str, &str), NoteError> {
    let bad = NoteError::MalformedKey;
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected <name>+<hash>+<key>"));
    };
    check_name(name)?;
    if hash.len() != 8 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(bad("the key hash is not 8 lowercase hex digits"));
    }
    Ok((name, hash, key))
}

fn check_name(name: &str) -> Result<(), NoteError> {
    let ok = !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c.is_control());
    ok.then_some(()).ok_or(NoteError::MalformedKey(
        "a key name is non-empty, without '+' or spaces",
    ))
}

#[cfg(test)]
mod tests;
