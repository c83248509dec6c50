#!/bin/bash
# bench/redis_baseline.sh: Redis Streams XADD throughput on this machine, the
# baseline for samsa's 100-byte acks=1 produce figure.
#
# Starts redis-server (Debian package redis-server) on a free loopback port in
# a temp dir with AOF on and fsync every second (the closest Redis setting to
# a broker that acknowledges before fsync), runs
#   redis-benchmark -n N -P 100 -q XADD bench '*' f <100-byte value>
# and kills Redis by PID.  The value is 88 bytes of text followed by
# __rand_int__, which redis-benchmark replaces with a 12-digit number (-r),
# so every entry is 100 bytes and distinct.  (-d only sizes the built-in
# SET/GET tests, not a custom command.)
#
# Usage: bench/redis_baseline.sh [REQUESTS]   (default 1000000)
# Output: human text and `RESULT mode=redis_xadd size=100 ops_per_s=...`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

n=${1:-1000000}
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    bench_say "redis-server not installed; trying apt-get install redis-server"
    if [ "$(id -u)" = 0 ]; then
        timeout 300 apt-get install -y -q redis-server >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
              timeout 300 apt-get install -y -q redis-server >/dev/null 2>&1; }
    fi
    command -v redis-server >/dev/null ||
        { bench_say "redis-server unavailable"; echo "RESULT mode=redis_xadd error=not_installed"; exit 77; }
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench-redis.XXXXXX")
redis_pid=
cleanup() {
    bench_stop_pid "$redis_pid" redis-server
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_free_port port || exit 1
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
    --appendonly yes --appendfsync everysec --save '' \
    --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
redis_pid=$!
if ! bench_wait_port "$port" 20 "$redis_pid"; then
    bench_say "redis-server did not start"; tail -20 "$dir/redis.log" >&2
    exit 1
fi

value="$(printf 'v%.0s' $(seq 1 88))__rand_int__"
bench_say "redis-server pid $redis_pid port $port; XADD x $n, 100-byte field, -P 100"
out=$(timeout 300 redis-benchmark -h 127.0.0.1 -p "$port" -n "$n" -P 100 \
      -r 1000000000 --csv XADD bench '*' f "$value" 2>&1)
rc=$?
# --csv: a header line, then "XADD bench * f ...","<rps>",...
rps=$(printf '%s\n' "$out" | awk -F'","' '/^"XADD/ { print $2; exit }' | tr -d '"')
len=$(timeout 10 redis-cli -p "$port" XLEN bench 2>/dev/null || echo '?')
if [ "$rc" -ne 0 ] || [ -z "$rps" ]; then
    bench_say "redis-benchmark failed (rc $rc):"
    printf '%s\n' "$out" >&2
    echo "RESULT mode=redis_xadd error=benchmark_failed"
    exit 1
fi
aof=$(du -sh "$dir" 2>/dev/null | cut -f1)
printf 'redis XADD: %.0f ops/s (100-byte field, pipeline 100, 50 clients, appendfsync everysec); stream length %s, data dir %s\n' \
    "$rps" "$len" "$aof"
printf 'RESULT mode=redis_xadd size=100 requests=%s ops_per_s=%.0f\n' "$n" "$rps"
