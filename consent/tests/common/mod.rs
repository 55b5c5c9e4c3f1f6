//! What the store tests share: a fresh database per test on either backend, and records to write.

pub mod failing;

/// Generates `sqlite::NAME` and `postgres::NAME` for each test. `store NAME` gets a fresh store;
/// `url NAME` gets the URL of a fresh database, for tests that open it more than once.
macro_rules! on_both_backends {
    ($($kind:ident $name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::Backend::Sqlite.$kind(super::$name).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::Backend::Postgres.$kind(super::$name).await;
                }
            )+
        }
    };
}

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use consent::{
    Actor, DecisionRecord, Evidence, LedgerWrite, NewConsent, NewDisclosure, Outcome,
    Pseudonymizer, Sha256Hex, Store, SubjectId,
};
use policies::Bsn;
use tempfile::TempDir;

/// Test BSNs (they pass the 11-proef).
pub const BSN_A: &str = "111222333";
pub const BSN_B: &str = "123456782";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Runs `test` against a store on a fresh, empty database.
    pub async fn store<F, Fut>(self, test: F)
    where
        F: FnOnce(Arc<dyn Store>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.url(|url| async move {
            let store = consent::connect(&url, kek())
                .await
                .expect("the store opens a fresh database");
            test(store).await;
        })
        .await;
    }

    /// Runs `test` with the URL of a fresh, empty database, for tests that open it themselves.
    pub async fn url<F, Fut>(self, test: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        match self {
            Self::Sqlite => {
                let file = SqliteFile::create();
                test(file.url()).await;
            }
            Self::Postgres => {
                // Dropped with `db`, also when the test panics.
                let Some(db) = fixture::PgDatabase::create("consent_test").await else {
                    return;
                };
                test(db.url().to_owned()).await;
            }
        }
    }
}

/// A SQLite database file in a temporary directory that lives as long as this value.
#[derive(Debug)]
pub struct SqliteFile {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl SqliteFile {
    pub fn create() -> Self {
        let dir = TempDir::new().expect("a temporary directory");
        let path = dir.path().join("consent.db");
        Self { dir, path }
    }

    pub fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }
}

// ---- records ----

/// The key-encryption key of the tests' ledgers.
pub fn kek() -> consent::Kek {
    consent::Kek::from_hex(&"5a".repeat(32)).expect("a 32-byte key")
}

pub fn pseudonymizer() -> Pseudonymizer {
    Pseudonymizer::new(&[7u8; 32]).expect("a 32-byte key")
}

pub fn subject(bsn: &str) -> SubjectId {
    pseudonymizer().subject(&Bsn::parse(bsn).expect("a valid test BSN"))
}

/// A fixed moment plus `micros`; whole microseconds, which both databases keep exactly.
pub fn at(micros: i64) -> DateTime<Utc> {
    let start = Utc
        .with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("a valid date");
    start + Duration::microseconds(micros)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn new_consent(subject: &SubjectId) -> NewConsent {
    NewConsent {
        subject: subject.clone(),
        recipients: vec!["buurtteam-oost".into(), "schuldhulp".into()],
        sources: Some(vec!["inkomen".into()]),
        categories: vec!["financien".into(), "huishouden".into()],
        activities: vec!["schuldhulpverlening-intake".into()],
        valid_from: at(0),
        valid_until: at(0) + Duration::days(365),
        evidence: Evidence {
            method: "signed_form".into(),
            document_sha256: Sha256Hex::parse(&"ab".repeat(32)).expect("a digest"),
            recorded_by: "j.jansen".into(),
        },
        note: Some("besproken aan de keukentafel".into()),
        recorded_by: Actor::professional("buurtteam-oost", "j.jansen"),
        confirmed: true,
        grantor: consent::Grantor::Subject,
        language: "nl".into(),
    }
}

pub fn decision(subject: &SubjectId, outcome: Outcome, at: DateTime<Utc>) -> DecisionRecord {
    let violations = match outcome {
        Outcome::Permit => Vec::new(),
        Outcome::Deny => vec![policies::Violation {
            vuistregel: 8,
            reason: "no consent for this recipient".into(),
            reason_nl: "geen toestemming voor deze ontvanger".into(),
        }],
    };
    DecisionRecord {
        id: new_id(),
        at,
        mode: policies::Mode::Exchange,
        partner: "buurtteam-oost".into(),
        professional: "j.jansen".into(),
        role: "buurtteamer".into(),
        activity: "schuldhulpverlening-intake".into(),
        source: "inkomen".into(),
        recipient: "buurtteam-oost".into(),
        subject: subject.clone(),
        categories: vec!["financien".into()],
        outcome,
        violations,
        consent_id: None,
        error: None,
        register_version: "test-register".into(),
    }
}

pub fn disclosure_for(decision: &DecisionRecord) -> NewDisclosure {
    NewDisclosure {
        id: new_id(),
        at: decision.at,
        mode: decision.mode,
        source: decision.source.clone(),
        recipient: decision.recipient.clone(),
        professional: decision.professional.clone(),
        subject: decision.subject.clone(),
        activity: decision.activity.clone(),
        legal_basis: policies::LegalBasis::Consent,
        categories: decision.categories.clone(),
        fields: vec![
            "financien.schulden_totaal".into(),
            "financien.inkomen_bron".into(),
        ],
        consent_id: Some("c-1".into()),
        justification: None,
        payload_sha256: Sha256Hex::parse(&"cd".repeat(32)).expect("a digest"),
        decision_id: decision.id.clone(),
        retain_until: decision.at + Duration::days(30),
    }
}

/// A permitted request that disclosed something.
pub fn permitted_write(subject: &SubjectId, at: DateTime<Utc>) -> LedgerWrite {
    let decision = decision(subject, Outcome::Permit, at);
    let disclosure = Some(disclosure_for(&decision));
    LedgerWrite {
        decision,
        disclosure,
        deferral: None,
    }
}

/// A denied request: a decision, no disclosure.
pub fn denied_write(subject: &SubjectId, at: DateTime<Utc>) -> LedgerWrite {
    LedgerWrite {
        decision: decision(subject, Outcome::Deny, at),
        disclosure: None,
        deferral: None,
    }
}
