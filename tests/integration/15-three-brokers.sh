#!/bin/bash
# 15-three-brokers: three samsad processes, one controller, the controller
# -> broker channel over the network (LeaderAndIsr, UpdateMetadata,
# StopReplica). Every broker's Metadata (asked of that broker alone) must
# agree with the state znodes in ZooKeeper: after CreateTopics (RF 1 and
# RF 3), CreatePartitions and DeleteTopics sent to a non-controller broker
# (they must complete, not time out), after the controller is killed (a new
# one is elected), and after a non-controller broker is killed (its RF 1
# partitions go leaderless, -1, everywhere) and restarted (they come back).
# Data goes through each RF 1 partition's leader. A topic deleted while one
# of its replicas is down waits for it (Kafka's deletion-ineligible
# replicas): once the broker is back its log files go too, then the
# znodes. See 15-three-brokers.py.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
require_py_module kazoo python3-kazoo

helper=$top_srcdir/tests/integration/15-three-brokers.py

cluster_start 3

addr() { echo "127.0.0.1:${BROKER_PORT[$1]}"; }
addrs_except() {
    local id list=
    for id in 1 2 3; do
        [ "$id" = "${1:-}" ] || [ "$id" = "${2:-}" ] && continue
        list=${list:+$list,}$(addr "$id")
    done
    echo "$list"
}
controller() {
    zkq json /controller | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])'
}

ctl=$(controller) || fail "no /controller"
say "controller is broker $ctl"
other=1
[ "$other" = "$ctl" ] && other=2

run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"
run_py "$helper" "$ZK_CONNECT" create "$(addr "$other")"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"
run_py "$helper" "$ZK_CONNECT" produce-consume "$bootstrap" three-rf1
check_brokers_alive

# the controller dies: another broker takes over and everyone agrees
owner=$(zkq owner /controller)
broker_kill "$ctl"
zkq wait /controller --not-owner "$owner" --timeout 30 >/dev/null ||
    fail "no new controller 30s after killing broker $ctl"
new=$(controller)
[ "$new" != "$ctl" ] || fail "broker $ctl is still the controller"
say "new controller: broker $new"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except "$ctl")" --dead "$ctl"
broker_restart "$ctl"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"

# a non-controller broker dies: its RF 1 partitions are leaderless
# everywhere; back when it restarts
victim=1
while [ "$victim" = "$new" ]; do victim=$((victim + 1)); done
broker_kill "$victim"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except "$victim")" --dead "$victim"
broker_restart "$victim"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"
run_py "$helper" "$ZK_CONNECT" produce-consume "$bootstrap" three-rf1
check_brokers_alive

# deleting a topic with a replica down: nothing is left behind
SAMSA=${SAMSA:-$top_builddir/samsa}
"$SAMSA" topics --bootstrap-server "$bootstrap" --create --topic three-gone \
    --partitions 2 --replication-factor 3 || fail "cannot create three-gone"
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"
victim=1
while [ "$victim" = "$(controller)" ]; do victim=$((victim + 1)); done
broker_kill "$victim"
run_py "$helper" "$ZK_CONNECT" delete-nowait "$(addr "$(controller)")" three-gone
sleep 2
zkq exists /brokers/topics/three-gone ||
    fail "three-gone deleted while its replica on broker $victim was down"
ls -d "$(broker_datadir "$victim")"/three-gone-* >/dev/null 2>&1 ||
    fail "broker $victim lost its three-gone logs while down"
broker_restart "$victim"
zkq wait-gone /brokers/topics/three-gone --timeout 30 ||
    fail "three-gone not deleted after broker $victim came back"
zkq wait-gone /admin/delete_topics/three-gone --timeout 30 ||
    fail "/admin/delete_topics/three-gone left behind"
deadline=$((SECONDS + 30))
for id in 1 2 3; do
    while ls -d "$(broker_datadir "$id")"/three-gone-* >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || fail "broker $id still has three-gone logs"
        sleep 0.3
    done
done
run_py "$helper" "$ZK_CONNECT" agree "$(addrs_except)"
check_brokers_alive
say PASS
