#!/usr/bin/env bash
# Aggregation and reads benchmark (targets and results: docs/BENCHMARKS.md, "Aggregation and reads"), in ONE run
# on one throwaway PostgreSQL cluster:
#   load  1 province, 1,000 agencies under it, 3,000 counters and kiosks, 10,000 officers (directory.sql), then
#         RESPONSES synthetic responses over one year with INSERT … SELECT generate_series (responses.sql)
#   a. full rebuild: `hailong aggregate --rebuild` (requeue everything, recount in batches), wall time
#   b. the reference: one hand-written GROUP BY producing the same cells into a temp table (groupby.sql), wall time;
#      ratio a ÷ b (target ≤ 1.5); the two results are compared cell by cell (a fingerprint over every cell)
#   b_h. the hourly cube's reference the same way (groupby-hours.sql), compared hour by hour with the rebuild's; the
#      rebuild writes both cubes, so a ÷ (b + b_h) is reported beside a ÷ b
#   c. incremental: ROUNDS × (INCREMENTAL new responses stored and queued as the service does, then
#      `hailong aggregate --once`), wall time minus the binary's start-up measured with an empty queue, and the
#      server-side time of the aggregator's statements from the PostgreSQL log (target ≤ 200 ms)
#   d. reads: `hailong serve` + wrk on GET /api/v1/indices (province depth=1: 1,001 items; depth=0; one agency
#      group=officer) and the province's officer evaluation (10,000 officers, target ≤ 1 s cold),
#      p50/p95/p99 (target p95 ≤ 50 ms for depth=1)
#   e. pages (PAGES [1]): an administrator signs in; wrk on /admin, the province's and one commune's agency page
#      (target p95 ≤ 100 ms)
#   f. live (LIVE [1]): LIVE_RATE [200] responses a second stored and queued while wrk asks for the depth=1 read and
#      the pages again: the service's aggregator changes the figures version every second meanwhile
#   diagnostics: auto_explain plans of the aggregator's step and of the reads, and per-statement durations, in $OUT
#
# Usage (from the repository root, as root or as a user that can run `runuser -u postgres`):
#   swift build -c release --scratch-path .build-release
#   bench/aggregate/run.sh [path/to/hailong]
# Environment knobs (defaults in brackets):
#   RESPONSES [10000000]  CHUNK [1000000] rows per load transaction  YEAR [2026]  ZONE [Asia/Ho_Chi_Minh]
#   INCREMENTAL [10000]  ROUNDS [5]  STARTUP_RUNS [5]
#   PORT [18182]  READ_CONNECTIONS ["1 4"] (wrk -c; -t is min(c, 2))
#   READ_COLD_MAX_S [300] how long to keep asking for the first (cold) answer while it answers 503
#   READ_S [20] seconds per wrk run, stretched for slow answers to about READ_MIN_REQUESTS [20] requests per connection,
#   at most READ_MAX_S [90] seconds
#   SHARED_BUFFERS [2GB]  WORK_MEM [64MB]  MAINTENANCE_WORK_MEM [1GB]  MAX_WAL_SIZE [8GB]
#   OUT [/tmp/hailong-aggregate-<time>] reports, logs and plans (kept)   KEEP [0]: 1 keeps the cluster too
#   WAIT_FOR_OTHERS [1]: before each measured part, wait while another benchmark (wrk, bench/ingest) runs, then until
#   the 1-minute load average is below QUIET_LOAD [1.5] (at most QUIET_MAX_WAIT_S [600] seconds; the load is logged)
#   NAIVE_REFERENCE [1]: also time groupby-naive.sql, the first (slower) formulation of the reference, as b'
#
# Durability: fsync, synchronous_commit and full_page_writes are ON for everything measured. Only the bulk load
# runs its sessions with synchronous_commit = off and session_replication_role = replica (no foreign-key triggers:
# the rows are built from the directory, so every reference exists), with the secondary indexes and the responses
# keys dropped and rebuilt afterwards with the same definitions — a restore, not the service's write path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="$(realpath "${1:-$repo/.build-release/release/hailong}")"
[[ -x "$binary" ]] || { echo "no hailong binary at $binary (swift build -c release --scratch-path .build-release)" >&2; exit 2; }
# The migrations of the checkout the binary was built from: the nearest parent of the binary with Package.swift and sql/.
find_checkout() {
    local dir; dir="$(dirname "$1")"
    while [[ "$dir" != / ]]; do
        [[ -d "$dir/sql" && ( -f "$dir/Package.swift" || -f "$dir/.commit" ) ]] && { echo "$dir"; return; }
        dir="$(dirname "$dir")"
    done
    echo "$repo"
}
sql_dir="${HAILONG_SQL_DIR:-$(find_checkout "$binary")/sql}"
binary_checkout="$(dirname "$sql_dir")"

RESPONSES="${RESPONSES:-10000000}"
CHUNK="${CHUNK:-1000000}"
YEAR="${YEAR:-2026}"
ZONE="${ZONE:-Asia/Ho_Chi_Minh}"
INCREMENTAL="${INCREMENTAL:-10000}"
ROUNDS="${ROUNDS:-5}"
STARTUP_RUNS="${STARTUP_RUNS:-5}"
PORT="${PORT:-18182}"
READ_S="${READ_S:-20}"
READ_MIN_REQUESTS="${READ_MIN_REQUESTS:-20}"
READ_MAX_S="${READ_MAX_S:-90}"
READ_CONNECTIONS="${READ_CONNECTIONS:-1 4}"
SHARED_BUFFERS="${SHARED_BUFFERS:-2GB}"
WORK_MEM="${WORK_MEM:-64MB}"
MAINTENANCE_WORK_MEM="${MAINTENANCE_WORK_MEM:-1GB}"
MAX_WAL_SIZE="${MAX_WAL_SIZE:-8GB}"
WAIT_FOR_OTHERS="${WAIT_FOR_OTHERS:-1}"
QUIET_LOAD="${QUIET_LOAD:-1.5}"
QUIET_MAX_WAIT_S="${QUIET_MAX_WAIT_S:-600}"
NAIVE_REFERENCE="${NAIVE_REFERENCE:-1}"
PROVINCE=BENCH
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
OUT="${OUT:-/tmp/hailong-aggregate-$(date +%Y%m%d-%H%M%S)}"

for tool in wrk curl python3 bc "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk curl python3 bc postgresql-15)" >&2; exit 2; }
done
[[ -f "$PGBIN/../lib/auto_explain.so" || -f "$(dirname "$PGBIN")/lib/auto_explain.so" ]] \
    || { echo "missing auto_explain (postgresql-15 contrib)" >&2; exit 2; }

as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$OUT"
work="$(mktemp -d /tmp/hailong-aggregate-pg-XXXXXX)"
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
    [[ -f "$work/postgres.log" ]] && cp "$work/postgres.log" "$OUT/postgres.log" 2>/dev/null || true
    if [[ -f "$work/pg/postmaster.pid" ]]; then
        as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "cluster kept in $work/pg (start it with: runuser -u postgres -- $PGBIN/pg_ctl -D $work/pg start)" >&2
    else
        rm -rf "$work"
    fi
    echo "reports, logs and plans in $OUT" >&2
    [[ $status != 0 && -f "$OUT/server.log" ]] && { echo "--- server.log (tail) ---" >&2; tail -20 "$OUT/server.log" >&2; }
    return $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s load %s] %s\n' "$(date +%T)" "$(cut -d' ' -f1 /proc/loadavg)" "$*" | tee -a "$OUT/run.log" >&2; }
now_s() { date +%s.%N; }
ms_since() { echo "($(now_s) - $1) * 1000" | bc -l; }
fmt() { printf "%.${2:-0}f" "$1"; }
verdict() { if [[ $(echo "$1" | bc -l) == 1 ]]; then echo PASS; else echo MISS; fi; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
result() { sed -n "s/^RESULT $2=//p" "$1"; }

# Another benchmark on this machine skews both: wait while one runs (wrk, bench/ingest/run.sh).
wait_quiet() {
    [[ "$WAIT_FOR_OTHERS" == 1 ]] || return 0
    local waited=0
    while pgrep -x wrk >/dev/null || pgrep -f 'bench/ingest/run.sh' >/dev/null; do
        [[ $waited == 0 ]] && log "another benchmark is running ($(pgrep -af 'wrk|bench/ingest/run.sh' | head -2 | tr '\n' ';')); waiting"
        waited=1
        sleep 10
    done
    local start; start=$(date +%s)
    while [[ $(echo "$(cut -d' ' -f1 /proc/loadavg) >= $QUIET_LOAD" | bc -l) == 1 ]] && (( $(date +%s) - start < QUIET_MAX_WAIT_S )); do
        [[ $waited == 0 ]] && log "load average $(cut -d' ' -f1-3 /proc/loadavg) ≥ $QUIET_LOAD; waiting up to ${QUIET_MAX_WAIT_S}s"
        waited=1
        sleep 10
    done
    [[ $waited == 1 ]] && log "measuring (load average $(cut -d' ' -f1-3 /proc/loadavg))" || true
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- PostgreSQL: production-like durability for everything measured ------------------------------------------
log "initdb in $work/pg (shared_buffers $SHARED_BUFFERS, work_mem $WORK_MEM)"
as_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
max_connections = 100
shared_buffers = $SHARED_BUFFERS
work_mem = $WORK_MEM
maintenance_work_mem = $MAINTENANCE_WORK_MEM
max_wal_size = $MAX_WAL_SIZE
checkpoint_timeout = 30min
effective_cache_size = 16GB
fsync = on
synchronous_commit = on
full_page_writes = on
wal_sync_method = fdatasync
# diagnostics, switched on (ALTER SYSTEM + reload) only around the parts that need them
shared_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = -1
log_line_prefix = '%m [%p] %a '
log_min_duration_statement = -1
EOF
as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/postgres.log" -w start >/dev/null
psql_q() { "$PGBIN/psql" -X -q -A -t -h "$work" -U postgres -d hailong -v ON_ERROR_STOP=1 -c "$1"; }
psql_f() { "$PGBIN/psql" -X -q -h "$work" -U postgres -d hailong -v ON_ERROR_STOP=1 "$@"; }
"$PGBIN/createdb" -h "$work" -U postgres hailong
log_offset() { stat -c %s "$work/postgres.log"; }
# Statement logging (and, with a second argument, auto_explain with ANALYZE) for every session, existing ones too.
statement_log() {
    if [[ "$1" == on ]]; then
        psql_q "ALTER SYSTEM SET log_min_duration_statement = 0" >/dev/null
        # Top-level statements only (auto_explain.log_nested_statements stays off): flag_mask() is an SQL function,
        # and its body would be logged once per response.
        if [[ "${2:-}" == plan ]]; then  # plans without ANALYZE: no timing overhead
            psql_q "ALTER SYSTEM SET auto_explain.log_min_duration = 0" >/dev/null
        fi
        if [[ "${2:-}" == explain ]]; then
            psql_q "ALTER SYSTEM SET auto_explain.log_min_duration = 0" >/dev/null
            psql_q "ALTER SYSTEM SET auto_explain.log_analyze = on" >/dev/null
            psql_q "ALTER SYSTEM SET auto_explain.log_buffers = on" >/dev/null
        fi
    else
        psql_q "ALTER SYSTEM RESET log_min_duration_statement" >/dev/null
        psql_q "ALTER SYSTEM RESET auto_explain.log_min_duration" >/dev/null
        psql_q "ALTER SYSTEM RESET auto_explain.log_analyze" >/dev/null
        psql_q "ALTER SYSTEM RESET auto_explain.log_buffers" >/dev/null
    fi
    psql_q "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
}

export DATABASE_URL="postgres://postgres@/hailong?host=$work"
# The throwaway cluster has one login, its superuser: let the service run as it (never in production).
export HAILONG_ALLOW_OWNER=1
export HAILONG_SQL_DIR="$sql_dir"
export HAILONG_TIMEZONE="$ZONE"
export LOG_LEVEL="${LOG_LEVEL:-warning}"
cli() { "$binary" "$@"; }
# shellcheck source=../lib/load.sh
source "$here/../lib/load.sh"

# --- the directory and the responses --------------------------------------------------------------------------
log "migrate, create the directory"
cli migrate >/dev/null
psql_f -v province="$PROVINCE" -f "$here/directory.sql" >"$OUT/directory.out"
TOKEN="$(cli token add --name bench --role par)"

days=$(psql_q "SELECT make_date($YEAR + 1, 1, 1) - make_date($YEAR, 1, 1)")
log "load $RESPONSES responses over $YEAR ($days days) in chunks of $CHUNK"
load_t0=$(now_s)
# The responses' keys and indexes are rebuilt after the load with their own definitions (as pg_restore does).
drop_response_keys "$work/keys.sql"
load_responses "$RESPONSES" "$CHUNK" "$YEAR" "$ZONE" "$here/responses.sql"
insert_s=$(echo "$(now_s) - $load_t0" | bc -l)
log "rebuild the keys and indexes of responses"
index_t0=$(now_s)
restore_response_keys "$work/keys.sql"
index_s=$(echo "$(now_s) - $index_t0" | bc -l)
log "VACUUM ANALYZE, CHECKPOINT"
vacuum_t0=$(now_s)
psql_q "VACUUM (ANALYZE) responses" >/dev/null
psql_q "ANALYZE" >/dev/null
psql_q "CHECKPOINT" >/dev/null
vacuum_s=$(echo "$(now_s) - $vacuum_t0" | bc -l)
load_s=$(echo "$(now_s) - $load_t0" | bc -l)
row_count=$(psql_q "SELECT count(*) FROM responses")
[[ "$row_count" == "$RESPONSES" ]] || { echo "loaded $row_count responses, expected $RESPONSES" >&2; exit 1; }
psql_q "SELECT q.code, r.channel, array_to_string(r.flags, '+') AS flags, count(*) FROM responses r
        JOIN questionnaires q ON q.id = r.questionnaire_id GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC" >"$OUT/mix.txt"
responses_size=$(psql_q "SELECT pg_size_pretty(pg_relation_size('responses')) || ' heap, ' ||
                          pg_size_pretty(pg_indexes_size('responses')) || ' indexes'")
kiosk_share=$(psql_q "SELECT round(100.0 * count(*) FILTER (WHERE channel = 'kiosk') / count(*), 1) FROM responses")
reasons_n=$(psql_q "SELECT count(*) FROM responses WHERE answers ? 'reasons'")
log "loaded: $responses_size; $(fmt "$load_s") s in all"

# --- b. the reference GROUP BY ------------------------------------------------------------------------------------
# Both a and b read responses from the page cache (the table is larger than shared_buffers): read it once first.
psql_q "SELECT count(*) FROM responses WHERE answers IS NOT NULL" >/dev/null
fingerprint="count(*) || ' cells, n = ' || sum(n) || ', hash ' || sum(hashtextextended(concat_ws('|', day, agency_id,
    questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n), 0)::numeric)"
# One GROUP BY into a temp table: its time as psql's \timing saw the CREATE TEMP TABLE … AS statement (the
# fingerprint after it is not included) and the fingerprint of its cells.
hours_fingerprint="count(*) || ' hours, n = ' || sum(n) || ', not satisfied ' || sum(not_satisfied) || ', hash ' ||
    sum(hashtextextended(concat_ws('|', day, agency_id, questionnaire_id, hour, n, not_satisfied), 0)::numeric)"
reference() {  # NAME FILE TABLE [FINGERPRINT]
    {
        echo '\timing on'
        cat "$2"
        echo '\echo FINGERPRINT'
        echo "SELECT ${4:-$fingerprint} FROM $3;"
    } >"$work/$1-run.sql"
    psql_f -A -t -v zone="$ZONE" -f "$work/$1-run.sql" >"$OUT/$1.out"
    psql_f -v zone="$ZONE" -c "EXPLAIN $(sed -n '/^CREATE TEMP TABLE/,$p' "$2" | sed '1d' | sed "s|:'zone'|'$ZONE'|g")" \
        >"$OUT/$1-plan.txt"
}
wait_quiet
log "b. one GROUP BY into a temp table (groupby.sql)"
reference groupby "$here/groupby.sql" groupby_cells
b_ms=$(awk '/^Time:/ {print $2; exit}' "$OUT/groupby.out")
b_fingerprint=$(sed -n '/^FINGERPRINT/{n;p}' "$OUT/groupby.out")
log "b. $(fmt "$b_ms") ms; $b_fingerprint"
wait_quiet
log "b_h. the hourly cube's GROUP BY into a temp table (groupby-hours.sql)"
reference groupby-hours "$here/groupby-hours.sql" groupby_hours "$hours_fingerprint"
bh_ms=$(awk '/^Time:/ {print $2; exit}' "$OUT/groupby-hours.out")
bh_fingerprint=$(sed -n '/^FINGERPRINT/{n;p}' "$OUT/groupby-hours.out")
log "b_h. $(fmt "$bh_ms") ms; $bh_fingerprint"
naive_ms=""
if [[ "$NAIVE_REFERENCE" == 1 ]]; then
    wait_quiet
    log "b'. the flat formulation of the same GROUP BY (groupby-naive.sql), for comparison with earlier runs"
    reference groupby-naive "$here/groupby-naive.sql" groupby_naive_cells
    naive_ms=$(awk '/^Time:/ {print $2; exit}' "$OUT/groupby-naive.out")
    naive_fingerprint=$(sed -n '/^FINGERPRINT/{n;p}' "$OUT/groupby-naive.out")
    [[ "$naive_fingerprint" == "$b_fingerprint" ]] || { echo "groupby-naive.sql and groupby.sql disagree" >&2; exit 1; }
    log "b'. $(fmt "$naive_ms") ms"
fi

# --- a. the full rebuild -------------------------------------------------------------------------------------------
wait_quiet
log "a. hailong aggregate --rebuild"
statement_log on plan
offset=$(log_offset)
a_t0=$(now_s)
cli aggregate --rebuild >"$OUT/rebuild.out" 2>"$OUT/rebuild.err"
a_ms=$(ms_since "$a_t0")
statement_log off
python3 "$here/pglog.py" "$work/postgres.log" "$offset" --exclude-app psql --plans "$OUT/rebuild-plan.txt" \
    >"$OUT/rebuild-statements.txt"
# The slowest statements of the rebuild, server side (count, total ms), for the summary.
a_top=$(sed -n '2,4p' "$OUT/rebuild-statements.txt" | awk '{t=$(NF-3); n=$(NF-4); NF-=5; printf "%s%s (%d, %.0f ms in all)", sep, $0, n, t; sep="; "}')
log "a. $(fmt "$a_ms") ms: $(cat "$OUT/rebuild.out")"
a_fingerprint=$(psql_q "SELECT $fingerprint FROM response_counts")
cube_size=$(psql_q "SELECT pg_size_pretty(pg_relation_size('response_counts')) || ' heap, ' ||
                     pg_size_pretty(pg_indexes_size('response_counts')) || ' index'")
cube_rows=$(psql_q "SELECT count(*) FROM response_counts")
[[ "$a_fingerprint" == "$b_fingerprint" ]] && same=yes || same=NO
ratio=$(echo "$a_ms / $b_ms" | bc -l)
log "a ÷ b = $(fmt "$ratio" 2); same cells: $same"
ah_fingerprint=$(psql_q "SELECT $hours_fingerprint FROM hourly_counts")
[[ "$ah_fingerprint" == "$bh_fingerprint" ]] && same_hours=yes || same_hours=NO
ratio_both=$(echo "$a_ms / ($b_ms + $bh_ms)" | bc -l)
log "a ÷ (b + b_h) = $(fmt "$ratio_both" 2); same hours: $same_hours"
# Autovacuum would now clean the queue (10M dead rows) and analyze the cube: do it before measuring c and d.
psql_q "VACUUM (ANALYZE) pending_aggregation" >/dev/null
psql_q "VACUUM (ANALYZE) response_counts" >/dev/null
psql_q "CHECKPOINT" >/dev/null

# --- c. incremental ------------------------------------------------------------------------------------------------
wait_quiet
log "c. start-up of hailong aggregate --once with an empty queue, $STARTUP_RUNS runs"
startups=()
for _ in $(seq "$STARTUP_RUNS"); do
    t0=$(now_s); cli aggregate --once >/dev/null; startups+=("$(ms_since "$t0")")
done
startup_ms=$(echo "${startups[*]}" | median)
g_next=$((RESPONSES + 1))
new_batch() {  # stores INCREMENTAL responses of the last day of the year, queued, through the normal write path
    psql_f -v lo="$g_next" -v hi="$((g_next + INCREMENTAL - 1))" -v g0="$g_next" -v total="$INCREMENTAL" \
        -v day0="$YEAR-12-31" -v span=1 -v zone="$ZONE" -v seed=0.99 -v queue=true -f "$here/responses.sql" >/dev/null
    g_next=$((g_next + INCREMENTAL))
    [[ "$(psql_q 'SELECT count(*) FROM pending_aggregation')" == "$INCREMENTAL" ]] || { echo "queue is not $INCREMENTAL" >&2; exit 1; }
}
c_walls=(); c_nets=(); c_servers=(); c_applies=()
for round in $(seq "$ROUNDS"); do
    new_batch
    statement_log on
    offset=$(log_offset)
    t0=$(now_s)
    cli aggregate --once >"$work/once.out"
    wall=$(ms_since "$t0")
    statement_log off
    python3 "$here/pglog.py" "$work/postgres.log" "$offset" --exclude-app psql >"$OUT/incremental-$round-statements.txt"
    grep -q "^$INCREMENTAL responses applied" "$work/once.out" || { echo "round $round: $(cat "$work/once.out")" >&2; exit 1; }
    c_walls+=("$wall"); c_nets+=("$(echo "$wall - $startup_ms" | bc -l)")
    c_servers+=("$(result "$OUT/incremental-$round-statements.txt" all_total_ms)")
    c_applies+=("$(result "$OUT/incremental-$round-statements.txt" apply_total_ms)")
    log "c. round $round: wall $(fmt "$wall") ms, minus start-up $(fmt "${c_nets[-1]}") ms, apply statement $(fmt "${c_applies[-1]}") ms"
done
c_net_median=$(echo "${c_nets[*]}" | median)
c_net_max=$(printf '%s\n' "${c_nets[@]}" | sort -g | tail -1)
c_apply_median=$(echo "${c_applies[*]}" | median)
c_server_median=$(echo "${c_servers[*]}" | median)
# Diagnostic round (not timed): the plan of the step as the binary runs it, with auto_explain ANALYZE + BUFFERS.
new_batch
statement_log on explain
offset=$(log_offset)
cli aggregate --once >/dev/null
statement_log off
python3 "$here/pglog.py" "$work/postgres.log" "$offset" --exclude-app psql --plans "$OUT/incremental-plan.txt" >/dev/null
psql_q "VACUUM (ANALYZE) pending_aggregation" >/dev/null
# The deferred half of the incremental path (sql/0008): merging the fragments the rounds appended. The service does
# it every fifteen seconds; timed here so that the cost the rounds put off is on the record too.
# After the rebuild the first compaction also fills the monthly cube (sql/0014) from the daily one: timed apart.
compact_cells_before=$(psql_q "SELECT (SELECT count(*) FROM response_counts) || ' daily + ' || (SELECT count(*) FROM fresh_counts) || ' fresh'")
t0=$(now_s); cli aggregate --compact >"$work/compact.out"; compact_ms=$(ms_since "$t0")
compact_cells_after=$(psql_q "SELECT (SELECT count(*) FROM response_counts) || ' daily + ' || (SELECT count(*) FROM fresh_counts) || ' fresh, '
                              || (SELECT count(*) FROM monthly_counts) || ' monthly'")
log "c'. compaction (with the monthly fill): $(fmt "$compact_ms") ms ($(cat "$work/compact.out")), rows $compact_cells_before → $compact_cells_after"
new_batch
psql_q "VACUUM (ANALYZE) monthly_counts" >/dev/null
cli aggregate --once >/dev/null
t0=$(now_s); cli aggregate --compact >"$work/compact2.out"; compact2_ms=$(ms_since "$t0")
log "c'. compaction of one more round: $(fmt "$compact2_ms") ms ($(cat "$work/compact2.out"))"

# --- d. reads -------------------------------------------------------------------------------------------------------
log "d. hailong serve on :$PORT"
"$binary" serve --host 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "hailong serve died" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
first_child=$(psql_q "SELECT min(code) FROM agencies WHERE parent_id = (SELECT id FROM agencies WHERE code = '$PROVINCE')")
declare -A read_url=(
    [depth1]="/api/v1/indices?period=$YEAR&agency=$PROVINCE&depth=1"
    [depth0]="/api/v1/indices?period=$YEAR&agency=$PROVINCE&depth=0"
    [officer]="/api/v1/indices?period=$YEAR&agency=$first_child&group=officer"
    [evaluation]="/api/v1/evaluation/officers?year=$YEAR&agency=$PROVINCE"
)
read_order=(depth1 depth0 officer evaluation)
declare -A read_items read_first_ms read_status
declare -A read_cold_ms read_attempts
for name in "${read_order[@]}"; do
    t0=$(now_s)
    status=$(curl -s -o "$OUT/read-$name.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT${read_url[$name]}")
    read_first_ms[$name]=$(ms_since "$t0")
    # A 503 at the request deadline leaves the computation running (the server keeps its answer for the figures
    # version): ask again until it is there, up to READ_COLD_MAX_S, and report how long the cold answer took.
    read_attempts[$name]=1
    while [[ "$status" == 503 ]] && (( $(echo "$(ms_since "$t0") < ${READ_COLD_MAX_S:-300} * 1000" | bc) )); do
        sleep 1
        status=$(curl -s -o "$OUT/read-$name.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT${read_url[$name]}")
        read_attempts[$name]=$((read_attempts[$name] + 1))
    done
    read_cold_ms[$name]=$(ms_since "$t0")
    read_status[$name]=$status
    if [[ "$status" != 200 ]]; then
        # Too slow for the request deadline (503) or broken: no wrk run for it, the summary says what it answered.
        read_items[$name]="0 0"
        log "d. ${read_url[$name]}: answered $status after $(fmt "${read_first_ms[$name]}") ms: $(head -c 300 "$OUT/read-$name.json")"
        continue
    fi
    read_items[$name]=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['items']), sum(i.get('n', 0) or 0 for i in d['items'][:1]))" "$OUT/read-$name.json")
    log "d. ${read_url[$name]}: items, n of the first = ${read_items[$name]} (first request $(fmt "${read_first_ms[$name]}") ms)"
done
read_lines=()
declare -A read_p95
for name in "${read_order[@]}"; do
    if [[ "${read_status[$name]}" != 200 ]]; then
        read_lines+=("$(printf '%-8s no wrk run: the first request answered %s after %.0f ms' "$name" "${read_status[$name]}" "${read_first_ms[$name]}")")
        read_p95[$name]=${read_first_ms[$name]}
        continue
    fi
    for c in $READ_CONNECTIONS; do
        wait_quiet
        t=$(( c < 2 ? c : 2 ))
        f="$OUT/wrk-$name-c$c.out"
        # Long enough for about READ_MIN_REQUESTS answers per connection at the first request's pace.
        seconds=$(echo "s = ${read_first_ms[$name]} * $READ_MIN_REQUESTS / 1000 + 1; if (s < $READ_S) s = $READ_S; if (s > $READ_MAX_S) s = $READ_MAX_S; s" | bc -l)
        seconds=$(fmt "$seconds")
        HAILONG_TOKEN="$TOKEN" wrk -t"$t" -c"$c" -d"${seconds}s" --timeout 120s --latency -s "$here/read.lua" \
            "http://127.0.0.1:$PORT${read_url[$name]}" >"$f" 2>&1 || { echo "wrk failed: $(tail -5 "$f")" >&2; exit 1; }
        [[ "$(result "$f" requests)" -gt 0 ]] || { echo "wrk: no answer within ${seconds}s for ${read_url[$name]}" >&2; exit 1; }
        line=$(printf '%-8s -c%-2s %5s req in %ss (%6.1f req/s)  p50 %8.1f  p95 %8.1f  p99 %8.1f  max %8.1f ms  non-200 %s, timeouts %s' \
            "$name" "$c" "$(result "$f" requests)" "$seconds" "$(result "$f" rate)" "$(result "$f" p50_ms)" "$(result "$f" p95_ms)" \
            "$(result "$f" p99_ms)" "$(result "$f" max_ms)" "$(result "$f" non200)" "$(result "$f" timeouts)")
        read_lines+=("$line")
        [[ -z "${read_p95[$name]:-}" ]] && read_p95[$name]=$(result "$f" p95_ms)
        log "d. $line"
    done
done
# --- e. administrators' pages ---------------------------------------------------------------------------------------
# An agency admin of the province signs in (the form, as a browser does); wrk then asks for the overview (1,000
# agencies), the province's agency page (pooled over all of them, 10,000 officers) and one commune's page.
page_lines=()
declare -A page_p95 page_cold_ms page_status
if [[ "${PAGES:-1}" == 1 ]]; then
    log "e. administrators' pages"
    printf '%s\n' "bench-password-2026" | cli user add --username bench --role agency_admin --agency "$PROVINCE" --password-stdin \
        >"$OUT/user.out" 2>&1
    curl -s -D "$work/signin.headers" -o "$work/signin.html" "http://127.0.0.1:$PORT/admin/sign-in"
    nonce=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$work/signin.html" | head -1)
    curl -s -D "$work/session.headers" -o /dev/null -H "Cookie: hl_signin=$nonce" --data-urlencode "csrf=$nonce" \
        --data-urlencode username=bench --data-urlencode password=bench-password-2026 "http://127.0.0.1:$PORT/admin/sign-in"
    session=$(sed -n 's/^[Ss]et-[Cc]ookie: \(hl_session=[^;]*\).*/\1/p' "$work/session.headers" | head -1)
    [[ -n "$session" ]] || { echo "e. the benchmark account could not sign in: $(head -3 "$work/session.headers")" >&2; exit 1; }
    declare -A page_url=(
        [overview]="/admin?period=$YEAR"
        [province]="/admin/agencies/$PROVINCE?period=$YEAR"
        [commune]="/admin/agencies/$first_child?period=$YEAR"
    )
    for name in overview province commune; do
        t0=$(now_s)
        page_status[$name]=$(curl -s -o "$OUT/page-$name.html" -w '%{http_code}' -H "Cookie: $session" "http://127.0.0.1:$PORT${page_url[$name]}")
        page_cold_ms[$name]=$(ms_since "$t0")
        log "e. ${page_url[$name]}: ${page_status[$name]} after $(fmt "${page_cold_ms[$name]}") ms (cold), $(wc -c <"$OUT/page-$name.html") bytes"
        [[ "${page_status[$name]}" == 200 ]] || continue
        for c in $READ_CONNECTIONS; do
            wait_quiet
            t=$(( c < 2 ? c : 2 ))
            f="$OUT/wrk-page-$name-c$c.out"
            HAILONG_COOKIE="$session" wrk -t"$t" -c"$c" -d"${READ_S}s" --timeout 120s --latency -s "$here/read.lua" \
                "http://127.0.0.1:$PORT${page_url[$name]}" >"$f" 2>&1 || { echo "wrk failed: $(tail -5 "$f")" >&2; exit 1; }
            line=$(printf '%-8s -c%-2s %5s req in %ss (%6.1f req/s)  p50 %8.1f  p95 %8.1f  p99 %8.1f  max %8.1f ms  non-200 %s' \
                "$name" "$c" "$(result "$f" requests)" "$READ_S" "$(result "$f" rate)" "$(result "$f" p50_ms)" "$(result "$f" p95_ms)" \
                "$(result "$f" p99_ms)" "$(result "$f" max_ms)" "$(result "$f" non200)")
            page_lines+=("$line")
            [[ -z "${page_p95[$name]:-}" ]] && page_p95[$name]=$(result "$f" p95_ms)
            log "e. $line"
        done
    done
fi

# --- f. reads while ratings arrive ----------------------------------------------------------------------------------
# The service's aggregator applies new ratings every second and each step changes the figures version: the kept
# answers are out of date as fast as they are computed. LIVE_RATE responses a second are stored and queued (as the
# service stores them) while wrk asks for the depth=1 year and the province's page.
live_lines=()
declare -A live_first
LIVE_RATE="${LIVE_RATE:-200}"
if [[ "${LIVE:-1}" == 1 ]]; then
    log "f. reads while $LIVE_RATE ratings a second arrive"
    live_version0=$(psql_q "SELECT version FROM figures_version WHERE id = 1")
    live_applied0=$(psql_q "SELECT applied_total FROM aggregator_state WHERE id = 1")
    feed_responses "$g_next" "$LIVE_RATE" "$YEAR" "$ZONE" "$here/responses.sql" &
    feeder=$!
    sleep 3
    live_targets=("depth1|${read_url[depth1]}")
    [[ -n "${session:-}" ]] && live_targets+=("overview|${page_url[overview]}" "province|${page_url[province]}")
    for target in "${live_targets[@]}"; do
        name=${target%%|*}; url=${target#*|}
        if [[ "$name" == depth1 ]]; then auth="HAILONG_TOKEN=$TOKEN"; else auth="HAILONG_COOKIE=$session"; fi
        # Someone opens it (not measured: an answer last computed minutes ago is not served, HAILONG_STALE_ANSWERS_S),
        # then keeps looking while the figures change.
        if [[ "$name" == depth1 ]]; then header="Authorization: Bearer $TOKEN"; else header="Cookie: $session"; fi
        t0=$(now_s)
        curl -s -o /dev/null -m 300 -H "$header" "http://127.0.0.1:$PORT$url"
        live_first[$name]=$(ms_since "$t0")
        log "f. $name: first view $(fmt "${live_first[$name]}") ms"
        for c in $READ_CONNECTIONS; do
            t=$(( c < 2 ? c : 2 ))
            f="$OUT/wrk-live-$name-c$c.out"
            v0=$(psql_q "SELECT version FROM figures_version WHERE id = 1")
            env "$auth" wrk -t"$t" -c"$c" -d"${READ_S}s" --timeout 120s --latency \
                -s "$here/read.lua" "http://127.0.0.1:$PORT$url" >"$f" 2>&1 || { echo "wrk failed: $(tail -5 "$f")" >&2; exit 1; }
            v1=$(psql_q "SELECT version FROM figures_version WHERE id = 1")
            line=$(printf '%-8s -c%-2s %5s req in %ss  p50 %8.1f  p95 %8.1f  p99 %8.1f  max %8.1f ms  non-200 %s; %s new figures versions meanwhile' \
                "$name" "$c" "$(result "$f" requests)" "$READ_S" "$(result "$f" p50_ms)" "$(result "$f" p95_ms)" \
                "$(result "$f" p99_ms)" "$(result "$f" max_ms)" "$(result "$f" non200)" "$((v1 - v0))")
            live_lines+=("$line")
            log "f. $line"
        done
    done
    kill "$feeder" 2>/dev/null || true
    wait "$feeder" 2>/dev/null || true
    live_applied=$(( $(psql_q "SELECT applied_total FROM aggregator_state WHERE id = 1") - live_applied0 ))
    live_versions=$(( $(psql_q "SELECT version FROM figures_version WHERE id = 1") - live_version0 ))
    # How far behind the last answer was: its as_of against the newest step.
    curl -s -o "$OUT/live-depth1.json" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT${read_url[depth1]}"
    live_as_of=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('as_of'))" "$OUT/live-depth1.json" 2>/dev/null || echo "?")
    live_last=$(psql_q "SELECT to_char(last_applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM aggregator_state WHERE id = 1")
fi

# Diagnostic (not timed): each read once more with every statement and its plan (auto_explain ANALYZE) logged.
statement_log on explain
offset=$(log_offset)
for name in "${read_order[@]}"; do
    curl -sS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT${read_url[$name]}" || true
    python3 "$here/pglog.py" "$work/postgres.log" "$offset" --exclude-app psql --plans "$OUT/read-$name-plans.txt" \
        >"$OUT/read-$name-statements.txt"
    offset=$(log_offset)
done
statement_log off
server_errors=$(grep -ciE '"?level"?[=:] *"?(error|critical)|\berror\b' "$OUT/server.log" || true)

# --- summary ----------------------------------------------------------------------------------------------------------
# A binary copied out of its checkout carries the commit in a .commit file beside its sql/.
if [[ -f "$binary_checkout/.commit" ]]; then
    commit=$(cat "$binary_checkout/.commit"); dirty=0
else
    commit=$(git -C "$binary_checkout" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=$( (git -C "$binary_checkout" status --porcelain --untracked-files=no -- Sources sql 2>/dev/null || true) | wc -l)
fi
{
cat <<EOF

==================== HaiLong aggregation and reads benchmark ====================
date        $(date -Iseconds)
machine     $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")
postgres    $("$PGBIN/postgres" --version | awk '{print $3}'), shared_buffers $SHARED_BUFFERS, work_mem $WORK_MEM, maintenance_work_mem $MAINTENANCE_WORK_MEM, max_wal_size $MAX_WAL_SIZE,
            fsync/synchronous_commit/full_page_writes on for a–d, jit and parallel query at their defaults, Unix socket
load        1/5/15-min load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end
binary      $binary
commit      $commit$( [[ "$dirty" != 0 ]] && echo " (+ $dirty uncommitted changes under Sources/ or sql/)")
data        1 province, 1,000 agencies, 3,000 counters/kiosks, 10,000 officers; $RESPONSES responses over $YEAR in $ZONE
            ($kiosk_share % kiosk-3, the rest sipas-5 with 5 criteria; $reasons_n with a reason); responses $responses_size
load        $(fmt "$load_s") s: INSERT … SELECT generate_series $(fmt "$insert_s") s (chunks of $CHUNK, synchronous_commit off,
            no FK triggers), keys and indexes $(fmt "$index_s") s, VACUUM ANALYZE + CHECKPOINT $(fmt "$vacuum_s") s
cube        $cube_rows cells in response_counts ($cube_size)

a. rebuild  hailong aggregate --rebuild: $(fmt "$a_ms") ms wall ($(cat "$OUT/rebuild.out"))
            server side, slowest statements (rebuild-statements.txt, plans in rebuild-plan.txt):
            $a_top
b. GROUP BY groupby.sql, CREATE TEMP TABLE … AS SELECT … GROUP BY …: $(fmt "$b_ms") ms (psql \timing)
            same cells as the rebuild: $same ($a_fingerprint)$( [[ -n "$naive_ms" ]] && printf "\n            b'. groupby-naive.sql (the flat formulation used in earlier runs): %.0f ms; a ÷ b' = %.2f" "$naive_ms" "$(echo "$a_ms / $naive_ms" | bc -l)")
b_h. hours  groupby-hours.sql, the heatmap's hourly cube the same way: $(fmt "$bh_ms") ms
            same hours as the rebuild: $same_hours ($ah_fingerprint)
   ratio    a ÷ b = $(fmt "$ratio" 2)   target ≤ 1.5: $(verdict "$ratio <= 1.5")
            a ÷ (b + b_h) = $(fmt "$ratio_both" 2) (the rebuild against hand-written statements that write what it writes)
c. incr.    $INCREMENTAL new responses (stored and queued as the service does), hailong aggregate --once, $ROUNDS rounds:
            wall $(printf '%s ' "${c_walls[@]}" | xargs -n1 printf '%.0f ') ms; start-up with an empty queue $(fmt "$startup_ms") ms (median of $STARTUP_RUNS)
            wall − start-up: median $(fmt "$c_net_median") ms, max $(fmt "$c_net_max") ms
            server side (PostgreSQL log): every statement of the run $(fmt "$c_server_median") ms, the batch statement $(fmt "$c_apply_median") ms (medians)
            target ≤ 200 ms: $(verdict "$c_net_median <= 200")
c'. compact hailong aggregate --compact after the rounds (deferred work; the service does it every fifteen seconds), the first
            after the rebuild also filling the monthly cube: $(fmt "$compact_ms") ms wall ($(cat "$work/compact.out")),
            rows $compact_cells_before → $compact_cells_after; one round's cells alone: $(fmt "$compact2_ms") ms ($(cat "$work/compact2.out"))
d. reads    hailong serve (release, LOG_LEVEL=$LOG_LEVEL), par token, wrk --latency (p95 from wrk's histogram, read.lua):
            depth1  = ${read_url[depth1]}  (${read_items[depth1]%% *} items)
            depth0  = ${read_url[depth0]}
            officer = ${read_url[officer]}  (${read_items[officer]%% *} officers)
            cold answer (computed once; later ones are served from the answer kept for the figures version, sql/0007),
            ms until the first 200 (requests; the first of them answers 503 at the 10 s deadline when slower):
            $(for name in depth1 depth0 officer; do printf '%s %.0f ms (%s)  ' "$name" "${read_cold_ms[$name]}" "${read_attempts[$name]}"; done)
$(for l in "${read_lines[@]}"; do echo "            $l"; done)
            target p95 ≤ 50 ms (depth=1, 1,000 agencies, first wrk line): $( [[ "${read_status[depth1]}" == 200 ]] && verdict "${read_p95[depth1]} <= 50" || echo "MISS (answered ${read_status[depth1]})")
e. pages    an agency admin of the province (session cookie), wrk --latency; cold = the first request after the reads:
            overview = /admin?period=$YEAR, province = /admin/agencies/$PROVINCE, commune = /admin/agencies/$first_child
            cold: $(for name in overview province commune; do printf '%s %s in %.0f ms  ' "$name" "${page_status[$name]:-–}" "${page_cold_ms[$name]:-0}"; done)
$(for l in "${page_lines[@]}"; do echo "            $l"; done)
            target p95 ≤ 100 ms (overview and agency pages): $(for name in overview province commune; do [[ -n "${page_p95[$name]:-}" ]] && printf '%s %s  ' "$name" "$(verdict "${page_p95[$name]} <= 100")"; done)
f. live    reads while $LIVE_RATE ratings a second are stored and applied by the service's aggregator (every step a new
            figures version; slow answers are served from the previous version while the new one is computed):
            first view of each (not measured by wrk): $(for name in "${!live_first[@]}"; do printf '%s %.0f ms  ' "$name" "${live_first[$name]}"; done)
$(for l in "${live_lines[@]}"; do echo "            $l"; done)
            ${live_applied:-0} responses applied in ${live_versions:-0} figures versions; the last depth=1 answer as of ${live_as_of:-?}, the newest step ${live_last:-?}
server log  $server_errors error lines (LOG_LEVEL=$LOG_LEVEL)
details     $OUT (groupby-plan.txt, rebuild-statements.txt, incremental-plan.txt, read-*-plans.txt, read-*-statements.txt)
==================================================================================
EOF
} | tee "$OUT/summary.txt"
[[ "$same" == yes ]] || { echo "FAIL: the rebuild and the GROUP BY disagree" >&2; exit 1; }
