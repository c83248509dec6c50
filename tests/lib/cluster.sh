# cluster.sh: start and stop a throwaway ZooKeeper + samsad cluster for the
# integration and fault tests.  Sourced by bash scripts; never executed.
#
# Owns: free loopback ports, one standalone ZooKeeper (Debian's package, run as
# DESIGN.md section 1 says), N samsad brokers, their configs/logs/data under one
# temp dir, and killing every process it started -- by PID, never by name --
# from an EXIT/INT/TERM trap, so a failing or timed-out test leaves nothing
# behind.  Does not own: what a scenario checks.
#
# Environment:
#   top_srcdir, top_builddir  set by `make check`; guessed from this file's
#                             location and the current directory otherwise.
#   SAMSA_TEST_BOOTSTRAP      host:port[,host:port] of an existing cluster: no
#                             ZooKeeper or broker is started; scenarios that
#                             must kill or restart brokers exit 77.
#   SAMSA_TEST_ZK             with SAMSA_TEST_BOOTSTRAP: the existing cluster's
#                             zookeeper.connect (host:port/chroot), for
#                             scenarios that read the ZooKeeper tree.
#   SAMSA_TEST_TIMEOUT        overall bound per scenario in seconds (default
#                             set by the scenario, usually 300).
#   SAMSA_TEST_START_TIMEOUT  bound for one ZooKeeper/broker start (default 60).
#   SAMSA_TEST_KEEP=1         keep the temp dir (configs, logs, data).
#   SAMSAD                    the daemon to run (default $top_builddir/samsad).
#
# Set by a scenario before starting anything (all optional; the defaults
# are the loopback cluster):
#   ZK_LISTEN_HOST            address ZooKeeper listens on (127.0.0.1)
#   BROKER_HOST[ID]           address broker ID listens on and advertises
#                             (127.0.0.1)
#   BROKER_NETNS[ID]          network namespace broker ID runs in (`ip netns
#                             exec`, which execs: the PID is samsad's)
#   CLUSTER_EXIT_HOOKS        commands run by the exit trap after every
#                             process is stopped (e.g. network teardown)
#
# Variables set for scenarios:
#   bootstrap      comma-separated host:port list of the running brokers
#   ZK_CONNECT     HOST:PORT/CHROOT as given to the brokers
#   ZK_HOSTPORT    HOST:PORT (HOST = ZK_LISTEN_HOST)
#   CLUSTER_DIR    the temp dir
#   PY             /usr/bin/python3 (the one with the Debian kafka modules)
#
# Functions: see the comment above each.  All waits are bounded.

PY=/usr/bin/python3
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
SAMSA_TEST_LIB="$top_srcdir/tests/lib"
# Python helpers import samsa_it and kwire from tests/lib
PYTHONPATH=$SAMSA_TEST_LIB${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH
# no __pycache__ in the source tree (make distcheck's is read-only)
export PYTHONDONTWRITEBYTECODE=1
: "${SAMSAD:=$top_builddir/samsad}"
: "${SAMSA_TEST_START_TIMEOUT:=60}"
ZK_CHROOT=/samsa

CLUSTER_DIR=
ZK_PID=
ZK_PORT=
ZK_HOSTPORT=
ZK_CONNECT=
bootstrap=
declare -A BROKER_PID=() BROKER_PORT=() BROKER_OVERRIDES=()
declare -A BROKER_HOST=() BROKER_NETNS=()
: "${ZK_LISTEN_HOST:=127.0.0.1}"
CLUSTER_EXIT_HOOKS=()
_cluster_external=0
_cluster_failed_component=

# ---------------------------------------------------------------------------
# messages and guards

say() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "${0##*/}" "$*" >&2; }

# fail MSG...: print MSG, mark the test failed (exit 1, logs are dumped by
# the exit trap).
fail() {
    say "FAIL: $*"
    exit 1
}

# skip MSG...: exit 77 (automake SKIP).  Only for a prerequisite that is truly
# absent.
skip() {
    say "SKIP: $*"
    exit 77
}

# test_guard SECONDS "$0" "$@": re-exec the calling script under timeout(1)
# once, so every scenario is bounded even when run by hand.  The timeout
# signals the whole process group; the trap below then kills by PID.
test_guard() {
    local secs=${SAMSA_TEST_TIMEOUT:-$1}
    shift
    if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
        export SAMSA_TEST_GUARDED=1
        exec timeout -k 20 "$secs" bash "$@"
    fi
}

require_cmd() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 not installed${2:+ (Debian package $2)}"
}

# require_py_module MODULE [DEBIAN_PACKAGE]
require_py_module() {
    [ -x "$PY" ] || skip "$PY not found"
    "$PY" -c "import $1" >/dev/null 2>&1 ||
        skip "python module $1 missing for $PY${2:+ (Debian package $2)}"
}

require_zookeeper() {
    [ -n "$SAMSA_TEST_BOOTSTRAP" ] && return 0
    [ -x /usr/share/zookeeper/bin/zkServer.sh ] ||
        skip "ZooKeeper not installed (Debian package zookeeper)"
    require_cmd java default-jre-headless
    require_py_module kazoo python3-kazoo
}

# require_own_cluster: the scenario kills, stops or restarts processes, or
# reads broker files, which an external cluster does not allow.
require_own_cluster() {
    [ -z "$SAMSA_TEST_BOOTSTRAP" ] ||
        skip "needs its own cluster (SAMSA_TEST_BOOTSTRAP is set)"
}

# require_samsad: the daemon not being built is a failure, not a skip.
require_samsad() {
    [ -n "$SAMSA_TEST_BOOTSTRAP" ] && return 0
    [ -x "$SAMSAD" ] || fail "$SAMSAD not built"
}

# ---------------------------------------------------------------------------
# ports

# port_is_free PORT: nothing listens on 127.0.0.1:PORT and we can bind it.
port_is_free() {
    "$PY" - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# free_port VAR: set VAR to a free loopback port, chosen at random below
# the Linux ephemeral range (32768+) so that client connections cannot take
# it between the check and the server's bind, and never one handed out
# before in this test.
declare -A _ports_handed_out=()
free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))
        [ -n "${_ports_handed_out[$p]:-}" ] && continue
        if port_is_free "$p"; then
            _ports_handed_out[$p]=1
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    fail "no free port found"
}

# port_accepts PORT [HOST]: a TCP connect to HOST (127.0.0.1):PORT succeeds.
port_accepts() {
    timeout 2 bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1" 2>/dev/null
}

# four_letter PORT WORD [HOST]: ZooKeeper four-letter-word command.
four_letter() {
    timeout 3 bash -c "exec 3<>/dev/tcp/${3:-127.0.0.1}/$1; printf '%s' '$2' >&3; cat <&3" 2>/dev/null
}

# ---------------------------------------------------------------------------
# temp dir, trap, logs

cluster_init() {
    [ -n "$CLUSTER_DIR" ] && return 0
    local base=${TMPDIR:-/tmp}
    CLUSTER_DIR=$(mktemp -d "$base/samsa-it.${0##*/}.XXXXXX") ||
        fail "cannot create temp dir under $base"
    trap '_cluster_on_exit' EXIT
    trap 'say "interrupted (SIGINT)"; exit 130' INT
    trap 'say "terminated (SIGTERM, timeout?)"; exit 143' TERM
}

_cluster_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
        cluster_dump_logs
    fi
    cluster_stop
    local hook
    for hook in "${CLUSTER_EXIT_HOOKS[@]}"; do
        eval "$hook"
    done
    if [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ]; then
        if [ "${SAMSA_TEST_KEEP:-0}" = 1 ]; then
            say "kept $CLUSTER_DIR"
        else
            rm -rf "$CLUSTER_DIR"
        fi
    fi
    exit "$rc"
}

# cluster_dump_logs [N]: print the last N lines of every component's log,
# the one that failed first.
cluster_dump_logs() {
    local n=${1:-150} f
    [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ] || return 0
    for f in ${_cluster_failed_component:+"$CLUSTER_DIR/$_cluster_failed_component.log"} \
             "$CLUSTER_DIR"/broker-*.log "$CLUSTER_DIR"/zk/zookeeper*.out \
             "$CLUSTER_DIR"/zk.log; do
        [ -f "$f" ] || continue
        echo "======== last $n lines of $f ========" >&2
        tail -n "$n" "$f" >&2
    done
}

# _stop_pid PID NAME: SIGTERM, SIGCONT (in case it is stopped), wait up to
# 10 s, then SIGKILL.  Only ever signals the PID we recorded.
_stop_pid() {
    local pid=$1 name=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    kill -CONT "$pid" 2>/dev/null
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# track_pid PID NAME: also stop this helper process (a background client)
# in cluster_stop.
declare -A _tracked_pids=()
track_pid() {
    _tracked_pids[$1]=${2:-helper}
}

# cluster_stop: stop tracked helpers, every broker, then ZooKeeper.
# Idempotent.
cluster_stop() {
    local id pid
    for pid in "${!_tracked_pids[@]}"; do
        _stop_pid "$pid" "${_tracked_pids[$pid]}"
        unset "_tracked_pids[$pid]"
    done
    for id in "${!BROKER_PID[@]}"; do
        _stop_pid "${BROKER_PID[$id]}" "broker $id"
        BROKER_PID[$id]=
    done
    _stop_pid "$ZK_PID" zookeeper
    ZK_PID=
}

# ---------------------------------------------------------------------------
# ZooKeeper

# zk_start: start a standalone ZooKeeper on a free port; sets ZK_PORT,
# ZK_HOSTPORT, ZK_CONNECT.  Waits (bounded) for ruok -> imok.
zk_start() {
    cluster_init
    local d=$CLUSTER_DIR/zk i
    mkdir -p "$d/data"
    free_port ZK_PORT
    cat >"$d/zoo.cfg" <<EOF
tickTime=500
initLimit=10
syncLimit=5
dataDir=$d/data
clientPort=$ZK_PORT
clientPortAddress=$ZK_LISTEN_HOST
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
minSessionTimeout=1000
maxSessionTimeout=60000
EOF
    # zkEnv.sh resets ZOO_LOG_DIR; log4j's root logger comes from JVMFLAGS,
    # so the server logs to stdout, i.e. $CLUSTER_DIR/zk.log.
    ZOO_LOG_DIR=$d JVMFLAGS="-Dzookeeper.root.logger=INFO,CONSOLE -Xmx256m" \
        /usr/share/zookeeper/bin/zkServer.sh start-foreground "$d/zoo.cfg" \
        >"$CLUSTER_DIR/zk.log" 2>&1 </dev/null &
    ZK_PID=$!
    for i in $(seq 1 $((SAMSA_TEST_START_TIMEOUT * 4))); do
        if ! kill -0 "$ZK_PID" 2>/dev/null; then
            _cluster_failed_component=zk
            fail "zookeeper exited during startup"
        fi
        if [ "$(four_letter "$ZK_PORT" ruok "$ZK_LISTEN_HOST")" = imok ]; then
            ZK_HOSTPORT=$ZK_LISTEN_HOST:$ZK_PORT
            ZK_CONNECT=$ZK_HOSTPORT$ZK_CHROOT
            say "zookeeper up: pid $ZK_PID port $ZK_PORT"
            return 0
        fi
        sleep 0.25
    done
    _cluster_failed_component=zk
    fail "zookeeper not answering ruok after ${SAMSA_TEST_START_TIMEOUT}s"
}

# zkq ARGS...: run tests/lib/zkq.py against the cluster's chroot.
zkq() {
    "$PY" "$SAMSA_TEST_LIB/zkq.py" "$ZK_CONNECT" "$@"
}

# ---------------------------------------------------------------------------
# brokers

_broker_write_config() {
    local id=$1 d=$CLUSTER_DIR/broker-$1 host=${BROKER_HOST[$1]:-127.0.0.1}
    mkdir -p "$d/data"
    cat >"$d/server.properties" <<EOF
# written by tests/lib/cluster.sh
broker.id=$id
listeners=PLAINTEXT://$host:${BROKER_PORT[$id]}
advertised.listeners=PLAINTEXT://$host:${BROKER_PORT[$id]}
log.dirs=$d/data
zookeeper.connect=$ZK_CONNECT
zookeeper.session.timeout.ms=6000
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
EOF
}

_update_bootstrap() {
    local id list=
    for id in $(printf '%s\n' "${!BROKER_PORT[@]}" | sort -n); do
        list=${list:+$list,}${BROKER_HOST[$id]:-127.0.0.1}:${BROKER_PORT[$id]}
    done
    bootstrap=$list
}

# broker_start ID [key=value...]: write a config, start samsad with each
# key=value as --override, wait (bounded) until the port accepts and a
# /brokers/ids/ID registration exists that was not there before the start.
# The overrides are remembered for broker_restart.
broker_start() {
    local id=$1
    shift
    require_own_cluster
    require_samsad
    [ -n "$ZK_PID" ] || zk_start
    if [ -z "${BROKER_PORT[$id]:-}" ]; then
        free_port "BROKER_PORT[$id]"
    fi
    if [ $# -gt 0 ]; then
        BROKER_OVERRIDES[$id]=$(printf '%s\n' "$@")
    fi
    _broker_write_config "$id"
    _broker_launch "$id"
}

_broker_launch() {
    local id=$1 d=$CLUSTER_DIR/broker-$1 args=() kv old_owner pre=()
    [ -n "${BROKER_NETNS[$id]:-}" ] && pre=(ip netns exec "${BROKER_NETNS[$id]}")
    while IFS= read -r kv; do
        [ -n "$kv" ] && args+=(--override "$kv")
    done <<<"${BROKER_OVERRIDES[$id]:-}"
    old_owner=$(zkq owner "/brokers/ids/$id" 2>/dev/null || echo none)
    {
        echo "==== $(date '+%F %T') start: $SAMSAD $d/server.properties ${args[*]}"
    } >>"$CLUSTER_DIR/broker-$id.log"
    "${pre[@]}" "$SAMSAD" "$d/server.properties" "${args[@]}" \
        >>"$CLUSTER_DIR/broker-$id.log" 2>&1 </dev/null &
    BROKER_PID[$id]=$!
    _update_bootstrap
    broker_wait_ready "$id" "$old_owner"
}

# broker_wait_ready ID [OLD_OWNER]: bounded wait for the listener and for
# /brokers/ids/ID with an ephemeralOwner other than OLD_OWNER.
broker_wait_ready() {
    local id=$1 old=${2:-none} pid=${BROKER_PID[$1]} port=${BROKER_PORT[$1]}
    local host=${BROKER_HOST[$1]:-127.0.0.1}
    local deadline=$((SECONDS + SAMSA_TEST_START_TIMEOUT)) listening=0
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            local st=$?
            _cluster_failed_component=broker-$id
            fail "broker $id (pid $pid) exited with status $st during startup"
        fi
        if [ $listening = 0 ] && port_accepts "$port" "$host"; then
            listening=1
        fi
        if [ $listening = 1 ]; then
            local left=$((deadline - SECONDS))
            [ $left -lt 1 ] && left=1
            if zkq wait "/brokers/ids/$id" --not-owner "$old" \
                   --timeout "$( [ $left -gt 2 ] && echo 2 || echo $left )" >/dev/null 2>&1; then
                say "broker $id up: pid $pid port $port"
                return 0
            fi
        else
            sleep 0.2
        fi
    done
    _cluster_failed_component=broker-$id
    if [ $listening = 0 ]; then
        fail "broker $id: port $port not accepting after ${SAMSA_TEST_START_TIMEOUT}s"
    fi
    fail "broker $id: no new /brokers/ids/$id in ZooKeeper ($ZK_CONNECT) after ${SAMSA_TEST_START_TIMEOUT}s"
}

# broker_kill ID [SIGNAL]: send SIGNAL (default KILL) to broker ID by PID; for
# KILL and TERM wait (bounded) for it to exit and print its exit status.
broker_kill() {
    local id=$1 sig=${2:-KILL} pid=${BROKER_PID[$1]:-} i
    require_own_cluster
    [ -n "$pid" ] || fail "broker $id is not running"
    kill -"$sig" "$pid" || fail "kill -$sig $pid (broker $id) failed"
    case $sig in
    KILL|9|TERM|15|INT|2)
        for i in $(seq 1 $((SAMSA_TEST_START_TIMEOUT * 10))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            _cluster_failed_component=broker-$id
            fail "broker $id (pid $pid) still running ${SAMSA_TEST_START_TIMEOUT}s after SIG$sig"
        fi
        wait "$pid"
        BROKER_EXIT_STATUS=$?
        BROKER_PID[$id]=
        say "broker $id (pid $pid) exited with status $BROKER_EXIT_STATUS after SIG$sig"
        ;;
    esac
}

# broker_restart ID [SIGNAL]: stop broker ID (SIGTERM unless SIGNAL is given;
# nothing if it is not running) and start it again with the same config,
# port, data and overrides.
broker_restart() {
    local id=$1 sig=${2:-TERM}
    require_own_cluster
    if [ -n "${BROKER_PID[$id]:-}" ]; then
        broker_kill "$id" "$sig"
    fi
    _broker_launch "$id"
}

# broker_alive ID: the broker process is still running.
broker_alive() {
    local pid=${BROKER_PID[$1]:-}
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# broker_datadir ID: print the log.dirs directory of broker ID.
broker_datadir() {
    echo "$CLUSTER_DIR/broker-$1/data"
}

# cluster_start N [key=value...]: ZooKeeper plus brokers 1..N with the same
# overrides; or, with SAMSA_TEST_BOOTSTRAP, just point at that cluster.
cluster_start() {
    local n=${1:-1} id
    shift
    if [ -n "$SAMSA_TEST_BOOTSTRAP" ]; then
        _cluster_external=1
        bootstrap=$SAMSA_TEST_BOOTSTRAP
        ZK_CONNECT=${SAMSA_TEST_ZK:-}
        ZK_HOSTPORT=${ZK_CONNECT%%/*}
        say "using existing cluster $bootstrap"
        return 0
    fi
    require_samsad
    zk_start
    for id in $(seq 1 "$n"); do
        broker_start "$id" "$@"
    done
    say "cluster up: bootstrap=$bootstrap zookeeper=$ZK_CONNECT dir=$CLUSTER_DIR"
}

# check_brokers_alive: fail if any broker we started has died.
check_brokers_alive() {
    local id
    for id in "${!BROKER_PID[@]}"; do
        [ -z "${BROKER_PID[$id]}" ] && continue
        if ! kill -0 "${BROKER_PID[$id]}" 2>/dev/null; then
            _cluster_failed_component=broker-$id
            wait "${BROKER_PID[$id]}"
            local st=$? sig=
            [ $st -gt 128 ] && sig=" (SIG$(kill -l $((st - 128)) 2>/dev/null))"
            fail "broker $id (pid ${BROKER_PID[$id]}) died: exit status $st$sig"
        fi
    done
}

# run_py SCRIPT ARGS...: run a Python helper with the Debian interpreter;
# fails the test (after checking the brokers) if it fails.
run_py() {
    local script=$1
    shift
    say "running ${script##*/} $*"
    "$PY" -u "$script" "$@"
    local rc=$?
    if [ $rc -ne 0 ]; then
        check_brokers_alive
        [ $rc = 77 ] && skip "${script##*/} skipped"
        fail "${script##*/} failed (status $rc)"
    fi
}
