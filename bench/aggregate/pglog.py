#!/usr/bin/env python3
"""Statement durations from a PostgreSQL log written with log_min_duration_statement = 0 and
log_line_prefix = '%m [%p] %a ' (bench/aggregate/run.sh sets both), from a byte offset on.

  pglog.py LOG OFFSET [--exclude-app NAME] [--plans FILE]

Prints one line per statement kind (the first 60 characters of its text, parse + bind + execute summed per
execution): count, total, median, p95 and max in ms, plus a final "RESULT" block run.sh parses:
  RESULT apply_n / apply_total_ms / apply_median_ms / apply_max_ms   the aggregator's batch statement
  RESULT all_total_ms                                                 every statement (but excluded applications')
With --plans, auto_explain's plans (if any) are written to FILE.
"""
import re, statistics, sys

path, offset = sys.argv[1], int(sys.argv[2])
excluded = set()
plans_file = None
args = sys.argv[3:]
while args:
    flag = args.pop(0)
    if flag == "--exclude-app":
        excluded.add(args.pop(0))
    elif flag == "--plans":
        plans_file = args.pop(0)

# A log entry starts with a timestamp; continuation lines (statement text, plans) follow it. The log is read
# entry by entry (it can be large), and only an entry's first 64 KiB are kept.
entry_start = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[(\d+)\] (\S*) ")
duration = re.compile(r"LOG:  duration: ([0-9.]+) ms  (parse|bind|execute|statement)( [^:]*)?: (.*)", re.S)
kinds = {}       # statement kind → list of per-execution ms
pending = {}     # (pid, statement) → ms of parse/bind waiting for their execute
plans = []
MAX_ENTRY = 65536
MAX_PLANS = 200

def entries():
    with open(path, "rb") as f:
        f.seek(offset)
        current = None
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = entry_start.match(line)
            if m:
                if current:
                    yield current
                current = [m.group(1), m.group(2), [line[m.end():]], len(line)]
            elif current and current[3] < MAX_ENTRY:
                current[2].append(line)
                current[3] += len(line)
        if current:
            yield current

for pid, application, parts, _ in entries():
    if application in excluded:
        continue
    body = "".join(parts)
    if "plan:" in body and "Query Text:" in body:
        if len(plans) < MAX_PLANS:
            plans.append(body)
        continue
    m = duration.match(body)
    if not m:
        continue
    ms, phase, statement = float(m.group(1)), m.group(2), m.group(4)
    key = " ".join(statement.split())[:60]
    if phase in ("parse", "bind"):
        pending[(pid, key)] = pending.get((pid, key), 0.0) + ms
        continue
    ms += pending.pop((pid, key), 0.0)
    kinds.setdefault(key, []).append(ms)

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

print(f"{'statement (first 60 characters)':62} {'count':>6} {'total ms':>10} {'median':>8} {'p95':>8} {'max':>8}")
for key, values in sorted(kinds.items(), key=lambda kv: -sum(kv[1])):
    print(f"{key:62} {len(values):6d} {sum(values):10.1f} {statistics.median(values):8.2f} "
          f"{pct(values, 95):8.2f} {max(values):8.2f}")
apply = [v for k, vs in kinds.items() if k.startswith("WITH batch AS") for v in vs]
print(f"RESULT apply_n={len(apply)}")
print(f"RESULT apply_total_ms={sum(apply):.1f}")
print(f"RESULT apply_median_ms={statistics.median(apply) if apply else 0:.2f}")
print(f"RESULT apply_max_ms={max(apply) if apply else 0:.2f}")
print(f"RESULT all_total_ms={sum(sum(v) for v in kinds.values()):.1f}")
if plans_file:
    with open(plans_file, "w") as f:
        f.write("\n".join(plans))
