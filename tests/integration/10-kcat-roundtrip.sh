#!/bin/bash
# 10-kcat-roundtrip: kcat (librdkafka) produces 100,000 keyed messages with
# headers to a 3-partition topic, once lz4-compressed and once uncompressed,
# and reads them back with kcat -C -e.  The exact set of keys, values and
# headers must come back, offsets 0..n-1 per partition, production order per
# partition.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_cmd kcat kcat
require_py_module confluent_kafka python3-confluent-kafka

N=${SAMSA_KCAT_MESSAGES:-100000}
CHUNKS=4
cluster_start 1 num.partitions=3
work=$CLUSTER_DIR/kcat
mkdir -p "$work"
helper=$top_srcdir/tests/integration/10-kcat-roundtrip.py

run_py "$helper" gen "$work" "$N" "$CHUNKS"
for codec in lz4 none; do
    topic=t10-$codec-$$
    run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "$topic:3"
    zopt=()
    [ $codec = none ] || zopt=(-z "$codec")
    for c in $(seq 0 $((CHUNKS - 1))); do
        say "kcat -P $topic chunk $c (${zopt[*]:-no compression})"
        timeout 120 kcat -P -b "$bootstrap" -t "$topic" -K: "${zopt[@]}" \
            -H "chunk=$c" -H "codec=$codec" -X linger.ms=20 \
            <"$work/chunk-$c.txt" 2>"$work/produce-$codec-$c.err"
        rc=$?
        if [ $rc -ne 0 ] || grep -qi 'fail\|error' "$work/produce-$codec-$c.err"; then
            cat "$work/produce-$codec-$c.err" >&2
            check_brokers_alive
            fail "kcat -P ($codec, chunk $c) exited $rc or reported errors"
        fi
    done
    say "kcat -C $topic"
    timeout 180 kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q \
        -f '%p\t%o\t%k\t%s\t%h\n' >"$work/consumed-$codec.txt" \
        2>"$work/consume-$codec.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        cat "$work/consume-$codec.err" >&2
        check_brokers_alive
        fail "kcat -C ($codec) exited $rc"
    fi
    say "consumed $(wc -l <"$work/consumed-$codec.txt") lines"
    run_py "$helper" verify "$work" "$codec" "$work/consumed-$codec.txt" 3 "$N" "$CHUNKS"
done
check_brokers_alive
say PASS
