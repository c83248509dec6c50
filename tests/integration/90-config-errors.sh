#!/bin/bash
# 90-config-errors: samsad(8) EXIT STATUS and DESIGN.md section 8.  A bad
# value, in the file or in --override, makes samsad exit with status 2 and a
# message naming the key, before touching any data (log.dirs is not
# created); a missing config file and a bad option also exit 2; an unknown
# key is only a warning: the broker starts and registers.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-180}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_samsad
cluster_init
zk_start

dir=$CLUSTER_DIR/bad
mkdir -p "$dir"
port=
free_port port
conf() { # conf FILE [extra lines...]
    local f=$1
    shift
    {
        echo "broker.id=7"
        echo "listeners=PLAINTEXT://127.0.0.1:$port"
        echo "log.dirs=$dir/data"
        echo "zookeeper.connect=$ZK_CONNECT"
        printf '%s\n' "$@"
    } >"$f"
}

# expect_status2 WHAT KEY ARGS...: samsad ARGS exits 2 within 10 s, says KEY
expect_status2() {
    local what=$1 key=$2 rc
    shift 2
    timeout 10 "$SAMSAD" "$@" >"$dir/out" 2>&1
    rc=$?
    sed 's/^/    | /' "$dir/out" >&2
    [ $rc = 2 ] || fail "$what: exit status $rc, want 2"
    [ -z "$key" ] || grep -q -- "$key" "$dir/out" ||
        fail "$what: the message does not name $key"
    [ ! -e "$dir/data" ] || fail "$what: $dir/data was created"
    say "ok: $what -> status 2"
}

conf "$dir/a.conf" "num.partitions=abc"
expect_status2 "num.partitions=abc in the file" num.partitions "$dir/a.conf"
grep -q "a.conf" "$dir/out" || fail "message does not name the file"
conf "$dir/b.conf"
expect_status2 "--override log.segment.bytes=-5" log.segment.bytes \
    "$dir/b.conf" --override log.segment.bytes=-5
expect_status2 "--override without =" "" "$dir/b.conf" --override novalue
expect_status2 "missing config file" "" "$dir/does-not-exist.conf"
expect_status2 "unknown option" "" --no-such-option "$dir/b.conf"

# an unknown key is a warning only
broker_start 1 no.such.key.for.test=1
grep -q 'no.such.key.for.test' "$CLUSTER_DIR/broker-1.log" ||
    fail "no warning naming the unknown key no.such.key.for.test"
check_brokers_alive
broker_kill 1 TERM
[ "$BROKER_EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $BROKER_EXIT_STATUS, want 0"
say PASS
