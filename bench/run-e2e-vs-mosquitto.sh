#!/usr/bin/env bash
# Runs the end-to-end scenarios of E2eBench (fan-in, p2p, fan-out: publishers and subscribers in
# one JVM) against Mosquitto and against Tributary (embedded Kafka) in one go and prints both side
# by side with the ratio Tributary/Mosquitto. Works from any cwd.
#
#   bench/run-e2e-vs-mosquitto.sh                        # 3 scenarios, N=10, QoS 1, 64 B, 10 s (+3 s warm-up)
#   bench/run-e2e-vs-mosquitto.sh --scenarios p2p --qos 2 --clients 50
#   bench/run-e2e-vs-mosquitto.sh --brokers mosquitto    # only one broker
#   bench/run-e2e-vs-mosquitto.sh --help
#
# Every option also reads from the environment (SCENARIOS, CLIENTS, QOS, PAYLOAD, ...).
# Results (JSON per run, broker logs, the table) are kept in bench/target/results/<timestamp>-e2e/.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

SCENARIOS=${SCENARIOS:-"fan-in p2p fan-out"}
CLIENTS=${CLIENTS:-10}                   # N of each scenario
QOS=${QOS:-1}
PAYLOAD=${PAYLOAD:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
DRAIN=${DRAIN:-10}
PROTOCOL=${PROTOCOL:-3.1.1}
TOTAL_RATE=${TOTAL_RATE:-10000}          # msg/s across the publishers of a scenario, 0 = unlimited
RATE=${RATE:-}                           # msg/s per publisher; overrides TOTAL_RATE when set
BROKERS=${BROKERS:-"mosquitto tributary"}
BENCH_ARGS=${BENCH_ARGS:-}               # extra E2eBench options, e.g. "--threads 2"
# Mosquitto drops QoS 1/2 messages for a subscriber once 1000 are queued (its default); Tributary
# keeps them in Kafka. Unlimited, so that "lost" compares delivery, not a queue limit.
MOSQUITTO_EXTRA_CONF=${MOSQUITTO_EXTRA_CONF-"max_queued_messages 0"}
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<USAGE

Options (environment variable in brackets, current value after =):
  --scenarios "S ..."  fan-in, p2p, fan-out, in order [SCENARIOS="$SCENARIOS"]
  --clients N          N of each scenario [CLIENTS=$CLIENTS]
  --qos L              QoS 0, 1 or 2 for publish and subscribe [QOS=$QOS]
  --payload BYTES      payload size, >= 16 [PAYLOAD=$PAYLOAD]
  --duration S         measured seconds per scenario [DURATION=$DURATION]
  --warmup S           warm-up seconds, not counted [WARMUP=$WARMUP]
  --drain S            max seconds to wait for deliveries after publishing [DRAIN=$DRAIN]
  --protocol V         3.1.1 or 5 [PROTOCOL=$PROTOCOL]
  --total-rate R       msg/s across a scenario's publishers, 0 = unlimited [TOTAL_RATE=$TOTAL_RATE]
  --rate R             msg/s per publisher, overrides --total-rate [RATE=$RATE]
  --brokers "B ..."    which brokers, in order [BROKERS="$BROKERS"]
  --bench-args "..."   extra E2eBench options [BENCH_ARGS]
  --out DIR            where results go [OUT_DIR, default bench/target/results/<timestamp>-e2e]
  --skip-build         do not build the bench module [SKIP_BUILD=1]
  --keep-tmp           keep the temporary data directories [KEEP_TMP=1]
  Also: MOSQUITTO_EXTRA_CONF (default "max_queued_messages 0"), BENCH_TRIBUTARY, BENCH_TRIBUTARY_ARGS,
  BENCH_TRIBUTARY_START_TIMEOUT, MOSQUITTO, BENCH_JAVA_OPTS.
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --clients|-n) CLIENTS=$2; shift 2 ;;
        --drain) DRAIN=$2; shift 2 ;;
        --total-rate) TOTAL_RATE=$2; shift 2 ;;
        *) common_option "$@"; shift "$OPT_SHIFT" ;;
    esac
done
for s in $SCENARIOS; do
    case "$s" in fan-in|p2p|fan-out) ;; *) echo "unknown scenario: $s (fan-in, p2p, fan-out)" >&2; exit 2 ;; esac
done

setup_cleanup tributary-e2e-vs-mosquitto
ensure_bench_built
init_out_dir e2e

# ---------------------------------------------------------------- runs
declare -A RSS      # broker:scenario -> KiB
declare -A EXIT     # broker:scenario -> E2eBench exit status

# the bench ends by itself (connect timeouts, bounded drain); this is only a backstop
BENCH_TIMEOUT=$(awk -v w="$WARMUP" -v d="$DURATION" -v r="$DRAIN" 'BEGIN { printf "%d", w + d + r + 120 }')
if [[ -n "$RATE" ]]; then RATE_ARGS=(--rate "$RATE"); else RATE_ARGS=(--total-rate "$TOTAL_RATE"); fi

run_scenarios() { # BROKER PORT PID
    local broker=$1 port=$2 pid=$3 scenario rc
    for scenario in $SCENARIOS; do
        log "$broker: $scenario, N=$CLIENTS, QoS $QOS, $PAYLOAD B, ${DURATION}s (+${WARMUP}s warm-up), MQTT $PROTOCOL"
        # shellcheck disable=SC2086
        run_bench timeout --signal=TERM --kill-after=10 "$BENCH_TIMEOUT" \
            java $BENCH_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.E2eBench \
            --port "$port" --scenario "$scenario" --clients "$CLIENTS" --qos "$QOS" --payload "$PAYLOAD" \
            --duration "$DURATION" --warmup "$WARMUP" --drain "$DRAIN" --protocol "$PROTOCOL" "${RATE_ARGS[@]}" \
            --client-prefix "e2e-$scenario-" --topic-prefix "bench" \
            --json "$OUT_DIR/$broker-$scenario.json" $BENCH_ARGS
        rc=$BENCH_RC
        EXIT[$broker:$scenario]=$rc
        case $rc in
            0) ;;
            2) warn "$broker $scenario: E2eBench exited with 2: a connection or SUBSCRIBE failed ($(json_get "$OUT_DIR/$broker-$scenario.json" connect_failure))" ;;
            3) warn "$broker $scenario: E2eBench exited with 3: errors, disconnects, or lost/duplicate messages the QoS forbids" ;;
            124) warn "$broker $scenario: E2eBench did not end within ${BENCH_TIMEOUT}s; stopped" ;;
            *) warn "$broker $scenario: E2eBench exited with $rc" ;;
        esac
        after_run "$broker" "$pid" "$scenario" "$scenario" || return 1
    done
}

on_each_broker run_scenarios

# ---------------------------------------------------------------- table
run_state() { # BROKER SCENARIO -> ok | FAILED | unclean | -
    local rc=${EXIT[$1:$2]:-}
    case "$rc" in
        "") echo "-" ;;
        0) echo "ok" ;;
        2) echo "FAILED" ;;
        3) echo "unclean" ;;
        124) echo "timeout" ;;
        *) echo "exit $rc" ;;
    esac
}

TABLE="$OUT_DIR/table.txt"
{
    rate_text=${RATE:+"$RATE msg/s per publisher"}
    echo "Tributary vs Mosquitto, end to end: N=$CLIENTS, QoS $QOS, ${PAYLOAD}-byte payload, ${DURATION}s measured (+${WARMUP}s warm-up, drain <= ${DRAIN}s), MQTT $PROTOCOL, rate ${rate_text:-$TOTAL_RATE msg/s in total} (0 = unlimited)"
    table_hosts
    [[ -n "$MOSQUITTO_EXTRA_CONF" ]] && echo "mosquitto.conf extra: $(echo "$MOSQUITTO_EXTRA_CONF" | paste -sd ';' -)"
    notes=()
    for scenario in $SCENARIOS; do
        m="$OUT_DIR/mosquitto-$scenario.json"
        t="$OUT_DIR/tributary-$scenario.json"
        case "$scenario" in
            fan-in) shape="$CLIENTS -> 1" ;;
            p2p) shape="$CLIENTS x (1 -> 1)" ;;
            fan-out) shape="1 -> $CLIENTS" ;;
        esac
        echo
        printf '%-30s %14s %14s %12s\n' "$scenario ($shape)" "mosquitto" "tributary" "T/M"
        printf '%-30s %14s %14s %12s\n' "run" "$(run_state mosquitto "$scenario")" "$(run_state tributary "$scenario")" ""
        row "published msg/s" published_per_s rate
        row "delivered msg/s" delivered_per_s rate
        row "e2e latency p50 (ms)" latency_p50_us ms
        row "e2e latency p99 (ms)" latency_p99_us ms
        row "e2e latency p99.9 (ms)" latency_p999_us ms
        row "expected deliveries" expected_deliveries raw
        row "lost" lost raw
        row "duplicates" duplicates raw
        row "out of order" out_of_order raw
        row "errors" errors raw
        row "disconnects" disconnects raw
        rss_row "$scenario"
        for broker in mosquitto tributary; do
            failure=$(json_get "$OUT_DIR/$broker-$scenario.json" connect_failure)
            if [[ -n "$failure" && "$failure" != null ]]; then
                notes+=("$broker $scenario FAILED: ${failure//\"/}")
            elif [[ "${EXIT[$broker:$scenario]:-0}" != 0 && ! -f "$OUT_DIR/$broker-$scenario.json" ]]; then
                notes+=("$broker $scenario FAILED: E2eBench exited with ${EXIT[$broker:$scenario]} without a result")
            fi
        done
    done
    echo
    for note in "${notes[@]}"; do echo "$note"; done
    echo "Ratios > 1 mean Tributary is higher: good for msg/s, bad for latency and RSS."
    echo "lost/duplicates/out of order count every message sent (warm-up included) per publisher-subscriber pair; QoS 0 may lose, QoS 1 may duplicate."
    echo "Tributary's RSS is its whole process group, which includes the embedded Kafka broker (and the launcher)."
} | tee "$TABLE"

exit_unless_all_ok
