#!/usr/bin/env bash
# Baseline throughput and latency of POST /v1/exchange: 32 concurrent clients over mTLS on loopback,
# release build, once on SQLite and once on a fresh PostgreSQL database. Every exchange runs the whole
# pipeline: token check, consent lookup, decision, forward to a sample system, filter, durable ledger
# write (group commit). Prints one line per database and the PostgreSQL/SQLite throughput ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/test}"
export DATABASE_URL
CLIENTS=${CLIENTS:-32}
REQUESTS=${REQUESTS:-8000}
cargo build --release -q -p tests --bin loadgen
out=$(for db in sqlite postgres; do
  ./target/release/loadgen --db "$db" --clients "$CLIENTS" --requests "$REQUESTS"
done)
echo "$out"
echo "$out" | awk '{for(i=1;i<=NF;i++) if($i ~ /^exchanges_per_s=/){split($i,a,"="); r[NR]=a[2]}} END {if (r[1]>0) printf "ratio postgres/sqlite exchanges_per_s=%.2f\n", r[2]/r[1]}'
