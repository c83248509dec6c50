#!/bin/bash
# 60-zk-schema: after a broker has started and topics were created (and one
# deleted, and one grown), the ZooKeeper tree under the chroot must validate
# against zk-schema/ (tests/lib/zk_validate.py).
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

validator=$top_srcdir/tests/lib/zk_validate.py
[ -f "$validator" ] || skip "$validator not present"
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
if [ -n "$SAMSA_TEST_BOOTSTRAP" ] && [ -z "${SAMSA_TEST_ZK:-}" ]; then
    skip "SAMSA_TEST_BOOTSTRAP without SAMSA_TEST_ZK"
fi

cluster_start 1
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" \
    "t60-one-$$:1" "t60-three-$$:3" "t60-del-$$:2"
PYTHONPATH=$SAMSA_TEST_LIB "$PY" - "$bootstrap" "t60-three-$$" "t60-del-$$" <<'EOF2' ||
import sys, time
import samsa_it as it
from confluent_kafka.admin import AdminClient, NewPartitions
boot, grow, dele = sys.argv[1:4]
a = AdminClient({"bootstrap.servers": boot})
a.create_partitions([NewPartitions(grow, 4)])[grow].result(timeout=30)
it.wait_topic(boot, grow, 4, admin=a)
a.delete_topics([dele])[dele].result(timeout=30)
deadline = time.time() + 30
while dele in a.list_topics(timeout=10).topics:
    it.check(time.time() < deadline, "%s not deleted after 30s" % dele)
    time.sleep(0.25)
EOF2
    fail "create_partitions/delete_topics setup failed"
# some traffic, so that nothing is only half-written
printf 'a\nb\nc\n' | timeout 60 kcat -P -b "$bootstrap" -t "t60-one-$$" 2>/dev/null ||
    say "note: kcat produce failed (not what this test checks)"

say "validating $ZK_CONNECT"
"$PY" "$validator" "$ZK_CONNECT"
rc=$?
case $rc in
0) ;;
77) skip "zk_validate.py skipped" ;;
*) fail "zk_validate.py $ZK_CONNECT exited $rc" ;;
esac
check_brokers_alive
say PASS
