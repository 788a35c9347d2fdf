#!/usr/bin/env bash
# Teachers created/s (keep-alive POSTs) vs the GET /health/live ceiling; users/s in Identity meanwhile
#
# One fresh broker and both services (temp data dir, free loopback ports);
# the bootstrap admin logs in, then bench/http_load drives the teacher
# service: first GET /health/live (the HTTP ceiling of the same server), then
# POST /api/v1/teachers with unique phones (091xxxxxxx) for BENCH_DURATION
# seconds. A sampler polls Identity's emis_eventbus_handled_total for the
# teachercreated topic (users created) and the teacher service's for
# useraccountcreated (accounts shown on teachers) every 0.2 s, until both
# reach the number of teachers created. Writes bench/results/teachers.json and
# prints a table. CPU per request comes from the services' /proc/PID/stat
# (user + system time) around each phase: teacher-service's per GET and per
# POST, identity-service's per user from the load's start until all users
# exist, and the broker's per teacher over the same span (single node), with
# the share of its JIT compiler threads. Before the measured load, a warm-up
# load of BENCH_WARMUP seconds (10; 0 for none) at the same connections, and
# the wait until Identity and the teachers have caught up with it: the
# measured load is the steady state of processes that have run a while, as
# in a deployment, not the JVM's compiling of a just-started broker.
# Knobs: BENCH_CONNECTIONS (64), BENCH_DURATION (10),
# BENCH_CEILING_DURATION (5), BENCH_CATCHUP_TIMEOUT (25); last, Identity's
# lookup of one user by phone (what the onboarding latency bench polls) for
# BENCH_CEILING_DURATION seconds at BENCH_LOOKUP_CONNECTIONS (8), with
# identity-service's CPU per lookup; BENCH_PERF=1 also
# records both services with `perf record -g` during the POST load (with
# BENCH_KEEP=1 the perf.data files stay in the temp dir).
#
# --cluster: the same on PostgreSQL and a three-node Kafka cluster with two
# instances of each service; the POST load is split over both teacher
# instances (half the connections each, summed), the counters and CPU times
# are summed over the instances, and the ceiling is teacher-1's alone.
# Writes bench/results/teachers-cluster.json.
set -euo pipefail

bench_name=teachers
# shellcheck source=bench/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

cluster=0
if [[ ${1:-} == --cluster ]]; then
  cluster=1
elif (($#)); then
  echo "usage: bench/teachers.sh [--cluster]" >&2
  exit 2
fi
connections=${BENCH_CONNECTIONS:-64}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-10}
ceiling_duration=${BENCH_CEILING_DURATION:-5}
catchup_timeout=${BENCH_CATCHUP_TIMEOUT:-25}
lookup_connections=${BENCH_LOOKUP_CONNECTIONS:-8}
admin_phone=0981234567
admin_password=bench-admin-password
out=$root/bench/results/teachers.json
((cluster == 0)) || out=$root/bench/results/teachers-cluster.json

build_targets teacher-service identity-service http_load
load=$build/bench/http_load

stack_init teachers
machine_before=$(machine_json)
# The instances of each service: one, or two sharing a PostgreSQL database.
instances=(1)
shared=()
if ((cluster)); then
  start_cluster_stack
  instances=(1 2)
  shared=(EMIS_JWT_KEY_DIR="$stack_dir/keys" EMIS_ACTIVATION_SECRET_FILE="$stack_dir/keys/activation-secret")
else
  start_broker
fi
identity_urls=() teacher_urls=() identity_pids=() teacher_pids=() jwks=
for n in "${instances[@]}"; do
  port=$(free_port)
  identity_urls+=("http://127.0.0.1:$port")
  extra=()
  ((cluster)) && extra=(EMIS_DB="$(pg_url identity)" EMIS_INSTANCE_ID="identity-$n" "${shared[@]}")
  # identity-1 first, alone: it makes the admin and the shared keys.
  start_service "identity-$n" "$port" EMIS_BOOTSTRAP_ADMIN_PHONE="$admin_phone" \
    EMIS_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" "${extra[@]}"
  identity_pids+=("$service_pid")
  wait_ready "$service_pid" "${identity_urls[-1]}/health/ready" "$stack_dir/identity-$n.log"
  jwks+="${jwks:+,}${identity_urls[-1]}/.well-known/jwks.json"
done
for n in "${instances[@]}"; do
  port=$(free_port)
  teacher_urls+=("http://127.0.0.1:$port")
  extra=()
  ((cluster)) && extra=(EMIS_DB="$(pg_url teacher)" EMIS_INSTANCE_ID="teacher-$n")
  start_service "teacher-$n" "$port" EMIS_JWKS_URL="$jwks" "${extra[@]}"
  teacher_pids+=("$service_pid")
  wait_ready "$service_pid" "${teacher_urls[-1]}/health/ready" "$stack_dir/teacher-$n.log"
done
identity=${identity_urls[0]} teacher=${teacher_urls[0]}
identity_pid=${identity_pids[0]} teacher_pid=${teacher_pids[0]}
perf_pids=()
token=$(login "$identity" "$admin_phone" "$admin_password") || bench_die "admin login failed"

# Warm-up, one teacher per instance: fetches the JWKS, creates the topics and
# joins the consumer groups before the clock runs. They count towards the
# users to wait for.
for i in "${!teacher_urls[@]}"; do
  warm=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"fullName\":\"Warm Up\",\"phoneNumber\":\"091999999$i\"}" \
    "${teacher_urls[$i]}/api/v1/teachers")
  [[ $warm == 201 ]] || bench_die "warm-up POST /api/v1/teachers answered $warm"
done

# counter REGEX URL...: the sum of the Prometheus samples whose line matches, over the instances.
counter() {
  local re=$1 url
  shift
  for url in "$@"; do curl -s --max-time 1 "$url/metrics"; done |
    awk -v re="$re" '$0 ~ re { s += $NF } END { printf "%d\n", s }'
}
users_re='^emis_eventbus_handled_total[{].*teachercreated"'
linked_re='^emis_eventbus_handled_total[{].*useraccountcreated"'
samples=$stack_dir/samples
sampler() {
  while :; do
    echo "$EPOCHREALTIME $(counter "$users_re" "${identity_urls[@]}") $(counter "$linked_re" "${teacher_urls[@]}")" >>"$samples"
    sleep 0.2
  done
}

clock_ticks=$(getconf CLK_TCK)
# cpu_ms PID...: the processes' user + system CPU time so far, in ms, summed.
cpu_ms() {
  local pid
  for pid in "$@"; do cat "/proc/$pid/stat"; done | stat_ms
}

# work_cpu_ms PID...: the CPU time of the JVMs' threads other than their JIT
# compilers ("C1 CompilerThread0", "C2 CompilerThread1"...), in ms. The JVM
# ends compiler threads it no longer needs, taking their counts with them,
# so the compilers' share is the whole process's time less this (an upper
# bound: another thread that ends in the span counts as a compiler's).
work_cpu_ms() {
  local pid
  for pid in "$@"; do
    # A thread that ends between the glob and the read makes grep fail.
    grep -hv '^[0-9]* (C[12] CompilerThre' /proc/"$pid"/task/*/stat 2>/dev/null || true
  done | stat_ms
}

# stat_ms: the user + system time of the /proc stat lines read, in ms. The
# fields are counted after the ")" that ends the command name.
stat_ms() {
  sed 's/.*) //' | awk -v hz="$clock_ticks" '{ t += $12 + $13 } END { printf "%d\n", t * 1000 / hz }'
}

bench_log "GET /health/live, $connections connections, ${ceiling_duration}s (load average $(loadavg))"
teacher_cpu_0=$(cpu_ms "$teacher_pid")
ceiling=$("$load" --url "$teacher/health/live" -c "$connections" -d "$ceiling_duration")
teacher_cpu_1=$(cpu_ms "$teacher_pid")

# post_load SECONDS FIRST NAME: POST /api/v1/teachers on every teacher
# instance for SECONDS, the connections split between them; the phones of
# instance i start at i * 5,000,000 + FIRST so that none repeats. Writes the
# loads as one to $stack_dir/NAME.json: counts and rates summed, latencies
# the worst instance's.
post_load() {
  local seconds=$1 first=$2 name=$3 i pid load_pids=()
  for i in "${!teacher_urls[@]}"; do
    "$load" --url "${teacher_urls[$i]}/api/v1/teachers" -m POST -c $((connections / ${#teacher_urls[@]})) \
      -d "$seconds" --start $((i * 5000000 + first)) -H "Authorization: Bearer $token" \
      --body '{"fullName":"Bench Teacher {n}","phoneNumber":"091{n:07}","email":"teacher{n}@bench.example"}' \
      >"$stack_dir/$name-$i.json" &
    load_pids+=($!)
  done
  for pid in "${load_pids[@]}"; do wait "$pid" || bench_die "the load on a teacher instance failed"; done
  python3 - "$stack_dir/$name".json "$stack_dir/$name"-*.json <<'PY'
import json, sys
parts = [json.load(open(f)) for f in sys.argv[2:]]
total = dict(parts[0])
for key in ("requests", "req_per_s"):
    total[key] = sum(p[key] for p in parts)
total["status"] = {}
for p in parts:
    for code, n in p["status"].items():
        total["status"][code] = total["status"].get(code, 0) + n
total["latency_ms"] = {k: max(p["latency_ms"][k] for p in parts) for k in parts[0]["latency_ms"]}
json.dump(total, open(sys.argv[1], "w"))
PY
}

# count_created FILE: the teachers a load created (its 201s).
count_created() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"].get("201", 0))' "$1"; }

# wait_caught_up N: until Identity has handled N TeacherCreated events and the
# teachers N UserAccountCreated, or BENCH_CATCHUP_TIMEOUT has passed.
wait_caught_up() {
  local users linked deadline=$((SECONDS + catchup_timeout))
  while ((SECONDS < deadline)); do
    users=0 linked=0
    [[ -s $samples ]] && read -r _ users linked < <(tail -n1 "$samples")
    ((users >= $1 && linked >= $1)) && return 0
    sleep 0.2
  done
  return 1
}

spawn sampler
sampler_pid=${stack_pids[-1]}
# One warm-up teacher per instance so far.
warmed=${#teacher_urls[@]}
if ((warmup > 0)); then
  bench_log "warm-up: POST /api/v1/teachers, $connections connections, ${warmup}s"
  post_load "$warmup" 4000001 warmup
  warmed=$((warmed + $(count_created "$stack_dir/warmup.json")))
  wait_caught_up "$warmed" || bench_die "Identity and the teachers did not catch up with the $warmed warm-up teachers"
fi

bench_log "POST /api/v1/teachers, $connections connections, ${duration}s"
if [[ ${BENCH_PERF:-0} == 1 ]]; then
  for name in teacher identity; do
    pid_var=${name}_pid
    spawn perf record -q -g -o "$stack_dir/$name.perf.data" -p "${!pid_var}" 2>"$stack_dir/$name.perf.log"
    perf_pids+=("${stack_pids[-1]}")
  done
fi
teacher_cpu_2=$(cpu_ms "${teacher_pids[@]}")
identity_cpu_0=$(cpu_ms "${identity_pids[@]}")
# The broker's share, single-node only (the cluster's nodes run elsewhere in
# their own fixture): 0 when its pid is not known.
broker_pids=()
[[ -f $stack_dir/kafka/broker.pid ]] && broker_pids=("$(cat "$stack_dir/kafka/broker.pid")")
broker_cpu_0=$(cpu_ms "${broker_pids[@]}")
broker_work_0=$(work_cpu_ms "${broker_pids[@]}")
load_start=$EPOCHREALTIME
post_load "$duration" 1 create
load_end=$EPOCHREALTIME
create=$(cat "$stack_dir/create.json")
teacher_cpu_3=$(cpu_ms "${teacher_pids[@]}")
for pid in "${perf_pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
for pid in "${perf_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
((${#perf_pids[@]})) && bench_log "perf data: $stack_dir/teacher.perf.data, $stack_dir/identity.perf.data"
created=$(($(count_created "$stack_dir/create.json") + warmed))

bench_log "waiting for $created users in Identity and their accounts on the teachers"
wait_caught_up "$created" || true
sleep 0.3 # one more sample
identity_cpu_1=$(cpu_ms "${identity_pids[@]}")
broker_cpu_1=$(cpu_ms "${broker_pids[@]}")
broker_work_1=$(work_cpu_ms "${broker_pids[@]}")
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true

# The first teacher of the load has phone 0910000001 (n starts at 1).
bench_log "GET /api/v1/users?phoneNumber=, $lookup_connections connections, ${ceiling_duration}s"
identity_cpu_2=$(cpu_ms "$identity_pid")
lookup=$("$load" --url "$identity/api/v1/users?phoneNumber=0910000001" -c "$lookup_connections" \
  -d "$ceiling_duration" -H "Authorization: Bearer $token")
identity_cpu_3=$(cpu_ms "$identity_pid")
machine_after=$(machine_json)
if ((cluster)); then
  identity_users=$(/usr/lib/postgresql/15/bin/psql -X -At "$(pg_url identity)" \
    -c "select count(*) from users where role = 'Teacher'" 2>/dev/null || echo null)
else
  identity_users=$(sqlite3 "file:$stack_dir/identity-1/identity.db?mode=ro" \
    "select count(*) from users where role = 'Teacher'" 2>/dev/null || echo null)
fi

CEILING="$ceiling" LOOKUP="$lookup" CREATE="$create" SAMPLES="$samples" LOAD_START="$load_start" LOAD_END="$load_end" \
  CREATED="$created" DB_USERS="$identity_users" MACHINE_BEFORE="$machine_before" MACHINE_AFTER="$machine_after" OUT="$out" \
  CONNECTIONS="$connections" INSTANCES="${#teacher_urls[@]}" CPU_MS="$teacher_cpu_0 $teacher_cpu_1 $teacher_cpu_2 $teacher_cpu_3 $identity_cpu_0 $identity_cpu_1 $broker_cpu_0 $broker_cpu_1 $identity_cpu_2 $identity_cpu_3 $broker_work_0 $broker_work_1" \
  WARMED="$warmed" WARMUP_S="$warmup" \
  python3 - <<'PY'
import json, os

env = os.environ
ceiling, create, lookup = json.loads(env["CEILING"]), json.loads(env["CREATE"]), json.loads(env["LOOKUP"])
t0, t1, target = float(env["LOAD_START"]), float(env["LOAD_END"]), int(env["CREATED"])
# The teachers created before the measured load (warm-up); the per-teacher
# figures count the measured ones only.
warmed = int(env["WARMED"])
measured = max(1, target - warmed)
rows = [tuple(float(x) for x in line.split()) for line in open(env["SAMPLES"]) if len(line.split()) == 3]

def at(t, col):
    """The counter at time t, interpolated between samples."""
    prev = None
    for row in rows:
        if row[0] >= t:
            if prev is None:
                return row[col]
            f = (t - prev[0]) / (row[0] - prev[0])
            return prev[col] + f * (row[col] - prev[col])
        prev = row
    return rows[-1][col] if rows else 0.0

def caught_up(col):
    return next((row[0] for row in rows if row[0] >= t0 and row[col] >= target), None)

def peak_rate(col, window=1.0):
    best = 0.0
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if b[0] - a[0] >= window:
                best = max(best, (b[col] - a[col]) / (b[0] - a[0]))
                break
    return best

load_s = t1 - t0
cpu = [int(x) for x in env["CPU_MS"].split()]
users_during = at(t1, 1) - at(t0, 1)
done_users, done_linked = caught_up(1), caught_up(2)
teachers_per_s = create["req_per_s"]
result = {
    "connections": int(env["CONNECTIONS"]),
    "health_live": ceiling,
    "create_teacher": create,
    "teachers_per_s": teachers_per_s,
    "teachers_created": target - warmed,
    "warmup": {"seconds": int(env["WARMUP_S"]), "teachers": warmed},
    # The database and users_at_load_end count the warm-up teachers too.
    "teachers_created_including_warmup": target,
    "instances_per_service": int(env.get("INSTANCES", "1")),
    "create_p50_ms": create["latency_ms"]["p50"],
    "create_p99_ms": create["latency_ms"]["p99"],
    "ratio_to_health_live": teachers_per_s / ceiling["req_per_s"],
    "identity": {
        "users_per_s_during_load": users_during / load_s,
        "users_during_load": users_during,
        "peak_users_per_s_1s": peak_rate(1),
        "users_at_load_end": at(t1, 1),
        "caught_up": done_users is not None,
        "lag_after_load_s": None if done_users is None else max(0.0, done_users - t1),
        "users_per_s_until_caught_up": None if done_users is None else (target - warmed) / (done_users - t0),
        "teacher_users_in_db": None if env["DB_USERS"] in ("", "null") else int(env["DB_USERS"]),
    },
    "teacher_account_status": {
        "linked_per_s_during_load": (at(t1, 2) - at(t0, 2)) / load_s,
        "caught_up": done_linked is not None,
        "lag_after_load_s": None if done_linked is None else max(0.0, done_linked - t1),
    },
    "cpu_ms_per_request": {
        "teacher_health_live": (cpu[1] - cpu[0]) / max(1, ceiling["requests"]),
        "teacher_create": (cpu[3] - cpu[2]) / max(1, create["requests"]),
        "identity_per_user": None if done_users is None else (cpu[5] - cpu[4]) / measured,
        "broker_per_teacher": None if done_users is None or cpu[7] == cpu[6] else (cpu[7] - cpu[6]) / measured,
        "broker_jit_per_teacher": None if done_users is None or cpu[7] == cpu[6] else ((cpu[7] - cpu[6]) - (cpu[11] - cpu[10])) / measured,
        "identity_user_lookup": (cpu[9] - cpu[8]) / max(1, lookup["requests"]),
    },
    "user_lookup": lookup,
    "samples": len(rows),
    "machine": {"before": json.loads(env["MACHINE_BEFORE"]), "after": json.loads(env["MACHINE_AFTER"])},
    "cores": os.cpu_count(),
}
with open(env["OUT"], "w") as f:
    json.dump(result, f, indent=2)

def fmt(v, spec=".0f"):
    return "n/a" if v is None else format(v, spec)

h, idn, acc = ceiling, result["identity"], result["teacher_account_status"]
hr = h["req_per_s"]
print(f"| measure ({result['connections']} keep-alive connections, {result['cores']} cores) | value | ratio to /health/live |")
print("|---|---|---|")
print(f"| GET /health/live req/s (ceiling) | {hr:.0f} | 1.00 |")
print(f"| GET /health/live p50 / p99 ms | {h['latency_ms']['p50']:.2f} / {h['latency_ms']['p99']:.2f} | |")
print(f"| POST /api/v1/teachers teachers/s | {teachers_per_s:.0f} | {teachers_per_s / hr:.3f} |")
print(f"| POST /api/v1/teachers p50 / p99 / max ms | {create['latency_ms']['p50']:.2f} / {create['latency_ms']['p99']:.2f} / {create['latency_ms']['max']:.1f} | |")
print(f"| POST status codes | {', '.join(f'{k}: {v}' for k, v in create['status'].items())} | |")
print(f"| Identity users/s during the load | {idn['users_per_s_during_load']:.0f} | {idn['users_per_s_during_load'] / hr:.3f} |")
print(f"| Identity users/s, peak 1 s | {idn['peak_users_per_s_1s']:.0f} | |")
print(f"| Identity users/s, load start to all {target - warmed} users | {fmt(idn['users_per_s_until_caught_up'])} | |")
print(f"| lag after the last POST until all users exist, s | {fmt(idn['lag_after_load_s'], '.1f')} | |")
print(f"| lag until all teachers show accountStatus, s | {fmt(acc['lag_after_load_s'], '.1f')} | |")
c = result["cpu_ms_per_request"]
print(f"| teacher-service CPU ms per GET /health/live | {c['teacher_health_live']:.3f} | |")
print(f"| teacher-service CPU ms per POST | {c['teacher_create']:.3f} | {c['teacher_create'] / max(1e-9, c['teacher_health_live']):.1f}x a GET |")
print(f"| identity-service CPU ms per user (load start to caught up) | {fmt(c['identity_per_user'], '.3f')} | |")
print(f"| Kafka broker CPU ms per teacher (same span) | {fmt(c['broker_per_teacher'], '.3f')} | |")
print(f"| of which its JIT compiler threads | {fmt(c['broker_jit_per_teacher'], '.3f')} | |")
print(f"| GET /api/v1/users?phoneNumber= req/s ({lookup['connections']} connections) | {lookup['req_per_s']:.0f} | "
      f"{lookup['req_per_s'] / hr:.3f} |")
print(f"| GET /api/v1/users?phoneNumber= p50 / p99 ms, status codes | {lookup['latency_ms']['p50']:.2f} / "
      f"{lookup['latency_ms']['p99']:.2f}, {', '.join(f'{k}: {v}' for k, v in lookup['status'].items())} | |")
print(f"| identity-service CPU ms per user lookup | {c['identity_user_lookup']:.3f} | |")
m = result["machine"]
print(f"\nMachine: {m['after']['cores']} cores; load average {m['before']['loadavg']} before, {m['after']['loadavg']} after; "
      f"CPU pressure (some, avg60) {m['before']['cpu_pressure_some_avg60_pct']}% before, "
      f"{m['after']['cpu_pressure_some_avg60_pct']}% after (other work on the machine lowers the figures).")
PY
bench_log "wrote $out"
