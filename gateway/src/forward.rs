//! Calls to partner systems over mTLS with the gateway's own client certificate: fetching the
//! permitted categories from a source (exchange) and handing pushed data to a recipient (delivery).
//! Each partner has its own client (and connection pool) that accepts only a server certificate
//! naming that partner's OIN, checked at the handshake before the request (with its BSN) is sent;
//! a system presenting another organisation's certificate is treated as unreachable.
//!
//! A call has one deadline (`[upstream] timeout_secs`), from waiting for a free connection to the
//! last byte of the answer, so a system that never answers or trickles its answer a byte at a time
//! holds an exchange no longer than that. At most `max_connections_per_system` calls are open to one
//! system at once; more wait their turn within the deadline, so the gateway never opens more
//! connections than a system accepts from one client.
//!
//! The partner-system interface (what sample systems implement, and real ones must):
//! `POST {endpoint}/v1/records` `{"subject_bsn", "activity", "categories": [...]}` →
//! `{"data": {<category>: {...}}}`; `POST {endpoint}/v1/deliveries` `{"subject_bsn", "activity",
//! "sender", "disclosure_id", "data"}` → any 2xx.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use policies::Bsn;
use serde_json::{Map, Value, json};

use crate::config::UpstreamConfig;
use crate::tls::UpstreamIdentity;

/// Answers from partner systems larger than this are refused.
const MAX_ANSWER_BYTES: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("partner {0} has no system endpoint configured")]
    NoEndpoint(String),
    #[error("partner system unreachable: {0}")]
    Unreachable(String),
    #[error("partner system did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("partner system answered HTTP {0}")]
    Status(u16),
    #[error("partner system answered malformed data: {0}")]
    Malformed(String),
}

/// Where one partner's system answers, and whom the gateway expects to find there.
/// A source system's answer: per category its record, and (optionally) when the source last
/// brought each record up to date.
#[derive(Debug)]
pub struct Answer {
    pub data: Map<String, Value>,
    pub as_of: BTreeMap<String, DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct PartnerSystem {
    /// Base URL (https).
    pub endpoint: String,
    /// The partner's OIN (register), which the system's server certificate must carry.
    pub oin: String,
}

#[derive(Debug)]
struct Connection {
    endpoint: String,
    client: reqwest::Client,
    /// One permit per call that may be open to this system at once.
    open: Arc<tokio::sync::Semaphore>,
}

/// Clients for the partner systems, ready to be installed.
#[derive(Debug)]
pub struct Systems(HashMap<String, Arc<Connection>>);

#[derive(Debug)]
pub struct Upstream {
    /// Per partner id; `replace` swaps them all (a call keeps the connection it started with).
    systems: ArcSwap<HashMap<String, Arc<Connection>>>,
    /// The deadline of one call, the wait for a permit included.
    timeout: Duration,
}

impl Upstream {
    /// One client per partner id in `systems`, each pinned to that partner's OIN.
    pub fn new(
        identity: &UpstreamIdentity,
        systems: HashMap<String, PartnerSystem>,
        limits: &UpstreamConfig,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            systems: ArcSwap::from_pointee(connections(identity, systems, limits)?),
            timeout: limits.timeout(),
        })
    }

    /// The clients for `systems`, built and checked as [`Upstream::new`] does, to
    /// [`Upstream::install`] once everything else of a reload is checked too.
    pub fn connect(
        identity: &UpstreamIdentity,
        systems: HashMap<String, PartnerSystem>,
        limits: &UpstreamConfig,
    ) -> anyhow::Result<Systems> {
        Ok(Systems(connections(identity, systems, limits)?))
    }

    /// Puts `systems` in place of those in use (a call in progress keeps its own; the old pools
    /// go when their last call ends). The deadline stays as configured at start.
    pub fn install(&self, systems: Systems) {
        self.systems.store(Arc::new(systems.0));
    }

    fn system(&self, partner: &str) -> Result<Arc<Connection>, ForwardError> {
        self.systems
            .load()
            .get(partner)
            .cloned()
            .ok_or_else(|| ForwardError::NoEndpoint(partner.to_owned()))
    }

    /// Asks `source` for the given categories of one subject. Returns the `data` object as sent.
    pub async fn fetch(
        &self,
        source: &str,
        bsn: &Bsn,
        activity: &str,
        categories: &[&str],
        traceparent: Option<&str>,
    ) -> Result<Answer, ForwardError> {
        let body =
            json!({ "subject_bsn": bsn.expose(), "activity": activity, "categories": categories });
        let system = self.system(source)?;
        let system = system.as_ref();
        let bytes = self
            .within_deadline(system, async {
                let answer = self.post(system, "/v1/records", &body, traceparent).await?;
                answer
                    .bytes()
                    .await
                    .map_err(|e| ForwardError::Unreachable(e.to_string()))
            })
            .await?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(ForwardError::Malformed("answer larger than 1 MiB".into()));
        }
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| ForwardError::Malformed(e.to_string()))?;
        let Value::Object(mut top) = value else {
            return Err(ForwardError::Malformed(
                "answer is not a JSON object".into(),
            ));
        };
        let Some(Value::Object(data)) = top.remove("data") else {
            return Err(ForwardError::Malformed("no `data` object".into()));
        };
        // Optional: per category, when the source last brought the record up to date.
        let as_of = match top.remove("as_of") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(dates)) => dates
                .into_iter()
                .map(|(category, at)| {
                    let at = at
                        .as_str()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .ok_or_else(|| {
                            ForwardError::Malformed(format!(
                                "as_of.{category} is not an RFC 3339 time"
                            ))
                        })?;
                    Ok((category, at.with_timezone(&Utc)))
                })
                .collect::<Result<_, ForwardError>>()?,
            Some(_) => return Err(ForwardError::Malformed("`as_of` is not an object".into())),
        };
        Ok(Answer { data, as_of })
    }

    /// Hands filtered data to `recipient`.
    pub async fn deliver(
        &self,
        recipient: &str,
        body: &Value,
        traceparent: Option<&str>,
    ) -> Result<(), ForwardError> {
        let system = self.system(recipient)?;
        let system = system.as_ref();
        self.within_deadline(system, async {
            self.post(system, "/v1/deliveries", body, traceparent)
                .await
                .map(drop)
        })
        .await
    }

    /// Sends a signed notification (see `notify`) to `partner`'s system: `POST /v1/notifications`
    /// with the body exactly as signed.
    pub async fn notify(
        &self,
        partner: &str,
        body: &str,
        headers: &[(&'static str, String)],
    ) -> Result<(), ForwardError> {
        let system = self.system(partner)?;
        let system = system.as_ref();
        let url = format!("{}/v1/notifications", system.endpoint.trim_end_matches('/'));
        let mut request = system
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        self.within_deadline(system, async { send(request).await.map(drop) })
            .await
    }

    /// Runs `call` to `system` holding one of its permits, the wait for the permit included, within
    /// the deadline.
    async fn within_deadline<T>(
        &self,
        system: &Connection,
        call: impl Future<Output = Result<T, ForwardError>>,
    ) -> Result<T, ForwardError> {
        let call = async {
            let _open = system
                .open
                .acquire()
                .await
                .map_err(|_| ForwardError::Unreachable("the gateway is stopping".into()))?;
            call.await
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| ForwardError::TimedOut(self.timeout))?
    }

    async fn post(
        &self,
        system: &Connection,
        path: &str,
        body: &Value,
        traceparent: Option<&str>,
    ) -> Result<reqwest::Response, ForwardError> {
        let url = format!("{}{path}", system.endpoint.trim_end_matches('/'));
        let mut request = system.client.post(url).json(body);
        if let Some(tp) = traceparent {
            request = request.header("traceparent", tp);
        }
        send(request).await
    }
}

/// Sends a request to a partner system; anything but a 2xx answer is an error.
async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, ForwardError> {
    let answer = request
        .send()
        .await
        .map_err(|e| ForwardError::Unreachable(without_url(e)))?;
    if !answer.status().is_success() {
        return Err(ForwardError::Status(answer.status().as_u16()));
    }
    Ok(answer)
}

/// The error and its causes (e.g. the TLS reason: a certificate naming another organisation), without
/// the URL: ours carry no personal data, but keep messages short anyway. Request bodies never appear.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}

/// One client per partner id in `systems`, each pinned to that partner's OIN.
fn connections(
    identity: &UpstreamIdentity,
    systems: HashMap<String, PartnerSystem>,
    limits: &UpstreamConfig,
) -> anyhow::Result<HashMap<String, Arc<Connection>>> {
    let most = limits.max_connections_per_system.get();
    systems
        .into_iter()
        .map(|(id, system)| {
            let client = reqwest::Client::builder()
                .use_preconfigured_tls(identity.towards(&system.oin)?)
                .connect_timeout(Duration::from_secs(3))
                .pool_max_idle_per_host(most)
                // Shorter than a partner system's own idle timeout (the sample systems close after 30 s), so the
                // gateway never sends on a connection the system is closing.
                .pool_idle_timeout(Duration::from_secs(20))
                .build()?;
            let connection = Connection {
                endpoint: system.endpoint,
                client,
                open: Arc::new(tokio::sync::Semaphore::new(most)),
            };
            Ok((id, Arc::new(connection)))
        })
        .collect()
}
