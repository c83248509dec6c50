#!/bin/bash
# 30-netns-partition: a network partition, not a crash.  ZooKeeper runs in
# the root namespace on a test-private bridge (10.231.N.1/24), each of three
# brokers in its own network namespace behind a veth pair on that bridge.
# Topic: 3 partitions, RF 3, min.insync.replicas 2.  An acks=all producer in
# the root namespace writes to every partition; a second acks=all producer
# inside the namespace of partition 0's leader talks to that leader only.
# The leader's link is then cut (ip link set <veth> down): it loses
# ZooKeeper and the other brokers, but still hears the producer in its
# namespace.  Writes go on through the surviving brokers; after the cut is
# healed, every write acknowledged with acks=all -- including any the
# isolated leader acknowledged after the cut -- must be in the log (DESIGN
# section 6: a leader cut off from the controller cannot shrink the ISR to
# itself, so it must not acknowledge alone).  Needs root and iproute2 (else
# exit 77).  Every namespace, link and process is removed on every exit
# path.  See 30-netns-partition.py.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
require_cmd ip iproute2

helper=$top_srcdir/tests/fault/30-netns-partition.py
topic=netsplit
parts=3
session_ms=4000
cut_secs=${SAMSA_NETNS_CUT_SECS:-15}

# test-private names and addresses: tag from our PID, subnet 10.231.N.0/24
tag=$(($$ % 100000))
net=10.231.$(($$ % 250 + 1))
br=sbr$tag
declare -A VETH_HOST=()
NETNS_MADE=()

net_teardown() {
    local ns
    [ -n "${VETH_HOST[*]:-}" ] && for ns in "${VETH_HOST[@]}"; do
        ip link del "$ns" 2>/dev/null
    done
    for ns in "${NETNS_MADE[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    ip link show "$br" >/dev/null 2>&1 && ip link del "$br" 2>/dev/null
    return 0
}

cluster_init
CLUSTER_EXIT_HOOKS+=(net_teardown)

ip -br addr | grep -q " $net\." && skip "$net.0/24 already in use here"
ip link add "$br" type bridge 2>/dev/null ||
    skip "cannot create a bridge (no CAP_NET_ADMIN?)"
ip addr add "$net.1/24" dev "$br" && ip link set "$br" up || fail "bridge setup"
for id in 1 2 3; do
    ns=samsa$tag-b$id
    ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces"
    NETNS_MADE+=("$ns")
    VETH_HOST[$id]=sh$tag$id
    ip link add "sh$tag$id" type veth peer name "sn$tag$id" netns "$ns" &&
        ip link set "sh$tag$id" master "$br" up &&
        ip -n "$ns" link set lo up &&
        ip -n "$ns" addr add "$net.$((10 + id))/24" dev "sn$tag$id" &&
        ip -n "$ns" link set "sn$tag$id" up || fail "veth setup for broker $id"
    BROKER_NETNS[$id]=$ns
    BROKER_HOST[$id]=$net.$((10 + id))
done
ZK_LISTEN_HOST=$net.1
say "network: bridge $br $net.1/24, namespaces ${NETNS_MADE[*]}"

cluster_start 3 zookeeper.session.timeout.ms=$session_ms \
    replica.lag.time.max.ms=5000
run_py "$helper" create "$bootstrap" "$topic" $parts
leader=$(run_py "$helper" leader "$bootstrap" "$topic" 0) || fail "no leader"
say "partition 0 is led by broker $leader (namespace ${BROKER_NETNS[$leader]})"
controller=$(zkq json /controller | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])')
say "controller is broker $controller"

stopfile=$CLUSTER_DIR/stop
all=$(seq -s, 0 $((parts - 1)))
"$PY" -u "$helper" produce "$bootstrap" "$topic" "$all" main \
    "$CLUSTER_DIR/acks-main.txt" "$stopfile" &
pmain=$!
track_pid $pmain producer-main
# ip netns exec execs: $! is the python process
ip netns exec "${BROKER_NETNS[$leader]}" "$PY" -u "$helper" produce \
    "${BROKER_HOST[$leader]}:${BROKER_PORT[$leader]}" "$topic" 0 iso \
    "$CLUSTER_DIR/acks-iso.txt" "$stopfile" &
piso=$!
track_pid $piso producer-iso

acks() { cat "$CLUSTER_DIR"/acks-$1.txt 2>/dev/null | grep -c '^A'; }
wait_acks() {  # TAG N SECS
    local deadline=$((SECONDS + $3))
    while [ "$(acks "$1")" -lt "$2" ]; do
        [ $SECONDS -lt $deadline ] || fail "producer $1: only $(acks "$1") of $2 acks after $3 s"
        sleep 0.2
    done
}
wait_acks main 300 60
wait_acks iso 100 60

cut=$(date +%s.%N)
ip link set "${VETH_HOST[$leader]}" down || fail "cannot cut broker $leader"
say "CUT broker $leader off (link ${VETH_HOST[$leader]} down); acks so far: main $(acks main), iso $(acks iso)"
main_at_cut=$(acks main)
iso_at_cut=$(acks iso)
# the survivors must elect a new leader and take acks=all writes again
wait_acks main $((main_at_cut + 300)) 60
sleep "$cut_secs"
check_brokers_alive
say "during the cut: main +$(( $(acks main) - main_at_cut )) acks, iso +$(( $(acks iso) - iso_at_cut )) acks"
heal=$(date +%s.%N)
ip link set "${VETH_HOST[$leader]}" up || fail "cannot heal"
say "HEALED broker $leader"

# the isolated broker re-registers and every partition has a leader
deadline=$((SECONDS + 60))
until zkq exists "/brokers/ids/$leader" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "broker $leader not registered 60 s after healing"
    sleep 0.5
done
n=$(acks main)
wait_acks main $((n + 300)) 60
sleep 5
touch "$stopfile"
for pid in $pmain $piso; do
    wait $pid || fail "producer $pid exited with status $?"
    unset "_tracked_pids[$pid]"
done
check_brokers_alive
run_py "$helper" verify "$bootstrap" "$topic" $parts "$cut" "$heal" \
    "$CLUSTER_DIR/acks-main.txt" "$CLUSTER_DIR/acks-iso.txt"
say PASS
