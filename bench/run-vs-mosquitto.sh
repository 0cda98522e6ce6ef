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
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

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
        --max-inflight) MAX_INFLIGHT=$2; shift 2 ;;
        *) common_option "$@"; shift "$OPT_SHIFT" ;;
    esac
done

setup_cleanup tributary-vs-mosquitto
ensure_bench_built
init_out_dir

# ---------------------------------------------------------------- runs
declare -A RSS      # broker:qos -> KiB

run_scenarios() { # BROKER PORT PID
    local broker=$1 port=$2 pid=$3 qos
    for qos in $QOS; do
        log "$broker: QoS $qos, $PUBLISHERS publishers, $PAYLOAD B, ${DURATION}s (+${WARMUP}s warm-up), MQTT $PROTOCOL"
        # shellcheck disable=SC2086
        run_bench java $BENCH_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.PublishBench \
            --port "$port" --qos "$qos" --publishers "$PUBLISHERS" --payload "$PAYLOAD" \
            --duration "$DURATION" --warmup "$WARMUP" --protocol "$PROTOCOL" \
            --max-inflight "$MAX_INFLIGHT" --rate "$RATE" --client-prefix "bench-q$qos-" \
            --json "$OUT_DIR/$broker-qos$qos.json" $BENCH_ARGS
        if [[ $BENCH_RC -ne 0 ]]; then
            warn "$broker QoS $qos: PublishBench exited with $BENCH_RC (2 = connection failed, 3 = errors/disconnects)"
        fi
        after_run "$broker" "$pid" "$qos" "QoS $qos" "QoS $qos run" || return 1
    done
}

on_each_broker run_scenarios

# ---------------------------------------------------------------- table
TABLE="$OUT_DIR/table.txt"
{
    echo "Tributary vs Mosquitto: $PUBLISHERS publishers, ${PAYLOAD}-byte payload, ${DURATION}s measured (+${WARMUP}s warm-up), MQTT $PROTOCOL, window $MAX_INFLIGHT, rate ${RATE} (0 = unlimited)"
    table_hosts
    for qos in $QOS; do
        m="$OUT_DIR/mosquitto-qos$qos.json"
        t="$OUT_DIR/tributary-qos$qos.json"
        echo
        printf '%-30s %14s %14s %12s\n' "QoS $qos" "mosquitto" "tributary" "T/M"
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
        rss_row "$qos"
    done
    echo
    echo "Ratios > 1 mean Tributary is higher: good for msg/s, bad for latency and RSS."
    echo "Tributary's RSS is its whole process group, which includes the embedded Kafka broker (and the launcher)."
} | tee "$TABLE"

exit_unless_all_ok
