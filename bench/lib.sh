# shellcheck shell=bash
# bench/lib.sh: helpers shared by the bench scripts.  Sourced, never run.
# Owns: free loopback ports, bounded waits, stopping processes by PID.

bench_say() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "${0##*/}" "$*" >&2; }

# bench_port_free PORT: nothing is bound to 127.0.0.1:PORT.
bench_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null &&
        ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# bench_free_port VAR: a free port below the ephemeral range (32768+), so a
# client's source port cannot take it between the check and the bind.
declare -A _bench_ports=()
bench_free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))
        [ -n "${_bench_ports[$p]:-}" ] && continue
        if bench_port_free "$p"; then
            _bench_ports[$p]=1
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    bench_say "no free port found"
    return 1
}

# bench_wait_port PORT SECONDS [PID]: wait until 127.0.0.1:PORT accepts;
# fail early if PID died.
bench_wait_port() {
    local port=$1 secs=$2 pid=${3:-} i
    for i in $(seq 1 $((secs * 10))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# bench_stop_pid PID NAME: TERM, wait up to 10 s, then KILL.  Only ever the
# PID we recorded.
bench_stop_pid() {
    local pid=$1 name=${2:-process} i
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        kill -CONT "$pid" 2>/dev/null
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            bench_say "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    return 0
}
