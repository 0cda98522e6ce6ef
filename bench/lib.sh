# Helpers shared by the bench scripts (run-vs-mosquitto.sh, run-e2e-vs-mosquitto.sh); source it,
# do not run it. Expects REPO_ROOT; uses (with defaults) MOSQUITTO, TRIBUTARY,
# BENCH_TRIBUTARY_ARGS, BENCH_TRIBUTARY_START_TIMEOUT, MOSQUITTO_START_TIMEOUT, STOP_TIMEOUT,
# SKIP_BUILD, KEEP_TMP, OUT_DIR, and the script's BROKERS and RSS (an associative array). Sets
# BROKER_PID/BROKER_PORT while a broker runs, and STATUS[broker] (ok | failed: reason) for the table.
# run-retained-vs-mosquitto.sh sources it too; run-routing-compare.sh uses the cluster helpers
# (start_tributary_cluster, stop_tributary_cluster, scrape_metric, group_cpu_ticks).
# shellcheck shell=bash

MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
TRIBUTARY=${BENCH_TRIBUTARY:-$REPO_ROOT/tributary}
BENCH_TRIBUTARY_ARGS=${BENCH_TRIBUTARY_ARGS:-}       # extra launcher options, e.g. "--set kafka.producer.linger.ms=2"
# the analytics and presence apps are extras Mosquitto has no counterpart of: off unless asked for, e.g.
# BENCH_TRIBUTARY_APPS="" to measure the default with them
BENCH_TRIBUTARY_APPS=${BENCH_TRIBUTARY_APPS---set streams.analytics.enabled=false --set streams.presence.enabled=false}
BENCH_TRIBUTARY_START_TIMEOUT=${BENCH_TRIBUTARY_START_TIMEOUT:-300}   # the launcher may build the broker first
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-"-Xms256m -Xmx512m -XX:+UseParallelGC"}
MOSQUITTO_START_TIMEOUT=${MOSQUITTO_START_TIMEOUT:-15}
MOSQUITTO_EXTRA_CONF=${MOSQUITTO_EXTRA_CONF:-}       # extra mosquitto.conf lines (newline-separated)
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
OUT_DIR=${OUT_DIR:-}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}

declare -A STATUS   # broker -> ok | failed: reason

log() { printf '\n== %s\n' "$*"; }
warn() { printf '!! %s\n' "$*" >&2; }

# ---------------------------------------------------------------- options
# common_option ARGS...: the options both scripts take (--qos, --payload, --duration, --warmup,
# --protocol, --rate, --brokers, --bench-args, --out, --skip-build, --keep-tmp, --help; the script
# defines usage); sets OPT_SHIFT to the number of arguments it used; exits 2 on an unknown option
common_option() {
    OPT_SHIFT=2
    case "$1" in
        --qos) QOS=$2 ;;
        --payload) PAYLOAD=$2 ;;
        --duration) DURATION=$2 ;;
        --warmup) WARMUP=$2 ;;
        --protocol) PROTOCOL=$2 ;;
        --rate) RATE=$2 ;;
        --brokers) BROKERS=$2 ;;
        --bench-args) BENCH_ARGS=$2 ;;
        --out) OUT_DIR=$2 ;;
        --skip-build) SKIP_BUILD=1; OPT_SHIFT=1 ;;
        --keep-tmp) KEEP_TMP=1; OPT_SHIFT=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
}

# ---------------------------------------------------------------- cleanup
# setup_cleanup PREFIX: temporary root in TMP_ROOT; on exit the bench and the broker are stopped
setup_cleanup() {
    TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    BROKER_PID=""
    BENCH_PID=""
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

cleanup() {
    local rc=$?
    if [[ -n "$BENCH_PID" ]]; then
        kill -TERM "$BENCH_PID" 2>/dev/null || true
        wait "$BENCH_PID" 2>/dev/null || true
    fi
    if [[ -n "$BROKER_PID" ]]; then
        stop_broker "$BROKER_PID" || true
    fi
    if (( ${#NODE_PIDS[@]} > 0 )); then
        stop_tributary_cluster || true
    fi
    if [[ "$KEEP_TMP" == 1 ]]; then
        echo "temporary files kept in $TMP_ROOT"
    else
        rm -rf "$TMP_ROOT"
    fi
    exit $rc
}

# ---------------------------------------------------------------- processes and ports
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

# ---------------------------------------------------------------- build and output
# ensure_bench_built: builds the bench module when its sources changed; sets BENCH_CP
ensure_bench_built() {
    local jar="$REPO_ROOT/bench/target/tributary-bench.jar" lib="$REPO_ROOT/bench/target/lib"
    if [[ "$SKIP_BUILD" != 1 ]] && { [[ ! -f "$jar" ]] || [[ ! -d "$lib" ]] \
            || [[ -n "$(find "$REPO_ROOT/bench/src/main" "$REPO_ROOT/bench/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; }; then
        log "building the bench module"
        (cd "$REPO_ROOT" && mvn -B -q -DskipTests package -pl bench -am)
    fi
    [[ -f "$jar" && -d "$lib" ]] || { warn "bench not built: $jar or $lib missing"; exit 1; }
    BENCH_CP="$jar:$lib/*"
}

# init_out_dir: OUT_DIR defaults to bench/target/results/<timestamp>[-SUFFIX]
init_out_dir() {
    if [[ -z "$OUT_DIR" ]]; then
        OUT_DIR="$REPO_ROOT/bench/target/results/$(date +%Y%m%d-%H%M%S)${1:+-$1}"
    fi
    mkdir -p "$OUT_DIR"
}

json_get() { # FILE KEY -> raw JSON value (strings keep their quotes); our JSON is one flat object
    [[ -f "$1" ]] || return 0
    sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" "$1" | head -n1 || true
}

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

# table_hosts: the table's lines on the host and on how each broker fared
table_hosts() {
    local broker
    echo "host: $(nproc) cores, $(uname -r); $(date -u +%Y-%m-%dT%H:%M:%SZ); results in $OUT_DIR"
    for broker in mosquitto tributary; do
        case " $BROKERS " in *" $broker "*) echo "$broker: ${STATUS[$broker]:-not run}" ;; esac
    done
}

row() { # LABEL KEY KIND: one table line from the JSON results $m (mosquitto) and $t (tributary)
    local mv tv
    mv=$(json_get "$m" "$2"); tv=$(json_get "$t" "$2")
    printf '%-30s %14s %14s %12s\n' "$1" "$(fmt "$mv" "$3")" "$(fmt "$tv" "$3")" "$(ratio "$tv" "$mv")"
}

rss_row() { # KEY: the brokers' RSS after the run KEY
    local mr=${RSS[mosquitto:$1]:-} tr=${RSS[tributary:$1]:-}
    printf '%-30s %14s %14s %12s\n' "broker RSS (MiB)" "$(fmt "$mr" mib)" "$(fmt "$tr" mib)" "$(ratio "$tr" "$mr")"
}

# exit_unless_all_ok: exit status 1 unless every broker ran
exit_unless_all_ok() {
    local broker
    for broker in $BROKERS; do
        [[ "${STATUS[$broker]:-}" == ok ]] || exit 1
    done
}

# ---------------------------------------------------------------- brokers
# start_mosquitto: on a free loopback port, in-memory; sets BROKER_PID, BROKER_PORT, STATUS[mosquitto]
start_mosquitto() {
    local dir="$TMP_ROOT/mosquitto" port pid logfile="$OUT_DIR/mosquitto.log"
    mkdir -p "$dir"
    if [[ ! -x "$MOSQUITTO" ]]; then
        STATUS[mosquitto]="failed: $MOSQUITTO not found"
        warn "${STATUS[mosquitto]}"
        return 1
    fi
    port=$(free_port)
    cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest stdout
log_type error
log_type warning
log_type notice
$MOSQUITTO_EXTRA_CONF
CONF
    log "starting mosquitto ($("$MOSQUITTO" -h 2>/dev/null | head -n1 | sed 's/^mosquitto version //')) on 127.0.0.1:$port"
    setsid "$MOSQUITTO" -c "$dir/mosquitto.conf" > "$logfile" 2>&1 &
    pid=$!
    BROKER_PID=$pid
    if ! wait_ready "$pid" "$port" "$MOSQUITTO_START_TIMEOUT" "$logfile"; then
        STATUS[mosquitto]="failed: did not accept connections on port $port within ${MOSQUITTO_START_TIMEOUT}s"
        not_started "$pid" "$logfile" 20 "${STATUS[mosquitto]}; last lines of $logfile:"
        return 1
    fi
    started mosquitto "$port"
}

# launch_tributary LOGFILE ARGS...: the ./tributary launcher with ARGS, then BENCH_TRIBUTARY_APPS and
# BENCH_TRIBUTARY_ARGS, in the background in its own process group (setsid: SIGTERM to the group
# reaches the JVM even if the launcher does not exec it); sets LAUNCHED_PID
launch_tributary() {
    local logfile=$1
    shift
    # shellcheck disable=SC2086
    # every node its own port for the embedded Schema Registry (8081 by default): several run on this machine
    (cd "$REPO_ROOT" && exec setsid "$TRIBUTARY" "$@" --set "schema-registry.embedded.port=$(free_port)" \
        $BENCH_TRIBUTARY_APPS $BENCH_TRIBUTARY_ARGS) > "$logfile" 2>&1 &
    LAUNCHED_PID=$!
}

# start_tributary: the ./tributary launcher with embedded Kafka on free ports; sets BROKER_PID,
# BROKER_PORT, STATUS[tributary]
start_tributary() {
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
    launch_tributary "$logfile" --data-dir "$dir/data" --mqtt-port "$port" \
        --embedded-kafka-port "$kafka_port" --set "kafka.embedded.controller-port=$controller_port"
    pid=$LAUNCHED_PID
    BROKER_PID=$pid
    if ! wait_ready "$pid" "$port" "$BENCH_TRIBUTARY_START_TIMEOUT" "$logfile" "MQTT listening"; then
        if kill -0 "$pid" 2>/dev/null; then
            STATUS[tributary]="failed: port $port not accepting after ${BENCH_TRIBUTARY_START_TIMEOUT}s"
        else
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            STATUS[tributary]="failed: launcher exited with status $rc before port $port accepted"
        fi
        not_started "$pid" "$logfile" 40 "Tributary did not start (${STATUS[tributary]#failed: }); last 40 lines of $logfile:"
        return 1
    fi
    started tributary "$port"
}

# ---------------------------------------------------------------- a Tributary cluster on this machine
NODE_PIDS=()          # index 0 = node 1 (the one with the embedded Kafka)
NODE_PORTS=()         # MQTT ports
NODE_METRICS_PORTS=() # Prometheus ports
NODE_IDS=()
NODE_LOGS=()
CLUSTER_KAFKA_PORT=""
CLUSTER_FAILURE=""

# start_tributary_cluster N NAME [ARGS...]: node 1 with the embedded Kafka, then nodes 2..N (started
# together) on node 1's Kafka, each its own launcher process group with its own data directory
# under TMP_ROOT/NAME, free MQTT and metrics ports, node id bench-<k> and log OUT_DIR/NAME-node<k>.log;
# ARGS go to every node. Returns once every node's MQTT port accepts, with NODE_* and
# CLUSTER_KAFKA_PORT set; on failure sets CLUSTER_FAILURE, shows the log's tail, stops what started
# and returns 1.
start_tributary_cluster() {
    local n=$1 name=$2 k dir port metrics
    shift 2
    local extra=("$@")
    NODE_PIDS=(); NODE_PORTS=(); NODE_METRICS_PORTS=(); NODE_IDS=(); NODE_LOGS=(); CLUSTER_FAILURE=""
    if [[ ! -x "$TRIBUTARY" ]]; then
        CLUSTER_FAILURE="launcher $TRIBUTARY not found or not executable"
        warn "$CLUSTER_FAILURE"
        return 1
    fi
    CLUSTER_KAFKA_PORT=$(free_port)
    local controller_port
    controller_port=$(free_port)
    for ((k = 1; k <= n; k++)); do
        dir="$TMP_ROOT/$name/node$k"
        rm -rf "$dir"
        mkdir -p "$dir"
        port=$(free_port)
        metrics=$(free_port)
        NODE_PORTS+=("$port")
        NODE_METRICS_PORTS+=("$metrics")
        NODE_IDS+=("bench-$k")
        NODE_LOGS+=("$OUT_DIR/$name-node$k.log")
        if (( k == 1 )); then
            log "$name: starting node bench-1 on 127.0.0.1:$port (metrics $metrics, embedded Kafka $CLUSTER_KAFKA_PORT, controller $controller_port)"
            launch_tributary "${NODE_LOGS[0]}" --node-id bench-1 --data-dir "$dir" --mqtt-port "$port" \
                --embedded-kafka-port "$CLUSTER_KAFKA_PORT" --set "kafka.embedded.controller-port=$controller_port" \
                --set "metrics.port=$metrics" "${extra[@]}"
            NODE_PIDS+=("$LAUNCHED_PID")
            # the others need its Kafka
            wait_node 1 || return 1
        else
            log "$name: starting node bench-$k on 127.0.0.1:$port (metrics $metrics, Kafka 127.0.0.1:$CLUSTER_KAFKA_PORT)"
            launch_tributary "${NODE_LOGS[k - 1]}" --node-id "bench-$k" --data-dir "$dir" --mqtt-port "$port" \
                --kafka-bootstrap "127.0.0.1:$CLUSTER_KAFKA_PORT" --set "metrics.port=$metrics" "${extra[@]}"
            NODE_PIDS+=("$LAUNCHED_PID")
        fi
    done
    for ((k = 2; k <= n; k++)); do
        wait_node "$k" || return 1
    done
}

# wait_node K: node K's MQTT port accepts (within BENCH_TRIBUTARY_START_TIMEOUT); else stops the cluster
wait_node() {
    local i=$(($1 - 1))
    if wait_ready "${NODE_PIDS[i]}" "${NODE_PORTS[i]}" "$BENCH_TRIBUTARY_START_TIMEOUT" "${NODE_LOGS[i]}" "ready: MQTT on"; then
        return 0
    fi
    if kill -0 "${NODE_PIDS[i]}" 2>/dev/null; then
        CLUSTER_FAILURE="node ${NODE_IDS[i]}: port ${NODE_PORTS[i]} not accepting after ${BENCH_TRIBUTARY_START_TIMEOUT}s"
    else
        CLUSTER_FAILURE="node ${NODE_IDS[i]}: launcher exited before port ${NODE_PORTS[i]} accepted"
    fi
    warn "$CLUSTER_FAILURE; last 40 lines of ${NODE_LOGS[i]}:"
    tail -n 40 "${NODE_LOGS[i]}" >&2 || true
    stop_tributary_cluster
    return 1
}

# stop_tributary_cluster: SIGTERM to nodes N..2 together, waits for them (SIGKILL after STOP_TIMEOUT),
# then the same for node 1, whose Kafka the others need while they stop
stop_tributary_cluster() {
    local pids=("${NODE_PIDS[@]}")
    NODE_PIDS=()
    (( ${#pids[@]} > 0 )) || return 0
    stop_groups "${pids[@]:1}"
    stop_groups "${pids[0]}"
}

# stop_groups PID...: SIGTERM to each process group, then waits for all of them; SIGKILL to those
# still running STOP_TIMEOUT seconds later
stop_groups() {
    local pid deadline alive
    (( $# > 0 )) || return 0
    for pid in "$@"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + STOP_TIMEOUT))
    while (( SECONDS < deadline )); do
        alive=0
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        (( alive )) || break
        sleep 0.2
    done
    for pid in "$@"; do
        if kill -0 "$pid" 2>/dev/null; then
            warn "process $pid still running ${STOP_TIMEOUT}s after SIGTERM: kill -9"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
        if pgrep -g "$pid" >/dev/null 2>&1; then
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
}

# scrape_metric PORT NAME: the value of the Prometheus sample NAME{...} (any labels) at
# http://127.0.0.1:PORT/metrics as an integer, empty if the endpoint or the sample is missing
scrape_metric() {
    curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" 2>/dev/null \
        | awk -v name="$2" '$1 == name || index($1, name "{") == 1 { printf "%.0f\n", $2; exit }' || true
}

# group_cpu_ticks PGID: user + system CPU clock ticks (getconf CLK_TCK per second) of every process
# in the process group, children it waited for included
group_cpu_ticks() {
    local pid total=0 t
    for pid in $(pgrep -g "$1" 2>/dev/null || echo "$1"); do
        # fields after the ") " that ends the command name: utime is the 12th, stime 13th, cutime 14th, cstime 15th
        t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }' || true)
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

# started NAME PORT: the broker accepts connections
started() {
    BROKER_PORT=$2
    STATUS[$1]=ok
}

# not_started PID LOGFILE LINES MESSAGE: warns MESSAGE, shows the last LINES lines of the log, stops the broker
not_started() {
    warn "$4"
    tail -n "$3" "$2" >&2 || true
    stop_broker "$1"
}

# start_broker NAME: mosquitto or tributary
start_broker() {
    case "$1" in
        mosquitto) start_mosquitto ;;
        tributary) start_tributary ;;
        *) warn "unknown broker '$1' (mosquitto, tributary)"; STATUS[$1]="failed: unknown"; return 1 ;;
    esac
}

# on_each_broker FUNCTION: starts each of BROKERS in turn, calls FUNCTION BROKER PORT PID, stops it
on_each_broker() {
    local broker pid
    for broker in $BROKERS; do
        if start_broker "$broker"; then
            pid=$BROKER_PID
            "$1" "$broker" "$BROKER_PORT" "$pid" || true
            stop_broker "$pid"
        fi
    done
}

# run_bench COMMAND...: runs the bench in the background and waits for it, so that a signal to the
# script is handled at once (trap); sets BENCH_RC to its exit status
run_bench() {
    BENCH_RC=0
    "$@" &
    BENCH_PID=$!
    wait "$BENCH_PID" || BENCH_RC=$?
    BENCH_PID=""
}

# after_run BROKER PID KEY NAME [AFTER]: after the run NAME, records the broker's RSS in
# RSS[BROKER:KEY] and prints it ("RSS after AFTER", default NAME); if the broker died, marks it
# failed and returns 1
after_run() {
    local broker=$1 pid=$2 key=$3 name=$4 after=${5:-$4}
    if kill -0 "$pid" 2>/dev/null; then
        RSS[$broker:$key]=$(group_rss_kib "$pid")
        echo "$broker RSS after $after: $((RSS[$broker:$key] / 1024)) MiB  [$(group_summary "$pid")]"
    else
        warn "$broker died during the $name run"
        STATUS[$broker]="failed: died during $name run"
        return 1
    fi
}

# exit_state RC: a bench's exit status as the table's "run" row shows it (empty: not run)
exit_state() {
    case "$1" in
        "") echo "-" ;;
        0) echo "ok" ;;
        2) echo "FAILED" ;;
        3) echo "unclean" ;;
        124) echo "timeout" ;;
        *) echo "exit $1" ;;
    esac
}

# failure_note WHAT JSON RC: the line for under the table when the run WHAT failed (a connection or
# SUBSCRIBE, from its JSON result, or an exit without a result); nothing when it did not
failure_note() {
    local what=$1 json=$2 rc=${3:-0} failure
    failure=$(json_get "$json" connect_failure)
    if [[ -n "$failure" && "$failure" != null ]]; then
        echo "$what FAILED: ${failure//\"/}"
    elif [[ "$rc" != 0 && ! -f "$json" ]]; then
        echo "$what FAILED: exited with $rc without a result"
    fi
}
