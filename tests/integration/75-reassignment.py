#!/usr/bin/python3
"""75-reassignment.py: the client and ZooKeeper side of 75-reassignment.sh.

usage: 75-reassignment.py COMMAND ARGS
  create BOOTSTRAP TOPIC ASSIGNMENT   a topic with the replica assignment
                                      "1:2,2:3,..." (partition i = item i)
  alter ADDR TOPIC P REPLICAS|cancel  AlterPartitionReassignments at the
                                      broker ADDR; prints the partition's
                                      error name, exits 0 if it is NONE
  list ADDR                           ListPartitionReassignments: one line
                                      "topic-p replicas adding removing"
  wait-done ZK ADDR TOPIC P REPLICAS [TIMEOUT]
                                      until the partition is no longer
                                      listed, ZooKeeper assigns exactly
                                      REPLICAS (no adding/removing), its
                                      leader is one of them and the ISR is
                                      all of them
  znode ZK TOPIC P REPLICAS [TIMEOUT] writes /admin/reassign_partitions and
                                      waits until the controller deletes it
  zk ZK TOPIC                         prints the topic znode
"""
import json
import logging
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/tests/lib")
import kwire  # noqa: E402
import samsa_it as it  # noqa: E402

logging.basicConfig(level=logging.CRITICAL)
ERRORS = {0: "NONE", 7: "REQUEST_TIMED_OUT", 3: "UNKNOWN_TOPIC_OR_PARTITION",
          39: "INVALID_REPLICA_ASSIGNMENT", 41: "NOT_CONTROLLER",
          60: "REASSIGNMENT_IN_PROGRESS", 85: "NO_REASSIGNMENT_IN_PROGRESS"}


def zk_client(connect):
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=connect, timeout=10)
    zk.start(timeout=15)
    return zk


def ids(s):
    return [int(x) for x in s.split(",") if x]


def cmd_create(bootstrap, topic, assignment):
    from confluent_kafka.admin import AdminClient, NewTopic
    asg = [ids(p.replace(":", ",")) for p in assignment.split(",")]
    a = AdminClient({"bootstrap.servers": bootstrap})
    fs = a.create_topics([NewTopic(topic, num_partitions=len(asg),
                                   replica_assignment=asg)],
                         request_timeout=30)
    for f in fs.values():
        f.result()
    it.wait_topic(bootstrap, topic, len(asg), admin=a)
    return 0


def cmd_alter(addr, topic, p, reps):
    target = None if reps == "cancel" else ids(reps)
    err, msg, out = kwire.alter_reassignments(addr, {(topic, int(p)): target})
    if err != 0:
        print("%s %s" % (ERRORS.get(err, err), msg))
        return 1
    perr, pmsg = out[(topic, int(p))]
    print("%s%s" % (ERRORS.get(perr, perr), " " + pmsg if pmsg else ""))
    return 0 if perr == 0 else 1


def cmd_list(addr):
    err, out = kwire.list_reassignments(addr)
    if err != 0:
        print(ERRORS.get(err, err))
        return 1
    for (t, p), (reps, add, rem) in sorted(out.items()):
        print("%s-%d %s %s %s" % (t, p, reps, add, rem))
    return 0


def zk_part(zk, topic, p):
    node = json.loads(zk.get("/brokers/topics/" + topic)[0])
    st = json.loads(zk.get("/brokers/topics/%s/partitions/%d/state"
                           % (topic, p))[0])
    return (node["partitions"][str(p)],
            node.get("adding_replicas", {}).get(str(p), []),
            node.get("removing_replicas", {}).get(str(p), []),
            st["leader"], st["isr"])


def cmd_wait_done(connect, addr, topic, p, reps, timeout):
    zk = zk_client(connect)
    want = ids(reps)
    end = time.time() + timeout
    last = None
    try:
        while time.time() < end:
            _, listed = kwire.list_reassignments(addr)
            last = (zk_part(zk, topic, p), (topic, p) in listed)
            (asg, add, rem, leader, isr), running = last
            if (not running and asg == want and not add and not rem and
                    leader in want and sorted(isr) == sorted(want)):
                return 0
            time.sleep(0.3)
    finally:
        zk.stop()
    print("not done after %ds: (replicas, adding, removing, leader, isr), "
          "listed = %s" % (timeout, last))
    return 1


def cmd_znode(connect, topic, p, reps, timeout):
    zk = zk_client(connect)
    node = {"version": 1, "partitions": [
        {"topic": topic, "partition": p, "replicas": ids(reps)}]}
    try:
        zk.create("/admin/reassign_partitions", json.dumps(node).encode())
        end = time.time() + timeout
        while time.time() < end:
            if zk.exists("/admin/reassign_partitions") is None:
                return 0
            time.sleep(0.3)
        print("/admin/reassign_partitions still there after %ds: %s"
              % (timeout, zk.get("/admin/reassign_partitions")[0]))
        return 1
    finally:
        zk.stop()


def main(a):
    if a[1] == "create":
        return cmd_create(a[2], a[3], a[4])
    if a[1] == "alter":
        return cmd_alter(a[2], a[3], a[4], a[5])
    if a[1] == "list":
        return cmd_list(a[2])
    if a[1] == "wait-done":
        return cmd_wait_done(a[2], a[3], a[4], int(a[5]), a[6],
                             float(a[7]) if len(a) > 7 else 60)
    if a[1] == "znode":
        return cmd_znode(a[2], a[3], int(a[4]), a[5],
                         float(a[6]) if len(a) > 6 else 60)
    if a[1] == "zk":
        zk = zk_client(a[2])
        print(zk.get("/brokers/topics/" + a[3])[0].decode())
        zk.stop()
        return 0
    it.fail("unknown command %s" % a[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
