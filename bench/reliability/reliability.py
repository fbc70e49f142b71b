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

Prints PASS/FAIL lines and exits 1 when any check fails. Standard library only.

Usage: bench/reliability/reliability.py [--binary .build-release/release/hailong] [--clients 16] [--kills 3]
       [--port 18282] [--keep]
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
parser.add_argument("--only", choices=["kill", "pgrestart"], default=None)
parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
args = parser.parse_args()

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
env = dict(os.environ, DATABASE_URL=f"postgres://postgres@/hailong?host={work}", HAILONG_SQL_DIR=sql_dir,
           LOG_LEVEL=os.environ.get("LOG_LEVEL", "warning"))
base_host, base_port = "127.0.0.1", args.port
server = None


def pg_ctl(*words):
    as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-l", os.path.join(work, "postgres.log"), *words],
          stdout=subprocess.DEVNULL)


def psql(sql):
    out = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-h", work, "-U", "postgres",
                          "-d", "hailong", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def cli(*words):
    return subprocess.run([binary, *words], env=env, check=True, capture_output=True, text=True).stdout.strip()


def start_server():
    global server
    logfile = open(server_log_path, "a")
    logfile.write(f"--- start {datetime.now().isoformat()} ---\n")
    logfile.flush()
    server = subprocess.Popen([binary, "serve", "--host", base_host, "--port", str(base_port)], env=env,
                              stdout=logfile, stderr=logfile)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"hailong serve exited with {server.returncode}; see {server_log_path}")
        try:
            c = http.client.HTTPConnection(base_host, base_port, timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("hailong serve did not become ready in 30 s")


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


def kill_test(tokens):
    print("\n== (i) kill -9 under load ==", flush=True)
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
    counted = psql("SELECT coalesce(sum(n), 0) FROM response_counts WHERE question = 'overall'")
    applied = psql("SELECT coalesce((SELECT applied_total FROM aggregator_state), 0)")
    verdict(int(counted) == db_rows and int(applied) == db_rows,
            f"aggregated exactly once: cube 'overall' cells {counted}, applied_total {applied}, rows {db_rows}")


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


def main():
    log(f"cluster in {work}")
    as_pg([os.path.join(PGBIN, "initdb"), "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
    with open(os.path.join(pgdata, "postgresql.conf"), "a") as conf:
        conf.write(f"listen_addresses = ''\nunix_socket_directories = '{work}'\nmax_connections = 100\n"
                   "shared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n")
    pg_ctl("-w", "start")
    subprocess.run([os.path.join(PGBIN, "createdb"), "-h", work, "-U", "postgres", "hailong"], check=True)
    cli("migrate")
    cli("agency", "add", "--code", "REL", "--name", "Sở Thử nghiệm", "--kind", "department")
    cli("counter", "add", "--agency", "REL", "--code", "Q1", "--name", "Quầy 1")
    cli("officer", "add", "--agency", "REL", "--badge", "B-1", "--name", "Nguyễn Văn A", "--counter", "Q1")
    tokens = [cli("kiosk", "add", "--agency", "REL", "--counter", "Q1", "--label", f"rel {i}").splitlines()[0]
              for i in range(8)]
    start_server()
    commit = subprocess.run(["git", "-C", os.path.dirname(sql_dir), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    if not commit:  # an exported tree (git archive) with the commit written next to it
        commit_file = os.path.join(os.path.dirname(sql_dir), ".commit")
        commit = open(commit_file).read().strip()[:7] if os.path.exists(commit_file) else "unknown"
    print(f"HaiLong reliability  {datetime.now().astimezone().isoformat(timespec='seconds')}  binary {binary}  "
          f"commit {commit}  {os.cpu_count()} cores")
    if args.only in (None, "kill"):
        kill_test(tokens)
    if args.only in (None, "pgrestart"):
        pg_restart_test(tokens)
    # The server's own account (LOG_LEVEL=warning): each distinct message, with how often it was logged.
    import re
    messages = {}
    with open(server_log_path, errors="replace") as f:
        for line in f:
            if line.startswith("--- start"):
                continue
            key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d{4}-\d\d-\d\dT[\d:.+-]+Z?|\b\d+\b", "…", line.strip())[:220]
            messages[key] = messages.get(key, 0) + 1
    print(f"\nserver log ({server_log_path}): {sum(messages.values())} lines")
    for text, n in sorted(messages.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {n:6d} × {text}")
    print("\nRESULT: " + ("FAIL (" + "; ".join(failures) + ")" if failures else "PASS"))


try:
    main()
finally:
    cleanup()
sys.exit(1 if failures else 0)
