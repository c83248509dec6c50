#!/bin/bash
# 75-reassignment: partition reassignment (KIP-455; DESIGN §5-6;
# src/controller/ctl_reassign.c). Four brokers, a topic of 4 partitions
# with RF 2 placed by hand, and an acks=all producer writing
# sequence-numbered messages the whole time:
#  - AlterPartitionReassignments moves a partition to two other brokers:
#    ListPartitionReassignments shows it while it runs; then ZooKeeper,
#    the state and every broker's Metadata show only the target, the old
#    replicas' log directories are gone and the new ones exist;
#  - a move whose target leaves out the leader moves the leadership;
#  - /admin/reassign_partitions grows a partition to three replicas and
#    the controller deletes the znode when done;
#  - a reassignment to a SIGSTOPped broker stays in progress; cancelling
#    it restores the original replicas (NO_REASSIGNMENT_IN_PROGRESS on a
#    second cancel);
#  - one to a SIGSTOPped broker survives a kill -9 of the controller and
#    completes under the new one;
#  - bad targets (unknown broker, duplicates, empty, unknown partition)
#    and a request to a broker that is not the controller get Kafka's
#    errors;
#  - a replica removed while its broker is down is deleted when it is
#    back;
#  - samsa reassign-partitions: --generate over brokers 1,2, --execute
#    with --throttle, --verify until complete (throttles cleared), --list
#    and --cancel of a move held up by a stopped broker;
#  - every acknowledged message is there at the end, in order.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-400}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
require_py_module kazoo python3-kazoo
helper=$top_srcdir/tests/integration/75-reassignment.py
chaos=$top_srcdir/tests/fault/20-chaos.py
hp() { "$PY" "$helper" "$@"; }
T=moves
parts=4

cluster_start 4 zookeeper.session.timeout.ms=6000 replica.lag.time.max.ms=4000 \
    auto.leader.rebalance.enable=false
run_py "$helper" create "$bootstrap" "$T" 1:2,2:3,3:4,4:1

addr() { echo "127.0.0.1:${BROKER_PORT[$1]}"; }
addrs() {
    local id list=
    for id in 1 2 3 4; do list=${list:+$list,}$id:$(addr "$id"); done
    echo "$list"
}
controller() {
    zkq json /controller | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])'
}
healthy() {
    run_py "$chaos" healthy "$ZK_CONNECT" "$(addrs)" "$T" $parts --timeout 60 ||
        fail "$1: Metadata disagrees with ZooKeeper or the ISR is not full"
}
has_dir() { [ -d "$(broker_datadir "$1")/$T-$2" ]; }
wait_no_dir() {
    local deadline=$((SECONDS + 30))
    while has_dir "$1" "$2"; do
        [ $SECONDS -lt $deadline ] ||
            fail "broker $1 still has $T-$2 after the reassignment"
        sleep 0.3
    done
}
alter() { hp alter "$(addr "$(controller)")" "$T" "$@"; }

ackfile=$CLUSTER_DIR/deliveries.txt
stopfile=$CLUSTER_DIR/stop
: >"$ackfile"
"$PY" -u "$chaos" produce "$bootstrap" "$T" $parts "$ackfile" "$stopfile" &
prod=$!
track_pid $prod producer
acks() { grep -c '^A' "$ackfile"; }
wait_more_acks() {
    local want=$(($(acks) + $1)) deadline=$((SECONDS + 60))
    while [ "$(acks)" -lt "$want" ]; do
        kill -0 $prod 2>/dev/null || fail "producer exited early"
        [ $SECONDS -lt $deadline ] || fail "the producer is stuck at $(acks) acks"
        sleep 0.2
    done
}
wait_more_acks 2000
healthy start

# ---- a move to two other brokers: 0 [1,2] -> [3,4]
out=$(alter 0 3,4) || fail "alter 0 -> 3,4: $out"
hp list "$(addr "$(controller)")" >"$CLUSTER_DIR/list.out"
say "listed while running: $(cat "$CLUSTER_DIR/list.out")"
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 0 3,4 60 ||
    fail "0 -> 3,4 did not complete"
wait_no_dir 1 0
wait_no_dir 2 0
has_dir 3 0 && has_dir 4 0 || fail "brokers 3 and 4 do not hold $T-0"
wait_more_acks 500
healthy "move 0 -> 3,4"

# ---- the leader leaves: 3 [4,1] -> [2,3]
out=$(alter 3 2,3) || fail "alter 3 -> 2,3: $out"
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 3 2,3 60 ||
    fail "3 -> 2,3 did not complete"
wait_more_acks 500
healthy "move 3 -> 2,3"

# ---- /admin/reassign_partitions: 1 [2,3] -> [2,3,1]
run_py "$helper" znode "$ZK_CONNECT" "$T" 1 2,3,1 60 ||
    fail "the controller did not finish /admin/reassign_partitions"
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 1 2,3,1 60 ||
    fail "1 -> 2,3,1 did not complete"
healthy "znode 1 -> 2,3,1"

# a broker that is neither the controller nor involved, to stop
spare() {
    local c=$(controller) id
    for id in 4 3 2 1; do
        [ "$id" != "$c" ] && [ "$id" != "$1" ] && [ "$id" != "$2" ] &&
            [ "$id" != "$3" ] && { echo "$id"; return; }
    done
}

# ---- cancel: 2 [3,4] -> [3,4,x] with x stopped, then cancel
x=$(spare 3 4)
say "stopping broker $x for the cancel"
kill -STOP "${BROKER_PID[$x]}"
out=$(alter 2 3,4,"$x") || { kill -CONT "${BROKER_PID[$x]}"; fail "alter 2: $out"; }
sleep 1
hp list "$(addr "$(controller)")" | grep -q "^$T-2 \[3, 4, $x\] \[$x\] \[\]" ||
    { kill -CONT "${BROKER_PID[$x]}"; fail "partition 2 not listed as adding $x"; }
out=$(alter 2 cancel) || { kill -CONT "${BROKER_PID[$x]}"; fail "cancel 2: $out"; }
kill -CONT "${BROKER_PID[$x]}"
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 2 3,4 60 ||
    fail "cancelling 2 did not restore 3,4"
out=$(alter 2 cancel) && fail "a second cancel succeeded: $out"
[ "$out" = "NO_REASSIGNMENT_IN_PROGRESS No reassignment is in progress for this partition." ] ||
    fail "second cancel: $out"
wait_no_dir "$x" 2
healthy "cancel 2"

# ---- controller failover in the middle: 0 [3,4] -> [4,y] with y stopped
c=$(controller)
y=$(spare 3 4 "$c")
[ -n "$y" ] || y=$(spare 4)
say "controller $c; stopping broker $y, then killing the controller"
kill -STOP "${BROKER_PID[$y]}"
out=$(alter 0 4,"$y") || { kill -CONT "${BROKER_PID[$y]}"; fail "alter 0: $out"; }
broker_kill "$c" KILL
kill -CONT "${BROKER_PID[$y]}"
sleep 1
broker_restart "$c"
deadline=$((SECONDS + 30))
until [ -n "$(controller 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || fail "no controller after the failover"
    sleep 0.3
done
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 0 4,"$y" 90 ||
    fail "0 -> 4,$y did not complete after the controller failover"
[ "$y" = 3 ] || wait_no_dir 3 0
wait_more_acks 500
healthy "failover during 0 -> 4,$y"

# ---- a replica removed while its broker is down goes when it is back:
# 2 [3,4] -> [other,1] with z down
c=$(controller)
z=4; [ "$c" = 4 ] && z=3
other=$((7 - z))
w=1; [ "$c" = 1 ] && w=2
say "controller $c; killing broker $z, then moving 2 to $other,$w"
broker_kill "$z" KILL
out=$(alter 2 "$other,$w") || fail "alter 2 -> $other,$w: $out"
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 2 "$other,$w" 60 ||
    fail "2 -> $other,$w did not complete with broker $z down"
has_dir "$z" 2 || fail "broker $z lost $T-2 while down"
broker_restart "$z"
wait_no_dir "$z" 2
healthy "2 -> $other,$w with broker $z down"

# ---- the same through samsa reassign-partitions
SAMSA=${SAMSA:-$top_builddir/samsa}
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
work=$CLUSTER_DIR/tool
mkdir -p "$work"
echo "{\"version\":1,\"topics\":[{\"topic\":\"$T\"}]}" >"$work/topics.json"
"$SAMSA" reassign-partitions --generate --topics-to-move-json-file "$work/topics.json" \
    --broker-list 1,2 >"$work/gen.out" || fail "--generate failed"
grep -q "^Proposed partition reassignment configuration" "$work/gen.out" ||
    { cat "$work/gen.out" >&2; fail "--generate printed no proposal"; }
tail -1 "$work/gen.out" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
assert len(d["partitions"]) == 4, d
for p in d["partitions"]:
    assert sorted(p["replicas"]) in ([1, 2], [1, 2, 1][:len(p["replicas"])]) or set(p["replicas"]) <= {1, 2}, p
' || fail "--generate proposed brokers outside 1,2: $(tail -1 "$work/gen.out")"
# move 3 [2,3] -> [1,4] with a throttle, verify until done
echo "{\"version\":1,\"partitions\":[{\"topic\":\"$T\",\"partition\":3,\"replicas\":[1,4]}]}" \
    >"$work/move.json"
"$SAMSA" reassign-partitions --execute --reassignment-json-file "$work/move.json" \
    --throttle 50000000 >"$work/exec.out" 2>&1 ||
    { cat "$work/exec.out" >&2; fail "--execute failed"; }
grep -q "Successfully started partition reassignment" "$work/exec.out" ||
    { cat "$work/exec.out" >&2; fail "--execute: unexpected output"; }
deadline=$((SECONDS + 60))
while :; do
    "$SAMSA" reassign-partitions --verify --reassignment-json-file "$work/move.json" \
        >"$work/verify.out" 2>&1
    rc=$?
    [ $rc = 0 ] && break
    [ $rc = 4 ] || { cat "$work/verify.out" >&2; fail "--verify exited $rc"; }
    [ $SECONDS -lt $deadline ] || fail "--verify: still in progress after 60 s"
    sleep 0.5
done
grep -q "Reassignment of partition $T-3 is complete" "$work/verify.out" ||
    { cat "$work/verify.out" >&2; fail "--verify: unexpected output"; }
# DescribeConfigs reads ZooKeeper: the cleared throttles are gone at once,
# whichever broker answers
for id in 1 2 3 4; do
    "$SAMSA" configs --bootstrap-server "$(addr "$id")" --describe \
        --entity-type topics --entity-name "$T" >"$work/cfg.out" ||
        fail "configs --describe at broker $id failed"
    grep -q "replication.throttled.replicas" "$work/cfg.out" &&
        { cat "$work/cfg.out" >&2; fail "broker $id still shows the topic throttles after --verify"; }
done
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 3 1,4 30 ||
    fail "3 -> 1,4 is not what ZooKeeper shows"
# --list and --cancel of one held up by a stopped broker
x=$(spare 1 4)
echo "{\"version\":1,\"partitions\":[{\"topic\":\"$T\",\"partition\":3,\"replicas\":[1,4,$x]}]}" \
    >"$work/held.json"
kill -STOP "${BROKER_PID[$x]}"
"$SAMSA" reassign-partitions --execute --reassignment-json-file "$work/held.json" \
    >"$work/exec2.out" 2>&1 || { kill -CONT "${BROKER_PID[$x]}"; cat "$work/exec2.out" >&2; fail "--execute (held) failed"; }
"$SAMSA" reassign-partitions --list >"$work/list.out" 2>&1
grep -q "^$T-3: replicas: 1,4,$x. adding: $x.$" "$work/list.out" ||
    { kill -CONT "${BROKER_PID[$x]}"; cat "$work/list.out" >&2; fail "--list: unexpected output"; }
# (--preserve-throttles: clearing them asks every broker, the stopped one
# too; there are none to clear)
"$SAMSA" reassign-partitions --cancel --preserve-throttles \
    --reassignment-json-file "$work/held.json" \
    >"$work/cancel.out" 2>&1 || { kill -CONT "${BROKER_PID[$x]}"; cat "$work/cancel.out" >&2; fail "--cancel failed"; }
kill -CONT "${BROKER_PID[$x]}"
grep -q "Successfully cancelled partition reassignments\{0,1\} for: $T-3" "$work/cancel.out" ||
    { cat "$work/cancel.out" >&2; fail "--cancel: unexpected output"; }
run_py "$helper" wait-done "$ZK_CONNECT" "$(addr "$(controller)")" "$T" 3 1,4 60 ||
    fail "cancel through the tool did not restore 1,4"
healthy "samsa reassign-partitions"

# ---- errors
c=$(controller)
expect() {
    local want=$1 out
    shift
    out=$(hp alter "$@")
    case $out in
    "$want"*) ;;
    *) fail "alter $*: '$out', want $want" ;;
    esac
}
expect INVALID_REPLICA_ASSIGNMENT "$(addr "$c")" "$T" 1 1,9
expect INVALID_REPLICA_ASSIGNMENT "$(addr "$c")" "$T" 1 1,1
expect INVALID_REPLICA_ASSIGNMENT "$(addr "$c")" "$T" 1 ,
expect UNKNOWN_TOPIC_OR_PARTITION "$(addr "$c")" "$T" 7 1,2
expect UNKNOWN_TOPIC_OR_PARTITION "$(addr "$c")" nosuch 0 1,2
o=1; [ "$c" = 1 ] && o=2
expect NOT_CONTROLLER "$(addr "$o")" "$T" 1 1,2

# ---- nothing acknowledged is lost
touch "$stopfile"
wait $prod || fail "producer failed"
run_py "$chaos" verify "$bootstrap" "$T" $parts "$ackfile" ||
    fail "acknowledged messages lost or out of order"
check_brokers_alive
say "PASS"
