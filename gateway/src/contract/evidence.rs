//! The Amsterdammer's evidence in the v1 contract: a disclosure's proof and the whole export.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::InclusionProof;
use serde::Serialize;
use utoipa::ToSchema;

use crate::contract::{ConsentView, MyDisclosureView};
use crate::logboek::LogboekRecord;

/// An entry's inclusion proof with the signed checkpoint it is proven against.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyProofView {
    #[serde(flatten)]
    pub inclusion: InclusionView,
    /// The signed checkpoint (C2SP signed note) the proof is against.
    pub checkpoint: String,
}

/// Everything the gateway holds about the Amsterdammer (art. 15 AVG), in one file.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyExport {
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// Every toestemmingsverklaring, with its history.
    pub consents: Vec<ConsentView>,
    /// Every disclosure: who received what, from whom, why, on which basis.
    pub disclosures: Vec<MyDisclosureView>,
    /// The same disclosures in the Logius *Logboek Dataverwerkingen* shape.
    pub logboek: Vec<LogboekRecord>,
}

/// An inclusion proof (RFC 9162 §2.1.3); hashes in base64.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionView {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub path: Vec<String>,
}

impl From<InclusionProof> for InclusionView {
    fn from(p: InclusionProof) -> Self {
        Self {
            leaf_index: p.leaf_index,
            tree_size: p.tree_size,
            leaf_hash: B64.encode(p.leaf_hash),
            path: p.path.iter().map(|h| B64.encode(h)).collect(),
        }
    }
}
