#!/usr/bin/python3
"""zkq.py: small ZooKeeper queries for the integration tests (kazoo).

usage: zkq.py CONNECT COMMAND PATH [options]

CONNECT is host:port[/chroot]; PATH is relative to the chroot.
Commands:
  owner PATH          print the node's ephemeralOwner in hex, "none" if the
                      node does not exist (exit 0 either way)
  get PATH            print the node's data; exit 1 if absent
  json PATH           print the node's data as canonical JSON; exit 1 if
                      absent or not JSON
  ls PATH             print children, one per line; exit 1 if absent
  exists PATH         exit 0 if the node exists, 1 otherwise
  wait PATH [--not-owner HEX] [--timeout S]
                      wait until the node exists with an ephemeralOwner other
                      than HEX ("none" = any); print the owner; exit 1 on
                      timeout
  wait-gone PATH [--timeout S]
                      wait until the node does not exist; exit 1 on timeout
"""
import json
import logging
import sys
import time
import warnings

warnings.filterwarnings("ignore")

try:
    from kazoo.client import KazooClient
except ImportError:
    sys.stderr.write("zkq.py: python3-kazoo is not installed\n")
    sys.exit(77)

logging.basicConfig(level=logging.CRITICAL)


def opt(args, name, default):
    if name in args:
        i = args.index(name)
        return args[i + 1]
    return default


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    connect, cmd, path = argv[1], argv[2], argv[3]
    rest = argv[4:]
    timeout = float(opt(rest, "--timeout", "10"))
    zk = KazooClient(hosts=connect, timeout=max(2.0, min(timeout, 10.0)))
    try:
        zk.start(timeout=max(2.0, min(timeout, 10.0)))
    except Exception as e:  # kazoo raises its own timeout type
        sys.stderr.write("zkq.py: cannot connect to %s: %s\n" % (connect, e))
        return 3
    try:
        if cmd == "owner":
            st = zk.exists(path)
            print("none" if st is None else "%x" % st.ephemeralOwner)
            return 0
        if cmd == "exists":
            return 0 if zk.exists(path) else 1
        if cmd in ("get", "json"):
            if not zk.exists(path):
                return 1
            data, _ = zk.get(path)
            if cmd == "get":
                sys.stdout.write((data or b"").decode("utf-8", "replace") + "\n")
                return 0
            try:
                print(json.dumps(json.loads(data.decode()), sort_keys=True))
            except (ValueError, AttributeError) as e:
                sys.stderr.write("zkq.py: %s is not JSON: %r (%s)\n" % (path, data, e))
                return 1
            return 0
        if cmd == "ls":
            if not zk.exists(path):
                return 1
            for c in sorted(zk.get_children(path)):
                print(c)
            return 0
        if cmd == "wait":
            not_owner = opt(rest, "--not-owner", "none")
            deadline = time.time() + timeout
            while True:
                st = zk.exists(path)
                if st is not None:
                    owner = "%x" % st.ephemeralOwner
                    if not_owner == "none" or owner != not_owner:
                        print(owner)
                        return 0
                if time.time() >= deadline:
                    return 1
                time.sleep(0.1)
        if cmd == "wait-gone":
            deadline = time.time() + timeout
            while zk.exists(path) is not None:
                if time.time() >= deadline:
                    return 1
                time.sleep(0.1)
            return 0
        sys.stderr.write("zkq.py: unknown command %s\n" % cmd)
        return 2
    finally:
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
