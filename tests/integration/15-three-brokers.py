#!/usr/bin/python3
"""15-three-brokers.py: checks for tests/integration/15-three-brokers.sh.

usage: 15-three-brokers.py ZK_CONNECT COMMAND ARGS...
  create ADDR            CreateTopics (RF 1 and RF 3), CreatePartitions and
                         DeleteTopics sent to the one broker at ADDR (not the
                         controller): each must complete, not time out
  agree ADDRS [--dead ID,...] [--timeout S]
                         every broker in ADDRS (comma-separated host:port)
                         answers Metadata v1 (raw, to that broker alone) with
                         what ZooKeeper holds: live brokers, controller, each
                         topic's assignment, and leader/ISR of each state
                         znode; partitions whose only replica is a dead
                         broker have leader -1; retried until TIMEOUT
  produce-consume BOOTSTRAP TOPIC
                         produce to every partition of TOPIC (RF 1) through
                         its leader and read it back
  delete-nowait ADDR TOPIC
                         DeleteTopics with timeout 0 (answered once
                         /admin/delete_topics/TOPIC is written)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import kwire  # noqa: E402
import samsa_it as it  # noqa: E402

T_RF1 = "three-rf1"
T_RF3 = "three-rf3"
T_GROW = "three-grow"
T_DEL = "three-del"


def zk_view(zk):
    """What ZooKeeper says: brokers, controller, topics."""
    ids = sorted(int(i) for i in zk.get_children("/brokers/ids"))
    try:
        controller = json.loads(zk.get("/controller")[0])["brokerid"]
    except Exception:
        controller = -1
    topics = {}
    for t in zk.get_children("/brokers/topics"):
        if zk.exists("/admin/delete_topics/" + t):
            continue
        assign = json.loads(zk.get("/brokers/topics/" + t)[0])["partitions"]
        parts = {}
        for p, replicas in assign.items():
            path = "/brokers/topics/%s/partitions/%s/state" % (t, p)
            if not zk.exists(path):
                parts[int(p)] = None
                continue
            st = json.loads(zk.get(path)[0])
            parts[int(p)] = {"leader": st["leader"], "isr": st["isr"],
                             "replicas": replicas}
        topics[t] = parts
    return {"brokers": ids, "controller": controller, "topics": topics}


def disagreement(addr, md, zv, dead):
    """None when @md (one broker's metadata) matches @zv, else why not."""
    if sorted(md["brokers"]) != zv["brokers"]:
        return "%s: brokers %s, ZooKeeper %s" % (addr, sorted(md["brokers"]),
                                                 zv["brokers"])
    if md["controller"] != zv["controller"] or md["controller"] < 0:
        return "%s: controller %d, ZooKeeper %d" % (addr, md["controller"],
                                                    zv["controller"])
    for t, parts in zv["topics"].items():
        mt = md["topics"].get(t)
        if mt is None:
            return "%s: topic %s missing" % (addr, t)
        if sorted(mt["partitions"]) != sorted(parts):
            return "%s: %s partitions %s, ZooKeeper %s" % (
                addr, t, sorted(mt["partitions"]), sorted(parts))
        for p, st in parts.items():
            mp = mt["partitions"][p]
            if st is None:
                return "%s: %s[%d] has no state znode yet" % (addr, t, p)
            if (mp["leader"] != st["leader"] or mp["replicas"] != st["replicas"]
                    or sorted(mp["isr"]) != sorted(st["isr"])):
                return "%s: %s[%d] %s, ZooKeeper %s" % (addr, t, p, mp, st)
            if set(st["replicas"]) <= dead and mp["leader"] != -1:
                return "%s: %s[%d] should be leaderless, has leader %d" % (
                    addr, t, p, mp["leader"])
            if mp["leader"] in dead:
                return "%s: %s[%d] led by dead broker %d" % (
                    addr, t, p, mp["leader"])
    for t in md["topics"]:
        if t not in zv["topics"]:
            return "%s: topic %s not in ZooKeeper" % (addr, t)
    return None


def cmd_agree(zk, args):
    addrs = args[0].split(",")
    dead = set()
    timeout = 40.0
    if "--dead" in args:
        dead = {int(x) for x in args[args.index("--dead") + 1].split(",") if x}
    if "--timeout" in args:
        timeout = float(args[args.index("--timeout") + 1])
    deadline = time.time() + timeout
    while True:
        why = None
        try:
            zv = zk_view(zk)
            for a in addrs:
                why = disagreement(a, kwire.metadata_of(a), zv, dead)
                if why:
                    break
        except Exception as e:
            why = "error: %r" % (e,)
        if why is None:
            it.say("%d broker(s) agree with ZooKeeper: brokers %s, controller "
                   "%d, %d topic(s)" % (len(addrs), zv["brokers"],
                                        zv["controller"], len(zv["topics"])))
            for t, parts in sorted(zv["topics"].items()):
                it.say("  %s: %s" % (t, {p: (s["leader"], s["replicas"])
                                         for p, s in sorted(parts.items())}))
            return 0
        if time.time() >= deadline:
            it.fail("metadata disagrees after %.0fs: %s" % (timeout, why))
        time.sleep(0.3)


def cmd_create(zk, args):
    from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic
    addr = args[0]
    nbrokers = len(zk.get_children("/brokers/ids"))
    # one broker only: every admin request goes to that (non-controller)
    a = AdminClient({"bootstrap.servers": addr})
    specs = [NewTopic(T_RF1, num_partitions=3, replication_factor=1),
             NewTopic(T_GROW, num_partitions=1, replication_factor=1),
             NewTopic(T_DEL, num_partitions=2, replication_factor=1)]
    if nbrokers >= 3:
        specs.append(NewTopic(T_RF3, num_partitions=3, replication_factor=3))
    t0 = time.time()
    for name, f in a.create_topics(specs, operation_timeout=20,
                                   request_timeout=30).items():
        try:
            f.result(timeout=35)
        except Exception as e:
            it.fail("CreateTopics %s through %s: %s" % (name, addr, e))
    it.say("CreateTopics through %s done in %.1fs" % (addr, time.time() - t0))
    t0 = time.time()
    for name, f in a.create_partitions([NewPartitions(T_GROW, 3)],
                                       operation_timeout=20,
                                       request_timeout=30).items():
        try:
            f.result(timeout=35)
        except Exception as e:
            it.fail("CreatePartitions %s through %s: %s" % (name, addr, e))
    it.say("CreatePartitions through %s done in %.1fs" % (addr,
                                                         time.time() - t0))
    # librdkafka sends admin requests to the controller, which answers once
    # its own metadata shows the change; the other brokers learn it from
    # the UpdateMetadata that follows, as in Kafka: a bounded wait.
    deadline = time.time() + 15
    while True:
        md = kwire.metadata_of(addr)
        n = len(md["topics"].get(T_GROW, {"partitions": {}})["partitions"])
        if n == 3 or time.time() >= deadline:
            break
        time.sleep(0.2)
    it.check_eq(n, 3, "%s partitions on %s within 15 s" % (T_GROW, addr))
    t0 = time.time()
    for name, f in a.delete_topics([T_DEL], operation_timeout=20,
                                   request_timeout=30).items():
        try:
            f.result(timeout=35)
        except Exception as e:
            it.fail("DeleteTopics %s through %s: %s" % (name, addr, e))
    it.say("DeleteTopics through %s done in %.1fs" % (addr, time.time() - t0))
    # Likewise for DeleteTopics: answered by the controller, seen by the
    # other brokers with the next UpdateMetadata (bounded wait; the agree
    # step then checks ZooKeeper).
    deadline = time.time() + 15
    while T_DEL in kwire.metadata_of(addr)["topics"]:
        if time.time() >= deadline:
            it.fail("%s still in %s's metadata 15s after DeleteTopics"
                    % (T_DEL, addr))
        it.say("%s back in %s's metadata after DeleteTopics; waiting"
               % (T_DEL, addr))
        time.sleep(0.3)
    return 0


def cmd_produce_consume(zk, args):
    from confluent_kafka import Producer
    bootstrap, topic = args[0], args[1]
    addr = bootstrap.split(",")[0]
    md = kwire.metadata_of(addr)
    parts = md["topics"][topic]["partitions"]
    leaders = {p: st["leader"] for p, st in parts.items()}
    it.say("%s leaders: %s" % (topic, leaders))
    it.check(len(set(leaders.values())) == len(
        set(int(i) for i in zk.get_children("/brokers/ids"))) or
        len(leaders) < 3, "partitions are spread over every broker")
    for p, leader in sorted(leaders.items()):
        # bootstrap on the leader alone: the partition is served by it
        lp = Producer({"bootstrap.servers": md["brokers"][leader],
                       "acks": "all", "linger.ms": 0})
        lo, hi0 = it.watermarks(bootstrap, topic, p)
        errs = []
        for i in range(10):
            lp.produce(topic, value=b"p%d-m%d" % (p, i), partition=p,
                       on_delivery=lambda e, m: errs.append(e) if e else None)
        left = lp.flush(30)
        it.check(left == 0 and not errs, "produce to %s[%d] via broker %d: "
                 "%d left, errors %s" % (topic, p, leader, left, errs))
        msgs = it.consume_range(md["brokers"][leader], topic, p, hi0, hi0 + 10)
        got = [m.value() for m in msgs]
        it.check_eq(got, [b"p%d-m%d" % (p, i) for i in range(10)],
                    "%s[%d] read back from broker %d" % (topic, p, leader))
        it.say("%s[%d]: 10 messages through broker %d" % (topic, p, leader))
    return 0


def cmd_delete_nowait(zk, args):
    from confluent_kafka.admin import AdminClient
    a = AdminClient({"bootstrap.servers": args[0]})
    for name, f in a.delete_topics([args[1]], operation_timeout=0,
                                   request_timeout=30).items():
        try:
            f.result(timeout=35)
        except Exception as e:
            it.fail("DeleteTopics %s: %s" % (name, e))
    return 0


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    it.require("kazoo", "python3-kazoo")
    it.require("confluent_kafka", "python3-confluent-kafka")
    from kazoo.client import KazooClient
    import logging
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)
    zk = KazooClient(hosts=argv[1], timeout=10)
    zk.start(timeout=10)
    try:
        cmd, args = argv[2], argv[3:]
        if cmd == "agree":
            return cmd_agree(zk, args)
        if cmd == "create":
            return cmd_create(zk, args)
        if cmd == "produce-consume":
            return cmd_produce_consume(zk, args)
        if cmd == "delete-nowait":
            return cmd_delete_nowait(zk, args)
        sys.stderr.write(__doc__)
        return 2
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
