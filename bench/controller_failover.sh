#!/bin/bash
# bench/controller_failover.sh: controller failover time against the size of
# the metadata tree.
#
# Starts ZooKeeper and 3 samsad brokers (tests/lib/cluster.sh: free loopback
# ports, temp dir, everything stopped by PID from the exit trap).  For each
# step in CF_STEPS (partition totals, default "1000 10000"): creates topics of
# CF_PARTS_PER_TOPIC (100) partitions, replication factor CF_RF (1), with
# `samsa topics --create` until the cluster holds that many partitions, waits
# until every partition has a leader, then kill -9s the controller (by PID)
# and measures from the kill:
#   elected  the new controller's log line "broker N is the controller"
#            (bounded below by zookeeper.session.timeout.ms, CF_SESSION_MS:
#            the old controller's ephemeral /controller znode must expire);
#   loaded   its line "controller loaded B broker(s), T topic(s), P
#            partition(s) in X ms" (X = reading the tree from ZooKeeper);
#   serving  every live broker answers Metadata (v1, all topics) with all P
#            partitions led by a live broker other than the killed one, and a
#            live controller (polled every 50 ms plus the time to fetch and
#            parse P partitions from each broker, ~0.1-0.3 s at 10k).
# With replication factor 1 the killed broker's partitions cannot get a new
# leader: "serving" then leaves them out (it still needs the new controller
# in every live broker's Metadata).  The killed broker is restarted before
# the next step.  File descriptors: each replica holds 3 (.log, .index,
# .timeindex), so a broker needs ~3 x partitions x RF / 3 of them; the script
# warns when that exceeds `ulimit -n` (the brokers then fail with EMFILE;
# etc/samsad.service sets LimitNOFILE=100000).
#
# Usage: bench/controller_failover.sh [BUILD_DIR]          (default ./build)
# Environment:
#   CF_STEPS            partition totals ("1000 10000")
#   CF_PARTS_PER_TOPIC  partitions per topic (100)
#   CF_RF               replication factor (1; 2 moves the dead controller's leaderships)
#   CF_SESSION_MS       zookeeper.session.timeout.ms (6000)
#   CF_WAIT             bound for each wait, s (300)
#   BENCH_TIMEOUT       bound for the whole script, s (2400)
#   BENCH_KEEP=1        keep the temp dir (logs)
#   BENCH_SAMSAD_OPTS   extra broker key=value overrides
set -u
if [ -z "${BENCH_GUARDED:-}" ]; then
    export BENCH_GUARDED=1
    exec timeout -k 20 "${BENCH_TIMEOUT:-2400}" bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-./build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "no build dir ${1:-./build}" >&2; exit 2; }
steps=${CF_STEPS:-1000 10000}
ppt=${CF_PARTS_PER_TOPIC:-100}
rf=${CF_RF:-1}
st=${CF_SESSION_MS:-6000}
wmax=${CF_WAIT:-300}
wire="/usr/bin/python3 $here/bench_wire.py"
samsa=$build/samsa

export top_srcdir=$(cd "$here/.." && pwd) top_builddir=$build SAMSAD=$build/samsad
[ "${BENCH_KEEP:-0}" = 1 ] && export SAMSA_TEST_KEEP=1
: "${SAMSA_TEST_BOOTSTRAP:=}"
. "$top_srcdir/tests/lib/cluster.sh"
require_zookeeper
[ -x "$samsa" ] || fail "$samsa not built"

overrides=(zookeeper.session.timeout.ms="$st")
for kv in ${BENCH_SAMSAD_OPTS:-}; do overrides+=("$kv"); done
cluster_start 3 "${overrides[@]}"

# log_time ID PATTERN T0: Unix time of the first line of broker ID's log
# matching PATTERN stamped after T0 (log stamps are UTC, ms); empty if none.
log_time() {
    /usr/bin/python3 - "$CLUSTER_DIR/broker-$1.log" "$2" "$3" <<'EOF'
import calendar, re, sys, time
path, pat, t0 = sys.argv[1], re.compile(sys.argv[2]), float(sys.argv[3])
for line in open(path, errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z ", line)
    if not m or not pat.search(line):
        continue
    t = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")) + int(m.group(2)) / 1000
    if t >= t0 - 0.001:
        print("%.3f %s" % (t, line.rstrip()))
        break
EOF
}

ntopics=0
results=()
for total in $steps; do
    need=$((total * rf + 200))
    [ "$need" -gt "$(ulimit -n)" ] &&
        say "WARNING: $total partitions x RF $rf need ~$need open files per broker; ulimit -n is $(ulimit -n)"
    want=$(( (total + ppt - 1) / ppt ))
    t0=$SECONDS
    while [ $ntopics -lt $want ]; do
        name=$(printf 'cf-%04d' $ntopics)
        ok=0
        for try in 1 2 3; do
            timeout 120 "$samsa" topics --bootstrap-server "$bootstrap" --create --topic "$name" \
                --partitions "$ppt" --replication-factor "$rf" --if-not-exists \
                >>"$CLUSTER_DIR/create.log" 2>&1 && { ok=1; break; }
            say "creating topic $name failed (try $try): $(tail -1 "$CLUSTER_DIR/create.log")"
            sleep 2
        done
        [ $ok = 1 ] || fail "creating topic $name (topic $((ntopics + 1)) of $want) failed 3 times"
        ntopics=$((ntopics + 1))
        [ $((ntopics % 10)) = 0 ] && say "created $ntopics topics ($((ntopics * ppt)) partitions) after $((SECONDS - t0)) s"
    done
    nparts=$((ntopics * ppt))
    say "$nparts partitions created in $((SECONDS - t0)) s; waiting for leaders"
    t_w=$(date +%s.%N)
    $wire wait-serving "$bootstrap" "$nparts" -1 "$wmax" "$t_w" >/dev/null ||
        fail "not all $nparts partitions have leaders after ${wmax}s"
    read -r ctrl np led < <($wire summary "$bootstrap")
    [ -n "$ctrl" ] && [ "$ctrl" -ge 1 ] || fail "no controller"
    say "$np partitions, controller $ctrl, leaders per broker $led; killing the controller"
    t_kill=$(date +%s.%N)
    broker_kill "$ctrl" KILL
    serving=$($wire wait-serving "$bootstrap" "$nparts" "$ctrl" "$wmax" "$t_kill") ||
        fail "$nparts partitions: cluster not serving ${wmax}s after killing controller $ctrl"
    elected= loaded= line=
    for id in 1 2 3; do
        [ "$id" = "$ctrl" ] && continue
        e=$(log_time "$id" 'is the controller' "$t_kill")
        [ -n "$e" ] || continue
        elected=$(awk -v a="$t_kill" -v b="${e%% *}" 'BEGIN { printf "%.3f", b - a }')
        l=$(log_time "$id" 'controller loaded' "$t_kill")
        if [ -n "$l" ]; then
            loaded=$(awk -v a="$t_kill" -v b="${l%% *}" 'BEGIN { printf "%.3f", b - a }')
            line=${l#* }
        fi
        newctrl=$id
    done
    say "$nparts partitions: killed controller $ctrl; broker ${newctrl:-?} elected after ${elected:-?} s, loaded after ${loaded:-?} s, all partitions served by live leaders after $serving s"
    say "  ${line:-no 'controller loaded' line}"
    load_ms=$(sed -n 's/.* in \([0-9]*\) ms$/\1/p' <<<"$line")
    results+=("partitions=$nparts rf=$rf killed=$ctrl new=${newctrl:-?} elected_s=${elected:-?} loaded_s=${loaded:-?} load_ms=${load_ms:-?} serving_s=$serving led_by_killed=$(tr , '\n' <<<"$led" | sed -n "s/^$ctrl://p")")
    check_brokers_alive
    broker_restart "$ctrl"
    # the restarted broker knows no controller until the controller's
    # UpdateMetadata reaches it: wait for that before creating more topics
    $wire wait-serving "$bootstrap" "$nparts" -1 "$wmax" "$(date +%s.%N)" >/dev/null ||
        fail "cluster not serving ${wmax}s after restarting broker $ctrl"
done

echo
echo "controller failover, 3 brokers, zookeeper.session.timeout.ms=$st, RF $rf, $ppt partitions per topic:"
for r in "${results[@]}"; do echo "RESULT mode=controller_failover session_timeout_ms=$st $r"; done
