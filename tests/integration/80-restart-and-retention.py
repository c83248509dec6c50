#!/usr/bin/python3
"""80-restart-and-retention helper (one partition, partition 0).

  produce BOOTSTRAP TOPIC N SIZE
      N messages of SIZE bytes, acks=all, flushed every 4 messages so
      batches stay small; the value of the message at offset o starts with
      "m-<o, 8 digits>-": the acked offsets must continue from the current
      high watermark without a gap.
  wm BOOTSTRAP TOPIC            print "low high" (ListOffsets earliest/latest)
  readcheck BOOTSTRAP TOPIC     read [low, high) and check every value names
                                its own offset; with auto.offset.reset=earliest
                                an assignment at offset 0 starts at low; with
                                auto.offset.reset=error, offset 0 < low is an
                                error
"""
import sys

import samsa_it as it

it.require("confluent_kafka", "python3-confluent-kafka")
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402

LOG = it.quiet_logger()


def produce(boot, topic, n, size):
    _, hi = it.watermarks(boot, topic, 0)
    p = Producer({"bootstrap.servers": boot, "acks": "all", "linger.ms": 1,
                  "logger": LOG})
    offs = []
    for i in range(n):
        v = (b"m-%08d-" % (hi + i)).ljust(size, b"x")
        p.produce(topic, value=v, partition=0,
                  on_delivery=lambda e, m: offs.append((e, m.offset())))
        if i % 4 == 3:
            it.check_eq(p.flush(30), 0, "unflushed messages")
    it.check_eq(p.flush(30), 0, "unflushed messages")
    errs = [e for e, _ in offs if e is not None]
    it.check(not errs, "delivery errors: %s" % errs[:3])
    it.check_eq([o for _, o in offs], list(range(hi, hi + n)),
                "acked offsets (continuing from high watermark %d)" % hi)
    it.say("produced offsets %d..%d" % (hi, hi + n - 1))
    return 0


def readcheck(boot, topic):
    lo, hi = it.watermarks(boot, topic, 0)
    msgs = it.consume_range(boot, topic, 0, lo, hi, extra={"logger": LOG})
    it.check_eq([m.offset() for m in msgs], list(range(lo, hi)), "offsets read")
    for m in msgs:
        it.check(m.value().startswith(b"m-%08d-" % m.offset()),
                 "offset %d holds %r" % (m.offset(), m.value()[:12]))
    if hi > lo:
        c = Consumer({"bootstrap.servers": boot, "group.id": "g80",
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "logger": LOG})
        c.assign([TopicPartition(topic, 0, 0)])
        m = None
        for _ in range(60):
            m = c.poll(0.5)
            if m is not None:
                break
        c.close()
        it.check(m is not None and m.error() is None, "no message from offset 0 with "
                 "auto.offset.reset=earliest: %s" % (m and m.error()))
        it.check_eq(m.offset(), lo, "first offset after reset to earliest")
    if lo > 0:
        c = Consumer({"bootstrap.servers": boot, "group.id": "g80",
                      "enable.auto.commit": False, "auto.offset.reset": "error",
                      "logger": LOG})
        c.assign([TopicPartition(topic, 0, 0)])
        m = None
        for _ in range(60):
            m = c.poll(0.5)
            if m is not None:
                break
        c.close()
        it.check(m is not None and m.error() is not None,
                 "offset 0 below log start %d: want an out-of-range error, got %s"
                 % (lo, "nothing" if m is None else "offset %d" % m.offset()))
        it.say("offset 0 < log start: %s" % m.error())
    it.say("read [%d, %d) ok" % (lo, hi))
    return 0


def main(a):
    if a[1] == "produce":
        return produce(a[2], a[3], int(a[4]), int(a[5]))
    if a[1] == "wm":
        print("%d %d" % it.watermarks(a[2], a[3], 0))
        return 0
    if a[1] == "readcheck":
        return readcheck(a[2], a[3])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
