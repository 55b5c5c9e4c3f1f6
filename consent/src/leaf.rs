//! The frozen leaf encoding of the ledger (version 1). A Merkle leaf must hash the same bytes for as
//! long as the log exists, so it is not derived from serde output (a renamed or reordered struct field
//! would silently change every leaf): every field is written here, in a fixed order, in a fixed binary
//! layout. Change nothing in this file; a new layout is a new version with its own tag.
//!
//! Layout: strings are a big-endian `u32` byte length and UTF-8; lists a `u32` count and their items;
//! optional values a `0x00` (absent) or `0x01` byte and the value; times a big-endian `i64` of
//! microseconds since the Unix epoch (UTC).
//!
//! - record digest = SHA-256(salt || `ledger-record/v1` || id, at, mode, source, recipient,
//!   professional, subject, activity, legal_basis, categories, fields, consent_id, justification,
//!   payload_sha256, decision_id, retain_until)
//! - leaf input = `ledger-leaf/v1` || at, mode, activity, legal_basis, source, recipient || record
//!   digest (32 bytes). The header names no person: it stays readable after the record is erased.
//! - leaf hash = SHA-256(0x00 || leaf input) (RFC 9162 §2.1.1).
//!
//! An erasure entry (see `vault`) is a leaf of its own kind, naming no person:
//! `ledger-erasure/v1` || id, at, reason, the erased log indexes (a `u32` count, each a big-endian
//! `u64`).
//!
//! A consent entry (one change in a toestemmingsverklaring's life) is a third kind:
//! - consent digest = SHA-256(salt || `ledger-consent-record/v1` || id, at, event, actor,
//!   consent_id, subject, professional (optional), representation (optional))
//! - leaf input = `ledger-consent/v1` || at, event, actor || consent digest (32 bytes).
//!
//! A representation entry (one change in a representation's life: recorded, confirmed, ended,
//! expired) is a fourth kind:
//! - representation digest = SHA-256(salt || `ledger-representation-record/v1` || id, at, event,
//!   actor, representation_id, subject (the person represented), professional (optional))
//! - leaf input = `ledger-representation/v1` || at, event, actor || representation digest.

use ring::digest::{Context, SHA256, digest};

use crate::model::{ConsentEntry, Disclosure, ErasureReason, NewDisclosure, RepresentationEntry};

const RECORD_TAG: &[u8] = b"ledger-record/v1";
const LEAF_TAG: &[u8] = b"ledger-leaf/v1";
const ERASURE_TAG: &[u8] = b"ledger-erasure/v1";
const CONSENT_RECORD_TAG: &[u8] = b"ledger-consent-record/v1";
const CONSENT_LEAF_TAG: &[u8] = b"ledger-consent/v1";
const REPRESENTATION_RECORD_TAG: &[u8] = b"ledger-representation-record/v1";
const REPRESENTATION_LEAF_TAG: &[u8] = b"ledger-representation/v1";

/// What a leaf shows of its record in the clear: nothing that names a person.
#[derive(Debug, Clone, Copy)]
pub struct LeafHeader<'a> {
    pub at: chrono::DateTime<chrono::Utc>,
    pub mode: policies::Mode,
    pub activity: &'a str,
    pub legal_basis: policies::LegalBasis,
    pub source: &'a str,
    pub recipient: &'a str,
}

impl<'a> From<&'a NewDisclosure> for LeafHeader<'a> {
    fn from(r: &'a NewDisclosure) -> Self {
        Self {
            at: r.at,
            mode: r.mode,
            activity: &r.activity,
            legal_basis: r.legal_basis,
            source: &r.source,
            recipient: &r.recipient,
        }
    }
}

impl<'a> From<&'a Disclosure> for LeafHeader<'a> {
    fn from(d: &'a Disclosure) -> Self {
        Self {
            at: d.at,
            mode: d.mode,
            activity: &d.activity,
            legal_basis: d.legal_basis,
            source: &d.source,
            recipient: &d.recipient,
        }
    }
}

/// The salted digest of the whole record: commits to everything, reveals nothing without the salt.
pub fn record_digest(salt: &[u8], r: &NewDisclosure) -> [u8; 32] {
    let mut out = Encoder(Vec::with_capacity(512));
    out.raw(salt);
    out.raw(RECORD_TAG);
    out.str(&r.id);
    out.micros(r.at);
    out.str(r.mode.as_str());
    out.str(&r.source);
    out.str(&r.recipient);
    out.str(&r.professional);
    out.str(r.subject.as_str());
    out.str(&r.activity);
    out.str(r.legal_basis.as_str());
    out.list(&r.categories);
    out.list(&r.fields);
    out.opt(r.consent_id.as_deref());
    out.opt(r.justification.as_deref());
    out.str(r.payload_sha256.as_str());
    out.str(&r.decision_id);
    out.micros(r.retain_until);
    sha256(&out.0)
}

/// The bytes the Merkle leaf hashes: the non-personal header and the record digest.
pub fn leaf_input(r: LeafHeader<'_>, record_digest: &[u8; 32]) -> Vec<u8> {
    let mut out = Encoder(Vec::with_capacity(160));
    out.raw(LEAF_TAG);
    out.micros(r.at);
    out.str(r.mode.as_str());
    out.str(r.activity);
    out.str(r.legal_basis.as_str());
    out.str(r.source);
    out.str(r.recipient);
    out.raw(record_digest);
    out.0
}

/// RFC 9162 leaf hash of a ledger record under `salt`.
pub fn leaf_hash(salt: &[u8], r: &NewDisclosure) -> [u8; 32] {
    hash_leaf(&leaf_input(r.into(), &record_digest(salt, r)))
}

/// The bytes the leaf of an erasure entry hashes.
pub fn erasure_leaf_input(
    id: &str,
    at: chrono::DateTime<chrono::Utc>,
    reason: ErasureReason,
    entries: &[u64],
) -> Vec<u8> {
    let mut out = Encoder(Vec::with_capacity(64 + 8 * entries.len()));
    out.raw(ERASURE_TAG);
    out.str(id);
    out.micros(at);
    out.str(reason.as_str());
    out.len(entries.len());
    for index in entries {
        out.raw(&index.to_be_bytes());
    }
    out.0
}

/// The salted digest of a consent entry: commits to all of it, reveals nothing without the salt.
pub fn consent_digest(salt: &[u8], e: &ConsentEntry) -> [u8; 32] {
    let mut out = Encoder(Vec::with_capacity(256));
    out.raw(salt);
    out.raw(CONSENT_RECORD_TAG);
    out.str(&e.id);
    out.micros(e.at);
    out.str(e.event.as_str());
    out.str(&e.actor);
    out.str(&e.consent_id);
    out.str(e.subject.as_str());
    out.opt(e.professional.as_deref());
    out.opt(e.representation.as_deref());
    sha256(&out.0)
}

/// The bytes the leaf of a consent entry hashes: the header that names no person, and the digest.
pub fn consent_leaf_input(e: &ConsentEntry, digest: &[u8; 32]) -> Vec<u8> {
    let mut out = Encoder(Vec::with_capacity(96));
    out.raw(CONSENT_LEAF_TAG);
    out.micros(e.at);
    out.str(e.event.as_str());
    out.str(&e.actor);
    out.raw(digest);
    out.0
}

/// The salted digest of a representation entry: commits to all of it, reveals nothing without
/// the salt.
pub fn representation_digest(salt: &[u8], e: &RepresentationEntry) -> [u8; 32] {
    let mut out = Encoder(Vec::with_capacity(256));
    out.raw(salt);
    out.raw(REPRESENTATION_RECORD_TAG);
    out.str(&e.id);
    out.micros(e.at);
    out.str(e.event.as_str());
    out.str(&e.actor);
    out.str(&e.representation_id);
    out.str(e.subject.as_str());
    out.opt(e.professional.as_deref());
    sha256(&out.0)
}

/// The bytes the leaf of a representation entry hashes: the header that names no person, and the
/// digest.
pub fn representation_leaf_input(e: &RepresentationEntry, digest: &[u8; 32]) -> Vec<u8> {
    let mut out = Encoder(Vec::with_capacity(96));
    out.raw(REPRESENTATION_LEAF_TAG);
    out.micros(e.at);
    out.str(e.event.as_str());
    out.str(&e.actor);
    out.raw(digest);
    out.0
}

/// RFC 9162 leaf hash: SHA-256(0x00 || leaf input).
pub fn hash_leaf(input: &[u8]) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[0x00]);
    ctx.update(input);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

struct Encoder(Vec<u8>);

impl Encoder {
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn len(&mut self, n: usize) {
        // A ledger field never comes near 4 GiB; saturate rather than wrap, so no two values collide.
        self.raw(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.raw(s.as_bytes());
    }

    fn list(&mut self, items: &[String]) {
        self.len(items.len());
        for item in items {
            self.str(item);
        }
    }

    fn opt(&mut self, s: Option<&str>) {
        match s {
            None => self.raw(&[0x00]),
            Some(s) => {
                self.raw(&[0x01]);
                self.str(s);
            }
        }
    }

    fn micros(&mut self, t: chrono::DateTime<chrono::Utc>) {
        self.raw(&t.timestamp_micros().to_be_bytes());
    }
}

#[cfg(test)]
mod tests;
