#!/bin/bash
# bench/failover.sh: partition leader failover time under acks=all.
#
# Starts ZooKeeper and 3 samsad brokers (tests/lib/cluster.sh: free loopback
# ports, temp dir, everything stopped by PID from the exit trap), creates a
# topic with 1 partition, replication factor 3, min.insync.replicas=2, and
# runs a probe producer (bench/bench_wire.py probe: one 100-byte record per
# request, acks=all, re-reads Metadata and retries every 20 ms after an
# error) against it.  Then, for FAILOVER_ROUNDS rounds:
#   - ask Metadata for the partition's leader, kill -9 it (by PID);
#   - failover time = kill -> the first acks=all produce acknowledged by
#     another broker (the probe's receive time);
#   - restart the killed broker and wait until the ISR has 3 members again
#     (rejoin time = restart -> ISR of 3).
# Reports p50 and max of both over the rounds.  A kill -9 is seen by the
# controller only when the dead broker's ZooKeeper session expires, so the
# failover time is bounded below by zookeeper.session.timeout.ms: the script
# runs once per value in FAILOVER_SESSION_TIMEOUTS.
#
# Usage: bench/failover.sh [BUILD_DIR]          (default ./build)
# Environment:
#   FAILOVER_ROUNDS            rounds per session timeout (10)
#   FAILOVER_SESSION_TIMEOUTS  zookeeper.session.timeout.ms values ("6000 2000")
#   FAILOVER_ROUND_TIMEOUT     bound for one failover or rejoin, s (90)
#   BENCH_TIMEOUT              bound for the whole script, s (1500)
#   BENCH_KEEP=1               keep the temp dirs (logs, probe output)
#   BENCH_SAMSAD_OPTS          extra broker key=value overrides
set -u
if [ -z "${BENCH_GUARDED:-}" ]; then
    export BENCH_GUARDED=1
    exec timeout -k 20 "${BENCH_TIMEOUT:-1500}" bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-./build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "no build dir ${1:-./build}" >&2; exit 2; }
rounds=${FAILOVER_ROUNDS:-10}
round_tmo=${FAILOVER_ROUND_TIMEOUT:-90}
wire="/usr/bin/python3 $here/bench_wire.py"

# One cluster per session timeout: this script re-runs itself per value, so
# each run has its own cluster.sh state and exit trap.
if [ -z "${FAILOVER_ONE:-}" ]; then
    all=0
    for st in ${FAILOVER_SESSION_TIMEOUTS:-6000 2000}; do
        FAILOVER_ONE=$st bash "$0" "$build" || all=1
    done
    exit $all
fi
st=$FAILOVER_ONE

export top_srcdir=$(cd "$here/.." && pwd) top_builddir=$build SAMSAD=$build/samsad
[ "${BENCH_KEEP:-0}" = 1 ] && export SAMSA_TEST_KEEP=1
: "${SAMSA_TEST_BOOTSTRAP:=}"
. "$top_srcdir/tests/lib/cluster.sh"
require_zookeeper
[ -x "$build/bench/bench_kafka" ] || fail "$build/bench/bench_kafka not built"

overrides=(zookeeper.session.timeout.ms="$st" min.insync.replicas=2)
for kv in ${BENCH_SAMSAD_OPTS:-}; do overrides+=("$kv"); done
cluster_start 3 "${overrides[@]}"
topic=failover
"$build/bench/bench_kafka" produce --bootstrap "$bootstrap" --topic $topic \
    --partitions 1 --replication 3 --acks all --messages 1000 --timeout 60 \
    >"$CLUSTER_DIR/create.out" 2>&1 || { cat "$CLUSTER_DIR/create.out" >&2; fail "topic creation"; }
$wire wait-isr "$bootstrap" $topic 0 3 60 >/dev/null || fail "ISR never reached 3"

probe_out=$CLUSTER_DIR/probe.out
$wire probe "$bootstrap" $topic 0 >"$probe_out" 2>"$CLUSTER_DIR/probe.err" &
probe_pid=$!
track_pid $probe_pid probe
sleep 2
grep -q '^ack ' "$probe_out" || fail "probe: no acknowledged produce in 2 s"

now() { date +%s.%N; }
fo=() rj=()
for r in $(seq 1 "$rounds"); do
    read -r leader isr < <($wire leader "$bootstrap" $topic 0)
    [ -n "$leader" ] && [ "$leader" -ge 0 ] || fail "round $r: no leader ($leader)"
    ctrl=$($wire controller "$bootstrap")
    role=leader
    [ "$ctrl" = "$leader" ] && role="leader and controller"
    nlines=$(wc -l <"$probe_out")
    t_kill=$(now)
    broker_kill "$leader" KILL
    # first ack, received after the kill, from another leader
    t_ok=
    deadline=$((SECONDS + round_tmo))
    while [ $SECONDS -lt $deadline ]; do
        t_ok=$(tail -n +"$((nlines + 1))" "$probe_out" |
            awk -v k="$t_kill" -v d="$leader" '$1 == "ack" && $3 > k && $4 != d { print $3; exit }')
        [ -n "$t_ok" ] && break
        sleep 0.05
    done
    [ -n "$t_ok" ] || fail "round $r: no acks=all produce acknowledged ${round_tmo}s after killing broker $leader"
    f=$(awk -v a="$t_kill" -v b="$t_ok" 'BEGIN { printf "%.3f", b - a }')
    errs=$(tail -n +"$((nlines + 1))" "$probe_out" |
        awk -v k="$t_ok" '$1 == "err" && $3 <= k { n[$5]++ } END { for (c in n) printf "%s%s x%d", (s++ ? ", " : ""), c, n[c] }')
    fo+=("$f")
    t_restart=$(now)
    broker_restart "$leader"
    w=$($wire wait-isr "$bootstrap" $topic 0 3 "$round_tmo") || fail "round $r: broker $leader not back in the ISR after ${round_tmo}s"
    j=$(awk -v a="$t_restart" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
    rj+=("$j")
    say "session ${st} ms, round $r: killed broker $leader ($role, isr $isr): failover ${f} s (probe errors: ${errs:-none}); restart -> ISR 3: ${j} s"
done
check_brokers_alive
kill -0 $probe_pid 2>/dev/null || fail "probe died"

stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.3f s, max %.3f s (n=%d)", v[int((NR + 1) / 2)], v[NR], NR }'; }
echo "failover zookeeper.session.timeout.ms=$st: kill -9 leader -> next acks=all ack: $(stats "${fo[@]}")"
echo "failover zookeeper.session.timeout.ms=$st: restart -> back in ISR:         $(stats "${rj[@]}")"
echo "RESULT mode=failover session_timeout_ms=$st rounds=$rounds failover_s=$(IFS=,; echo "${fo[*]}") rejoin_s=$(IFS=,; echo "${rj[*]}")"
