//! Everything the gateway holds about an Amsterdammer in one file (art. 15 AVG), written as it is
//! read: the consents first, then the disclosures a page at a time, then the same disclosures in the
//! Logboek Dataverwerkingen shape. Memory stays that of one page however long the history is; the
//! file is the shape `MyExport` describes in `/openapi.json`.
//!
//! The ledger's size is read once at the start and both lists stop there, so an entry added while
//! the file is written is in neither (and the two lists always match). Should the store fail part
//! way, the body ends without its closing bytes (a broken chunked encoding), never as valid JSON
//! with entries missing.

use axum::body::{Body, Bytes};
use chrono::{DateTime, Utc};
use consent::{Disclosure, Representation, Seek, SubjectId};
use serde::Serialize;

use crate::auth::Viewer;
use crate::contract::{ConsentView, MyDisclosureView};
use crate::error::ApiError;
use crate::logboek::LogboekRecord;
use crate::state::AppState;

/// Ledger entries read (and written out) at a time.
const PAGE: u32 = 200;

/// The export of what `viewer` may see, as a body that streams; the consents are read before it
/// starts, so a store that cannot answer gets its error status rather than a broken file.
pub async fn export(state: &AppState, viewer: Viewer<'_>) -> Result<Body, ApiError> {
    let now = state.clock.now();
    let upto = state.store.ledger_size().await?;
    let consents: Vec<ConsentView> = state
        .store
        .consents_of(viewer.subject)
        .await?
        .into_iter()
        .filter(|c| viewer.covers(&state.register(), &c.categories))
        .map(|c| ConsentView::new(c, now))
        .collect();
    let head = format!(
        "{{\"generated_at\":{},\"consents\":{},\"disclosures\":[",
        json(&now)?,
        json(&consents)?
    );
    let writer = Writer {
        state: state.clone(),
        subject: viewer.subject.clone(),
        acting: viewer.acting.cloned(),
        now,
        upto,
        stage: Stage::Head(head),
    };
    Ok(Body::from_stream(futures::stream::unfold(
        writer,
        |mut w| async move {
            let chunk = w.next().await.transpose()?;
            Some((chunk, w))
        },
    )))
}

/// Where the file stands.
enum Stage {
    Head(String),
    /// The disclosures (or, `logboek`, their Logboek records) after this ledger index.
    List {
        logboek: bool,
        after: Option<u64>,
        first: bool,
    },
    Done,
}

struct Writer {
    state: AppState,
    subject: SubjectId,
    acting: Option<Representation>,
    now: DateTime<Utc>,
    upto: u64,
    stage: Stage,
}

impl Writer {
    /// The next piece of the file, `None` at its end.
    async fn next(&mut self) -> Result<Option<Bytes>, std::io::Error> {
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Head(head) => {
                self.stage = Stage::List {
                    logboek: false,
                    after: None,
                    first: true,
                };
                Ok(Some(head.into()))
            }
            Stage::List {
                logboek,
                after,
                first,
            } => self.page(logboek, after, first).await.map(Some),
            Stage::Done => Ok(None),
        }
    }

    /// One page of a list, and the list's end when it is the last.
    async fn page(
        &mut self,
        logboek: bool,
        after: Option<u64>,
        mut first: bool,
    ) -> Result<Bytes, std::io::Error> {
        let read = self
            .state
            .store
            .disclosures_page(&self.subject, Seek::OldestAfter(after), PAGE)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "the export could not read the store");
                std::io::Error::other("the store could not be read")
            })?;
        let last = read.last().map(|d| d.log_index);
        let ended = read.len() < PAGE as usize || last.is_none_or(|i| i + 1 >= self.upto);
        let viewer = Viewer {
            subject: &self.subject,
            acting: self.acting.as_ref(),
        };
        let mut out = String::new();
        for d in read.into_iter().filter(|d| {
            d.log_index < self.upto && viewer.may_see(&self.state.register(), d, self.now)
        }) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&self.entry(logboek, d)?);
        }
        self.stage = match (ended, logboek) {
            (false, _) => Stage::List {
                logboek,
                after: last,
                first,
            },
            (true, false) => {
                out.push_str("],\"logboek\":[");
                Stage::List {
                    logboek: true,
                    after: None,
                    first: true,
                }
            }
            (true, true) => {
                out.push_str("]}");
                Stage::Done
            }
        };
        Ok(out.into())
    }

    fn entry(&self, logboek: bool, d: Disclosure) -> Result<String, std::io::Error> {
        let text = if logboek {
            serde_json::to_string(&LogboekRecord::from(&d))
        } else {
            serde_json::to_string(&MyDisclosureView::new(d, &self.state.register()))
        };
        text.map_err(std::io::Error::other)
    }
}

fn json(value: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::internal(format!("export: {e}")))
}
