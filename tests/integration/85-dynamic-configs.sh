#!/bin/bash
# 85-dynamic-configs: topic and broker configs altered on a running broker
# (samsa configs --alter: IncrementalAlterConfigs, written to ZooKeeper
# with a /config/changes notification) take effect without a restart:
# segment.bytes makes segments roll at the new size, retention.ms deletes,
# max.message.bytes makes MESSAGE_TOO_LARGE appear and disappear; a
# cluster-wide (--entity-default) and a per-broker message.max.bytes do the
# same for topics without an override, survive a restart (read back from
# ZooKeeper at startup), and DescribeConfigs reports DYNAMIC_TOPIC_CONFIG,
# DYNAMIC_BROKER_CONFIG and DYNAMIC_DEFAULT_BROKER_CONFIG. Invalid values
# give INVALID_CONFIG with Kafka's message; static-only broker keys give
# INVALID_REQUEST. The ZooKeeper tree stays valid against zk-schema/.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"

helper=$top_srcdir/tests/integration/85-dynamic-configs.py
common=(log.retention.check.interval.ms=500 log.segment.delete.delay.ms=0
        num.partitions=1)
cluster_start 1 "${common[@]}"
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
work=$CLUSTER_DIR/configs
mkdir -p "$work"
T=t85-$$
U=t85u-$$
dir=$(broker_datadir 1)/$T-0

run() {
    local want=$1 name=$2 rc
    shift 2
    timeout 60 "$SAMSA" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        say "samsa $* -> status $rc, expected $want"
        sed 's/^/  stdout: /' "$work/$name.out" | head -20 >&2
        sed 's/^/  stderr: /' "$work/$name.err" | head -20 >&2
        check_brokers_alive
        fail "samsa $1 ($name): status $rc, expected $want"
    fi
}
has() {
    grep -qF -- "$3" "$work/$1.$2" ||
        { sed 's/^/  /' "$work/$1.$2" | head -20 >&2;
          fail "$1: $2 lacks '$3'"; }
}
produce() { PYTHONPATH=$SAMSA_TEST_LIB "$PY" "$helper" produce "$bootstrap" "$@"; }
nsegs() { ls "$dir"/*.log 2>/dev/null | wc -l; }
# waits until `samsa configs --describe $1...` prints $2
wait_describe() {
    local want=$1 deadline=$((SECONDS + 20))
    shift
    while :; do
        timeout 30 "$SAMSA" configs --describe "$@" >"$work/wait.out" 2>&1 &&
            grep -qF -- "$want" "$work/wait.out" && return 0
        [ $SECONDS -lt $deadline ] ||
            { cat "$work/wait.out" >&2; fail "no '$want' after 20 s"; }
        sleep 0.3
    done
}
# waits until produce of $2 bytes to topic $1 answers error code(s) $3
wait_produce() {
    local got deadline=$((SECONDS + 20))
    while :; do
        got=$(produce "$1" 1 "$2") || fail "produce helper failed"
        [ "$got" = "$3" ] && return 0
        [ $SECONDS -lt $deadline ] ||
            fail "produce $2 bytes to $1: error '$got' after 20 s, want '$3'"
        sleep 0.3
    done
}

run 0 create topics --create --topic "$T" --partitions 1 --replication-factor 1
run 0 create-u topics --create --topic "$U" --partitions 1 --replication-factor 1
[ -d "$dir" ] || fail "partition directory $dir missing"
[ "$(produce "$T" 20 1000)" = 0 ] || fail "first produce failed"
[ "$(nsegs)" = 1 ] || fail "$(nsegs) segments before any change"

# --- topic: segment.bytes rolls at the new size, without a restart
run 0 alter-seg configs --alter --entity-type topics --entity-name "$T" \
    --add-config segment.bytes=16384,retention.ms=3600000
has alter-seg out "Completed updating config for topic $T."
wait_describe "segment.bytes=16384 sensitive=false source=DYNAMIC_TOPIC_CONFIG" \
    --entity-type topics --entity-name "$T"
[ "$(zkq get "/config/topics/$T")" != "" ] || fail "/config/topics/$T empty"
zkq get "/config/topics/$T" | grep -q '"segment.bytes":"16384"' ||
    fail "/config/topics/$T: $(zkq get "/config/topics/$T")"
sleep 0.5   # the UpdateMetadata carrying the config reaches the log
[ "$(produce "$T" 60 1000)" = 0 ] || fail "produce after segment.bytes failed"
n=$(nsegs)
[ "$n" -ge 3 ] || fail "only $n segment(s) after 60 KB with segment.bytes=16384"
say "segment.bytes=16384 applied live: $n segments"

# --- topic: retention.ms deletes
run 0 alter-ret configs --alter --entity-type topics --entity-name "$T" \
    --add-config retention.ms=1000
deadline=$((SECONDS + 30))
while [ "$(nsegs)" -gt 1 ]; do
    [ $SECONDS -lt $deadline ] ||
        fail "retention.ms=1000: still $(nsegs) segments after 30 s"
    sleep 0.5
done
say "retention.ms=1000 applied live: $(nsegs) segment left"
run 0 offsets get-offsets --topic "$T" --time -2
grep -q "^$T:0:0\$" "$work/offsets.out" && fail "log start still 0 after retention"

# --- topic: max.message.bytes
[ "$(produce "$T" 1 5000)" = 0 ] || fail "5000 bytes refused before any limit"
run 0 alter-max configs --alter --entity-type topics --entity-name "$T" \
    --add-config max.message.bytes=2000
wait_produce "$T" 5000 10
run 0 delete-max configs --alter --entity-type topics --entity-name "$T" \
    --delete-config max.message.bytes
wait_produce "$T" 5000 0
run 0 describe-t configs --describe --entity-type topics --entity-name "$T"
grep -q "max.message.bytes" "$work/describe-t.out" &&
    fail "max.message.bytes still overridden after --delete-config"
has describe-t out "retention.ms=1000 sensitive=false source=DYNAMIC_TOPIC_CONFIG"

# --- topic: invalid values and unknown topics
run 1 bad-seg configs --alter --entity-type topics --entity-name "$T" \
    --add-config segment.bytes=10
has bad-seg err "INVALID_CONFIG"
has bad-seg err "Invalid value 10 for configuration segment.bytes"
run 1 bad-key configs --alter --entity-type topics --entity-name "$T" \
    --add-config no.such.key=1
has bad-key err "Unknown topic config name: no.such.key"
run 1 bad-topic configs --alter --entity-type topics --entity-name "$T-none" \
    --add-config retention.ms=1
has bad-topic err "does not exist"

# --- brokers: cluster-wide default, then per broker
run 0 alter-dflt configs --alter --entity-type brokers --entity-default \
    --add-config message.max.bytes=3000
has alter-dflt out "Completed updating default config for brokers in the cluster."
wait_describe "message.max.bytes=3000 sensitive=false source=DYNAMIC_DEFAULT_BROKER_CONFIG" \
    --entity-type brokers --entity-name 1
wait_produce "$U" 5000 10
run 0 alter-b1 configs --alter --entity-type brokers --entity-name 1 \
    --add-config message.max.bytes=10000
has alter-b1 out "Completed updating config for broker 1."
wait_describe "message.max.bytes=10000 sensitive=false source=DYNAMIC_BROKER_CONFIG" \
    --entity-type brokers --entity-name 1
wait_produce "$U" 5000 0
run 0 describe-u configs --describe --entity-type topics --entity-name "$U" --all
has describe-u out "max.message.bytes=10000 sensitive=false source=DYNAMIC_BROKER_CONFIG"
run 1 bad-static configs --alter --entity-type brokers --entity-name 1 \
    --add-config num.network.threads=2
has bad-static err "INVALID_REQUEST"
has bad-static err "Cannot update these configs dynamically"
run 1 bad-bval configs --alter --entity-type brokers --entity-default \
    --add-config message.max.bytes=big
has bad-bval err "INVALID_CONFIG"

# --- a restart reads the dynamic configs back from ZooKeeper
BROKER_OVERRIDES[1]=$(printf '%s\n' "${common[@]}")
broker_restart 1 TERM
run 0 describe-b configs --describe --entity-type brokers --entity-name 1
has describe-b out "message.max.bytes=10000 sensitive=false source=DYNAMIC_BROKER_CONFIG"
[ "$(produce "$U" 1 5000)" = 0 ] || fail "5000 bytes refused after restart"
[ "$(produce "$U" 1 20000)" = 10 ] || fail "20000 bytes accepted after restart"
run 0 delete-b1 configs --alter --entity-type brokers --entity-name 1 \
    --delete-config message.max.bytes
wait_describe "message.max.bytes=3000 sensitive=false source=DYNAMIC_DEFAULT_BROKER_CONFIG" \
    --entity-type brokers --entity-name 1
wait_produce "$U" 5000 10
# topic overrides survived too
run 0 describe-t2 configs --describe --entity-type topics --entity-name "$T"
has describe-t2 out "segment.bytes=16384 sensitive=false source=DYNAMIC_TOPIC_CONFIG"

# --- the tree stays valid
zkq get /config/brokers/1 | grep -q '"config":{}' ||
    fail "/config/brokers/1: $(zkq get /config/brokers/1)"
if "$PY" -c "import jsonschema" 2>/dev/null; then
    "$PY" "$top_srcdir/tests/lib/zk_validate.py" "$ZK_CONNECT" ||
        fail "zk_validate.py $ZK_CONNECT failed"
fi
check_brokers_alive
say PASS
