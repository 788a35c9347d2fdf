#!/usr/bin/env bash
# Runs a private PostgreSQL 15 server from Debian's postgresql-15 package
# (initdb/pg_ctl, not a system service). The only place that knows how to set
# one up; `./emis up --cluster` and the test fixture both call it.
#
#   postgres.sh start  DIR [PORT]   initdb on first start, start (no-op if running), wait until ready
#   postgres.sh stop   DIR          fast shutdown, wait until gone
#   postgres.sh status DIR          exit 0 and print the server URL (no database) if running
#   postgres.sh createdb DIR NAME   create database NAME owned by the emis role, if missing
#   postgres.sh url    DIR NAME     print postgresql://emis:PASSWORD@127.0.0.1:PORT/NAME
#   postgres.sh sql    DIR SQL      run SQL as the superuser in database postgres
#
# DIR holds data/ (the cluster, formatted on first start only), port,
# password (the emis role's, mode 600), socket/ and postgres.log. Without
# PORT, a restart reuses the previous port, else a free one is chosen.
# initdb refuses to run as root, so as root the server runs as the
# `postgres` user, which must be able to reach DIR.
set -euo pipefail

bin=${EMIS_PG_BIN:-/usr/lib/postgresql/15/bin}
ready_timeout=60

die() { echo "postgres.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# Runs a command as the server's owner: the postgres user when we are root.
as_owner() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_of() { cat "$dir/port" 2>/dev/null; }

psql_admin() {
  as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$(port_of)" -U postgres -d postgres "$@"
}

running() { as_owner "$bin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; }

init_cluster() {
  [[ -x $bin/initdb ]] || die "$bin/initdb not found (Debian package postgresql-15; ./emis deps installs it)"
  mkdir -p "$dir"
  ((EUID == 0)) && chown postgres: "$dir"
  as_owner test -w "$dir" ||
    die "$dir is not writable by $( ((EUID == 0)) && echo the postgres user || id -un); choose a data directory that user can reach"
  rm -rf "$dir/data"
  mkdir -p "$dir/socket"
  ((EUID == 0)) && chown postgres: "$dir/socket"
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  (umask 077 && echo "$password" >"$dir/password")
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A peer --auth-host=scram-sha-256 -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Loopback only, sockets in DIR (not /var/run/postgresql, which a system
  # cluster may own), durable commits as PostgreSQL's defaults have them.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = 200
shared_buffers = 128MB
logging_collector = off
EOF
  touch "$dir/.needs-role"
}

start() {
  local port=${1:-}
  [[ -f $dir/data/PG_VERSION ]] || init_cluster
  if running; then
    echo "postgresql://127.0.0.1:$(port_of)"
    return 0
  fi
  port=${port:-$(port_of || true)}
  port=${port:-$(free_port)}
  echo "$port" >"$dir/port"
  ((EUID == 0)) && touch "$dir/postgres.log" && chown postgres: "$dir/postgres.log"
  as_owner "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" -w -t "$ready_timeout" \
    >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; die "the server did not start (log above)"; }
  if [[ -f $dir/.needs-role ]]; then
    psql_admin -c "CREATE ROLE emis LOGIN PASSWORD '$(cat "$dir/password")'"
    rm -f "$dir/.needs-role"
  fi
  echo "postgresql://127.0.0.1:$port"
}

stop() {
  [[ -d $dir/data ]] || return 0
  running || return 0
  as_owner "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null
}

createdb() {
  local name=$1
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid database name '$name'"
  running || die "not running: $dir"
  if [[ -z $(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
    psql_admin -c "CREATE DATABASE $name OWNER emis"
  fi
}

cmd=${1:-}
case $cmd in
  start | stop | status | createdb | url | sql) ;;
  *) usage ;;
esac
dir=${2:-}
[[ -n $dir && $dir != / ]] || usage
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

case $cmd in
  start) start "${3:-}" ;;
  stop) stop ;;
  status) running && echo "postgresql://127.0.0.1:$(port_of)" ;;
  createdb) createdb "${3:?database name}" ;;
  url) echo "postgresql://emis:$(cat "$dir/password")@127.0.0.1:$(port_of)/${3:?database name}" ;;
  sql) running || die "not running: $dir"; psql_admin -c "${3:?SQL}" ;;
esac
