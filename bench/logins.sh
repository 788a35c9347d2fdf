#!/usr/bin/env bash
# Logins/s and p99 (Argon2id) at 8 and 32 connections; what login throttling does to brute force
#
# One fresh broker and identity-service (temp data dir, free loopback port)
# with BENCH_USERS active accounts made by `identity-service create-admin`.
# bench/http_load then posts valid logins rotating over those accounts at 8
# and 32 connections (BENCH_LOGIN_DURATION seconds each), then wrong passwords
# against one account from one address for BENCH_BRUTE_DURATION seconds at
# BENCH_BRUTE_CONNECTIONS connections, counting 401 against 429 and the
# Retry-After values; last, the account's owner tries the right password.
# Before it, the same with one connection (a sequential attacker) against
# another account, the baseline for what concurrency adds.
# The valid runs come first: the brute-force run trips the per-address limit
# for the whole loopback address. Writes bench/results/logins.json and prints
# a table.
set -euo pipefail

bench_name=logins
# shellcheck source=bench/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

users=${BENCH_USERS:-8}
login_duration=${BENCH_LOGIN_DURATION:-8}
brute_duration=${BENCH_BRUTE_DURATION:-10}
brute_connections=${BENCH_BRUTE_CONNECTIONS:-8}
password=bench-login-password
out=$root/bench/results/logins.json
((users >= 3 && users <= 10)) || bench_die "BENCH_USERS must be 3..10"

build_targets identity-service http_load
load=$build/bench/http_load
identity_bin=$build/src/identity/identity-service
config=$root/deploy/config/identity-service.json

stack_init logins
machine_before=$(machine_json)
mkdir -p "$stack_dir/identity"
bench_log "creating $users active accounts"
for ((i = 0; i < users; i++)); do
  EMIS_DATA_DIR=$stack_dir/identity EMIS_ADMIN_PASSWORD=$password "$identity_bin" --config "$config" \
    create-admin --phone "098100000$i" --name "Bench User $i" >/dev/null
done

start_broker
port=$(free_port)
identity=http://127.0.0.1:$port
start_service identity "$port"
wait_ready "$service_pid" "$identity/health/ready" "$stack_dir/identity.log"
login "$identity" 0981000000 "$password" >/dev/null || bench_die "a valid login failed"

valid_body="{\"phoneNumber\":\"098100000{n%$users}\",\"password\":\"$password\"}"
bench_log "valid logins, 8 connections, ${login_duration}s (load average $(loadavg))"
valid8=$("$load" --url "$identity/api/v1/auth/login" -m POST -c 8 -d "$login_duration" --body "$valid_body")
bench_log "valid logins, 32 connections, ${login_duration}s"
valid32=$("$load" --url "$identity/api/v1/auth/login" -m POST -c 32 -d "$login_duration" --body "$valid_body")

# brute_force PHONE CONNECTIONS: wrong passwords for BENCH_BRUTE_DURATION seconds.
brute_force() {
  bench_log "brute force on $1, $2 connection(s), ${brute_duration}s"
  "$load" --url "$identity/api/v1/auth/login" -m POST -c "$2" -d "$brute_duration" --capture Retry-After \
    --body "{\"phoneNumber\":\"$1\",\"password\":\"wrong-password-{n}\"}"
}
# login_status PHONE: the status code of a valid login.
login_status() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"phoneNumber\":\"$1\",\"password\":\"$password\"}" "$identity/api/v1/auth/login"
}
brute1=$(brute_force 0981000001 1)
brute=$(brute_force 0981000000 "$brute_connections")
owner=$(login_status 0981000000)
other=$(login_status 0981000002)
machine_after=$(machine_json)

VALID8="$valid8" VALID32="$valid32" BRUTE1="$brute1" BRUTE="$brute" OWNER="$owner" OTHER="$other" USERS="$users" \
  MACHINE_BEFORE="$machine_before" MACHINE_AFTER="$machine_after" OUT="$out" python3 - <<'PY'
import json, os

env = os.environ
valid = {"8": json.loads(env["VALID8"]), "32": json.loads(env["VALID32"])}

def brute_summary(run, phone):
    status = run["status"]
    retry_after = {int(k): v for k, v in run.get("headers", {}).get("Retry-After", {}).items()}
    return {
        "account": phone,
        "connections": run["connections"],
        "seconds": run["seconds"],
        "attempts": run["requests"],
        "attempts_per_s": run["req_per_s"],
        "status_401": status.get("401", 0),
        "status_429": status.get("429", 0),
        "other_status": {k: v for k, v in status.items() if k not in ("401", "429")},
        "retry_after_seen": {str(k): v for k, v in sorted(retry_after.items())},
        "retry_after_min": min(retry_after) if retry_after else None,
        "retry_after_max": max(retry_after) if retry_after else None,
        "p50_ms": run["latency_ms"]["p50"],
        "p99_ms": run["latency_ms"]["p99"],
        "run": run,
    }

brutes = [brute_summary(json.loads(env["BRUTE1"]), "0981000001"),
          brute_summary(json.loads(env["BRUTE"]), "0981000000")]
brutes[-1]["owner_login_after_run"] = int(env["OWNER"])
brutes[-1]["untouched_account_same_address_after_run"] = int(env["OTHER"])
result = {
    "password_hash": "Argon2id m=19 MiB t=2 p=1 (libsodium), on the service's worker threads",
    "accounts": int(env["USERS"]),
    "valid": {
        c: {"logins_per_s": r["req_per_s"], "p50_ms": r["latency_ms"]["p50"], "p99_ms": r["latency_ms"]["p99"],
            "max_ms": r["latency_ms"]["max"], "status": r["status"], "run": r}
        for c, r in valid.items()
    },
    "brute_force_sequential": brutes[0],
    "brute_force": brutes[-1],
    "machine": {"before": json.loads(env["MACHINE_BEFORE"]), "after": json.loads(env["MACHINE_AFTER"])},
    "cores": os.cpu_count(),
}
with open(env["OUT"], "w") as f:
    json.dump(result, f, indent=2)

print(f"| run ({result['cores']} cores) | connections | requests | per s | p50 ms | p99 ms | status codes |")
print("|---|---|---|---|---|---|---|")
for c, r in valid.items():
    codes = ", ".join(f"{k}: {v}" for k, v in r["status"].items())
    print(f"| valid login ({result['accounts']} accounts) | {c} | {r['requests']} | {r['req_per_s']:.1f} | "
          f"{r['latency_ms']['p50']:.0f} | {r['latency_ms']['p99']:.0f} | {codes} |")
for b in brutes:
    codes = ", ".join(f"{k}: {v}" for k, v in b["run"]["status"].items())
    print(f"| wrong password, one account ({b['account']}), one address | {b['connections']} | {b['attempts']} | "
          f"{b['attempts_per_s']:.0f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | {codes} |")
print()
for b in brutes:
    seen = ", ".join(f"{k} s: {v}" for k, v in b["retry_after_seen"].items()) or "none"
    print(f"- brute force at {b['connections']} connection(s) for {b['seconds']:.1f} s: {b['status_401']} attempts "
          f"reached the password check (401), {b['status_429']} were refused (429); Retry-After seen: {seen}.")
b = brutes[-1]
print(f"- right after: the attacked owner's valid login got {b['owner_login_after_run']}; an untouched account's "
      f"valid login from the same address got {b['untouched_account_same_address_after_run']}.")
m = result["machine"]
print(f"\nMachine: {m['after']['cores']} cores; load average {m['before']['loadavg']} before, {m['after']['loadavg']} after; "
      f"CPU pressure (some, avg60) {m['before']['cpu_pressure_some_avg60_pct']}% before, "
      f"{m['after']['cpu_pressure_some_avg60_pct']}% after (other work on the machine lowers the figures).")
PY
bench_log "wrote $out"
