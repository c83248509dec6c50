#!/bin/bash
# 52-consumer-groups-tool: samsa consumer-groups (kafka-consumer-groups.sh)
# against a live broker and a confluent_kafka consumer group.  A topic of
# 3 partitions gets 10 records each; a consumer reads them all but commits
# only partition 0 at 4 and partition 1 at 7, and stays in the group.
# Then: --list (and --state), --describe lag numbers (table and JSON),
# --members [--verbose] and --state while it is active; --reset-offsets
# and --delete refused while it is active; after it leaves, every reset
# scenario (dry run by default, --execute commits; clamped to the log),
# a reset that creates a group, --delete, and the error paths with their
# exit statuses (samsa(1) EXIT STATUS).
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"

cluster_start 1 group.initial.rebalance.delay.ms=300
work=$CLUSTER_DIR/cgtool
mkdir -p "$work"
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
T=t52-$$
G=g52-$$

# run EXPECTED_STATUS NAME ARGS...: runs samsa consumer-groups ARGS, keeps
# stdout in $work/NAME.out and stderr in $work/NAME.err.
run() {
    local want=$1 name=$2 rc
    shift 2
    timeout 60 "$SAMSA" consumer-groups "$@" >"$work/$name.out" \
        2>"$work/$name.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        say "samsa consumer-groups $* -> status $rc, expected $want"
        sed 's/^/  stdout: /' "$work/$name.out" | head -20 >&2
        sed 's/^/  stderr: /' "$work/$name.err" | head -20 >&2
        check_brokers_alive
        fail "$name: status $rc, expected $want"
    fi
}
# has NAME out|err TEXT: the output contains TEXT (a fixed string)
has() {
    grep -qF -- "$3" "$work/$1.$2" ||
        { cat "$work/$1.$2" >&2; fail "$1: '$3' not in its std$2"; }
}
# hasnt NAME out|err TEXT
hasnt() {
    ! grep -qF -- "$3" "$work/$1.$2" ||
        { cat "$work/$1.$2" >&2; fail "$1: '$3' unexpectedly in its std$2"; }
}
# row NAME PARTITION: "CURRENT END LAG CONSUMER CLIENT" of a describe table
row() {
    awk -v t="$T" -v p="$2" '$2 == t && $3 == p { print $4, $5, $6, $7, $9 }' \
        "$work/$1.out"
}
# expect_row NAME PARTITION "CURRENT END LAG" [member|-]
expect_row() {
    local r
    r=$(row "$1" "$2")
    case "$r" in
    "$3 "*) ;;
    *) cat "$work/$1.out" >&2
       fail "$1: partition $2 is '$r', expected '$3 ...'" ;;
    esac
    if [ "${4:-}" = member ]; then
        case "$r" in
        *" - -" | "") fail "$1: partition $2 has no member: '$r'" ;;
        *" cg52-client") ;;
        *) fail "$1: partition $2: client id not cg52-client: '$r'" ;;
        esac
    elif [ "${4:-}" = - ]; then
        case "$r" in
        *" - -") ;;
        *) fail "$1: partition $2 still has a member: '$r'" ;;
        esac
    fi
}
# plan NAME: "PARTITION:NEW-OFFSET ..." of a reset plan, in order
plan() {
    awk -v t="$T" '$2 == t { printf "%s%s:%s", sep, $3, $4; sep = " " }' \
        "$work/$1.out"
}
expect_plan() {
    local p
    p=$(plan "$1")
    [ "$p" = "$2" ] || { cat "$work/$1.out" >&2
        fail "$1: plan '$p', expected '$2'"; }
}

"$SAMSA" topics --create --topic "$T" --partitions 3 >/dev/null ||
    fail "cannot create $T"

cat >"$work/consumer.py" <<'EOF'
import os, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
boot, topic, group, ready, stop = sys.argv[1:6]
p = Producer({"bootstrap.servers": boot})
for part in range(3):
    for i in range(10):
        p.produce(topic, value=b"v%d-%d" % (part, i), partition=part)
assert p.flush(30) == 0, "records left unsent"
c = Consumer({"bootstrap.servers": boot, "group.id": group,
              "client.id": "cg52-client", "enable.auto.commit": False,
              "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
              "heartbeat.interval.ms": 500})
c.subscribe([topic])
got, deadline = 0, time.time() + 60
while got < 30 and time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        got += 1
assert got == 30, "consumed %d of 30" % got
c.commit(offsets=[TopicPartition(topic, 0, 4), TopicPartition(topic, 1, 7)],
         asynchronous=False)
with open(ready, "w") as f:
    f.write("%d\n" % got)
deadline = time.time() + 200
while not os.path.exists(stop) and time.time() < deadline:
    c.poll(0.2)
c.close()
EOF
"$PY" -u "$work/consumer.py" "$bootstrap" "$T" "$G" "$work/ready" \
    "$work/stop" >"$work/consumer.log" 2>&1 &
cpid=$!
track_pid $cpid consumer
for _ in $(seq 1 120); do
    [ -s "$work/ready" ] && break
    kill -0 $cpid 2>/dev/null ||
        { cat "$work/consumer.log" >&2; fail "the consumer exited early"; }
    sleep 0.5
done
[ -s "$work/ready" ] || { cat "$work/consumer.log" >&2; fail "consumer not ready"; }
say "consumer in group $G committed p0=4 p1=7 of 10 each"

# --- while the consumer is active
run 0 list --list
has list out "$G"
run 0 list-state --list --state
grep -qE "^$G +Stable\$" "$work/list-state.out" ||
    { cat "$work/list-state.out" >&2; fail "--list --state: $G not Stable"; }
run 0 list-json --list --json
"$PY" -c 'import json,sys; assert any(g["group"] == sys.argv[2] and g["state"] == "Stable" for g in json.load(open(sys.argv[1])))' \
    "$work/list-json.out" "$G" || fail "--list --json lacks $G"
run 0 desc --describe --group "$G"
has desc out "GROUP"
has desc out "CURRENT-OFFSET"
has desc out "LOG-END-OFFSET"
has desc out "CONSUMER-ID"
expect_row desc 0 "4 10 6" member
expect_row desc 1 "7 10 3" member
expect_row desc 2 "- 10 -" member
run 0 desc-all --describe --all-groups
expect_row desc-all 1 "7 10 3" member
run 0 desc-json --describe --group "$G" --offsets --json
"$PY" - "$work/desc-json.out" "$T" <<'EOF' || fail "--describe --json lag"
import json, sys
rows = {r["partition"]: r for r in json.load(open(sys.argv[1]))
        if r["topic"] == sys.argv[2]}
want = {0: (4, 10, 6), 1: (7, 10, 3), 2: (None, 10, None)}
for p, (cur, end, lag) in want.items():
    r = rows[p]
    assert (r["current_offset"], r["log_end_offset"], r["lag"]) == \
        (cur, end, lag), r
    assert r["client_id"] == "cg52-client" and r["consumer_id"], r
    assert r["host"], r
EOF
run 0 members --describe --group "$G" --members
has members out "#PARTITIONS"
has members out "cg52-client"
awk -v g="$G" '$1 == g { print $NF }' "$work/members.out" | grep -qx 3 ||
    { cat "$work/members.out" >&2; fail "--members: not 3 partitions"; }
run 0 members-v --describe --group "$G" --members --verbose
has members-v out "ASSIGNMENT"
has members-v out "$T(0,1,2)"
run 0 state --describe --group "$G" --state
has state out "Stable"
has state out "COORDINATOR (ID)"
run 0 state-json --describe --group "$G" --state --json
"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))[0]; assert s["state"] == "Stable" and s["members"] == 1 and s["coordinator"]["id"] >= 0, s' \
    "$work/state-json.out" || fail "--describe --state --json"

run 1 reset-active --reset-offsets --group "$G" --all-topics --to-earliest \
    --execute
has reset-active err "inactive"
has reset-active err "stop its consumers"
run 1 reset-active-dry --reset-offsets --group "$G" --topic "$T" \
    --to-earliest --dry-run
has reset-active-dry err "inactive"
run 1 delete-active --delete --group "$G"
has delete-active err "active members"
run 0 desc-still --describe --group "$G"
expect_row desc-still 0 "4 10 6" member

# --- the consumer leaves the group
touch "$work/stop"
wait $cpid || { cat "$work/consumer.log" >&2; fail "the consumer failed"; }
for _ in $(seq 1 40); do
    run 0 wait-empty --describe --group "$G" --state
    grep -q Empty "$work/wait-empty.out" && break
    sleep 0.5
done
has wait-empty out "Empty"
run 0 desc-empty --describe --group "$G"
has desc-empty err "has no active members"
expect_row desc-empty 0 "4 10 6" -
expect_row desc-empty 1 "7 10 3" -
[ -z "$(row desc-empty 2)" ] || fail "desc-empty: partition 2 listed"

# dry run (the default): a plan, nothing committed
run 0 reset-dry --reset-offsets --group "$G" --all-topics --to-earliest
has reset-dry out "NEW-OFFSET"
has reset-dry err "add --execute"
expect_plan reset-dry "0:0 1:0"
run 0 desc-after-dry --describe --group "$G"
expect_row desc-after-dry 0 "4 10 6"
# --execute
run 0 reset-p0 --reset-offsets --group "$G" --topic "$T:0" --to-offset 5 \
    --execute
expect_plan reset-p0 "0:5"
hasnt reset-p0 err "add --execute"
run 0 reset-p2 --reset-offsets --group "$G" --topic "$T:2" --to-latest \
    --execute
run 0 desc-reset --describe --group "$G"
expect_row desc-reset 0 "5 10 5"
expect_row desc-reset 1 "7 10 3"
expect_row desc-reset 2 "10 10 0"
run 0 reset-shift --reset-offsets --group "$G" --topic "$T" --shift-by -2 \
    --execute
expect_plan reset-shift "0:3 1:5 2:8"
run 0 desc-shift --describe --group "$G" --json
"$PY" -c 'import json,sys; r=sorted((x["partition"], x["current_offset"], x["lag"]) for x in json.load(open(sys.argv[1]))); assert r == [(0,3,7),(1,5,5),(2,8,2)], r' \
    "$work/desc-shift.out" || fail "offsets after --shift-by -2"
# clamped to the partition
run 0 reset-clamp --reset-offsets --group "$G" --topic "$T" --to-offset 99 \
    --dry-run
expect_plan reset-clamp "0:10 1:10 2:10"
run 0 reset-shift-far --reset-offsets --group "$G" --topic "$T" \
    --shift-by -100 --dry-run --json
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["new_offset"] for x in r] == [0,0,0] and not any(x["committed"] for x in r), r' \
    "$work/reset-shift-far.out" || fail "--shift-by -100 --json"
# by time
run 0 reset-dt-past --reset-offsets --group "$G" --topic "$T" \
    --to-datetime 2000-01-01T00:00:00.000
expect_plan reset-dt-past "0:0 1:0 2:0"
run 0 reset-dt-future --reset-offsets --group "$G" --topic "$T" \
    --to-datetime 2999-01-01T00:00:00.000Z
expect_plan reset-dt-future "0:10 1:10 2:10"
run 0 reset-dur --reset-offsets --group "$G" --topic "$T:1" \
    --by-duration P1DT1H
expect_plan reset-dur "1:0"
run 0 reset-current --reset-offsets --group "$G" --all-topics --to-current
expect_plan reset-current "0:3 1:5 2:8"
run 0 reset-dur-exec --reset-offsets --group "$G" --topic "$T" \
    --by-duration PT10M --execute
run 0 desc-dur --describe --group "$G"
expect_row desc-dur 0 "0 10 10"
expect_row desc-dur 2 "0 10 10"

# a reset creates a group that does not exist yet
F=fresh52-$$
run 1 desc-fresh-none --describe --group "$F"
has desc-fresh-none err "group '$F' does not exist; list groups with samsa consumer-groups --list"
run 1 shift-fresh --reset-offsets --group "$F" --topic "$T" --shift-by 1 \
    --execute
has shift-fresh err "no committed offset"
run 0 reset-fresh --reset-offsets --group "$F" --topic "$T" --to-offset 3 \
    --execute
run 0 desc-fresh --describe --group "$F"
expect_row desc-fresh 1 "3 10 7" -

# bad topic / partition
run 1 reset-notopic --reset-offsets --group "$G" --topic "nope-$$" \
    --to-earliest
has reset-notopic err "does not exist"
run 1 reset-nopart --reset-offsets --group "$G" --topic "$T:7" --to-earliest
has reset-nopart err "no partition 7"

# --- delete
run 0 delete --delete --group "$G" --group "$F"
has delete out "Deletion of requested consumer groups ('$G', '$F') was successful."
run 0 list-after --list
hasnt list-after out "$G"
run 1 desc-deleted --describe --group "$G"
has desc-deleted err "does not exist; list groups with samsa consumer-groups --list"
run 1 delete-again --delete --group "$G"
has delete-again err "group '$G' does not exist"

# --- usage errors and an unreachable cluster
run 2 no-action --group "$G"
has no-action err "give one of --list"
run 2 no-group --describe
has no-group err "--group"
run 2 no-scenario --reset-offsets --group "$G" --topic "$T"
has no-scenario err "--to-earliest"
run 2 no-scope --reset-offsets --group "$G" --to-earliest
has no-scope err "--all-topics"
run 2 bad-dt --reset-offsets --group "$G" --topic "$T" --to-datetime yesterday
has bad-dt err "YYYY-MM-DDTHH:mm:SS.sss"
run 2 bad-dur --reset-offsets --group "$G" --topic "$T" --by-duration 1h
has bad-dur err "PnDTnHnMnS"
run 2 both --reset-offsets --group "$G" --topic "$T" --to-latest --dry-run \
    --execute
run 2 two-views --describe --group "$G" --members --state
port_free=; free_port port_free
run 3 unreachable --list --bootstrap-server "127.0.0.1:$port_free" \
    --timeout-ms 2000
check_brokers_alive
say PASS
