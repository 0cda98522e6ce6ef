#!/usr/bin/env bash
# Compares Tributary's broadcast and routed modes (routing.mode) on 1 and 3 nodes of one machine:
# for each mode and node count a fresh cluster (node 1 with the embedded Kafka, the others on it),
# then E2eBench with the publishers on node 1 and the subscribers round robin over all nodes. Before
# and after every run it takes, per node, the feed counters of its /metrics endpoint
# (tributary_feed_bytes_read_bytes_total, tributary_feed_records_read_total), what its Kafka
# consumers fetched (their client metrics, KafkaReadProbe) and its CPU time. Prints a table per
# scenario (delivered msg/s, e2e latency, lost/duplicates, SUBACK time, bytes read per node, CPU)
# with the ratios routed/broadcast, and the figures per node. Works from any cwd.
#
#   bench/run-routing-compare.sh                      # p2p and fan-out, N=12, QoS 1, 5000 msg/s, 10 s (+5 s warm-up)
#   bench/run-routing-compare.sh --nodes "3" --scenarios p2p --clients 30
#   bench/run-routing-compare.sh --help
#
# Every option also reads from the environment (MODES, NODES, SCENARIOS, CLIENTS, ...).
# Results (JSON per run, metrics before/after, node logs, the table) are kept in
# bench/target/results/<timestamp>-routing/.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

MODES=${MODES:-"broadcast routed"}
NODES=${NODES:-"1 3"}                    # node counts
SCENARIOS=${SCENARIOS:-"p2p fan-out"}
CLIENTS=${CLIENTS:-12}                   # N of each scenario
QOS=${QOS:-1}
PAYLOAD=${PAYLOAD:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
DRAIN=${DRAIN:-10}
PROTOCOL=${PROTOCOL:-3.1.1}
TOTAL_RATE=${TOTAL_RATE:-5000}           # msg/s published across a scenario's publishers, 0 = unlimited
RATE=${RATE:-}                           # msg/s per publisher; overrides TOTAL_RATE when set
BENCH_ARGS=${BENCH_ARGS:-}               # extra E2eBench options
PRIME=${PRIME:-15}                      # s of each scenario run unmeasured on a fresh cluster first, 0 = none
STREAMS_SETTLE=${STREAMS_SETTLE:-5}      # s without a Streams state change on any node before a run
STREAMS_TIMEOUT=${STREAMS_TIMEOUT:-120}  # s for every node's Streams apps to be RUNNING
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<USAGE

Options (environment variable in brackets, current value after =):
  --modes "M ..."      broadcast, routed, in order [MODES="$MODES"]
  --nodes "N ..."      node counts, each a fresh cluster [NODES="$NODES"]
  --scenarios "S ..."  p2p, fan-out, fan-in, in order [SCENARIOS="$SCENARIOS"]
  --clients N          N of each scenario [CLIENTS=$CLIENTS]
  --qos L              QoS 0, 1 or 2 for publish and subscribe [QOS=$QOS]
  --payload BYTES      payload size, >= 16 [PAYLOAD=$PAYLOAD]
  --duration S         measured seconds per scenario [DURATION=$DURATION]
  --warmup S           warm-up seconds, not counted [WARMUP=$WARMUP]
  --drain S            max seconds to wait for deliveries after publishing [DRAIN=$DRAIN]
  --prime S            first run each scenario S seconds unmeasured on each fresh cluster, 0 = not [PRIME=$PRIME]
  --protocol V         3.1.1 or 5 [PROTOCOL=$PROTOCOL]
  --total-rate R       msg/s published across a scenario's publishers, 0 = unlimited [TOTAL_RATE=$TOTAL_RATE]
  --rate R             msg/s per publisher, overrides --total-rate [RATE=$RATE]
  --bench-args "..."   extra E2eBench options [BENCH_ARGS]
  --out DIR            where results go [OUT_DIR, default bench/target/results/<timestamp>-routing]
  --skip-build         do not build the bench module [SKIP_BUILD=1]
  --keep-tmp           keep the temporary data directories [KEEP_TMP=1]
  Also: STREAMS_SETTLE ($STREAMS_SETTLE s without a Streams state change before each run), STREAMS_TIMEOUT
  ($STREAMS_TIMEOUT s), BENCH_TRIBUTARY, BENCH_TRIBUTARY_ARGS (extra options for every node),
  BENCH_TRIBUTARY_APPS (default: analytics and presence apps off), BENCH_TRIBUTARY_START_TIMEOUT,
  BENCH_JAVA_OPTS (the bench JVM), JAVA_OPTS (each node's JVM, the launcher's default -Xms256m -Xmx1g).
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --modes) MODES=$2; shift 2 ;;
        --nodes) NODES=$2; shift 2 ;;
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --clients|-n) CLIENTS=$2; shift 2 ;;
        --drain) DRAIN=$2; shift 2 ;;
        --total-rate) TOTAL_RATE=$2; shift 2 ;;
        --prime) PRIME=$2; shift 2 ;;
        --brokers) echo "--brokers is not an option of this script (see --help)" >&2; exit 2 ;;
        *) common_option "$@"; shift "$OPT_SHIFT" ;;
    esac
done
for m in $MODES; do
    case "$m" in broadcast|routed) ;; *) echo "unknown mode: $m (broadcast, routed)" >&2; exit 2 ;; esac
done
for s in $SCENARIOS; do
    case "$s" in fan-in|p2p|fan-out) ;; *) echo "unknown scenario: $s (fan-in, p2p, fan-out)" >&2; exit 2 ;; esac
done
for n in $NODES; do
    [[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "--nodes takes whole numbers 1..99: $n" >&2; exit 2; }
done
command -v curl >/dev/null 2>&1 || { echo "curl is needed to read the nodes' metrics" >&2; exit 2; }

setup_cleanup tributary-routing-compare
ensure_bench_built
init_out_dir routing

# ---------------------------------------------------------------- runs
declare -A EXIT      # mode:nodes:scenario -> E2eBench exit status
declare -A CLUSTER   # mode:nodes -> ok | failed: reason
declare -A FEED      # mode:nodes:scenario:k -> "bytes records" node k's feed consumer fetched during the run
                     #   (Kafka client metrics; broadcast: the message topics, routed: its deliveries partition)
declare -A CATCHUP   # mode:nodes:scenario:k -> "bytes records" its other consumers fetched from the message topics
                     #   (catch-up of subscribers that fell behind or resumed), "caught-up replayed" counters
declare -A APPS      # mode:nodes:scenario:k -> "bytes records" node k's Streams apps fetched from them
declare -A PROM      # mode:nodes:scenario:k -> "bytes records" of node k's tributary_feed_* counters
declare -A CPU       # mode:nodes:scenario -> CPU seconds of all nodes during the run
declare -A PARTITION # mode:nodes:k -> deliveries partition node k reads (routed mode)

MESSAGES_TOPIC=mqtt.messages      # the defaults of kafka.topics.messages and kafka.topics.deliveries
DELIVERIES_TOPIC=mqtt.deliveries
BENCH_TIMEOUT=$(awk -v w="$WARMUP" -v d="$DURATION" -v r="$DRAIN" 'BEGIN { printf "%d", w + d + r + 120 }')
if [[ -n "$RATE" ]]; then RATE_ARGS=(--rate "$RATE"); else RATE_ARGS=(--total-rate "$TOTAL_RATE"); fi
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# streams_settled: every Streams app on every node reports RUNNING as its latest state, and no node
# logged a state change for STREAMS_SETTLE seconds (nodes joining move the apps' tasks around)
streams_settled() {
    local deadline=$((SECONDS + STREAMS_TIMEOUT)) last="" now quiet_since=$SECONDS f states latest
    local pattern='StreamsRunner +[^ ]+: [A-Z_]+ -> [A-Z_]+$' # StreamsRunner logs "<application id>: <before> -> <now>"
    while (( SECONDS < deadline )); do
        now=""
        states=ok
        for f in "${NODE_LOGS[@]}"; do
            latest=$(grep -E "$pattern" "$f" 2>/dev/null \
                | awk '{ state[$4] = $NF } END { for (a in state) print a, state[a] }' || true)
            if [[ -z "$latest" ]] || grep -qv ' RUNNING$' <<<"$latest"; then
                states=moving
            fi
            now+="$(grep -cE "$pattern" "$f" 2>/dev/null || true) "
        done
        if [[ "$now" != "$last" ]]; then
            last=$now
            quiet_since=$SECONDS
        elif [[ "$states" == ok ]] && (( SECONDS - quiet_since >= STREAMS_SETTLE )); then
            echo "Streams apps RUNNING on every node, no state change for ${STREAMS_SETTLE}s"
            return 0
        fi
        sleep 1
    done
    warn "Streams apps not settled after ${STREAMS_TIMEOUT}s (state changes per node: $last); running anyway"
}

# deliveries_partitions KEY: which deliveries partition each node reads (routed mode), from its log
deliveries_partitions() {
    local key=$1 k p seen=" "
    for ((k = 1; k <= ${#NODE_LOGS[@]}; k++)); do
        p=$(sed -n "s/.*Routed mode: reading partition \([0-9]*\) .*/\1/p" "${NODE_LOGS[k - 1]}" | tail -n1)
        PARTITION[$key:$k]=${p:--}
        if [[ -n "$p" && "$seen" == *" $p "* ]]; then
            warn "node bench-$k reads deliveries partition $p like another node: it reads that node's deliveries too"
        fi
        seen+="$p "
    done
}

# node_jvm K: the pid of node K's JVM (the launcher execs it, so normally the group leader itself)
node_jvm() {
    local pgid=${NODE_PIDS[$1 - 1]}
    pgrep -g "$pgid" -x java 2>/dev/null | head -n1 || echo "$pgid"
}

# scrape FILE: per node, its Prometheus counters and CPU ticks ("P k feed-bytes feed-records ticks caught-up
# replayed"), and what each Kafka consumer of the node has fetched ("K k client-id topic records bytes", KafkaReadProbe)
scrape() {
    local k pids=() out=$1 m
    : > "$out"
    for ((k = 1; k <= ${#NODE_PORTS[@]}; k++)); do
        m=${NODE_METRICS_PORTS[k - 1]}
        echo "P $k $(scrape_metric "$m" tributary_feed_bytes_read_bytes_total)" \
            "$(scrape_metric "$m" tributary_feed_records_read_total) $(group_cpu_ticks "${NODE_PIDS[k - 1]}")" \
            "$(scrape_metric "$m" tributary_subscribers_caught_up_total) $(scrape_metric "$m" tributary_messages_replayed_total)" \
            >> "$out"
        pids+=("$(node_jvm "$k")")
    done
    # shellcheck disable=SC2086
    java $PROBE_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.KafkaReadProbe "${pids[@]}" 2>>"$OUT_DIR/probe.err" \
        | awk -v pids="${pids[*]}" 'BEGIN { n = split(pids, p, " "); for (i = 1; i <= n; i++) node[p[i]] = i }
            $2 == "!" { print "probe failed for pid " $1 ": " $0 > "/dev/stderr"; next }
            { print "K", node[$1], $2, $3, $4, $5 }' >> "$out" || warn "KafkaReadProbe failed (see $OUT_DIR/probe.err)"
}
PROBE_JAVA_OPTS=${PROBE_JAVA_OPTS:-"-Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}

# delta BEFORE AFTER K: node K's figures during the run, "feed_bytes feed_records catchup_bytes catchup_records
# apps_bytes apps_records prom_bytes prom_records cpu_ticks caught_up replayed". A consumer that appeared during the
# run counts from 0. Kafka Streams clients are the apps; of the node's own consumers of the message and deliveries
# topics, the feed is the first one created (lowest client-id number: TributaryNode creates the feed before the
# catch-up reader, and both are consumer-null-<n>), the others are catch-up.
delta() {
    awk -v k="$3" -v mt="$MESSAGES_TOPIC" -v dt="$DELIVERIES_TOPIC" '
        FNR == 1 { file++ }
        $1 == "P" && $2 == k { pb[file] = $3; pr[file] = $4; t[file] = $5; cu[file] = $6; rp[file] = $7 }
        $1 == "K" && $2 == k && ($4 == mt || $4 == dt) { id = $3 SUBSEP $4; r[file, id] = $5; b[file, id] = $6; ids[id] = 1 }
        END {
            first = -1
            for (id in ids) {
                split(id, parts, SUBSEP)
                if (parts[1] ~ /StreamThread|global-consumer|restore-consumer/) continue
                n = parts[1]; sub(/.*-/, "", n)
                if (first < 0 || n + 0 < first) first = n + 0
            }
            for (id in ids) {
                if (!((2, id) in b)) continue
                split(id, parts, SUBSEP)
                db = b[2, id] - b[1, id] + 0; dr = r[2, id] - r[1, id] + 0
                n = parts[1]; sub(/.*-/, "", n)
                if (parts[1] ~ /StreamThread|global-consumer|restore-consumer/) { ab += db; ar += dr }
                else if (n + 0 == first) { fb += db; fr += dr }
                else { cb += db; cr += dr }
            }
            printf "%.0f %.0f %.0f %.0f %.0f %.0f %s %s %.0f %s %s\n", fb, fr, cb, cr, ab, ar,
                d(pb), d(pr), t[2] - t[1], d(cu), d(rp)
        }
        function d(a) { return (a[1] == "" || a[2] == "") ? "-" : a[2] - a[1] }' "$1" "$2"
}

# e2e SCENARIO JSON PREFIX DURATION WARMUP: E2eBench with the publishers on node 1, the subscribers on every node
e2e() {
    local sub_ports
    sub_ports=$(IFS=,; echo "${NODE_PORTS[*]}")
    # shellcheck disable=SC2086
    run_bench timeout --signal=TERM --kill-after=10 "$BENCH_TIMEOUT" \
        java $BENCH_JAVA_OPTS -cp "$BENCH_CP" io.tributary.bench.E2eBench \
        --port "${NODE_PORTS[0]}" --pub-ports "${NODE_PORTS[0]}" --sub-ports "$sub_ports" \
        --scenario "$1" --clients "$CLIENTS" --qos "$QOS" --payload "$PAYLOAD" \
        --duration "$4" --warmup "$5" --drain "$DRAIN" --protocol "$PROTOCOL" "${RATE_ARGS[@]}" \
        --client-prefix "$3" --topic-prefix "bench" --json "$2" $BENCH_ARGS
}

# prime MODE NODES: each scenario for PRIME seconds, not measured: a fresh cluster's JVMs compile their hot paths
# (and the Streams apps settle their tasks) under load first; without it the first scenario measures mostly that
prime() {
    local scenario
    [[ "$PRIME" != 0 ]] || return 0
    for scenario in $SCENARIOS; do
        log "$1, $2 node(s): priming with $scenario for ${PRIME}s (not measured)"
        e2e "$scenario" "$OUT_DIR/$1-${2}n-$scenario.prime.json" "prime-$scenario-" "$PRIME" 0 > "$OUT_DIR/$1-${2}n-$scenario.prime.txt" 2>&1
        [[ "$BENCH_RC" == 0 ]] || warn "priming run $1 $2 $scenario exited with $BENCH_RC (see $OUT_DIR/$1-${2}n-$scenario.prime.txt)"
        tail -n 12 "$OUT_DIR/$1-${2}n-$scenario.prime.txt" | grep -E "delivered|e2e latency|lost" || true
    done
}

run_scenarios() { # MODE NODES
    local mode=$1 nodes=$2 scenario rc key json k before after sub_ports ticks fb fr cb cr ab ar pb pr t cu rp
    sub_ports=$(IFS=,; echo "${NODE_PORTS[*]}")
    for scenario in $SCENARIOS; do
        key="$mode:$nodes:$scenario"
        json="$OUT_DIR/$mode-${nodes}n-$scenario.json"
        before="$OUT_DIR/$mode-${nodes}n-$scenario.before"
        after="$OUT_DIR/$mode-${nodes}n-$scenario.after"
        log "$mode, $nodes node(s): $scenario, N=$CLIENTS, QoS $QOS, $PAYLOAD B, ${DURATION}s (+${WARMUP}s warm-up), publishers on bench-1, subscribers on ports $sub_ports"
        scrape "$before"
        e2e "$scenario" "$json" "route-$scenario-" "$DURATION" "$WARMUP"
        rc=$BENCH_RC
        scrape "$after"
        EXIT[$key]=$rc
        case $rc in
            0) ;;
            2) warn "$key: E2eBench exited with 2: a connection or SUBSCRIBE failed ($(json_get "$json" connect_failure))" ;;
            3) warn "$key: E2eBench exited with 3: errors, disconnects, or lost/duplicate messages the QoS forbids" ;;
            124) warn "$key: E2eBench did not end within ${BENCH_TIMEOUT}s; stopped" ;;
            *) warn "$key: E2eBench exited with $rc" ;;
        esac
        ticks=0
        for ((k = 1; k <= nodes; k++)); do
            read -r fb fr cb cr ab ar pb pr t cu rp <<<"$(delta "$before" "$after" "$k")"
            FEED[$key:$k]="$fb $fr"
            CATCHUP[$key:$k]="$cb $cr $cu $rp"
            APPS[$key:$k]="$ab $ar"
            PROM[$key:$k]="$pb $pr"
            ticks=$((ticks + t))
            echo "bench-$k fetched: feed $fb bytes in $fr records, catch-up $cb bytes in $cr records ($cu catch-ups, $rp replayed), Streams apps $ab bytes in $ar records; tributary_feed counters: $pb bytes, $pr records"
            if ! kill -0 "${NODE_PIDS[k - 1]}" 2>/dev/null; then
                warn "node bench-$k died during the $scenario run"
                CLUSTER[$mode:$nodes]="failed: bench-$k died during $scenario"
                return 1
            fi
        done
        CPU[$key]=$(awk -v t="$ticks" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }')
        echo "CPU of the nodes during the run: ${CPU[$key]} s"
    done
}

for mode in $MODES; do
    for nodes in $NODES; do
        if start_tributary_cluster "$nodes" "$mode-${nodes}n" --set "routing.mode=$mode"; then
            CLUSTER[$mode:$nodes]=ok
            streams_settled
            if [[ "$mode" == routed ]]; then deliveries_partitions "$mode:$nodes"; fi
            prime "$mode" "$nodes"
            run_scenarios "$mode" "$nodes" || true
            log "$mode, $nodes node(s): stopping"
            stop_tributary_cluster
        else
            CLUSTER[$mode:$nodes]="failed: ${CLUSTER_FAILURE:-did not start}"
        fi
    done
done

# ---------------------------------------------------------------- table
num() { # VALUE -> VALUE, or nothing when it is not a number
    if [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then echo "$1"; fi
}

# node_delivered JSON NODES K: messages the subscribers on node K received, warm-up included (one node: all)
node_delivered() {
    if (( $2 == 1 )); then json_get "$1" received; else json_get "$1" "sub_port_${3}_delivered"; fi
}

# node_stats KEY NODES JSON: "min max min_per_delivered max_per_delivered apps_total catchup_total" over the
# nodes: bytes the feed fetched, those per message the node's subscribers received, the Streams apps' bytes and
# the catch-up bytes (all nodes together)
node_stats() {
    local key=$1 nodes=$2 json=$3 k lines=""
    for ((k = 1; k <= nodes; k++)); do
        lines+="${FEED[$key:$k]:-- -} ${APPS[$key:$k]:-- -} $(node_delivered "$json" "$nodes" "$k") ${CATCHUP[$key:$k]:--}"$'\n'
    done
    awk 'NF >= 6 && $1 != "-" {
            b = $1 + 0; d = ($5 == "" || $5 == "null") ? 0 : $5 + 0; apps += $3; catchup += $6
            if (n == 0 || b < bmin) bmin = b
            if (n == 0 || b > bmax) bmax = b
            if (d > 0) { p = b / d; if (np == 0 || p < pmin) pmin = p; if (np == 0 || p > pmax) pmax = p; np++ }
            n++ }
         END { if (n == 0) { print "- - - - - -"; exit }
               printf "%.0f %.0f %s %s %.0f %.0f\n", bmin, bmax, (np ? sprintf("%.1f", pmin) : "-"),
                   (np ? sprintf("%.1f", pmax) : "-"), apps, catchup }' <<<"$lines"
}

kib() { if [[ -z "$1" || "$1" == - ]]; then echo "-"; else awk -v v="$1" 'BEGIN { printf "%.0f", v / 1024 }'; fi; }

COLS='%-10s %5s %-7s %8s %8s %8s %5s %5s %8s %8s %8s %7s %7s %8s %8s %6s\n'
TABLE="$OUT_DIR/table.txt"
{
    rate_text=${RATE:+"$RATE msg/s per publisher"}
    echo "Tributary broadcast vs routed mode: N=$CLIENTS, QoS $QOS, ${PAYLOAD}-byte payload, ${DURATION}s measured (+${WARMUP}s warm-up, drain <= ${DRAIN}s), MQTT $PROTOCOL, rate ${rate_text:-$TOTAL_RATE msg/s published in total} (0 = unlimited); each fresh cluster primed with ${PRIME}s of each scenario"
    echo "host: $(nproc) cores, $(uname -r); $(date -u +%Y-%m-%dT%H:%M:%SZ); load average now $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT_DIR"
    echo "nodes: bench-1 with the embedded Kafka, the others on it, all on this machine; publishers on bench-1, subscribers round robin over the nodes"
    echo "node options: ${BENCH_TRIBUTARY_APPS:-} ${BENCH_TRIBUTARY_ARGS:-}"
    for mode in $MODES; do
        for nodes in $NODES; do
            line="$mode, $nodes node(s): ${CLUSTER[$mode:$nodes]:-not run}"
            if [[ "$mode" == routed && "${CLUSTER[$mode:$nodes]:-}" == ok ]]; then
                line+="; deliveries partition read by"
                for ((k = 1; k <= nodes; k++)); do line+=" bench-$k: ${PARTITION[$mode:$nodes:$k]:--}"; done
            fi
            echo "$line"
        done
    done
    for scenario in $SCENARIOS; do
        case "$scenario" in
            fan-in) shape="$CLIENTS -> 1" ;;
            p2p) shape="$CLIENTS x (1 -> 1)" ;;
            fan-out) shape="1 -> $CLIENTS" ;;
        esac
        echo
        echo "$scenario ($shape)"
        # shellcheck disable=SC2059
        printf "$COLS" "mode" "nodes" "run" "deliv/s" "p50 ms" "p99 ms" "lost" "dup" "SUBACK" \
            "KiB min" "KiB max" "B/d min" "B/d max" "catch-up" "apps KiB" "CPU s"
        unset V
        declare -A V=()
        for mode in $MODES; do
            for nodes in $NODES; do
                key="$mode:$nodes:$scenario"
                json="$OUT_DIR/$mode-${nodes}n-$scenario.json"
                read -r bmin bmax pmin pmax apps catchup <<<"$(node_stats "$key" "$nodes" "$json")"
                V[$mode:$nodes:delivered]=$(num "$(json_get "$json" delivered_per_s)")
                V[$mode:$nodes:p50]=$(num "$(json_get "$json" latency_p50_us)")
                V[$mode:$nodes:p99]=$(num "$(json_get "$json" latency_p99_us)")
                V[$mode:$nodes:suback]=$(num "$(json_get "$json" suback_p50_us)")
                V[$mode:$nodes:bmin]=$(num "$bmin")
                V[$mode:$nodes:bmax]=$(num "$bmax")
                V[$mode:$nodes:pmin]=$(num "$pmin")
                V[$mode:$nodes:pmax]=$(num "$pmax")
                V[$mode:$nodes:apps]=$(num "$apps")
                V[$mode:$nodes:catchup]=$(num "$catchup")
                V[$mode:$nodes:cpu]=$(num "${CPU[$key]:-}")
                # shellcheck disable=SC2059
                printf "$COLS" "$mode" "$nodes" "$(exit_state "${EXIT[$key]:-}")" \
                    "$(fmt "${V[$mode:$nodes:delivered]}" rate)" \
                    "$(fmt "${V[$mode:$nodes:p50]}" ms)" "$(fmt "${V[$mode:$nodes:p99]}" ms)" \
                    "$(fmt "$(json_get "$json" lost)" raw)" "$(fmt "$(json_get "$json" duplicates)" raw)" \
                    "$(fmt "${V[$mode:$nodes:suback]}" ms)" "$(kib "$bmin")" "$(kib "$bmax")" "${pmin:--}" "${pmax:--}" \
                    "$(kib "$catchup")" "$(kib "$apps")" "${CPU[$key]:--}"
            done
        done
        if [[ " $MODES " == *" broadcast "* && " $MODES " == *" routed "* ]]; then
            for nodes in $NODES; do
                r() { ratio "${V[routed:$nodes:$1]}" "${V[broadcast:$nodes:$1]}"; }
                # shellcheck disable=SC2059
                printf "$COLS" "routed/bc" "$nodes" "" "$(r delivered)" "$(r p50)" "$(r p99)" "" "" "$(r suback)" \
                    "$(r bmin)" "$(r bmax)" "$(r pmin)" "$(r pmax)" "$(r catchup)" "$(r apps)" "$(r cpu)"
            done
        fi
    done
    echo
    echo "per node during each run: subscribers, the messages they received (warm-up included) and their e2e latency; bytes and records the"
    echo "node's feed consumer fetched (Kafka client metrics), its bytes per received message; its tributary_feed_bytes_read_bytes_total"
    echo "and tributary_feed_records_read_total over the same time; bytes its catch-up reader fetched from $MESSAGES_TOPIC and"
    echo "tributary_subscribers_caught_up_total; bytes its Streams apps fetched from $MESSAGES_TOPIC"
    DCOLS='%-10s %5s %-8s %-8s %4s %9s %8s %8s %11s %8s %7s %11s %8s %11s %6s %11s\n'
    # shellcheck disable=SC2059
    printf "$DCOLS" "mode" "nodes" "scenario" "node" "subs" "received" "p50 ms" "p99 ms" "feed B" "records" "B/recv" "ctr B" "ctr recs" \
        "catch-up B" "c-ups" "apps B"
    for scenario in $SCENARIOS; do
        for mode in $MODES; do
            for nodes in $NODES; do
                key="$mode:$nodes:$scenario"
                json="$OUT_DIR/$mode-${nodes}n-$scenario.json"
                [[ -n "${FEED[$key:1]:-}" ]] || continue
                for ((k = 1; k <= nodes; k++)); do
                    read -r fb fr <<<"${FEED[$key:$k]}"
                    read -r pb pr <<<"${PROM[$key:$k]}"
                    read -r cb _ cu _ <<<"${CATCHUP[$key:$k]}"
                    read -r ab _ <<<"${APPS[$key:$k]}"
                    if (( nodes == 1 )); then
                        subs=$(json_get "$json" subscribers)
                        p50=$(json_get "$json" latency_p50_us)
                        p99=$(json_get "$json" latency_p99_us)
                    else
                        subs=$(json_get "$json" "sub_port_${k}_subscribers")
                        p50=$(json_get "$json" "sub_port_${k}_latency_p50_us")
                        p99=$(json_get "$json" "sub_port_${k}_latency_p99_us")
                    fi
                    del=$(node_delivered "$json" "$nodes" "$k")
                    # shellcheck disable=SC2059
                    printf "$DCOLS" "$mode" "$nodes" "$scenario" "bench-$k" "$(fmt "$subs" raw)" "$(fmt "$del" raw)" \
                        "$(fmt "$p50" ms)" "$(fmt "$p99" ms)" "$fb" "$fr" \
                        "$(awk -v b="$fb" -v d="$del" 'BEGIN { if (d + 0 > 0) printf "%.1f", b / d; else print "-" }')" \
                        "$pb" "$pr" "$cb" "$cu" "$ab"
                done
            done
        done
    done
    echo
    lagging=""
    for key in "${!FEED[@]}"; do
        read -r _ fr <<<"${FEED[$key]}"
        read -r _ pr <<<"${PROM[$key]:-- -}"
        if [[ "$pr" =~ ^[0-9]+$ && "$fr" =~ ^[0-9]+$ ]] && (( pr * 10 < fr * 9 )); then lagging+=" $key"; fi
    done
    if [[ -n "$lagging" ]]; then
        echo "tributary_feed_* counters behind what the node's feed consumer fetched (by more than 10 %) on:$lagging"
        echo "  (they stop when a GC collects the object Micrometer holds them by, see docs/benchmarks.md)"
    fi
    echo "deliv/s: first arrivals in the measured window per second; p50/p99: end-to-end latency of measured messages;"
    echo "SUBACK: p50 of SUBSCRIBE to SUBACK over the subscribers."
    echo "KiB min/max: what the node's feed fetched (broadcast: every message topic; routed: the node's deliveries partition,"
    echo "watermarks included), least and most reading node, warm-up and drain included, Kafka client metrics (record batches"
    echo "with headers); B/d: those bytes per message the node's subscribers received. catch-up: KiB the nodes' catch-up"
    echo "readers fetched from the message topics for subscribers that fell behind, all nodes. apps KiB: what the nodes'"
    echo "Streams apps fetched from the message topics, all nodes (retained-state app; routed mode: also the fan-out app)."
    echo "CPU s: user+system CPU of all node processes (embedded Kafka included) during the run."
    echo "routed/bc: routed divided by broadcast (> 1: routed higher; good for deliv/s, bad for the others)."
} | tee "$TABLE"

for mode in $MODES; do
    for nodes in $NODES; do
        [[ "${CLUSTER[$mode:$nodes]:-}" == ok ]] || exit 1
    done
done
