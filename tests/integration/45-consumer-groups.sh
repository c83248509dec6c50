#!/bin/bash
# 45-consumer-groups: consumer groups coordinated by the controller, offsets
# in ZooKeeper (DESIGN §5, §6 Groups); see 45-consumer-groups.py for the
# client-side checks. Here: two brokers (the coordinator is the controller,
# wherever the client connects), then every group's committed offsets are
# plain decimals at /consumers/<group>/offsets/<topic>/<p> and its samsa
# node at /samsa/groups/<group> is JSON.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-600}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
require_py_module kafka python3-kafka
require_own_cluster

cluster_start 2 group.initial.rebalance.delay.ms=500
out=$CLUSTER_DIR/groups.out
say "running 45-consumer-groups.py"
"$PY" -u "$top_srcdir/tests/integration/45-consumer-groups.py" "$bootstrap" \
    "$CLUSTER_DIR" >"$out" || {
    rc=$?; check_brokers_alive; fail "45-consumer-groups.py failed ($rc)"; }
n=0
while read -r tag group topic; do
    [ "$tag" = GROUP ] || continue
    for p in 0 1 2 3 4 5; do
        v=$(zkq get "/consumers/$group/offsets/$topic/$p") ||
            fail "no offset node /consumers/$group/offsets/$topic/$p"
        case $v in
        '' | *[!0-9]*) fail "offset node of $group $topic/$p is not a decimal: $v" ;;
        esac
        [ "$v" -gt 0 ] || fail "offset of $group $topic/$p is $v"
    done
    zkq json "/samsa/groups/$group" >/dev/null ||
        fail "/samsa/groups/$group missing or not JSON"
    n=$((n + 1))
done <"$out"
[ $n -ge 5 ] || fail "only $n groups reported"
say "offsets of $n groups are plain decimals under /consumers"
"$PY" "$top_srcdir/tests/lib/zk_validate.py" "$ZK_CONNECT"
case $? in
0 | 77) ;;
*) fail "the tree with groups does not validate against zk-schema/" ;;
esac
check_brokers_alive
say PASS
