#!/bin/bash
# 55-tools-perf: samsa producer-perf-test, consumer-perf-test and
# delete-records against three live brokers, on a topic replicated three
# ways.  The producer's progress and summary lines have Kafka's format and
# every record is acknowledged (pipelined, several requests in flight per
# leader); --throughput throttles; the consumer reads exactly what was
# produced and prints Kafka's result columns; delete-records moves the
# earliest offset (get-offsets --time -2) and a consumer from the beginning
# starts there; followers take the new log start from their fetches; the
# error paths have their documented exit statuses.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"

cluster_start 3
work=$CLUSTER_DIR/tools-perf
mkdir -p "$work"
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
T=t55-$$
N=20000

run() {
    local want=$1 name=$2 rc
    shift 2
    timeout 120 "$SAMSA" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        say "samsa $* -> status $rc, expected $want"
        sed 's/^/  stdout: /' "$work/$name.out" | head -20 >&2
        sed 's/^/  stderr: /' "$work/$name.err" | head -20 >&2
        check_brokers_alive
        fail "samsa $1 ($name): status $rc, expected $want"
    fi
}
has() {
    grep -qE -- "$3" "$work/$1.$2" ||
        { cat "$work/$1.$2" >&2; fail "$1: /$3/ not in its std$2"; }
}
# offsets NAME TIME: "p:offset ..." for the topic, from get-offsets
offsets() {
    run 0 "$1" get-offsets --topic "$T" --time "$2"
    sed "s/^$T://" "$work/$1.out" | sort -n | tr '\n' ' '
}

run 0 create topics --create --topic "$T" --partitions 3 \
    --replication-factor 3
# every partition has a leader before timing anything
for i in $(seq 1 50); do
    run 0 describe topics --describe --topic "$T"
    grep -q 'Leader: -1\|Leader: none' "$work/describe.out" || break
    sleep 0.2
done

# --- producer-perf-test
num='[0-9]+(\.[0-9]+)?'
run 0 pp producer-perf-test --topic "$T" --num-records $N --record-size 100 \
    --throughput -1 --producer-props acks=all linger.ms=5 batch.size=16384 \
    --print-metrics
has pp out "^$N records sent, $num records/sec \($num MB/sec\), $num ms avg latency, $num ms max latency, [0-9]+ ms 50th, [0-9]+ ms 95th, [0-9]+ ms 99th, [0-9]+ ms 99.9th\.$"
has pp out '^producer-metrics:record-send-total:\{client-id=samsa-tools\} +: 20000\.000$'
has pp out '^producer-metrics:requests-in-flight-max'
# Kafka's form: more KEY=VALUE arguments after one --producer-props
run 0 pp-gzip producer-perf-test --topic "$T" --num-records 1000 \
    --record-size 50 --throughput -1 --producer-props acks=1 \
    compression.type=gzip max.in.flight.requests.per.connection=2
has pp-gzip out "^1000 records sent, "
run 0 pp-acks0 producer-perf-test --topic "$T" --num-records 500 \
    --record-size 10 --throughput -1 --producer-props acks=0
has pp-acks0 out "^500 records sent, "
TOTAL=$((N + 1000 + 500))
# acks=0 records land without an answer: wait for them to be visible
for i in $(seq 1 50); do
    sum=0
    for po in $(offsets latest -1); do sum=$((sum + ${po#*:})); done
    [ "$sum" = "$TOTAL" ] && break
    sleep 0.2
done
[ "$sum" = "$TOTAL" ] || fail "log end offsets sum to $sum, expected $TOTAL"

# --throughput throttles: 300 records at 200/s take over a second, and the
# 5 s progress lines come from a run that long
start=$(date +%s%N)
run 0 pp-slow producer-perf-test --topic "$T" --num-records 300 \
    --record-size 10 --throughput 200
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 1200 ] || fail "300 records at 200/s took only $ms ms"
has pp-slow out "^300 records sent, "
TOTAL=$((TOTAL + 300))
run 0 pp-window producer-perf-test --topic "$T" --num-records 1200 \
    --record-size 10 --throughput 200
has pp-window out "^[0-9]+ records sent, $num records/sec \($num MB/sec\), $num ms avg latency, $num ms max latency\.$"
has pp-window out "^1200 records sent, "
TOTAL=$((TOTAL + 1200))

# --- consumer-perf-test: exactly what was produced
run 0 cp consumer-perf-test --topic "$T" --messages "$TOTAL" --timeout 20000
has cp out '^start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec$'
datere='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}:[0-9]{3}'
bytes=$((N * 100 + 1000 * 50 + 500 * 10 + 1500 * 10))
mb=$(awk -v b=$bytes 'BEGIN { printf "%.4f", b / 1048576 }')
has cp out "^$datere, $datere, $mb, $num, $TOTAL, $num, 0, [0-9]+, $num, $num$"
run 1 cp-more consumer-perf-test --topic "$T" --messages $((TOTAL + 1)) \
    --timeout 1500 --hide-header
has cp-more err "Exiting before consuming the expected number of messages"
has cp-more out "^$datere, $datere, $mb, $num, $TOTAL, "
grep -q '^start.time' "$work/cp-more.out" && fail "--hide-header printed one"
run 0 cp-detail consumer-perf-test --topic "$T" --messages 100 \
    --show-detailed-stats --reporting-interval 1 --date-format 'HH:mm'
has cp-detail out '^time, threadId, data.consumed.in.MB'
run 1 cp-latest consumer-perf-test --topic "$T" --messages 1 --from-latest \
    --timeout 1000 --hide-header
has cp-latest out ", 0\.0000, $num, 0, "

# --- delete-records
read -r -a late <<<"$(offsets latest2 -1)"
p0_end=${late[0]#0:}
p1_end=${late[1]#1:}
[ "$p0_end" -gt 10 ] || fail "partition 0 has only $p0_end records"
cat >"$work/del.json" <<EOF
{"partitions": [{"topic": "$T", "partition": 0, "offset": 5},
                {"topic": "$T", "partition": 1, "offset": -1}],
 "version": 1}
EOF
run 0 del delete-records --offset-json-file "$work/del.json"
has del out '^Executing records delete operation$'
has del out '^Records delete operation completed:$'
has del out "^partition: $T-0	low_watermark: 5$"
has del out "^partition: $T-1	low_watermark: $p1_end$"
early=$(offsets earliest -2)
case "$early" in
"0:5 1:$p1_end 2:0 ") ;;
*) fail "earliest offsets after delete-records: '$early'" ;;
esac
# a consumer from the beginning starts at the new log start
run 0 cc console-consumer --topic "$T" --partition 0 --from-beginning \
    --max-messages 1 --property print.offset=true --property print.value=false
has cc out '^Offset:5$'
left=$((TOTAL - 5 - p1_end))
run 0 cp-after consumer-perf-test --topic "$T" --messages "$left" \
    --timeout 20000 --hide-header
has cp-after out "^$datere, $datere, $num, $num, $left, "
# a lower offset leaves the log start where it is; beyond the high
# watermark is OFFSET_OUT_OF_RANGE; exit 1 when any partition fails
cat >"$work/del2.json" <<EOF
{"partitions": [{"topic": "$T", "partition": 0, "offset": 2},
                {"topic": "$T", "partition": 2, "offset": 999999999},
                {"topic": "nope-$T", "partition": 0, "offset": 1}],
 "version": 1}
EOF
run 1 del2 delete-records --offset-json-file "$work/del2.json"
has del2 out "^partition: $T-0	low_watermark: 5$"
has del2 out "^partition: $T-2	error: OFFSET_OUT_OF_RANGE"
has del2 out "^partition: nope-$T-0	error: UNKNOWN_TOPIC_OR_PARTITION"
# --- usage errors
echo '{"partitions": [' >"$work/bad.json"
run 2 del-bad delete-records --offset-json-file "$work/bad.json"
cat >"$work/dup.json" <<EOF
{"partitions": [{"topic": "$T", "partition": 0, "offset": 1},
                {"topic": "$T", "partition": 0, "offset": 2}], "version": 1}
EOF
run 2 del-dup delete-records --offset-json-file "$work/dup.json"
has del-dup err "duplicate topic partitions"
echo '{"partitions": [], "version": 2}' >"$work/v2.json"
run 2 del-v2 delete-records --offset-json-file "$work/v2.json"
run 2 del-nofile delete-records
run 2 pp-nothroughput producer-perf-test --topic "$T" --num-records 1 \
    --record-size 1
has pp-nothroughput err "--throughput"
run 1 pp-notopic producer-perf-test --topic "nope-$T" --num-records 1 \
    --record-size 1 --throughput -1
has pp-notopic err "does not exist"
run 2 cp-nomessages consumer-perf-test --topic "$T"

# followers take the leader's log start from their fetch responses (they
# checkpoint it every 5 s); then stop the leader of partition 0 and its
# successor answers 5 too.  samsa answers DeleteRecords without waiting for
# the followers (Kafka waits), hence the wait here.
if [ -z "${SAMSA_TEST_BOOTSTRAP:-}" ]; then
    for i in $(seq 1 100); do
        n=0
        for id in 1 2 3; do
            grep -qx "$T 0 5" "$(broker_datadir "$id")/log-start-offset-checkpoint" \
                2>/dev/null && n=$((n + 1))
        done
        [ $n = 3 ] && break
        sleep 0.2
    done
    [ $n = 3 ] || fail "only $n of 3 replicas have log start 5 for $T-0"
    run 0 describe0 topics --describe --topic "$T"
    old=$(sed -n 's/.*Partition: 0	Leader: \([0-9]*\).*/\1/p' \
        "$work/describe0.out")
    [ -n "$old" ] || fail "no leader for $T-0"
    broker_kill "$old" TERM
    got=
    for i in $(seq 1 100); do
        if timeout 20 "$SAMSA" get-offsets --topic "$T" --partitions 0 \
            --time -2 >"$work/early0.out" 2>/dev/null; then
            got=$(sed -n "s/^$T:0://p" "$work/early0.out")
            [ -n "$got" ] && [ "$got" != -1 ] && break
        fi
        sleep 0.2
    done
    [ "$got" = 5 ] ||
        fail "after leader $old stopped, $T-0 starts at '$got', expected 5"
fi

check_brokers_alive
say "PASS: samsa perf tools and delete-records"
