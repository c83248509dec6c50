#!/bin/bash
# 20-confluent-python: confluent_kafka Producer/Consumer(assign)/AdminClient
# against one broker; see 20-confluent-python.py for the checks.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

cluster_start 1
run_py "$top_srcdir/tests/integration/20-confluent-python.py" "$bootstrap" "${SAMSA_TEST_BROKER_ID:-1}"
check_brokers_alive
say PASS
