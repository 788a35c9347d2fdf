#!/usr/bin/env bash
# POST teacher -> user visible over real Kafka (200 sequential teachers) against a plain Kafka round trip
# Options go to bench/onboarding_latency.py (--count N, --warmup N, --interval S, --output FILE).
# The broker: EMIS_KAFKA_BOOTSTRAP_SERVERS if set, else one of its own on free ports.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(dirname "$here")
export EMIS_SOURCE_DIR=${EMIS_SOURCE_DIR:-$root}
export EMIS_TEACHER_BIN=${EMIS_TEACHER_BIN:-$root/build/src/teacher/teacher-service}
export EMIS_IDENTITY_BIN=${EMIS_IDENTITY_BIN:-$root/build/src/identity/identity-service}
export EMIS_ROUND_TRIP_BIN=${EMIS_ROUND_TRIP_BIN:-$root/build/bench/kafka_round_trip}
bench_name=onboarding_latency
# shellcheck source=lib/stack.sh
source "$here/lib/stack.sh"
build_targets teacher-service identity-service kafka_round_trip
exec python3 "$here/onboarding_latency.py" "$@"
