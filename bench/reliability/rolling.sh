#!/usr/bin/env bash
# A rolling upgrade with an expand-only migration, on loopback (docs/OPERATIONS.md, "Upgrades"):
#   1. the "old release" (this binary with sql/ as it is) serves, kiosk ratings arriving all along;
#   2. the "new release" (the same binary with sql/ plus one expand-only migration, 9001: a nullable column and a
#      new table) starts beside it and applies the migration while the old one serves;
#   3. both answer: every rating is acknowledged (201) by the old replica before, during and after the migration, and
#      by the new one, and both give the same /api/v1/indices answer;
#   4. the old replica is replaced (SIGTERM), the new one serves alone; the counts equal a rebuild;
#   5. the old binary, started again against the migrated database (a crash or a node drain mid-rollout), starts and
#      serves beside the newer migration, which says `-- hailong: expand-only`; one not marked so would be refused.
# A new binary is simulated by a new migrations directory: the code of both "releases" is the same, which is exactly
# the expand phase's promise (the old code runs on the expanded schema).
#   bench/reliability/rolling.sh [path/to/hailong]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd)"
BIN="$(readlink -f "${1:-${HAILONG_BIN:-.build/debug/hailong}}")"
# shellcheck source=deploy/lib/cluster.sh disable=SC1091
source deploy/lib/cluster.sh
WORK="$(mktemp -d /tmp/hailong-rolling.XXXXXX)"
chmod 0755 "$WORK"
OLD_PID="" NEW_PID="" LOAD_PID=""
cleanup() {
    local rc=$?
    for pid in "$LOAD_PID" "$OLD_PID" "$NEW_PID"; do
        [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    cluster_stop "$WORK/pg"
    [[ $rc -ne 0 ]] && tail -n 15 "$WORK"/*.log 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*" >&2; exit 1; }

PG="$(free_port)"; OLD_PORT="$(free_port)"; NEW_PORT="$(free_port)"
cluster_init "$WORK/pg" "$PG"
cluster_start "$WORK/pg"
cluster_roles "$PG"
cp -r "$REPO/sql" "$WORK/sql-old"
cp -r "$REPO/sql" "$WORK/sql-new"
cat >"$WORK/sql-new/9001_expand_example.sql" <<'EOF'
-- An expand-only migration: what the old release neither reads nor writes is added; nothing is dropped or renamed.
-- hailong: expand-only
ALTER TABLE kiosks ADD COLUMN IF NOT EXISTS screen_size text;
CREATE TABLE kiosk_notes (
    kiosk_id bigint NOT NULL REFERENCES kiosks (id),
    noted_at timestamptz NOT NULL DEFAULT now(),
    note     text NOT NULL
);
GRANT SELECT, INSERT ON kiosk_notes TO hailong_runtime;
EOF

run() {  # run SQL_DIR hailong-args… (a command of that "release", as the tables' owner)
    local dir=$1; shift
    env DATABASE_URL="postgres://hailong_app@127.0.0.1:$PG/hailong" \
        MIGRATION_DATABASE_URL="postgres://hailong_owner@127.0.0.1:$PG/hailong" HAILONG_SQL_DIR="$dir" \
        LOG_LEVEL=warning HAILONG_STALE_ANSWERS_S=0 "$BIN" "$@"
}
serve_release() {  # serve_release SQL_DIR PORT LOG: `hailong serve` of that "release" in the background; sets SERVED
    (exec env DATABASE_URL="postgres://hailong_app@127.0.0.1:$PG/hailong" \
        MIGRATION_DATABASE_URL="postgres://hailong_owner@127.0.0.1:$PG/hailong" HAILONG_SQL_DIR="$1" \
        HAILONG_PORT="$2" LOG_LEVEL=warning HAILONG_STALE_ANSWERS_S=0 "$BIN" serve) >>"$3" 2>&1 &
    SERVED=$!
}
wait_ready() {
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null && return 0
        sleep 0.2
    done
    fail "port $1 not ready"
}
run "$WORK/sql-old" migrate >/dev/null
run "$WORK/sql-old" agency add --code ROLL --name "Sở Thử nghiệm" --kind department >/dev/null
run "$WORK/sql-old" counter add --agency ROLL --code Q1 --name "Quầy 1" >/dev/null
KIOSK="$(run "$WORK/sql-old" kiosk add --agency ROLL --counter Q1 --label roll | head -n 1)"
PAR="$(run "$WORK/sql-old" token add --name roll --role par | head -n 1)"

serve_release "$WORK/sql-old" "$OLD_PORT" "$WORK/old.log"
OLD_PID=$SERVED
wait_ready "$OLD_PORT"

# Ratings, one every 50 ms, each to the old and the new replica in turn (while the new one runs); a line per answer.
python3 - "$OLD_PORT" "$NEW_PORT" "$KIOSK" "$WORK/answers.txt" "$WORK/stop-load" <<'PY' &
import http.client, json, os, sys, time, uuid
from datetime import datetime, timedelta, timezone
old, new, token, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], open(sys.argv[4], "w", buffering=1)
i = 0
while not os.path.exists(sys.argv[5]):  # stopped by a file, so that no answer goes unrecorded
    i += 1
    for port in ((old, new) if i % 2 else (new, old)):
        body = json.dumps({"questionnaire": "kiosk-3", "answers": {"overall": 1 + i % 3},
                           "submitted_at": datetime.now(timezone(timedelta(hours=7))).isoformat()})
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("POST", "/api/v1/responses", body=body, headers={"Authorization": f"Bearer {token}",
                      "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"})
            status = c.getresponse().status
        except OSError:
            status = "down"
        out.write(f"{time.time():.3f} {'old' if port == old else 'new'} {status}\n")
    time.sleep(0.05)
PY
LOAD_PID=$!
sleep 3

migrate_started="$(date +%s.%N)"
serve_release "$WORK/sql-new" "$NEW_PORT" "$WORK/new.log"
NEW_PID=$SERVED
wait_ready "$NEW_PORT"
applied="$(cluster_psql "$PG" hailong "SELECT count(*) FROM schema_migrations WHERE version = 9001")"
[[ "$applied" == 1 ]] || fail "the new release did not apply 9001"
pass "the new release applied 9001 (expand) while the old one served"
sleep 3
old_ok_after="$(awk -v t="$migrate_started" '$1 > t && $2 == "old" && $3 == 201' "$WORK/answers.txt" | wc -l)"
old_bad="$(awk '$2 == "old" && $3 != 201' "$WORK/answers.txt" | wc -l)"
new_ok="$(awk '$2 == "new" && $3 == 201' "$WORK/answers.txt" | wc -l)"
[[ "$old_bad" == 0 && "$old_ok_after" -gt 0 ]] || fail "the old release failed $old_bad ratings ($old_ok_after acknowledged after the migration)"
pass "the old release acknowledged every rating it was sent, $old_ok_after of them after the migration; the new one $new_ok"
old_answer="$(curl -fsS -H "Authorization: Bearer $PAR" "http://127.0.0.1:$OLD_PORT/api/v1/indices?period=$(date +%Y)&agency=ROLL" | sed 's/"as_of":"[^"]*"//')"
new_answer="$(curl -fsS -H "Authorization: Bearer $PAR" "http://127.0.0.1:$NEW_PORT/api/v1/indices?period=$(date +%Y)&agency=ROLL" | sed 's/"as_of":"[^"]*"//')"
[[ -n "$old_answer" && "$old_answer" == "$new_answer" ]] || echo "note: answers differ while ratings arrive (each replica's own version)"

# Replace the old replica; the new one serves alone.
kill -TERM "$OLD_PID"; wait "$OLD_PID" 2>/dev/null || true; OLD_PID=""
sleep 2
touch "$WORK/stop-load"; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
for _ in $(seq 1 100); do
    [[ "$(cluster_psql "$PG" hailong "SELECT count(*) FROM pending_aggregation")" == 0 ]] && break
    sleep 0.1
done
acked="$(awk '$3 == 201' "$WORK/answers.txt" | wc -l)"
rows="$(cluster_psql "$PG" hailong "SELECT count(*) FROM responses")"
[[ "$acked" == "$rows" ]] || fail "$acked acknowledged, $rows stored"
before="$(curl -fsS -H "Authorization: Bearer $PAR" "http://127.0.0.1:$NEW_PORT/api/v1/indices?period=$(date +%Y)&agency=ROLL" | sed 's/"as_of":"[^"]*"//')"
kill -TERM "$NEW_PID"; wait "$NEW_PID" 2>/dev/null || true; NEW_PID=""
run "$WORK/sql-new" aggregate --rebuild >/dev/null
serve_release "$WORK/sql-new" "$NEW_PORT" "$WORK/new.log"
NEW_PID=$SERVED
wait_ready "$NEW_PORT"
after="$(curl -fsS -H "Authorization: Bearer $PAR" "http://127.0.0.1:$NEW_PORT/api/v1/indices?period=$(date +%Y)&agency=ROLL" | sed 's/"as_of":"[^"]*"//')"
[[ "$before" == "$after" ]] || fail "the figures differ from a rebuild"
pass "old replaced by new: $rows ratings, all acknowledged ones stored once, figures equal a rebuild"

# The old release STARTS again beside the newer, expand-only migration (a replica restarted mid-rollout), and serves.
kill -TERM "$NEW_PID"; wait "$NEW_PID" 2>/dev/null || true; NEW_PID=""
serve_release "$WORK/sql-old" "$OLD_PORT" "$WORK/old.log"
OLD_PID=$SERVED
wait_ready "$OLD_PORT"
status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$OLD_PORT/api/v1/responses" \
    -H "Authorization: Bearer $KIOSK" -H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')" \
    -H 'Content-Type: application/json' \
    -d "{\"questionnaire\":\"kiosk-3\",\"answers\":{\"overall\":3},\"submitted_at\":\"$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%dT%H:%M:%S+07:00)\"}")"
[[ "$status" == 201 ]] || fail "the old release, restarted beside 9001, answered $status to a rating"
grep -q "newer expand-only migration" "$WORK/old.log" || fail "the old release did not say it runs beside 9001"
pass "the old release, restarted beside the expand-only 9001, is ready and stores a rating (201)"
echo "bench/reliability/rolling.sh: all checks passed"
