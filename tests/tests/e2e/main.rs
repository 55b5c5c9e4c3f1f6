//! The end-to-end tests: the real gateway and sample partner systems over mTLS, each test on SQLite
//! and on a fresh PostgreSQL database (`tests::both_databases!`), in one test binary (one link, one
//! process). `edge_log.rs` is a binary of its own: it installs the process-wide log subscriber.

mod audit;
mod bad_input;
mod balancer;
mod browser;
mod burst;
mod connections;
mod consent_log;
mod consent_registry;
mod consent_trust;
mod console;
mod deferrals;
mod deliveries;
mod edge;
mod erasure;
mod exchange;
mod expiry;
mod faults;
mod hostile;
mod informed;
mod log;
mod metrics;
mod mijn;
mod notifications;
mod oidc;
mod overload;
mod oversized;
mod paging;
mod partner_systems;
mod public;
mod rate_limit;
mod receipts;
mod recovery;
mod refusals;
mod reload;
mod replicas;
mod representation_trust;
mod representatives;
mod sessions;
mod shared_limits;
mod shutdown;
mod storage_hygiene;
mod upstream;
mod versions;
mod xss;
