#!/usr/bin/env bash
# Runs RetainedBench (store N retained messages, then time a fresh SUBSCRIBE to # and to one
# bucket <k>/+) against Mosquitto and against Tributary (embedded Kafka, retained-state app on) and
# prints both side by side with the ratio Tributary/Mosquitto. Each round starts each broker
# afresh (Mosquitto in memory, Tributary on a new data directory), so retained state starts empty.
#
#   bench/run-retained-vs-mosquitto.sh                      # 100,000 topics, 10 publishers, QoS 1, 64 B, 1 round
#   bench/run-retained-vs-mosquitto.sh --rounds 3 --topics 20000 --protocol 5
#   bench/run-retained-vs-mosquitto.sh --brokers mosquitto  # only one broker
#   bench/run-retained-vs-mosquitto.sh --help
#
# Every option also reads from the environment (TOPICS, CLIENTS, QOS, PAYLOAD, ...).
# Results (JSON per run, broker logs, the table) are kept in bench/target/results/<timestamp>-retained/.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

TOPICS=${TOPICS:-100000}
CLIENTS=${CLIENTS:-10}                   # publisher connections of the store phase
QOS=${QOS:-1}                            # of the retained PUBLISHes
SUB_QOS=${SUB_QOS:-1}                    # of the SUBSCRIBEs
PAYLOAD=${PAYLOAD:-64}
SETTLE=${SETTLE:-2}
NARROW=${NARROW:-7}                      # bucket of the narrow filter, -1 = none
PROTOCOL=${PROTOCOL:-3.1.1}
ROUNDS=${ROUNDS:-1}
STORE_TIMEOUT=${STORE_TIMEOUT:-300}
RECEIVE_TIMEOUT=${RECEIVE_TIMEOUT:-300}
BROKERS=${BROKERS:-"mosquitto tributary"}
BENCH_ARGS=${BENCH_ARGS:-}               # extra RetainedBench options, e.g. "--max-inflight 20"
# The retained-state app is on by default; said here so that the run does not depend on it.
BENCH_TRIBUTARY_ARGS=${BENCH_TRIBUTARY_ARGS:-"--set streams.retained.enabled=true"}
# Mosquitto drops QoS 1/2 messages for a client once 1000 are queued (max_queued_messages), and a
# # over 100,000 retained topics queues them all at once: unlimited, so that "missing" compares
# delivery, not a queue limit. It also keeps only 20 QoS 1/2 messages in flight to a client
# (max_inflight_messages; 0 lifts the limit; Tributary keeps up to mqtt.receive-maximum, 1024 by
# default, in flight to an MQTT 3.1.1 client), and leaves Nagle on (set_tcp_nodelay false: a 40 ms
# stall after SUBACK on the development machine) where Tributary (Netty) turns it off: set so that
# the figures compare retained storage and delivery, not Mosquitto's defaults.
MOSQUITTO_EXTRA_CONF=${MOSQUITTO_EXTRA_CONF-$'max_queued_messages 0\nmax_inflight_messages 0\nset_tcp_nodelay true'}
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<USAGE

Options (environment variable in brackets, current value after =):
  --topics N           retained messages, one per topic bench/retained/<i/1000>/<i> [TOPICS=$TOPICS]
  --clients C          publisher connections of the store phase [CLIENTS=$CLIENTS]
  --qos L              QoS of the retained PUBLISHes [QOS=$QOS]
  --sub-qos L          QoS of the SUBSCRIBEs [SUB_QOS=$SUB_QOS]
  --payload BYTES      payload size, >= 16 [PAYLOAD=$PAYLOAD]
  --settle S           seconds between the last acknowledgement and the SUBSCRIBE [SETTLE=$SETTLE]
  --narrow K           also time bench/retained/<K>/+, -1 = not [NARROW=$NARROW]
  --protocol V         3.1.1 or 5 [PROTOCOL=$PROTOCOL]
  --rounds R           rounds, each broker started afresh in each, alternating [ROUNDS=$ROUNDS]
  --brokers "B ..."    which brokers, in order [BROKERS="$BROKERS"]
  --bench-args "..."   extra RetainedBench options [BENCH_ARGS]
  --out DIR            where results go [OUT_DIR, default bench/target/results/<timestamp>-retained]
  --skip-build         do not build the bench module [SKIP_BUILD=1]
  --keep-tmp           keep the temporary data directories [KEEP_TMP=1]
  Also: STORE_TIMEOUT ($STORE_TIMEOUT s), RECEIVE_TIMEOUT ($RECEIVE_TIMEOUT s), MOSQUITTO_EXTRA_CONF (default
  "max_queued_messages 0", "max_inflight_messages 0", "set_tcp_nodelay true"), BENCH_TRIBUTARY,
  BENCH_TRIBUTARY_ARGS (default "$BENCH_TRIBUTARY_ARGS"), BENCH_TRIBUTARY_START_TIMEOUT, MOSQUITTO, BENCH_JAVA_OPTS.
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --topics) TOPICS=$2; shift 2 ;;
        --clients|-c) CLIENTS=$2; shift 2 ;;
        --sub-qos) SUB_QOS=$2; shift 2 ;;
        --settle) SETTLE=$2; shift 2 ;;
        --narrow) NARROW=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --duration|--warmup|--rate) echo "$1 is not an option of this script (see --help)" >&2; exit 2 ;;
        *) common_option "$@"; shift "$OPT_SHIFT" ;;
    esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a whole number >= 1: $ROUNDS" >&2; exit 2; }

setup_cleanup tributary-retained-vs-mosquitto
ensure_bench_built
init_out_dir retained

# ---------------------------------------------------------------- runs
declare -A RSS      # broker:rN -> KiB
declare -A EXIT     # broker:rN -> RetainedBench exit status

# the bench ends by itself (its own time limits); this is only a backstop
BENCH_TIMEOUT=$(awk -v s="$STORE_TIMEOUT" -v r="$RECEIVE_TIMEOUT" -v w="$SETTLE" 'BEGIN { printf "%d", s + 2 * r + w + 120 }')

run_round() { # BROKER PORT PID
    local broker=$1 port=$2 pid=$3 key="r$ROUND" rc json="$OUT_DIR/$1-r$ROUND.json"
    log "$broker, round $ROUND of $ROUNDS: $TOPICS retained topics from $CLIENTS publishers, QoS $QOS, subscribe QoS $SUB_QOS, $PAYLOAD B, MQTT $PROTOCOL"
    # shellcheck disable=SC2086
    run_bench timeout --signal=TERM --kill-after=10 "$BENCH_TIMEOUT" \
        java $BENCH_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.RetainedBench \
        --port "$port" --topics "$TOPICS" --clients "$CLIENTS" --qos "$QOS" --sub-qos "$SUB_QOS" --payload "$PAYLOAD" \
        --settle "$SETTLE" --narrow "$NARROW" --protocol "$PROTOCOL" --store-timeout "$STORE_TIMEOUT" \
        --receive-timeout "$RECEIVE_TIMEOUT" --json "$json" $BENCH_ARGS
    rc=$BENCH_RC
    EXIT[$broker:$key]=$rc
    case $rc in
        0) ;;
        2) warn "$broker round $ROUND: RetainedBench exited with 2: a connection or SUBSCRIBE failed ($(json_get "$json" connect_failure))" ;;
        3) warn "$broker round $ROUND: RetainedBench exited with 3: messages missing, not retained or not ours, errors or disconnects" ;;
        124) warn "$broker round $ROUND: RetainedBench did not end within ${BENCH_TIMEOUT}s; stopped" ;;
        *) warn "$broker round $ROUND: RetainedBench exited with $rc" ;;
    esac
    after_run "$broker" "$pid" "$key" "round $ROUND" "the run"
}

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    rm -rf "$TMP_ROOT/tributary" # a new data directory (Kafka log and Streams state) for each start
    on_each_broker run_round
done

# ---------------------------------------------------------------- table
TABLE="$OUT_DIR/table.txt"
{
    echo "Tributary vs Mosquitto, retained messages: $TOPICS topics from $CLIENTS publishers at QoS $QOS, ${PAYLOAD}-byte payload, settle ${SETTLE}s, subscribe QoS $SUB_QOS to # and bucket $NARROW, MQTT $PROTOCOL, $ROUNDS round(s)"
    table_hosts
    [[ -n "$MOSQUITTO_EXTRA_CONF" ]] && echo "mosquitto.conf extra: $(echo "$MOSQUITTO_EXTRA_CONF" | paste -sd ';' -)"
    echo "tributary options: $BENCH_TRIBUTARY_ARGS"
    notes=()
    for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
        key="r$ROUND"
        m="$OUT_DIR/mosquitto-$key.json"
        t="$OUT_DIR/tributary-$key.json"
        echo
        printf '%-30s %14s %14s %12s\n' "round $ROUND" "mosquitto" "tributary" "T/M"
        printf '%-30s %14s %14s %12s\n' "run" "$(exit_state "${EXIT[mosquitto:$key]:-}")" "$(exit_state "${EXIT[tributary:$key]:-}")" ""
        row "store msg/s" store_per_s rate
        row "store time (s)" store_s raw
        row "#: all received after (ms)" all_last_ms raw
        row "#: msg/s" all_per_s rate
        row "#: SUBACK after (ms)" all_suback_ms raw
        row "#: first message after (ms)" all_first_ms raw
        row "#: received" all_received raw
        row "#: missing" all_missing raw
        row "#: duplicates" all_duplicates raw
        row "#: without RETAIN" all_not_retained raw
        if [[ "$NARROW" != -1 ]]; then
            row "$NARROW/+: all received after (ms)" narrow_last_ms raw
            row "$NARROW/+: first message after (ms)" narrow_first_ms raw
            row "$NARROW/+: missing" narrow_missing raw
        fi
        row "errors" errors raw
        row "disconnects" disconnects raw
        rss_row "$key"
        for broker in mosquitto tributary; do
            note=$(failure_note "$broker round $ROUND" "$OUT_DIR/$broker-$key.json" "${EXIT[$broker:$key]:-0}")
            [[ -z "$note" ]] || notes+=("$note")
        done
    done
    echo
    for note in "${notes[@]}"; do echo "$note"; done
    echo "Ratios > 1 mean Tributary is higher: good for msg/s, bad for times and RSS."
    echo "Times are from the SUBSCRIBE going out; \"all received\" is the last first arrival of the set."
    echo "Tributary's RSS is its whole process group, which includes the embedded Kafka broker (and the launcher)."
} | tee "$TABLE"

exit_unless_all_ok
