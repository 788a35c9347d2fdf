# Sourced by the bench/*.sh scripts (not a benchmark itself): builds targets,
# runs a throwaway Kafka broker and the services on free loopback ports with
# their data in one temp dir, and stops everything it started on exit.
# Set BENCH_KEEP=1 to keep the temp dir (logs, databases) for a post-mortem,
# BENCH_NO_BUILD=1 to use the binaries already in the build dir.
# shellcheck shell=bash

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
build=${EMIS_BUILD_DIR:-$root/build}
broker=$root/deploy/kafka/broker.sh
cluster_sh=$root/deploy/kafka/cluster.sh
postgres_sh=$root/deploy/postgres/postgres.sh
stack_dir=
stack_pids=()
bootstrap=

bench_log() { printf '%s: %s\n' "${bench_name:-bench}" "$*" >&2; }
bench_die() { bench_log "$*"; exit 1; }

# Builds the given targets in the shared build dir. Other sessions build
# there too, so a failed build is retried a few times before giving up.
build_targets() {
  [[ ${BENCH_NO_BUILD:-0} == 1 ]] && return 0
  if [[ ! -f $build/build.ninja ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  local attempt out
  for attempt in 1 2 3; do
    if out=$(cmake --build "$build" -j"${EMIS_JOBS:-2}" --target "$@" 2>&1); then
      return 0
    fi
    bench_log "build attempt $attempt failed; retrying"
    sleep 5
  done
  printf '%s\n' "$out" | tail -30 >&2
  bench_die "cannot build $* (BENCH_NO_BUILD=1 runs the binaries already built)"
}

stack_init() {
  stack_dir=$(mktemp -d "/tmp/emis-bench-$1.XXXXXX")
  trap stack_cleanup EXIT
}

stack_cleanup() {
  local pid deadline
  set +e
  for pid in "${stack_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  deadline=$((SECONDS + 15))
  for pid in "${stack_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [[ -n $stack_dir && -d $stack_dir/kafka ]] && "$broker" stop "$stack_dir/kafka" >/dev/null 2>&1
  [[ -n $stack_dir && -d $stack_dir/kafka-cluster ]] && "$cluster_sh" stop "$stack_dir/kafka-cluster" >/dev/null 2>&1
  [[ -n $stack_dir && -d $stack_dir/pg ]] && "$postgres_sh" stop "$stack_dir/pg" >/dev/null 2>&1
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    bench_log "kept $stack_dir"
  elif [[ -n $stack_dir ]]; then
    rm -rf "$stack_dir"
  fi
}

# Runs a command in the background and registers it for cleanup.
spawn() {
  "$@" &
  stack_pids+=($!)
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_broker() {
  "$broker" start "$stack_dir/kafka" >/dev/null
  bootstrap=$(cat "$stack_dir/kafka/bootstrap")
}

# The cluster stack: a PostgreSQL server with a database per service
# (pg_url KIND prints its URL) and three Kafka nodes, on free ports.
start_cluster_stack() {
  chmod 755 "$stack_dir" # the postgres user runs the server in it
  "$postgres_sh" start "$stack_dir/pg" >/dev/null
  "$postgres_sh" createdb "$stack_dir/pg" emis_identity >/dev/null
  "$postgres_sh" createdb "$stack_dir/pg" emis_teacher >/dev/null
  bootstrap=$("$cluster_sh" start "$stack_dir/kafka-cluster")
}
pg_url() { "$postgres_sh" url "$stack_dir/pg" "emis_$1"; }

# start_service NAME PORT [VAR=VALUE...]: NAME-service (NAME may name an
# instance, e.g. teacher-2) with its data in $stack_dir/NAME and its log in
# $stack_dir/NAME.log. Sets service_pid.
start_service() {
  local name=$1 port=$2 kind=${1%-[0-9]}
  shift 2
  mkdir -p "$stack_dir/$name"
  spawn env EMIS_HTTP_PORT="$port" EMIS_HTTP_ADDRESS=127.0.0.1 EMIS_DATA_DIR="$stack_dir/$name" \
    EMIS_KAFKA_BOOTSTRAP_SERVERS="${bootstrap:-127.0.0.1:9}" EMIS_KAFKA_TOPIC_PREFIX="bench.$$" "$@" \
    "$build/src/$kind/$kind-service" --config "$root/deploy/config/$kind-service.json" \
    >"$stack_dir/$name.log" 2>&1 </dev/null
  # shellcheck disable=SC2034 # read by the scripts that source this
  service_pid=${stack_pids[-1]}
}

# wait_ready PID URL: until GET URL answers 200, or fail with the log.
wait_ready() {
  local pid=$1 url=$2 log=$3 deadline=$((SECONDS + 30))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; bench_die "service for $url exited"; }
    ((SECONDS < deadline)) || { tail -20 "$log" >&2; bench_die "$url not ready after 30 s"; }
    sleep 0.1
  done
}

# login URL PHONE PASSWORD: prints the access token.
login() {
  curl -sf --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"phoneNumber\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])'
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# What else the machine was doing, for the results file: load average, CPU
# pressure (share of the last 60 s in which runnable tasks waited for a core)
# and the source revision.
machine_json() {
  local psi=null rev
  [[ -r /proc/pressure/cpu ]] && psi=$(sed -n 's/^some .*avg60=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)
  rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -n $(git -C "$root" status --porcelain 2>/dev/null | head -1) ]] && rev+="-dirty"
  printf '{"loadavg":"%s","cpu_pressure_some_avg60_pct":%s,"cores":%s,"revision":"%s"}' \
    "$(loadavg)" "${psi:-null}" "$(nproc)" "$rev"
}
