//! The `gateway` binary itself, run as a process: the CLI, `serve` with its logs, and a `kill -9`
//! under load. One test binary; `common` holds what they share.

mod cli;
mod common;
mod config_check;
mod crash;
mod serve;
