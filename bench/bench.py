#!/usr/bin/env python3
"""The side-by-side benchmark behind `bench/run` (issue 11). Standard library only.

Starts, all on 127.0.0.1, each as its own process: one sample partner system (mTLS), nginx as a plain
mTLS reverse proxy (B), nginx with auth_request to a token-checking endpoint (C), the gateway on
SQLite (G), on PostgreSQL (G-pg), and two gateway replicas behind nginx (TCP, TLS passed through)
on one PostgreSQL database (G-pg×2). Drives each with oha over TLS 1.3 with client certificates:
saturation runs, then open-loop fixed-rate runs at half of B's capacity, setups interleaved, REPS
repetitions. Reads each process's CPU time from /proc. Writes BENCHMARKS.md and bench/plots/*.svg.

Environment: REPS (5), DURATION seconds per run (6), CONNECTIONS (32), SETUPS (A,B,C,G,G-pg,G-pg2;
also G-base: the gateway binary at BASELINE, e.g. a build of an earlier commit, on SQLite),
WORKERS (1: tokio worker threads of each Rust server; 0 = one per core), DATABASE_URL (PostgreSQL
admin URL, postgres://postgres@127.0.0.1:5432/test), PROFILE=1 (perf record the gateway during one
extra G saturation run; PROFILE=graph with call chains), KEEP=1 (keep the temp dir), OUT (BENCHMARKS.md), PLOTS (bench/plots).
"""

import json
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
GATEWAY = os.path.join(TARGET, "release", "gateway")
BENCHKIT = os.path.join(TARGET, "release", "benchkit")
REGISTER = os.path.join(ROOT, "deploy", "demo", "register.toml")

REPS = int(os.environ.get("REPS", "5"))
DURATION = int(os.environ.get("DURATION", "6"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
SETUPS = os.environ.get("SETUPS", "A,B,C,G,G-pg,G-pg2").split(",")
WORKERS = os.environ.get("WORKERS", "1")
ADMIN_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
# Another build of the gateway (e.g. of an earlier commit) to measure beside this one as setup G-base.
BASELINE = os.environ.get("BASELINE")
OUT = os.environ.get("OUT", os.path.join(ROOT, "BENCHMARKS.md"))
PLOTS = os.environ.get("PLOTS", os.path.join(ROOT, "bench", "plots"))

BSN = "111222333"  # a synthetic test number (passes the 11-proef)
SOURCE = "bt-centrum-west"
RECIPIENT = "okt-amsterdam"
ACTIVITY = "gezinsondersteuning-ouders"
CATEGORIES = ["contact", "regie"]
NAMES = {
    "A": "A: client → sample system",
    "B": "B: client → nginx → sample",
    "C": "C: nginx + auth_request (JWT) → sample",
    "G": "G: gateway, SQLite",
    "G-pg": "G-pg: gateway, PostgreSQL",
    "G-pg2": "G-pg×2: nginx (TCP) → 2 gateways, PostgreSQL",
    "G-base": "G-base: BASELINE gateway build, SQLite",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    """utime + stime of one process (all its threads), in clock ticks; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    out.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                pass
    return out


def postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() in ("postgres", "postmaster"):
                        pids.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return pids


class Group:
    """Processes whose CPU time is counted together under one name (nginx master and worker; every
    PostgreSQL process, whose backends come and go)."""

    def __init__(self, name, pids):
        self.name, self.pids = name, pids

    def ticks(self):
        """pid -> utime + stime, for every process of the group alive now."""
        pids = postgres_pids() if self.pids == "postgres" else self.pids
        return {p: cpu_ticks(p) for p in pids}


def cpu_delta(before, after):
    """Ticks spent between two `Group.ticks()`: a process that started in between counts from 0, one
    that ended in between is lost (its last moments)."""
    return sum(t - before.get(p, 0) for p, t in after.items())


class Bench:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="gateway-bench-")
        self.pki = os.path.join(self.dir, "pki")
        self.procs = []
        self.databases = []
        self.setups = {}

    # ---------------------------------------------------------------- processes

    def spawn(self, name, argv, env=None):
        logf = open(os.path.join(self.dir, f"{name}.log"), "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        if WORKERS != "0":
            full_env["TOKIO_WORKER_THREADS"] = WORKERS
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, env=full_env, cwd=self.dir)
        self.procs.append((name, p))
        return p

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if not name.startswith("nginx") else signal.SIGQUIT)
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=35)
            except subprocess.TimeoutExpired:
                p.kill()
        for name in self.databases:
            subprocess.run([BENCHKIT, "db", "drop", ADMIN_URL, name], check=False)
        if os.environ.get("KEEP") == "1":
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def tls(self, cert, key):
        ctx = ssl.create_default_context(cafile=os.path.join(self.pki, "ca.crt"))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(cert, key)
        return ctx

    def request(self, port, method, path, body=None, headers=None, ctx=None, timeout=5):
        c = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def wait_ready(self, name, proc, probe, deadline=60):
        end = time.time() + deadline
        while time.time() < end:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited ({proc.returncode}); see {self.dir}/{name}.log")
            try:
                if probe():
                    return
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} not ready in {deadline}s; see {self.dir}/{name}.log")

    def token(self, partner, sub, role, minutes=30):
        return subprocess.run(
            [GATEWAY, "dev", "token", "--pki", self.pki, "--partner", partner, "--sub", sub,
             "--role", role, "--ttl-minutes", str(minutes)],
            check=True, capture_output=True, text=True).stdout.strip()

    def cert(self, who):
        if who == "gateway":
            return os.path.join(self.pki, "gateway.crt"), os.path.join(self.pki, "gateway.key")
        return (os.path.join(self.pki, "partners", f"{who}.crt"),
                os.path.join(self.pki, "partners", f"{who}.key"))

    # ---------------------------------------------------------------- set-up

    def start(self):
        log(f"working in {self.dir}")
        subprocess.run([GATEWAY, "dev", "pki", "--out", self.pki], check=True, capture_output=True)
        records = json.dumps({"subject_bsn": BSN, "activity": ACTIVITY, "categories": CATEGORIES})
        exchange = json.dumps({"subject_bsn": BSN, "source": SOURCE, "activity": ACTIVITY,
                               "categories": CATEGORIES})
        for name, body in (("records.json", records), ("exchange.json", exchange)):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(body)

        sample_port = free_port()
        sample = self.spawn("sample", [BENCHKIT, "sample", "--pki", self.pki, "--partner", SOURCE,
                                       "--listen", f"127.0.0.1:{sample_port}"])
        gw_ctx = self.tls(*self.cert("gateway"))
        self.wait_ready("sample", sample, lambda: self.request(
            sample_port, "POST", "/v1/records", records, {"Content-Type": "application/json"},
            gw_ctx)[0] == 200)
        sample_group = Group("sample", [sample.pid])
        self.sample_port = sample_port

        if "A" in SETUPS:
            self.setups["A"] = dict(port=sample_port, path="/v1/records", body="records.json",
                                    client="gateway", token=False, groups=[sample_group])
        if "B" in SETUPS or "C" in SETUPS:
            authz = None
            if "C" in SETUPS:
                authz_port = free_port()
                authz = self.spawn("authz", [BENCHKIT, "authz", "--pki", self.pki, "--listen",
                                             f"127.0.0.1:{authz_port}"])
                self.wait_ready("authz", authz, lambda: socket.create_connection(
                    ("127.0.0.1", authz_port), timeout=1).close() is None)
            for setup in ("B", "C"):
                if setup not in SETUPS:
                    continue
                port = free_port()
                nginx = self.start_nginx(f"nginx-{setup}", self.http_proxy_conf(
                    port, sample_port, authz_port if setup == "C" else None))
                groups = [Group("nginx", [nginx.pid] + children(nginx.pid))]
                if setup == "C":
                    groups.append(Group("authz", [authz.pid]))
                groups.append(sample_group)
                self.setups[setup] = dict(port=port, path="/v1/records", body="records.json",
                                          client=RECIPIENT, token=setup == "C", groups=groups)
        if "G" in SETUPS:
            db = "sqlite:" + os.path.join(self.dir, "g.db")
            gw = self.start_gateway("gateway-G", db)
            self.setups["G"] = dict(port=gw["port"], path="/v1/exchange", body="exchange.json",
                                    client=RECIPIENT, token=True, db=db,
                                    groups=[Group("gateway", [gw["proc"].pid]), sample_group])
        if "G-base" in SETUPS:
            if not BASELINE:
                raise SystemExit("setup G-base needs BASELINE=path/to/another/gateway/binary")
            db = "sqlite:" + os.path.join(self.dir, "g-base.db")
            gw = self.start_gateway("gateway-G-base", db, binary=BASELINE)
            self.setups["G-base"] = dict(port=gw["port"], path="/v1/exchange", body="exchange.json",
                                         client=RECIPIENT, token=True, db=db,
                                         groups=[Group("gateway", [gw["proc"].pid]), sample_group])
        if "G-pg" in SETUPS:
            db = self.create_database("g")
            gw = self.start_gateway("gateway-G-pg", db)
            self.setups["G-pg"] = dict(port=gw["port"], path="/v1/exchange", body="exchange.json",
                                       client=RECIPIENT, token=True, db=db,
                                       groups=[Group("gateway", [gw["proc"].pid]), sample_group,
                                               Group("postgres", "postgres")])
        if "G-pg2" in SETUPS:
            db = self.create_database("g2")
            one = self.start_gateway("gateway-G-pg2-1", db)
            two = self.start_gateway("gateway-G-pg2-2", db, consent=False)
            port = free_port()
            nginx = self.start_nginx("nginx-G-pg2", self.stream_conf(port, [one["port"], two["port"]]))
            self.setups["G-pg2"] = dict(
                port=port, path="/v1/exchange", body="exchange.json", client=RECIPIENT, token=True,
                db=db, groups=[Group("gateway×2", [one["proc"].pid, two["proc"].pid]),
                               Group("nginx", [nginx.pid] + children(nginx.pid)), sample_group,
                               Group("postgres", "postgres")])

    def create_database(self, suffix):
        name = f"bench_{uuid.uuid4().hex[:12]}_{suffix}"
        made = subprocess.run([BENCHKIT, "db", "create", ADMIN_URL, name], capture_output=True,
                              text=True)
        if made.returncode != 0:
            raise SystemExit(f"cannot create a PostgreSQL database at DATABASE_URL ({made.stderr.strip()}); "
                             "start PostgreSQL or leave G-pg and G-pg2 out of SETUPS")
        url = made.stdout.strip()
        self.databases.append(name)
        return url

    def start_gateway(self, name, db, consent=True, binary=GATEWAY):
        port = free_port()
        config = os.path.join(self.dir, f"{name}.toml")
        pki = self.pki
        partners = sorted(f[:-len(".token.pub")] for f in os.listdir(os.path.join(pki, "partners"))
                          if f.endswith(".token.pub"))
        lines = [
            f'listen = "127.0.0.1:{port}"',
            f'database_url = "{db}"',
            f'register = "{REGISTER}"',
            f'pseudonym_key_file = "{pki}/pseudonym.key"',
            f'log_signing_key_file = "{pki}/log.key"',
            "[ledger]", f'key_file = "{pki}/ledger.key"',
            "# Raised for the benchmark: one professional sends every request.",
            "[rate_limit]", "per_second = 1000000", "burst = 1000000",
            "organisation_per_second = 1000000", "organisation_burst = 1000000",
            "# Every proxy and client of the benchmark connects from 127.0.0.1.",
            "[connections]", "max_per_peer = 0",
            "[tls]", f'server_cert = "{pki}/gateway.crt"', f'server_key = "{pki}/gateway.key"',
            f'client_ca = "{pki}/ca.crt"', f'upstream_ca = "{pki}/ca.crt"',
            f'client_cert = "{pki}/gateway.crt"', f'client_key = "{pki}/gateway.key"',
            "[citizen_idp]", 'issuer = "demo-digid"', f'key = "{pki}/citizen-idp.pub"',
            "[notifications]", f'signing_key_file = "{pki}/notifications.key"',
        ]
        for p in partners:
            lines.append(f'[partners.{p}]')
            lines.append(f'token_key = "{pki}/partners/{p}.token.pub"')
            if p == SOURCE:
                lines.append(f'endpoint = "https://localhost:{self.sample_port}"')
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        # DATABASE_URL overrides the file: set it to this gateway's database, not the admin URL.
        env = {"RUST_LOG": os.environ.get("GATEWAY_RUST_LOG", "info,sqlx=warn,hyper=warn"),
               "DATABASE_URL": db}
        proc = self.spawn(name, [binary, "serve", "--config", config], env=env)
        anon = ssl.create_default_context(cafile=os.path.join(self.pki, "ca.crt"))
        self.wait_ready(name, proc, lambda: self.request(port, "GET", "/readyz", ctx=anon)[0] == 200)
        if consent:
            self.record_consent(port)
        return dict(port=port, proc=proc)

    def record_consent(self, port):
        body = json.dumps({
            "subject_bsn": BSN, "recipients": [RECIPIENT], "activities": [ACTIVITY],
            "categories": CATEGORIES,
            "valid_until": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 300 * 86400)),
            "evidence": {"method": "signed_form", "document_sha256": "ab" * 32,
                         "recorded_by": "bench"},
        })
        token = self.token(SOURCE, "bench-regievoerder", "regievoerder")
        status, answer = self.request(
            port, "POST", "/v1/consents", body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            self.tls(*self.cert(SOURCE)))
        if status != 201:
            raise SystemExit(f"consent not recorded: {status} {answer[:200]!r}")

    def nginx_common(self, name):
        prefix = os.path.join(self.dir, name)
        os.makedirs(prefix, exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        return prefix, f"""
{user}
worker_processes 1;
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
"""

    def http_proxy_conf(self, port, sample_port, authz_port):
        pki = self.pki
        prefix, head = self.nginx_common("nginx-C" if authz_port else "nginx-B")
        auth = ""
        auth_location = ""
        auth_upstream = ""
        if authz_port:
            auth = "auth_request /_auth;"
            auth_upstream = f"upstream authz {{ server 127.0.0.1:{authz_port}; keepalive 32; }}"
            auth_location = """
        location = /_auth {
            internal;
            proxy_pass http://authz/auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Client-DN $ssl_client_s_dn;
        }"""
        return prefix, head + f"""
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    upstream sample {{
        server 127.0.0.1:{sample_port};
        keepalive 64;
        keepalive_requests 10000000;
        keepalive_timeout 20s;
    }}
    {auth_upstream}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate {pki}/gateway.crt;
        ssl_certificate_key {pki}/gateway.key;
        ssl_client_certificate {pki}/ca.crt;
        ssl_verify_client on;
        location / {{
            {auth}
            proxy_pass https://sample;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_ssl_protocols TLSv1.3;
            proxy_ssl_certificate {pki}/gateway.crt;
            proxy_ssl_certificate_key {pki}/gateway.key;
            proxy_ssl_trusted_certificate {pki}/ca.crt;
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_session_reuse on;
        }}{auth_location}
    }}
}}
"""

    def stream_conf(self, port, backends):
        prefix, head = self.nginx_common("nginx-G-pg2")
        module = "/usr/lib/nginx/modules/ngx_stream_module.so"
        load = f"load_module {module};" if os.path.exists(module) else ""
        servers = "\n".join(f"        server 127.0.0.1:{p};" for p in backends)
        return prefix, f"{load}\n" + head + f"""
stream {{
    upstream gateways {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_pass gateways;
    }}
}}
"""

    def start_nginx(self, name, prefix_conf):
        prefix, conf = prefix_conf
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        proc = self.spawn(name, ["nginx", "-p", prefix, "-c", path, "-e", f"{prefix}/error.log"])
        end = time.time() + 10
        while time.time() < end and not children(proc.pid):
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited; see {self.dir}/{name}.log and {prefix}/error.log")
            time.sleep(0.1)
        time.sleep(0.3)
        return proc

    # ---------------------------------------------------------------- load

    def ledger_count(self, setup):
        db = self.setups[setup].get("db")
        if not db:
            return None
        return int(subprocess.run([BENCHKIT, "db", "count", db], check=True,
                                  capture_output=True, text=True).stdout)

    def oha(self, setup, seconds, rate=None, kind="saturation"):
        s = self.setups[setup]
        cert, key = self.cert(s["client"])
        argv = ["oha", "--no-tui", "--output-format", "json", "-z", f"{seconds}s",
                "-c", str(CONNECTIONS), "-t", "10s", "-m", "POST",
                "-T", "application/json", "-D", os.path.join(self.dir, s["body"]),
                "--cacert", os.path.join(self.pki, "ca.crt"), "--cert", cert, "--key", key]
        if s["token"]:
            argv += ["-H", f"Authorization: Bearer {self.token(RECIPIENT, 'bench', 'okt-medewerker')}"]
        if rate:
            argv += ["-q", str(rate), "--latency-correction"]
        argv.append(f"https://localhost:{s['port']}{s['path']}")
        before_ledger = self.ledger_count(setup)
        before = {g.name: g.ticks() for g in s["groups"]}
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        elapsed = time.time() - started
        after = {g.name: g.ticks() for g in s["groups"]}
        usage2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            raise SystemExit(f"oha failed on {setup}: {out.stderr[-2000:]}")
        result = json.loads(out.stdout)
        statuses = {int(k): v for k, v in result.get("statusCodeDistribution", {}).items()}
        ok = statuses.get(200, 0)
        total = sum(statuses.values())
        time.sleep(0.5)  # requests the client abandoned at the deadline may still be logged
        after_ledger = self.ledger_count(setup)
        cpu = {}
        for name in before:
            us = cpu_delta(before[name], after[name]) * 1e6 / CLK_TCK
            cpu[name] = us / total if total else None
        oha_us = ((usage2.ru_utime + usage2.ru_stime) - (usage.ru_utime + usage.ru_stime)) * 1e6
        cpu["oha"] = oha_us / total if total else None
        pct = result.get("latencyPercentiles", {})
        errors = result.get("errorDistribution", {})
        run = dict(
            setup=setup, kind=kind, rate=rate, aborted=sum(
                n for e, n in errors.items() if "deadline" in e), seconds=seconds, ok=ok, total=total, statuses=statuses,
            rps=ok / seconds, elapsed=elapsed, cpu=cpu,
            errors=errors,
            p50=pct.get("p50"), p90=pct.get("p90"), p99=pct.get("p99"),
            ledger=(after_ledger - before_ledger) if before_ledger is not None else None,
        )
        return run

    def warm_up(self):
        for setup in self.setups:
            self.oha(setup, 1)

    def profile_gateway(self, seconds):
        """`perf record` of the gateway (G) during one more saturation run: its threads, where the
        samples go by component, and the symbols above 1%, in bench/profile-g.txt."""
        if "G" not in self.setups or not shutil.which("perf"):
            return None
        pid = self.setups["G"]["groups"][0].pids[0]
        data = os.path.join(self.dir, "perf.data")
        graph = ["--call-graph", "dwarf,32768"] if os.environ.get("PROFILE") == "graph" else []
        perf = subprocess.Popen(["perf", "record", "-F", "999", *graph, "-o", data, "-p", str(pid),
                                 "--", "sleep", str(seconds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = self.oha("G", seconds)
        perf.wait(timeout=seconds + 60)

        def report(*args):
            return subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                                   "-g", "none", *args], capture_output=True, text=True).stdout

        def rows(text):
            return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]

        out = [f"perf record -F 999 of the gateway during a saturation run of G: {run['rps']:,.0f} "
               f"exchanges/s, gateway {run['cpu'].get('gateway', 0):,.0f} µs CPU per exchange", "",
               "By thread:"] + rows(report("--sort", "comm")) + ["", "By component (symbol patterns):"]
        buckets, others = {}, []
        for line in rows(report("--sort", "sym")):
            parts = line.split(None, 2)
            if len(parts) < 3 or not parts[0].endswith("%"):
                continue
            pct, kind, sym = float(parts[0][:-1]), parts[1], parts[2]
            name = "kernel (syscalls, wake-ups, context switches)" if kind == "[k]" else next(
                (n for n, pattern in PROFILE_BUCKETS if re.search(pattern, sym)), "other")
            buckets[name] = buckets.get(name, 0) + pct
            if name == "other" and len(others) < 25:
                others.append(f"{pct:6.2f}%  {sym}")
        out += [f"{v:6.2f}%  {n}" for n, v in sorted(buckets.items(), key=lambda x: -x[1])]
        out += ["", "Largest symbols under \"other\":"] + others
        out += ["", "Symbols above 1%:"] + rows(report("--sort", "comm,sym", "--percent-limit", "1"))
        path = os.path.join(ROOT, "bench", "profile-g.txt")
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        return path


PROFILE_BUCKETS = [
    ("ES256 token check (p256, ecdsa)", r"p256|primeorder|ecdsa|elliptic_curve|crypto_bigint|subtle"),
    ("SQLite", r"sqlite3"),
    ("sqlx, flume (hand-offs to the SQLite thread)", r"sqlx|flume"),
    ("TLS (rustls, ring)", r"rustls|ring_core|ring::|aes|gcm|x25519|fiat|chacha|sha256_block|sha512_block"),
    ("allocation, copying", r"malloc|free|memmove|memcpy|memset|realloc|_int_|unlink_chunk|consolidate|tcache"),
    ("JSON (serde)", r"serde|json"),
    ("tracing (logs, spans)", r"tracing"),
    ("HTTP (hyper, h2, reqwest)", r"hyper|http::|h2::|httparse|reqwest"),
    ("tokio", r"tokio"),
    ("policies", r"policies|cedar"),
]


# -------------------------------------------------------------------- summary


def med_range(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def fmt_num(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def summarise(runs, setups):
    summary = {}
    for setup in setups:
        mine = [r for r in runs if r["setup"] == setup]
        sat = [r for r in mine if r["kind"] == "saturation"]
        procs = sorted({p for r in sat for p in r["cpu"]}, key=lambda p: (p == "oha", p))
        x = dict(
            rps=med_range([r["rps"] for r in sat]),
            cpu={p: med_range([r["cpu"].get(p) for r in sat]) for p in procs},
            ledger=[(r["ledger"], r["ok"], r["aborted"]) for r in mine if r["ledger"] is not None],
            errors=sum(r["total"] - r["ok"] for r in mine),
            aborted=sum(r["aborted"] for r in mine),
        )
        for kind in ("half-B", "common"):
            fixed = [r for r in mine if r["kind"] == kind]
            x[kind] = dict(
                rps=med_range([r["rps"] for r in fixed]),
                p50=med_range([r["p50"] * 1e3 for r in fixed if r["p50"] is not None]),
                p99=med_range([r["p99"] * 1e3 for r in fixed if r["p99"] is not None]),
                cpu={p: med_range([r["cpu"].get(p) for r in fixed]) for p in procs},
            )
        summary[setup] = x
    return summary


def svg_bars(path, title, unit, groups, series, log_scale=False):
    """Grouped bars: groups = setup labels, series = [(name, colour, [(median, lo, hi) per group])]."""
    width, height, left, bottom, top = 760, 380, 70, 110, 40
    plot_w, plot_h = width - left - 20, height - top - bottom
    values = [v for _, _, data in series for m in data for v in m if v]
    vmax = max(values) if values else 1
    if log_scale:
        import math
        vmin = min(v for v in values if v > 0) if values else 0.1
        lo_exp, hi_exp = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
        hi_exp = max(hi_exp, lo_exp + 1)

        def y(v):
            v = max(v, 10 ** lo_exp)
            return top + plot_h * (1 - (math.log10(v) - lo_exp) / (hi_exp - lo_exp))
        ticks = [10 ** e for e in range(lo_exp, hi_exp + 1)]
    else:
        import math
        step = 10 ** math.floor(math.log10(vmax)) if vmax > 0 else 1
        while vmax / step > 8:
            step *= 2
        ticks = [i * step for i in range(int(vmax / step) + 2)]
        ymax = ticks[-1]

        def y(v):
            return top + plot_h * (1 - v / ymax)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    for t in ticks:
        ty = y(t)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#ddd"/>')
        label = f"{t:g}" if t < 10000 else f"{t / 1000:g}k"
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">{label}</text>')
    out.append(f'<text x="14" y="{top + plot_h / 2}" transform="rotate(-90 14 {top + plot_h / 2})" '
               f'text-anchor="middle">{unit}</text>')
    n = len(groups)
    group_w = plot_w / max(n, 1)
    bar_w = group_w * 0.7 / max(len(series), 1)
    for gi, label in enumerate(groups):
        gx = left + gi * group_w + group_w * 0.15
        for si, (_, colour, data) in enumerate(series):
            med, lo, hi = data[gi]
            if med is None:
                continue
            x = gx + si * bar_w
            out.append(f'<rect x="{x:.1f}" y="{y(med):.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{top + plot_h - y(med):.1f}" fill="{colour}"/>')
            cx = x + (bar_w - 2) / 2
            if lo is not None and hi is not None and hi > lo:
                out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(lo):.1f}" y2="{y(hi):.1f}" '
                           f'stroke="black"/>')
            top_of = y(max(med, hi if hi is not None else med)) - 4
            text = f"{med:,.0f}" if med >= 10 else f"{med:.2f}"
            out.append(f'<text x="{cx:.1f}" y="{top_of:.1f}" text-anchor="middle" '
                       f'font-size="9">{text}</text>')
        lx = left + gi * group_w + group_w / 2
        for li, part in enumerate(label.split("\n")):
            out.append(f'<text x="{lx:.1f}" y="{top + plot_h + 16 + li * 13}" '
                       f'text-anchor="middle">{part}</text>')
    for si, (name, colour, _) in enumerate(series):
        lx = left + si * 150
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{lx + 16}" y="{height - 12}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def short(setup):
    return {"A": "A\ndirect", "B": "B\nnginx", "C": "C\nnginx+JWT", "G": "G\nSQLite",
            "G-pg": "G-pg\nPostgreSQL", "G-pg2": "G-pg×2\n2 replicas", "G-base": "G-base\nbaseline"}[setup]


def latency_cell(fixed, rate):
    p50, lo, hi = fixed["p50"]
    if p50 is None:
        return "–"
    cell = f"{fmt_num(p50, 2)} / {fmt_num(fixed['p99'][0], 2)} [{fmt_num(lo, 2)}–{fmt_num(hi, 2)}]"
    answered = fixed["rps"][0]
    if answered is not None and answered < rate * 0.95:
        cell += f" overloaded ({fmt_num(answered)}/s answered)"
    return cell


def write_plots(summary, setups, rates):
    os.makedirs(PLOTS, exist_ok=True)
    svg_bars(os.path.join(PLOTS, "throughput.svg"),
             f"Exchanges/s at saturation ({CONNECTIONS} connections, {DURATION} s; median, range)",
             "responses 200 / s", [short(s) for s in setups],
             [("exchanges/s", "#4477aa", [summary[s]["rps"] for s in setups])])
    svg_bars(os.path.join(PLOTS, "latency.svg"),
             f"Latency, open loop at {rates['common']:,}/s and at {rates['half-B']:,}/s (median, range)",
             "ms (log scale)", [short(s) for s in setups],
             [(f"p50 at {rates['common']:,}/s", "#66aa55", [summary[s]["common"]["p50"] for s in setups]),
              (f"p99 at {rates['common']:,}/s", "#cc6677", [summary[s]["common"]["p99"] for s in setups]),
              (f"p50 at {rates['half-B']:,}/s", "#99cc88", [summary[s]["half-B"]["p50"] for s in setups]),
              (f"p99 at {rates['half-B']:,}/s", "#e8a0b0", [summary[s]["half-B"]["p99"] for s in setups])],
             log_scale=True)


def write_report(summary, runs, setups, rates, meta):
    write_plots(summary, setups, rates)
    b = summary.get("B", {}).get("rps", (None,))[0]
    workers = "tokio's default threads" if WORKERS == "0" else f"{WORKERS} tokio worker thread(s)"
    lines = [
        "# Benchmarks", "",
        "Generated by `bench/run` (README, \"Benchmark\"); the tables are measured, not edited. "
        "Issue 11 asks how the gateway compares with putting nginx in front of the partner systems.", "",
        f"Measured {meta['date']} on {meta['cpus']} CPUs ({meta['cpu_model']}); load average before the "
        f"run {meta['load_before']}, after {meta['load_after']}. {REPS} repetition(s), setups interleaved. "
        f"Saturation: oha, {CONNECTIONS} connections, {DURATION} s. Fixed rate, open loop (`-q` with "
        f"`--latency-correction`), {DURATION} s: at {rates['half-B']:,}/s (half of B's median capacity, "
        f"the issue's target) and at {rates['common']:,}/s (half of the slowest setup's capacity, a load "
        f"every setup carries). TLS 1.3 with client certificates on every hop and keep-alive everywhere; "
        f"one sample partner system behind every setup; every server one process ({workers} for the Rust "
        f"servers, `worker_processes 1` for nginx); all on 127.0.0.1, oha on the same 2 cores.", "",
        "![throughput](bench/plots/throughput.svg)", "", "![latency](bench/plots/latency.svg)", "",
        f"| setup | exchanges/s median [range] | p50 / p99 ms at {rates['common']:,}/s [p50 range] | "
        f"p50 / p99 ms at {rates['half-B']:,}/s [p50 range] | CPU µs/request per process (saturation, "
        f"median) | G/B |",
        "|---|---|---|---|---|---|"]
    for s in setups:
        x = summary[s]
        med, lo, hi = x["rps"]
        rps = f"{fmt_num(med)} [{fmt_num(lo)}–{fmt_num(hi)}]"
        cpu = ", ".join(f"{p} {fmt_num(v[0])}" for p, v in x["cpu"].items())
        ratio = f"{med / b:.3f}" if (b and s.startswith("G") and med) else "–"
        lines.append(f"| {NAMES[s]} | {rps} | {latency_cell(x['common'], rates['common'])} | "
                     f"{latency_cell(x['half-B'], rates['half-B'])} | {cpu} | {ratio} |")
    lines += ["", "CPU µs/request: a process's utime+stime (`/proc/<pid>/stat`) over the run divided by the "
              "responses it took part in; `postgres` is every PostgreSQL process together, `oha` the load "
              f"generator itself. The same at {rates['common']:,}/s:", ""]
    for s in setups:
        cpu = ", ".join(f"{p} {fmt_num(v[0])}" for p, v in summary[s]["common"]["cpu"].items())
        lines.append(f"- {NAMES[s]}: {cpu}")
    lines += ["", "## Ledger entries per `200`", "",
              "Rows added to the ledger's `disclosures` table during each run, against the `200` answers oha "
              "received. More rows than `200`s is allowed only up to the requests oha abandoned at its "
              "deadline (the gateway finishes and records them; the client is gone).", ""]
    for s in setups:
        pairs = summary[s]["ledger"]
        if not pairs:
            continue
        ratios = [f"{l / o:.4f}" if o else "–" for l, o, _ in pairs]
        lines.append(f"- {NAMES[s]}: {', '.join(ratios)} (ledger {sum(l for l, _, _ in pairs):,}, "
                     f"200s {sum(o for _, o, _ in pairs):,}, abandoned at a deadline "
                     f"{sum(a for _, _, a in pairs):,})")
    errors = {s: summary[s]["errors"] for s in setups if summary[s]["errors"]}
    if errors:
        lines += ["", "Answers other than 200 (not counting requests abandoned at a deadline): " +
                  ", ".join(f"{s} {n:,}" for s, n in errors.items())]
    lines += ["", "## Targets (issue 11)", ""]
    gws = [s for s in ("G", "G-pg", "G-pg2") if s in setups]
    for s in gws:
        med = summary[s]["rps"][0]
        if b and med:
            lines.append(f"- G/B ≥ 0.5 ({s}): {med / b:.3f} — {'met' if med / b >= 0.5 else 'missed'}")
    for s in gws:
        c = next((v[0] for p, v in summary[s]["cpu"].items() if p.startswith("gateway")), None)
        lines.append(f"- gateway CPU ≤ 100 µs/exchange ({s}, saturation): {fmt_num(c)} µs — "
                     f"{'met' if c is not None and c <= 100 else 'missed'}")
    if "A" in setups:
        a = summary["A"]["half-B"]["p50"][0]
        for s in gws:
            p = summary[s]["half-B"]["p50"][0]
            if p is not None and a is not None:
                lines.append(
                    f"- added p50 ≤ 0.5 ms vs A at {rates['half-B']:,}/s ({s}): {p - a:+,.2f} ms (p99 "
                    f"{fmt_num(summary[s]['half-B']['p99'][0], 2)} ms, A's {fmt_num(summary['A']['half-B']['p99'][0], 2)})"
                    f" — {'met' if p - a <= 0.5 else 'missed'}")
        a = summary["A"]["common"]["p50"][0]
        for s in gws:
            p = summary[s]["common"]["p50"][0]
            if p is not None and a is not None:
                lines.append(f"  - for comparison at {rates['common']:,}/s ({s}): {p - a:+,.2f} ms (p99 "
                             f"{fmt_num(summary[s]['common']['p99'][0], 2)} ms, A's "
                             f"{fmt_num(summary['A']['common']['p99'][0], 2)})")
    for s in gws:
        pairs = summary[s]["ledger"]
        if pairs:
            short_of = sum(1 for l, o, _ in pairs if l < o)
            over = sum(1 for l, o, a in pairs if l > o + a)
            worst = min((l / o for l, o, _ in pairs if o), default=0)
            verdict = ("met: every 200 has its entry, extra entries only for abandoned requests"
                       if not short_of and not over else
                       f"MISSED: {short_of} run(s) with fewer entries than 200s, {over} with unexplained extra")
            lines.append(f"- ledger/200 = 1.0 ({s}): lowest {worst:.4f} — {verdict}")
    notes = os.path.join(ROOT, "bench", "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            lines += ["", f.read().rstrip()]
    lines += ["", "## Every run", "", "<details><summary>JSON lines, as measured</summary>", "", "```"]
    lines += [json.dumps(r, sort_keys=True) for r in runs]
    lines += ["```", "", "</details>", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rewrite_notes():
    """`bench/bench.py --notes`: put the current bench/notes.md into BENCHMARKS.md and redraw the
    plots from the runs recorded there, leaving every measured part as it is."""
    with open(OUT) as f:
        text = f.read()
    with open(os.path.join(ROOT, "bench", "notes.md")) as f:
        notes = f.read().rstrip()
    start = text.index("\n## ", text.index("## Targets (issue 11)") + 1)
    end = text.index("\n## Every run")
    with open(OUT, "w") as f:
        f.write(text[:start].rstrip("\n") + "\n\n" + notes + "\n" + text[end:])
    # And the plots again, from the runs recorded there.
    block = text[text.index("```", end) + 3:]
    runs = [json.loads(line) for line in block[:block.index("```")].splitlines() if line.strip()]
    setups = [s for s in NAMES if any(r["setup"] == s for r in runs)]
    rates = {r["kind"]: r["rate"] for r in runs if r["rate"]}
    write_plots(summarise(runs, setups), setups, rates)


def main():
    if sys.argv[1:] == ["--notes"]:
        rewrite_notes()
        return
    for tool in ("oha", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found (see README, Benchmark)")
    meta = dict(date=time.strftime("%Y-%m-%d %H:%M"), cpus=os.cpu_count(), load_before=loadavg())
    with open("/proc/cpuinfo") as f:
        meta["cpu_model"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    bench = Bench()
    runs = []
    try:
        bench.start()
        setups = [s for s in SETUPS if s in bench.setups]
        log(f"setups {', '.join(setups)}; warming up")
        bench.warm_up()
        total = REPS * len(setups) * 3
        n = 0

        def report(r):
            nonlocal n
            n += 1
            what = (f"{r['rps']:,.0f}/s" if r["kind"] == "saturation" else
                    f"{r['rps']:,.0f}/s answered, p50 {r['p50'] * 1e3:.2f} ms, p99 {r['p99'] * 1e3:.2f} ms")
            cpu = ", ".join(f"{k} {v:,.0f}" for k, v in r["cpu"].items() if v is not None)
            ledger = f", ledger +{r['ledger']} / 200s {r['ok']}" if r["ledger"] is not None else ""
            log(f"[{n}/{total}] {r['kind']} {r['setup']}: {what}; CPU µs/req {cpu}{ledger}")

        for rep in range(REPS):
            for setup in setups:
                r = bench.oha(setup, DURATION)
                runs.append(r)
                report(r)
        capacity = {s: statistics.median(r["rps"] for r in runs if r["setup"] == s) for s in setups}
        rates = {"half-B": max(int(capacity.get("B", max(capacity.values())) / 2), 1),
                 "common": max(int(min(capacity.values()) / 2), 1)}
        log(f"fixed rates: {rates['common']}/s (half the slowest) and {rates['half-B']}/s (half of B)")
        for rep in range(REPS):
            for kind in ("common", "half-B"):
                for setup in setups:
                    r = bench.oha(setup, DURATION, rate=rates[kind], kind=kind)
                    runs.append(r)
                    report(r)
        if os.environ.get("PROFILE") in ("1", "graph"):
            path = bench.profile_gateway(DURATION)
            log(f"profile written to {path}")
        meta["load_after"] = loadavg()
        summary = summarise(runs, setups)
        write_report(summary, runs, setups, rates, meta)
        log(f"wrote {OUT} and {PLOTS}/*.svg")
    finally:
        bench.stop_all()


if __name__ == "__main__":
    main()
