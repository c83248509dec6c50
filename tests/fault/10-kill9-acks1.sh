#!/bin/bash
# 10-kill9-acks1: a broker with log.flush.interval.messages=1 is killed with
# SIGKILL while an acks=1 producer streams sequence-numbered messages, then
# restarted.  Every acknowledged message must be readable at its acked
# offset, offsets continue without gaps or duplicates, and /brokers/ids/1
# comes back.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

helper=$top_srcdir/tests/fault/10-kill9-acks1.py
topic=t-kill9-$$
parts=2
cluster_start 1 log.flush.interval.messages=1 zookeeper.session.timeout.ms=4000
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "$topic:$parts"

ackfile=$CLUSTER_DIR/acked.txt
stopfile=$CLUSTER_DIR/stop
: >"$ackfile"
PYTHONPATH=$SAMSA_TEST_LIB "$PY" -u "$helper" produce "$bootstrap" "$topic" $parts \
    "$ackfile" "$stopfile" &
prod=$!
track_pid $prod producer

# wait_acks N SECS: until N acks are recorded
wait_acks() {
    local deadline=$((SECONDS + $2))
    while [ "$(wc -l <"$ackfile")" -lt "$1" ]; do
        kill -0 $prod 2>/dev/null || fail "producer exited early"
        [ $SECONDS -lt $deadline ] ||
            fail "only $(wc -l <"$ackfile") of $1 acks after $2 s"
        sleep 0.1
    done
}

wait_acks 3000 60
check_brokers_alive
broker_kill 1 KILL
killed_at=$(wc -l <"$ackfile")
say "killed broker 1 after $killed_at acks"
sleep 1
broker_restart 1
zkq json /brokers/ids/1 >&2 || fail "/brokers/ids/1 unreadable after restart"
wait_acks $((killed_at + 3000)) 90
touch "$stopfile"
wait $prod
rc=$?
unset "_tracked_pids[$prod]"
[ $rc = 0 ] || fail "producer exited with status $rc"
run_py "$helper" verify "$bootstrap" "$topic" $parts "$ackfile" "$killed_at"
zkq exists /brokers/ids/1 || fail "/brokers/ids/1 missing at the end"
check_brokers_alive
say PASS
