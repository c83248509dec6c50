#!/bin/bash
# 95-debian-package: the operator's install. Builds the Debian package from a
# temp copy of the checkout (dpkg-buildpackage -b, nocheck, nice -j2),
# installs it with dpkg, checks its files, conffiles, unit, the samsa system
# user and /var/lib/samsa, then runs the installed /usr/sbin/samsad as user
# samsa with the installed /etc/samsa/samsad.conf and /etc/default/samsad
# (overrides only for the port and a throwaway ZooKeeper), as the unit would
# but without systemd: a NOTIFY_SOCKET stands in for it and must get READY=1
# once the port accepts and STOPPING=1 at SIGTERM. kcat (and the installed
# samsa command when it has the commands) round-trips messages. Then
# SIGTERM (exit 0), a bad config (exit 2, the unit's
# RestartPreventExitStatus), and dpkg --purge, which must remove /etc/samsa
# and /var/lib/samsa and keep the samsa user (Debian's practice for system
# users, README.Debian); the test removes that user and group when it
# created them, so the machine is left as it was.
#
# Skips (77) unless root, dpkg-buildpackage and the Build-Depends are there
# and $top_srcdir is a git checkout; also when a samsa package,
# /etc/samsa or /var/lib/samsa is already on the machine (never replaced
# or purged). Takes 20-60 s (the nocheck build ~15 s on 2 cores), bounded
# at 420 s.
if [ -z "${SAMSA_TEST_GUARDED:-}" ]; then
    SAMSA_TEST_GUARDED=1; export SAMSA_TEST_GUARDED
    exec timeout -k 20 "${SAMSA_TEST_TIMEOUT:-420}" bash "$0" "$@"
fi
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/cluster.sh" ||
    { echo "cannot load tests/lib/cluster.sh (set top_srcdir)" >&2; exit 99; }

[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i, a system user)"
require_cmd dpkg-buildpackage dpkg-dev
[ -e "$top_srcdir/.git" ] ||
    skip "$top_srcdir is not a git checkout (the package is built from its files)"
require_cmd git git
require_cmd setpriv util-linux
require_cmd kcat kcat
require_own_cluster
require_zookeeper
deps=$(cd "$top_srcdir" && dpkg-checkbuilddeps 2>&1) ||
    skip "Build-Depends not installed: ${deps##*: } (scripts/install-deps)"
# one run at a time on a machine (two would share the package and the
# user): a flock on dpkg's admin dir, which dpkg itself never flocks
require_cmd flock util-linux
exec 9</var/lib/dpkg
flock -w 240 9 || skip "another 95-debian-package run holds the lock for 240 s"
st=$(dpkg-query -W -f='${db:Status-Status}' samsa 2>/dev/null)
[ -z "$st" ] || [ "$st" = not-installed ] ||
    skip "package samsa is on this machine ($st): not replacing it"
for d in /etc/samsa /var/lib/samsa; do
    [ ! -e "$d" ] || skip "$d exists: not touching another installation"
done

user_existed=0 group_existed=0
getent passwd samsa >/dev/null && user_existed=1
getent group samsa >/dev/null && group_existed=1
pkg_touched=0
NOTIFY_PID=

# Runs before cluster.sh's exit handler (which stops ZooKeeper and removes
# the temp dir): stop our processes, purge, remove the user we caused.
_pkg_cleanup() {
    _stop_pid "${BROKER_PID[0]:-}" "installed samsad"
    BROKER_PID[0]=
    _stop_pid "$NOTIFY_PID" "notify listener"
    if [ $pkg_touched = 1 ] && dpkg-query -W samsa >/dev/null 2>&1; then
        timeout 120 dpkg --purge samsa >"$CLUSTER_DIR/purge-cleanup.log" 2>&1 ||
            say "WARNING: dpkg --purge samsa failed (see $CLUSTER_DIR/purge-cleanup.log)"
    fi
    if [ $user_existed = 0 ] && getent passwd samsa >/dev/null; then
        userdel samsa 2>/dev/null || say "WARNING: userdel samsa failed"
    fi
    if [ $group_existed = 0 ] && getent group samsa >/dev/null; then
        groupdel samsa 2>/dev/null || say "WARNING: groupdel samsa failed"
    fi
}
cluster_init
trap 'rc=$?; _pkg_cleanup; (exit $rc); _cluster_on_exit' EXIT

# ---------------------------------------------------------------- build
src=$CLUSTER_DIR/pkg/samsa
mkdir -p "$src"
# the checkout's files: tracked ones, and new ones not yet committed (but
# nothing .gitignore'd: no build products, no in-tree configure)
(cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard) |
    tar -C "$top_srcdir" --null --ignore-failed-read -T - -cf - 2>/dev/null |
    tar -C "$src" -xf - || fail "cannot copy the source tree"
[ -x "$src/debian/rules" ] || fail "no debian/rules in the copy"
say "dpkg-buildpackage -b in $src"
t0=$SECONDS
# not the outer make check's MAKEFLAGS (TESTS=..., jobserver)
(cd "$src" && exec env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 300 \
    nice -n 10 dpkg-buildpackage -us -uc -b -j2) \
    >"$CLUSTER_DIR/pkg/build.log" 2>&1 || {
    tail -n 60 "$CLUSTER_DIR/pkg/build.log" >&2
    fail "dpkg-buildpackage failed (log above)"
}
deb=$(ls "$CLUSTER_DIR"/pkg/samsa_*_*.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || fail "no samsa_*.deb built"
say "built ${deb##*/} in $((SECONDS - t0)) s"
# pkgs FIELD: the package names in FIELD of the .deb, one per line
pkgs() { dpkg-deb -f "$deb" "$1" | tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//'; }
pkgs Recommends | grep -qx zookeeper || fail "no Recommends: zookeeper"
! pkgs Depends | grep -qx zookeeper || fail "Depends: zookeeper (should be Recommends)"

# ---------------------------------------------------------------- install
pkg_touched=1
timeout 120 dpkg -i "$deb" >"$CLUSTER_DIR/pkg/install.log" 2>&1 || {
    cat "$CLUSTER_DIR/pkg/install.log" >&2
    fail "dpkg -i ${deb##*/} failed"
}
say "installed"
for f in /usr/sbin/samsad /etc/samsa/samsad.conf /etc/default/samsad \
         /lib/systemd/system/samsad.service \
         /usr/share/man/man8/samsad.8.gz /usr/share/man/man5/samsad.conf.5.gz; do
    [ -f "$f" ] || fail "$f not installed"
done
[ -x /usr/sbin/samsad ] || fail "/usr/sbin/samsad not executable"
conffiles=$(dpkg-query -W -f='${Conffiles}' samsa)
for f in /etc/samsa/samsad.conf /etc/default/samsad; do
    grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile: $conffiles"
done
cmp -s /etc/samsa/samsad.conf "$top_srcdir/etc/samsad.conf" ||
    fail "/etc/samsa/samsad.conf differs from etc/samsad.conf"
unit=/lib/systemd/system/samsad.service
for line in Type=notify User=samsa Restart=on-failure RestartPreventExitStatus=2 \
            'LimitNOFILE=' 'EnvironmentFile=-/etc/default/samsad' \
            'ExecStart=/usr/sbin/samsad $SAMSAD_OPTS /etc/samsa/samsad.conf'; do
    grep -qF "$line" "$unit" || fail "$unit lacks $line"
done
ldd /usr/sbin/samsad | grep -q libsystemd || fail "samsad not linked with libsystemd"
pw=$(getent passwd samsa) || fail "no samsa user"
IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
[ "$uid" -lt 1000 ] || fail "samsa is not a system user (uid $uid)"
[ "$home" = /var/lib/samsa ] || fail "samsa's home is $home"
case $shell in */nologin|/bin/false) ;; *) fail "samsa's shell is $shell" ;; esac
getent group samsa >/dev/null || fail "no samsa group"
[ "$(stat -c %U:%G /var/lib/samsa)" = samsa:samsa ] ||
    fail "/var/lib/samsa owned by $(stat -c %U:%G /var/lib/samsa)"
if [ -e /usr/bin/samsa ]; then
    /usr/bin/samsa --version >/dev/null || fail "samsa --version failed"
fi
grep -q '^log.dirs=/var/lib/samsa/' /etc/samsa/samsad.conf ||
    fail "installed log.dirs is not under /var/lib/samsa"

# ---------------------------------------------------------------- run
zk_start
# systemd's side of sd_notify: an abstract datagram socket; on READY=1 it
# records whether the broker's port already accepts
free_port BROKER_PORT[0]
port=${BROKER_PORT[0]}
sock=samsa-it-95-$$-$RANDOM
notes=$CLUSTER_DIR/notify.txt
cat >"$CLUSTER_DIR/notify.py" <<'EOF'
import socket, sys, time
name, out, port, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name)
deadline = time.time() + limit
with open(out, "a") as f:
    f.write("LISTENING\n"); f.flush()
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        for line in data.decode(errors="replace").split("\n"):
            if line == "READY=1":
                c = socket.socket()
                c.settimeout(2)
                ok = c.connect_ex(("127.0.0.1", port)) == 0
                c.close()
                line += " port-open" if ok else " port-closed"
            if line:
                f.write(line + "\n"); f.flush()
            if line == "STOPPING=1":
                sys.exit(0)
EOF
"$PY" "$CLUSTER_DIR/notify.py" "$sock" "$notes" "$port" 240 \
    >"$CLUSTER_DIR/notify.log" 2>&1 </dev/null &
NOTIFY_PID=$!
for _ in $(seq 1 50); do
    grep -q LISTENING "$notes" 2>/dev/null && break
    sleep 0.1
done
grep -q LISTENING "$notes" 2>/dev/null || fail "notify listener did not start"

# as samsad.service would: user samsa, $SAMSAD_OPTS, the installed config
SAMSAD_OPTS=
. /etc/default/samsad || fail "/etc/default/samsad is not shell syntax"
run_as_samsa() {
    setpriv --reuid=samsa --regid=samsa --init-groups "$@"
}
say "starting /usr/sbin/samsad as samsa on port $port"
echo "==== $(date '+%F %T') installed samsad" >>"$CLUSTER_DIR/broker-0.log"
# shellcheck disable=SC2086
(cd / && NOTIFY_SOCKET=@$sock exec setpriv --reuid=samsa --regid=samsa \
    --init-groups /usr/sbin/samsad $SAMSAD_OPTS \
    --override "listeners=PLAINTEXT://127.0.0.1:$port" \
    --override "advertised.listeners=PLAINTEXT://127.0.0.1:$port" \
    --override "zookeeper.connect=$ZK_CONNECT" \
    --override zookeeper.session.timeout.ms=6000 \
    /etc/samsa/samsad.conf) >>"$CLUSTER_DIR/broker-0.log" 2>&1 </dev/null &
BROKER_PID[0]=$!
_update_bootstrap
broker_wait_ready 0
[ "$(ps -o user= -p "${BROKER_PID[0]}" | tr -d ' ')" = samsa ] ||
    fail "samsad does not run as samsa"
for _ in $(seq 1 50); do
    grep -q '^READY=1' "$notes" && break
    sleep 0.1
done
grep -qx 'READY=1 port-open' "$notes" ||
    fail "no READY=1 after the port accepted; notify socket got: $(tr '\n' ' ' <"$notes")"
say "sd_notify: READY=1 once serving"

topic=t95-pkg
run_py "$SAMSA_TEST_LIB/samsa_it.py" create-topics "$bootstrap" "$topic:2"
work=$CLUSTER_DIR/kcat
mkdir -p "$work"
for i in $(seq 1 500); do echo "k$i:v$i"; done >"$work/in.txt"
timeout 60 kcat -P -b "$bootstrap" -t "$topic" -K: <"$work/in.txt" \
    2>"$work/produce.err" || { cat "$work/produce.err" >&2; fail "kcat -P failed"; }
timeout 60 kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%k:%s\n' \
    >"$work/out.txt" 2>"$work/consume.err" ||
    { cat "$work/consume.err" >&2; fail "kcat -C failed"; }
cmp -s <(sort "$work/in.txt") <(sort "$work/out.txt") ||
    fail "kcat read back $(wc -l <"$work/out.txt") lines, not the 500 produced"
say "kcat: 500 messages round-tripped"
ls -d /var/lib/samsa/data/"$topic"-0 >/dev/null 2>&1 ||
    fail "no partition directory under /var/lib/samsa/data"
[ "$(stat -c %U /var/lib/samsa/data/"$topic"-0)" = samsa ] ||
    fail "partition directory not owned by samsa"

# the installed samsa command, for the commands it has
if [ -x /usr/bin/samsa ]; then
    if /usr/bin/samsa topics --help >/dev/null 2>&1; then
        timeout 60 /usr/bin/samsa topics --bootstrap-server "$bootstrap" \
            --create --topic t95-tool --partitions 1 ||
            fail "samsa topics --create failed"
        list=$(timeout 60 /usr/bin/samsa topics --bootstrap-server "$bootstrap" --list) ||
            fail "samsa topics --list failed"
        grep -qx "$topic" <<<"$list" && grep -qx t95-tool <<<"$list" ||
            fail "samsa topics --list lacks $topic or t95-tool: $list"
        say "samsa topics: --create and --list"
    fi
    # Kafka's console tools' options, if the command has them
    has_console() {
        local ph ch
        ph=$(/usr/bin/samsa console-producer --help 2>&1) &&
            ch=$(/usr/bin/samsa console-consumer --help 2>&1) &&
            grep -q -- --topic <<<"$ph" &&
            grep -q -- --from-beginning <<<"$ch" &&
            grep -q -- --max-messages <<<"$ch"
    }
    if has_console; then
        seq 1 50 | sed 's/^/tool-/' >"$work/tool-in.txt"
        timeout 60 /usr/bin/samsa console-producer --bootstrap-server "$bootstrap" \
            --topic "$topic" <"$work/tool-in.txt" || fail "samsa console-producer failed"
        timeout 60 /usr/bin/samsa console-consumer --bootstrap-server "$bootstrap" \
            --topic "$topic" --from-beginning --max-messages 550 \
            >"$work/tool-out.txt" || fail "samsa console-consumer failed"
        for v in v1 v500 tool-1 tool-50; do
            grep -qx "$v" "$work/tool-out.txt" ||
                fail "samsa console-consumer did not print $v"
        done
        say "samsa console-producer/console-consumer round trip"
    else
        say "samsa has no console-producer/console-consumer yet: not tested"
    fi
else
    say "no /usr/bin/samsa in the package: only kcat"
fi

broker_kill 0 TERM
[ "$BROKER_EXIT_STATUS" = 0 ] || fail "samsad exited $BROKER_EXIT_STATUS after SIGTERM"
for _ in $(seq 1 50); do
    kill -0 "$NOTIFY_PID" 2>/dev/null || break
    sleep 0.1
done
grep -qx 'STOPPING=1' "$notes" || fail "no STOPPING=1 at shutdown"
say "sd_notify: STOPPING=1 at SIGTERM; samsad exited 0"

# a bad configuration: status 2, which the unit does not restart
run_as_samsa /usr/sbin/samsad --override num.partitions=abc \
    /etc/samsa/samsad.conf >>"$CLUSTER_DIR/broker-0.log" 2>&1 </dev/null
rc=$?
[ $rc = 2 ] || fail "bad config: samsad exited $rc, not 2"

# ---------------------------------------------------------------- purge
timeout 120 dpkg --purge samsa >"$CLUSTER_DIR/pkg/purge.log" 2>&1 || {
    cat "$CLUSTER_DIR/pkg/purge.log" >&2
    fail "dpkg --purge samsa failed"
}
for f in /usr/sbin/samsad /etc/samsa /var/lib/samsa /etc/default/samsad \
         /lib/systemd/system/samsad.service; do
    [ ! -e "$f" ] || fail "$f left after dpkg --purge"
done
getent passwd samsa >/dev/null ||
    fail "purge removed the samsa user (README.Debian says it is kept)"
say "purged: files gone, samsa user kept as documented (removed by this test)"
check_brokers_alive
say PASS
