#!/usr/bin/python3
"""47-group-failover: the group coordinator survives the controller's death.

usage: 47-group-failover.py BOOTSTRAP ZK_CONNECT DIR
       47-group-failover.py worker BOOTSTRAP TOPIC GROUP OUT STOPFILE

A 6-partition topic with replication factor 3 gets 36,000 messages
(acks=all); three confluent_kafka consumer processes in one group consume
them slowly with manual synchronous commits, logging every message and
every commit the client saw succeed. Once a third of the topic is
committed this script writes DIR/kill-now; the shell kills the controller
(which hosts the coordinator) with -9 and writes DIR/killed. Checks:
- consumption continues: commits succeed after the kill, on the new
  coordinator, and the committed offsets reach the end of every partition;
- no committed offset is ever moved back: the offset znodes
  /consumers/<group>/offsets/<topic>/<p>, sampled every 100 ms, never
  decrease;
- no successful commit is lost: every offset a client committed
  successfully is <= the final znode, and OffsetFetch (committed()) agrees
  with the znodes;
- every message is consumed at least once;
- OffsetDelete (KIP-496): GROUP_SUBSCRIBED_TO_TOPIC while a member
  subscribes to the topic; once the group is empty, the offset is gone from
  ZooKeeper and from OffsetFetch.
"""
import json
import os
import socket
import subprocess
import sys
import time

import kwire
import samsa_it as it

NPART = 6
PER_PART = 6000
TOTAL = NPART * PER_PART
TOPIC = "gfo"
GROUP = "gfo-group"
NWORKERS = 3


def worker(boot, topic, group, out, stopfile):
    from confluent_kafka import Consumer, KafkaException

    f = open(out, "a", buffering=1)
    c = Consumer({"bootstrap.servers": boot, "group.id": group,
                  "enable.auto.commit": False,
                  "auto.offset.reset": "earliest",
                  "session.timeout.ms": 10000,
                  "heartbeat.interval.ms": 1000,
                  "logger": it.quiet_logger()})
    c.subscribe([topic])
    while not os.path.exists(stopfile):
        msgs = c.consume(100, 0.5)
        recs = [[m.partition(), m.offset()] for m in msgs if not m.error()]
        if not recs:
            continue
        f.write(json.dumps({"ev": "msgs", "r": recs}) + "\n")
        time.sleep(0.2)
        t = time.monotonic()
        try:
            res = c.commit(asynchronous=False)
        except KafkaException as e:
            f.write(json.dumps({"ev": "commit_failed", "t": t,
                                "e": str(e)}) + "\n")
            continue
        ok = [[tp.partition, tp.offset] for tp in res
              if tp.error is None and tp.offset >= 0]
        bad = [[tp.partition, str(tp.error)] for tp in res
               if tp.error is not None]
        f.write(json.dumps({"ev": "commit", "t": t, "t_end": time.monotonic(),
                            "ok": ok, "bad": bad}) + "\n")
    c.close()
    f.write(json.dumps({"ev": "closed"}) + "\n")
    f.close()


def produce(boot):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": boot, "acks": "all",
                  "enable.idempotence": False, "linger.ms": 5,
                  "logger": it.quiet_logger()})
    errs = []

    def dr(err, msg):
        if err is not None:
            errs.append(str(err))
    for i in range(TOTAL):
        while True:
            try:
                p.produce(TOPIC, value=b"m%d" % i, partition=i % NPART,
                          on_delivery=dr)
                break
            except BufferError:
                p.poll(0.1)
    it.check(p.flush(60) == 0, "produce: messages left unflushed")
    it.check(not errs, "produce errors: %s" % errs[:5])


def create_topic(boot):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": boot})
    f = a.create_topics([NewTopic(TOPIC, num_partitions=NPART,
                                  replication_factor=3)],
                        operation_timeout=30, request_timeout=30)
    f[TOPIC].result(timeout=40)
    it.wait_topic(boot, TOPIC, NPART, admin=a)


def zk_offsets(zk):
    out = {}
    for p in range(NPART):
        try:
            data, _ = zk.get("/consumers/%s/offsets/%s/%d" % (GROUP, TOPIC, p))
            out[p] = int(data.decode())
        except Exception:
            out[p] = None
    return out


def read_log(path):
    evs = []
    with open(path) as f:
        for line in f:
            try:
                evs.append(json.loads(line))
            except ValueError:
                pass  # a torn last line of a killed worker
    return evs


# ---- OffsetDelete on the wire (v0, not flexible) ----

def offset_delete(boot, group, topic, parts):
    body = (kwire.string(group) + kwire.i32(1) + kwire.string(topic) +
            kwire.i32(len(parts)) + b"".join(kwire.i32(p) for p in parts))
    last = None
    for addr in boot.split(","):
        host, port = addr.rsplit(":", 1)
        try:
            c = kwire.Conn(host, port, timeout=10)
        except OSError as e:
            last = str(e)
            continue
        try:
            c.send(kwire.request(47, 0, 9, body))
            _, data = c.recv_frame(timeout=10)
        finally:
            c.close()
        r = kwire.Reader(data)
        err = r.i16()
        r.i32()
        res = {}
        for _ in range(r.i32()):
            r.string()
            for _ in range(r.i32()):
                p = r.i32()
                res[p] = r.i16()
        if err == 16:  # NOT_COORDINATOR: another broker
            last = "NOT_COORDINATOR from %s" % addr
            continue
        return err, res
    it.fail("OffsetDelete: no coordinator answered (%s)" % last)


def main(boot, zkc, d):
    from confluent_kafka import Consumer, TopicPartition
    from kazoo.client import KazooClient

    create_topic(boot)
    produce(boot)
    hw = {}
    for p in range(NPART):
        lo, hi = it.watermarks(boot, TOPIC, p)
        hw[p] = hi
    it.check_eq(sum(hw.values()), TOTAL, "messages in the topic")
    it.say("produced %d messages; high watermarks %s" % (TOTAL, hw))

    zk = KazooClient(hosts=zkc)
    zk.start(timeout=15)
    stopfile = os.path.join(d, "stop-consumers")
    logs = [os.path.join(d, "w%d.log" % i) for i in range(NWORKERS)]
    procs = [subprocess.Popen([sys.executable, "-u", __file__, "worker", boot,
                               TOPIC, GROUP, lg, stopfile])
             for lg in logs]
    samples = []            # (t, {p: offset})
    kill_t = None
    t0 = time.monotonic()
    done = False
    try:
        while time.monotonic() - t0 < 300:
            offs = zk_offsets(zk)
            now = time.monotonic()
            samples.append((now, offs))
            total = sum(v for v in offs.values() if v is not None)
            if kill_t is None and not os.path.exists(
                    os.path.join(d, "kill-now")) and total >= TOTAL // 3:
                it.say("%d of %d committed: asking for the controller's "
                       "death" % (total, TOTAL))
                open(os.path.join(d, "kill-now"), "w").close()
            if kill_t is None and os.path.exists(os.path.join(d, "killed")):
                kill_t = now
                it.say("controller killed at +%.1fs (%d committed)"
                       % (now - t0, total))
            if kill_t is not None and all(offs[p] == hw[p]
                                          for p in range(NPART)):
                done = True
                break
            for pr in procs:
                it.check(pr.poll() is None,
                         "a consumer exited early (%s)" % pr.returncode)
            time.sleep(0.1)
        it.say("committed offsets %s after %.1fs" % (zk_offsets(zk),
                                                     time.monotonic() - t0))
    finally:
        open(stopfile, "w").close()
        for pr in procs:
            try:
                pr.wait(60)
            except subprocess.TimeoutExpired:
                pr.kill()
                pr.wait()
    it.check(kill_t is not None, "the controller was never killed")
    it.check(done, "committed offsets never reached the end of every "
             "partition: %s, want %s" % (samples[-1][1], hw))
    for pr in procs:
        it.check_eq(pr.returncode, 0, "consumer exit status")

    # never moved back: every sample, per partition
    last = {}
    for t, offs in samples:
        for p, v in offs.items():
            if v is None:
                it.check(p not in last, "offset of partition %d vanished "
                         "at +%.1fs" % (p, t - t0))
                continue
            it.check(v >= last.get(p, -1),
                     "offset of partition %d moved back from %d to %d at "
                     "+%.1fs" % (p, last.get(p, -1), v, t - t0))
            last[p] = v
    final = zk_offsets(zk)

    # never lost: every commit a client saw succeed
    consumed = [set() for _ in range(NPART)]
    best = {}
    nok = nfail = after = 0
    for lg in logs:
        for ev in read_log(lg):
            if ev["ev"] == "msgs":
                for p, o in ev["r"]:
                    consumed[p].add(o)
            elif ev["ev"] == "commit":
                for p, o in ev["ok"]:
                    nok += 1
                    best[p] = max(best.get(p, -1), o)
                    it.check(o <= final[p],
                             "a successful commit of %d for partition %d "
                             "is lost: the znode holds %s" % (o, p, final[p]))
                if ev["ok"] and ev["t"] > kill_t:
                    after += 1
                if ev["bad"]:
                    nfail += 1
            elif ev["ev"] == "commit_failed":
                nfail += 1
    it.say("%d partition commits succeeded (%d commits after the kill), "
           "%d commits failed" % (nok, after, nfail))
    it.check(after > 0, "no commit succeeded after the coordinator died")
    for p in range(NPART):
        missing = hw[p] - len([o for o in consumed[p] if o < hw[p]])
        it.check(missing == 0, "partition %d: %d of %d messages never "
                 "consumed" % (p, missing, hw[p]))

    # OffsetFetch agrees with ZooKeeper
    c = Consumer({"bootstrap.servers": boot, "group.id": GROUP,
                  "enable.auto.commit": False, "logger": it.quiet_logger()})
    got = {tp.partition: tp.offset for tp in
           c.committed([TopicPartition(TOPIC, p) for p in range(NPART)],
                       timeout=30)}
    c.close()
    it.check_eq(got, final, "OffsetFetch after the failover")
    it.say("OffsetFetch == ZooKeeper == end of every partition: %s" % final)

    # OffsetDelete: refused while a member subscribes to the topic
    m = Consumer({"bootstrap.servers": boot, "group.id": GROUP,
                  "enable.auto.commit": False, "logger": it.quiet_logger()})
    m.subscribe([TOPIC])
    deadline = time.monotonic() + 60
    while not m.assignment() and time.monotonic() < deadline:
        m.poll(0.2)
    it.check(m.assignment(), "a lone member got no assignment")
    err, res = offset_delete(boot, GROUP, TOPIC, [5])
    it.check_eq((err, res), (0, {5: 86}),
                "OffsetDelete with a subscribed member (want "
                "GROUP_SUBSCRIBED_TO_TOPIC)")
    m.close()
    err, res = offset_delete(boot, GROUP, TOPIC, [5])
    it.check_eq((err, res), (0, {5: 0}), "OffsetDelete of an empty group")
    it.check(not zk.exists("/consumers/%s/offsets/%s/5" % (GROUP, TOPIC)),
             "the offset znode of partition 5 survived OffsetDelete")
    it.check(zk.exists("/consumers/%s/offsets/%s/4" % (GROUP, TOPIC)),
             "OffsetDelete of partition 5 removed partition 4's znode")
    c = Consumer({"bootstrap.servers": boot, "group.id": GROUP,
                  "enable.auto.commit": False, "logger": it.quiet_logger()})
    got = {tp.partition: tp.offset for tp in
           c.committed([TopicPartition(TOPIC, p) for p in (4, 5)],
                       timeout=30)}
    c.close()
    it.check(got[4] == final[4] and got[5] < 0,
             "OffsetFetch after OffsetDelete: %s" % got)
    err, res = offset_delete(boot, "gfo-no-such-group", TOPIC, [0])
    it.check_eq(err, 69, "OffsetDelete of an unknown group "
                "(GROUP_ID_NOT_FOUND)")
    it.say("OffsetDelete: subscribed topic refused, empty group's offset "
           "deleted from ZooKeeper and OffsetFetch")
    zk.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:7])
        sys.exit(0)
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(*sys.argv[1:4])
    it.say("PASS")
