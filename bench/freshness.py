#!/usr/bin/env python3
"""Acknowledged → visible: how long after POST /api/v1/responses answers 201 does the rating show in
GET /api/v1/indices? Target (docs/BENCHMARKS.md, "Freshness"): p95 ≤ 3 s.

Starts its own `hailong serve` on an embedded PostgreSQL in a temporary directory (or uses DATABASE_URL),
creates an agency, a kiosk and a PAR token with the CLI, then posts N ratings one after another and polls the
figures every 20 ms after each until n has grown. Prints each latency and the summary.

Usage: bench/freshness.py [--binary .build/release/hailong] [--n 30] [--port 18080]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time, urllib.request, uuid
from datetime import datetime, timezone, timedelta

parser = argparse.ArgumentParser()
parser.add_argument("--binary", default=".build/debug/hailong")
parser.add_argument("--n", type=int, default=30)
parser.add_argument("--port", type=int, default=18080)
args = parser.parse_args()

data_dir = tempfile.mkdtemp(prefix="hailong-bench-")
os.chmod(data_dir, 0o755)  # as root, the embedded cluster runs as `postgres`, which must reach it
env = dict(os.environ, HAILONG_DATA_DIR=data_dir, HAILONG_PORT=str(args.port), LOG_LEVEL="warning")

def cli(*words):
    return subprocess.run([args.binary, *words], env=env, check=True, capture_output=True, text=True).stdout.strip()

cli("agency", "add", "--code", "BENCH", "--name", "Sở Thử nghiệm", "--kind", "department")
# The first line is the kiosk's token (a pairing code follows it).
kiosk = cli("kiosk", "add", "--agency", "BENCH", "--label", "bench").splitlines()[0]
par = cli("token", "add", "--name", "bench", "--role", "par")
server = subprocess.Popen([args.binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{args.port}"
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    zone = timezone(timedelta(hours=7))
    now = datetime.now(zone)
    # Yesterday..today, so that taps an hour back stay in the period whatever the time of day.
    period = f"{(now - timedelta(days=1)).strftime('%Y-%m-%d')}..{now.strftime('%Y-%m-%d')}"

    def count():
        request = urllib.request.Request(f"{base}/api/v1/indices?period={period}&agency=BENCH",
                                         headers={"Authorization": f"Bearer {par}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)["items"][0]["n"]

    latencies = []
    for i in range(args.n):
        before = count()
        # Taps 10 s apart by tap time: closer taps on one kiosk are rapid repeats, excluded from n.
        tap = now - timedelta(hours=1) + timedelta(seconds=10 * i)
        body = json.dumps({"questionnaire": "kiosk-3", "answers": {"overall": 3},
                           "submitted_at": tap.isoformat(timespec="seconds")}).encode()
        request = urllib.request.Request(f"{base}/api/v1/responses", data=body, method="POST", headers={
            "Authorization": f"Bearer {kiosk}", "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
        acknowledged = time.monotonic()
        while count() == before:
            time.sleep(0.02)
        latencies.append(time.monotonic() - acknowledged)
        print(f"{i + 1:3d}  {latencies[-1] * 1000:7.0f} ms")
        time.sleep(0.1)
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    print(f"n={len(latencies)}  p50={statistics.median(latencies) * 1000:.0f} ms  p95={p95 * 1000:.0f} ms  "
          f"max={latencies[-1] * 1000:.0f} ms  (target p95 ≤ 3000 ms)")
finally:
    server.terminate()
    server.wait(timeout=30)
