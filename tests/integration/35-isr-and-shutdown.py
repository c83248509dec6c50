#!/usr/bin/python3
"""35-isr-and-shutdown helper (see 35-isr-and-shutdown.sh).

  setup BOOT ZK TOPIC LEADER F1 F2     create TOPIC (1 partition, replicas
                                       [LEADER, F1, F2], min.insync 2), wait
                                       for leader LEADER and a full ISR
  isr BOOT ZK TOPIC SIZE [GONE...]     produce acks=all meanwhile; wait until
                                       the ISR in ZooKeeper has SIZE members,
                                       none of GONE, at the same leader epoch
                                       (AlterIsr, not a leader election);
                                       then acks=all must succeed if SIZE >= 2,
                                       else fail with NOT_ENOUGH_REPLICAS
                                       while acks=1 succeeds
  produce-bg BOOT TOPIC SECONDS OUT    acks=all with retries for SECONDS;
                                       write {"acked": n, "failed": [...]}
  state ZK TOPIC                       print the state znode's JSON
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import samsa_it as it  # noqa: E402


def zk_state(zk, topic):
    from kazoo.client import KazooClient
    c = KazooClient(hosts=zk)
    c.start(timeout=10)
    try:
        data, _ = c.get("/brokers/topics/%s/partitions/0/state" % topic)
        return json.loads(data.decode())
    finally:
        c.stop()
        c.close()


def producer(bootstrap, acks, extra=None):
    from confluent_kafka import Producer
    conf = {"bootstrap.servers": bootstrap, "acks": acks,
            "enable.idempotence": False, "linger.ms": 5,
            "message.timeout.ms": 30000}
    conf.update(extra or {})
    return Producer(conf)


def produce_n(bootstrap, topic, n, acks, extra=None):
    """(acked, errors) of n messages"""
    p = producer(bootstrap, acks, extra)
    res = {"ok": 0, "err": []}

    def cb(err, msg):
        if err is None:
            res["ok"] += 1
        else:
            res["err"].append(err)
    for i in range(n):
        p.produce(topic, b"m-%d" % i, partition=0, on_delivery=cb)
        p.poll(0)
    p.flush(60)
    return res["ok"], res["err"]


def cmd_setup(bootstrap, zk, topic, leader, f1, f2):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(
        topic, num_partitions=1, replication_factor=-1,
        replica_assignment=[[leader, f1, f2]],
        config={"min.insync.replicas": "2"})], request_timeout=30)
    for f in fs.values():
        f.result()
    leaders = it.wait_topic(bootstrap, topic, 1, admin=admin)
    it.check_eq(leaders[0], leader, "leader of %s" % topic)
    st = zk_state(zk, topic)
    it.check_eq(sorted(st["isr"]), sorted([leader, f1, f2]), "initial ISR")
    ok, errs = produce_n(bootstrap, topic, 20, "all")
    it.check(ok == 20 and not errs, "acks=all with a full ISR: %r" % errs)
    it.say("%s: leader %d, ISR %s, epoch %d" % (topic, st["leader"],
                                                st["isr"], st["leader_epoch"]))
    return 0


def cmd_isr(bootstrap, zk, topic, size, gone):
    from confluent_kafka import KafkaError
    start = zk_state(zk, topic)
    # a trickle of acks=0 traffic keeps the leader's log end moving, so a
    # stalled follower stops being "at the leader's LEO" (Kafka's rule)
    p = producer(bootstrap, "0")
    deadline = time.time() + 30
    st = start
    while time.time() < deadline:
        p.produce(topic, b"tick", partition=0)
        p.poll(0)
        st = zk_state(zk, topic)
        if len(st["isr"]) == size and not set(st["isr"]) & set(gone):
            break
        time.sleep(0.2)
    p.flush(10)
    it.check(len(st["isr"]) == size and not set(st["isr"]) & set(gone),
             "ISR %s after 30 s, wanted %d members without %s"
             % (st["isr"], size, gone))
    it.check_eq(st["leader"], start["leader"], "leader")
    it.check_eq(st["leader_epoch"], start["leader_epoch"],
                "leader epoch (an AlterIsr keeps it)")
    it.say("ISR is now %s (leader epoch %d)" % (st["isr"], st["leader_epoch"]))
    # the leader applies the committed ISR from the AlterIsr answer
    time.sleep(0.5)
    if size >= 2:
        ok, errs = produce_n(bootstrap, topic, 50, "all")
        it.check(ok == 50 and not errs, "acks=all with ISR %s: %d ok, %r"
                 % (st["isr"], ok, errs[:3]))
        it.say("acks=all: 50 of 50 acknowledged")
    else:
        ok, errs = produce_n(bootstrap, topic, 5, "all",
                             {"retries": 0, "message.timeout.ms": 10000})
        it.check(ok == 0 and errs, "acks=all below min.insync.replicas: %d "
                 "acknowledged" % ok)
        codes = set(e.code() for e in errs)
        it.check(codes <= {KafkaError.NOT_ENOUGH_REPLICAS,
                           KafkaError.NOT_ENOUGH_REPLICAS_AFTER_APPEND},
                 "acks=all errors: %r" % errs[:3])
        it.say("acks=all: %s" % errs[0].name())
        ok, errs = produce_n(bootstrap, topic, 20, "1")
        it.check(ok == 20 and not errs, "acks=1 with ISR %s: %r"
                 % (st["isr"], errs[:3]))
        it.say("acks=1: 20 of 20 acknowledged")
    return 0


def cmd_produce_bg(bootstrap, topic, seconds, out):
    p = producer(bootstrap, "all", {"retries": 1000000,
                                    "retry.backoff.ms": 100,
                                    "message.timeout.ms": 60000})
    res = {"acked": 0, "failed": [], "sent": 0}

    def cb(err, msg):
        if err is None:
            res["acked"] += 1
        else:
            res["failed"].append(str(err))
    end = time.time() + seconds
    while time.time() < end:
        p.produce(topic, b"bg-%d" % res["sent"], partition=0, on_delivery=cb)
        res["sent"] += 1
        p.poll(0.02)
    left = p.flush(60)
    res["unflushed"] = left
    with open(out, "w") as f:
        json.dump(res, f)
    return 0


def main(argv):
    it.require("confluent_kafka", "python3-confluent-kafka")
    it.require("kazoo", "python3-kazoo")
    it.quiet_logger()
    cmd = argv[1]
    if cmd == "setup":
        return cmd_setup(argv[2], argv[3], argv[4], int(argv[5]),
                         int(argv[6]), int(argv[7]))
    if cmd == "isr":
        return cmd_isr(argv[2], argv[3], argv[4], int(argv[5]),
                       [int(x) for x in argv[6:]])
    if cmd == "produce-bg":
        return cmd_produce_bg(argv[2], argv[3], float(argv[4]), argv[5])
    if cmd == "state":
        print(json.dumps(zk_state(argv[2], argv[3])))
        return 0
    it.fail("unknown command %s" % cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
