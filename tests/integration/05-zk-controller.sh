#!/bin/bash
# 05-zk-controller: the ctl module (registration, election, CreateTopics,
# CreatePartitions, DeleteTopics, controller failover, broker return) against
# a real standalone ZooKeeper, with two in-process brokers
# (tests/integration/zkctl_test.c); then the tree it leaves must validate
# against zk-schema/ (tests/lib/zk_validate.py).
# Skips (77) only when ZooKeeper (or what runs it) is not installed.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

prog=$top_builddir/tests/integration/zkctl_test
[ -x "$prog" ] || fail "$prog not built (make check builds it)"
require_own_cluster
require_zookeeper

zk_start
say "zkctl_test $ZK_CONNECT"
timeout -k 10 240 "$prog" "$ZK_CONNECT" >"$CLUSTER_DIR/zkctl_test.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    grep -v 'ZOO_' "$CLUSTER_DIR/zkctl_test.log" | tail -60 >&2
    fail "zkctl_test exited $rc"
fi
say "validating $ZK_CONNECT"
"$PY" "$top_srcdir/tests/lib/zk_validate.py" "$ZK_CONNECT" ||
    fail "zk_validate.py $ZK_CONNECT found mismatches"
say PASS
