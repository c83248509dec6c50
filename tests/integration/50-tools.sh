#!/bin/bash
# 50-tools: every samsa(1) command against a live broker.  topics create /
# list / describe / alter / delete; console-producer -> console-consumer
# round trips with keys and headers in each codec, with keys placed by the
# Java client's murmur2 partitioner (checked against an independent Python
# implementation); get-offsets; broker-api-versions; cluster; configs
# --describe; dump-log on the broker's own segment files (and a corrupted
# copy); and the error paths: helpful messages and documented exit statuses
# (samsa(1) EXIT STATUS).
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-300}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

require_zookeeper
SAMSA=${SAMSA:-$top_builddir/samsa}
[ -x "$SAMSA" ] || fail "$SAMSA not built"

cluster_start 1
work=$CLUSTER_DIR/tools
mkdir -p "$work"
export SAMSA_BOOTSTRAP_SERVERS=$bootstrap
T=t50-$$

# run EXPECTED_STATUS NAME ARGS... [< input]: runs samsa ARGS, keeps stdout
# in $work/NAME.out and stderr in $work/NAME.err, fails on another status.
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
# has NAME out|err TEXT: the output contains TEXT (a fixed string)
has() {
    grep -qF -- "$3" "$work/$1.$2" ||
        { cat "$work/$1.$2" >&2; fail "$1: '$3' not in its std$2"; }
}

# --- dispatcher
run 0 version --version
has version out "samsa "
run 0 help --help
for c in topics console-producer console-consumer get-offsets \
         broker-api-versions cluster dump-log configs; do
    has help out "$c"
    run 0 "help-$c" "$c" --help
    has "help-$c" out "usage: samsa $c"
done
run 2 nocmd frobnicate
has nocmd err "samsa --help"

# --- topics
run 0 create topics --create --topic "$T" --partitions 3 \
    --config retention.ms=3600000
has create out "Created topic $T."
run 1 create-again topics --create --topic "$T"
has create-again err "already exists"
run 0 create-ine topics --create --topic "$T" --if-not-exists
run 0 list topics --list
has list out "$T"
run 0 list-json topics --list --json
"$PY" -c 'import json,sys; assert sys.argv[2] in json.load(open(sys.argv[1]))' \
    "$work/list-json.out" "$T" || fail "topics --list --json lacks $T"
run 0 describe topics --describe --topic "$T"
has describe out "PartitionCount: 3"
has describe out "retention.ms=3600000"
has describe out "Partition: 2	Leader: "
run 0 alter topics --alter --topic "$T" --partitions 4
run 0 describe-json topics --describe --topic "$T" --json
"$PY" - "$work/describe-json.out" <<'EOF' || fail "topics --describe --json"
import json, sys
t = json.load(open(sys.argv[1]))[0]
assert t["partition_count"] == 4 and len(t["partitions"]) == 4, t
assert t["configs"] == {"retention.ms": "3600000"}, t["configs"]
assert all(p["leader"] in p["isr"] for p in t["partitions"]), t
EOF
run 1 alter-down topics --alter --topic "$T" --partitions 2
has alter-down err "INVALID_PARTITIONS"

# --- console-producer -> console-consumer, keys and headers, each codec
NPART=4
for i in $(seq 1 40); do
    printf 'src:%s,n:%d\tkey-%d\tvalue %d\n' "$T" "$i" "$i" "$i"
done >"$work/keyed.in"
run 0 produce-keyed console-producer --topic "$T" \
    --property parse.key=true --property parse.headers=true <"$work/keyed.in"
run 0 consume-keyed console-consumer --topic "$T" --from-beginning \
    --max-messages 40 --timeout-ms 20000 --property print.key=true \
    --property print.headers=true --property print.partition=true
has consume-keyed err "Processed a total of 40 messages"
# the same lines back (partition column removed), and each key in the
# partition the Java client would choose
"$PY" - "$work/keyed.in" "$work/consume-keyed.out" "$NPART" <<'EOF' ||
import sys
def murmur2(data):
    m, h = 0x5bd1e995, (0x9747b28c ^ len(data)) & 0xffffffff
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xffffffff
        k ^= k >> 24
        k = (k * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    rest = data[4 * n4:]
    if len(rest) >= 3: h ^= rest[2] << 16
    if len(rest) >= 2: h ^= rest[1] << 8
    if len(rest) >= 1:
        h ^= rest[0]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    h ^= h >> 15
    return h
want = sorted(open(sys.argv[1]).read().splitlines())
got, n = [], int(sys.argv[3])
for line in open(sys.argv[2]).read().splitlines():
    part, rest = line.split("\t", 1)
    key = rest.split("\t")[1]
    p = int(part.split(":")[1])
    assert p == (murmur2(key.encode()) & 0x7fffffff) % n, (key, p)
    got.append(rest)
assert sorted(got) == want, (got[:3], want[:3])
EOF
    fail "keyed round trip: records or partitions differ"

for codec in none gzip snappy lz4 zstd; do
    tc=$T-$codec
    run 0 "create-$codec" topics --create --topic "$tc" --partitions 1
    seq 1 500 >"$work/$codec.in"
    run 0 "produce-$codec" console-producer --topic "$tc" \
        --compression-codec "$codec" --batch-size 2000 <"$work/$codec.in"
    run 0 "consume-$codec" console-consumer --topic "$tc" --from-beginning \
        --max-messages 500 --timeout-ms 20000
    cmp -s "$work/$codec.in" "$work/consume-$codec.out" ||
        fail "$codec round trip differs (see $work/consume-$codec.out)"
done
# acks=0 and --sync; --producer-property sets the codec too
printf 'fire\nand\nforget\n' >"$work/acks0.in"
run 0 produce-acks0 console-producer --topic "$T-none" \
    --request-required-acks 0 --producer-property compression.type=lz4 \
    <"$work/acks0.in"
printf 'one\ntwo\n' >"$work/sync.in"
run 0 produce-sync console-producer --topic "$T-none" --sync <"$work/sync.in"
run 0 consume-tail console-consumer --topic "$T-none" --partition 0 \
    --offset 500 --max-messages 5 --timeout-ms 20000 \
    --property print.offset=true
has consume-tail out "Offset:500	"
has consume-tail out "Offset:504	"
has consume-tail out "forget"
has consume-tail out "two"
# a consumer waiting at the end gets a record produced later
( sleep 1; echo late | "$SAMSA" console-producer --topic "$T-gzip" ) &
late=$!
track_pid "$late" late-producer
run 0 consume-live console-consumer --topic "$T-gzip" --max-messages 1 \
    --timeout-ms 20000
wait "$late" || fail "the late console-producer failed"
has consume-live out "late"
run 0 consume-timeout console-consumer --topic "$T-gzip" --timeout-ms 500
has consume-timeout err "Processed a total of 0 messages"

# --- get-offsets
run 0 offsets get-offsets --topic "$T-none"
has offsets out "$T-none:0:505"
run 0 offsets-early get-offsets --topic "$T-none" --time -2 --json
has offsets-early out '"offset": 0'

# --- broker-api-versions, cluster, configs
run 0 apis broker-api-versions
has apis out "rack: null) -> ("
has apis out "Produce(0): 3 to 9 [usable: 9]"
has apis out "ApiVersions(18): 0 to 3 [usable: 3]"
run 0 cluster cluster
has cluster out "Controller: "
run 0 cluster-json cluster --json
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c["cluster_id"] and c["controller"] in [b["id"] for b in c["brokers"]], c' \
    "$work/cluster-json.out" || fail "cluster --json"
run 0 configs configs --describe --entity-type topics --entity-name "$T"
has configs out "retention.ms=3600000"
run 0 configs-all configs --describe --entity-type topics \
    --entity-name "$T" --all
has configs-all out "cleanup.policy=delete"
run 0 configs-broker configs --describe --entity-type brokers \
    --entity-name 1 --all --json
has configs-broker out '"entity_name": "1"'
run 0 configs-alter configs --alter --entity-type topics --entity-name "$T" \
    --add-config retention.ms=7200000
has configs-alter out "Completed updating config for topic $T."
run 2 configs-alter-usage configs --alter --entity-type topics \
    --entity-name "$T"
has configs-alter-usage err "--add-config or --delete-config"

# --- dump-log on the broker's files
if [ -z "${SAMSA_TEST_BOOTSTRAP:-}" ]; then
    dir=$(broker_datadir 1)/$T-gzip-0
    log=$(ls "$dir"/*.log | head -1)
    run 0 dump dump-log --files "$log"
    has dump out "compresscodec: GZIP"
    has dump out "isvalid: true"
    run 0 dump-data dump-log --print-data-log --files "$log"
    has dump-data out "payload: 500"
    run 0 dump-index dump-log "${log%.log}.index" "${log%.log}.timeindex"
    has dump-index out "index passed sanity check."
    has dump-index out "timeindex passed sanity check."
    # a flipped byte inside the first batch's records: CRC invalid, status 1
    cp "$log" "$work/00000000000000000000.log"
    printf '\xff' | dd of="$work/00000000000000000000.log" bs=1 seek=70 \
        conv=notrunc 2>/dev/null
    run 1 dump-bad dump-log --files "$work/00000000000000000000.log"
    has dump-bad out "isvalid: false"
    run 2 dump-none dump-log
fi

# --- error paths
run 1 describe-missing topics --describe --topic "nope-$$"
has describe-missing err "topic 'nope-$$' does not exist; list topics with samsa topics --list"
run 1 consume-missing console-consumer --topic "nope-$$" --timeout-ms 100
has consume-missing err "does not exist"
echo x >"$work/x.in"
run 1 produce-missing console-producer --topic "nope-$$" <"$work/x.in"
has produce-missing err "does not exist"
run 1 produce-nokey console-producer --topic "$T" \
    --property parse.key=true <"$work/x.in"
has produce-nokey err "line 1 not sent"
run 2 group console-consumer --topic "$T" --group g1
has group err "consumer groups are not supported yet"
run 2 offset-nopart console-consumer --topic "$T" --offset 5
run 2 badopt topics --list --nope
has badopt err "unknown option '--nope'"
run 2 noaction topics
run 2 badcodec console-producer --topic "$T" --compression-codec brotli
(unset SAMSA_BOOTSTRAP_SERVERS; run 2 nobootstrap topics --list) ||
    fail "samsa without a bootstrap server"
has nobootstrap err "--bootstrap-server"
port=
free_port port
run 3 unreachable topics --list --bootstrap-server "127.0.0.1:$port"
has unreachable err "no bootstrap server answered"

# --- delete
run 0 delete topics --delete --topic "$T"
has delete out "Deleted topic $T."
for i in $(seq 1 50); do
    run 0 list-after topics --list
    grep -qx -- "$T" "$work/list-after.out" || break
    sleep 0.2
done
grep -qx -- "$T" "$work/list-after.out" && fail "$T still listed after delete"
run 1 delete-again topics --delete --topic "$T"
run 0 delete-ie topics --delete --topic "$T" --if-exists

check_brokers_alive
say "PASS: samsa tools"
