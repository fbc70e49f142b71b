#!/usr/bin/env bash
# HaiLong's backups, from the database host or any host allowed to replicate (docs/OPERATIONS.md, "Backups"):
#
#   deploy/backup.sh base     a base backup of the whole cluster (pg_basebackup, plain format, WAL streamed into it,
#                             checked with pg_verifybackup): with the archived WAL it restores to any moment after it
#   deploy/backup.sh dump     a logical dump of the database (pg_dump -Fc, checked by listing it) and the cluster's
#                             roles (pg_dumpall --globals-only): restores into any PostgreSQL ≥ this one
#   deploy/backup.sh prune    removes base backups and dumps older than BACKUP_KEEP_DAYS (keeping the newest of each)
#                             and the archived WAL older than the oldest base backup kept
#   deploy/backup.sh all      the three, in that order (what hailong-backup.service runs)
#
# Settings from the environment (deploy/systemd/backup.env.example):
#   BACKUP_DIR        default /var/backups/hailong; holds base/<stamp>/, dump/<stamp>.dump, dump/<stamp>.globals.sql
#                     and wal/ (where archive_command copies segments: deploy/postgres/archiving.conf)
#   BACKUP_KEEP_DAYS  default 14
#   PGHOST, PGPORT, PGUSER, PGDATABASE (default hailong), PGPASSFILE …   libpq's own variables
#   PG_BINDIR         where pg_basebackup & co. are (default: PATH, then /usr/lib/postgresql/<newest>/bin)
# Everything it writes is mode 0600/0700: a backup holds the sealed phone numbers, token hashes and password hashes.
# Prints one line per thing written; exits non-zero on the first failure (a partial base backup is removed).
set -euo pipefail
umask 0077

BACKUP_DIR="${BACKUP_DIR:-/var/backups/hailong}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
export PGDATABASE="${PGDATABASE:-hailong}"

pg_bin() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR/$1"; return; fi
    if command -v "$1" >/dev/null 2>&1 && [[ "$1" != pg_verifybackup && "$1" != pg_archivecleanup ]]; then
        command -v "$1"
        return
    fi
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV | head -n 1)"
    echo "$dir/$1"
}

stamp() { date -u +%Y%m%dT%H%M%SZ; }

base_backup() {
    local target partial
    target="$BACKUP_DIR/base/$(stamp)"
    partial="$target.partial"
    mkdir -p "$BACKUP_DIR/base"
    trap 'rm -rf "$partial"' ERR
    "$(pg_bin pg_basebackup)" -D "$partial" -Fp -X stream --checkpoint=fast --label "hailong $(stamp)" \
        --manifest-checksums=SHA256
    "$(pg_bin pg_verifybackup)" --quiet "$partial"
    mv "$partial" "$target"
    trap - ERR
    echo "base backup: $target ($(du -sh "$target" | cut -f1), verified)"
}

dump() {
    local name
    name="$BACKUP_DIR/dump/$(stamp)"
    mkdir -p "$BACKUP_DIR/dump"
    "$(pg_bin pg_dump)" -Fc --compress=6 -f "$name.dump.partial" "$PGDATABASE"
    # A dump that cannot be listed cannot be restored.
    "$(pg_bin pg_restore)" --list "$name.dump.partial" >/dev/null
    mv "$name.dump.partial" "$name.dump"
    echo "dump: $name.dump ($(du -h "$name.dump" | cut -f1))"
    # The roles (hailong_owner, hailong_runtime, hailong_app and their memberships) live outside the database.
    # Needs a superuser; without one the roles are made by hand from docs/SECURITY.md before a restore.
    if "$(pg_bin pg_dumpall)" --globals-only --file="$name.globals.sql" 2>"$name.globals.err"; then
        rm -f "$name.globals.err"
        echo "roles: $name.globals.sql"
    else
        echo "warning: roles not dumped ($(head -n 1 "$name.globals.err")); recreate them from docs/SECURITY.md" >&2
        rm -f "$name.globals.sql" "$name.globals.err"
    fi
}

prune() {
    local keep="$BACKUP_KEEP_DAYS" newest old
    # Base backups: older than the retention, but never the newest one.
    if [[ -d "$BACKUP_DIR/base" ]]; then
        newest="$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' | sort | tail -n 1)"
        while IFS= read -r old; do
            [[ -n "$old" && "$old" != "$newest" ]] || continue
            rm -rf "$old"
            echo "pruned: $old"
        done < <(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d -mtime "+$keep" | sort)
    fi
    if [[ -d "$BACKUP_DIR/dump" ]]; then
        newest="$(find "$BACKUP_DIR/dump" -name '*.dump' | sort | tail -n 1)"
        while IFS= read -r old; do
            [[ -n "$old" && "$old" != "$newest" ]] || continue
            rm -f "$old" "${old%.dump}.globals.sql"
            echo "pruned: $old"
        done < <(find "$BACKUP_DIR/dump" -name '*.dump' -mtime "+$keep" | sort)
    fi
    # WAL: everything before the oldest kept base backup's first segment is of no use to any restore.
    local oldest label first
    oldest="$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' 2>/dev/null | sort | head -n 1)"
    label="$oldest/backup_label"
    if [[ -d "$BACKUP_DIR/wal" && -n "$oldest" && -f "$label" ]]; then
        first="$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]*\))$/\1/p' "$label")"
        if [[ -n "$first" ]]; then
            "$(pg_bin pg_archivecleanup)" "$BACKUP_DIR/wal" "$first"
            echo "WAL before $first removed from $BACKUP_DIR/wal"
        fi
    fi
}

main() {
    case "${1:-}" in
    base) base_backup ;;
    dump) dump ;;
    prune) prune ;;
    all)
        base_backup
        dump
        prune
        ;;
    *)
        echo "usage: $0 base|dump|prune|all   (settings: BACKUP_DIR, BACKUP_KEEP_DAYS, PG* variables)" >&2
        exit 2
        ;;
    esac
}

main "$@"
