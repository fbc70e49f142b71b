#!/usr/bin/env bash
# Backups that are restored (CI runs this): the demo province on a cluster set up as in production (owner, runtime
# role, service login; WAL archived), then
#   1. deploy/backup.sh all: a base backup, a dump, the roles;
#   2. a streaming replica (pg_basebackup -R on loopback) replays what follows and refuses writes; after the backup
#      a third publication is made and its WAL archived;
#   3. deploy/restore.sh dump into a FRESH cluster: the same publications (content_hash) as at the dump, and
#      `hailong serve` on it answers /api/v1/indices (live and published) byte for byte as the original did (as_of
#      aside, which is the moment of computing);
#   4. deploy/restore.sh pitr into another fresh data directory from the base backup + archived WAL: every
#      publication, the third one included, and the same live indices.
#
#   deploy/test-restore.sh [path/to/hailong]      (default: $HAILONG_BIN, else .build/debug/hailong)
# Needs PostgreSQL's server binaries, curl and python3. Prints PASS lines; exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO="$(pwd)"
BIN="$(readlink -f "${1:-${HAILONG_BIN:-.build/debug/hailong}}")"
[[ -x "$BIN" ]] || { echo "error: no hailong binary at $BIN (swift build --product hailong)" >&2; exit 1; }
# shellcheck source=deploy/lib/cluster.sh disable=SC1091
source deploy/lib/cluster.sh

WORK="$(mktemp -d /tmp/hailong-restore.XXXXXX)"
chmod 0755 "$WORK"
SERVE_PID=""
stop_serve() {
    if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
        kill -TERM "$SERVE_PID"
        wait "$SERVE_PID" 2>/dev/null || true
    fi
    SERVE_PID=""
}
cleanup() {
    local rc=$?
    stop_serve
    for c in a r b c; do cluster_stop "$WORK/$c"; done
    if [[ $rc -ne 0 ]]; then
        echo "--- hailong log"; tail -n 20 "$WORK/serve.log" 2>/dev/null || true
        for c in a r b c; do [[ -f "$WORK/$c/postgres.log" ]] && { echo "--- postgres $c"; tail -n 10 "$WORK/$c/postgres.log"; }; done
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*" >&2; exit 1; }

PA="$(free_port)"; PB="$(free_port)"; PC="$(free_port)"; HTTP="$(free_port)"
BACKUPS="$WORK/backups"
mkdir -p "$BACKUPS/wal"
[[ "$(id -u)" -eq 0 ]] && chown -R postgres:postgres "$BACKUPS"

# `hailong` against the cluster on port $1, as production runs it: the service login and the tables' owner.
hailong() {
    local port=$1; shift
    exec env DATABASE_URL="postgres://hailong_app@127.0.0.1:$port/hailong" \
        MIGRATION_DATABASE_URL="postgres://hailong_owner@127.0.0.1:$port/hailong" \
        HAILONG_SQL_DIR="$REPO/sql" HAILONG_PORT="$HTTP" HAILONG_STALE_ANSWERS_S=0 LOG_LEVEL=warning "$BIN" "$@"
}
serve() {  # serve DBPORT [--demo]; SERVE_PID is the binary's own pid (the subshell execs into it)
    local port=$1; shift
    (hailong "$port" serve "$@") >"$WORK/serve.out" 2>>"$WORK/serve.log" &
    SERVE_PID=$!
    for _ in $(seq 1 600); do
        curl -fsS -o /dev/null "http://127.0.0.1:$HTTP/readyz" 2>/dev/null && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || fail "hailong serve exited"
        sleep 0.5
    done
    fail "hailong serve not ready in 300 s"
}
wait_drained() {  # the aggregator has counted everything stored
    for _ in $(seq 1 240); do
        curl -fsS "http://127.0.0.1:$HTTP/metrics" | grep -q '^hailong_aggregation_backlog 0' && return 0
        sleep 0.5
    done
    fail "the aggregation backlog did not drain"
}
publications() {  # one line per publication: agency period questionnaire version content_hash
    cluster_psql "$1" hailong "SELECT a.code, p.period, p.questionnaire, p.version, p.content_hash
        FROM publications p JOIN agencies a ON a.id = p.agency_id ORDER BY 1, 2, 3, 4" | tr '|' ' '
}
YEAR="$(date +%Y)"
RANGE="$(date -d '-120 days' +%F)..$(date +%F)"
QUERIES=(
    "period=$YEAR&agency=DEMO&depth=all"
    "period=$YEAR&agency=DEMO&depth=all&questionnaire=sipas-5"
    "period=$RANGE&agency=DEMO.STP&depth=0&group=officer"
    "period=$YEAR&agency=DEMO&depth=all&format=csv"
    "period=$YEAR&agency=DEMO&published=1"
    "period=$YEAR&agency=DEMO&questionnaire=sipas-5&published=1"
)
answers() {  # the answers to QUERIES on the running server, as_of removed, one file
    local out=$1 q
    : >"$out"
    for q in "${QUERIES[@]}"; do
        echo "== $q" >>"$out"
        curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/api/v1/indices?$q" \
            | python3 -c '
import json, re, sys
text = sys.stdin.buffer.read().decode("utf-8")
try:
    def strip(v):
        if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k != "as_of"}
        if isinstance(v, list): return [strip(x) for x in v]
        return v
    print(json.dumps(strip(json.loads(text)), ensure_ascii=False, sort_keys=True))
except json.JSONDecodeError:
    print(text)' >>"$out" || fail "GET /api/v1/indices?$q"
    done
}

# --- the original: the demo province, as in production, WAL archived ---
cluster_init "$WORK/a" "$PA" "archive_mode = on" \
    "archive_command = 'test ! -f $BACKUPS/wal/%f && cp %p $BACKUPS/wal/%f.tmp && mv $BACKUPS/wal/%f.tmp $BACKUPS/wal/%f'"
cluster_start "$WORK/a"
cluster_roles "$PA"
t0=$SECONDS
serve "$PA" --demo
TOKEN="$( (hailong "$PA" token add --name restore-check --role par) | grep -o 'hlt_[A-Za-z0-9_-]*' | sed -n 1p)"
[[ -n "$TOKEN" ]] || fail "no token from hailong token add"
(hailong "$PA" publish --period "$YEAR" --agency DEMO) >/dev/null
(hailong "$PA" publish --period "$YEAR" --agency DEMO --questionnaire sipas-5) >/dev/null
wait_drained
answers "$WORK/answers-a.txt"
[[ "$(grep -c '"n":' "$WORK/answers-a.txt")" -ge 4 ]] || fail "the original's answers hold no figures: $(head -c 300 "$WORK/answers-a.txt")"
publications "$PA" >"$WORK/pubs-a.txt"
rows="$(cluster_psql "$PA" hailong "SELECT count(*) FROM responses")"
pass "demo province on a production-like cluster in $((SECONDS - t0)) s: $rows responses, $(wc -l <"$WORK/pubs-a.txt") publications"

# The monitoring login of deploy/prometheus/postgres-exporter-queries.yaml, made with the grants written there, runs
# every query of that file.
sed -n 's/^#   \(CREATE ROLE\|GRANT\)/\1/p' deploy/prometheus/postgres-exporter-queries.yaml | sed "s/PASSWORD '…' //" \
    | "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PA" -U postgres -d hailong >/dev/null
python3 -c 'import sys, yaml
for name, q in yaml.safe_load(open(sys.argv[1])).items():
    print(q["query"].replace("\n", " ") + ";")' deploy/prometheus/postgres-exporter-queries.yaml \
    | "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PA" -U hailong_monitor -d hailong >"$WORK/exporter.txt" \
    || fail "a query of postgres-exporter-queries.yaml fails as hailong_monitor"
pass "postgres-exporter-queries.yaml: every query runs as hailong_monitor ($(wc -l <"$WORK/exporter.txt") rows)"

# --- 1. the backup, as the cluster's user (as hailong-backup.service runs it) ---
as_pg env BACKUP_DIR="$BACKUPS" PGHOST=127.0.0.1 PGPORT="$PA" PGUSER=postgres PGDATABASE=hailong PG_BINDIR="$PG_BINDIR" \
    deploy/backup.sh all >"$WORK/backup.txt"
DUMP="$(ls "$BACKUPS"/dump/*.dump)"
BASE="$(ls -d "$BACKUPS"/base/*)"
[[ -f "${DUMP%.dump}.globals.sql" ]] || fail "no roles file beside the dump"
pass "deploy/backup.sh all: $(tr '\n' ';' <"$WORK/backup.txt")"

# --- 1b. a streaming replica of the original on loopback (pg_basebackup -R), as deploy/postgres/archiving.conf sets up
PR="$(free_port)"
mkdir -p "$WORK/r/run"
[[ "$(id -u)" -eq 0 ]] && chown -R postgres:postgres "$WORK/r"
as_pg "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PA" -U postgres -D "$WORK/r/data" -R -X stream --checkpoint=fast
printf "port = %s\nunix_socket_directories = '%s'\narchive_mode = off\nhot_standby = on\n" "$PR" "$WORK/r/run" \
    | as_pg tee -a "$WORK/r/data/postgresql.auto.conf" >/dev/null
cluster_start "$WORK/r"

# --- 2. after the backup: a third publication, its WAL archived ---
(hailong "$PA" publish --period "$(date -d '-1 month' +%Y-%m)" --agency DEMO) >/dev/null
publications "$PA" >"$WORK/pubs-a-final.txt"
for _ in $(seq 1 100); do
    publications "$PR" >"$WORK/pubs-r.txt" 2>/dev/null && cmp -s "$WORK/pubs-a-final.txt" "$WORK/pubs-r.txt" && break
    sleep 0.1
done
cmp -s "$WORK/pubs-a-final.txt" "$WORK/pubs-r.txt" || fail "the streaming replica does not have the third publication"
[[ "$(cluster_psql "$PR" hailong "SELECT pg_is_in_recovery()")" == t ]] || fail "the replica is not in recovery"
refusal="$("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PR" -U hailong_app -d hailong \
    -c "UPDATE figures_version SET version = version" 2>&1 || true)"
[[ "$refusal" == *"read-only transaction"* ]] || fail "the replica did not refuse a write as read-only: $refusal"
lag="$(echo "SELECT CASE WHEN pg_is_in_recovery() THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) ELSE 0 END" \
    | "$PG_BINDIR/psql" -X -q -A -t -h 127.0.0.1 -p "$PR" -U hailong_monitor -d hailong)"
pass "streaming replica (pg_basebackup -R on loopback): replays the new publication, refuses writes, lag ${lag%%.*} s as hailong_monitor sees it"
cluster_stop "$WORK/r"
segment="$(cluster_psql "$PA" hailong "SELECT pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 1 100); do [[ -f "$BACKUPS/wal/$segment" ]] && break; sleep 0.2; done
[[ -f "$BACKUPS/wal/$segment" ]] || fail "WAL segment $segment not archived"
stop_serve
cluster_stop "$WORK/a"
pass "a publication after the backup; WAL archived up to $segment"

# --- 3. the dump into a fresh cluster ---
cluster_init "$WORK/b" "$PB"
cluster_start "$WORK/b"
PGHOST=127.0.0.1 PGPORT="$PB" PGUSER=postgres deploy/restore.sh dump "$DUMP" >"$WORK/restore-b.txt"
publications "$PB" >"$WORK/pubs-b.txt"
diff "$WORK/pubs-a.txt" "$WORK/pubs-b.txt" || fail "publications after restoring the dump differ"
pass "restore.sh dump into a fresh cluster: the $(wc -l <"$WORK/pubs-b.txt") publications at the dump, same content_hash"
serve "$PB"
answers "$WORK/answers-b.txt"
stop_serve
diff "$WORK/answers-a.txt" "$WORK/answers-b.txt" >"$WORK/diff-b.txt" || { head -c 2000 "$WORK/diff-b.txt"; fail "indices differ after the dump's restore"; }
pass "hailong serve on the restored dump: ${#QUERIES[@]} /api/v1/indices answers (live, CSV, published; $(wc -c <"$WORK/answers-a.txt") bytes) equal the original's"

# --- 4. point-in-time recovery: base backup + archived WAL, replayed to the end ---
mkdir -p "$WORK/c"
[[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$WORK/c"
as_pg env PG_BINDIR="$PG_BINDIR" deploy/restore.sh pitr "$BASE" "$BACKUPS/wal" "$WORK/c/data" >"$WORK/restore-c.txt"
mkdir -p "$WORK/c/run"
[[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$WORK/c/run"
printf "port = %s\nunix_socket_directories = '%s'\n" "$PC" "$WORK/c/run" | as_pg tee -a "$WORK/c/data/postgresql.auto.conf" >/dev/null
cluster_start "$WORK/c"
for _ in $(seq 1 150); do
    [[ "$(cluster_psql "$PC" hailong "SELECT pg_is_in_recovery()" 2>/dev/null)" == f ]] && break
    sleep 0.2
done
[[ "$(cluster_psql "$PC" hailong "SELECT pg_is_in_recovery()")" == f ]] || fail "the PITR copy did not finish recovery"
publications "$PC" >"$WORK/pubs-c.txt"
diff "$WORK/pubs-a-final.txt" "$WORK/pubs-c.txt" || fail "publications after point-in-time recovery differ"
serve "$PC"
answers "$WORK/answers-c.txt"
stop_serve
diff "$WORK/answers-a.txt" "$WORK/answers-c.txt" >/dev/null || fail "indices differ after point-in-time recovery"
pass "restore.sh pitr: all $(wc -l <"$WORK/pubs-c.txt") publications (the one after the base backup too) and the same indices"
echo "deploy/test-restore.sh: all checks passed in $SECONDS s"
