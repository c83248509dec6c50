#!/usr/bin/python3
"""70-session-expiry helper.

  produce BOOTSTRAP TOPIC TAG N   produce N messages "TAG-i" (acks=all) over
                                  the topic's partitions; all must be acked
  verify BOOTSTRAP TOPIC N        the topic holds exactly N messages in total,
                                  offsets 0..hw-1 in each partition, all
                                  "before-*" ones ahead of all "after-*" ones
"""
import sys

import samsa_it as it

it.require("confluent_kafka", "python3-confluent-kafka")
from confluent_kafka import Producer  # noqa: E402


def produce(boot, topic, tag, n):
    parts = it.topic_partitions(boot, topic)
    it.check(parts, "topic %s not in metadata" % topic)
    nparts = len(parts)
    p = Producer({"bootstrap.servers": boot, "acks": "all", "message.timeout.ms": 30000,
                  "logger": it.quiet_logger()})
    res = []
    for i in range(n):
        p.produce(topic, value=b"%s-%04d" % (tag.encode(), i), partition=i % nparts,
                  on_delivery=lambda e, m: res.append((e, m.partition(), m.offset())))
        p.poll(0)
    it.check_eq(p.flush(60), 0, "unflushed messages")
    errs = [e for e, *_ in res if e is not None]
    it.check(not errs, "%d delivery errors: %s" % (len(errs), errs[:3]))
    it.check_eq(len(res), n, "delivery reports")
    it.say("%d %s messages acked" % (n, tag))
    return 0


def verify(boot, topic, n):
    parts = it.topic_partitions(boot, topic)
    it.check(parts, "topic %s unknown" % topic)
    total = 0
    for q in sorted(parts):
        lo, hi = it.watermarks(boot, topic, q)
        it.check_eq(lo, 0, "log start of partition %d" % q)
        msgs = it.consume_range(boot, topic, q, 0, hi)
        it.check_eq([m.offset() for m in msgs], list(range(hi)),
                    "offsets of partition %d" % q)
        tags = [m.value().split(b"-")[0] for m in msgs]
        it.check(tags == sorted(tags, key=lambda t: t != b"before"),
                 "partition %d: before/after messages interleaved" % q)
        total += hi
    it.check_eq(total, n, "messages in %s" % topic)
    return 0


def main(a):
    if a[1] == "produce":
        return produce(a[2], a[3], a[4], int(a[5]))
    if a[1] == "verify":
        return verify(a[2], a[3], int(a[4]))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
