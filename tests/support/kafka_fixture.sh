#!/usr/bin/env bash
# CTest fixture for tests that need a real Kafka broker:
#
#   kafka_fixture.sh start DIR   fresh broker in DIR on free ports; tests read DIR/bootstrap
#   kafka_fixture.sh stop DIR    stop it (DIR stays for post-mortem; the next start wipes it)
#
# Never the broker of `./emis up`: each run gets its own directory and ports.
set -euo pipefail

broker=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/kafka" && pwd -P)/broker.sh

# Test brokers live for seconds: a C1-only JIT starts them sooner.
export EMIS_KAFKA_JIT=${EMIS_KAFKA_JIT:-c1}

cmd=${1:-} dir=${2:-}
if [[ -z $dir || $dir == / ]]; then
  echo "usage: kafka_fixture.sh start|stop DIR" >&2
  exit 2
fi

case $cmd in
  start)
    # A broker left by an interrupted run would otherwise keep running in a
    # deleted directory and hold its ports.
    "$broker" stop "$dir"
    rm -rf "$dir"
    "$broker" start "$dir"
    ;;
  stop)
    "$broker" stop "$dir"
    ;;
  *)
    echo "usage: kafka_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
