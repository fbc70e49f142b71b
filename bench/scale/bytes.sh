#!/usr/bin/env bash
# Bytes on disk per rating, for docs/SCALING.md's capacity model: a throwaway cluster with the aggregation benchmark's
# province (1,000 agencies, 10,000 officers: bench/aggregate/directory.sql) and N synthetic ratings over one year
# (bench/aggregate/responses.sql: 92 % kiosk, 8 % web, the benchmark's flags and comments), stored through the
# ordinary indexes, counted by `hailong aggregate --rebuild` and compacted; then the size of each table with its
# indexes and TOAST, per rating.
#   bench/scale/bytes.sh [path/to/hailong] [N=300000]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$(readlink -f "${1:-${HAILONG_BIN:-.build/debug/hailong}}")"
N="${2:-300000}"
# shellcheck source=deploy/lib/cluster.sh disable=SC1091
source deploy/lib/cluster.sh
WORK="$(mktemp -d /tmp/hailong-bytes.XXXXXX)"
chmod 0755 "$WORK"
trap 'cluster_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
PORT="$(free_port)"
cluster_init "$WORK/pg" "$PORT" "shared_buffers = 256MB"
cluster_start "$WORK/pg"
cluster_psql "$PORT" postgres "CREATE DATABASE hailong"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/hailong" HAILONG_ALLOW_OWNER=1 HAILONG_SQL_DIR="$PWD/sql" \
    LOG_LEVEL=warning
"$BIN" migrate >/dev/null
psql_f() { "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d hailong -v ON_ERROR_STOP=1 "$@"; }
psql_f -v province=BYTES -f bench/aggregate/directory.sql >/dev/null
year="$(date +%Y)"
t0=$SECONDS
for ((lo = 1; lo <= N; lo += 100000)); do
    hi=$((lo + 99999 > N ? N : lo + 99999))
    psql_f -v lo="$lo" -v hi="$hi" -v g0=1 -v total="$N" -v day0="$year-01-01" -v span=365 -v zone=Asia/Ho_Chi_Minh \
        -v seed="0.$lo" -v queue=false -f bench/aggregate/responses.sql >/dev/null
done
"$BIN" aggregate --rebuild >/dev/null
"$BIN" aggregate --compact >/dev/null
psql_f -c "VACUUM ANALYZE" >/dev/null
echo "$N ratings over $year for 1,000 agencies, loaded, counted and compacted in $((SECONDS - t0)) s"
psql_f -A -F ' | ' -c "
    SELECT c.relname AS table, pg_size_pretty(pg_total_relation_size(c.oid)) AS total,
           pg_size_pretty(pg_relation_size(c.oid)) AS heap, pg_size_pretty(pg_indexes_size(c.oid)) AS indexes,
           round(pg_total_relation_size(c.oid)::numeric / $N) AS bytes_per_rating
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_total_relation_size(c.oid) > 1024 * 1024
    UNION ALL
    SELECT 'all tables', pg_size_pretty(sum(pg_total_relation_size(c.oid))), '', '',
           round(sum(pg_total_relation_size(c.oid)) / $N)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
    ORDER BY 5 DESC"
