#!/usr/bin/env python3
"""A soak: the gateway on SQLite (setup G of bench.py: release build, one sample source system,
mTLS on every hop) carries half of its measured capacity for SOAK_MINUTES (default 10); its resident
memory, open file descriptors and ledger size are sampled every minute.

The log's tree is held in memory, two 32-byte hashes per ledger entry, until it moves to tiles: that
part grows with the ledger by design. After the first minute (warm-up) the rest of resident memory
(resident minus 64 bytes per entry) must stay within 10% of its first sample, and the descriptors
must not grow (the second half's most at most 10% above the first half's); every 200 must have its
ledger entry. Run by `bench/soak` (which builds and installs oha).
"""

import os
import subprocess
import sys
import threading
import time

os.environ.setdefault("SETUPS", "G")
os.environ["SETUPS"] = "G"
import bench as b  # noqa: E402  (bench.py reads SETUPS when imported)

MINUTES = int(os.environ.get("SOAK_MINUTES", "10"))
TOLERANCE = 0.10
# The log's in-memory tree: a leaf hash and about one interior hash per entry.
TREE_BYTES_PER_ENTRY = 64


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def main():
    bench = b.Bench()
    try:
        bench.start()
        setup = bench.setups["G"]
        pid = setup["groups"][0].pids[0]
        bench.oha("G", 2)
        capacity = bench.oha("G", 5)["rps"]
        rate = max(int(capacity / 2), 1)
        b.log(f"capacity {capacity:,.0f}/s; soaking at {rate}/s for {MINUTES} min")
        result = {}
        load = threading.Thread(target=lambda: result.update(
            bench.oha("G", MINUTES * 60, rate=rate, kind="soak")))
        load.start()
        samples = []
        started = time.time()
        for minute in range(MINUTES + 1):
            time.sleep(max(0.0, started + minute * 60 - time.time()))
            entries = bench.ledger_count("G") or 0
            samples.append((minute, rss_kib(pid), open_fds(pid), entries))
            b.log(f"minute {minute}: resident {samples[-1][1] / 1024:.1f} MiB, {samples[-1][2]} fds, "
                  f"{entries:,} ledger entries")
        load.join()
        def beside_tree(sample):
            return sample[1] - TREE_BYTES_PER_ENTRY * sample[3] / 1024

        print("\n| minute | ledger entries | resident memory (MiB) | of it beside the tree (MiB) "
              "| open file descriptors |")
        print("|---|---|---|---|---|")
        for sample in samples:
            minute, rss, fds, entries = sample
            print(f"| {minute} | {entries:,} | {rss / 1024:.1f} | {beside_tree(sample) / 1024:.1f} | {fds} |")
        answered = result.get("ok", 0)
        print(f"\n{answered:,} exchanges answered 200 at {rate}/s; statuses {result.get('statuses')}; "
              f"ledger +{result.get('ledger')}; p50 {result.get('p50', 0) * 1e3:.2f} ms, "
              f"p99 {result.get('p99', 0) * 1e3:.2f} ms")
        after = samples[1:]
        base = beside_tree(after[0])
        rss_ok = all(abs(beside_tree(s) - base) <= TOLERANCE * base for s in after)
        half = len(after) // 2
        fds_ok = max(s[2] for s in after[half:]) <= (1 + TOLERANCE) * max(s[2] for s in after[:half]) + 2
        ledger_ok = result.get("ledger") is not None and result["ledger"] >= answered
        print(f"memory flat: {rss_ok}; descriptors flat: {fds_ok}; every 200 in the ledger: {ledger_ok}")
        if not (rss_ok and fds_ok and ledger_ok):
            sys.exit(1)
    finally:
        bench.stop_all()


if __name__ == "__main__":
    main()
