#!/usr/bin/env bash
# Run HaiLong locally on a fresh Debian machine, with demo data:
#
#   deploy/run-local.sh [extra `hailong serve` options, e.g. --port 9090]
#
# Installs the PostgreSQL server binaries if missing (with sudo when not root),
# builds the `hailong` product and execs `.build/debug/hailong serve --demo`.
# With DATABASE_URL unset, the binary starts its own private PostgreSQL cluster
# in ./.hailong/pg (under HAILONG_DATA_DIR, default ./.hailong).
#
# Environment: HAILONG_HOST (default 127.0.0.1), HAILONG_PORT (default 8080),
# DATABASE_URL (optional), and for trying the script itself:
#   HAILONG_DRY_RUN=1   do the PostgreSQL check/install, then print the build
#                       and run commands instead of running them.
set -euo pipefail

# Print the directory holding initdb, or return 1. Looks on PATH, then in
# `pg_config --bindir`, then in /usr/lib/postgresql/*/bin (newest version first).
find_pg_bindir() {
    local p dir
    if p="$(command -v initdb 2>/dev/null)" && [[ -n "$p" ]]; then
        dirname "$(readlink -f "$p")"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1 \
        && dir="$(pg_config --bindir 2>/dev/null)" && [[ -x "$dir/initdb" ]]; then
        echo "$dir"
        return 0
    fi
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV \
        | while IFS= read -r d; do [[ -x "$d/initdb" ]] && { echo "$d"; break; }; done || true)"
    if [[ -n "$dir" ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

# Print the Debian packages that still have to be installed (may be empty).
missing_packages() {
    local pkgs=()
    find_pg_bindir >/dev/null || pkgs+=(postgresql)
    command -v runuser >/dev/null 2>&1 || [[ -x /usr/sbin/runuser || -x /sbin/runuser ]] \
        || pkgs+=(util-linux)
    [[ -e /usr/share/zoneinfo/Asia/Ho_Chi_Minh ]] || pkgs+=(tzdata)
    echo "${pkgs[*]}"
}

install_missing() {
    local pkgs sudo=()
    pkgs="$(missing_packages)"
    if [[ -z "$pkgs" ]]; then
        echo "PostgreSQL server binaries: $(find_pg_bindir)"
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "error: missing packages: $pkgs; not root and no sudo. As root, run:" >&2
            echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs" >&2
            exit 1
        fi
    fi
    echo "Installing: $pkgs"
    "${sudo[@]}" apt-get update
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends $pkgs
}

main() {
    cd "$(dirname "$0")/.."
    install_missing

    if ! command -v swift >/dev/null 2>&1; then
        echo "error: swift not found; install the Swift 6.3 toolchain (https://www.swift.org/install/linux/)" >&2
        exit 1
    fi

    # The address to announce: environment defaults, overridden by --host/--port.
    local host="${HAILONG_HOST:-127.0.0.1}" port="${HAILONG_PORT:-8080}" prev=""
    for a in "$@"; do
        case "$prev" in --host) host="$a" ;; --port) port="$a" ;; esac
        case "$a" in --host=*) host="${a#--host=}" ;; --port=*) port="${a#--port=}" ;; esac
        prev="$a"
    done
    local url="http://$host:$port/"
    if [[ "${HAILONG_DRY_RUN:-0}" == "1" ]]; then
        echo "dry run: swift build --product hailong"
        echo "dry run: exec .build/debug/hailong serve --demo $*"
        echo "dry run: HaiLong would be at $url"
        return 0
    fi

    swift build --product hailong
    echo "HaiLong will be at $url (Ctrl-C to stop)"
    exec .build/debug/hailong serve --demo "$@"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
