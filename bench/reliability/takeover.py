#!/usr/bin/env python3
"""Two `hailong serve` replicas on one PostgreSQL: both answer, one aggregates at a time, the other takes over.

On a throwaway cluster set up as in production (owner, hailong_runtime, the service's login; TCP on loopback), with
LOG_FORMAT=json (so it checks the JSON logs as it goes):
  1. both replicas answer HTTP: kiosk ratings are posted to both, alternately, all through the run;
  2. while they run, the aggregation lock (a transaction-scoped advisory lock, AggregationLock.key) is sampled
     every few milliseconds by a server-side loop: it is never held by two backends at once, and each holder is
     traced to its replica (the backend's client port → the process owning that socket);
  3. the replica holding the lock — caught mid-step where possible, else the last one seen holding it — is killed
     with SIGKILL; the takeover time is from the kill to the survivor's first step that applies ratings (the
     aggregator's applied_total moving again), and must be ≤ 10 s; ratings posted after the kill are counted;
  4. once the queue is empty, every cell of the cube and the survivor's /api/v1/indices answer equal what
     `hailong aggregate --rebuild` recounts from the raw responses.
Prints PASS/FAIL lines; exits 1 when any check fails. Standard library only.

Usage: bench/reliability/takeover.py [--binary .build/debug/hailong] [--seconds 6] [--bound 10]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
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
parser.add_argument("--binary", default=os.environ.get("HAILONG_BIN", os.path.join(REPO, ".build/debug/hailong")))
parser.add_argument("--pgbin", default=None, help="PostgreSQL's bin directory (default: the newest installed)")
parser.add_argument("--seconds", type=float, default=6.0, help="seconds of load and lock sampling before the kill")
parser.add_argument("--bound", type=float, default=10.0, help="the takeover bound in seconds")
parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
args = parser.parse_args()

binary = os.path.realpath(args.binary)
if not os.access(binary, os.X_OK):
    sys.exit(f"no hailong binary at {binary} (swift build --product hailong)")
PGBIN = args.pgbin or sorted((os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")),
                             key=lambda p: int(p.split("/")[-2]))[-1]
IS_ROOT = os.geteuid() == 0
ZONE = timezone(timedelta(hours=7))
LOCK = "locktype = 'advisory' AND classid = 1212956999 AND objid = 1196574023 AND granted"  # AggregationLock.key
failures = []


def verdict(ok, text):
    print(("PASS  " if ok else "FAIL  ") + text, flush=True)
    if not ok:
        failures.append(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_pg(cmd, **kwargs):
    return subprocess.run((["runuser", "-u", "postgres", "--"] if IS_ROOT else []) + cmd, check=True, **kwargs)


work = tempfile.mkdtemp(prefix="hailong-takeover-")
os.chmod(work, 0o755)
if IS_ROOT:
    shutil.chown(work, "postgres", "postgres")
pgdata, pg_port = os.path.join(work, "pg"), free_port()
env = dict(os.environ, DATABASE_URL=f"postgres://hailong_app@127.0.0.1:{pg_port}/hailong",
           MIGRATION_DATABASE_URL=f"postgres://hailong_owner@127.0.0.1:{pg_port}/hailong",
           HAILONG_SQL_DIR=os.path.join(REPO, "sql"), LOG_FORMAT="json", LOG_LEVEL="debug",
           HAILONG_STALE_ANSWERS_S="0")
replicas = {}  # name -> {"process", "port", "log"}


def psql(sql, user="postgres", db="hailong"):
    return subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                           "-p", str(pg_port), "-U", user, "-d", db, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def cli(*words):
    return subprocess.run([binary, *words], env=dict(env, LOG_LEVEL="warning"), check=True, capture_output=True,
                          text=True).stdout.strip()


def start_replica(name):
    port = free_port()
    log_path = os.path.join(work, f"{name}.log")
    process = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=open(log_path, "w"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"replica {name} exited with {process.returncode}; see {log_path}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                replicas[name] = {"process": process, "port": port, "log": log_path}
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"replica {name} not ready in 120 s")


def socket_owners():
    """Local TCP port -> the replica whose process owns that socket (from /proc)."""
    inode_to_name = {}
    for name, r in replicas.items():
        fd_dir = f"/proc/{r['process'].pid}/fd"
        try:
            for fd in os.listdir(fd_dir):
                target = os.readlink(os.path.join(fd_dir, fd))
                if target.startswith("socket:["):
                    inode_to_name[target[8:-1]] = name
        except OSError:
            continue
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if fields[9] in inode_to_name:
                    owners[port] = inode_to_name[fields[9]]
    return owners


class Load:
    """Kiosk ratings posted to the replicas in turn; a failed attempt is retried (same key) on the next replica."""

    def __init__(self, token, threads=4):
        self.token, self.stop, self.lock = token, threading.Event(), threading.Lock()
        self.acked, self.by_replica, self.after_kill = set(), {}, set()
        self.killed_at = None
        self.threads = [threading.Thread(target=self.worker, args=(i,), daemon=True) for i in range(threads)]
        for t in self.threads:
            t.start()

    def worker(self, index):
        turn = index
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            body = json.dumps({"questionnaire": "kiosk-3", "officer": "B-1", "answers": {"overall": random.choice([1, 2, 3])},
                               "submitted_at": datetime.now(ZONE).isoformat(timespec="milliseconds")})
            for _ in range(200):
                names = [n for n, r in replicas.items() if r["process"].poll() is None]
                name = names[turn % len(names)]
                turn += 1
                try:
                    c = http.client.HTTPConnection("127.0.0.1", replicas[name]["port"], timeout=5)
                    c.request("POST", "/api/v1/responses", body=body, headers={
                        "Authorization": f"Bearer {self.token}", "Idempotency-Key": key,
                        "Content-Type": "application/json"})
                    status = c.getresponse().status
                except OSError:
                    status = None
                if status == 201:
                    with self.lock:
                        self.acked.add(key)
                        self.by_replica[name] = self.by_replica.get(name, 0) + 1
                        if self.killed_at is not None:
                            self.after_kill.add(key)
                    break
                time.sleep(0.05)
            time.sleep(0.02)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def cube_snapshot():
    return psql("SELECT count(*) || ' ' || coalesce(sum(n), 0) || ' ' || coalesce(md5(string_agg(c::text, ';' ORDER BY "
                "c::text)), '-') FROM (SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, "
                "counter_id, channel, sum(n) AS n FROM counted_cells GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 "
                "HAVING sum(n) <> 0) c")


def indices(port, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", f"/api/v1/indices?period={datetime.now(ZONE).year}&agency=TKO&depth=all",
              headers={"Authorization": f"Bearer {token}"})
    response = c.getresponse()
    document = json.loads(response.read().decode())

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "as_of"}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return json.dumps(strip(document), sort_keys=True)


def main():
    as_pg([os.path.join(PGBIN, "initdb"), "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
    with open(os.path.join(pgdata, "postgresql.conf"), "a") as conf:
        conf.write(f"port = {pg_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n")
    as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-l", os.path.join(work, "postgres.log"), "-w", "start"],
          stdout=subprocess.DEVNULL)
    psql("CREATE ROLE hailong_owner LOGIN; CREATE ROLE hailong_runtime NOLOGIN; "
         "CREATE ROLE hailong_app LOGIN IN ROLE hailong_runtime; GRANT hailong_runtime TO hailong_owner;", db="postgres")
    psql("CREATE DATABASE hailong OWNER hailong_owner", db="postgres")
    cli("migrate")
    cli("agency", "add", "--code", "TKO", "--name", "Sở Thử nghiệm", "--kind", "department")
    cli("counter", "add", "--agency", "TKO", "--code", "Q1", "--name", "Quầy 1")
    cli("officer", "add", "--agency", "TKO", "--badge", "B-1", "--name", "Nguyễn Văn A", "--counter", "Q1")
    kiosk = cli("kiosk", "add", "--agency", "TKO", "--counter", "Q1", "--label", "takeover").splitlines()[0]
    par = cli("token", "add", "--name", "takeover-par", "--role", "par").splitlines()[0]
    start_replica("A")
    start_replica("B")
    print(f"two replicas: A pid {replicas['A']['process'].pid} :{replicas['A']['port']}, "
          f"B pid {replicas['B']['process'].pid} :{replicas['B']['port']}; PostgreSQL :{pg_port}", flush=True)
    load = Load(kiosk)

    # 2. Sample the lock server-side, every 2 ms, for --seconds: holders per sample and their client ports.
    psql(f"""CREATE UNLOGGED TABLE lock_samples (at timestamptz, holders int, ports int[]);
        DO $$ BEGIN
          FOR i IN 1..{int(args.seconds * 500)} LOOP
            INSERT INTO lock_samples SELECT clock_timestamp(), count(*), array_agg(a.client_port)
              FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE {LOCK.replace("locktype", "l.locktype")};
            PERFORM pg_sleep(0.002);
          END LOOP;
        END $$""")
    owners = socket_owners()
    samples = psql("SELECT count(*), max(holders), count(*) FILTER (WHERE holders = 1) FROM lock_samples").split("|")
    ports = [int(p) for p in psql("SELECT p FROM lock_samples, unnest(ports) p WHERE holders > 0 ORDER BY at").split()]
    holders = [owners.get(p, "?") for p in ports]
    print(f"{samples[0]} samples of the lock in {args.seconds:.0f} s: held in {samples[2]}, at most {samples[1]} holder(s) "
          f"at once; holders by replica: " + ", ".join(f"{n} {holders.count(n)}" for n in sorted(set(holders))), flush=True)
    verdict(int(samples[1] or 0) <= 1, "the aggregation lock is never held by two backends at once")
    verdict(int(samples[2] or 0) > 0, "a step was seen holding the lock")
    steps = {}
    for name, r in replicas.items():
        with open(r["log"]) as f:
            lines = [json.loads(line) for line in f if line.startswith("{")]
        steps[name] = sum(1 for line in lines if line["message"] == "aggregated")
    verdict(all(line.startswith("{") for r in replicas.values() for line in open(r["log"]) if line.strip()),
            "LOG_FORMAT=json: every log line of both replicas is one JSON object")
    print(f"aggregation steps that applied ratings, from each replica's JSON log: {steps}", flush=True)

    # 3. Kill the replica whose step holds the lock (caught mid-step if we can), else the last holder.
    victim, caught = None, False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and victim is None:
        port = psql(f"SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    f"WHERE {LOCK.replace('locktype', 'l.locktype')}")
        if port:
            victim = socket_owners().get(int(port))
            caught = victim is not None
    if victim is None:
        victim = holders[-1] if holders and holders[-1] != "?" else "A"
    survivor = "B" if victim == "A" else "A"
    applied_before = int(psql("SELECT applied_total FROM aggregator_state"))
    replicas[victim]["process"].send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    load.killed_at = killed_at
    replicas[victim]["process"].wait()
    print(f"kill -9 replica {victim} ({'while its step held the lock' if caught else 'the last holder seen'}); "
          f"applied_total {applied_before}", flush=True)
    takeover = None
    while time.monotonic() - killed_at < 30:
        if int(psql("SELECT applied_total FROM aggregator_state")) > applied_before:
            takeover = time.monotonic() - killed_at
            break
        time.sleep(0.05)
    verdict(takeover is not None and takeover <= args.bound,
            f"replica {survivor} aggregates {takeover if takeover is None else round(takeover, 2)} s after the kill "
            f"(bound {args.bound:.0f} s)")
    time.sleep(2)
    load.finish()

    # 4. Drained, then the counts against a rebuild.
    deadline = time.monotonic() + 60
    while psql("SELECT count(*) FROM pending_aggregation") != "0" and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = int(psql("SELECT count(*) FROM responses"))
    print(f"ratings acknowledged: {len(load.acked)} (by replica: {load.by_replica}), {len(load.after_kill)} after the "
          f"kill; rows {rows}", flush=True)
    verdict(rows == len(load.acked), f"every acknowledged rating stored once ({rows} rows, {len(load.acked)} acknowledged)")
    before, figures_before = cube_snapshot(), indices(replicas[survivor]["port"], par)
    replicas[survivor]["process"].terminate()
    replicas[survivor]["process"].wait(timeout=30)
    cli("aggregate", "--rebuild")
    after = cube_snapshot()
    start_replica(survivor)
    figures_after = indices(replicas[survivor]["port"], par)
    verdict(before == after, f"every cube cell equals `hailong aggregate --rebuild` ({before})")
    verdict(figures_before == figures_after, "the survivor's /api/v1/indices answer equals the one after the rebuild")
    overall = int(psql("SELECT coalesce(sum(n), 0) FROM counted_cells WHERE question = 'overall'"))
    verdict(overall == rows, f"the 'overall' cells count every rating once ({overall} = {rows})")


try:
    main()
finally:
    for r in replicas.values():
        if r["process"].poll() is None:
            r["process"].terminate()
            try:
                r["process"].wait(timeout=30)
            except subprocess.TimeoutExpired:
                r["process"].kill()
    if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
        as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
    if args.keep or failures:
        print(f"logs kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
print("RESULT: " + ("FAIL (" + "; ".join(failures) + ")" if failures else "PASS"))
sys.exit(1 if failures else 0)
