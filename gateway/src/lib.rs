//! The gateway: the mTLS edge, tokens, the HTTP routes for partners, Amsterdammers and the public,
//! forwarding to partner systems, and the CLI. Decisions live in `policies`, records in `consent`.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod contract;
pub mod demo;
pub mod devidp;
pub mod error;
pub mod fhir;
pub mod forward;
pub mod fuzzing;
mod json;
pub mod logboek;
pub mod logcheck;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod pki;
pub mod portal;
pub mod ratelimit;
pub mod reload;
pub mod retention;
pub mod routes;
pub mod sample;
pub mod server;
pub mod service;
pub mod state;
pub mod telemetry;
pub mod tls;

pub use app::Application;
