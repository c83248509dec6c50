#!/bin/bash
# bench/groups.sh: group coordinator figures (DESIGN §6 Groups): offset
# commits per second, and rebalance time against the group's size.
#
# Starts ZooKeeper and GB_BROKERS (1) samsad brokers (tests/lib/cluster.sh:
# free loopback ports, temp dir, everything stopped by PID from the exit
# trap), creates a topic of GB_PARTS (8) partitions, then runs
# bench/groups.py over the raw wire:
#   commits    GB_GROUPS (4) simple-consumer groups in parallel, each with
#              GB_DEPTH (16) OffsetCommit requests in flight for GB_SECONDS
#              (10), GB_PARTS partitions per commit; one ZooKeeper multi-op
#              per commit, so this is bound by ZooKeeper's write path
#              (standalone, txn log fsync'd as Debian ships it);
#   rebalance  for each size in GB_SIZES ("10 50"): N-1 Stable members, then
#              member N joins (time to every member holding the new
#              generation's assignment) and leaves again (time to the N-1
#              others holding the next one), GB_ROUNDS (3) rounds, members
#              heartbeating every GB_HEARTBEAT_MS (100).
#
# Usage: bench/groups.sh [BUILD_DIR]          (default ./build)
# Environment: the GB_* knobs above, BENCH_TIMEOUT (900), BENCH_KEEP=1 keep
# the temp dir, BENCH_SAMSAD_OPTS extra broker key=value overrides.
set -u
if [ -z "${BENCH_GUARDED:-}" ]; then
    export BENCH_GUARDED=1
    exec timeout -k 20 "${BENCH_TIMEOUT:-900}" bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-./build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "no build dir ${1:-./build}" >&2; exit 2; }
nb=${GB_BROKERS:-1}
parts=${GB_PARTS:-8}
groups=${GB_GROUPS:-4}
depth=${GB_DEPTH:-16}
secs=${GB_SECONDS:-10}
sizes=${GB_SIZES:-10 50}
rounds=${GB_ROUNDS:-3}
hb=${GB_HEARTBEAT_MS:-100}
samsa=$build/samsa

export top_srcdir=$(cd "$here/.." && pwd) top_builddir=$build SAMSAD=$build/samsad
[ "${BENCH_KEEP:-0}" = 1 ] && export SAMSA_TEST_KEEP=1
: "${SAMSA_TEST_BOOTSTRAP:=}"
. "$top_srcdir/tests/lib/cluster.sh"
require_zookeeper
[ -x "$samsa" ] || fail "$samsa not built"

overrides=(group.initial.rebalance.delay.ms=500)
for kv in ${BENCH_SAMSAD_OPTS:-}; do overrides+=("$kv"); done
cluster_start "$nb" "${overrides[@]}"
"$samsa" topics --bootstrap-server "$bootstrap" --create --topic bench-groups \
    --partitions "$parts" --replication-factor 1 >"$CLUSTER_DIR/create.log" 2>&1 ||
    fail "creating the topic failed: $(tail -1 "$CLUSTER_DIR/create.log")"
/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1])
import samsa_it as it; it.wait_topic(sys.argv[2], "bench-groups", int(sys.argv[3]))
' "$top_srcdir/tests/lib" "$bootstrap" "$parts" || fail "topic not ready"

py="/usr/bin/python3 -u $here/groups.py"
say "offset commits: $groups groups x $depth in flight, $parts partitions per commit, ${secs}s"
$py commits "$bootstrap" bench-groups "$groups" "$parts" "$secs" "$depth" ||
    fail "commits reported errors"
say "offset commits: 1 group, 1 in flight (latency), 1 partition per commit"
$py commits "$bootstrap" bench-groups 1 1 "$((secs / 2 > 0 ? secs / 2 : 1))" 1 ||
    fail "commits reported errors"
for n in $sizes; do
    say "rebalance: $n members, $rounds rounds, heartbeat ${hb} ms"
    $py rebalance "$bootstrap" "$n" "$rounds" "$hb" || fail "rebalance $n failed"
done
check_brokers_alive
say "done"
