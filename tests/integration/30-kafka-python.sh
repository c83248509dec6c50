#!/bin/bash
# 30-kafka-python: kafka-python KafkaProducer, KafkaConsumer (assign+seek), KafkaAdminClient
# against one broker; see 30-kafka-python.py for the checks.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module kafka python3-kafka
require_py_module confluent_kafka python3-confluent-kafka

cluster_start 1
run_py "$top_srcdir/tests/integration/30-kafka-python.py" "$bootstrap"
check_brokers_alive
say PASS
