#!/bin/bash
# 37-unclean-election: unclean.leader.election.enable in the controller's
# own elections (DESIGN §6; Kafka's OfflinePartitionLeaderElectionStrategy).
# Two brokers, two topics of one partition with RF 2: u1 with the topic
# config unclean.leader.election.enable=true, u0 without. The follower is
# killed (the ISR shrinks to the leader), the leader takes more writes and
# is killed, and only the old follower comes back:
#  - u1 gets it as leader with an ISR of itself (the writes it never had
#    are lost, as Kafka warns), u0 stays offline;
#  - the cluster-wide dynamic config unclean.leader.election.enable=true
#    then elects it for u0 too, without a restart;
#  - the old leader comes back, truncates to the new leader's log and
#    rejoins both ISRs.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-240}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
command -v kcat >/dev/null || skip "kcat missing (Debian package kcat)"
require_py_module kazoo python3-kazoo
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"

cluster_start 2 zookeeper.session.timeout.ms=4000
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap

"$SAMSA" topics --create --topic u1 --partitions 1 --replication-factor 2 \
    --config unclean.leader.election.enable=true || fail "cannot create u1"
"$SAMSA" topics --create --topic u0 --partitions 1 --replication-factor 2 ||
    fail "cannot create u0"

# field TOPIC KEY: the partition state's KEY ("leader", "isr" sorted)
field() {
    zkq json "/brokers/topics/$1/partitions/0/state" 2>/dev/null |
        "$PY" -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
print(json.dumps(sorted(v) if isinstance(v, list) else v).replace(" ", ""))' "$2"
}
# wait_field TOPIC KEY VALUE SECS
wait_field() {
    local deadline=$((SECONDS + $4)) got
    while :; do
        got=$(field "$1" "$2")
        [ "$got" = "$3" ] && return 0
        [ $SECONDS -lt $deadline ] ||
            fail "$1: $2 is '$got' after $4 s, want '$3'"
        sleep 0.3
    done
}
produce() {
    seq "$2" "$3" | kcat -P -b "$bootstrap" -t "$1" -p 0 -X acks=all ||
        fail "producing $2..$3 to $1 failed"
}
end_offset() {
    kcat -Q -b "127.0.0.1:${BROKER_PORT[$2]}" -t "$1:0:-1" 2>/dev/null |
        awk '{print $NF}'
}

wait_field u1 isr "[1,2]" 30
wait_field u0 isr "[1,2]" 30
L=$(field u1 leader)
F=$((3 - L))
say "leader $L, follower $F"
produce u1 1 5
produce u0 1 5

broker_kill "$F" KILL
wait_field u1 isr "[$L]" 30
wait_field u0 isr "[$L]" 30
produce u1 6 10
produce u0 6 10
broker_kill "$L" KILL
broker_restart "$F"

wait_field u1 leader "$F" 30
wait_field u1 isr "[$F]" 5
sleep 3
[ "$(field u0 leader)" = -1 ] ||
    fail "u0 has leader $(field u0 leader) without unclean election"
say "u1 elected broker $F uncleanly; u0 stays offline"
off=$(end_offset u1 "$F")
[ "$off" = 5 ] || fail "u1 on broker $F ends at '$off', want 5 (the writes it had)"

"$SAMSA" configs --alter --entity-type brokers --entity-default \
    --add-config unclean.leader.election.enable=true ||
    fail "cannot set the cluster-wide unclean.leader.election.enable"
wait_field u0 leader "$F" 30
say "the dynamic config elected broker $F for u0"

broker_restart "$L"
wait_field u1 isr "[1,2]" 60
wait_field u0 isr "[1,2]" 60
produce u1 11 12
off=$(end_offset u1 "$L")
[ "$off" = 7 ] || fail "u1 on the old leader ends at '$off' after rejoining, want 7"
check_brokers_alive
say "PASS"
