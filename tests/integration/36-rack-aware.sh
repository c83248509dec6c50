#!/bin/bash
# 36-rack-aware: rack-aware replica assignment (Kafka 2.8
# AdminUtils.assignReplicasToBrokersRackAware, KIP-36; ctl_assign.c).
# Four brokers on two racks (broker.rack r1: 1, 2; r2: 3, 4):
#  - samsa cluster shows each broker's rack;
#  - a topic of 8 partitions with RF 2 has every partition's replicas on
#    both racks, and each broker is the preferred leader of 2 partitions;
#  - 4 partitions added with samsa topics --alter land on both racks too;
#  - RF 3 (more replicas than racks) still uses both racks per partition;
#  - a fifth broker without broker.rack makes CreateTopics and
#    CreatePartitions fail as in Kafka (UNKNOWN_SERVER_ERROR, "Not all
#    brokers have rack information ...").
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

zk_start
broker_start 1 broker.rack=r1
broker_start 2 broker.rack=r1
broker_start 3 broker.rack=r2
broker_start 4 broker.rack=r2
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
work=$CLUSTER_DIR/rack
mkdir -p "$work"

# s WANT ARGS...: samsa ARGS > $work/out, $work/err; fails unless it
# exits with status WANT
s() {
    local want=$1 rc
    shift
    timeout 60 "$SAMSA" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        sed 's/^/  stdout: /' "$work/out" >&2
        sed 's/^/  stderr: /' "$work/err" >&2
        check_brokers_alive
        fail "samsa $*: status $rc, expected $want"
    fi
}

# check_racks TOPIC PARTITIONS RF: from topics --describe --json, every
# partition has RF replicas on both racks; with PARTITIONS a multiple of
# 4, each broker is the first replica (preferred leader) of as many
check_racks() {
    s 0 topics --describe --topic "$1" --json
    "$PY" - "$work/out" "$2" "$3" >"$work/assignment" <<'EOF' ||
import json, sys
rack = {1: "r1", 2: "r1", 3: "r2", 4: "r2"}
t = json.load(open(sys.argv[1]))[0]
n, rf = int(sys.argv[2]), int(sys.argv[3])
parts = sorted(t["partitions"], key=lambda p: p["partition"])
assert len(parts) == n, (len(parts), n)
lead = {}
for p in parts:
    r = p["replicas"]
    assert len(r) == rf and len(set(r)) == rf, p
    assert {rack[b] for b in r} == {"r1", "r2"}, p
    lead[r[0]] = lead.get(r[0], 0) + 1
if n % 4 == 0:
    assert sorted(lead.values()) == [n // 4] * 4, lead
print(" ".join("%d:%s" % (p["partition"], ",".join(map(str, p["replicas"])))
               for p in parts))
EOF
        { cat "$work/out" >&2; fail "$1: replicas not spread over the racks"; }
    say "$1: $(cat "$work/assignment")"
}

# ---- the racks are advertised
s 0 cluster --json
"$PY" - "$work/out" <<'EOF' || fail "samsa cluster does not show the racks"
import json, sys
c = json.load(open(sys.argv[1]))
racks = {b["id"]: b["rack"] for b in c["brokers"]}
assert racks == {1: "r1", 2: "r1", 3: "r2", 4: "r2"}, racks
EOF

# ---- CreateTopics: 8 partitions, RF 2
s 0 topics --create --topic racked --partitions 8 --replication-factor 2
check_racks racked 8 2

# ---- CreatePartitions: 4 more, from Kafka's fixed start index
s 0 topics --alter --topic racked --partitions 12
check_racks racked 12 2

# ---- RF 3 > 2 racks: each rack still holds a replica of each partition
s 0 topics --create --topic racked3 --partitions 4 --replication-factor 3
check_racks racked3 4 3

# ---- a broker without a rack: Kafka refuses to assign
broker_start 5
s 1 topics --create --topic mixed --partitions 2 --replication-factor 2
grep -q "UNKNOWN_SERVER_ERROR" "$work/err" &&
    grep -q "Not all brokers have rack information" "$work/err" ||
    { cat "$work/err" >&2; fail "mixed racks: not Kafka's error"; }
s 1 topics --alter --topic racked --partitions 13
grep -q "Not all brokers have rack information" "$work/err" ||
    { cat "$work/err" >&2; fail "mixed racks: CreatePartitions not refused"; }
check_brokers_alive
say PASS
