//! Sample partner systems for the demo and the tests. Each serves with its partner's certificate and
//! answers over mTLS only the gateway (a client certificate of the dev CA carrying the gateway's OIN;
//! any other fails the handshake, see `tls::strict_server_config`) with deterministic synthetic
//! records for any valid BSN: every field of each category's schema plus an internal note, more than
//! any one activity may receive, so the gateway's filtering is visible. Deliveries are kept in memory
//! for inspection.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use policies::{Bsn, Category, FieldType, Partner, Register};
use ring::digest::{SHA256, digest};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How a sample system behaves; tests use the faulty ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Normal,
    /// Answers records whose fields have the wrong types.
    Malformed,
    /// Answers 500 to everything.
    Failing,
    /// Answers correctly after half a second (for shutdown-drain tests).
    Slow,
    /// Answers an empty record for every category asked (a system that holds nothing yet).
    Empty,
    /// Accepts a records request and never answers it.
    Hanging,
    /// Answers a records request one byte every quarter of a second.
    Trickling,
}

#[derive(Debug, Clone)]
struct SampleState {
    partner: Partner,
    register: Arc<Register>,
    behaviour: Behaviour,
    deliveries: Arc<Mutex<Vec<Value>>>,
    records_served: Arc<AtomicUsize>,
    inbox: Inbox,
}

/// The change notifications a sample system received, and whether it answers them with an error
/// (to show retries).
#[derive(Debug, Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<ReceivedNotification>>>,
    attempts: Arc<AtomicUsize>,
    refusing: Arc<AtomicBool>,
}

/// A notification as it arrived: its Standard Webhooks headers and the body exactly as sent.
#[derive(Debug, Clone)]
pub struct ReceivedNotification {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// A running sample system; stops when dropped.
#[derive(Debug)]
pub struct SampleSystem {
    pub partner_id: String,
    pub url: String,
    deliveries: Arc<Mutex<Vec<Value>>>,
    records_served: Arc<AtomicUsize>,
    inbox: Inbox,
    _stop: oneshot::Sender<()>,
}

impl SampleSystem {
    pub async fn start(
        partner: Partner,
        register: Arc<Register>,
        tls: Arc<rustls::ServerConfig>,
        behaviour: Behaviour,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let limits = crate::config::ConnectionLimits::default();
        Self::start_on(listener, partner, register, tls, behaviour, limits).await
    }

    /// As [`SampleSystem::start`], on a given listener with given connection limits (the benchmark
    /// puts several proxies, all on 127.0.0.1, in front of one sample system).
    pub async fn start_on(
        listener: TcpListener,
        partner: Partner,
        register: Arc<Register>,
        tls: Arc<rustls::ServerConfig>,
        behaviour: Behaviour,
        limits: crate::config::ConnectionLimits,
    ) -> anyhow::Result<Self> {
        let url = format!("https://127.0.0.1:{}", listener.local_addr()?.port());
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let records_served = Arc::new(AtomicUsize::new(0));
        let inbox = Inbox::default();
        inbox
            .refusing
            .store(behaviour == Behaviour::Failing, Ordering::SeqCst);
        let state = SampleState {
            inbox: inbox.clone(),
            partner: partner.clone(),
            register,
            behaviour,
            deliveries: deliveries.clone(),
            records_served: records_served.clone(),
        };
        let router = Router::new()
            .route("/v1/records", post(records))
            .route("/v1/deliveries", post(receive))
            .route("/v1/notifications", post(notified))
            .with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let tls = Arc::new(arc_swap::ArcSwap::new(tls));
        tokio::spawn(crate::server::serve(listener, tls, router, limits, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            partner_id: partner.id,
            url,
            deliveries,
            records_served,
            inbox,
            _stop: stop,
        })
    }

    /// How many record requests (`/v1/records`) this system has answered.
    pub fn records_served(&self) -> usize {
        self.records_served.load(Ordering::SeqCst)
    }

    /// What this system has received through `/v1/deliveries`.
    /// The change notifications accepted so far, oldest first.
    pub fn notifications(&self) -> Vec<ReceivedNotification> {
        self.inbox
            .received
            .lock()
            .map(|n| n.clone())
            .unwrap_or_default()
    }

    /// How many notification requests arrived, accepted or not.
    pub fn notification_attempts(&self) -> usize {
        self.inbox.attempts.load(Ordering::SeqCst)
    }

    /// Answers notifications with `503` (true) or accepts them (false).
    pub fn refuse_notifications(&self, refusing: bool) {
        self.inbox.refusing.store(refusing, Ordering::SeqCst);
    }

    pub fn deliveries(&self) -> Vec<Value> {
        self.deliveries
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
struct RecordsRequest {
    subject_bsn: String,
    categories: Vec<String>,
}

async fn records(
    State(s): State<SampleState>,
    Json(req): Json<RecordsRequest>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    s.records_served.fetch_add(1, Ordering::SeqCst);
    match s.behaviour {
        Behaviour::Hanging => std::future::pending::<()>().await,
        Behaviour::Trickling => return trickle(br#"{"data": {}}"#),
        _ => {}
    }
    if s.behaviour == Behaviour::Slow {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    if s.behaviour == Behaviour::Failing {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "unavailable"})),
        )
            .into_response();
    }
    if Bsn::parse(&req.subject_bsn).is_err() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid bsn"})),
        )
            .into_response();
    }
    let mut data = Map::new();
    for name in &req.categories {
        if let Some(category) = s.register.category(name) {
            let seed = format!("{}/{}/{}", s.partner.id, req.subject_bsn, name);
            let record = match s.behaviour {
                Behaviour::Empty => json!({}),
                b => synthetic(category, &seed, b == Behaviour::Malformed),
            };
            data.insert(name.clone(), record);
        }
    }
    // When each record was last brought up to date at the source: the sample systems say 40 days
    // ago for all of them, so a category with a shorter maximum age shows as stale (vuistregel 3).
    let as_of = (chrono::Utc::now() - chrono::Duration::days(SAMPLE_RECORD_AGE_DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let as_of: Map<String, Value> = data.keys().map(|k| (k.clone(), json!(as_of))).collect();
    (
        StatusCode::OK,
        Json(json!({ "data": data, "as_of": as_of })),
    )
        .into_response()
}

/// A `200` whose body is `text`, sent one byte every quarter of a second.
fn trickle(text: &'static [u8]) -> axum::response::Response {
    let bytes = futures::stream::unfold(0, move |at| async move {
        if at == text.len() {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let byte = axum::body::Bytes::from_static(&text[at..=at]);
        Some((Ok::<_, std::convert::Infallible>(byte), at + 1))
    });
    axum::response::Response::builder()
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(bytes))
        .unwrap_or_default()
}

/// How old the sample systems say their records are.
pub const SAMPLE_RECORD_AGE_DAYS: i64 = 40;

async fn receive(State(s): State<SampleState>, Json(body): Json<Value>) -> StatusCode {
    if s.behaviour == Behaviour::Failing {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if let Ok(mut d) = s.deliveries.lock() {
        d.push(body);
    }
    StatusCode::ACCEPTED
}

async fn notified(
    State(s): State<SampleState>,
    headers: axum::http::HeaderMap,
    body: String,
) -> StatusCode {
    s.inbox.attempts.fetch_add(1, Ordering::SeqCst);
    if s.inbox.refusing.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if let Ok(mut inbox) = s.inbox.received.lock() {
        inbox.push(ReceivedNotification {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body,
        });
    }
    StatusCode::NO_CONTENT
}

const NAMES: [&str; 8] = [
    "Fatima El Amrani",
    "Jan de Vries",
    "Priya Ramdin",
    "Kees Bakker",
    "Ayşe Yılmaz",
    "Sanne Jansen",
    "Kwame Mensah",
    "Lotte van Dijk",
];

/// Every schema field of `category`, derived from `seed`, plus one field outside the schema.
fn synthetic(category: &Category, seed: &str, malformed: bool) -> Value {
    let mut record = Map::new();
    for (field, t) in &category.fields {
        let h = digest(&SHA256, format!("{seed}/{field}").as_bytes());
        let n = u64::from_be_bytes(h.as_ref()[..8].try_into().unwrap_or([0; 8]));
        let value = match (malformed, t) {
            (true, _) => json!(n % 1000),
            (false, FieldType::String) if field == "naam" || field.ends_with("_naam") => {
                json!(NAMES[(n % 8) as usize])
            }
            (false, FieldType::String) => json!(format!("{field} {}", n % 10_000)),
            (false, FieldType::Integer) => json!(n % 25_000),
            (false, FieldType::Boolean) => json!(n % 2 == 0),
            (false, FieldType::StringList) => json!([
                format!("{field} {}", n % 100),
                format!("{field} {}", n % 77)
            ]),
            (false, FieldType::Date) => json!(format!(
                "{}-{:02}-{:02}",
                1950 + n % 70,
                1 + n % 12,
                1 + n % 28
            )),
        };
        record.insert(field.clone(), value);
    }
    record.insert(
        "interne_notitie".into(),
        json!("alleen voor intern gebruik"),
    );
    Value::Object(record)
}
