#!/usr/bin/env bash
# Runs an Apache Kafka node (KRaft, broker + controller in one JVM) from the
# jars that `./emis deps` fetched from Maven Central: a single-node cluster by
# default, or one node of a three-node cluster. This is the only place that
# knows how to configure, start and stop a broker; `./emis` and the test
# fixtures call it.
#
#   broker.sh start  DIR [PORT [CONTROLLER_PORT]]  start (no-op if running), wait until ready
#   broker.sh wait   DIR                           wait until a started node is ready
#   broker.sh stop   DIR                           SIGTERM, wait until gone (SIGKILL after 30 s)
#   broker.sh status DIR                           exit 0 and print the bootstrap if running
#   broker.sh kill   DIR                           SIGKILL (for failure tests)
#   broker.sh jar-dir                              print where the jars are expected
#   broker.sh free-ports N                         print N free loopback ports
#   broker.sh cluster-id                           print a new cluster id
#   broker.sh cds-archive                          build the class-data archive (see below)
#
# DIR holds server.properties, log4j2.properties, data/ (formatted on first
# start only, so data survives restarts), broker.pid, bootstrap, broker.log and
# broker.out. Without PORT, a restart reuses the ports of the previous start,
# else free ports are chosen.
#
# A node of a cluster: on its first start, EMIS_KAFKA_NODE_ID (1, 2, 3),
# EMIS_KAFKA_VOTERS (the controller quorum, e.g.
# 1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097) and EMIS_KAFKA_CLUSTER_ID
# (the same for every node) are remembered in DIR/node.env. With three voters,
# internal and new topics get three replicas and min.insync.replicas=2. A node
# waits for a quorum before it is ready, so start every node with
# EMIS_KAFKA_NO_WAIT=1, then `wait` for each.
#
# Environment: EMIS_KAFKA_JARS (jar dir), EMIS_CACHE_DIR (default ~/.cache/emis),
# EMIS_KAFKA_JAVA_OPTS (replaces the default heap and GC options),
# EMIS_KAFKA_JIT (c1: the C1 JIT compiler only; tiered: C1 then C2, the JVM's
# own default; unset: what DIR/node.env remembers from the first start, else c1
# on a machine of 2 cores or fewer, else tiered).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# pom.xml is the single source of the Kafka version.
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
jar_dir=${EMIS_KAFKA_JARS:-${EMIS_CACHE_DIR:-$HOME/.cache/emis}/kafka-$kafka_version}

java_opts=${EMIS_KAFKA_JAVA_OPTS:--Xmx512m -Xms512m -XX:+UseG1GC}

# Tests start brokers often, so startup time matters. A dynamic class-data-
# sharing (AppCDS) archive of the classes a broker loads, kept next to the jar
# dir, roughly halved the start time on this 2-core machine under build load;
# the C1-only JIT shaved off about another second. The JVM
# ignores an archive that does not match the JDK or the jars (a warning in
# broker.out); `cds-archive`, which `./emis deps` runs, rebuilds one that is
# older than the JDK or the jar dir.
cds_archive=$jar_dir.jsa
extra_java_opts=()

ready_timeout=60
stop_timeout=30

die() { echo "broker.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

cds_fresh() {
  local java libjvm
  [[ -f $cds_archive && $cds_archive -nt $jar_dir ]] || return 1
  java=$(command -v java) || return 1
  libjvm=$(dirname "$(dirname "$(readlink -f "$java")")")/lib/server/libjvm.so
  [[ $cds_archive -nt $libjvm ]]
}

# Which JIT the broker runs (EMIS_KAFKA_JIT). C2, the optimising compiler,
# keeps a compiler thread busy for minutes after a start, most of a core
# while the broker is under load. On 2 cores that core is taken from the
# services beside it: in `./emis bench teachers` after a 10 s warm-up, the
# compiler threads still used 0.18-0.24 ms of CPU per teacher, half of the
# broker's, while the broker's own work per teacher came out the same with C1
# alone (0.18-0.29 ms tiered, 0.23-0.29 ms C1). C2's faster code shows only at
# rates the services cannot reach here (10-40% more direct publishes per
# second in `./emis bench bus`). With more cores the compiler runs beside the
# services, so the JVM keeps its default.
# Unless EMIS_KAFKA_JIT says otherwise, a restart keeps the JIT the node ran
# with before ($1, from DIR/node.env): whoever restarts a node need not know
# how it was started.
broker_jit() {
  local jit=${EMIS_KAFKA_JIT:-${1:-}}
  if [[ -z $jit ]]; then
    jit=tiered
    (($(nproc) <= 2)) && jit=c1
  fi
  [[ $jit == c1 || $jit == tiered ]] || die "EMIS_KAFKA_JIT must be c1 or tiered, not '$jit'"
  echo "$jit"
}

# The java command line shared by the format tool and the broker; $1 names
# the JIT (c1 or tiered).
java_cmd() {
  # shellcheck disable=SC2206 # java_opts is a list of options
  java_cmd=(java $java_opts "${extra_java_opts[@]}")
  [[ $1 == c1 ]] && java_cmd+=(-XX:TieredStopAtLevel=1)
  cds_fresh && java_cmd+=(-Xshare:auto -XX:SharedArchiveFile="$cds_archive")
  java_cmd+=(-cp "$jar_dir/*" -Dlog4j2.configurationFile="$dir/log4j2.properties")
}

# Prints the pid of DIR's broker if it is running. The command line must name
# DIR's server.properties, so a stale pid file whose pid was reused by another
# process (or a zombie, whose cmdline is empty) counts as "not running".
running_pid() {
  local pid
  [[ -f $dir/broker.pid ]] || return 1
  read -r pid <"$dir/broker.pid" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$dir/server.properties" || return 1
  echo "$pid"
}

# Waits until the process is gone; returns 1 if it is still there after $1 s.
wait_gone() {
  local deadline=$((SECONDS + $1))
  while running_pid >/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

show_logs() {
  local f
  for f in "$dir/broker.log" "$dir/broker.out" "$dir/format.out"; do
    [[ -s $f ]] || continue
    echo "--- tail of $f" >&2
    tail -n 40 "$f" >&2
  done
}

# N (default 2) distinct free ports on 127.0.0.1 (all sockets are held while
# asking, so the kernel cannot hand out the same one twice).
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "${1:-2}"
}

# A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22
# chars). One starting with "-" would be read as an option, so avoid it.
cluster_id() {
  python3 -c '
import base64, os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

# The node's place in its cluster and its JIT: from DIR/node.env once written,
# else from the environment (defaults: node 1, the only voter).
load_node() {
  if [[ -f $dir/node.env ]]; then
    # shellcheck disable=SC1091 # written below
    source "$dir/node.env"
  else
    node_id=${EMIS_KAFKA_NODE_ID:-1}
    voters=${EMIS_KAFKA_VOTERS:-}
    cluster=${EMIS_KAFKA_CLUSTER_ID:-}
  fi
  [[ $node_id =~ ^[0-9]+$ ]] || die "bad node id '$node_id'"
}

save_node() {
  printf 'node_id=%q\nvoters=%q\ncluster=%q\njit=%q\n' "$node_id" "$voters" "$cluster" "$jit" >"$dir/node.env"
}

write_config() {
  local replicas=1 min_isr=1 offsets_partitions=1
  # Three voters or more: a replicated cluster that survives one node down.
  if [[ $(tr ',' '\n' <<<"$voters" | grep -c @) -ge 3 ]]; then
    replicas=3 min_isr=2 offsets_partitions=3
  fi
  cat >"$dir/server.properties" <<EOF
# Written by broker.sh; rewritten on every start.
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
# Replicas of internal topics and the default for new (event) topics: one on
# a single node; three, two of them in sync for a write, on a cluster.
default.replication.factor=$replicas
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=$offsets_partitions
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
# Consumers join a group at once instead of waiting 3 s for others.
group.initial.rebalance.delay.ms=0
# After a SIGKILL the restarted broker cannot register until the controller
# has expired its old session (default 9 s, retried every 2 s). Broker and
# controller share one JVM here, so a shorter session is safe and makes a
# restart after a crash about as fast as a clean one.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
# The default 128 MB cleaner buffer is wasted on a dev/test broker.
log.cleaner.dedupe.buffer.size=2097152
auto.create.topics.enable=true
EOF

  cat >"$dir/log4j2.properties" <<EOF
# Written by broker.sh. The broker logs to a file in its own directory.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $dir/broker.log
appender.file.filePattern = $dir/broker.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
EOF
}

# Ports of the previous start, so that a restart keeps the same bootstrap.
previous_ports() {
  local line
  line=$(grep -s '^listeners=' "$dir/server.properties") || return 1
  [[ $line =~ PLAINTEXT://[^:]+:([0-9]+),CONTROLLER://[^:]+:([0-9]+) ]] || return 1
  echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# shellcheck disable=SC2120 # main passes PORT and CONTROLLER_PORT via "cmd_$cmd"
cmd_start() {
  local pid prev p c
  port=${1:-} controller_port=${2:-}

  if pid=$(running_pid); then
    cat "$dir/bootstrap"
    return 0
  fi
  rm -f "$dir/broker.pid"

  compgen -G "$jar_dir/kafka_2.13-*.jar" >/dev/null || die "no Kafka jars in $jar_dir; run ./emis deps"
  command -v java >/dev/null || die "java not found; run ./emis deps"
  command -v kcat >/dev/null || die "kcat not found; run ./emis deps"

  if prev=$(previous_ports); then
    read -r p c <<<"$prev"
    port=${port:-$p}
    controller_port=${controller_port:-$c}
  fi
  if [[ -z $port || -z $controller_port ]]; then
    read -r p c <<<"$(free_ports)"
    port=${port:-$p}
    controller_port=${controller_port:-$c}
  fi
  [[ $port =~ ^[0-9]+$ && $controller_port =~ ^[0-9]+$ && $port != "$controller_port" ]] ||
    die "bad ports: '$port' '$controller_port'"

  # If something else already answers on the port, the readiness probe below
  # would talk to it and report a broker that is about to fail to bind.
  for p in "$port" "$controller_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      die "port $p is already in use by another process"
    fi
  done

  local jit=
  load_node
  jit=$(broker_jit "$jit") || exit 1
  voters=${voters:-$node_id@127.0.0.1:$controller_port}
  cluster=${cluster:-$(cluster_id)}
  save_node
  write_config
  local bootstrap="127.0.0.1:$port"
  echo "$bootstrap" >"$dir/bootstrap"

  # KRaft needs a formatted log dir; format only once so data survives restarts.
  if [[ ! -f $dir/data/meta.properties ]]; then
    # A one-shot tool: C1 only starts it sooner.
    java_cmd c1
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties" -g \
      >"$dir/format.out" 2>&1 </dev/null || { show_logs; die "formatting $dir/data failed"; }
  fi

  # Detach completely: own session (no signals from the caller's terminal or
  # process group), no inherited stdio (a CTest fixture would otherwise wait
  # for the pipe to close) and not the lock fd 9. The inner bash writes its own
  # pid and execs java, so the pid file names the JVM whether or not setsid forks.
  : >"$dir/broker.out"
  java_cmd "$jit"
  # shellcheck disable=SC2016 # $$ is for the inner shell
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$dir/broker.pid" \
    "${java_cmd[@]}" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/broker.out" 2>&1 9>&- &

  [[ ${EMIS_KAFKA_NO_WAIT:-0} == 1 ]] || cmd_wait
}

cmd_wait() {
  local bootstrap port
  bootstrap=$(cat "$dir/bootstrap" 2>/dev/null) || die "no broker started in $dir"
  port=${bootstrap##*:}
  # The client port opens only once the broker is ready, so a cheap TCP connect
  # gates the kcat metadata probe (which would otherwise sit out its timeout).
  local deadline=$((SECONDS + ready_timeout)) started=$SECONDS
  while :; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
      kcat -L -b "$bootstrap" -m 1 >/dev/null 2>&1; then
      break
    fi
    # Give the wrapper a moment to write the pid file before judging liveness.
    if ((SECONDS - started >= 2)) && ! running_pid >/dev/null; then
      show_logs
      die "broker in $dir exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_logs
      cmd_kill
      die "broker in $dir not ready after ${ready_timeout}s"
    fi
    sleep 0.1
  done
  echo "$bootstrap"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$dir/broker.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$stop_timeout"; then
    echo "broker.sh: broker $pid did not stop in ${stop_timeout}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone 10 || die "broker $pid survived SIGKILL"
  fi
  rm -f "$dir/broker.pid"
}

cmd_kill() {
  local pid
  if pid=$(running_pid); then
    kill -KILL "$pid" 2>/dev/null || true
    # Return only when it is gone, so a restart can bind the same ports.
    wait_gone 10 || die "broker $pid survived SIGKILL"
  fi
  rm -f "$dir/broker.pid"
}

cmd_status() {
  if running_pid >/dev/null; then
    cat "$dir/bootstrap"
  else
    echo "broker.sh: no broker running in $dir" >&2
    return 1
  fi
}

# Builds the CDS archive unless a fresh one exists: runs a throwaway broker
# through start, produce, consume and stop with -XX:ArchiveClassesAtExit (the
# JVM writes the archive as it exits), then renames it into place.
cmd_cds_archive() {
  cds_fresh && return 0
  local topic=cds-training bootstrap
  dir=$(mktemp -d)
  tmp_archive=$(mktemp -u "$cds_archive.tmp.XXXXXX")
  # Whatever happens, leave no training broker or temp file behind.
  trap 'cmd_kill; rm -rf "$dir" "$tmp_archive"' EXIT
  extra_java_opts=(-XX:ArchiveClassesAtExit="$tmp_archive")

  echo "broker.sh: building the class-data archive $cds_archive (once, about 15 s)"
  # shellcheck disable=SC2119 # free ports
  bootstrap=$(cmd_start)
  echo hello | kcat -P -b "$bootstrap" -t "$topic" -k key
  kcat -C -b "$bootstrap" -t "$topic" -o beginning -c 1 -e -q >/dev/null
  cmd_stop
  [[ -s $tmp_archive ]] || { show_logs; die "the JVM wrote no class-data archive"; }
  mv -f "$tmp_archive" "$cds_archive"
}

main() {
  local cmd=${1:-}
  case $cmd in
    jar-dir) echo "$jar_dir"; return 0 ;;
    free-ports) free_ports "${2:-2}"; return 0 ;;
    cluster-id) cluster_id; return 0 ;;
    cds-archive) cmd_cds_archive; return 0 ;;
  esac
  [[ $cmd =~ ^(start|wait|stop|status|kill)$ && $# -ge 2 ]] || usage
  [[ -n $2 ]] || usage

  if [[ ! -d $2 ]]; then
    case $cmd in
      start) mkdir -p "$2" ;;
      status) echo "broker.sh: no broker running in $2" >&2; return 1 ;;
      *) return 0 ;; # nothing to stop
    esac
  fi
  dir=$(cd "$2" && pwd -P)
  # Serialize commands on one DIR (e.g. two `./emis up` at once). The JVM does
  # not inherit fd 9, so the lock is released when this script exits.
  exec 9>"$dir/.lock"
  flock -w $((ready_timeout + stop_timeout)) 9 || die "$dir is locked by another broker.sh"

  "cmd_$cmd" "${@:3}"
}

main "$@"
