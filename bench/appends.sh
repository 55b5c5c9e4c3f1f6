#!/usr/bin/env bash
# Durable ledger appends per second (issue 7): 64 concurrent writers on SQLite and on a fresh
# PostgreSQL database, with group commit and with one commit per append, in one run. Every append is a
# decision plus a disclosure, committed durably and covered by a signed checkpoint before its writer is
# answered. Prints a table. Targets on the 2-core machine: 20,000/s SQLite, 10,000/s PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/test}"
export DATABASE_URL
cargo build --release -q -p tests --bin appendbench
./target/release/appendbench --writers "${WRITERS:-64}" --seconds "${SECONDS_PER_RUN:-5}"
