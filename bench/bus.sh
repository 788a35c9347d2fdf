#!/usr/bin/env bash
# Event bus benchmark: this library's direct publish path, its round trip
# (publish -> typed handler in its inbox transaction) and its outbox path (a
# backlog of outbox rows in SQLite with synchronous=FULL drained to Kafka by
# the relay), and its consumer path (a backlog handled with the inbox on
# SQLite, synchronous=FULL) against Kafka's own ProducerPerformance and EndToEndLatency, on
# one fresh broker in one run, with 200-byte events. Writes
# bench/results/bus.json and prints a table.
# Targets: throughput >= 70% of ProducerPerformance; round-trip p99 <= 1.5x
# EndToEndLatency's p99; a 100,000-row outbox backlog drained in <= 10 s.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
broker=$root/deploy/kafka/broker.sh
messages=${BENCH_MESSAGES:-300000}
samples=${BENCH_RTT_SAMPLES:-2000}
consumer_events=${BENCH_CONSUMER_EVENTS:-50000}
outbox_rows=${BENCH_OUTBOX_ROWS:-100000}
size=200
build=${EMIS_BUILD_DIR:-$root/build}

cmake --build "$build" -j"${EMIS_JOBS:-2}" --target bus_bench consumer_bench >/dev/null

dir=$(mktemp -d /tmp/emis-bench-bus.XXXXXX)
trap '"$broker" stop "$dir/kafka" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$broker" start "$dir/kafka" >/dev/null
bootstrap=$(cat "$dir/kafka/bootstrap")
jars=$("$broker" jar-dir)
java_tool() { java -Xmx512m -cp "$jars/*" -Dlog4j2.configurationFile="$dir/kafka/log4j2.properties" "$@"; }

echo "bus benchmark: $messages messages of $size bytes, $samples round trips, $outbox_rows outbox rows," \
  "broker $bootstrap" >&2
# The same producer settings as the bus: idempotent, acks=all, linger 1 ms, lz4.
perf=$(java_tool org.apache.kafka.tools.ProducerPerformance --topic perf-$$ --num-records "$messages" \
  --record-size "$size" --throughput -1 --producer-props bootstrap.servers="$bootstrap" acks=all \
  enable.idempotence=true linger.ms=1 compression.type=lz4 2>/dev/null | tail -1)
e2e=$(java_tool org.apache.kafka.tools.EndToEndLatency "$bootstrap" e2e-$$ "$samples" all "$size" 2>/dev/null)
bus=$("$build/bench/bus_bench" --bootstrap "$bootstrap" --messages "$messages" --size "$size" --rtt-samples "$samples" \
  --outbox-rows "$outbox_rows")
# The consumer path: a backlog handled by EventConsumer, each event with its
# inbox row, on SQLite with synchronous=FULL (the services' default).
consumer=$("$build/bench/consumer_bench" --bootstrap "$bootstrap" --events "$consumer_events" --size "$size")

PERF="$perf" E2E="$e2e" BUS="$bus" CONSUMER="$consumer" OUT="$root/bench/results/bus.json" python3 - <<'PY'
import json, os, re
perf, e2e, bus = os.environ["PERF"], os.environ["E2E"], json.loads(os.environ["BUS"])
bus.update(json.loads(os.environ["CONSUMER"]))
kafka_rate = float(re.search(r"([\d.]+) records/sec", perf).group(1))
p = re.search(r"50th = ([\d.]+), 99th = ([\d.]+)", e2e)
result = dict(bus, kafka_perf_msgs_per_s=kafka_rate, kafka_e2e_p50_ms=float(p.group(1)),
              kafka_e2e_p99_ms=float(p.group(2)))
result["throughput_ratio"] = result["bus_msgs_per_s"] / kafka_rate
result["rtt_p99_ratio"] = result["bus_rtt_p99_ms"] / max(result["kafka_e2e_p99_ms"], 1e-9)
with open(os.environ["OUT"], "w") as f:
    json.dump(result, f, indent=2)
print("| measure | event bus | Kafka tool | ratio | target |")
print("|---|---|---|---|---|")
print(f"| msgs/s (direct publish) | {result['bus_msgs_per_s']:.0f} | {kafka_rate:.0f} | {result['throughput_ratio']:.2f} | >= 0.70 |")
print(f"| round trip p50 ms | {result['bus_rtt_p50_ms']:.2f} | {result['kafka_e2e_p50_ms']:.2f} | | |")
print(f"| round trip p99 ms | {result['bus_rtt_p99_ms']:.2f} | {result['kafka_e2e_p99_ms']:.2f} | {result['rtt_p99_ratio']:.2f} | <= 1.5 |")
print(f"| outbox backlog of {result['outbox_rows']} rows drained, s | {result['outbox_drain_s']:.2f} | | | <= 10 (at 100,000 rows) |")
print(f"| msgs/s (outbox relay) | {result['outbox_rows_per_s']:.0f} | {kafka_rate:.0f} | {result['outbox_rows_per_s'] / kafka_rate:.2f} | |")
print(f"| events/s handled (consumer with inbox, FULL) | {result['consumer_events_per_s']:.0f} | {kafka_rate:.0f} | {result['consumer_events_per_s'] / kafka_rate:.2f} | |")
PY
