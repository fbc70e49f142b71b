#!/usr/bin/env python3
"""Reliability checks (targets and results: docs/BENCHMARKS.md, "Reliability"), on a throwaway PostgreSQL cluster.

(i)  kill -9 under load. N client threads post kiosk ratings as fast as they can, each with a fresh UUID as
     Idempotency-Key; a failed attempt (connection refused/reset, timeout, 5xx) is retried with the SAME key and
     body after a back-off, exactly as the kiosk app does, until it is acknowledged (201). Meanwhile the script
     kill -9s `hailong serve` several times and starts it again. Afterwards:
       - every acknowledged key is in `responses` exactly once,
       - no row exists that the clients did not send, and the total equals the number of distinct acknowledged keys,
       - every replay of an acknowledged key answered the same id,
       - once the aggregator has drained its queue, the count cube holds each response exactly once
         (sum of the 'overall' cells = applied_total = rows).
(ii) PostgreSQL restart. Under light load (one kiosk-like client retrying, three probes that do not retry, each
     about 10 requests/s), `pg_ctl stop -m fast`;
     the API must answer 503 with Retry-After (not 500, not hang) within ~5 s; then `pg_ctl start`, and the time
     until requests succeed again is measured WITHOUT restarting the service (target ≤ 10 s). Nothing acknowledged
     may be lost.

(iii) SIGTERM under load (`sigterm`): every request the server had received before the signal is answered, the
     process exits within 30 s, and a second `hailong serve` on the same database (started beside it) aggregates what
     arrives afterwards within 10 s: the aggregator's lock was released.
(iv) The aggregator killed mid-step (`aggkill`): while ratings arrive, the script waits until a step holds the
     aggregation lock and then either kill -9s the process or `pg_terminate_backend`s the step's connection, many
     times; afterwards the counts (every cell of the daily and fresh cubes, and the indices API's answer) equal what
     `hailong aggregate --rebuild` recounts from the raw responses.
(v)  Slow and hostile clients (`hostile`): 1,000 slowhttptest connections (slow headers and slow bodies) while a probe
     posts 10 ratings/s (≥ 99 % answered 201, p95 < 500 ms); then oversized, endless and deeply nested bodies and
     64 KB of headers, each answered 4xx within 1 s, never 5xx, with the server's RSS growing < 20 MB.
(vi) Schema fuzzing (`fuzz`): Tests/fuzz/schema_fuzz.py (schemathesis, all checks, every operation, each token
     role) with --fuzz-examples examples per operation: 0 failures.
(vii) The harness sees loss (`unsafe`): (i) against a server started with the test-only
     HAILONG_UNSAFE_ACK_BEFORE_COMMIT=1 (201 before COMMIT) must report lost > 0.

Each scenario runs on a database of its own in the same throwaway cluster. Prints PASS/FAIL lines and exits 1 when any
check fails. Standard library only, plus `slowhttptest` (Debian) for (v) and `schemathesis` (PyPI) for (vi).

Usage: bench/reliability/reliability.py [--binary .build-release/release/hailong] [--clients 16] [--kills 3]
       [--port 18282] [--only kill,aggkill,...] [--json results.json] [--keep]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--binary", default=os.path.join(REPO, ".build-release/release/hailong"))
parser.add_argument("--sql-dir", default=None, help="migrations (default: the binary's checkout, else this repo's sql/)")
parser.add_argument("--pgbin", default="/usr/lib/postgresql/15/bin")
parser.add_argument("--port", type=int, default=18282)
parser.add_argument("--clients", type=int, default=16, help="client threads in the kill -9 test")
parser.add_argument("--kills", type=int, default=3, help="how many times the server is killed")
parser.add_argument("--kill-every", type=float, default=3.0, help="seconds of load between kills (randomised ±30%%)")
parser.add_argument("--outage", type=float, default=6.0, help="seconds PostgreSQL stays down in test (ii)")
SCENARIOS = ["kill", "aggkill", "sigterm", "pgrestart", "hostile", "fuzz", "unsafe"]
parser.add_argument("--only", default=None, help="comma-separated scenarios: " + ", ".join(SCENARIOS))
parser.add_argument("--agg-kills", type=int, default=20, help="aggregator steps interrupted in (iv)")
parser.add_argument("--agg-mode", choices=["both", "kill", "terminate"], default="both",
                    help="(iv): alternate kill -9 and pg_terminate_backend, or only one of them")
parser.add_argument("--slow-connections", type=int, default=1000, help="slowhttptest connections in (v)")
parser.add_argument("--fuzz-examples", type=int, default=500, help="schemathesis examples per operation in (vi)")
parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
args = parser.parse_args()
only = SCENARIOS if not args.only else [w.strip() for w in args.only.split(",") if w.strip()]
if set(only) - set(SCENARIOS):
    sys.exit(f"unknown scenario(s) {', '.join(sorted(set(only) - set(SCENARIOS)))}; choose from {', '.join(SCENARIOS)}")
figures = {}   # scenario → its figures, for --json and docs/RELIABILITY.md

binary = os.path.realpath(args.binary)
if not os.access(binary, os.X_OK):
    sys.exit(f"no hailong binary at {binary} (swift build -c release --scratch-path .build-release)")


def find_checkout(path):
    """The nearest parent of the binary holding Package.swift and sql/: the checkout it was built from."""
    directory = os.path.dirname(path)
    while directory != "/":
        if os.path.isfile(os.path.join(directory, "Package.swift")) and os.path.isdir(os.path.join(directory, "sql")):
            return directory
        directory = os.path.dirname(directory)
    return REPO


sql_dir = args.sql_dir or os.path.join(find_checkout(binary), "sql")
PGBIN = args.pgbin
IS_ROOT = os.geteuid() == 0

failures = []


def verdict(ok, text):
    print(("PASS  " if ok else "FAIL  ") + text, flush=True)
    if not ok:
        failures.append(text)


def log(text):
    print(f"[{datetime.now().strftime('%H:%M:%S.%f')[:-3]}] {text}", file=sys.stderr, flush=True)


def as_pg(cmd, **kwargs):
    if IS_ROOT:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, **kwargs)


work = tempfile.mkdtemp(prefix="hailong-reliability-")
os.chmod(work, 0o755)
if IS_ROOT:
    shutil.chown(work, "postgres", "postgres")
pgdata = os.path.join(work, "pg")
server_log_path = os.path.join(work, "server.log")
# HAILONG_ALLOW_OWNER: the bench connects as the cluster's superuser on purpose.
env = dict(os.environ, DATABASE_URL=f"postgres://postgres@/hailong?host={work}", HAILONG_SQL_DIR=sql_dir,
           LOG_LEVEL=os.environ.get("LOG_LEVEL", "warning"), HAILONG_ALLOW_OWNER="1")
database = "hailong"
base_host, base_port = "127.0.0.1", args.port
server = None


def pg_ctl(*words):
    as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-l", os.path.join(work, "postgres.log"), *words],
          stdout=subprocess.DEVNULL)


def psql(sql):
    out = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-h", work, "-U", "postgres",
                          "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def cli(*words):
    return subprocess.run([binary, *words], env=env, check=True, capture_output=True, text=True).stdout.strip()


def spawn_server(port, extra_env=None):
    """A `hailong serve` on `port`, ready (answering /readyz 200) when this returns."""
    logfile = open(server_log_path, "a")
    logfile.write(f"--- start port {port} {datetime.now().isoformat()} ---\n")
    logfile.flush()
    process = subprocess.Popen([binary, "serve", "--host", base_host, "--port", str(port)],
                               env=dict(env, **(extra_env or {})), stdout=logfile, stderr=logfile)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"hailong serve exited with {process.returncode}; see {server_log_path}")
        try:
            c = http.client.HTTPConnection(base_host, port, timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("hailong serve did not become ready in 30 s")


server_env = {}  # extra environment of the server under test (the unsafe scenario sets the loss switch)


def start_server():
    global server
    server = spawn_server(base_port, server_env)


def stop_server():
    global server
    if server and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    server = None


def cleanup():
    if server and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
        try:
            pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
    if args.keep or failures:
        shutil.rmtree(pgdata, ignore_errors=True)
        print(f"logs kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


ZONE = timezone(timedelta(hours=7))


class Client:
    """One kiosk-like client: posts a rating with a given key and body until it is acknowledged."""

    def __init__(self, token):
        self.token = token
        self.conn = None

    def attempt(self, key, body, timeout=6.0):
        """One attempt. Returns (status or None, headers dict, body text, seconds)."""
        started = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(base_host, base_port, timeout=timeout)
            self.conn.request("POST", "/api/v1/responses", body=body, headers={
                "Authorization": f"Bearer {self.token}", "Idempotency-Key": key,
                "Content-Type": "application/json"})
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in response.getheaders()}
            if headers.get("connection", "").lower() == "close":
                self.close()
            return response.status, headers, text, time.monotonic() - started
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return None, {}, type(error).__name__, time.monotonic() - started

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


def new_rating():
    key = str(uuid.uuid4())
    level = random.choice([1, 2, 3])
    answers = {"overall": level}
    if level == 1:
        answers["reasons"] = [random.choice(["xin_chao", "xin_loi", "luon_lang_nghe"])]
    body = json.dumps({"questionnaire": "kiosk-3", "officer": "B-1", "answers": answers,
                       "submitted_at": datetime.now(ZONE).isoformat(timespec="milliseconds")})
    return key, body


def send_until_acknowledged(client, key, body, record, give_up_at):
    """Retries with back-off (same key, same body) until 201; returns the acknowledged id or None."""
    backoff = 0.05
    while True:
        status, headers, text, seconds = client.attempt(key, body)
        record(status, headers, text, seconds)
        if status == 201:
            return json.loads(text)["id"]
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            return ("refused", status, text)  # the client's fault: retrying the same request cannot help
        if time.monotonic() > give_up_at:
            return None
        retry_after = headers.get("retry-after")
        wait = min(float(retry_after), 2.0) if retry_after and retry_after.isdigit() else backoff
        time.sleep(wait * random.uniform(0.8, 1.2))
        backoff = min(backoff * 2, 1.0)


def kill_test(tokens, expect_loss=False):
    print("\n== (vii) kill -9 under load, server acknowledging BEFORE commit (test-only switch) ==" if expect_loss
          else "\n== (i) kill -9 under load ==", flush=True)
    stop = threading.Event()
    lock = threading.Lock()
    sent = {}            # key → acknowledged id (or None / refused tuple)
    statuses = {}        # status (or exception name) → attempts
    replays = {"mismatch": 0}

    def record(status, headers, text, seconds):
        name = status if status is not None else text
        with lock:
            statuses[name] = statuses.get(name, 0) + 1

    def worker(index):
        client = Client(tokens[index % len(tokens)])
        while not stop.is_set():
            key, body = new_rating()
            with lock:
                sent[key] = None
            result = send_until_acknowledged(client, key, body, record, time.monotonic() + 120)
            with lock:
                sent[key] = result
            if isinstance(result, str):
                if result != key:
                    replays["mismatch"] += 1
                # A replay of an acknowledged key must answer the same id (checked on a sample).
                if random.random() < 0.02:
                    status, _, text, _ = client.attempt(key, body)
                    if status == 201 and json.loads(text)["id"] != key:
                        replays["mismatch"] += 1
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    kills = []
    for k in range(args.kills):
        time.sleep(args.kill_every * random.uniform(0.7, 1.3))
        with lock:
            acked_so_far = sum(1 for v in sent.values() if isinstance(v, str))
        log(f"kill -9 {server.pid} (acknowledged so far: {acked_so_far})")
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        down_at = time.monotonic()
        time.sleep(0.5)
        start_server()
        kills.append(time.monotonic() - down_at)
        log(f"restarted as {server.pid} after {kills[-1]:.2f} s")
    time.sleep(args.kill_every)
    stop.set()
    for t in threads:
        t.join(timeout=180)
    duration = time.monotonic() - started

    acked = {k for k, v in sent.items() if isinstance(v, str)}
    unacked = [k for k, v in sent.items() if v is None]
    refused = [(k, v) for k, v in sent.items() if isinstance(v, tuple)]
    db_ids = set(psql("SELECT id FROM responses").split())
    db_rows = int(psql("SELECT count(*) FROM responses"))
    dup_ids = int(psql("SELECT count(*) - count(DISTINCT id) FROM responses"))
    missing = acked - db_ids
    foreign = db_ids - set(sent)
    print(f"clients {args.clients}, {duration:.1f} s, {args.kills} kill -9 (restart took "
          f"{', '.join(f'{s:.2f}' for s in kills)} s), attempts by outcome: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"keys sent {len(sent)}, acknowledged {len(acked)}, never acknowledged {len(unacked)}, "
          f"refused {len(refused)}; rows in responses {db_rows}")
    if refused:
        print(f"  first refused: {refused[0]}")
    figures["unsafe" if expect_loss else "kill"] = {
        "clients": args.clients, "seconds": round(duration, 1), "kills": args.kills,
        "restart_seconds": [round(k, 2) for k in kills], "keys_sent": len(sent), "acknowledged": len(acked),
        "lost": len(missing), "duplicates": dup_ids, "foreign_rows": len(foreign), "rows": db_rows,
        "never_acknowledged": len(unacked), "refused": len(refused),
        "attempts": {str(k): v for k, v in statuses.items()}}
    if expect_loss:
        verdict(len(missing) > 0, f"the harness sees loss when the server acknowledges before COMMIT: lost "
                f"{len(missing)} of {len(acked)} acknowledged")
        return
    verdict(not missing, f"every acknowledged response is stored ({len(acked) - len(missing)}/{len(acked)} found)")
    verdict(dup_ids == 0 and not foreign, f"no duplicated or unexpected row (duplicates {dup_ids}, rows from no "
            f"client {len(foreign)})")
    verdict(db_rows == len(acked) + len(db_ids & set(unacked)),
            f"rows ({db_rows}) = distinct acknowledged keys ({len(acked)})"
            + (f" + {len(db_ids & set(unacked))} stored but never acknowledged" if unacked else ""))
    verdict(not unacked and not refused, f"every attempted key was eventually acknowledged by retrying "
            f"({len(unacked)} not, {len(refused)} refused)")
    verdict(replays["mismatch"] == 0, f"replays answer the original id (mismatches {replays['mismatch']})")
    verdict(statuses.get(500, 0) == 0, f"no 500 answers ({statuses.get(500, 0)})")
    # Exactly-once aggregation across the kills.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and psql("SELECT count(*) FROM pending_aggregation") != "0":
        time.sleep(0.2)
    counted = psql("SELECT coalesce(sum(n), 0) FROM counted_cells WHERE question = 'overall'")
    applied = psql("SELECT coalesce((SELECT applied_total FROM aggregator_state), 0)")
    verdict(int(counted) == db_rows and int(applied) == db_rows,
            f"aggregated exactly once: cube 'overall' cells {counted}, applied_total {applied}, rows {db_rows}")
    figures["kill"].update(cube_overall=int(counted), applied_total=int(applied))


def pg_restart_test(tokens):
    print("\n== (ii) PostgreSQL restart under light load ==", flush=True)
    events = []          # (t, status or exception, retry-after, seconds, acknowledged?)
    lock = threading.Lock()
    stop = threading.Event()
    acked = set()
    pid_before = server.pid

    def worker():
        client = Client(tokens[0])
        while not stop.is_set():
            key, body = new_rating()

            def record(status, headers, text, seconds):
                with lock:
                    events.append((time.monotonic() - seconds, status if status is not None else text,
                                   headers.get("retry-after"), seconds, headers.get("content-type", "")))

            result = send_until_acknowledged(client, key, body, record, time.monotonic() + 120)
            if isinstance(result, str):
                with lock:
                    acked.add(result)
            time.sleep(0.05)
        client.close()

    # Three light clients that do not retry: each sends a fresh request 100 ms after its previous answer, to see
    # what the API answers at each moment.
    probes = []

    def prober(index):
        time.sleep(0.033 * index)
        client = Client(tokens[(1 + index) % len(tokens)])
        while not stop.is_set():
            key, body = new_rating()
            sent_at = time.monotonic()
            status, headers, text, seconds = client.attempt(key, body, timeout=15)
            with lock:
                probes.append((sent_at, status if status is not None else text, headers.get("retry-after"), seconds))
                if status == 201:
                    acked.add(json.loads(text)["id"])
            time.sleep(max(0.0, 0.1 - seconds))
        client.close()

    threads = [threading.Thread(target=worker, daemon=True)]
    threads += [threading.Thread(target=prober, args=(i,), daemon=True) for i in range(3)]
    for t in threads:
        t.start()
    time.sleep(2)
    log("pg_ctl stop -m fast")
    stop_at = time.monotonic()
    pg_ctl("-m", "fast", "-w", "stop")
    stopped_at = time.monotonic()
    log(f"stopped in {stopped_at - stop_at:.2f} s; outage of {args.outage:.0f} s")
    time.sleep(args.outage)
    log("pg_ctl start")
    pg_ctl("-w", "start")
    up_at = time.monotonic()
    log(f"PostgreSQL accepting connections after {up_at - stopped_at:.1f} s down")
    def successes_after(t):
        """Answer times of 201s answered after t to requests sent after PostgreSQL was down."""
        with lock:
            answered = [p[0] + p[3] for p in probes if p[1] == 201 and p[0] >= stopped_at]
            answered += [e[0] + e[3] for e in events if e[1] == 201 and e[0] >= stopped_at]
        return sorted(a for a in answered if a >= t)

    deadline = up_at + 30
    while time.monotonic() < deadline and not successes_after(up_at):
        time.sleep(0.05)
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    recovered = successes_after(up_at)
    recovered_at = recovered[0] if recovered else None
    with lock:
        fresh = sorted(p[0] + p[3] for p in probes if p[1] == 201 and p[0] >= up_at)

    # Probes sent while PostgreSQL was down (from the end of pg_ctl stop to the end of pg_ctl start).
    during = [p for p in probes if stopped_at <= p[0] < up_at]
    codes = {}
    for p in during:
        codes[p[1]] = codes.get(p[1], 0) + 1
    first_503 = min((p[0] + p[3] for p in probes if p[0] >= stop_at and p[1] == 503), default=None)
    slowest = max((p[3] for p in probes if stop_at <= p[0] < up_at), default=0.0)
    all_attempts = [e for e in events if e[0] >= stop_at] + [(p[0], p[1], p[2], p[3], "") for p in probes
                                                              if p[0] >= stop_at]
    n500 = sum(1 for e in all_attempts if e[1] == 500)
    n503 = sum(1 for e in all_attempts if e[1] == 503)
    without_retry_after = sum(1 for e in all_attempts if e[1] == 503 and not e[2])
    retry_after_values = sorted({e[2] for e in all_attempts if e[1] == 503})
    print(f"pg_ctl stop -m fast took {stopped_at - stop_at:.2f} s; PostgreSQL down {up_at - stopped_at:.1f} s")
    print("timeline of the probes (s from the start of pg_ctl stop; sent → answered: status, Retry-After):")
    window = [p for p in sorted(probes, key=lambda p: p[0])
              if stop_at - 0.3 <= p[0] and (recovered_at is None or p[0] <= recovered_at + 0.3)]
    for p in window:
        mark = "down" if stopped_at <= p[0] < up_at else ("stopping" if stop_at <= p[0] < stopped_at else "")
        print(f"  {p[0] - stop_at:6.2f} → {p[0] + p[3] - stop_at:6.2f}  {p[1]}"
              + (f"  Retry-After: {p[2]}" if p[2] else "") + (f"  ({mark})" if mark else ""))
    print(f"  PostgreSQL: stop returned at {stopped_at - stop_at:.2f}, start returned at {up_at - stop_at:.2f}")
    print(f"probes sent while PostgreSQL was down ({len(during)}): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items(), key=lambda kv: str(kv[0])))
          + f"; their answer times {', '.join(f'{p[3]:.2f}' for p in during)} s")
    print(f"all attempts since the stop: {len(all_attempts)}, 503: {n503} (Retry-After {retry_after_values}), "
          f"500: {n500}")
    verdict(first_503 is not None and first_503 - stopped_at <= 5.5,
            "503 with Retry-After within ~5 s of PostgreSQL going down: "
            + (f"first 503 {first_503 - stopped_at:.2f} s after pg_ctl stop returned" if first_503 else "never"))
    verdict(bool(during) and all(p[1] == 503 or (p[1] == 201 and p[0] + p[3] >= up_at) for p in during),
            "every request sent while PostgreSQL was down answered 503, or 201 once it was back "
            "(not 500, not a dropped connection)")
    verdict(n503 > 0 and without_retry_after == 0, f"every 503 carries Retry-After ({without_retry_after} without)")
    verdict(n500 == 0, f"no 500 answers during the outage and recovery ({n500})")
    verdict(slowest <= 5.5, f"no request hangs while the database is stopping or down (slowest answer {slowest:.2f} s ≤ 5.5 s)")
    recovery = (recovered_at - up_at) if recovered_at else None
    verdict(recovery is not None and recovery <= 10.0,
            "recovered without restarting the service: first 201 "
            + (f"{recovery:.2f} s after PostgreSQL accepted connections again" if recovery is not None else "never")
            + (f" (first 201 to a request sent after that: {fresh[0] - up_at:.2f} s)" if fresh else "")
            + " (target ≤ 10 s)")
    verdict(server.poll() is None and server.pid == pid_before, f"same hailong process throughout (pid {server.pid})")
    db_ids = set(psql("SELECT id FROM responses").split())
    lost = acked - db_ids
    verdict(not lost, f"no acknowledged response lost across the restart ({len(acked)} acknowledged, {len(lost)} missing)")


AGG_LOCK = "locktype = 'advisory' AND classid = 1212956999 AND objid = 1196574023 AND granted"  # AggregationLock.key


def fresh_database(name):
    """A new database in the cluster with the directory of the scenarios; the kiosk tokens and a par token."""
    global database
    database = name
    env["DATABASE_URL"] = f"postgres://postgres@/{name}?host={work}"
    subprocess.run([os.path.join(PGBIN, "createdb"), "-h", work, "-U", "postgres", name], check=True)
    cli("migrate")
    cli("agency", "add", "--code", "REL", "--name", "Sở Thử nghiệm", "--kind", "department")
    cli("counter", "add", "--agency", "REL", "--code", "Q1", "--name", "Quầy 1")
    cli("officer", "add", "--agency", "REL", "--badge", "B-1", "--name", "Nguyễn Văn A", "--counter", "Q1")
    tokens = [cli("kiosk", "add", "--agency", "REL", "--counter", "Q1", "--label", f"rel {i}").splitlines()[0]
              for i in range(8)]
    par = cli("token", "add", "--name", "rel-par", "--role", "par").splitlines()[0]
    return tokens, par


class Load:
    """Client threads posting ratings, each retried with its key until acknowledged (as in (i))."""

    def __init__(self, tokens, threads, pause=0.0):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = {}
        self.statuses = {}
        self.pause = pause
        self.threads = [threading.Thread(target=self.worker, args=(tokens[i % len(tokens)],), daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def record(self, status, headers, text, seconds):
        name = status if status is not None else text
        with self.lock:
            self.statuses[name] = self.statuses.get(name, 0) + 1

    def worker(self, token):
        client = Client(token)
        while not self.stop.is_set():
            key, body = new_rating()
            with self.lock:
                self.sent[key] = None
            result = send_until_acknowledged(client, key, body, self.record, time.monotonic() + 120)
            with self.lock:
                self.sent[key] = result
            if self.pause:
                time.sleep(self.pause)
        client.close()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=180)
        acked = {k for k, v in self.sent.items() if isinstance(v, str)}
        return acked


def cube_snapshot():
    """Every cell of the daily and fresh cubes summed by cell: (cells, total n, md5 of the sorted cells)."""
    row = psql("SELECT count(*) || ' ' || coalesce(sum(n), 0) || ' ' || coalesce(md5(string_agg(c::text, ';' ORDER BY "
               "c::text)), '-') FROM (SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, "
               "counter_id, channel, sum(n) AS n FROM counted_cells GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 "
               "HAVING sum(n) <> 0) c")
    cells, total, digest = row.split()
    return int(cells), int(total), digest


def indices_answer(par, port):
    """The indices API's figures for the agency this year (without its as_of / version stamps)."""
    year = datetime.now(ZONE).year
    c = http.client.HTTPConnection(base_host, port, timeout=30)
    c.request("GET", f"/api/v1/indices?period={year}&agency=REL", headers={"Authorization": f"Bearer {par}"})
    response = c.getresponse()
    text = response.read().decode()
    if response.status != 200:
        return f"{response.status} {text}"
    document = json.loads(text)

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("as_of", "figures_version", "computed_at")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return json.dumps(strip(document), sort_keys=True)


def wait_drained(limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if psql("SELECT count(*) FROM pending_aggregation") == "0":
            return True
        time.sleep(0.2)
    return False


def aggkill_test(tokens, par):
    print("\n== (iv) the aggregator killed mid-step ==", flush=True)
    load = Load(tokens, 8)
    time.sleep(2)
    interrupts = {"kill -9": 0, "pg_terminate_backend": 0}
    moments = []  # when each interrupt happened: the gaps show how soon the next step ran
    attempts = 0
    deadline = time.monotonic() + max(120, args.agg_kills * 15)  # a step stuck on a killed connection costs 30 s
    while sum(interrupts.values()) < args.agg_kills and time.monotonic() < deadline:
        use_terminate = (args.agg_mode == "terminate"
                         or (args.agg_mode == "both" and sum(interrupts.values()) % 2 == 1))
        attempts += 1
        if use_terminate:
            # Check and kill in one statement: only a backend holding the aggregation lock (a step or a compaction
            # in its transaction) is terminated.
            killed = psql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE {AGG_LOCK}")
            if killed != "0":
                moments.append(time.monotonic())
                interrupts["pg_terminate_backend"] += 1
                log(f"pg_terminate_backend of the aggregator's connection ({sum(interrupts.values())})")
                time.sleep(1.0)
        else:
            if psql(f"SELECT count(*) FROM pg_locks WHERE {AGG_LOCK}") != "0":
                os.kill(server.pid, signal.SIGKILL)
                moments.append(time.monotonic())
                server.wait()
                interrupts["kill -9"] += 1
                log(f"kill -9 {server.pid} while a step held the lock ({sum(interrupts.values())})")
                start_server()
                time.sleep(0.5)
        time.sleep(0.005)
    acked = load.finish()
    drain_started = time.monotonic()
    drained = wait_drained()
    drain_seconds = time.monotonic() - drain_started
    gaps = [b - a for a, b in zip(moments, moments[1:])]
    rows = int(psql("SELECT count(*) FROM responses"))
    before = cube_snapshot()
    figures_before = indices_answer(par, base_port)
    stop_server()
    started = time.monotonic()
    cli("aggregate", "--rebuild")
    rebuild_seconds = time.monotonic() - started
    after = cube_snapshot()
    start_server()
    figures_after = indices_answer(par, base_port)
    print(f"interrupted steps: {interrupts} (in {attempts} looks); {len(acked)} ratings acknowledged meanwhile, "
          f"rows {rows}; attempts by outcome: " + ", ".join(f"{k}: {v}" for k, v in sorted(
              load.statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"seconds between interrupts (each waits for the next step holding the lock): max "
          f"{max(gaps, default=0):.1f}, median {sorted(gaps)[len(gaps) // 2] if gaps else 0:.1f}; queue drained "
          f"{drain_seconds:.1f} s after the load stopped")
    print(f"cube before the rebuild: {before[0]} cells, n {before[1]}, md5 {before[2]}")
    print(f"cube after  the rebuild: {after[0]} cells, n {after[1]}, md5 {after[2]} (rebuild took {rebuild_seconds:.1f} s)")
    figures["aggkill"] = {"interrupts": interrupts, "looks": attempts, "acknowledged": len(acked), "rows": rows,
                          "cells_before": before[0], "n_before": before[1], "cells_after": after[0],
                          "n_after": after[1], "equal": before == after, "indices_equal": figures_before == figures_after,
                          "rebuild_seconds": round(rebuild_seconds, 1), "max_gap_seconds": round(max(gaps, default=0), 1),
                          "drain_seconds": round(drain_seconds, 1)}
    verdict(sum(interrupts.values()) >= args.agg_kills,
            f"{sum(interrupts.values())} steps interrupted while holding the aggregation lock (wanted {args.agg_kills})")
    verdict(drained, "the queue drained after the interruptions")
    verdict(before == after, "every count cell equals the rebuild's recount from the raw responses")
    verdict(figures_before == figures_after and not figures_before[:3].isdigit(),
            "the indices API answers the same figures before and after the rebuild"
            + ("" if figures_before == figures_after else f": before {figures_before[:300]} after {figures_after[:300]}"))
    # Each response counted once: the 'overall' cells sum to the rows (kiosk-3 only here).
    overall = int(psql("SELECT coalesce(sum(n), 0) FROM counted_cells WHERE question = 'overall'"))
    verdict(overall == rows, f"the 'overall' cells count every response once ({overall} = rows {rows})")


def sigterm_test(tokens, par):
    print("\n== (iii) SIGTERM under load ==", flush=True)
    global server
    second_port = base_port + 1
    second = spawn_server(second_port)
    first = server
    attempts = []   # (started, ended, status or exception, port)
    lock = threading.Lock()
    stop = threading.Event()
    target = {"port": base_port}

    def worker(token):
        conn = None
        port = None
        while not stop.is_set():
            key, body = new_rating()
            want = target["port"]
            if want != port:
                if conn:
                    conn.close()
                conn, port = None, want
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(base_host, port, timeout=35)
                conn.request("POST", "/api/v1/responses", body=body, headers={
                    "Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                if conn:
                    conn.close()
                conn = None
                if port == base_port:
                    target["port"] = second_port  # the first server is going: carry on with the second
            with lock:
                attempts.append((started, time.monotonic(), status, port, key))
        if conn:
            conn.close()

    threads = [threading.Thread(target=worker, args=(tokens[i % len(tokens)],), daemon=True) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(3)
    signalled = time.monotonic()
    log(f"SIGTERM {first.pid}")
    first.send_signal(signal.SIGTERM)
    try:
        first.wait(timeout=60)
    except subprocess.TimeoutExpired:
        first.kill()
        first.wait()
    exited = time.monotonic()
    exit_code = first.returncode
    target["port"] = second_port
    log(f"exited {exit_code} after {exited - signalled:.2f} s")
    # From the exit: how long until the second server has aggregated everything (new ratings keep arriving at it).
    exit_backlog = int(psql("SELECT count(*) FROM pending_aggregation"))
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    lock_holders = psql(f"SELECT count(*) FROM pg_locks WHERE {AGG_LOCK}")
    takeover = None
    deadline = time.monotonic() + 30
    rows = 0
    while time.monotonic() < deadline:
        rows = int(psql("SELECT count(*) FROM responses"))
        counted = int(psql("SELECT coalesce(sum(n), 0) FROM counted_cells WHERE question = 'overall'"))
        if counted == rows and psql("SELECT count(*) FROM pending_aggregation") == "0":
            takeover = time.monotonic() - exited
            break
        time.sleep(0.1)
    server = second  # the scenario's remaining server; cleanup stops it
    to_first = [a for a in attempts if a[3] == base_port]
    in_flight = [a for a in to_first if a[0] <= signalled <= a[1]]
    before = [a for a in to_first if a[0] < signalled]
    unanswered = [a for a in before if not isinstance(a[2], int)]
    answered_201 = [a for a in before if a[2] == 201]
    stored = set(psql("SELECT id FROM responses").split())
    lost = [a for a in attempts if a[2] == 201 and a[4] not in stored]
    outcomes = {}
    for a in to_first:
        name = ("before" if a[0] < signalled else "after") + f" {a[2]}"
        outcomes[name] = outcomes.get(name, 0) + 1
    print(f"attempts to the first server: {len(to_first)} ({', '.join(f'{k}: {v}' for k, v in sorted(outcomes.items()))}); "
          f"in flight at the signal: {len(in_flight)}, of which answered 201: "
          f"{sum(1 for a in in_flight if a[2] == 201)}")
    print(f"attempts to the second server: {len(attempts) - len(to_first)}; queue at the first's exit {exit_backlog}")
    figures["sigterm"] = {"attempts_first": len(to_first), "sent_before_signal": len(before),
                          "answered_201_before_signal": len(answered_201), "unanswered_before_signal": len(unanswered),
                          "in_flight_at_signal": len(in_flight),
                          "in_flight_answered": sum(1 for a in in_flight if isinstance(a[2], int)),
                          "exit_seconds": round(exited - signalled, 2), "exit_code": exit_code,
                          "takeover_seconds": round(takeover, 2) if takeover is not None else None,
                          "acknowledged": sum(1 for a in attempts if a[2] == 201), "lost": len(lost), "rows": rows}
    verdict(not unanswered, f"every request sent before SIGTERM was answered ({len(before) - len(unanswered)}/"
            f"{len(before)}; {len(in_flight)} in flight at the signal)"
            + (f"; unanswered e.g. {unanswered[0][2]} sent {signalled - unanswered[0][0]:.3f} s before" if unanswered else ""))
    verdict(all(a[2] in (201, None) or not isinstance(a[2], int) or a[2] < 500 for a in attempts),
            "no 5xx answer")
    verdict(exited - signalled <= 30 and exit_code == 0, f"exited with 0 within 30 s ({exited - signalled:.2f} s, "
            f"code {exit_code})")
    verdict(not lost, f"no acknowledged rating lost ({len(lost)})")
    verdict(takeover is not None and takeover <= 10, "the second server aggregated everything "
            + (f"{takeover:.2f} s after the first exited" if takeover is not None else "not within 30 s")
            + f" (target ≤ 10 s; aggregation lock holders now {lock_holders})")


def raw_exchange(payload_head, body_source=None, limit=5.0):
    """Sends a raw request (head, then body chunks from `body_source` until an answer arrives); returns
    (status or None, seconds to the status line, note)."""
    import socket as socket_module
    import select
    sock = socket_module.create_connection((base_host, base_port), timeout=limit)
    started = time.monotonic()
    received = b""
    note = ""
    try:
        sock.sendall(payload_head)
        sock.setblocking(False)
        sent = 0
        while time.monotonic() - started < limit:
            readable, writable, _ = select.select([sock], [sock] if body_source else [], [], 0.05)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    chunk = b""
                except OSError as error:
                    note = type(error).__name__
                    break
                if not chunk:
                    note = "closed"
                    break
                received += chunk
                if b"\r\n" in received:
                    break
            if writable and body_source:
                piece = next(body_source, None)
                if piece is None:
                    body_source = None
                else:
                    try:
                        sent += sock.send(piece)
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError as error:
                        note = f"{type(error).__name__} after {sent} bytes"
                        # The server may have answered and closed: read what it sent.
                        body_source = None
        seconds = time.monotonic() - started
        if b"\r\n" not in received:
            sock.setblocking(True)
            sock.settimeout(0.5)
            try:
                received += sock.recv(65536)
            except OSError:
                pass
        line = received.split(b"\r\n", 1)[0].decode("latin-1")
        status = int(line.split()[1]) if line.startswith("HTTP/") else None
        return status, seconds, note or (f"sent {sent} body bytes" if sent else "")
    finally:
        sock.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def slow_bodies(token, count, seconds):
    """`count` connections that post a rating with a valid token and a 16,000-byte Content-Length, then send 10 bytes
    every 5 s: the slow body slowhttptest cannot send (it has no Authorization header). Returns the server's answers:
    {status or 'open' or 'closed': count} and the seconds until each was answered."""
    import socket as socket_module
    import select
    socks = []
    for _ in range(count):
        try:
            sock = socket_module.create_connection((base_host, base_port), timeout=5)
        except OSError:
            continue
        sock.sendall((f"POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                      f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: 16000\r\n\r\n").encode())
        sock.setblocking(False)
        socks.append([sock, time.monotonic(), None, None])
    started = time.monotonic()
    next_tick = started
    while time.monotonic() - started < seconds:
        open_socks = [s for s in socks if s[2] is None]
        if not open_socks:
            break
        if time.monotonic() >= next_tick:
            for s in open_socks:
                try:
                    s[0].send(b'{"a":"bbbb",')
                except OSError:
                    pass
            next_tick += 5
        readable, _, _ = select.select([s[0] for s in open_socks], [], [], 0.2)
        for s in open_socks:
            if s[0] in readable:
                try:
                    data = s[0].recv(4096)
                except OSError:
                    data = b""
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                s[2] = int(line.split()[1]) if line.startswith("HTTP/") else "closed"
                s[3] = time.monotonic() - s[1]
    outcomes = {}
    for s in socks:
        key = s[2] if s[2] is not None else "still open"
        outcomes[key] = outcomes.get(key, 0) + 1
        s[0].close()
    times = sorted(s[3] for s in socks if s[3] is not None)
    return outcomes, times


def hostile_test(tokens, par):
    print("\n== (v) slow and hostile clients ==", flush=True)
    token = tokens[0]
    # Warm up: the probe's path, so the first requests' one-time costs are not counted as growth.
    client = Client(token)
    for _ in range(50):
        key, body = new_rating()
        client.attempt(key, body)
    client.close()
    rss_start = rss_kb(server.pid)
    results = {}
    slow = shutil.which("slowhttptest")
    probe = []
    stop = threading.Event()

    def prober():
        while not stop.is_set():
            key, body = new_rating()
            c = Client(token)
            status, _, _, seconds = c.attempt(key, body, timeout=5)
            c.close()
            probe.append((status, seconds))
            time.sleep(max(0.0, 0.1 - seconds))

    held = 0
    if slow is None:
        verdict(False, "slowhttptest is installed (apt-get install slowhttptest)")
    else:
        half = args.slow_connections // 2
        length = 45
        common = ["-c", str(half), "-i", "10", "-r", "250", "-l", str(length), "-p", "3", "-g"]
        out = os.path.join(work, "slowhttptest")
        procs = [
            subprocess.Popen([slow, "-H", *common, "-t", "GET", "-x", "24", "-o", out + "-headers",
                              "-u", f"http://{base_host}:{base_port}/api/v1/agencies"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work),
            subprocess.Popen([slow, "-B", *common, "-s", "16000", "-x", "10", "-t", "POST", "-f", "application/json",
                              "-o", out + "-body", "-u", f"http://{base_host}:{base_port}/api/v1/responses"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work),
        ]
        time.sleep(6)  # both have opened their connections (250/s)
        thread = threading.Thread(target=prober, daemon=True)
        thread.start()
        # Meanwhile, slow bodies that carry a valid kiosk token (the route reads their body).
        authenticated = {}

        def slow_authenticated():
            authenticated["outcomes"], authenticated["times"] = slow_bodies(tokens[1], 200, 20)
        slow_thread = threading.Thread(target=slow_authenticated, daemon=True)
        slow_thread.start()
        samples = []
        for _ in range(25):
            time.sleep(1)
            count = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{base_port} )"],
                                   capture_output=True, text=True).stdout.count("\n")
            samples.append(count)
        stop.set()
        thread.join(timeout=10)
        slow_thread.join(timeout=60)
        held = min(samples)
        bodies_csv = os.path.join(work, "slowhttptest-body.csv")
        body_rows = [line.strip().split(",") for line in open(bodies_csv)][1:] if os.path.exists(bodies_csv) else []
        body_closed = max((int(r[1]) for r in body_rows if len(r) > 1 and r[1].isdigit()), default=0)
        rss_peak = rss_kb(server.pid)
        for p in procs:
            try:
                p.wait(timeout=length + 30)
            except subprocess.TimeoutExpired:
                p.kill()
        ok = [p for p in probe if p[0] == 201]
        times = sorted(p[1] for p in probe)
        p95 = times[int(0.95 * (len(times) - 1))] if times else None
        share = len(ok) / len(probe) if probe else 0
        print(f"slowhttptest: {args.slow_connections} connections ({half} slow headers every 10 s, {half} slow bodies); "
              f"server-side established connections while probing: min {held}, max {max(samples)}")
        print(f"probe (a rating every 100 ms on a fresh connection): {len(probe)} sent, {len(ok)} answered 201 "
              f"({100 * share:.1f} %), p95 {p95 * 1000 if p95 is not None else float('nan'):.0f} ms, "
              f"max {max(times) * 1000 if times else float('nan'):.0f} ms; RSS {rss_start // 1024} → {rss_peak // 1024} MB")
        auth_outcomes = authenticated.get("outcomes", {})
        auth_times = authenticated.get("times", [])
        print(f"slowhttptest's slow bodies (no token) closed by the server: {body_closed} of {half}; 200 slow bodies "
              f"with a kiosk token: {auth_outcomes}, answered after {min(auth_times, default=0):.1f}–"
              f"{max(auth_times, default=0):.1f} s")
        results.update(slow_body_closed=body_closed, authenticated_slow_bodies={str(k): v for k, v in auth_outcomes.items()},
                       authenticated_slow_answer_seconds=[round(min(auth_times, default=0), 1),
                                                          round(max(auth_times, default=0), 1)])
        verdict(not any(isinstance(k, int) and k >= 500 for k in auth_outcomes),
                f"slow bodies with a valid token are not answered 5xx ({auth_outcomes})")
        results.update(slow_connections=args.slow_connections, held_connections_min=held,
                       held_connections_max=max(samples), probe_sent=len(probe), probe_ok=len(ok),
                       probe_success_percent=round(100 * share, 2),
                       probe_p95_ms=round(p95 * 1000) if p95 is not None else None,
                       rss_start_mb=round(rss_start / 1024, 1), rss_under_slow_mb=round(rss_peak / 1024, 1))
        print(f"held by the server while probing: {held}–{max(samples)} connections (the slow headers; the slow "
              f"bodies without a token are answered 401 and closed at once)")
        verdict(share >= 0.99 and p95 is not None and p95 < 0.5,
                f"probe under slow clients: {100 * share:.1f} % answered 201 (≥ 99 %), p95 {p95 * 1000:.0f} ms (< 500 ms)")

    # Hostile requests, each answered 4xx within a second, never 5xx.
    auth = f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n"

    def post(length_header, extra=""):
        return (f"POST /api/v1/responses HTTP/1.1\r\nHost: x\r\n{auth}{length_header}{extra}\r\n").encode()

    def repeat(piece, total):
        while total > 0:
            chunk = piece[:total]
            total -= len(chunk)
            yield chunk

    def endless_chunks():
        chunk = b"2000\r\n" + b"a" * 0x2000 + b"\r\n"
        while True:
            yield chunk
    limit = 16 * 1024
    nested = 10_000
    nested_small = 5_000
    cases = [
        ("body at the limit + 1 (16,385 B)", lambda: (post(f"Content-Length: {limit + 1}\r\n"),
                                                    repeat(b"a" * 65536, limit + 1)), (413,)),
        ("body of 1 MB", lambda: (post("Content-Length: 1048576\r\n"), repeat(b"a" * 65536, 1 << 20)), (413,)),
        ("body of 100 MB", lambda: (post("Content-Length: 104857600\r\n"), repeat(b"a" * 65536, 100 << 20)), (413,)),
        ("endless chunked body", lambda: (post("Transfer-Encoding: chunked\r\n"), endless_chunks()), (413,)),
        ("64 KB of headers", lambda: ((f"GET /api/v1/agencies HTTP/1.1\r\nHost: x\r\nX-Pad: {'a' * 65536}\r\n\r\n")
                                      .encode(), None), (431, 400)),
        (f"JSON nested {nested:,} deep ({2 * nested:,} B)",
         lambda: (post(f"Content-Length: {2 * nested}\r\n"), iter([b"[" * nested + b"]" * nested])), (413, 400)),
        (f"JSON nested {nested_small:,} deep ({2 * nested_small:,} B, under the size limit)",
         lambda: (post(f"Content-Length: {2 * nested_small}\r\n"), iter([b"[" * nested_small + b"]" * nested_small])),
         (400,)),
    ]
    time.sleep(3)  # the slow connections are gone; let the server settle before timing single requests
    rss_after_slow = rss_kb(server.pid)
    hostile = []
    rss_rounds = []
    for round_number in range(2):
        hostile = []
        run_hostile_cases(cases, wanted_round=round_number, hostile=hostile, token=token, post=post)
        time.sleep(2)
        rss_rounds.append(rss_kb(server.pid))
    results["hostile"] = hostile
    rss_end = rss_rounds[-1]
    growth = (rss_end - rss_start) / 1024
    results.update(rss_after_slow_mb=round(rss_after_slow / 1024, 1), rss_after_round1_mb=round(rss_rounds[0] / 1024, 1),
                   rss_end_mb=round(rss_end / 1024, 1), rss_growth_mb=round(growth, 1))
    print(f"RSS: {rss_start / 1024:.1f} MB before, {rss_after_slow / 1024:.1f} MB after the slow clients, "
          f"{rss_rounds[0] / 1024:.1f} MB after a first round of hostile requests, {rss_end / 1024:.1f} MB after a "
          f"second (same requests again: {(rss_rounds[1] - rss_rounds[0]) / 1024:+.1f} MB)")
    verdict(server.poll() is None, "the server survived")
    verdict(growth < 20, f"RSS grew {growth:.1f} MB (< 20 MB)")
    figures["hostile"] = results


def run_hostile_cases(cases, wanted_round, hostile, token, post):
    """Each hostile request five times; one verdict per case (printed in the second round only)."""
    for name, make, wanted in cases:
        outcomes = []
        for _ in range(5):
            head, body_source = make()
            outcomes.append(raw_exchange(head, body_source))
        statuses = sorted({o[0] for o in outcomes}, key=str)
        slowest = max(o[1] for o in outcomes)
        hostile.append({"case": name, "statuses": statuses, "slowest_seconds": round(slowest, 3),
                        "notes": sorted({o[2] for o in outcomes if o[2]})})
        if wanted_round == 1:
            verdict(all(o[0] in wanted for o in outcomes) and slowest <= 1.0,
                    f"{name}: answered {statuses} (want {'/'.join(map(str, wanted))}) within {slowest:.3f} s (≤ 1 s)"
                    + (f"; {sorted({o[2] for o in outcomes if o[2]})}" if any(o[2] for o in outcomes) else ""))


def fuzz_test(tokens, par):
    print("\n== (vi) schema fuzzing (schemathesis, all checks, every operation, each token role) ==", flush=True)
    stop_server()
    name = "hailong_schemathesis"  # empty: the fuzzing script migrates and sets up its own directory
    subprocess.run([os.path.join(PGBIN, "createdb"), "-h", work, "-U", "postgres", name], check=True)
    out = os.path.join(work, "fuzz.json")
    keep = os.path.join(work, "fuzz")
    started = time.monotonic()
    run = subprocess.run([sys.executable, os.path.join(REPO, "Tests/fuzz/schema_fuzz.py"), "--hailong", binary,
                          "--database-url", f"postgres://postgres@/{name}?host={work}",
                          "--examples", str(args.fuzz_examples), "--json", out, "--keep", keep],
                         env=dict(env, HAILONG_SQL_DIR=sql_dir), capture_output=True, text=True)
    print(run.stdout[-6000:] + run.stderr[-3000:])
    results = json.load(open(out)) if os.path.exists(out) else {}
    results["seconds"] = round(time.monotonic() - started)
    results["examples_per_operation"] = args.fuzz_examples
    figures["fuzz"] = results
    verdict(run.returncode == 0, f"schemathesis found nothing with {args.fuzz_examples} examples per operation "
            f"(exit {run.returncode}; reports in {keep})")


def unsafe_test(tokens, par):
    kill_test(tokens, expect_loss=True)
    warned = "HAILONG_UNSAFE_ACK_BEFORE_COMMIT=1" in open(server_log_path, errors="replace").read()
    verdict(warned, "the server logged the test-only switch loudly at start-up")


def main():
    log(f"cluster in {work}")
    as_pg([os.path.join(PGBIN, "initdb"), "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
    with open(os.path.join(pgdata, "postgresql.conf"), "a") as conf:
        conf.write(f"listen_addresses = ''\nunix_socket_directories = '{work}'\nmax_connections = 100\n"
                   "shared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n")
    pg_ctl("-w", "start")
    commit = subprocess.run(["git", "-C", os.path.dirname(sql_dir), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    if not commit:  # an exported tree (git archive) with the commit written next to it
        commit_file = os.path.join(os.path.dirname(sql_dir), ".commit")
        commit = open(commit_file).read().strip()[:7] if os.path.exists(commit_file) else "unknown"
    load = open("/proc/loadavg").read().split()[:3]
    print(f"HaiLong reliability  {datetime.now().astimezone().isoformat(timespec='seconds')}  binary {binary}  "
          f"commit {commit}  {os.cpu_count()} cores  load {' '.join(load)}  scenarios {','.join(only)}")
    figures["run"] = {"commit": commit, "binary": binary, "cores": os.cpu_count(), "load_at_start": load,
                      "started": datetime.now().astimezone().isoformat(timespec="seconds")}
    global server_env
    runs = {"kill": lambda t, p: kill_test(t), "pgrestart": lambda t, p: pg_restart_test(t), "aggkill": aggkill_test,
            "sigterm": sigterm_test, "hostile": hostile_test, "fuzz": fuzz_test, "unsafe": unsafe_test}
    for scenario in SCENARIOS:
        if scenario not in only:
            continue
        stop_server()
        # The fuzzing sets up a database of its own (Tests/fuzz/schema_fuzz.py).
        tokens, par = fresh_database(f"hailong_{scenario}") if scenario != "fuzz" else ([], None)
        server_env = {"HAILONG_UNSAFE_ACK_BEFORE_COMMIT": "1"} if scenario == "unsafe" else {}
        if scenario != "fuzz":
            start_server()
        scenario_started = time.monotonic()
        runs[scenario](tokens, par)
        figures.setdefault(scenario, {})["scenario_seconds"] = round(time.monotonic() - scenario_started, 1)
    stop_server()
    figures["run"]["load_at_end"] = open("/proc/loadavg").read().split()[:3]
    # The server's own account (LOG_LEVEL=warning): each distinct message, with how often it was logged.
    import re
    messages = {}
    with open(server_log_path, "a+", errors="replace") as f:
        f.seek(0)
        for line in f:
            if line.startswith("--- start"):
                continue
            key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d{4}-\d\d-\d\dT[\d:.+-]+Z?|\b\d+\b", "…", line.strip())[:220]
            messages[key] = messages.get(key, 0) + 1
    print(f"\nserver log ({server_log_path}): {sum(messages.values())} lines")
    for text, n in sorted(messages.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {n:6d} × {text}")
    figures["failures"] = failures
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2, ensure_ascii=False)
    print("\nRESULT: " + ("FAIL (" + "; ".join(failures) + ")" if failures else "PASS"))


try:
    main()
finally:
    cleanup()
sys.exit(1 if failures else 0)
