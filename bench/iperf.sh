#!/bin/bash
# bench/iperf.sh: TCP loopback bandwidth with iperf3 (Debian package iperf3),
# the ceiling for samsa's 1 KiB consume figure.  One stream, 5 s, client and
# server on this machine, like the broker and the benchmark client.
#
# Usage: bench/iperf.sh [SECONDS]   (default 5)
# Output: human text and `RESULT mode=iperf3 gbit_per_s=... mb_per_s=...`
# (MB = 10^6 bytes, the unit bench_kafka reports).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

secs=${1:-5}
command -v iperf3 >/dev/null ||
    { bench_say "iperf3 not installed (Debian package iperf3)"; echo "RESULT mode=iperf3 error=not_installed"; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench-iperf.XXXXXX")
srv_pid=
cleanup() {
    bench_stop_pid "$srv_pid" "iperf3 -s"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_free_port port || exit 1
iperf3 -s -B 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 </dev/null &
srv_pid=$!
if ! bench_wait_port "$port" 10 "$srv_pid"; then
    bench_say "iperf3 server did not start"; cat "$dir/server.log" >&2
    exit 1
fi
timeout $((secs + 30)) iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -J >"$dir/client.json" 2>"$dir/client.err"
rc=$?
bps=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["end"]["sum_received"]["bits_per_second"])' "$dir/client.json" 2>/dev/null)
if [ "$rc" -ne 0 ] || [ -z "$bps" ]; then
    bench_say "iperf3 client failed (rc $rc)"; cat "$dir/client.err" "$dir/client.json" >&2
    echo "RESULT mode=iperf3 error=failed"
    exit 1
fi
awk -v b="$bps" -v s="$secs" 'BEGIN {
    printf "iperf3 loopback: %.2f Gbit/s = %.0f MB/s (1 stream, %d s)\n", b / 1e9, b / 8e6, s
    printf "RESULT mode=iperf3 gbit_per_s=%.3f mb_per_s=%.1f\n", b / 1e9, b / 8e6 }'
