#!/usr/bin/python3
"""10-kill9-acks1 helper.

  produce BOOTSTRAP TOPIC PARTITIONS ACKFILE STOPFILE
      confluent_kafka producer, acks=1, no retries: message seq i goes to
      partition i % PARTITIONS with value "seq-<i>"; every acknowledged one
      is appended to ACKFILE as "seq partition offset" (flushed at once);
      failures go to ACKFILE.fail.  Runs until STOPFILE exists, then flushes.
  verify BOOTSTRAP TOPIC PARTITIONS ACKFILE KILLED_AT
      KILLED_AT = number of acks recorded when the broker was killed.
Checks (invariant: an acknowledged append that reached the log survives a
crash; recovery truncates only unacknowledged tails):
  - per partition, acked offsets strictly increase in ack order (no
    duplicate offsets, nothing handed out twice across the crash);
  - the log of each partition reads back as offsets 0..HW-1 without gaps;
  - the message at every acked offset is the acked seq;
  - messages were acked both before the kill and after the restart.
"""
import os
import sys
import time

import samsa_it as it

it.require("confluent_kafka", "python3-confluent-kafka")
from confluent_kafka import KafkaException, Producer  # noqa: E402


def produce(boot, topic, nparts, ackfile, stopfile):
    log = it.quiet_logger()
    p = Producer({"bootstrap.servers": boot, "acks": 1, "linger.ms": 2,
                  "retries": 0, "enable.idempotence": False,
                  "message.timeout.ms": 30000, "reconnect.backoff.max.ms": 500,
                  "logger": log})
    acks = open(ackfile, "a", buffering=1)
    fails = open(ackfile + ".fail", "a", buffering=1)

    def dr(err, msg):
        seq = int(msg.value()[4:])
        if err is None:
            acks.write("%d %d %d\n" % (seq, msg.partition(), msg.offset()))
        else:
            fails.write("%d %s\n" % (seq, err))

    i = refused = 0
    while not os.path.exists(stopfile):
        try:
            p.produce(topic, value=b"seq-%d" % i, partition=i % nparts, on_delivery=dr)
            i += 1
        except BufferError:
            pass
        except KafkaException as e:
            # e.g. _UNKNOWN_TOPIC: the broker said the topic does not exist
            fails.write("refused %s\n" % e.args[0])
            refused += 1
            if refused in (1, 100, 1000):
                it.say("produce() refused (%d times so far): %s" % (refused, e.args[0]))
            time.sleep(0.01)
        p.poll(0.001 if i % 10 else 0.005)
    left = p.flush(40)
    it.say("producer: %d produced, %d left unflushed" % (i, left))
    acks.close()
    fails.close()
    return 0


def verify(boot, topic, nparts, ackfile, killed_at):
    rows = [tuple(map(int, line.split())) for line in open(ackfile) if line.strip()]
    fl = open(ackfile + ".fail").readlines() if os.path.exists(ackfile + ".fail") else []
    refused = [x for x in fl if x.startswith("refused ")]
    it.say("%d acked (%d before the kill), %d failed deliveries, %d produce() calls "
           "refused by the client" % (len(rows), killed_at, len(fl) - len(refused),
                                     len(refused)))
    it.check(killed_at > 0, "nothing acked before the kill")
    it.check(len(rows) > killed_at, "nothing acked after the restart")
    problems = []
    acked = {}
    for q in range(nparts):
        offs = [(s, o) for s, p, o in rows if p == q]
        for j in range(1, len(offs)):
            if offs[j][1] <= offs[j - 1][1]:
                problems.append("partition %d: seq %d acked at offset %d after seq %d at "
                                "offset %d" % (q, offs[j][0], offs[j][1], offs[j - 1][0],
                                               offs[j - 1][1]))
        acked[q] = dict((o, s) for s, o in offs)
    for q in range(nparts):
        lo, hi = it.watermarks(boot, topic, q)
        it.say("partition %d: watermarks (%d, %d), %d acked" % (q, lo, hi, len(acked[q])))
        if lo != 0:
            problems.append("partition %d: log start offset %d, want 0" % (q, lo))
        if acked[q] and hi <= max(acked[q]):
            problems.append("partition %d: high watermark %d <= acked offset %d"
                            % (q, hi, max(acked[q])))
        msgs = it.consume_range(boot, topic, q, 0, hi, timeout=120)
        offs = [m.offset() for m in msgs]
        if offs != list(range(hi)):
            gaps = [j for j, o in enumerate(offs) if o != j][:3]
            problems.append("partition %d: read %d messages for [0,%d); offsets not "
                            "contiguous near index %s" % (q, len(offs), hi, gaps))
        got = {m.offset(): m.value() for m in msgs}
        lost = [(o, s) for o, s in sorted(acked[q].items())
                if got.get(o) != b"seq-%d" % s]
        if lost:
            problems.append("partition %d: %d acked messages missing or different, first "
                            "(offset, seq, found): %s" % (q, len(lost), [
                                (o, s, got.get(o)) for o, s in lost[:5]]))
        values = [m.value() for m in msgs]
        if len(set(values)) != len(values):
            it.say("partition %d: %d duplicate values in the log (unacked retries "
                   "are allowed: retries=0, so this is unexpected)"
                   % (q, len(values) - len(set(values))))
            problems.append("partition %d: duplicate values with retries=0" % q)
    if refused:
        # Kafka does not process requests before its startup is complete, so
        # a client never hears that an existing topic does not exist.
        problems.append("the client was told the existing topic is unknown %d times "
                        "around the restart (first: %s)" % (len(refused),
                                                            refused[0].strip()))
    for pr in problems[:20]:
        it.say(pr)
    it.check(not problems, "%d problems" % len(problems))
    it.say("all %d acked messages intact" % len(rows))
    return 0


def main(a):
    if a[1] == "produce":
        return produce(a[2], a[3], int(a[4]), a[5], a[6])
    if a[1] == "verify":
        return verify(a[2], a[3], int(a[4]), a[5], int(a[6]))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
