# shellcheck shell=bash
# Throwaway PostgreSQL clusters on loopback for the deploy/ and bench/ scripts (sourced, not run).
# As root, every server binary runs as the `postgres` system user (PostgreSQL refuses root), through runuser.
#   cluster_init DIR PORT [postgresql.conf lines…]   initdb in DIR/data, socket in DIR/run, TCP on 127.0.0.1:PORT
#   cluster_start DIR | cluster_stop DIR
#   cluster_psql PORT DATABASE SQL                   as the superuser `postgres`; prints unaligned tuples
#   cluster_roles PORT                               the three roles and the database of docs/SECURITY.md
#   as_pg COMMAND…                                   COMMAND as the cluster's user

PG_BINDIR="${PG_BINDIR:-$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV | head -n 1)}"

as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_init() {
    local dir=$1 port=$2
    shift 2
    mkdir -p "$dir/run"
    [[ "$(id -u)" -eq 0 ]] && chown -R postgres:postgres "$dir"
    as_pg "$PG_BINDIR/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    {
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$dir/run'"
        echo "fsync = off"
        echo "wal_level = replica"
        echo "max_wal_senders = 5"
        local line
        for line in "$@"; do echo "$line"; done
    } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
    echo "host replication all 127.0.0.1/32 trust" | as_pg tee -a "$dir/data/pg_hba.conf" >/dev/null
}

cluster_start() { as_pg "$PG_BINDIR/pg_ctl" -D "$1/data" -l "$1/postgres.log" -w start >/dev/null; }

cluster_stop() {
    [[ -f "$1/data/postmaster.pid" ]] && as_pg "$PG_BINDIR/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

cluster_psql() {
    "$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

cluster_roles() {
    cluster_psql "$1" postgres "CREATE ROLE hailong_owner LOGIN; CREATE ROLE hailong_runtime NOLOGIN;
        CREATE ROLE hailong_app LOGIN IN ROLE hailong_runtime; GRANT hailong_runtime TO hailong_owner;"
    cluster_psql "$1" postgres "CREATE DATABASE hailong OWNER hailong_owner"
}

# A free TCP port on loopback, chosen by the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
