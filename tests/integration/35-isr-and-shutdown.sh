#!/bin/bash
# 35-isr-and-shutdown: three brokers, RF 3, min.insync.replicas 2,
# replica.lag.time.max.ms 3000 (DESIGN §6 Replication and Controlled
# shutdown; replmgr.c R9-R10, KIP-497 AlterIsr).
#  - SIGSTOP one follower: the leader has the controller shrink the ISR to
#    2 (same leader epoch: AlterIsr, not an election), acks=all goes on;
#  - SIGCONT: it rejoins the ISR;
#  - SIGSTOP both followers: the ISR shrinks to the leader, acks=all fails
#    with NOT_ENOUGH_REPLICAS, acks=1 works; SIGCONT: full ISR again;
#  - SIGTERM a leader while a producer (acks=all, retries) runs: no failed
#    delivery, the leadership moved before the broker exited, clean stop.
# The ZooKeeper session timeout is raised so that a stopped broker keeps
# its registration: only AlterIsr can change the ISR meanwhile. The
# partition is led by the controller so stopped followers never stop it.
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

helper=$top_srcdir/tests/integration/35-isr-and-shutdown.py

cluster_start 3 replica.lag.time.max.ms=3000 \
    zookeeper.session.timeout.ms=30000 controlled.shutdown.retry.backoff.ms=1000
ctl=$(zkq json /controller | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])') ||
    fail "cannot read /controller"
others=()
for id in 1 2 3; do [ "$id" != "$ctl" ] && others+=("$id"); done
f1=${others[0]} f2=${others[1]}
say "controller and leader: broker $ctl; followers $f1 and $f2"

run_py "$helper" setup "$bootstrap" "$ZK_CONNECT" isr-t "$ctl" "$f1" "$f2"

say "SIGSTOP follower $f1"
broker_kill "$f1" STOP
run_py "$helper" isr "$bootstrap" "$ZK_CONNECT" isr-t 2 "$f1"
say "SIGCONT follower $f1"
broker_kill "$f1" CONT
run_py "$helper" isr "$bootstrap" "$ZK_CONNECT" isr-t 3

say "SIGSTOP followers $f1 and $f2"
broker_kill "$f1" STOP
broker_kill "$f2" STOP
run_py "$helper" isr "$bootstrap" "$ZK_CONNECT" isr-t 1 "$f1" "$f2"
broker_kill "$f1" CONT
broker_kill "$f2" CONT
run_py "$helper" isr "$bootstrap" "$ZK_CONNECT" isr-t 3

# controlled shutdown of a leader that is not the controller
run_py "$helper" setup "$bootstrap" "$ZK_CONNECT" cs-t "$f1" "$ctl" "$f2"
out=$CLUSTER_DIR/produce-bg.json
"$PY" -u "$helper" produce-bg "$bootstrap" cs-t 12 "$out" &
bg=$!
track_pid "$bg" producer
sleep 4
say "SIGTERM leader $f1"
broker_kill "$f1" TERM
[ "$BROKER_EXIT_STATUS" = 0 ] || fail "broker $f1 exited with $BROKER_EXIT_STATUS"
log=$CLUSTER_DIR/broker-$f1.log
grep -q "controlled shutdown succeeded" "$log" ||
    fail "broker $f1 did not complete a controlled shutdown"
grep -q "samsad stopped cleanly" "$log" || fail "broker $f1 did not stop cleanly"
# the move happened before the exit: the controller logged the new leader
# while $f1 was still registered (the shutdown request came first)
grep -q "broker $f1 shuts down: moving its leaderships" "$CLUSTER_DIR"/broker-"$ctl".log ||
    fail "the controller did not handle a controlled shutdown of broker $f1"
awk -v a="controlled shutdown succeeded" -v b="samsad stopped cleanly" \
    'index($0, a) && !x {x = NR} index($0, b) {y = NR} END {exit !(x && y && x < y)}' "$log" ||
    fail "leaderships were not moved before broker $f1 stopped"
state=$("$PY" "$helper" state "$ZK_CONNECT" cs-t)
say "cs-t state after the shutdown: $state"
wait "$bg" || fail "background producer failed"
unset "_tracked_pids[$bg]"
"$PY" - "$out" <<'PYEOF' || fail "deliveries failed across the controlled shutdown"
import json, sys
r = json.load(open(sys.argv[1]))
print("background producer: %d sent, %d acked, %d failed, %d unflushed"
      % (r["sent"], r["acked"], len(r["failed"]), r["unflushed"]), file=sys.stderr)
sys.exit(0 if not r["failed"] and r["unflushed"] == 0 and r["acked"] == r["sent"] else 1)
PYEOF
say "ok"
