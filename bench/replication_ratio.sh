#!/bin/bash
# bench/replication_ratio.sh: what replication costs in produce throughput.
#
# On one machine, with the same client settings (bench/bench_kafka produce,
# librdkafka, 100-byte values, RR_PARTITIONS partitions, linger.ms 5,
# batch.size 1 MB, no compression):
#   rf1  acks=1,   replication factor 1, on a cluster of 1 broker;
#   rf3  acks=all, replication factor 3, min.insync.replicas=2, after two
#        more brokers joined (3 brokers; the rf1 topic stays idle on broker 1).
# Each run produces RR_MSGS messages to a fresh topic; RR_REPEAT runs of
# each, the median is reported, and the ratio rf3 / rf1.  ZooKeeper and the
# brokers come from tests/lib/cluster.sh (free loopback ports, temp dir,
# everything stopped by PID from the exit trap).  All processes share the
# machine's cores: with 3 brokers, the followers' fetches compete with the
# leader and the client for the same CPUs.
#
# Usage: bench/replication_ratio.sh [BUILD_DIR]          (default ./build)
# Environment:
#   RR_MSGS        messages per run (10000000)
#   RR_PARTITIONS  partitions per topic (4)
#   RR_REPEAT      runs of each (3)
#   BENCH_TIMEOUT  bound for the whole script, s (1500)
#   BENCH_KEEP=1   keep the temp dir (logs, bench_kafka output)
#   BENCH_SAMSAD_OPTS  extra broker key=value overrides
set -u
if [ -z "${BENCH_GUARDED:-}" ]; then
    export BENCH_GUARDED=1
    exec timeout -k 20 "${BENCH_TIMEOUT:-1500}" bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-./build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "no build dir ${1:-./build}" >&2; exit 2; }
n=${RR_MSGS:-10000000}
parts=${RR_PARTITIONS:-4}
repeat=${RR_REPEAT:-3}
bench=$build/bench/bench_kafka

export top_srcdir=$(cd "$here/.." && pwd) top_builddir=$build SAMSAD=$build/samsad
[ "${BENCH_KEEP:-0}" = 1 ] && export SAMSA_TEST_KEEP=1
: "${SAMSA_TEST_BOOTSTRAP:=}"
. "$top_srcdir/tests/lib/cluster.sh"
require_zookeeper
[ -x "$bench" ] || fail "$bench not built (needs librdkafka-dev at configure time)"

overrides=(min.insync.replicas=2)
for kv in ${BENCH_SAMSAD_OPTS:-}; do overrides+=("$kv"); done

# run NAME ACKS RF: one bench_kafka produce run into a fresh topic; prints
# its msgs_per_s.
run() {
    local name=$1 acks=$2 rf=$3 out
    out=$CLUSTER_DIR/$name.out
    timeout 30 sync
    timeout -k 5 300 "$bench" produce --bootstrap "$bootstrap" --topic "$name" \
        --partitions "$parts" --replication "$rf" --acks "$acks" --size 100 \
        --messages "$n" --timeout 240 >"$out" 2>"$CLUSTER_DIR/$name.err" ||
        { check_brokers_alive; head -20 "$CLUSTER_DIR/$name.err" >&2; fail "$name: bench_kafka failed"; }
    say "$name: $(grep -m1 'msgs/s' "$out")"
    sed -n 's/^RESULT .*msgs_per_s=\([0-9.]*\).*/\1/p' "$out" | tail -1
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

cluster_start 1 "${overrides[@]}"
r1=()
for i in $(seq 1 "$repeat"); do r1+=("$(run "rr-rf1-$i" 1 1)"); done
broker_start 2 "${overrides[@]}"
broker_start 3 "${overrides[@]}"
/usr/bin/python3 "$here/bench_wire.py" wait-serving "$bootstrap" "$((repeat * parts))" -1 60 "$(date +%s.%N)" >/dev/null ||
    fail "brokers 2 and 3 did not join"
r3=()
for i in $(seq 1 "$repeat"); do r3+=("$(run "rr-rf3-$i" all 3)"); done
check_brokers_alive

m1=$(median "${r1[@]}") m3=$(median "${r3[@]}")
echo
echo "produce 100 B, $parts partitions, $n messages per run, median of $repeat:"
echo "  acks=1   RF 1, 1 broker:   $m1 msg/s   (runs: ${r1[*]})"
echo "  acks=all RF 3, 3 brokers:  $m3 msg/s   (runs: ${r3[*]})"
awk -v a="$m1" -v b="$m3" 'BEGIN { if (a > 0) printf "  ratio acks=all RF 3 / acks=1 RF 1: %.2f\n", b / a }'
echo "RESULT mode=replication_ratio partitions=$parts messages=$n rf1_acks1_msgs_per_s=$m1 rf3_acksall_msgs_per_s=$m3 rf1_runs=$(IFS=,; echo "${r1[*]}") rf3_runs=$(IFS=,; echo "${r3[*]}")"
