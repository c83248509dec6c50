#!/bin/bash
# 80-restart-and-retention: small log.segment.bytes makes segments roll;
# log.retention.bytes deletes the oldest ones and the log start offset
# (ListOffsets earliest) advances to the first remaining segment's base
# offset.  A clean restart keeps every offset; time retention
# (log.retention.ms) after the restart expires everything written before
# it, and new appends continue from the old log end offset, never from 0.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_own_cluster
require_zookeeper
require_py_module confluent_kafka python3-confluent-kafka

SEG=16384
RET=65536
helper=$top_srcdir/tests/integration/80-restart-and-retention.py
topic=t80-$$
common=(log.segment.bytes=$SEG log.retention.check.interval.ms=500
        log.segment.delete.delay.ms=0 num.partitions=1)
cluster_start 1 "${common[@]}" log.retention.bytes=$RET
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "$topic:1"
dir=$(broker_datadir 1)/$topic-0
[ -d "$dir" ] || fail "partition directory $dir missing"

wm() { "$PY" "$helper" wm "$bootstrap" "$topic"; }

# segments: print "base size" for each NNNNNNNNNNNNNNNNNNNN.log, sorted
segments() {
    local f b sz
    for f in "$dir"/*.log; do
        [ -f "$f" ] || continue
        b=${f##*/}
        b=${b%.log}
        [[ $b =~ ^[0-9]{20}$ ]] || continue
        sz=$(stat -c %s "$f" 2>/dev/null) || continue   # deleted meanwhile
        echo "$((10#$b)) $sz"
    done | sort -n
}

run_py "$helper" produce "$bootstrap" "$topic" 400 1000
say "segments after producing 400 x 1000 bytes:"
segments >&2
nseg=$(segments | wc -l)
maxbase=$(segments | tail -n 1 | cut -d' ' -f1)
[ "$maxbase" -gt 0 ] || fail "no segment rolled (only base offset 0) with log.segment.bytes=$SEG"
while read -r base size; do
    [ "$size" -le $SEG ] || fail "segment $base is $size bytes > log.segment.bytes=$SEG"
    for ext in index timeindex; do
        f="$dir/$(printf %020d "$base")"
        # retention may delete the segment after the listing: samsad
        # unlinks the .log first, so a missing index counts only while the
        # .log is still there
        [ -f "$f.$ext" ] || [ ! -f "$f.log" ] ||
            fail "segment $base has no .$ext file"
    done
done < <(segments)

# size retention: wait for the oldest segments to go
deadline=$((SECONDS + 30))
while :; do
    read -r lo hi < <(wm)
    total=$(segments | awk '{s += $2} END {print s + 0}')
    first=$(segments | head -n 1 | cut -d' ' -f1)
    if [ "$lo" -gt 0 ] && [ "$total" -le $((RET + SEG)) ] && [ "$lo" = "$first" ]; then
        break
    fi
    [ $SECONDS -lt $deadline ] ||
        fail "size retention: after 30 s log start $lo, first segment $first, $total bytes of segments (retention $RET + one segment $SEG)"
    sleep 0.5
done
say "size retention ok: log start $lo = first segment base, $total bytes in $(segments | wc -l) segments (had $nseg)"
[ "$hi" = 400 ] || fail "high watermark $hi, want 400"
run_py "$helper" readcheck "$bootstrap" "$topic"

# clean restart, now with time retention instead of size retention
lo1=$lo hw1=$hi maxbase1=$(segments | tail -n 1 | cut -d' ' -f1)
BROKER_OVERRIDES[1]=$(printf '%s\n' "${common[@]}" log.retention.bytes=-1 log.retention.ms=4000)
broker_restart 1 TERM
[ "$BROKER_EXIT_STATUS" = 0 ] || fail "broker exited with status $BROKER_EXIT_STATUS on SIGTERM"
read -r lo hi < <(wm)
say "after restart: log start $lo, high watermark $hi"
[ "$hi" = "$hw1" ] || fail "high watermark $hi after restart, want $hw1"
[ "$lo" -ge "$lo1" ] || fail "log start $lo after restart went back (was $lo1)"

# time retention: everything written before the restart is > 4 s old.
# Kafka deletes the active segment too (rolling first) once its newest
# timestamp is older than retention.ms, so the log start reaches the end.
deadline=$((SECONDS + 40))
while :; do
    read -r lo hi < <(wm)
    [ "$lo" = "$hw1" ] && break
    [ $SECONDS -lt $deadline ] ||
        fail "time retention: log start $lo after 40 s, want $hw1 (segments: $(segments | tr '\n' ' '))"
    sleep 0.5
done
say "time retention ok: log start = log end = $lo; segments: $(segments | tr '\n' ' ')"
[ "$(segments | head -n 1 | cut -d' ' -f1)" = "$hw1" ] ||
    fail "after expiring everything the segment base is not $hw1: $(segments | tr '\n' ' ')"
run_py "$helper" produce "$bootstrap" "$topic" 50 1000
read -r lo hi < <(wm)
[ "$hi" = $((hw1 + 50)) ] || fail "high watermark $hi, want $((hw1 + 50))"

BROKER_OVERRIDES[1]=$(printf '%s\n' "${common[@]}" log.retention.bytes=-1 log.retention.ms=3600000)
broker_restart 1 TERM
read -r lo hi < <(wm)
say "after second restart: log start $lo, high watermark $hi"
[ "$hi" = $((hw1 + 50)) ] || fail "high watermark $hi after restart, want $((hw1 + 50))"
[ "$lo" -ge "$hw1" ] && [ "$lo" -le "$hi" ] || fail "log start $lo outside [$hw1, $hi]"
run_py "$helper" readcheck "$bootstrap" "$topic"
check_brokers_alive
say PASS
