#!/usr/bin/env bash
# CTest fixture for tests that run on PostgreSQL:
#
#   postgres_fixture.sh start DIR   a fresh server on a free port; tests read DIR/url
#   postgres_fixture.sh stop DIR    stop it and delete its data
#
# DIR/url is postgresql://emis:PASSWORD@127.0.0.1:PORT/ without a database:
# each test creates a database of its own (the emis role may). The server's
# files live in a temporary directory (DIR/home names it) that the postgres
# user can reach even when the checkout sits under a private home. Commits
# skip fsync: durability across power loss is not what these tests check.
set -euo pipefail

postgres=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/postgres" && pwd -P)/postgres.sh

cmd=${1:-} dir=${2:-}
if [[ -z $dir || $dir == / ]]; then
  echo "usage: postgres_fixture.sh start|stop DIR" >&2
  exit 2
fi

stop() {
  [[ -f $dir/home ]] || return 0
  local home
  home=$(cat "$dir/home")
  "$postgres" stop "$home" || true
  rm -rf "$home" "$dir/home" "$dir/url"
}

case $cmd in
  start)
    stop # a server left by an interrupted run
    mkdir -p "$dir"
    home=$(mktemp -d "${TMPDIR:-/tmp}/emis-test-pg.XXXXXX")
    chmod 755 "$home"
    echo "$home" >"$dir/home"
    "$postgres" start "$home" >/dev/null
    "$postgres" sql "$home" "ALTER ROLE emis CREATEDB" >/dev/null
    "$postgres" sql "$home" "ALTER SYSTEM SET fsync = off" >/dev/null
    "$postgres" sql "$home" "ALTER SYSTEM SET synchronous_commit = off" >/dev/null
    "$postgres" sql "$home" "ALTER SYSTEM SET full_page_writes = off" >/dev/null
    "$postgres" sql "$home" "ALTER SYSTEM SET max_connections = 400" >/dev/null
    "$postgres" stop "$home"
    "$postgres" start "$home" >/dev/null
    url=$("$postgres" url "$home" postgres)
    url=${url%postgres}
    echo "$url" >"$dir/url"
    echo "postgres fixture: $url (files in $home)"
    ;;
  stop) stop ;;
  *)
    echo "usage: postgres_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
