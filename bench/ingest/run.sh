#!/usr/bin/env bash
# Ingest benchmark (targets and results: docs/BENCHMARKS.md, "Ingest"), in ONE run on one throwaway PostgreSQL cluster:
#   a. throughput of POST /api/v1/responses under wrk (closed loop), rows/s counted in the database
#   b. pgbench, 32 clients, the service's own single-row INSERT (responses + pending_aggregation), rows/s
#   c. ratio a ÷ b (target ≥ 1.0)
#   d. latency at a fixed request rate (target p99 ≤ 10 ms at 5,000 req/s), paced with wrk's delay()
#   e. peak RSS of the hailong process (VmHWM; target ≤ 150 MB)
#   f. a summary block; everything is torn down on exit.
#
# Usage (from the repository root, as root or as a user that can run `runuser -u postgres`):
#   swift build -c release --scratch-path .build-release
#   bench/ingest/run.sh [path/to/hailong]
# Environment knobs (defaults in brackets):
#   PORT [18181]  KIOSKS [8]  WARMUP_S [5]  DURATION_S [20]
#   WRK_THREADS [2]  WRK_CONNECTIONS [64]           throughput phase
#   PGBENCH_CLIENTS [32]  PGBENCH_JOBS [2]  PGBENCH_MODE [extended] (the service's protocol: parse/bind/execute)
#   LATENCY_RATES ["5000 2000 1000 500 250 100"]  LATENCY_CONNECTIONS [50]  LATENCY_S [20]
#       rates are tried in order; the run stops at the first one that is both reached (≥ 95 %) and has p99 ≤ 10 ms
#   HAILONG_SQL_DIR [sql/ of the checkout the binary lives in]   KEEP [0]: 1 keeps the temp dir (logs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="$(realpath "${1:-$repo/.build-release/release/hailong}")"
[[ -x "$binary" ]] || { echo "no hailong binary at $binary (swift build -c release --scratch-path .build-release)" >&2; exit 2; }
# The migrations of the checkout the binary was built from: the nearest parent of the binary with Package.swift and sql/.
find_checkout() {
    local dir; dir="$(dirname "$1")"
    while [[ "$dir" != / ]]; do
        [[ -f "$dir/Package.swift" && -d "$dir/sql" ]] && { echo "$dir"; return; }
        dir="$(dirname "$dir")"
    done
    echo "$repo"
}
sql_dir="${HAILONG_SQL_DIR:-$(find_checkout "$binary")/sql}"
binary_checkout="$(dirname "$sql_dir")"

PORT="${PORT:-18181}"
KIOSKS="${KIOSKS:-8}"
WARMUP_S="${WARMUP_S:-5}"
DURATION_S="${DURATION_S:-20}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-32}"
PGBENCH_JOBS="${PGBENCH_JOBS:-2}"
PGBENCH_MODE="${PGBENCH_MODE:-extended}"
LATENCY_RATES="${LATENCY_RATES:-5000 2000 1000 500 250 100}"
LATENCY_CONNECTIONS="${LATENCY_CONNECTIONS:-50}"
LATENCY_S="${LATENCY_S:-20}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"

for tool in wrk "$PGBIN/pgbench" "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk postgresql-15)" >&2; exit 2; }
done

as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

work="$(mktemp -d /tmp/hailong-ingest-XXXXXX)"
chmod 755 "$work"
[[ $(id -u) == 0 ]] && chown postgres: "$work"
server_pid=""
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    if [[ -f "$work/pg/postmaster.pid" ]]; then
        as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [[ "${KEEP:-0}" == 1 || $status != 0 ]]; then
        echo "logs kept in $work (server.log, postgres.log, *.out)" >&2
        [[ $status != 0 && -f "$work/server.log" ]] && { echo "--- server.log (tail) ---" >&2; tail -20 "$work/server.log" >&2; }
        rm -rf "$work/pg"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# --- PostgreSQL: production-like durability ------------------------------------------------------------------
log "initdb in $work/pg"
as_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
max_connections = 100
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
wal_sync_method = fdatasync
EOF
as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/postgres.log" -w start >/dev/null
psql_q() { "$PGBIN/psql" -X -q -A -t -h "$work" -U postgres -d hailong -v ON_ERROR_STOP=1 -c "$1"; }
"$PGBIN/createdb" -h "$work" -U postgres hailong

export DATABASE_URL="postgres://postgres@/hailong?host=$work"
# The throwaway cluster has one login, its superuser: let the service run as it (never in production).
export HAILONG_ALLOW_OWNER=1
export HAILONG_SQL_DIR="$sql_dir"
export LOG_LEVEL="${LOG_LEVEL:-warning}"
cli() { "$binary" "$@"; }

# --- data: one agency, one counter, one officer, KIOSKS kiosks ----------------------------------------------
log "migrate and create the directory"
cli migrate >/dev/null
cli agency add --code BENCH --name "Sở Thử nghiệm" --kind department >/dev/null
cli counter add --agency BENCH --code Q1 --name "Quầy 1" >/dev/null
cli officer add --agency BENCH --badge B-1 --name "Nguyễn Văn A" --counter Q1 >/dev/null
tokens=()
for i in $(seq "$KIOSKS"); do
    tokens+=("$(cli kiosk add --agency BENCH --counter Q1 --label "bench $i" | head -1)")
done
HAILONG_TOKENS="$(IFS=,; echo "${tokens[*]}")"
export HAILONG_TOKENS HAILONG_OFFICER=B-1

# --- the service -----------------------------------------------------------------------------------------------
log "start $binary serve on :$PORT"
"$binary" serve --host 127.0.0.1 --port "$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "hailong serve died" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

url="http://127.0.0.1:$PORT"
count_rows() { psql_q "SELECT count(*) FROM responses"; }
now_s() { date +%s.%N; }
result() { sed -n "s/^RESULT $2=//p" "$1"; }

# A quick check that a request is accepted at all (and shows the status and body when it is not).
status=$(curl -s -o "$work/probe.out" -w '%{http_code}' -X POST "$url/api/v1/responses" \
    -H "Authorization: Bearer ${tokens[0]}" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
    -H 'Content-Type: application/json' \
    -d "{\"questionnaire\":\"kiosk-3\",\"officer\":\"B-1\",\"answers\":{\"overall\":3},\"submitted_at\":\"$(date -Iseconds)\"}")
[[ "$status" == 201 ]] || { echo "probe POST answered $status: $(cat "$work/probe.out")" >&2; exit 1; }

log "warm-up ${WARMUP_S}s"
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WARMUP_S}s" -s "$here/post.lua" "$url" >"$work/warmup.out" 2>&1

# Let the aggregator drain the warm-up before measuring, and start each phase from a fresh checkpoint.
drain() {
    for _ in $(seq 300); do
        [[ "$(psql_q 'SELECT count(*) FROM pending_aggregation')" == 0 ]] && return
        sleep 0.2
    done
}
settle() { drain; psql_q "CHECKPOINT" >/dev/null; sleep 1; }
# A production table has planner statistics (autovacuum analyzes it); a fresh one has none until autovacuum's
# first pass, and the service's rapid-repeat look-up then scans a whole minute of a kiosk's taps instead of one
# index entry. Give the table its statistics after the warm-up, as autovacuum would.
drain
psql_q "ANALYZE" >/dev/null

# --- a. throughput of the service ----------------------------------------------------------------------------
settle
log "a. wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION_S}s"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=$(count_rows); t0=$(now_s); cpu0=$(cpu_ticks "$server_pid")
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${DURATION_S}s" --latency -s "$here/post.lua" "$url" >"$work/wrk.out" 2>"$work/wrk.err" \
    || { echo "wrk failed:" >&2; cat "$work/wrk.err" >&2; exit 1; }
t1=$(now_s); cpu1=$(cpu_ticks "$server_pid"); after=$(count_rows)
svc_rows=$((after - before))
# CPU the hailong process used per stored row in phase a (user + system, clock ticks → µs)
svc_cpu_us=$(echo "($cpu1 - $cpu0) * 1000000 / $(getconf CLK_TCK) / $svc_rows" | bc -l)
svc_seconds=$(echo "$t1 - $t0" | bc -l)
svc_rate=$(echo "$svc_rows / $svc_seconds" | bc -l)
svc_non201=$(result "$work/wrk.out" non201)
svc_ok=$(result "$work/wrk.out" ok201)

# --- b. pgbench: the same INSERT, 32 clients -------------------------------------------------------------------
settle
ids=$(psql_q "SELECT (SELECT id FROM questionnaires WHERE code = 'kiosk-3' ORDER BY version DESC LIMIT 1),
                     (SELECT id FROM agencies WHERE code = 'BENCH'), (SELECT id FROM counters WHERE code = 'Q1'),
                     (SELECT id FROM officers WHERE badge = 'B-1'), (SELECT min(id) FROM kiosks),
                     (SELECT count(*) FROM kiosks)")
IFS='|' read -r qid agency counter officer kiosk_min kiosk_n <<<"$ids"
log "b. pgbench -c $PGBENCH_CLIENTS -j $PGBENCH_JOBS -T $DURATION_S -M $PGBENCH_MODE"
before=$(count_rows); t0=$(now_s)
"$PGBIN/pgbench" -h "$work" -U postgres -n -c "$PGBENCH_CLIENTS" -j "$PGBENCH_JOBS" -T "$DURATION_S" \
    -M "$PGBENCH_MODE" -f "$here/insert.sql" -D qid="$qid" -D agency="$agency" -D counter="$counter" \
    -D officer="$officer" -D kiosk_min="$kiosk_min" -D kiosks="$kiosk_n" hailong >"$work/pgbench.out" 2>&1 \
    || { echo "pgbench failed:" >&2; grep -m3 error "$work/pgbench.out" >&2; exit 1; }
t1=$(now_s); after=$(count_rows)
pg_rows=$((after - before))
pg_seconds=$(echo "$t1 - $t0" | bc -l)
pg_rate=$(echo "$pg_rows / $pg_seconds" | bc -l)
pg_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$work/pgbench.out")
pg_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
pg_latency=$(sed -n 's/^latency average = \(.*\)$/\1/p' "$work/pgbench.out")
ratio=$(echo "$svc_rate / $pg_rate" | bc -l)

# --- d. latency at a fixed rate --------------------------------------------------------------------------------
latency_lines=()
lat_best=""
for rate in $LATENCY_RATES; do
    settle
    log "d. fixed rate $rate req/s: wrk -t$WRK_THREADS -c$LATENCY_CONNECTIONS -d${LATENCY_S}s (paced by delay())"
    HAILONG_RATE="$rate" HAILONG_THREADS="$WRK_THREADS" \
        wrk -t"$WRK_THREADS" -c"$LATENCY_CONNECTIONS" -d"${LATENCY_S}s" --latency -s "$here/post.lua" "$url" \
        >"$work/latency-$rate.out" 2>"$work/latency-$rate.err"
    f="$work/latency-$rate.out"
    achieved=$(result "$f" rate); p50=$(result "$f" p50_ms); p99=$(result "$f" p99_ms)
    p999=$(result "$f" p99.9_ms); bad=$(result "$f" non201)
    reached=$(echo "$achieved >= 0.95 * $rate" | bc -l)
    fast=$(echo "$p99 <= 10" | bc -l)
    line=$(printf 'target %5d req/s  achieved %7.1f req/s (%s)  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  non-201 %s' \
        "$rate" "$achieved" "$( [[ $reached == 1 ]] && echo reached || echo 'NOT reached')" "$p50" "$p99" "$p999" "$bad")
    latency_lines+=("$line")
    log "$line"
    if [[ $reached == 1 && $fast == 1 ]]; then lat_best="$rate"; break; fi
done

# The floor: the same paced client against GET /healthz (no database, no JSON) at the first rate tried. What the
# machine's scheduling costs every request, whatever the ingest path does (other work on a shared machine shows here).
settle
floor_rate="${LATENCY_RATES%% *}"
log "d0. floor: GET /healthz at $floor_rate req/s, $LATENCY_CONNECTIONS connections, 10 s"
HAILONG_GET=/healthz HAILONG_RATE="$floor_rate" HAILONG_THREADS="$WRK_THREADS" \
    wrk -t"$WRK_THREADS" -c"$LATENCY_CONNECTIONS" -d10s --latency -s "$here/post.lua" "$url" >"$work/floor.out" 2>"$work/floor.err"
floor_line=$(printf 'GET /healthz at %d req/s: achieved %.1f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms' "$floor_rate" \
    "$(result "$work/floor.out" rate)" "$(result "$work/floor.out" p50_ms)" "$(result "$work/floor.out" p99_ms)" \
    "$(result "$work/floor.out" p99.9_ms)")
log "$floor_line"

# --- e. memory --------------------------------------------------------------------------------------------------
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
server_errors=$(grep -ciE '"?level"?[=:] *"?(error|critical)|\berror\b' "$work/server.log" || true)

# --- f. summary -------------------------------------------------------------------------------------------------
commit=$(git -C "$binary_checkout" rev-parse --short HEAD 2>/dev/null || cat "$binary_checkout/.commit" 2>/dev/null || echo unknown)
dirty=$( (git -C "$binary_checkout" status --porcelain --untracked-files=no -- Sources sql 2>/dev/null || true) | wc -l)
verdict() { if [[ $(echo "$1" | bc -l) == 1 ]]; then echo PASS; else echo MISS; fi; }
cat <<EOF

==================== HaiLong ingest benchmark ====================
date        $(date -Iseconds)
machine     $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")
postgres    $("$PGBIN/postgres" --version | awk '{print $3}'), fsync on, synchronous_commit on, shared_buffers 256MB, max_connections 100, Unix socket
load        1/5/15-min load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine skews absolute figures)
binary      $binary
commit      $commit$( [[ "$dirty" != 0 ]] && echo " (+ $dirty uncommitted changes under Sources/ or sql/)")
kiosks      $KIOSKS tokens, officer B-1, questionnaire kiosk-3

a. service  wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION_S}s: $(printf '%d rows in %.1f s = %.0f rows/s' "$svc_rows" "$svc_seconds" "$svc_rate")
            (wrk: $svc_ok × 201, $svc_non201 non-201 $(result "$work/wrk.out" codes), socket errors $(result "$work/wrk.out" socket_errors);
             latency p50 $(result "$work/wrk.out" p50_ms) ms, p99 $(result "$work/wrk.out" p99_ms) ms;
             hailong CPU $(printf '%.0f' "$svc_cpu_us") µs per row, user + system)
b. pgbench  -c $PGBENCH_CLIENTS -j $PGBENCH_JOBS -T $DURATION_S -M $PGBENCH_MODE: $(printf '%d rows in %.1f s = %.0f rows/s' "$pg_rows" "$pg_seconds" "$pg_rate")
            (pgbench: tps $pg_tps, latency average $pg_latency, failed ${pg_failed:-0})
c. ratio    service ÷ pgbench = $(printf '%.2f' "$ratio")   target ≥ 1.0: $(verdict "$ratio >= 1.0")
d. latency  fixed rate, $LATENCY_CONNECTIONS connections paced by wrk delay():
$(for l in "${latency_lines[@]}"; do echo "            $l"; done)
            floor (no database): $floor_line
            target p99 ≤ 10 ms at 5000 req/s: $( [[ "$lat_best" == 5000 ]] && echo PASS || echo "MISS (highest rate tried meeting p99 ≤ 10 ms: ${lat_best:-none of $LATENCY_RATES})")
e. memory   hailong peak RSS (VmHWM) $((hwm_kb / 1024)) MB, now $((rss_kb / 1024)) MB   target ≤ 150 MB: $(verdict "$hwm_kb <= 153600")
server log  $server_errors error lines (LOG_LEVEL=$LOG_LEVEL)
==================================================================
EOF
[[ "$svc_non201" == 0 ]] || { echo "FAIL: the service answered $svc_non201 non-201 responses" >&2; exit 1; }
