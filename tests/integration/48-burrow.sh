#!/bin/bash
# 48-burrow: LinkedIn's Burrow (Debian package burrow) reads samsa's
# committed offsets from ZooKeeper (kafka_zk consumer module, DESIGN §5:
# /consumers/<group>/offsets/<topic>/<p> as plain decimals under the
# chroot) and the partitions' end offsets from the brokers (kafka cluster
# module), and reports the group's offsets and lag on its HTTP API.
# Skips (77) when Burrow is not installed and cannot be installed.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

if ! command -v Burrow >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends burrow >/dev/null 2>&1
fi
command -v Burrow >/dev/null 2>&1 || skip "Burrow is not installed (Debian package burrow)"
require_cmd curl
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
require_own_cluster

cluster_start 1
T=burrow-t G=burrow-g
"$PY" - "$bootstrap" "$T" <<'PYEOF' || fail "creating and filling $T failed"
import sys
import samsa_it as it
from confluent_kafka import Producer
boot, t = sys.argv[1:3]
it.create_topics(boot, {t: 3}, fallback=False)
p = Producer({"bootstrap.servers": boot, "acks": "all"})
for i in range(300):
    p.produce(t, value=b"v%d" % i, partition=i % 3)
it.check(p.flush(30) == 0, "unflushed")
PYEOF

bdir=$CLUSTER_DIR/burrow
mkdir -p "$bdir"
free_port hport || fail "no free port"
zkhost=${ZK_CONNECT%%/*}
chroot=/${ZK_CONNECT#*/}
cat >"$bdir/burrow.toml" <<EOF
[general]
pidfile="$bdir/burrow.pid"
stdout-logfile="$bdir/burrow.out"

[logging]
filename="$bdir/burrow.log"
level="info"

[zookeeper]
servers=[ "$zkhost" ]
timeout=6
root-path="$chroot/burrow"

[client-profile.samsa]
client-id="burrow-it"
kafka-version="1.0.0"

[cluster.samsa]
class-name="kafka"
servers=[ "${bootstrap//,/\", \"}" ]
client-profile="samsa"
topic-refresh=2
offset-refresh=2

[consumer.samsa_zk]
class-name="kafka_zk"
cluster="samsa"
servers=[ "$zkhost" ]
zookeeper-path="$chroot"
zookeeper-timeout=6

[httpserver.default]
address="127.0.0.1:$hport"

[storage.default]
class-name="inmemory"
workers=4
intervals=10
min-distance=1
EOF
say "starting Burrow (HTTP 127.0.0.1:$hport, offsets from $zkhost$chroot/consumers)"
Burrow --config-dir "$bdir" >"$bdir/stdout" 2>&1 &
bpid=$!
track_pid "$bpid" Burrow
api=http://127.0.0.1:$hport/v3/kafka/samsa

# Burrow drops a consumer offset for a partition whose end offset it does
# not know yet: wait until it knows the topic's, then commit
for _ in $(seq 1 300); do
    kill -0 "$bpid" 2>/dev/null || {
        cat "$bdir/stdout" "$bdir/burrow.log" >&2; fail "Burrow exited"; }
    curl -fsS "$api/topic/$T" 2>/dev/null | grep -q '"offsets":\[100,100,100\]' && break
    sleep 0.2
done
curl -fsS "$api/topic/$T" | grep -q '"offsets":\[100,100,100\]' ||
    fail "Burrow never saw $T's end offsets: $(curl -sS "$api/topic/$T")"
say "Burrow sees $T's end offsets"

# commit O0 O1 O2: group G commits these offsets (no membership)
commit() {
    "$PY" -c '
import sys
from confluent_kafka import Consumer, TopicPartition
boot, t, g = sys.argv[1:4]
offs = [int(x) for x in sys.argv[4:]]
c = Consumer({"bootstrap.servers": boot, "group.id": g,
              "enable.auto.commit": False})
res = c.commit(offsets=[TopicPartition(t, p, o) for p, o in enumerate(offs)],
               asynchronous=False)
c.close()
sys.exit(1 if [tp for tp in res if tp.error is not None] else 0)
' "$bootstrap" "$T" "$G" "$@"
}
# check_burrow O0 O1 O2: Burrow reports these offsets and lags 100 - O
check_burrow() {
    local out
    for _ in $(seq 1 300); do
        out=$(curl -fsS "$api/consumer/$G/lag" 2>/dev/null) &&
            "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
want = [int(x) for x in sys.argv[2:]]
parts = sorted(d["status"]["partitions"], key=lambda p: p["partition"])
got = [(p["end"]["offset"], p["current_lag"]) for p in parts]
sys.exit(0 if got == [(o, 100 - o) for o in want] else 1)
' "$out" "$@" 2>/dev/null && return 0
        sleep 0.2
    done
    fail "Burrow does not report offsets $* for $G: $(curl -sS "$api/consumer/$G/lag")"
}
commit 40 70 100 || fail "commit 40 70 100 failed"
check_burrow 40 70 100
say "Burrow reports $G: $(curl -sS "$api/consumer/$G/lag" | head -c 400)"
sleep 1.5 # Burrow's min-distance: one offset per partition per second
commit 60 90 100 || fail "commit 60 90 100 failed"
check_burrow 60 90 100
curl -fsS "$api/consumer" | grep -q "\"$G\"" || fail "Burrow's consumer list lacks $G"
say "Burrow follows the commits: offsets 60 90 100, lag 40 10 0"
check_brokers_alive
say PASS
