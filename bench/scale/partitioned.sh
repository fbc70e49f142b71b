#!/usr/bin/env bash
# Runs bench/scale/partitioned.sql in a throwaway cluster and checks what it shows: 120,000 ratings stored once
# through the key table, a replay storing nothing, a quarter's read pruned to its three monthly partitions, a month
# detached whole. Prints the SQL's output and PASS lines; exits non-zero on a failed check.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/lib/cluster.sh disable=SC1091
source deploy/lib/cluster.sh
WORK="$(mktemp -d /tmp/hailong-partitioned.XXXXXX)"
chmod 0755 "$WORK"
trap 'cluster_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
PORT="$(free_port)"
cluster_init "$WORK/pg" "$PORT"
cluster_start "$WORK/pg"
cluster_psql "$PORT" postgres "CREATE DATABASE scale"
"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d scale -f bench/scale/partitioned.sql | tee "$WORK/out.txt"
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*" >&2; exit 1; }
section() { sed -n "/== $1/,/^==/p" "$WORK/out.txt"; }
section 'stored' | grep -q ' 120000$' || fail "120,000 ratings stored"
pass "120,000 ratings stored through the key table"
section 'after replaying' | grep -q ' 120000$' || fail "a replay stored something"
pass "replaying 1,000 stored keys stores nothing"
scanned="$(section 'a quarter' | grep -o 'p_responses_2026_[0-9]*' | sort -u | tr '\n' ' ')"
[[ "$scanned" == "p_responses_2026_07 p_responses_2026_08 p_responses_2026_09 " ]] || fail "pruning: $scanned"
pass "a quarter's read scans only $scanned"
grep -q detached_month "$WORK/out.txt" || fail "detach"
pass "a month detached as a table of its own"
