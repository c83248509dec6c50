#!/bin/bash
# 25-replication: three brokers, one partition with RF 3 and
# min.insync.replicas 2. Sequence-numbered messages are produced with
# acks=all and read back from the leader; the leader is killed with
# SIGKILL, and every acknowledged message must be on the new leader at the
# same offset (DESIGN §6; src/replica/replmgr.c R3-R5). See
# 25-replication.py.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

helper=$top_srcdir/tests/integration/25-replication.py
state=$(mktemp)
trap 'rm -f "$state"' EXIT

cluster_start 3
leader=$(run_py "$helper" produce "$bootstrap" repl-rf3 2000 "$state") ||
    fail "produce failed"
say "leader of repl-rf3 is broker $leader; killing it"
broker_kill "$leader" KILL
run_py "$helper" check "$bootstrap" repl-rf3 "$state" || fail "check failed"
say "ok"
