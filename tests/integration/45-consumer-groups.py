#!/usr/bin/python3
"""45-consumer-groups: consumer groups coordinated by the controller.

usage: 45-consumer-groups.py BOOTSTRAP OUTDIR
       45-consumer-groups.py worker BOOTSTRAP TOPIC GROUP ASSIGNOR OUT DELAY

For each of the range, roundrobin and cooperative-sticky assignors, three
confluent_kafka consumer processes in one group consume 100,000 messages
from a 6-partition topic with manual commits: every message is consumed at
least once, no partition is owned by two members at once (assignment
intervals logged on CLOCK_MONOTONIC, which every process shares), and the
group's committed offsets reach the end of every partition. kafka-python's
KafkaConsumer with group_id consumes and commits. A member killed with -9
is removed after session.timeout.ms and its partitions are reassigned:
nothing is skipped. Prints "GROUP <group> <topic>" lines for the shell
script, which checks the ZooKeeper offsets.
"""
import json
import os
import signal
import subprocess
import sys
import time

import samsa_it as it

NPART = 6
TOTAL = 100000
SESSION_MS = 6000


def worker(boot, topic, group, assignor, out, delay):
    from confluent_kafka import Consumer, KafkaException

    f = open(out, "a", buffering=1)

    def log(kind, parts):
        f.write(json.dumps({"ev": kind, "t": time.monotonic(),
                            "p": sorted(p.partition for p in parts)}) + "\n")

    c = Consumer({"bootstrap.servers": boot, "group.id": group,
                  "partition.assignment.strategy": assignor,
                  "enable.auto.commit": False,
                  "auto.offset.reset": "earliest",
                  "session.timeout.ms": SESSION_MS,
                  "heartbeat.interval.ms": 500,
                  "logger": it.quiet_logger()})
    c.subscribe([topic], on_assign=lambda c_, ps: log("assign", ps),
                on_revoke=lambda c_, ps: log("revoke", ps),
                on_lost=lambda c_, ps: log("revoke", ps))
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 8.0:
        msgs = c.consume(500, 0.5)
        if not msgs:
            continue
        idle_since = time.monotonic()
        recs = []
        for m in msgs:
            if m.error():
                continue
            recs.append([m.partition(), m.offset()])
            if delay:
                time.sleep(delay)
        f.write(json.dumps({"ev": "msgs", "r": recs}) + "\n")
        try:
            c.commit(asynchronous=False)
        except KafkaException as e:
            # a rebalance took the partitions: the next owner re-reads
            f.write(json.dumps({"ev": "commit_failed", "e": str(e)}) + "\n")
    c.close()
    f.write(json.dumps({"ev": "closed", "t": time.monotonic()}) + "\n")
    f.close()


def read_log(path):
    evs = []
    with open(path) as f:
        for line in f:
            try:
                evs.append(json.loads(line))
            except ValueError:
                pass  # a line cut by kill -9
    return evs


def check_ownership(logs, what):
    """no partition owned by two members at once"""
    intervals = {p: [] for p in range(NPART)}
    for who, evs in logs.items():
        owned = {}
        end = max([e["t"] for e in evs if "t" in e] + [time.monotonic()])
        for e in evs:
            if e["ev"] == "assign":
                for p in e["p"]:
                    owned[p] = e["t"]
            elif e["ev"] == "revoke":
                for p in e["p"]:
                    if p in owned:
                        intervals[p].append((owned.pop(p), e["t"], who))
        for p, t0 in owned.items():
            intervals[p].append((t0, end, who))
    for p, iv in intervals.items():
        iv.sort()
        for a, b in zip(iv, iv[1:]):
            it.check(a[1] <= b[0] or a[2] == b[2],
                     "%s: partition %d owned by %s and %s at once (%s, %s)"
                     % (what, p, a[2], b[2], a, b))
    it.check(all(intervals[p] for p in intervals),
             "%s: some partition was never assigned" % what)


def consumed(logs):
    seen = set()
    for evs in logs.values():
        for e in evs:
            if e["ev"] == "msgs":
                for p, o in e["r"]:
                    seen.add((p, o))
    return seen


def committed(boot, group, topic):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": boot, "group.id": group,
                  "logger": it.quiet_logger()})
    tps = c.committed([TopicPartition(topic, p) for p in range(NPART)],
                      timeout=30)
    c.close()
    return {tp.partition: tp.offset for tp in tps}


def produce(boot, topic, n):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": boot, "linger.ms": 20,
                  "logger": it.quiet_logger()})
    for i in range(n):
        while True:
            try:
                p.produce(topic, value=b"%d" % i, partition=i % NPART)
                break
            except BufferError:
                p.poll(0.1)
    it.check_eq(p.flush(60), 0, "messages left unflushed")
    return {q: n // NPART + (1 if q < n % NPART else 0) for q in range(NPART)}


def run_group(boot, outdir, topic, group, assignor, ends, delay=0.0,
              kill_after=None):
    logs = {}
    procs = []
    for k in range(3):
        out = os.path.join(outdir, "%s-%d.log" % (group, k))
        logs[k] = out
        procs.append(subprocess.Popen(
            [sys.executable, "-u", __file__, "worker", boot, topic, group,
             assignor, out, str(delay)]))
        time.sleep(0.3)
    killed_at = None
    if kill_after is not None:
        # wait until member 0 owns something and consumed a little
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            evs = read_log(logs[0])
            n = sum(len(e["r"]) for e in evs if e["ev"] == "msgs")
            if n >= kill_after:
                break
            time.sleep(0.2)
        procs[0].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        it.say("%s: member 0 killed with -9" % group)
    for pr in procs:
        try:
            pr.wait(timeout=240)
        except subprocess.TimeoutExpired:
            pr.kill()
            it.fail("%s: a worker did not finish" % group)
    parsed = {k: read_log(v) for k, v in logs.items()}
    seen = consumed(parsed)
    want = {(p, o) for p in range(NPART) for o in range(ends[p])}
    missing = want - seen
    it.check(not missing, "%s: %d messages never consumed, e.g. %s"
             % (group, len(missing), sorted(missing)[:5]))
    got = committed(boot, group, topic)
    for p in range(NPART):
        it.check_eq(got[p], ends[p], "%s: committed offset of %d" % (group, p))
    return parsed, killed_at


def main():
    if sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
               sys.argv[6], float(sys.argv[7]))
        return
    it.require("confluent_kafka", "python3-confluent-kafka")
    boot, outdir = sys.argv[1], sys.argv[2]
    suffix = "%d" % os.getpid()
    topic = "t45-" + suffix
    it.create_topics(boot, {topic: NPART}, fallback=False)
    ends = produce(boot, topic, TOTAL)
    it.say("produced %d messages" % TOTAL)

    for assignor in ("range", "roundrobin", "cooperative-sticky"):
        group = "g45-%s-%s" % (assignor, suffix)
        parsed, _ = run_group(boot, outdir, topic, group, assignor, ends)
        check_ownership(parsed, group)
        print("GROUP %s %s" % (group, topic))
        it.say("%s: 3 members consumed everything, ownership exclusive"
               % assignor)

    # kafka-python with group_id
    import kafka
    group = "g45-kp-" + suffix
    kc = kafka.KafkaConsumer(topic, bootstrap_servers=boot, group_id=group,
                             auto_offset_reset="earliest",
                             enable_auto_commit=False,
                             consumer_timeout_ms=8000)
    n = 0
    for _ in kc:
        n += 1
    kc.commit()
    tps = [kafka.TopicPartition(topic, p) for p in range(NPART)]
    got = {tp.partition: kc.committed(tp) for tp in tps}
    kc.close()
    it.check_eq(n, TOTAL, "kafka-python messages")
    it.check_eq(got, ends, "kafka-python committed offsets")
    print("GROUP %s %s" % (group, topic))
    it.say("kafka-python KafkaConsumer with group_id: ok")

    # kill -9: session timeout, reassignment, nothing skipped
    ktopic = "t45k-" + suffix
    it.create_topics(boot, {ktopic: NPART}, fallback=False)
    kends = produce(boot, ktopic, 6000)
    group = "g45-kill-" + suffix
    parsed, killed_at = run_group(boot, outdir, ktopic, group, "range",
                                  kends, delay=0.002, kill_after=200)
    before = set()
    for e in parsed[0]:
        if e["ev"] == "assign":
            before |= set(e["p"])
    later = [e for k in (1, 2) for e in parsed[k]
             if e["ev"] == "assign" and e["t"] > killed_at
             and set(e["p"]) & before]
    it.check(later, "%s: the killed member's partitions %s were never "
             "reassigned" % (group, sorted(before)))
    took = min(e["t"] for e in later) - killed_at
    it.check(took < SESSION_MS / 1000.0 + 15,
             "%s: reassignment took %.1f s" % (group, took))
    print("GROUP %s %s" % (group, ktopic))
    it.say("kill -9: partitions %s reassigned after %.1f s, nothing skipped"
           % (sorted(before), took))


if __name__ == "__main__":
    main()
