#!/usr/bin/python3
"""65-leader-election.py: ZooKeeper checks for 65-leader-election.sh.

usage: 65-leader-election.py COMMAND ZK TOPIC [args]
  wait-isr ZK TOPIC N [TIMEOUT]   every partition has N replicas in its ISR
  preferred ZK TOPIC              print "p replicas leader" per partition,
                                  exit 1 unless every leader is preferred
  not-leading ZK TOPIC BROKER     exit 0 if BROKER leads none of the
                                  partitions it prefers (and prefers one)
  wait-preferred ZK TOPIC [TIMEOUT]  until every leader is preferred
  prefers ZK TOPIC BROKER         print the partitions BROKER prefers
  znode ZK TOPIC BROKER           write /admin/preferred_replica_election
                                  with the partitions BROKER prefers, then
                                  wait until the controller deletes it
"""
import json
import logging
import sys
import time

from kazoo.client import KazooClient

logging.basicConfig(level=logging.CRITICAL)


def partitions(zk, topic):
    data, _ = zk.get("/brokers/topics/%s" % topic)
    asg = json.loads(data)["partitions"]
    out = []
    for p in sorted(asg, key=int):
        st, _ = zk.get("/brokers/topics/%s/partitions/%s/state" % (topic, p))
        st = json.loads(st)
        out.append((int(p), asg[p], st["leader"], st["isr"]))
    return out


def all_preferred(parts):
    return all(leader == reps[0] for _, reps, leader, _ in parts)


def main(argv):
    cmd, connect, topic = argv[1], argv[2], argv[3]
    zk = KazooClient(hosts=connect, timeout=10)
    zk.start(timeout=10)
    try:
        if cmd == "wait-isr":
            n, timeout = int(argv[4]), float(argv[5] if len(argv) > 5 else 30)
            end = time.time() + timeout
            while time.time() < end:
                if all(len(isr) == n for _, _, _, isr in partitions(zk, topic)):
                    return 0
                time.sleep(0.3)
            print(partitions(zk, topic))
            return 1
        if cmd == "preferred":
            parts = partitions(zk, topic)
            for p, reps, leader, isr in parts:
                print("%d replicas=%s leader=%d isr=%s" % (p, reps, leader, isr))
            return 0 if all_preferred(parts) else 1
        if cmd == "wait-preferred":
            timeout = float(argv[4] if len(argv) > 4 else 30)
            end = time.time() + timeout
            while time.time() < end:
                if all_preferred(partitions(zk, topic)):
                    return 0
                time.sleep(0.3)
            print(partitions(zk, topic))
            return 1
        b = int(argv[4])
        mine = [x for x in partitions(zk, topic) if x[1][0] == b]
        if cmd == "not-leading":
            print(mine)
            return 0 if mine and all(x[2] != b for x in mine) else 1
        if cmd == "prefers":
            print(" ".join(str(x[0]) for x in mine))
            return 0
        if cmd == "znode":
            node = {"version": 1, "partitions": [
                {"topic": topic, "partition": x[0]} for x in mine]}
            zk.create("/admin/preferred_replica_election",
                      json.dumps(node).encode(), makepath=True)
            end = time.time() + 30
            while time.time() < end:
                if not zk.exists("/admin/preferred_replica_election"):
                    return 0
                time.sleep(0.2)
            print("the controller did not delete the node")
            return 1
        sys.stderr.write(__doc__)
        return 2
    finally:
        zk.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
