#!/usr/bin/env bash
# Runs the same PublishBench workload against Mosquitto and against Tributary (embedded Kafka) in
# one go and prints both side by side with the ratio Tributary/Mosquitto. Works from any cwd.
#
#   bench/run-vs-mosquitto.sh                         # QoS 0 and QoS 1, 10 publishers, 100 B, 20 s (+5 s warm-up)
#   bench/run-vs-mosquitto.sh --qos 1 --duration 10   # one scenario, shorter
#   bench/run-vs-mosquitto.sh --brokers mosquitto     # only one broker
#   bench/run-vs-mosquitto.sh --help
#
# Every option also reads from the environment (PUBLISHERS, QOS, PAYLOAD, DURATION, WARMUP, ...).
# Results (JSON per run, broker logs, the table) are kept in bench/target/results/<timestamp>/.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

PUBLISHERS=${PUBLISHERS:-10}
QOS=${QOS:-"0 1"}                        # scenario list: one run per QoS level
PAYLOAD=${PAYLOAD:-100}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
PROTOCOL=${PROTOCOL:-3.1.1}
MAX_INFLIGHT=${MAX_INFLIGHT:-100}
RATE=${RATE:-0}                          # per publisher, 0 = unlimited
BROKERS=${BROKERS:-"mosquitto tributary"}
BENCH_ARGS=${BENCH_ARGS:-}               # extra PublishBench options, e.g. "--threads 2"
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-"-Xms256m -Xmx512m -XX:+UseParallelGC"}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
TRIBUTARY=${BENCH_TRIBUTARY:-$REPO_ROOT/tributary}
BENCH_TRIBUTARY_ARGS=${BENCH_TRIBUTARY_ARGS:-}       # extra launcher options, e.g. "--set kafka.producer.linger.ms=2"
BENCH_TRIBUTARY_START_TIMEOUT=${BENCH_TRIBUTARY_START_TIMEOUT:-300}   # the launcher may build the broker first
MOSQUITTO_START_TIMEOUT=${MOSQUITTO_START_TIMEOUT:-15}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
OUT_DIR=${OUT_DIR:-}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}

usage() {
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options (environment variable in brackets, current value after =):
  --publishers N       publisher connections [PUBLISHERS=$PUBLISHERS]
  --qos "L ..."        QoS levels to run, one scenario each [QOS="$QOS"]
  --payload BYTES      payload size [PAYLOAD=$PAYLOAD]
  --duration S         measured seconds per scenario [DURATION=$DURATION]
  --warmup S           warm-up seconds, not counted [WARMUP=$WARMUP]
  --protocol V         3.1.1 or 5 [PROTOCOL=$PROTOCOL]
  --max-inflight N     QoS 1/2 window per connection [MAX_INFLIGHT=$MAX_INFLIGHT]
  --rate R             messages/s per publisher, 0 = unlimited [RATE=$RATE]
  --brokers "B ..."    which brokers, in order [BROKERS="$BROKERS"]
  --bench-args "..."   extra PublishBench options [BENCH_ARGS]
  --out DIR            where results go [OUT_DIR, default bench/target/results/<timestamp>]
  --skip-build         do not build the bench module [SKIP_BUILD=1]
  --keep-tmp           keep the temporary data directories [KEEP_TMP=1]
  Also: BENCH_TRIBUTARY (launcher path), BENCH_TRIBUTARY_ARGS, BENCH_TRIBUTARY_START_TIMEOUT, MOSQUITTO, BENCH_JAVA_OPTS.
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --publishers) PUBLISHERS=$2; shift 2 ;;
        --qos) QOS=$2; shift 2 ;;
        --payload) PAYLOAD=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --protocol) PROTOCOL=$2; shift 2 ;;
        --max-inflight) MAX_INFLIGHT=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --brokers) BROKERS=$2; shift 2 ;;
        --bench-args) BENCH_ARGS=$2; shift 2 ;;
        --out) OUT_DIR=$2; shift 2 ;;
        --skip-build) SKIP_BUILD=1; shift ;;
        --keep-tmp) KEEP_TMP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf '\n== %s\n' "$*"; }
warn() { printf '!! %s\n' "$*" >&2; }

# ---------------------------------------------------------------- cleanup
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tributary-vs-mosquitto.XXXXXX")
BROKER_PID=""
BENCH_PID=""
cleanup() {
    local rc=$?
    if [[ -n "$BENCH_PID" ]]; then
        kill -TERM "$BENCH_PID" 2>/dev/null || true
        wait "$BENCH_PID" 2>/dev/null || true
    fi
    if [[ -n "$BROKER_PID" ]]; then
        stop_broker "$BROKER_PID" || true
    fi
    if [[ "$KEEP_TMP" == 1 ]]; then
        echo "temporary files kept in $TMP_ROOT"
    else
        rm -rf "$TMP_ROOT"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
free_port() {
    # let the kernel choose, then make sure we did not already hand it out in this run
    local port
    while true; do
        if command -v python3 >/dev/null 2>&1; then
            port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
        else
            port=$((20000 + RANDOM % 40000))
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
        fi
        case " ${USED_PORTS:-} " in *" $port "*) continue ;; esac
        USED_PORTS="${USED_PORTS:-} $port"
        echo "$port"
        return
    done
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_ready PID PORT TIMEOUT LOG [READY_PATTERN]: 0 when the port accepts (or the log shows the
# ready line and the port accepts); 1 if the process died or the timeout passed
wait_ready() {
    local pid=$1 port=$2 timeout=$3 logfile=$4 pattern=${5:-}
    local deadline=$((SECONDS + timeout))
    while (( SECONDS < deadline )); do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if port_open "$port"; then
            if [[ -n "$pattern" ]] && grep -q "$pattern" "$logfile" 2>/dev/null; then
                echo "ready: log says '$pattern' and port $port accepts"
            else
                echo "ready: port $port accepts"
            fi
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# RSS in KiB of every process in the broker's process group (it runs under setsid)
group_rss_kib() {
    local pgid=$1 total=0 pid kb
    for pid in $(pgrep -g "$pgid" 2>/dev/null || echo "$pgid"); do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

group_summary() {
    local pgid=$1 pid
    for pid in $(pgrep -g "$pgid" 2>/dev/null || echo "$pgid"); do
        printf '%s(%s KiB) ' "$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')" \
            "$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo '?')"
    done
}

stop_broker() {
    local pid=$1 deadline
    BROKER_PID=""
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        return 0
    fi
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "process $pid still running ${STOP_TIMEOUT}s after SIGTERM: kill -9"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    # stragglers of the group (a launcher that did not pass the signal on)
    if pgrep -g "$pid" >/dev/null 2>&1; then
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
}

json_get() { # FILE KEY -> raw JSON value (strings keep their quotes); our JSON is one flat object
    [[ -f "$1" ]] || return 0
    sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" "$1" | head -n1 || true
}

# ---------------------------------------------------------------- build
JAR="$REPO_ROOT/bench/target/tributary-bench.jar"
LIB="$REPO_ROOT/bench/target/lib"
if [[ "$SKIP_BUILD" != 1 ]] && { [[ ! -f "$JAR" ]] || [[ ! -d "$LIB" ]] \
        || [[ -n "$(find "$REPO_ROOT/bench/src/main" "$REPO_ROOT/bench/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]]; }; then
    log "building the bench module"
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl bench -am)
fi
[[ -f "$JAR" && -d "$LIB" ]] || { warn "bench not built: $JAR or $LIB missing"; exit 1; }
BENCH_CP="$JAR:$LIB/*"

if [[ -z "$OUT_DIR" ]]; then
    OUT_DIR="$REPO_ROOT/bench/target/results/$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$OUT_DIR"

# ---------------------------------------------------------------- runs
declare -A STATUS   # broker -> ok | failed: reason
declare -A RSS      # broker:qos -> KiB

run_scenarios() { # BROKER PORT PID
    local broker=$1 port=$2 pid=$3 qos rc
    for qos in $QOS; do
        log "$broker: QoS $qos, $PUBLISHERS publishers, $PAYLOAD B, ${DURATION}s (+${WARMUP}s warm-up), MQTT $PROTOCOL"
        rc=0
        # in the background + wait, so that a signal to this script is handled at once (trap)
        # shellcheck disable=SC2086
        java $BENCH_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.PublishBench \
            --port "$port" --qos "$qos" --publishers "$PUBLISHERS" --payload "$PAYLOAD" \
            --duration "$DURATION" --warmup "$WARMUP" --protocol "$PROTOCOL" \
            --max-inflight "$MAX_INFLIGHT" --rate "$RATE" --client-prefix "bench-q$qos-" \
            --json "$OUT_DIR/$broker-qos$qos.json" $BENCH_ARGS &
        BENCH_PID=$!
        wait "$BENCH_PID" || rc=$?
        BENCH_PID=""
        if [[ $rc -ne 0 ]]; then
            warn "$broker QoS $qos: PublishBench exited with $rc (2 = connection failed, 3 = errors/disconnects)"
        fi
        if kill -0 "$pid" 2>/dev/null; then
            RSS[$broker:$qos]=$(group_rss_kib "$pid")
            echo "$broker RSS after QoS $qos run: $((RSS[$broker:$qos] / 1024)) MiB  [$(group_summary "$pid")]"
        else
            warn "$broker died during the QoS $qos run"
            STATUS[$broker]="failed: died during QoS $qos run"
            return 1
        fi
    done
}

run_mosquitto() {
    local dir="$TMP_ROOT/mosquitto" port pid logfile="$OUT_DIR/mosquitto.log"
    mkdir -p "$dir"
    if [[ ! -x "$MOSQUITTO" ]]; then
        STATUS[mosquitto]="failed: $MOSQUITTO not found"
        warn "${STATUS[mosquitto]}"
        return 1
    fi
    port=$(free_port)
    cat > "$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest stdout
log_type error
log_type warning
log_type notice
EOF
    log "starting mosquitto ($("$MOSQUITTO" -h 2>/dev/null | head -n1 | sed 's/^mosquitto version //')) on 127.0.0.1:$port"
    setsid "$MOSQUITTO" -c "$dir/mosquitto.conf" > "$logfile" 2>&1 &
    pid=$!
    BROKER_PID=$pid
    if ! wait_ready "$pid" "$port" "$MOSQUITTO_START_TIMEOUT" "$logfile"; then
        STATUS[mosquitto]="failed: did not accept connections on port $port within ${MOSQUITTO_START_TIMEOUT}s"
        warn "${STATUS[mosquitto]}; last lines of $logfile:"
        tail -n 20 "$logfile" >&2 || true
        stop_broker "$pid"
        return 1
    fi
    STATUS[mosquitto]=ok
    run_scenarios mosquitto "$port" "$pid" || true
    stop_broker "$pid"
}

run_tributary() {
    local dir="$TMP_ROOT/tributary" port kafka_port controller_port pid logfile="$OUT_DIR/tributary.log"
    mkdir -p "$dir/data"
    if [[ ! -x "$TRIBUTARY" ]]; then
        STATUS[tributary]="failed: launcher $TRIBUTARY not found or not executable"
        warn "${STATUS[tributary]}"
        return 1
    fi
    port=$(free_port)
    kafka_port=$(free_port)
    controller_port=$(free_port)
    log "starting Tributary on 127.0.0.1:$port (embedded Kafka $kafka_port, controller $controller_port; may build first, timeout ${BENCH_TRIBUTARY_START_TIMEOUT}s)"
    # setsid: own process group, so SIGTERM reaches the JVM even if the launcher does not exec it
    # shellcheck disable=SC2086
    (cd "$REPO_ROOT" && exec setsid "$TRIBUTARY" --data-dir "$dir/data" --mqtt-port "$port" \
        --embedded-kafka-port "$kafka_port" --set "kafka.embedded.controller-port=$controller_port" \
        $BENCH_TRIBUTARY_ARGS) > "$logfile" 2>&1 &
    pid=$!
    BROKER_PID=$pid
    if ! wait_ready "$pid" "$port" "$BENCH_TRIBUTARY_START_TIMEOUT" "$logfile" "MQTT listening"; then
        if kill -0 "$pid" 2>/dev/null; then
            STATUS[tributary]="failed: port $port not accepting after ${BENCH_TRIBUTARY_START_TIMEOUT}s"
        else
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            STATUS[tributary]="failed: launcher exited with status $rc before port $port accepted"
        fi
        warn "Tributary did not start (${STATUS[tributary]#failed: }); last 40 lines of $logfile:"
        tail -n 40 "$logfile" >&2 || true
        stop_broker "$pid"
        return 1
    fi
    STATUS[tributary]=ok
    run_scenarios tributary "$port" "$pid" || true
    stop_broker "$pid"
}

for broker in $BROKERS; do
    case "$broker" in
        mosquitto) run_mosquitto || true ;;
        tributary) run_tributary || true ;;
        *) warn "unknown broker '$broker' (mosquitto, tributary)"; STATUS[$broker]="failed: unknown" ;;
    esac
done

# ---------------------------------------------------------------- table
fmt() { # VALUE KIND -> printable
    local v=$1 kind=$2
    if [[ -z "$v" || "$v" == null ]]; then echo "-"; return; fi
    case "$kind" in
        rate) awk -v v="$v" 'BEGIN { printf "%.0f", v }' ;;
        ms) awk -v v="$v" 'BEGIN { printf "%.3f", v / 1000 }' ;;
        mib) awk -v v="$v" 'BEGIN { printf "%.0f", v / 1024 }' ;;
        *) echo "$v" ;;
    esac
}

ratio() { # TRIBUTARY MOSQUITTO -> T/M
    local t=$1 m=$2
    if [[ -z "$t" || -z "$m" || "$t" == null || "$m" == null ]]; then echo "-"; return; fi
    awk -v t="$t" -v m="$m" 'BEGIN { if (m + 0 == 0) print "-"; else printf "%.2f", t / m }'
}

TABLE="$OUT_DIR/table.txt"
{
    echo "Tributary vs Mosquitto: $PUBLISHERS publishers, ${PAYLOAD}-byte payload, ${DURATION}s measured (+${WARMUP}s warm-up), MQTT $PROTOCOL, window $MAX_INFLIGHT, rate ${RATE} (0 = unlimited)"
    echo "host: $(nproc) cores, $(uname -r); $(date -u +%Y-%m-%dT%H:%M:%SZ); results in $OUT_DIR"
    for broker in mosquitto tributary; do
        case " $BROKERS " in *" $broker "*) echo "$broker: ${STATUS[$broker]:-not run}" ;; esac
    done
    for qos in $QOS; do
        m="$OUT_DIR/mosquitto-qos$qos.json"
        t="$OUT_DIR/tributary-qos$qos.json"
        echo
        printf '%-30s %14s %14s %12s\n' "QoS $qos" "mosquitto" "tributary" "T/M"
        row() { # LABEL KEY KIND
            local mv tv
            mv=$(json_get "$m" "$2"); tv=$(json_get "$t" "$2")
            printf '%-30s %14s %14s %12s\n' "$1" "$(fmt "$mv" "$3")" "$(fmt "$tv" "$3")" "$(ratio "$tv" "$mv")"
        }
        row "published msg/s" published_per_s rate
        if [[ "$qos" != 0 ]]; then
            row "acknowledged msg/s" acked_per_s rate
            row "ack latency p50 (ms)" latency_p50_us ms
            row "ack latency p99 (ms)" latency_p99_us ms
            row "ack latency p99.9 (ms)" latency_p999_us ms
            row "unacknowledged after drain" unacked raw
        else
            echo "  (QoS 0: no acknowledgements; published = written to the socket)"
        fi
        row "errors" errors raw
        row "disconnects" disconnects raw
        row "connect failures" connect_failures raw
        mr=${RSS[mosquitto:$qos]:-}; tr=${RSS[tributary:$qos]:-}
        printf '%-30s %14s %14s %12s\n' "broker RSS (MiB)" "$(fmt "$mr" mib)" "$(fmt "$tr" mib)" "$(ratio "$tr" "$mr")"
    done
    echo
    echo "Ratios > 1 mean Tributary is higher: good for msg/s, bad for latency and RSS."
    echo "Tributary's RSS is its whole process group, which includes the embedded Kafka broker (and the launcher)."
} | tee "$TABLE"

for broker in $BROKERS; do
    [[ "${STATUS[$broker]:-}" == ok ]] || exit 1
done
