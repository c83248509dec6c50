#!/bin/bash
# 47-group-failover: the group coordinator (hosted by the controller, DESIGN
# §6 Groups) moves when the controller is killed with -9 in the middle of
# consumption. Three brokers, a 6-partition topic with replication factor 3,
# three confluent_kafka consumers with manual commits; see
# 47-group-failover.py for the checks (consumption continues on the new
# coordinator, no successful commit is lost or moved back, every message is
# consumed at least once; OffsetDelete at the end). This script owns the
# brokers: the Python side asks for the kill through a file in CLUSTER_DIR.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-600}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
require_py_module kazoo python3-kazoo
require_own_cluster

cluster_start 3 group.initial.rebalance.delay.ms=500
say "running 47-group-failover.py"
"$PY" -u "$top_srcdir/tests/integration/47-group-failover.py" "$bootstrap" \
    "$ZK_CONNECT" "$CLUSTER_DIR" &
pypid=$!
track_pid "$pypid" 47-group-failover.py
# the Python side writes kill-now once consumption is well under way
for _ in $(seq 1 1800); do
    [ -e "$CLUSTER_DIR/kill-now" ] && break
    kill -0 "$pypid" 2>/dev/null || break
    sleep 0.1
done
if [ -e "$CLUSTER_DIR/kill-now" ]; then
    ctl=$(zkq json /controller |
          "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])') ||
        fail "no /controller"
    say "killing the controller (broker $ctl, the group coordinator) with -9"
    broker_kill "$ctl" KILL
    echo "$ctl" >"$CLUSTER_DIR/killed.tmp"
    mv "$CLUSTER_DIR/killed.tmp" "$CLUSTER_DIR/killed"
fi
wait "$pypid"
rc=$?
unset "_tracked_pids[$pypid]"
if [ $rc -ne 0 ]; then
    check_brokers_alive
    [ $rc = 77 ] && skip "47-group-failover.py skipped"
    fail "47-group-failover.py failed ($rc)"
fi
[ -e "$CLUSTER_DIR/killed" ] || fail "the controller was never killed"
"$PY" "$top_srcdir/tests/lib/zk_validate.py" "$ZK_CONNECT"
case $? in
0 | 77) ;;
*) fail "the tree after the failover does not validate against zk-schema/" ;;
esac
check_brokers_alive
say PASS
