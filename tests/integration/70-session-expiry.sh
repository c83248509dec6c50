#!/bin/bash
# 70-session-expiry: SIGSTOP the broker for longer than
# zookeeper.session.timeout.ms so that ZooKeeper expires its session and
# drops /brokers/ids/1 and /controller; after SIGCONT the broker must open a
# new session, re-register, become controller again (single broker) and
# keep serving produce, consume and topic creation, with the data written
# before the pause intact.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

SESSION_MS=3000
helper=$top_srcdir/tests/integration/70-session-expiry.py
topic=t70-$$
cluster_start 1 zookeeper.session.timeout.ms=$SESSION_MS
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "$topic:2"
run_py "$helper" produce "$bootstrap" "$topic" before 200

owner=$(zkq owner /brokers/ids/1)
ctl_owner=$(zkq owner /controller)
[ "$owner" != none ] || fail "/brokers/ids/1 missing before the pause"
[ "$ctl_owner" != none ] || fail "/controller missing before the pause"
say "session $owner; SIGSTOP broker 1"
broker_kill 1 STOP
zkq wait-gone /brokers/ids/1 --timeout $((SESSION_MS / 1000 * 4)) ||
    fail "/brokers/ids/1 still there $((SESSION_MS / 1000 * 4)) s into the pause (session not expired?)"
say "registration gone (session expired); pausing 2 s more"
sleep 2
broker_kill 1 CONT
say "SIGCONT broker 1"
new=$(zkq wait /brokers/ids/1 --not-owner "$owner" --timeout 30) ||
    fail "broker 1 did not re-register within 30 s after SIGCONT"
say "re-registered with session $new"
ctl=$(zkq wait /controller --not-owner "$ctl_owner" --timeout 30) ||
    fail "no new /controller within 30 s after SIGCONT"
zkq json /controller >&2
check_brokers_alive
run_py "$helper" produce "$bootstrap" "$topic" after 200
run_py "$helper" verify "$bootstrap" "$topic" 400
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "t70-new-$$:2"
run_py "$helper" produce "$bootstrap" "t70-new-$$" new 50
check_brokers_alive
say PASS
