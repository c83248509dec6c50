#!/usr/bin/python3
"""25-replication helper.

  produce BOOTSTRAP TOPIC N STATEFILE   create TOPIC (1 partition, RF 3,
                                        min.insync.replicas 2), produce N
                                        sequence-numbered messages with
                                        acks=all, read them back from the
                                        leader, record acked sequence numbers
                                        and the leader id in STATEFILE
  check BOOTSTRAP TOPIC STATEFILE       wait for a new leader, then check
                                        every acknowledged message is there
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import samsa_it as it  # noqa: E402


def cmd_produce(bootstrap, topic, n, statefile):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(topic, 1, 3, config={
        "min.insync.replicas": "2"})], request_timeout=30)
    for f in fs.values():
        f.result()
    leaders = it.wait_topic(bootstrap, topic, 1, admin=admin)
    leader = leaders[0]
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append((int(msg.value().decode().split("-")[1]),
                          msg.offset()))

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                  "enable.idempotence": False, "linger.ms": 5,
                  "message.timeout.ms": 30000})
    for i in range(n):
        p.produce(topic, ("seq-%d" % i).encode(), partition=0,
                  on_delivery=on_delivery)
        p.poll(0)
    p.flush(60)
    it.check_eq(len(acked), n, "acknowledged messages")
    lo, hi = it.watermarks(bootstrap, topic, 0)
    it.check(hi >= n, "high watermark %d below %d acked" % (hi, n))
    msgs = it.consume_range(bootstrap, topic, 0, 0, hi)
    seqs = [int(m.value().decode().split("-")[1]) for m in msgs]
    it.check_eq(sorted(seqs)[:n], list(range(n)), "messages read back")
    with open(statefile, "w") as f:
        json.dump({"leader": leader, "acked": acked}, f)
    print(leader)
    return 0


def cmd_check(bootstrap, topic, statefile):
    with open(statefile) as f:
        st = json.load(f)
    deadline = time.time() + 60
    leader = None
    while time.time() < deadline:
        parts = it.topic_partitions(bootstrap, topic)
        if parts and parts.get(0, -1) not in (-1, st["leader"]):
            leader = parts[0]
            break
        time.sleep(0.5)
    it.check(leader is not None, "no new leader after killing broker %d"
             % st["leader"])
    it.say("new leader is broker %d" % leader)
    # the new leader's high watermark moves once the remaining follower
    # has fetched from it in the new epoch (replmgr.c R3)
    want = max(o for _, o in st["acked"]) + 1
    while True:
        lo, hi = it.watermarks(bootstrap, topic, 0)
        if hi >= want or time.time() > deadline:
            break
        time.sleep(0.5)
    it.check(hi >= want, "high watermark %d below the acked %d" % (hi, want))
    msgs = it.consume_range(bootstrap, topic, 0, lo, hi)
    have = {m.offset(): int(m.value().decode().split("-")[1]) for m in msgs}
    lost = [(s, o) for s, o in st["acked"] if have.get(o) != s]
    it.check(not lost, "%d acknowledged messages lost or moved, e.g. %s"
             % (len(lost), lost[:5]))
    it.say("all %d acknowledged messages are on broker %d"
           % (len(st["acked"]), leader))
    return 0


def main(argv):
    it.require("confluent_kafka", "python3-confluent-kafka")
    it.quiet_logger()
    if argv[1] == "produce":
        return cmd_produce(argv[2], argv[3], int(argv[4]), argv[5])
    if argv[1] == "check":
        return cmd_check(argv[2], argv[3], argv[4])
    it.fail("unknown command %s" % argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
