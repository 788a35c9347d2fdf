#!/usr/bin/env bash
# POST teacher -> user visible in Identity over real Kafka: p50/p99/max of 100 sequential teachers
# Options go to bench/onboarding_latency.py (--count N, --interval S, --output FILE).
# The broker: EMIS_KAFKA_BOOTSTRAP_SERVERS if set, else one of its own on free ports.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(dirname "$here")
export EMIS_SOURCE_DIR=${EMIS_SOURCE_DIR:-$root}
export EMIS_TEACHER_BIN=${EMIS_TEACHER_BIN:-$root/build/src/teacher/teacher-service}
export EMIS_IDENTITY_BIN=${EMIS_IDENTITY_BIN:-$root/build/src/identity/identity-service}
exec python3 "$here/onboarding_latency.py" "$@"
