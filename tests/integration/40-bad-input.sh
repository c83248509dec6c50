#!/bin/bash
# 40-bad-input: random bytes, oversized, negative and truncated frames, unknown
# API keys and versions, bad record batches, on raw sockets, while a real
# client keeps producing and consuming; see 40-bad-input.py for the checks.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

cluster_start 1
run_py "$top_srcdir/tests/integration/40-bad-input.py" "$bootstrap"
check_brokers_alive
say PASS
