#!/usr/bin/env bash
# Runs a three-node Apache Kafka cluster (KRaft, each node broker +
# controller) on loopback, one broker.sh directory per node.
#
#   cluster.sh start  DIR [PORT1 CPORT1 PORT2 CPORT2 PORT3 CPORT3]
#                     start the nodes not running, wait until all are ready,
#                     print the bootstrap list
#   cluster.sh stop   DIR     stop every node
#   cluster.sh status DIR     print the bootstrap list; exit 1 unless all run
#   cluster.sh node   DIR N   print node N's directory (for broker.sh kill/start)
#
# DIR holds node-1, node-2, node-3 and bootstrap. Without ports, a first start
# picks free ones; restarts keep them (broker.sh remembers each node's).
set -euo pipefail

broker=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/broker.sh

die() { echo "cluster.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

start() {
  local ports=("$@") n voters="" id bootstrap=()
  if ((${#ports[@]} == 0)) && [[ -f $dir/ports ]]; then
    read -ra ports <"$dir/ports"
  fi
  ((${#ports[@]} == 6)) || read -ra ports <<<"$("$broker" free-ports 6)"
  echo "${ports[*]}" >"$dir/ports"
  for n in 1 2 3; do
    voters+="${voters:+,}$n@127.0.0.1:${ports[2 * n - 1]}"
    bootstrap+=("127.0.0.1:${ports[2 * n - 2]}")
  done
  id=$(cat "$dir/cluster-id" 2>/dev/null || "$broker" cluster-id | tee "$dir/cluster-id")
  # All first, then wait: a node is ready only once a quorum of controllers runs.
  for n in 1 2 3; do
    EMIS_KAFKA_NODE_ID=$n EMIS_KAFKA_VOTERS=$voters EMIS_KAFKA_CLUSTER_ID=$id EMIS_KAFKA_NO_WAIT=1 \
      "$broker" start "$dir/node-$n" "${ports[2 * n - 2]}" "${ports[2 * n - 1]}" >/dev/null
  done
  for n in 1 2 3; do
    "$broker" wait "$dir/node-$n" >/dev/null
  done
  (
    IFS=,
    echo "${bootstrap[*]}"
  ) | tee "$dir/bootstrap"
}

stop() {
  local n pids=() failed=0
  # All at once: the last node stopped alone would wait for a quorum that is gone.
  for n in 1 2 3; do
    "$broker" stop "$dir/node-$n" &
    pids+=($!)
  done
  for n in "${pids[@]}"; do
    wait "$n" || failed=1
  done
  return $failed
}

status() {
  local n ok=0
  for n in 1 2 3; do
    "$broker" status "$dir/node-$n" >/dev/null 2>&1 || ok=1
  done
  cat "$dir/bootstrap" 2>/dev/null || true
  return $ok
}

cmd=${1:-}
[[ $cmd =~ ^(start|stop|status|node)$ ]] || usage
dir=${2:-}
[[ -n $dir && $dir != / ]] || usage
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
case $cmd in
  start) start "${@:3}" ;;
  stop) stop ;;
  status) status ;;
  node) [[ ${3:-} =~ ^[123]$ ]] || usage; echo "$dir/node-$3" ;;
esac
