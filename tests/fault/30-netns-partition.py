#!/usr/bin/python3
"""30-netns-partition helper (see 30-netns-partition.sh).

  create BOOTSTRAP TOPIC PARTITIONS
      RF 3, min.insync.replicas 2; wait for leaders.
  leader BOOTSTRAP TOPIC PARTITION
      print the partition's leader from Metadata.
  produce BOOTSTRAP TOPIC PARTITIONS TAG ACKFILE STOPFILE
      acks=all producer (retries on, no idempotence, max.in.flight 1):
      round-robin over PARTITIONS (a comma-separated list), key "p<p>",
      value "<TAG>:<p>-<n>".  Every delivery report is appended to
      ACKFILE as "A tag p n offset time" or "F tag p n time error".
      Runs until STOPFILE exists, then flushes (bounded).
  verify BOOTSTRAP TOPIC PARTITIONS CUT_TIME HEAL_TIME ACKFILE...
      read every partition from 0 to its high watermark: every
      acknowledged message (of every ACKFILE) must be at its acked offset,
      per (tag, partition) in sequence order (client retries across the
      leader change excepted, reported); report acknowledgements made
      between CUT_TIME and HEAL_TIME to the producer tagged "iso" (inside
      the isolated leader's namespace), duplicates and unacknowledged
      extras.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import samsa_it as it  # noqa: E402


def cmd_create(bootstrap, topic, nparts):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    fs = a.create_topics([NewTopic(topic, nparts, 3, config={
        "min.insync.replicas": "2"})], request_timeout=30)
    for f in fs.values():
        f.result()
    it.wait_topic(bootstrap, topic, nparts, admin=a)
    return 0


def cmd_leader(bootstrap, topic, part):
    print(it.topic_partitions(bootstrap, topic)[part])
    return 0


def cmd_produce(bootstrap, topic, parts, tag, ackfile, stopfile):
    from confluent_kafka import Producer
    log = it.quiet_logger()
    log.setLevel(40)  # ERROR: an unreachable broker is the point here
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                  "enable.idempotence": False, "retries": 1000000,
                  "retry.backoff.ms": 100,
                  "max.in.flight.requests.per.connection": 1,
                  "linger.ms": 5, "request.timeout.ms": 8000,
                  "message.timeout.ms": 30000,
                  "topic.metadata.refresh.interval.ms": 2000,
                  "reconnect.backoff.max.ms": 500,
                  "logger": log})
    out = open(ackfile, "a", buffering=1)
    counts = {"A": 0, "F": 0}

    def dr(err, msg):
        t, rest = msg.value().decode().split(":")
        q, n = rest.split("-")
        if err is None:
            out.write("A %s %s %s %d %.3f\n" % (t, q, n, msg.offset(),
                                                time.time()))
            counts["A"] += 1
        else:
            out.write("F %s %s %s %.3f %s\n" % (t, q, n, time.time(),
                                                str(err.str()).replace("\n",
                                                                       " ")))
            counts["F"] += 1

    seq = {q: 0 for q in parts}
    i = 0
    while not os.path.exists(stopfile):
        q = parts[i % len(parts)]
        try:
            p.produce(topic, key=b"p%d" % q,
                      value=b"%s:%d-%d" % (tag.encode(), q, seq[q]),
                      partition=q, on_delivery=dr)
            seq[q] += 1
            i += 1
        except BufferError:
            p.poll(0.1)
            continue
        p.poll(0.005)
    left = p.flush(60)
    it.say("producer %s: %d produced, %d acked, %d failed, %d unflushed"
           % (tag, sum(seq.values()), counts["A"], counts["F"], left))
    return 0


def order_inversions(rows):
    """rows: (offset, seq, ack rank).  Returns (broker_inversions, retried);
    see 20-chaos.py."""
    rows = sorted(rows)
    bad, retried = [], []
    best = None
    for o, n, rank in rows:
        if best is not None and n <= best[0]:
            if [r for (oo, nn, r) in rows if oo < o and nn > n and r > rank]:
                bad.append(((o, n), best))
            else:
                retried.append((n, o))
        if best is None or n > best[0]:
            best = (n, rank)
    return bad, retried


def cmd_verify(bootstrap, topic, nparts, cut, heal, ackfiles):
    acked = {}           # (tag, p) -> [(n, offset, time)]
    failed = set()
    reasons = {}
    for fn in ackfiles:
        for line in open(fn):
            f = line.split(None, 5)
            if not f:
                continue
            key = (f[1], int(f[2]))
            if f[0] == "A":
                acked.setdefault(key, []).append((int(f[3]), int(f[4]),
                                                  float(f[5])))
            else:
                failed.add((f[1], int(f[2]), int(f[3])))
                r = f[5].strip() if len(f) > 5 else "?"
                reasons[(f[1], r)] = reasons.get((f[1], r), 0) + 1
    for (t, r), c in sorted(reasons.items()):
        it.say("producer %s: %d deliveries failed: %s" % (t, c, r))
    iso_after = [(q, n, o, tm) for (t, q), v in acked.items() if t == "iso"
                 for n, o, tm in v if cut < tm < heal]
    it.say("acknowledged: %s; by the isolated leader's producer while "
           "it was cut off: %d" % ({"%s/%d" % k: len(v) for k, v in
                         sorted(acked.items())}, len(iso_after)))
    problems = []
    dups = extras = 0
    for q in range(nparts):
        lo, hi = it.watermarks(bootstrap, topic, q, timeout=20)
        msgs = it.consume_range(bootstrap, topic, q, 0, hi, timeout=120)
        offs = [m.offset() for m in msgs]
        if lo != 0 or offs != list(range(hi)):
            problems.append("partition %d: offsets not contiguous from 0 "
                            "(watermarks %d,%d; read %d)" % (q, lo, hi,
                                                             len(offs)))
        log, where = {}, {}
        for m in msgs:
            t, rest = m.value().decode().split(":")
            mq, n = (int(x) for x in rest.split("-"))
            log[m.offset()] = (t, n)
            where.setdefault((t, n), []).append(m.offset())
            if mq != q:
                problems.append("partition %d offset %d: foreign message %r"
                                % (q, m.offset(), m.value()))
        for (t, p), v in acked.items():
            if p != q:
                continue
            lost = [(n, o, tm > cut, log.get(o)) for n, o, tm in v
                    if log.get(o) != (t, n)]
            if lost:
                problems.append("partition %d: %d messages of producer %s "
                                "ACKNOWLEDGED (acks=all) BUT NOT IN THE LOG "
                                "at their offset; first (seq, offset, acked "
                                "after cut, found there): %s"
                                % (q, len(lost), t, lost[:6]))
            # lower seq at a higher offset, acknowledged after the higher
            # seqs: librdkafka (no idempotence) retried it after moving the
            # partition to the new leader -- reported; otherwise a failure
            bad, retried = order_inversions(
                [(o, n, j) for j, (n, o, _) in enumerate(v)])
            if retried:
                it.say("partition %d: producer %s: %d acked messages behind "
                       "later seqs, acked after them (client retry across the "
                       "leader change): (seq, offset) %s"
                       % (q, t, len(retried), retried[:5]))
            if bad:
                problems.append("partition %d: producer %s acked out of "
                                "order: %s" % (q, t, bad[:4]))
        ackset = {(t, n) for (t, p), v in acked.items() if p == q
                  for n, _, _ in v}
        d = sum(len(v) - 1 for v in where.values() if len(v) > 1)
        e = len([k for k in where if k not in ackset])
        dups += d
        extras += e
        it.say("partition %d: hw %d; %d duplicate copies, %d unacknowledged "
               "messages present" % (q, hi, d, e))
    it.say("REPORT (allowed): %d duplicate copies, %d unacknowledged messages "
           "present" % (dups, extras))
    for pr in problems[:20]:
        it.say("PROBLEM: " + pr)
    it.check(not problems, "%d problems" % len(problems))
    it.say("every acknowledged message is in the log")
    return 0


def main(a):
    it.require("confluent_kafka", "python3-confluent-kafka")
    if a[1] == "create":
        return cmd_create(a[2], a[3], int(a[4]))
    if a[1] == "leader":
        return cmd_leader(a[2], a[3], int(a[4]))
    if a[1] == "produce":
        return cmd_produce(a[2], a[3], [int(x) for x in a[4].split(",")],
                           a[5], a[6], a[7])
    if a[1] == "verify":
        return cmd_verify(a[2], a[3], int(a[4]), float(a[5]), float(a[6]),
                          a[7:])
    it.fail("unknown command %s" % a[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
