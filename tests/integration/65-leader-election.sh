#!/bin/bash
# 65-leader-election: preferred leader election (DESIGN §6; Kafka's
# KafkaController.onReplicaElection, KIP-183/460; ctl_elect.c).
# Three brokers, a topic of 6 partitions with RF 3 (each broker prefers 2):
#  - restarting a broker (controlled shutdown) leaves it leading none of
#    its preferred partitions;
#  - samsa leader-election --topic/--partition, then
#    --all-topic-partitions, give them back (ElectLeaders); a second run
#    says "Valid replica already elected"; an unknown partition fails;
#  - after another restart, /admin/preferred_replica_election does the
#    same and the controller deletes the node;
#  - a rolling restart with auto.leader.rebalance.enable and a 2 s check
#    interval: the controller restores the preferred leaders by itself.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module kazoo python3-kazoo
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"
helper=$top_srcdir/tests/integration/65-leader-election.py
hp() { "$PY" "$helper" "$@"; }

cluster_start 3 auto.leader.rebalance.enable=false \
    controlled.shutdown.retry.backoff.ms=500
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
T=le-t
work=$CLUSTER_DIR/le
mkdir -p "$work"

"$SAMSA" topics --create --topic "$T" --partitions 6 --replication-factor 3 ||
    fail "cannot create $T"
hp wait-isr "$ZK_CONNECT" "$T" 3 || fail "$T: ISR not full"
hp preferred "$ZK_CONNECT" "$T" || fail "$T: leaders not preferred at creation"

ctl=$(zkq json /controller | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])') ||
    fail "cannot read /controller"
x=1; [ "$ctl" = 1 ] && x=2
say "controller: broker $ctl; restarting broker $x"

bounce() {
    broker_restart "$1"
    hp wait-isr "$ZK_CONNECT" "$T" 3 || fail "$T: broker $1 did not rejoin the ISR"
    hp not-leading "$ZK_CONNECT" "$T" "$1" ||
        fail "broker $1 still leads its preferred partitions after a restart"
}

# ---- ElectLeaders through samsa leader-election
bounce "$x"
p=$(hp prefers "$ZK_CONNECT" "$T" "$x" | awk '{print $1}')
"$SAMSA" leader-election --election-type preferred --topic "$T" \
    --partition "$p" >"$work/one.out" 2>"$work/one.err" ||
    { cat "$work/one.out" "$work/one.err" >&2; fail "leader-election --partition failed"; }
grep -q "Successfully completed leader election (PREFERRED) for partitions $T-$p\$" \
    "$work/one.out" || { cat "$work/one.out" >&2; fail "unexpected output"; }
"$SAMSA" leader-election --election-type preferred --topic "$T" \
    --partition "$p" >"$work/again.out" || fail "second election failed"
grep -q "Valid replica already elected for partitions $T-$p" "$work/again.out" ||
    { cat "$work/again.out" >&2; fail "no ELECTION_NOT_NEEDED on a second run"; }
"$SAMSA" leader-election --election-type preferred --all-topic-partitions \
    >"$work/all.out" 2>"$work/all.err" ||
    { cat "$work/all.out" "$work/all.err" >&2; fail "--all-topic-partitions failed"; }
cat "$work/all.out" >&2
hp preferred "$ZK_CONNECT" "$T" || fail "leaders not preferred after ElectLeaders"
rc=0
"$SAMSA" leader-election --election-type preferred --topic "$T" \
    --partition 99 >"$work/bad.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "unknown partition: status $rc, expected 1"
grep -q UNKNOWN_TOPIC_OR_PARTITION "$work/bad.out" ||
    { cat "$work/bad.out" >&2; fail "no UNKNOWN_TOPIC_OR_PARTITION"; }
rc=0
"$SAMSA" leader-election --election-type unclean --all-topic-partitions \
    >"$work/unclean.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/unclean.out" >&2; fail "unclean with live leaders: status $rc"; }
hp preferred "$ZK_CONNECT" "$T" || fail "an unclean election moved a live leader"

# ---- /admin/preferred_replica_election
bounce "$x"
hp znode "$ZK_CONNECT" "$T" "$x" || fail "/admin/preferred_replica_election not handled"
hp wait-preferred "$ZK_CONNECT" "$T" 15 ||
    fail "leaders not preferred after /admin/preferred_replica_election"

# ---- automatic rebalance: a rolling restart with a short check interval
for id in 1 2 3; do
    broker_kill "$id" TERM
    broker_start "$id" auto.leader.rebalance.enable=true \
        leader.imbalance.check.interval.seconds=2 \
        controlled.shutdown.retry.backoff.ms=500
    hp wait-isr "$ZK_CONNECT" "$T" 3 60 || fail "broker $id did not rejoin the ISR"
done
hp wait-preferred "$ZK_CONNECT" "$T" 40 || fail "auto rebalance did not restore the preferred leaders"
grep -q "rebalancing" "$CLUSTER_DIR"/broker-*.log ||
    fail "no controller logged an automatic rebalance"
check_brokers_alive
say "PASS"
