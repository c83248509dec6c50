#!/bin/bash
# 77-throttle: replication throttling (KIP-73). Two brokers, one partition
# with RF 2. The follower is stopped, ~30 MB are produced with acks=1, the
# cluster-wide leader.replication.throttled.rate and
# follower.replication.throttled.rate are set to 1 MB/s and the topic's
# leader/follower.replication.throttled.replicas to "*" (samsa configs,
# applied without a restart). The follower restarts and, after some
# seconds, must hold well under half of the leader's log (unthrottled it
# copies all of it in about a second) while still making progress, and
# stay out of the ISR. With the throttle removed it catches up and
# rejoins the ISR within a bounded time. DescribeConfigs reports the four
# keys with their sources; a bad replica list is refused with Kafka's
# message. See src/replica/throttle.c, src/broker/h_fetch.c and
# src/replica/fetcher.c.
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

RATE=1000000          # bytes/s, both sides
RECORDS=30000         # of 1000 bytes: ~30 MB
THROTTLED_SECONDS=6   # how long the throttled follower copies

# a short lag time so that the stopped follower leaves the ISR quickly
cluster_start 2 replica.lag.time.max.ms=5000
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
work=$CLUSTER_DIR/throttle
mkdir -p "$work"
T=t77-$$

run() {
    local want=$1 name=$2 rc
    shift 2
    timeout 120 "$SAMSA" "$@" >"$work/$name.out" 2>"$work/$name.err"
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
        { sed 's/^/  /' "$work/$1.$2" | head -40 >&2;
          fail "$1: $2 lacks '$3'"; }
}
# FIELD of the partition's state znode (leader, or isr as "1,2")
state() {
    zkq get "/brokers/topics/$T/partitions/0/state" 2>/dev/null |
        "$PY" -c 'import json, sys
s = json.load(sys.stdin)
v = s[sys.argv[1]]
print(",".join(str(x) for x in sorted(v)) if isinstance(v, list) else v)' "$1"
}
# waits (bounded by $2 seconds) until the ISR is $1
wait_isr() {
    local deadline=$((SECONDS + $2)) got
    while :; do
        got=$(state isr)
        [ "$got" = "$1" ] && return 0
        [ $SECONDS -lt $deadline ] ||
            fail "ISR of $T is '$got' after $2 s, want '$1'"
        sleep 0.5
    done
}
# bytes of the partition's segments on broker $1
logbytes() {
    local n=0 f
    for f in "$(broker_datadir "$1")/$T-0"/*.log; do
        [ -f "$f" ] && n=$((n + $(stat -c %s "$f")))
    done
    echo "$n"
}
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

run 0 create topics --create --topic "$T" --partitions 1 --replication-factor 2
deadline=$((SECONDS + 30))
until [ "$(state isr 2>/dev/null)" = "1,2" ]; do
    [ $SECONDS -lt $deadline ] || fail "$T: ISR '$(state isr)' after 30 s"
    sleep 0.3
done
L=$(state leader)
case $L in 1) F=2 ;; 2) F=1 ;; *) fail "$T: leader '$L'" ;; esac
say "$T: leader $L, follower $F; stopping the follower"

# --- the follower falls behind
broker_kill "$F" TERM
wait_isr "$L" 30
run 0 produce producer-perf-test --topic "$T" --num-records "$RECORDS" \
    --record-size 1000 --throughput -1 --producer-props acks=1
total=$(logbytes "$L")
[ "$total" -ge $((RECORDS * 1000)) ] ||
    fail "leader holds $total bytes after producing $RECORDS x 1000"
say "leader holds $total bytes; follower $(logbytes "$F")"

# --- throttle: cluster-wide rates, every replica of the topic
run 0 alter-rate configs --alter --entity-type brokers --entity-default \
    --add-config "leader.replication.throttled.rate=$RATE,follower.replication.throttled.rate=$RATE"
has alter-rate out "Completed updating default config for brokers in the cluster."
run 0 alter-list configs --alter --entity-type topics --entity-name "$T" \
    --add-config "leader.replication.throttled.replicas=*,follower.replication.throttled.replicas=*"
run 1 bad-list configs --alter --entity-type topics --entity-name "$T" \
    --add-config "leader.replication.throttled.replicas=0-1"
has bad-list err "INVALID_CONFIG"
has bad-list err "must be the literal '*' or a list of replicas"
wait_describe "leader.replication.throttled.rate=$RATE sensitive=false source=DYNAMIC_DEFAULT_BROKER_CONFIG" \
    --entity-type brokers --entity-name "$L"
wait_describe "follower.replication.throttled.replicas=* sensitive=false source=DYNAMIC_TOPIC_CONFIG" \
    --entity-type topics --entity-name "$T"
has wait out "leader.replication.throttled.replicas=* sensitive=false source=DYNAMIC_TOPIC_CONFIG"
sleep 1   # the UpdateMetadata carrying the topic config reaches the leader

# --- the follower restarts and copies at about $RATE bytes/s
before=$(logbytes "$F")
broker_restart "$F"
started=$SECONDS
sleep "$THROTTLED_SECONDS"
copied=$(($(logbytes "$F") - before))
elapsed=$((SECONDS - started))
say "throttled: follower copied $copied of $((total - before)) bytes in ~$elapsed s"
[ $((copied * 2)) -lt $((total - before)) ] ||
    fail "follower copied $copied of $((total - before)) bytes in $elapsed s at $RATE bytes/s: not throttled"
[ "$(state isr)" = "$L" ] || fail "ISR '$(state isr)' while the follower is throttled"
# progress, not a stall: more than it had (bounded wait)
deadline=$((SECONDS + 20))
until [ "$(logbytes "$F")" -gt $((before + copied)) ]; do
    [ $SECONDS -lt $deadline ] ||
        fail "throttled follower stuck at $(logbytes "$F") bytes for 20 s"
    sleep 0.5
done
check_brokers_alive

# --- unthrottled: it catches up and rejoins the ISR
run 0 unrate configs --alter --entity-type brokers --entity-default \
    --delete-config leader.replication.throttled.rate,follower.replication.throttled.rate
run 0 unlist configs --alter --entity-type topics --entity-name "$T" \
    --delete-config leader.replication.throttled.replicas,follower.replication.throttled.replicas
released=$SECONDS
deadline=$((SECONDS + 60))
until [ "$(logbytes "$F")" -ge "$total" ]; do
    [ $SECONDS -lt $deadline ] ||
        fail "follower holds $(logbytes "$F") of $total bytes 60 s after the throttle was removed"
    sleep 0.5
done
say "caught up $((SECONDS - released)) s after the throttle was removed"
wait_isr "1,2" 60
run 0 describe-b configs --describe --entity-type brokers --entity-name "$L"
grep -q "replication.throttled.rate" "$work/describe-b.out" &&
    fail "throttle rates still set after --delete-config"
check_brokers_alive
say PASS
