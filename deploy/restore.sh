#!/usr/bin/env bash
# Restores what deploy/backup.sh wrote (docs/OPERATIONS.md, "Restoring"):
#
#   deploy/restore.sh dump FILE.dump [DATABASE]
#       into the PostgreSQL server the PG* variables name (as a superuser or a role with CREATEDB and CREATEROLE):
#       applies FILE.globals.sql when it is beside the dump (the roles; "already exists" is fine), creates DATABASE
#       (default hailong; it must not exist) owned by the dump's owner, and restores into it in one transaction
#       with the owners, grants and row-level security policies of the original. Refuses to touch an existing database.
#
#   deploy/restore.sh pitr BASE_DIR WAL_DIR NEW_PGDATA [TARGET_TIME]
#       a new data directory from a base backup (backup.sh base) that replays the archived WAL up to TARGET_TIME
#       (e.g. '2026-12-06 09:15:00+07'; default: all of it) and then opens for writes. Prints the pg_ctl line that
#       starts it. Run as the user the cluster will run as (postgres). NEW_PGDATA must not exist.
#
# After either: start `hailong serve` against it; `hailong migrate` first if the binary is newer than the backup.
set -euo pipefail

pg_bin() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR/$1"; return; fi
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
    echo "$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV | head -n 1)/$1"
}

restore_dump() {
    local file=$1 database=${2:-hailong} globals owner exists
    [[ -f "$file" ]] || { echo "error: no dump at $file" >&2; exit 1; }
    globals="${file%.dump}.globals.sql"
    if [[ -f "$globals" ]]; then
        # The restoring superuser's own role is in the file too: its CREATE fails harmlessly, as does every role
        # that exists already. Anything else that fails shows in the output.
        "$(pg_bin psql)" -X -q -d postgres -f "$globals" 2>&1 | grep -v 'already exists' || true
        echo "roles applied from $globals"
    else
        echo "no $globals: the roles must exist already (docs/SECURITY.md, 'Setting up the roles')"
    fi
    exists="$(echo "SELECT 1 FROM pg_database WHERE datname = :'name'" | "$(pg_bin psql)" -X -A -t -d postgres -v "name=$database")"
    [[ -z "$exists" ]] || { echo "error: database $database exists already; restore into a new one" >&2; exit 1; }
    # The database's owner: the owner of the schema's tables in the dump.
    owner="$("$(pg_bin pg_restore)" --list "$file" | awk '$4 == "TABLE" && $5 == "public" && !found {print $7; found = 1}')"
    "$(pg_bin createdb)" -T template0 -E UTF8 ${owner:+-O "$owner"} "$database"
    "$(pg_bin pg_restore)" --exit-on-error --single-transaction -d "$database" "$file"
    echo "restored $file into $database${owner:+ (owner $owner)}"
}

restore_pitr() {
    local base=$1 wal=$2 data=$3 target=${4:-}
    [[ -f "$base/backup_label" ]] || { echo "error: $base is not a base backup (no backup_label)" >&2; exit 1; }
    [[ ! -e "$data" ]] || { echo "error: $data exists; restore into a new directory" >&2; exit 1; }
    wal="$(readlink -f "$wal")"
    "$(pg_bin pg_verifybackup)" --quiet --no-parse-wal "$base"
    mkdir -p "$data"
    chmod 0700 "$data"
    cp -a "$base/." "$data/"
    # The manifest belongs to the backup, not to a running cluster.
    rm -f "$data/backup_manifest"
    {
        echo "# deploy/restore.sh pitr from $base"
        echo "restore_command = 'cp \"$wal/%f\" \"%p\"'"
        if [[ -n "$target" ]]; then
            echo "recovery_target_time = '$target'"
        fi
        echo "recovery_target_action = 'promote'"
        # A restored copy must not archive into the original's WAL directory.
        echo "archive_mode = 'off'"
    } >>"$data/postgresql.auto.conf"
    touch "$data/recovery.signal"
    echo "ready: $data replays $wal${target:+ up to $target}, then opens; start it with"
    echo "  $(pg_bin pg_ctl) -D $data -l $data/recovery.log start"
}

case "${1:-}" in
dump)
    [[ $# -ge 2 ]] || { echo "usage: $0 dump FILE.dump [DATABASE]" >&2; exit 2; }
    restore_dump "$2" "${3:-}"
    ;;
pitr)
    [[ $# -ge 4 ]] || { echo "usage: $0 pitr BASE_DIR WAL_DIR NEW_PGDATA [TARGET_TIME]" >&2; exit 2; }
    restore_pitr "$2" "$3" "$4" "${5:-}"
    ;;
*)
    echo "usage: $0 dump FILE.dump [DATABASE] | pitr BASE_DIR WAL_DIR NEW_PGDATA [TARGET_TIME]" >&2
    exit 2
    ;;
esac
