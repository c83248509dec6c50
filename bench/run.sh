#!/bin/bash
# bench/run.sh: the samsa benchmark suite on one machine.
#
# Starts a standalone ZooKeeper and one samsad from BUILD_DIR on free
# loopback ports in a temp dir, then runs (bench/bench_kafka, librdkafka):
#   produce 100 B  acks=1, acks=all      (BENCH_MSGS_SMALL messages each)
#   produce 1 KiB  acks=1, acks=all      (BENCH_MSGS_LARGE messages each)
#   consume 100 B and 1 KiB from the beginning of the acks=1 topics, i.e.
#   from the page cache right after producing
# then the baselines (bench/redis_baseline.sh, bench/iperf.sh, and dd into
# the page cache of the data filesystem for produce MB/s) and prints a
# summary table against the targets.  Everything is bounded in time, and
# every process started here is stopped by PID from the EXIT trap.
# Benchmarks are never pass/fail tests; the exit status only says whether
# all runs completed.
#
# Usage: bench/run.sh [BUILD_DIR]        (default ./build)
# Environment:
#   BENCH_PARTITIONS   partitions per topic (4)
#   BENCH_MSGS_SMALL   messages per 100 B run (10000000)
#   BENCH_MSGS_LARGE   messages per 1 KiB run (2000000)
#   BENCH_COMPRESSION  producer compression (none)
#   BENCH_REDIS_N      redis-benchmark requests (1000000)
#   BENCH_TIMEOUT      bound for the whole run in seconds (1500)
#   BENCH_KEEP=1       keep the temp dir (configs, logs, results; the
#                      partition data is always removed after the runs)
#   BENCH_PROFILE=RUNS `perf record -g` samsad during each named run
#                      (comma-separated: p100_acks1, p100_acksall, p1k_acks1,
#                      p1k_acksall, c100, c1k; 1 means p100_acks1) into
#                      DIR/perf-RUN.data (implies BENCH_KEEP)
#   BENCH_SAMSAD_OPTS  extra `--override key=value` arguments for samsad
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ -z "${BENCH_GUARDED:-}" ]; then
    export BENCH_GUARDED=1
    exec timeout -k 20 "${BENCH_TIMEOUT:-1500}" bash "$0" "$@"
fi

build=${1:-./build}
build=$(cd "$build" 2>/dev/null && pwd) || { bench_say "no build dir ${1:-./build}"; exit 2; }
samsad=$build/samsad
bench=$build/bench/bench_kafka
parts=${BENCH_PARTITIONS:-4}
n_small=${BENCH_MSGS_SMALL:-10000000}
n_large=${BENCH_MSGS_LARGE:-2000000}
comp=${BENCH_COMPRESSION:-none}
[ "${BENCH_PROFILE:-0}" != 0 ] && BENCH_KEEP=1
[ -x "$samsad" ] || { bench_say "$samsad not built"; exit 2; }
[ -x "$bench" ] || { bench_say "$bench not built (needs librdkafka-dev at configure time; make bench/bench_kafka)"; exit 2; }
[ -x /usr/share/zookeeper/bin/zkServer.sh ] || { bench_say "ZooKeeper not installed (Debian package zookeeper)"; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench.XXXXXX")
results=$dir/results
: >"$results"
zk_pid= broker_pid= perf_pid=
failed=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bench_stop_pid "$perf_pid" perf
    if [ -n "$broker_pid" ] && ! kill -0 "$broker_pid" 2>/dev/null; then
        wait "$broker_pid"
        bench_say "samsad (pid $broker_pid) had exited with status $?"
        rc=1
    fi
    bench_stop_pid "$broker_pid" samsad
    bench_stop_pid "$zk_pid" zookeeper
    if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
        echo "======== last 60 lines of samsad.log ========" >&2
        tail -n 60 "$dir/samsad.log" >&2 2>/dev/null
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        bench_say "kept $dir"
    else
        rm -rf "$dir"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'bench_say interrupted; exit 130' INT
trap 'bench_say "terminated (timeout?)"; exit 143' TERM

# ---------------------------------------------------------------------------
# ZooKeeper and the broker

mkdir -p "$dir/zk/data" "$dir/data"
bench_free_port zk_port || exit 1
cat >"$dir/zk/zoo.cfg" <<EOF
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/zk/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok
EOF
ZOO_LOG_DIR=$dir/zk JVMFLAGS="-Dzookeeper.root.logger=INFO,CONSOLE -Xmx256m" \
    /usr/share/zookeeper/bin/zkServer.sh start-foreground "$dir/zk/zoo.cfg" \
    >"$dir/zk.log" 2>&1 </dev/null &
zk_pid=$!
ok=0
for i in $(seq 1 240); do
    kill -0 "$zk_pid" 2>/dev/null || break
    r=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$zk_port; printf ruok >&3; cat <&3" 2>/dev/null)
    [ "$r" = imok ] && { ok=1; break; }
    sleep 0.25
done
[ $ok = 1 ] || { bench_say "ZooKeeper did not start"; tail -30 "$dir/zk.log" >&2; exit 1; }
bench_say "zookeeper up: pid $zk_pid port $zk_port"

bench_free_port port || exit 1
bootstrap=127.0.0.1:$port
cat >"$dir/samsad.conf" <<EOF
# written by bench/run.sh
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$dir/data
zookeeper.connect=127.0.0.1:$zk_port/bench
num.partitions=$parts
default.replication.factor=1
auto.create.topics.enable=true
EOF
overrides=()
for kv in ${BENCH_SAMSAD_OPTS:-}; do overrides+=(--override "$kv"); done
"$samsad" "$dir/samsad.conf" "${overrides[@]}" >"$dir/samsad.log" 2>&1 </dev/null &
broker_pid=$!
if ! bench_wait_port "$port" 60 "$broker_pid"; then
    bench_say "samsad did not start listening"; failed=1; exit 1
fi
bench_say "samsad up: pid $broker_pid port $port ($samsad)"

# ---------------------------------------------------------------------------
# runs

# bench_kafka_run NAME ARGS...: run bench_kafka bounded, keep its output,
# append its RESULT line (prefixed by NAME) to $results.
# profile_start NAME: if NAME is the run BENCH_PROFILE names, sample samsad
# with perf (cpu-clock: no hardware counters needed) until profile_stop.
profile_start() {
    local want=" ${BENCH_PROFILE:-0} "
    want=${want//,/ }
    want=${want// 1 / p100_acks1 }
    case "$want" in *" $1 "*) ;; *) return 0 ;; esac
    command -v perf >/dev/null || { bench_say "perf not installed"; return 0; }
    perf record -e cpu-clock -F 999 -g -p "$broker_pid" -o "$dir/perf-$1.data" \
        >"$dir/perf-$1.log" 2>&1 &
    perf_pid=$!
    sleep 1
}

profile_stop() {
    [ -n "$perf_pid" ] || return 0
    kill -INT "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
    perf_pid=
    bench_say "profile: perf report -i $(ls -t "$dir"/perf-*.data | head -1)"
}

# CPU ticks (user + system) samsad has used so far.
broker_ticks() {
    awk '{ print $14 + $15 }' "/proc/$broker_pid/stat" 2>/dev/null || echo 0
}
clk_tck=$(getconf CLK_TCK)

bench_kafka_run() {
    local name=$1 rc t0 t1
    shift
    bench_say "run $name: bench_kafka $*"
    profile_start "$name"
    t0=$(broker_ticks)
    timeout -k 5 240 "$bench" --bootstrap "$bootstrap" --timeout 180 "$@" \
        >"$dir/$name.out" 2>"$dir/$name.err"
    rc=$?
    t1=$(broker_ticks)
    profile_stop
    cat "$dir/$name.out"
    head -20 "$dir/$name.err" >&2
    if ! kill -0 "$broker_pid" 2>/dev/null; then
        bench_say "samsad died during $name"
        failed=1
        exit 1
    fi
    if [ $rc -ne 0 ]; then
        bench_say "$name: bench_kafka exited with status $rc"
        failed=1
    fi
    # broker_cpu_s covers the whole client run (connect, metadata, topic
    # creation included), so it slightly overstates the measured interval.
    sed -n "s/^RESULT /$name /p" "$dir/$name.out" | tail -1 |
        awk -v c="$(awk -v a="$t0" -v b="$t1" -v h="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / h }')" \
            '{ print $0 " broker_cpu_s=" c }' >>"$results"
}

# settle: write back the dirty pages of earlier runs first, so each produce
# run starts from the same page-cache state (the kernel throttles writers
# once dirty pages pass vm.dirty_background_ratio / vm.dirty_ratio, which a
# few GB of earlier runs would otherwise reach mid-run).  Bounded.
settle() {
    local t0=$SECONDS
    timeout 300 sync -f "$dir" 2>/dev/null || timeout 300 sync
    [ $((SECONDS - t0)) -gt 2 ] && bench_say "sync took $((SECONDS - t0)) s"
    return 0
}

produce() { # NAME TOPIC SIZE ACKS N
    settle
    bench_kafka_run "$1" produce --topic "$2" --partitions "$parts" \
        --size "$3" --acks "$4" --messages "$5" --compression "$comp"
}

produce p100_acks1 b-100-a1 100 1 "$n_small"
produce p100_acksall b-100-aall 100 all "$n_small"
produce p1k_acks1 b-1k-a1 1024 1 "$n_large"
produce p1k_acksall b-1k-aall 1024 all "$n_large"
bench_kafka_run c100 consume --topic b-100-a1 --messages "$n_small"
bench_kafka_run c1k consume --topic b-1k-a1 --messages "$n_large"
du -sh "$dir/data" | sed 's/^/broker data: /'

# Stop the broker (its exit status says whether it shut down cleanly) and
# ZooKeeper, and free the disk space before the baselines run.
kill -TERM "$broker_pid"
for i in $(seq 1 300); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$broker_pid" 2>/dev/null; then
    bench_say "samsad ignored SIGTERM for 30 s"; failed=1
    bench_stop_pid "$broker_pid" samsad
else
    wait "$broker_pid"; st=$?
    [ "$st" = 0 ] || { bench_say "samsad exited with status $st on SIGTERM"; failed=1; }
fi
broker_pid=
bench_stop_pid "$zk_pid" zookeeper
zk_pid=
rm -rf "$dir/data"

# The baselines; the broker idles meanwhile.
"$here/redis_baseline.sh" "${BENCH_REDIS_N:-1000000}" | tee "$dir/redis.out"
sed -n 's/^RESULT /redis /p' "$dir/redis.out" >>"$results"
"$here/iperf.sh" 5 | tee "$dir/iperf.out"
sed -n 's/^RESULT /iperf /p' "$dir/iperf.out" >>"$results"
# Buffered-write bandwidth of the data filesystem (dd into the page cache, no
# fsync), the ceiling for produce MB/s: the broker's pwrite() is this copy.
# Same volume as one 1 KiB produce run, after the same settle().
dd_mib=$(( (n_large * 1024 + 1048575) / 1048576 ))
settle
t0=$(date +%s.%N)
timeout 300 dd if=/dev/zero of="$dir/dd.tmp" bs=1M count="$dd_mib" status=none
t1=$(date +%s.%N)
rm -f "$dir/dd.tmp"
awk -v a="$t0" -v b="$t1" -v m="$dd_mib" 'BEGIN {
    printf "dd page-cache write: %.0f MB/s (%d MiB, bs 1M, no fsync)\n", m * 1.048576 / (b - a), m
    printf "RESULT mode=dd mb_per_s=%.1f\n", m * 1.048576 / (b - a) }' | tee "$dir/dd.out"
sed -n 's/^RESULT /dd /p' "$dir/dd.out" >>"$results"

# ---------------------------------------------------------------------------
# summary

# res NAME KEY: the value of KEY in NAME's RESULT line, or empty.
res() {
    awk -v n="$1" -v k="$2" '$1 == n { for (i = 2; i <= NF; i++) {
        split($i, kv, "="); if (kv[1] == k) { print kv[2]; exit } } }' "$results"
}

# row FIGURE SAMSA BASELINE TARGET-TEXT [RATIO-TARGET ABS-TARGET]
row() {
    local fig=$1 s=$2 b=$3 tgt=$4 rt=${5:-} at=${6:-}
    awk -v fig="$fig" -v s="$s" -v b="$b" -v tgt="$tgt" -v rt="$rt" -v at="$at" 'BEGIN {
        ratio = (s != "" && b != "" && b > 0) ? sprintf("%.2f", s / b) : "-"
        met = ""
        if (s == "") met = "no result"
        else if (rt != "" || at != "") {
            ok = 1
            if (rt != "" && (ratio == "-" || ratio + 0 < rt + 0)) ok = 0
            if (at != "" && s + 0 < at + 0) ok = 0
            met = ok ? "met" : "NOT met"
        }
        printf "%-30s %14s %14s %7s  %-30s %s\n", fig, (s == "" ? "-" : s),
            (b == "" ? "-" : b), ratio, tgt, met }'
}

echo
echo "== samsa benchmark summary ($(nproc) CPUs shared by client and broker; $parts partitions; compression $comp)"
printf '%-30s %14s %14s %7s  %-30s %s\n' figure samsa baseline ratio target result
printf '%-30s %14s %14s %7s  %-30s %s\n' ------ ----- -------- ----- ------ ------
redis=$(res redis ops_per_s)
iperf=$(res iperf mb_per_s)
row "produce 100 B acks=1 msg/s" "$(res p100_acks1 msgs_per_s)" "$redis" \
    ">= 2x Redis XADD, >= 800000" 2 800000
row "produce 100 B acks=all msg/s" "$(res p100_acksall msgs_per_s)" "$redis" ""
dd=$(res dd mb_per_s)
row "produce 1 KiB acks=1 MB/s" "$(res p1k_acks1 mb_per_s)" "$dd" "(baseline: dd write)"
row "produce 1 KiB acks=all MB/s" "$(res p1k_acksall mb_per_s)" "$dd" "(baseline: dd write)"
row "consume 100 B msg/s" "$(res c100 msgs_per_s)" "" ">= 2000000" "" 2000000
row "consume 1 KiB MB/s" "$(res c1k mb_per_s)" "$iperf" \
    ">= 0.70 x iperf3 loopback" 0.70
echo
echo "per run: latency enqueue -> delivery report (ms; the producer runs open-loop"
echo "at saturation, so this is mostly time queued in the client), wall and CPU seconds:"
printf '  %-14s %9s %9s %9s %9s %8s %10s %10s\n' run p50 p99 p99.9 max secs client_cpu broker_cpu
for r in p100_acks1 p100_acksall p1k_acks1 p1k_acksall c100 c1k; do
    printf '  %-14s %9s %9s %9s %9s %8s %10s %10s\n' "$r" "$(res $r p50_ms)" "$(res $r p99_ms)" \
        "$(res $r p999_ms)" "$(res $r max_ms)" "$(res $r secs)" \
        "$(res $r client_cpu_s)" "$(res $r broker_cpu_s)"
done
echo
echo "baselines: Redis XADD ${redis:-?}/s (100 B field, -P 100, appendfsync everysec); iperf3 loopback ${iperf:-?} MB/s;"
echo "           dd buffered write to the data filesystem ${dd:-?} MB/s"
echo "raw results:"
sed 's/^/  /' "$results"
[ "$failed" = 0 ]
