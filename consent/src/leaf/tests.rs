use chrono::{TimeZone, Utc};

use super::*;
use crate::SubjectId;

fn record() -> NewDisclosure {
    NewDisclosure {
        id: "0192d3a4-0000-7000-8000-000000000001".into(),
        at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        mode: policies::Mode::Exchange,
        source: "bt-centrum-west".into(),
        recipient: "okt-amsterdam".into(),
        professional: "okt-7".into(),
        subject: SubjectId::from_stored("5f".repeat(32)),
        activity: "gezinsondersteuning-ouders".into(),
        legal_basis: policies::LegalBasis::Consent,
        categories: vec!["contact".into(), "regie".into()],
        fields: vec!["contact.naam".into(), "regie.regievoerder_naam".into()],
        consent_id: Some("0192d3a4-0000-7000-8000-0000000000c1".into()),
        justification: None,
        payload_sha256: crate::Sha256Hex::parse(&"ab".repeat(32)).unwrap(),
        decision_id: "0192d3a4-0000-7000-8000-0000000000d1".into(),
        retain_until: Utc.with_ymd_and_hms(2028, 3, 1, 9, 30, 0).unwrap(),
    }
}

/// Known answer: these bytes and this hash are what every stored v1 leaf was computed with. If
/// this test fails, the encoding changed and every stored leaf would stop verifying.
#[test]
fn the_v1_leaf_encoding_is_frozen() {
    let salt = [7u8; 16];
    let r = record();
    let digest = record_digest(&salt, &r);
    assert_eq!(
        hex::encode(digest),
        "bcf33e753434673cf077d8fb3298100afde48785a1532f0972a72b1039166b9e"
    );
    assert_eq!(
        hex::encode(leaf_input((&r).into(), &digest)),
        "6c65646765722d6c6561662f763100064bf31d3df6000000000865786368616e67650000001a67657a696e736f6e646572737465756e696e672d6f756465727300000007636f6e73656e740000000f62742d63656e7472756d2d776573740000000d6f6b742d616d7374657264616dbcf33e753434673cf077d8fb3298100afde48785a1532f0972a72b1039166b9e"
    );
    assert_eq!(
        hex::encode(leaf_hash(&salt, &r)),
        "5f1606837ec278d21daeaee1c29af6ec743fe9d36d841ccf6bc934187df87b63"
    );
}

#[test]
fn every_part_of_the_record_changes_the_leaf() {
    let salt = [7u8; 16];
    let base = leaf_hash(&salt, &record());
    let changes: [fn(&mut NewDisclosure); 6] = [
        |r| r.professional.push('x'),
        |r| r.fields.pop().map(drop).unwrap_or(()),
        |r| r.justification = Some(String::new()),
        |r| r.at += chrono::Duration::microseconds(1),
        |r| r.subject = SubjectId::from_stored("60".repeat(32)),
        // Moving a byte between two adjacent strings must not give the same leaf.
        |r| {
            r.categories = vec!["contactr".into(), "egie".into()];
        },
    ];
    for change in changes {
        let mut r = record();
        change(&mut r);
        assert_ne!(leaf_hash(&salt, &r), base);
    }
    assert_ne!(leaf_hash(&[8u8; 16], &record()), base, "the salt counts");
}

/// Known answer for the erasure leaf: frozen like the record leaf.
#[test]
fn the_v1_erasure_leaf_encoding_is_frozen() {
    let at = Utc.with_ymd_and_hms(2028, 4, 1, 3, 0, 0).unwrap();
    let input = erasure_leaf_input("e-1", at, ErasureReason::Retention, &[3, 300]);
    assert_eq!(
        hex::encode(&input),
        "6c65646765722d657261737572652f763100000003652d31000687ce7d920c0000000009726574656e74696f6e000000020000000000000003000000000000012c"
    );
    let other = erasure_leaf_input("e-1", at, ErasureReason::Request, &[3, 300]);
    assert_ne!(hash_leaf(&input), hash_leaf(&other));
    let fewer = erasure_leaf_input("e-1", at, ErasureReason::Retention, &[3]);
    assert_ne!(hash_leaf(&input), hash_leaf(&fewer));
}

/// Known answer for the representation entry leaf: frozen like the others.
#[test]
fn the_v1_representation_leaf_encoding_is_frozen() {
    let entry = RepresentationEntry {
        log_index: 5,
        id: "0192d3a4-0000-7000-8000-0000000000e2".into(),
        at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        event: crate::model::RepresentationChange::Confirmed,
        actor: "bt-centrum-west".into(),
        representation_id: "0192d3a4-0000-7000-8000-0000000000a1".into(),
        subject: SubjectId::from_stored("5f".repeat(32)),
        professional: Some("prof-2".into()),
        salt: hex::encode([7u8; 16]),
        record_digest: [0; 32],
        leaf_hash: [0; 32],
    };
    let digest = representation_digest(&[7u8; 16], &entry);
    // Derived independently from the layout above (a few lines of Python's hashlib and struct).
    assert_eq!(
        hex::encode(digest),
        "5141681953d6e9d1c6d3e73d1f246a9864ea68aa79d073e738256d363f511be0"
    );
    assert_eq!(
        hex::encode(hash_leaf(&representation_leaf_input(&entry, &digest))),
        "8ac72bd0b052d878974d6054040c8b4d47fb465c05ce3759181537ce8f6b2923"
    );
    let mut other = entry.clone();
    other.professional = None;
    assert_ne!(representation_digest(&[7u8; 16], &other), digest);
}

/// Known answer for the consent entry leaf: frozen like the record leaf.
#[test]
fn the_v1_consent_leaf_encoding_is_frozen() {
    let entry = ConsentEntry {
        log_index: 4,
        id: "0192d3a4-0000-7000-8000-0000000000e1".into(),
        at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        event: crate::model::ConsentChange::Revoked,
        actor: "amsterdammer".into(),
        consent_id: "0192d3a4-0000-7000-8000-0000000000c1".into(),
        subject: SubjectId::from_stored("5f".repeat(32)),
        professional: None,
        representation: Some("r-1".into()),
        salt: hex::encode([7u8; 16]),
        record_digest: [0; 32],
        leaf_hash: [0; 32],
    };
    let digest = consent_digest(&[7u8; 16], &entry);
    // Derived independently from the layout above (a few lines of Python's hashlib and struct).
    assert_eq!(
        hex::encode(digest),
        "fd3d7002426ce74b799891bd622db8f96fb80a3686505a34ee97c4f4c1725b4a"
    );
    assert_eq!(
        hex::encode(consent_leaf_input(&entry, &digest)),
        "6c65646765722d636f6e73656e742f763100064bf31d3df600000000077265766f6b65640000000c616d7374657264616d6d6572fd3d7002426ce74b799891bd622db8f96fb80a3686505a34ee97c4f4c1725b4a"
    );
    let mut other = entry.clone();
    other.professional = Some(String::new());
    assert_ne!(
        consent_digest(&[7u8; 16], &other),
        digest,
        "absent is not empty"
    );
    other = entry.clone();
    other.subject = SubjectId::from_stored("60".repeat(32));
    assert_ne!(
        consent_digest(&[7u8; 16], &other),
        digest,
        "the subject counts"
    );
    assert_ne!(
        consent_digest(&[8u8; 16], &entry),
        digest,
        "the salt counts"
    );
}
