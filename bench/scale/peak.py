#!/usr/bin/env python3
"""A province at its morning peak, for docs/SCALING.md: ratings arriving at a steady rate while the figures and pages
are read, for some minutes, on one `hailong serve` and one PostgreSQL on this machine.

A throwaway cluster set up as in production (owner, hailong_runtime, the service's login; TCP on loopback) holds the
aggregation benchmark's province (1,000 agencies, 10,000 officers: bench/aggregate/directory.sql) and --preload
ratings of this year (bench/aggregate/responses.sql, counted by `hailong aggregate --rebuild`: a province's year so
far). Then for --minutes:
  - kiosk ratings at --rate a second (20 kiosks of different agencies, each rating retried with its key until 201);
  - two readers in turn: GET /api/v1/indices for the province (depth=1, 1,001 items) and for one commune, the
    commune's trend by month, the web survey page, and (signed in as the province's administrator) the overview
    and a commune's page.
It prints the latency of each kind (p50/p95/max), the ratings' freshness (acknowledged → counted), and the CPU
seconds `hailong` and PostgreSQL used (from /proc), per rating and per read. Standard library only.

Usage: bench/scale/peak.py [--binary .build/debug/hailong] [--rate 2] [--minutes 10] [--preload 600000]
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--binary", default=os.environ.get("HAILONG_BIN", os.path.join(REPO, ".build/debug/hailong")))
parser.add_argument("--rate", type=float, default=2.0, help="ratings a second")
parser.add_argument("--minutes", type=float, default=10.0)
parser.add_argument("--preload", type=int, default=600_000, help="ratings already counted when the peak starts")
parser.add_argument("--json", default=None, help="also write the figures to this file")
args = parser.parse_args()
binary = os.path.realpath(args.binary)
PGBIN = sorted((os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")),
               key=lambda p: int(p.split("/")[-2]))[-1]
IS_ROOT = os.geteuid() == 0
ZONE = timezone(timedelta(hours=7))
YEAR = datetime.now(ZONE).year


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_pg(cmd, **kw):
    return subprocess.run((["runuser", "-u", "postgres", "--"] if IS_ROOT else []) + cmd, check=True, **kw)


work = tempfile.mkdtemp(prefix="hailong-peak-")
os.chmod(work, 0o755)
if IS_ROOT:
    shutil.chown(work, "postgres", "postgres")
pgdata, pg_port, http_port = os.path.join(work, "pg"), free_port(), free_port()
env = dict(os.environ, DATABASE_URL=f"postgres://hailong_app@127.0.0.1:{pg_port}/hailong",
           MIGRATION_DATABASE_URL=f"postgres://hailong_owner@127.0.0.1:{pg_port}/hailong",
           HAILONG_SQL_DIR=os.path.join(REPO, "sql"), LOG_LEVEL="warning", HAILONG_SECURE_COOKIES="0",
           HAILONG_PORT=str(http_port))


def psql(sql, db="hailong", files=(), variables=()):
    cmd = [os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
           str(pg_port), "-U", "postgres", "-d", db]
    for name, value in variables:
        cmd += ["-v", f"{name}={value}"]
    cmd += [x for f in files for x in ("-f", f)] if files else ["-c", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def cli(*words, stdin=None):
    return subprocess.run([binary, *words], env=env, check=True, capture_output=True, text=True, input=stdin).stdout


def cpu_seconds(pids):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick   # utime + stime
        except (OSError, IndexError):
            pass
    return total


def postgres_pids():
    """The postmaster and its children (backends, checkpointer, WAL writer …) now; CPU of backends that ended in
    between is not counted, so the PostgreSQL figure is a lower bound."""
    main = open(os.path.join(pgdata, "postmaster.pid")).readline().strip()
    return [main] + subprocess.run(["pgrep", "-P", main], capture_output=True, text=True).stdout.split()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


class Session:
    """HTTP/1.1 keep-alive to the service."""

    def __init__(self):
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=60)
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def sign_in(username, password):
    s = Session()
    def cookies(headers):
        return [v.split(";")[0].strip() for k, v in headers if k.lower() == "set-cookie"]
    status, headers, body = s.request("GET", "/admin/sign-in")
    nonce_cookie = "; ".join(cookies(headers))
    csrf = re.search(rb'name="csrf" value="([^"]+)"', body)
    if status != 200 or not csrf:
        return None
    form = urllib.parse.urlencode({"csrf": csrf.group(1).decode(), "username": username, "password": password})
    status, headers, _ = s.request("POST", "/admin/sign-in", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": nonce_cookie,
        "Origin": f"http://127.0.0.1:{http_port}", "Host": f"127.0.0.1:{http_port}"})
    session = [c for c in cookies(headers) if c.startswith("hl_session=")]
    return session[0] if status in (302, 303) and session else None


def main():
    as_pg([os.path.join(PGBIN, "initdb"), "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
    with open(os.path.join(pgdata, "postgresql.conf"), "a") as conf:
        conf.write(f"port = {pg_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
                   "shared_buffers = 512MB\n")
    as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-l", os.path.join(work, "postgres.log"), "-w", "start"],
          stdout=subprocess.DEVNULL)
    psql("CREATE ROLE hailong_owner LOGIN; CREATE ROLE hailong_runtime NOLOGIN; "
         "CREATE ROLE hailong_app LOGIN IN ROLE hailong_runtime; GRANT hailong_runtime TO hailong_owner", db="postgres")
    psql("CREATE DATABASE hailong OWNER hailong_owner", db="postgres")
    cli("migrate")
    started = time.monotonic()
    psql(None, files=[os.path.join(REPO, "bench/aggregate/directory.sql")], variables=[("province", "P")])
    days = (datetime.now(ZONE).date() - datetime(YEAR, 1, 1).date()).days
    for lo in range(1, args.preload + 1, 200_000):
        hi = min(args.preload, lo + 199_999)
        psql(None, files=[os.path.join(REPO, "bench/aggregate/responses.sql")], variables=[
            ("lo", lo), ("hi", hi), ("g0", 1), ("total", args.preload), ("day0", f"{YEAR}-01-01"), ("span", days),
            ("zone", "Asia/Ho_Chi_Minh"), ("seed", f"0.{lo}"), ("queue", "false")])
    cli("aggregate", "--rebuild")
    cli("aggregate", "--compact")
    psql("VACUUM ANALYZE")
    print(f"preloaded {args.preload} ratings of {YEAR} for 1,000 agencies in {time.monotonic() - started:.0f} s",
          flush=True)
    communes = [f"P.X{i:03d}" for i in range(1, 971)]
    kiosks = [cli("kiosk", "add", "--agency", communes[i * 40], "--counter", "Q1", "--label", f"peak {i}").splitlines()[0]
              for i in range(20)]
    par = cli("token", "add", "--name", "peak", "--role", "par").splitlines()[0]
    password = "Peak-" + uuid.uuid4().hex
    cli("user", "add", "--username", "peak.admin", "--role", "agency_admin", "--agency", "P", "--password-stdin",
        stdin=password + "\n")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(work, "serve.log"), "w"))
    try:
        for _ in range(600):
            try:
                if Session().request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        cookie = sign_in("peak.admin", password)
        print("signed in as the province's administrator" if cookie else "sign-in failed: pages are not read",
              flush=True)
        run(server, kiosks, par, cookie, communes)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(server, kiosks, par, cookie, communes):
    stop = threading.Event()
    lock = threading.Lock()
    latencies = {}
    statuses = {}
    acked = []

    def note(kind, seconds, status):
        with lock:
            latencies.setdefault(kind, []).append(seconds)
            if status != 200 and status != 201:
                statuses[(kind, status)] = statuses.get((kind, status), 0) + 1

    def rater(index, rate):
        s = Session()
        next_at = time.monotonic()
        while not stop.is_set():
            next_at += random.expovariate(rate)
            time.sleep(max(0.0, next_at - time.monotonic()))
            key = str(uuid.uuid4())
            body = json.dumps({"questionnaire": "kiosk-3", "officer": "CB-01",
                               "answers": {"overall": random.choice([1, 2, 3, 3])},
                               "submitted_at": datetime.now(ZONE).isoformat(timespec="milliseconds")})
            token = kiosks[random.randrange(len(kiosks))]
            for _ in range(20):
                t0 = time.monotonic()
                try:
                    status = s.request("POST", "/api/v1/responses", body=body, headers={
                        "Authorization": f"Bearer {token}", "Idempotency-Key": key,
                        "Content-Type": "application/json"})[0]
                except OSError:
                    status = None
                note("POST rating", time.monotonic() - t0, status)
                if status == 201:
                    with lock:
                        acked.append(time.time())
                    break
                time.sleep(0.2)

    reads = [
        ("indices province depth=1", f"/api/v1/indices?period={YEAR}&agency=P&depth=1", "token"),
        ("indices commune", None, "token"),
        ("trend commune by month", None, "token"),
        ("survey page", None, None),
    ]
    if cookie:
        reads += [("page overview", "/admin", "cookie"), ("page commune", None, "cookie")]

    def reader(index):
        s = Session()
        while not stop.is_set():
            for kind, path, auth in reads:
                commune = random.choice(communes)
                path = path or {
                    "indices commune": f"/api/v1/indices?period={YEAR}&agency={commune}",
                    "trend commune by month": f"/api/v1/indices/trend?period={YEAR}&agency={commune}&by=month",
                    "survey page": f"/s/{commune}",
                    "page commune": f"/admin/agencies/{commune}",
                }[kind]
                headers = {"Authorization": f"Bearer {par}"} if auth == "token" else (
                    {"Cookie": cookie} if auth == "cookie" else {})
                t0 = time.monotonic()
                status = s.request("GET", path, headers=headers)[0]
                note(kind, time.monotonic() - t0, status)
                time.sleep(0.5)

    pg = postgres_pids()
    cpu0 = (cpu_seconds([server.pid]), cpu_seconds(pg), time.monotonic())
    threads = [threading.Thread(target=rater, args=(i, args.rate / 2), daemon=True) for i in range(2)]
    threads += [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    # Freshness: every 15 s, how long until what is stored at that moment has been counted (the queue is empty).
    fresh = []
    deadline = time.monotonic() + args.minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(15, max(0, deadline - time.monotonic())))
        t0 = time.monotonic()
        last = int(psql("SELECT coalesce(max(seq), 0) FROM responses"))
        while psql(f"SELECT EXISTS (SELECT 1 FROM pending_aggregation WHERE seq <= {last})") == "t" \
                and time.monotonic() - t0 < 30:
            time.sleep(0.05)
        fresh.append(time.monotonic() - t0)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    pg = postgres_pids()
    cpu1 = (cpu_seconds([server.pid]), cpu_seconds(pg), time.monotonic())
    wall = cpu1[2] - cpu0[2]
    ratings = len(acked)
    n_reads = sum(len(v) for k, v in latencies.items() if k != "POST rating")
    print(f"\n{args.minutes:.0f} min at {args.rate}/s: {ratings} ratings acknowledged ({ratings / wall:.2f}/s), "
          f"{n_reads} reads; load average {open('/proc/loadavg').read().split()[0]}")
    print(f"{'kind':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>9}")
    figures = {"rate": args.rate, "minutes": args.minutes, "preload": args.preload, "ratings": ratings, "kinds": {}}
    for kind, values in latencies.items():
        row = [len(values)] + [round(1000 * x, 1) for x in (percentile(values, 50), percentile(values, 95), max(values))]
        figures["kinds"][kind] = row
        print(f"{kind:28} {row[0]:6d} {row[1]:8.1f} {row[2]:8.1f} {row[3]:9.1f}")
    if statuses:
        print("answers other than 200/201: " + ", ".join(f"{k[0]} {k[1]}: {v}" for k, v in statuses.items()))
    hailong_cpu, pg_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    print(f"CPU: hailong {hailong_cpu:.1f} s, PostgreSQL {pg_cpu:.1f} s in {wall:.0f} s "
          f"({100 * (hailong_cpu + pg_cpu) / wall:.1f} % of one core)")
    print(f"stored → counted (probes every 15 s): median {percentile(fresh, 50):.2f} s, max {max(fresh, default=0):.2f} s")
    figures.update(hailong_cpu=hailong_cpu, postgres_cpu=pg_cpu, wall=wall, statuses={f"{k[0]} {k[1]}": v for k, v in statuses.items()})
    if args.json:
        json.dump(figures, open(args.json, "w"), indent=2)


try:
    main()
finally:
    if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
        as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", pgdata, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
    shutil.rmtree(work, ignore_errors=True)
