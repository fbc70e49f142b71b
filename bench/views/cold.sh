#!/usr/bin/env bash
# One view's first answer after a restart, N times: for each try, `hailong serve` is started afresh on an existing
# database (nothing kept: HAILONG_STALE_ANSWERS_S=0), waited for (/readyz), given SETTLE seconds, asked once, stopped.
# Prints "status seconds bytes" per try; the answers are kept in $OUT/answer.<try> (compare them with cmp).
# Used on a cluster kept by `KEEP=1 bench/views/run.sh` to compare binaries on the same data (docs/BENCHMARKS.md).
#
# Usage: DATABASE_URL=postgres://… TOKEN=<par token> bench/views/cold.sh path/to/hailong N [PATH]
#   PATH defaults to the province's evaluation: /api/v1/evaluation/officers?year=2026&agency=BENCH
# Knobs: PORT [18190]  SETTLE [1]  OUT [/tmp/hailong-cold]  HAILONG_SQL_DIR [<repo>/sql]  HAILONG_TIMEZONE [Asia/Ho_Chi_Minh]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="$1"
tries="$2"
path="${3:-/api/v1/evaluation/officers?year=2026&agency=BENCH}"
: "${DATABASE_URL:?the database to read (the cluster that bench/views/run.sh kept)}"
: "${TOKEN:?a par token for that database (hailong token add --name cold --role par)}"
PORT="${PORT:-18190}"
OUT="${OUT:-/tmp/hailong-cold}"
export HAILONG_ALLOW_OWNER="${HAILONG_ALLOW_OWNER:-1}" HAILONG_STALE_ANSWERS_S=0 LOG_LEVEL="${LOG_LEVEL:-warning}"
export HAILONG_SQL_DIR="${HAILONG_SQL_DIR:-$here/../../sql}" HAILONG_TIMEZONE="${HAILONG_TIMEZONE:-Asia/Ho_Chi_Minh}"
mkdir -p "$OUT"

for try in $(seq "$tries"); do
    "$binary" serve --host 127.0.0.1 --port "$PORT" >>"$OUT/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 600); do
        curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
        kill -0 "$server" 2>/dev/null || { echo "hailong serve died: $(tail -3 "$OUT/serve.log")" >&2; exit 1; }
        sleep 0.1
    done
    sleep "${SETTLE:-1}"
    curl -s -o "$OUT/answer.$try" -w "%{http_code} %{time_total}s %{size_download}B\n" -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT$path"
    kill "$server"
    wait "$server" 2>/dev/null || true
done
