//! Calls to partner systems over mTLS with the gateway's own client certificate: fetching the
//! permitted categories from a source (exchange) and handing pushed data to a recipient (delivery).
//!
//! The partner-system interface (what sample systems implement, and real ones must):
//! `POST {endpoint}/v1/records` `{"subject_bsn", "activity", "categories": [...]}` →
//! `{"data": {<category>: {...}}}`; `POST {endpoint}/v1/deliveries` `{"subject_bsn", "activity",
//! "sender", "disclosure_id", "data"}` → any 2xx.

use std::collections::HashMap;
use std::time::Duration;

use policies::Bsn;
use serde_json::{Map, Value, json};

/// Answers from partner systems larger than this are refused.
const MAX_ANSWER_BYTES: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("partner {0} has no system endpoint configured")]
    NoEndpoint(String),
    #[error("partner system unreachable: {0}")]
    Unreachable(String),
    #[error("partner system answered HTTP {0}")]
    Status(u16),
    #[error("partner system answered malformed data: {0}")]
    Malformed(String),
}

#[derive(Debug)]
pub struct Upstream {
    client: reqwest::Client,
    endpoints: HashMap<String, String>,
}

impl Upstream {
    pub fn new(
        tls: rustls::ClientConfig,
        endpoints: HashMap<String, String>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self { client, endpoints })
    }

    fn url(&self, partner: &str, path: &str) -> Result<String, ForwardError> {
        let base = self
            .endpoints
            .get(partner)
            .ok_or_else(|| ForwardError::NoEndpoint(partner.to_owned()))?;
        Ok(format!("{}{path}", base.trim_end_matches('/')))
    }

    /// Asks `source` for the given categories of one subject. Returns the `data` object as sent.
    pub async fn fetch(
        &self,
        source: &str,
        bsn: &Bsn,
        activity: &str,
        categories: &[&str],
        traceparent: Option<&str>,
    ) -> Result<Map<String, Value>, ForwardError> {
        let body =
            json!({ "subject_bsn": bsn.expose(), "activity": activity, "categories": categories });
        let answer = self
            .post(self.url(source, "/v1/records")?, &body, traceparent)
            .await?;
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| ForwardError::Unreachable(e.to_string()))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(ForwardError::Malformed("answer larger than 1 MiB".into()));
        }
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| ForwardError::Malformed(e.to_string()))?;
        match value {
            Value::Object(mut top) => match top.remove("data") {
                Some(Value::Object(data)) => Ok(data),
                _ => Err(ForwardError::Malformed("no `data` object".into())),
            },
            _ => Err(ForwardError::Malformed(
                "answer is not a JSON object".into(),
            )),
        }
    }

    /// Hands filtered data to `recipient`.
    pub async fn deliver(
        &self,
        recipient: &str,
        body: &Value,
        traceparent: Option<&str>,
    ) -> Result<(), ForwardError> {
        self.post(self.url(recipient, "/v1/deliveries")?, body, traceparent)
            .await
            .map(drop)
    }

    async fn post(
        &self,
        url: String,
        body: &Value,
        traceparent: Option<&str>,
    ) -> Result<reqwest::Response, ForwardError> {
        let mut request = self.client.post(url).json(body);
        if let Some(tp) = traceparent {
            request = request.header("traceparent", tp);
        }
        let answer = request
            .send()
            .await
            .map_err(|e| ForwardError::Unreachable(without_url(e)))?;
        if !answer.status().is_success() {
            return Err(ForwardError::Status(answer.status().as_u16()));
        }
        Ok(answer)
    }
}

/// reqwest errors include the URL; ours carry no personal data, but keep messages short anyway.
fn without_url(e: reqwest::Error) -> String {
    e.without_url().to_string()
}
