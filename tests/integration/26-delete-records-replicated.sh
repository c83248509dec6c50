#!/bin/bash
# 26-delete-records-replicated: DeleteRecords answers only once every live
# replica has raised its log start offset (Kafka's DelayedDeleteRecords;
# src/replica/replmgr.c R11, src/broker/h_delete_records.c). Three brokers,
# one partition with replicas [1, 2, 3] (leader 1), 100 messages:
#  - a DeleteRecords to 10 answers NONE with low watermark 10;
#  - with follower 3 SIGSTOPped (still registered: its ZooKeeper session
#    outlives the stop), one to 20 with a 2 s timeout is REQUEST_TIMED_OUT
#    (the leader's own log start moved); one to 30 is not answered while
#    3 is stopped and is answered NONE, low watermark 30, once it resumes;
#  - with follower 2 SIGSTOPped until its session expires (gone from the
#    metadata), one to 40 answers NONE, low watermark 40, while 2 is still
#    stopped: a follower whose broker is not alive does not count; 2 is
#    resumed and registers again;
#  - a DeleteRecords to 50 answers, the leader is killed with SIGKILL at
#    once, and the new leader's log start and the first offset a consumer
#    from the beginning reads are >= 50: no deleted record comes back;
#  - a compact-only topic refuses DeleteRecords with POLICY_VIOLATION,
#    a compact,delete one accepts it (Kafka's LogConfig.delete).
# See 26-delete-records-replicated.py.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

helper=$top_srcdir/tests/integration/26-delete-records-replicated.py
T=t26-$$

broker_start 1
broker_start 2
# stopped for some seconds below: a 30 s session keeps it registered (alive)
broker_start 3 zookeeper.session.timeout.ms=30000
run_py "$helper" prepare "$bootstrap" "$T" 100
run_py "$helper" delete "$bootstrap" "$T" 10
run_py "$helper" compact "$bootstrap" dr-compact
run_py "$helper" stopped "$bootstrap" "$T" "${BROKER_PID[3]}" 20 30
run_py "$helper" dead "$bootstrap" "$T" "${BROKER_PID[2]}" 2 40
check_brokers_alive
run_py "$helper" delete "$bootstrap" "$T" 50
broker_kill 1 KILL
run_py "$helper" check "$bootstrap" "$T" 1 50
say "ok"
