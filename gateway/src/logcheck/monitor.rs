//! `gateway log monitor`: follows a log from outside, checkpoint by checkpoint, and says when a new
//! one is not consistent with the last one it saw (its state is kept in a small file).

use super::{decode_hash, decode_path};
use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use consent::LogVerifier;
use consent::merkle::{self};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a monitor remembers between runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MonitorState {
    /// The log key seen on the first run (trust on first use).
    pub key: String,
    pub size: u64,
    /// Base64 root hash of the checkpoint seen last.
    pub root: String,
}

/// What one monitor run saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorReport {
    pub origin: String,
    pub size: u64,
    /// The size seen on the run before, if any.
    pub previous: Option<u64>,
}

/// One monitor run against the gateway at `url`, trusting the CA(s) in `cacert`.
pub async fn monitor(url: &str, state_file: &Path, cacert: &Path) -> anyhow::Result<MonitorReport> {
    let tls = crate::tls::anonymous_client_config(cacert)?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(20))
        .build()?;
    let base = url.trim_end_matches('/');
    let get = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let answer = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("GET {url}"))?;
            ensure!(
                answer.status().is_success(),
                "GET {url}: HTTP {}",
                answer.status()
            );
            Ok::<_, anyhow::Error>(answer)
        }
    };
    let key = get("/v1/log/key").await?.text().await?.trim().to_owned();
    let state: Option<MonitorState> = match std::fs::read_to_string(state_file) {
        Ok(text) => Some(serde_json::from_str(&text).context("the state file")?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).context("cannot read the state file"),
    };
    if let Some(state) = &state {
        ensure!(
            state.key == key,
            "the log's key changed from {} to {key}: not the log this monitor watches",
            state.key
        );
    }
    let verifier = LogVerifier::parse(&key).context("the log key")?;
    let note = get("/v1/log/checkpoint").await?.text().await?;
    let checkpoint = verifier
        .verify_checkpoint(&note)
        .context("the published checkpoint")?;
    if let Some(state) = &state {
        let root =
            decode_hash(&state.root).ok_or_else(|| anyhow!("the state file holds no root hash"))?;
        if checkpoint.size < state.size {
            bail!(
                "the log shrank from {} to {} entries: a fork or a rollback",
                state.size,
                checkpoint.size
            );
        }
        if checkpoint.size == state.size {
            ensure!(
                checkpoint.root == root,
                "fork: two different roots signed for {} entries",
                state.size
            );
        } else {
            let proof: ConsistencyAnswer = get(&format!(
                "/v1/log/proofs/consistency?from={}&to={}",
                state.size, checkpoint.size
            ))
            .await?
            .json()
            .await
            .context("the consistency proof")?;
            let path = decode_path(&proof.path).ok_or_else(|| {
                anyhow!("the consistency proof holds a hash that is not 32 bytes")
            })?;
            merkle::verify_consistency(state.size, checkpoint.size, &root, &checkpoint.root, &path)
                .with_context(|| {
                    format!(
                        "fork: the checkpoint of {} entries does not extend the one of {} seen before",
                        checkpoint.size, state.size
                    )
                })?;
        }
    }
    let next = MonitorState {
        key,
        size: checkpoint.size,
        root: B64.encode(checkpoint.root),
    };
    write_atomically(state_file, &serde_json::to_string_pretty(&next)?)?;
    Ok(MonitorReport {
        origin: checkpoint.origin,
        size: checkpoint.size,
        previous: state.map(|s| s.size),
    })
}

#[derive(Debug, Deserialize)]
struct ConsistencyAnswer {
    path: Vec<String>,
}

/// A crash between writing and renaming leaves the old state whole.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}
