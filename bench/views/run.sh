#!/usr/bin/env bash
# Every view on its first look and warm, at two sizes, in ONE run (targets and results: docs/BENCHMARKS.md, "Every
# view on its first look"). For each size in SIZES, on a new database of one throwaway PostgreSQL cluster:
#   load   the directory of bench/aggregate (1 province, 1,000 agencies, 10,000 officers) and SIZE synthetic responses
#          over one year (bench/aggregate/responses.sql), an emulation block of 40 agencies, an agency admin
#   count  `hailong aggregate --rebuild`, then `hailong aggregate --compact` (fills the rollups, sql/0022), timed
#   views  for each view, COLD_TRIES times: `hailong serve` started afresh (nothing kept; HAILONG_STALE_ANSWERS_S=0),
#          the first answer timed (cold; a 503 at the request deadline is asked again until the answer is there); the
#          median of the tries is the view's cold time; then wrk with 1 and 4 connections for READ_S seconds on the last
#          try's process (warm p50/p95), and the answer's size
#   live   at the last size (LIVE [1]): LIVE_RATE [200] ratings a second stored and queued while wrk reads the
#          province's depth=1 year, the overview and the province's page again, the service's aggregator changing
#          the figures version every second
# The summary table (cold and warm of every view at every size, and the growth cold(last) ÷ cold(first)) is printed
# at the end and kept in $OUT/summary.txt.
#
# Usage (from the repository root, as root or as a user that can run `runuser -u postgres`):
#   swift build -c release --scratch-path .build-release --product hailong
#   bench/views/run.sh [path/to/hailong]
# Knobs: SIZES ["1000000 10000000"]  CHUNK [1000000]  YEAR [2026]  ZONE [Asia/Ho_Chi_Minh]  PORT [18183]
#   READ_S [10]  READ_CONNECTIONS ["1 4"]  COLD_MAX_S [300]  COLD_TRIES [3]  LIVE [1]  LIVE_RATE [200]  VIEWS [all] (names, space-separated)
#   SHARED_BUFFERS [2GB]  WORK_MEM [64MB]  OUT [/tmp/hailong-views-<time>]  KEEP [0]: 1 leaves the cluster running
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
aggregate="$repo/bench/aggregate"
# shellcheck source=../lib/load.sh
source "$repo/bench/lib/load.sh"
binary="$(realpath "${1:-$repo/.build-release/release/hailong}")"
[[ -x "$binary" ]] || { echo "no hailong binary at $binary (swift build -c release --scratch-path .build-release)" >&2; exit 2; }
sql_dir="${HAILONG_SQL_DIR:-$repo/sql}"

SIZES="${SIZES:-1000000 10000000}"
CHUNK="${CHUNK:-1000000}"
YEAR="${YEAR:-2026}"
ZONE="${ZONE:-Asia/Ho_Chi_Minh}"
PORT="${PORT:-18183}"
READ_S="${READ_S:-10}"
READ_CONNECTIONS="${READ_CONNECTIONS:-1 4}"
COLD_MAX_S="${COLD_MAX_S:-300}"
COLD_TRIES="${COLD_TRIES:-3}"
LIVE="${LIVE:-1}"
LIVE_RATE="${LIVE_RATE:-200}"
SHARED_BUFFERS="${SHARED_BUFFERS:-2GB}"
WORK_MEM="${WORK_MEM:-64MB}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
OUT="${OUT:-/tmp/hailong-views-$(date +%Y%m%d-%H%M%S)}"
PROVINCE=BENCH

for tool in wrk curl python3 bc "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk curl python3 bc postgresql-15)" >&2; exit 2; }
done

as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$OUT"
work="$(mktemp -d /tmp/hailong-views-pg-XXXXXX)"
chmod 755 "$work"
[[ $(id -u) == 0 ]] && chown postgres: "$work"
server_pid=""
stop_server() {
    [[ -n "$server_pid" ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
cleanup() {
    local status=$?
    stop_server
    [[ -n "${feeder:-}" ]] && kill "$feeder" 2>/dev/null || true
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "cluster kept running in $work/pg (socket $work; stop: runuser -u postgres -- $PGBIN/pg_ctl -D $work/pg stop)" >&2
    else
        [[ -f "$work/pg/postmaster.pid" ]] && as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$work"
    fi
    echo "reports and logs in $OUT" >&2
    return $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s load %s] %s\n' "$(date +%T)" "$(cut -d' ' -f1 /proc/loadavg)" "$*" | tee -a "$OUT/run.log" >&2; }
now_s() { date +%s.%N; }
ms_since() { echo "($(now_s) - $1) * 1000" | bc -l; }
fmt() { printf "%.${2:-0}f" "$1"; }
result() { sed -n "s/^RESULT $2=//p" "$1"; }
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

log "initdb in $work/pg (shared_buffers $SHARED_BUFFERS, work_mem $WORK_MEM; fsync and synchronous_commit on)"
as_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
max_connections = 100
shared_buffers = $SHARED_BUFFERS
work_mem = $WORK_MEM
maintenance_work_mem = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
effective_cache_size = 16GB
EOF
as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/postgres.log" -w start >/dev/null

export HAILONG_ALLOW_OWNER=1  # the throwaway cluster has one login, its superuser (never in production)
export HAILONG_SQL_DIR="$sql_dir"
export HAILONG_TIMEZONE="$ZONE"
export HAILONG_STALE_ANSWERS_S=0
export LOG_LEVEL="${LOG_LEVEL:-warning}"

# The views, in the order they are measured: NAME|AUTH (token or cookie)|PATH.
first_child="$PROVINCE.S01"
all_views=(
    "api_depth1|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&depth=1"
    "api_depth0|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&depth=0"
    "api_quarter|token|/api/v1/indices?period=$YEAR-Q2&agency=$PROVINCE&depth=1"
    "api_month|token|/api/v1/indices?period=$YEAR-06&agency=$PROVINCE&depth=1"
    "api_range|token|/api/v1/indices?period=$YEAR-03-15..$YEAR-05-20&agency=$PROVINCE&depth=1"
    "api_channel|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&group=channel"
    "api_officers|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&group=officer"
    "api_counters|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&group=counter"
    "api_dept_officers|token|/api/v1/indices?period=$YEAR&agency=$first_child&group=officer"
    "api_evaluation|token|/api/v1/evaluation/officers?year=$YEAR&agency=$PROVINCE"
    "api_emulation|token|/api/v1/emulation?year=$YEAR&block=KHOI1"
    "api_csv|token|/api/v1/indices?period=$YEAR&agency=$PROVINCE&depth=1&format=csv"
    "page_overview|cookie|/admin?period=$YEAR"
    "page_province|cookie|/admin/agencies/$PROVINCE?period=$YEAR"
    "page_department|cookie|/admin/agencies/$first_child?period=$YEAR"
    "page_evaluation|cookie|/admin/agencies/$PROVINCE/evaluation?year=$YEAR"
    "page_emulation|cookie|/admin/emulation/KHOI1?year=$YEAR"
    "page_flags|cookie|/admin/agencies/$PROVINCE/flags?period=$YEAR"
    "page_complaints|cookie|/admin/agencies/$PROVINCE/complaints?period=$YEAR"
    "page_xlsx|cookie|/admin/agencies/$PROVINCE/export?period=$YEAR&format=xlsx"
)
views=()
for view in "${all_views[@]}"; do
    name=${view%%|*}
    if [[ -z "${VIEWS:-}" || " $VIEWS " == *" $name "* ]]; then views+=("$view"); fi
done

start_server() {
    "$binary" serve --host 127.0.0.1 --port "$PORT" >>"$OUT/server-$db.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 600); do
        curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || { echo "hailong serve died: $(tail -5 "$OUT/server-$db.log")" >&2; exit 1; }
        sleep 0.1
    done
    echo "hailong serve was not ready in 60 s" >&2
    exit 1
}

sign_in() {
    curl -s -o "$work/signin.html" "http://127.0.0.1:$PORT/admin/sign-in"
    local nonce
    nonce=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$work/signin.html" | head -1)
    curl -s -D "$work/session.headers" -o /dev/null -H "Cookie: hl_signin=$nonce" --data-urlencode "csrf=$nonce" \
        --data-urlencode username=bench --data-urlencode password=bench-password-2026 "http://127.0.0.1:$PORT/admin/sign-in"
    session=$(sed -n 's/^[Ss]et-[Cc]ookie: \(hl_session=[^;]*\).*/\1/p' "$work/session.headers" | head -1)
    [[ -n "$session" ]] || { echo "the benchmark account could not sign in" >&2; exit 1; }
}

get() {  # AUTH PATH FILE → status
    local header
    if [[ "$1" == token ]]; then header="Authorization: Bearer $TOKEN"; else header="Cookie: $session"; fi
    curl -s -o "$3" -m 600 -w '%{http_code}' -H "$header" "http://127.0.0.1:$PORT$2"
}

summary_rows=()
declare -A cold_by
for size in $SIZES; do
    db="h$size"
    export DATABASE_URL="postgres://postgres@/$db?host=$work"
    psql_q() { "$PGBIN/psql" -X -q -A -t -h "$work" -U postgres -d "$db" -v ON_ERROR_STOP=1 -c "$1"; }
    psql_f() { "$PGBIN/psql" -X -q -h "$work" -U postgres -d "$db" -v ON_ERROR_STOP=1 "$@"; }
    "$PGBIN/createdb" -h "$work" -U postgres "$db"
    log "[$size] migrate, directory, $size responses"
    "$binary" migrate >/dev/null
    psql_f -v province="$PROVINCE" -f "$aggregate/directory.sql" >/dev/null
    TOKEN="$("$binary" token add --name bench --role par)"
    printf '%s\n' "bench-password-2026" | "$binary" user add --username bench --role agency_admin --agency "$PROVINCE" \
        --password-stdin >/dev/null
    block_args=()
    for i in $(seq 1 40); do block_args+=(--agency "$(printf '%s.X%03d' "$PROVINCE" "$i")"); done
    "$binary" block add --code KHOI1 --name "Cụm thi đua xã số 1" --year "$YEAR" "${block_args[@]}" >/dev/null
    t0=$(now_s)
    # Loaded as a restore would (bench/lib/load.sh), no FK triggers meanwhile.
    drop_response_keys "$work/keys.sql"
    load_responses "$size" "$CHUNK" "$YEAR" "$ZONE" "$aggregate/responses.sql"
    restore_response_keys "$work/keys.sql"
    psql_q "VACUUM (ANALYZE) responses" >/dev/null
    load_s=$(echo "$(now_s) - $t0" | bc -l)
    t0=$(now_s); "$binary" aggregate --rebuild >/dev/null; rebuild_s=$(echo "$(now_s) - $t0" | bc -l)
    t0=$(now_s); "$binary" aggregate --compact >/dev/null; fill_s=$(echo "$(now_s) - $t0" | bc -l)
    psql_q "VACUUM (ANALYZE)" >/dev/null
    psql_q "CHECKPOINT" >/dev/null
    sizes=$(psql_q "SELECT string_agg(format('%s %s rows', t, (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || t, false, true, '')))[1]::text), ', ')
                    FROM unnest(ARRAY['response_counts', 'weekly_counts', 'monthly_counts', 'quarterly_counts', 'yearly_counts', 'officer_monthly_counts',
                        'officer_yearly_counts', 'hourly_counts', 'hourly_monthly_counts']) AS t")
    log "[$size] loaded in $(fmt "$load_s") s, rebuilt in $(fmt "$rebuild_s") s, rollups filled in $(fmt "$fill_s") s: $sizes"
    echo "[$size] load $(fmt "$load_s") s, rebuild $(fmt "$rebuild_s") s, rollups filled by the first compaction $(fmt "$fill_s") s; $sizes" \
        >>"$OUT/cubes.txt"

    for view in "${views[@]}"; do
        IFS='|' read -r name auth path <<<"$view"
        # Nothing kept: a new process for every first look, COLD_TRIES of them; the last one stays up for the warm runs.
        colds=()
        for try in $(seq "$COLD_TRIES"); do
            ((try == 1)) || stop_server
            start_server
            [[ "$auth" == cookie ]] && sign_in
            t0=$(now_s)
            status=$(get "$auth" "$path" "$OUT/$size-$name.body")
            attempts=1
            while [[ "$status" == 503 ]] && (( $(echo "$(ms_since "$t0") < $COLD_MAX_S * 1000" | bc) )); do
                sleep 0.5
                status=$(get "$auth" "$path" "$OUT/$size-$name.body")
                attempts=$((attempts + 1))
            done
            colds+=("$(ms_since "$t0")")
        done
        # The median of the tries (one cold request here varies by a third from one try to the next).
        cold=$(printf '%s\n' "${colds[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
        tries_ms=$(for c in "${colds[@]}"; do fmt "$c"; echo; done | paste -sd/ | sed 's|/| / |g')
        bytes=$(wc -c <"$OUT/$size-$name.body")
        cold_by[$size,$name]=$cold
        warm=""
        if [[ "$status" == 200 ]]; then
            for c in $READ_CONNECTIONS; do
                f="$OUT/wrk-$size-$name-c$c.out"
                if [[ "$auth" == token ]]; then env_auth="HAILONG_TOKEN=$TOKEN"; else env_auth="HAILONG_COOKIE=$session"; fi
                env "$env_auth" wrk -t"$(( c < 2 ? c : 2 ))" -c"$c" -d"${READ_S}s" --timeout 120s --latency \
                    -s "$aggregate/read.lua" "http://127.0.0.1:$PORT$path" >"$f" 2>&1 || { echo "wrk failed: $(tail -3 "$f")" >&2; exit 1; }
                warm+=$(printf ' | %s / %s' "$(fmt "$(result "$f" p50_ms)" 1)" "$(fmt "$(result "$f" p95_ms)" 1)")
                [[ "$(result "$f" non200)" == 0 ]] || warm+=" ($(result "$f" non200) not 200)"
            done
        else
            for _ in $READ_CONNECTIONS; do warm+=" | –"; done
        fi
        stop_server
        row=$(printf '| %s | %s | %s | %s ms (%s)%s | %s%s |' "$size" "$name" "$status" "$(fmt "$cold")" "$tries_ms" \
            "$( ((attempts > 1)) && echo ", the last try $attempts requests")" "$(numfmt --grouping "$bytes") B" "$warm")
        summary_rows+=("$row")
        log "$row"
    done
done

live_rows=()
if [[ "$LIVE" == 1 ]]; then
    size=${SIZES##* }
    log "[$size] live: $LIVE_RATE ratings a second while the views are read"
    start_server
    sign_in
    g_next=$(( size + 1 ))
    feed_responses "$g_next" "$LIVE_RATE" "$YEAR" "$ZONE" "$aggregate/responses.sql" &
    feeder=$!
    sleep 3
    for view in "${views[@]}"; do
        IFS='|' read -r name auth path <<<"$view"
        [[ " api_depth1 api_evaluation page_overview page_province page_department " == *" $name "* ]] || continue
        get "$auth" "$path" /dev/null >/dev/null  # someone opens it first (not measured)
        line="| $size + $LIVE_RATE/s | $name"
        for c in $READ_CONNECTIONS; do
            f="$OUT/wrk-live-$name-c$c.out"
            if [[ "$auth" == token ]]; then env_auth="HAILONG_TOKEN=$TOKEN"; else env_auth="HAILONG_COOKIE=$session"; fi
            v0=$(psql_q "SELECT version FROM figures_version WHERE id = 1")
            env "$env_auth" wrk -t"$(( c < 2 ? c : 2 ))" -c"$c" -d"${READ_S}s" --timeout 120s --latency \
                -s "$aggregate/read.lua" "http://127.0.0.1:$PORT$path" >"$f" 2>&1 || { echo "wrk failed" >&2; exit 1; }
            v1=$(psql_q "SELECT version FROM figures_version WHERE id = 1")
            line+=$(printf ' | %s / %s (%s versions)' "$(fmt "$(result "$f" p50_ms)" 1)" "$(fmt "$(result "$f" p95_ms)" 1)" "$((v1 - v0))")
        done
        live_rows+=("$line |")
        log "$line"
    done
    kill "$feeder" 2>/dev/null || true
    wait "$feeder" 2>/dev/null || true
    feeder=""
    stop_server
fi

# A binary copied out of its checkout carries its commit in a .commit file beside it (as bench/aggregate reads it).
if [[ -f "$(dirname "$binary")/.commit" ]]; then
    commit=$(cat "$(dirname "$binary")/.commit")
else
    commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
{
    echo "date     $(date -Iseconds)"
    echo "machine  $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "load     $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "binary   $binary (checkout at $commit)"
    echo "postgres shared_buffers $SHARED_BUFFERS, work_mem $WORK_MEM, fsync and synchronous_commit on"
    cat "$OUT/cubes.txt"
    echo
    echo "| responses | view | status | cold: median (each try), the first answer after a restart | size |$(for c in $READ_CONNECTIONS; do printf ' warm p50 / p95 ms, -c%s |' "$c"; done)"
    echo "| --- | --- | --- | --- | --- |$(for _ in $READ_CONNECTIONS; do printf ' --- |'; done)"
    printf '%s\n' "${summary_rows[@]}"
    first=${SIZES%% *}; last=${SIZES##* }
    if [[ "$first" != "$last" ]]; then
        echo
        echo "growth, median cold at $last ÷ median cold at $first:"
        for view in "${views[@]}"; do
            name=${view%%|*}
            printf '  %-18s %s\n' "$name" "$(fmt "$(echo "${cold_by[$last,$name]} / ${cold_by[$first,$name]}" | bc -l)" 2)"
        done
    fi
    if ((${#live_rows[@]})); then
        echo
        echo "| while ratings arrive | view |$(for c in $READ_CONNECTIONS; do printf ' p50 / p95 ms, -c%s |' "$c"; done)"
        echo "| --- | --- |$(for _ in $READ_CONNECTIONS; do printf ' --- |'; done)"
        printf '%s\n' "${live_rows[@]}"
    fi
} | tee "$OUT/summary.txt"
