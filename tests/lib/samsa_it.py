#!/usr/bin/python3
"""samsa_it: shared helpers for the Python side of the integration tests.

Import from a scenario (run_py in cluster.sh puts tests/lib on PYTHONPATH):
    import samsa_it as it
or run as a command:
    samsa_it.py create-topics BOOTSTRAP NAME:PARTITIONS [NAME:PARTITIONS...]
        create the topics with replication factor 1 through confluent_kafka's
        AdminClient and wait until Metadata shows every partition with a
        leader.  If the broker refuses CreateTopics itself (not "already
        exists"), say so and fall back to auto-creation through a Metadata
        request; the partition count is checked either way.

Everything here fails loudly: it.fail() exits 1 with a message.  Nothing
here weakens a check: helpers only set things up or read state.
"""
import os
import sys
import time

PROG = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "samsa_it"


def say(msg):
    sys.stderr.write("%s [%s] %s\n" % (time.strftime("%H:%M:%S"), PROG, msg))
    sys.stderr.flush()


def fail(msg):
    say("FAIL: " + msg)
    sys.exit(1)


def skip(msg):
    say("SKIP: " + msg)
    sys.exit(77)


def check(cond, msg):
    if not cond:
        fail(msg)


def check_eq(got, want, what):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


class Checks:
    """Collect named sub-checks so one run reports every failure."""

    def __init__(self):
        self.failed = []
        self.passed = 0

    def run(self, name, fn, *args, **kw):
        say("--- " + name)
        t0 = time.time()
        try:
            fn(*args, **kw)
        except SystemExit as e:
            if e.code in (0, None):
                self.passed += 1
                return
            self.failed.append(name)
            say("--- %s FAILED (%.1fs)" % (name, time.time() - t0))
            return
        except Exception as e:  # report and carry on with the next check
            import traceback
            traceback.print_exc()
            self.failed.append(name)
            say("--- %s FAILED: %s: %s (%.1fs)" % (name, type(e).__name__, e,
                                                   time.time() - t0))
            return
        self.passed += 1
        say("--- %s ok (%.1fs)" % (name, time.time() - t0))

    def finish(self):
        if self.failed:
            say("%d passed, %d FAILED: %s" % (self.passed, len(self.failed),
                                             ", ".join(self.failed)))
            sys.exit(1)
        say("all %d checks passed" % self.passed)
        sys.exit(0)


def require(module, package):
    try:
        return __import__(module)
    except ImportError:
        skip("python module %s missing (Debian package %s)" % (module, package))


def quiet_logger(name="rdkafka"):
    """A logger for librdkafka that only shows warnings and worse."""
    import logging
    lg = logging.getLogger(name)
    if not lg.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(asctime)s " + name + " %(message)s"))
        lg.addHandler(h)
    lg.setLevel(logging.WARNING)
    return lg


def topic_partitions(bootstrap, topic, timeout=10.0):
    """Metadata for one topic via confluent_kafka: {partition: leader} or
    None if the topic is unknown.  Does not auto-create (AdminClient)."""
    from confluent_kafka.admin import AdminClient
    a = AdminClient({"bootstrap.servers": bootstrap})
    md = a.list_topics(timeout=timeout)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return {p.id: p.leader for p in t.partitions.values()}


def wait_topic(bootstrap, topic, partitions, timeout=30.0, admin=None):
    """Wait until Metadata lists @topic with exactly @partitions partitions,
    each with a leader and no error.  Returns {partition: leader}."""
    from confluent_kafka.admin import AdminClient
    a = admin or AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            md = a.list_topics(timeout=5)
            t = md.topics.get(topic)
            if t is not None:
                last = (t.error, {p.id: (p.leader, p.error)
                                  for p in t.partitions.values()})
                if (t.error is None and len(t.partitions) == partitions and
                        all(p.leader >= 0 and p.error is None
                            for p in t.partitions.values())):
                    return {p.id: p.leader for p in t.partitions.values()}
            else:
                last = "topic not in metadata"
        except Exception as e:
            last = "list_topics: %s" % e
        if time.time() >= deadline:
            fail("topic %s not ready with %d partitions after %.0fs (last: %r)"
                 % (topic, partitions, timeout, last))
        time.sleep(0.25)


def autocreate(bootstrap, topic, timeout=10.0):
    """Ask for @topic's metadata from a producer, which lets the broker
    auto-create it (auto.create.topics.enable)."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap})
    try:
        p.list_topics(topic=topic, timeout=timeout)
    except Exception as e:
        say("autocreate %s: %s" % (topic, e))


def create_topics(bootstrap, specs, timeout=30.0, fallback=True):
    """specs: {name: partitions}.  See the module docstring."""
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    futs = a.create_topics([NewTopic(n, num_partitions=p, replication_factor=1)
                            for n, p in specs.items()],
                           operation_timeout=timeout, request_timeout=timeout)
    for name, f in futs.items():
        try:
            f.result(timeout=timeout + 5)
            say("created topic %s (%d partitions)" % (name, specs[name]))
        except Exception as e:
            err = e.args[0] if e.args else None
            code = err.code() if hasattr(err, "code") else None
            if code == KafkaError.TOPIC_ALREADY_EXISTS:
                say("topic %s already exists" % name)
            elif fallback:
                say("WARNING: CreateTopics for %s failed (%s); relying on "
                    "auto-create with the broker's num.partitions" % (name, e))
                autocreate(bootstrap, name)
            else:
                fail("CreateTopics %s: %s" % (name, e))
    for name, p in specs.items():
        wait_topic(bootstrap, name, p, timeout=timeout, admin=a)


def watermarks(bootstrap, topic, partition, timeout=10.0):
    """(low, high) from ListOffsets earliest/latest, not cached."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "samsa-it-wm",
                  "enable.auto.commit": False})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition),
                                       timeout=timeout, cached=False)
    finally:
        c.close()


def consume_range(bootstrap, topic, partition, start, end, timeout=60.0,
                  extra=None):
    """Read [start, end) of one partition by assignment (no group
    protocol).  Returns the list of confluent_kafka Message objects; fails
    on any consumer error or if the range is not complete in time."""
    from confluent_kafka import Consumer, TopicPartition
    conf = {"bootstrap.servers": bootstrap, "group.id": "samsa-it-read",
            "enable.auto.commit": False, "auto.offset.reset": "error",
            "enable.partition.eof": False}
    if extra:
        conf.update(extra)
    c = Consumer(conf)
    out = []
    try:
        if end <= start:
            return out
        c.assign([TopicPartition(topic, partition, start)])
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                fail("consume %s[%d] from %d: %s" % (topic, partition, start,
                                                    m.error()))
            if m.offset() >= end:
                break
            out.append(m)
            if m.offset() == end - 1:
                break
        else:
            fail("consume %s[%d] [%d,%d): only %d messages after %.0fs "
                 "(last offset %s)" % (topic, partition, start, end, len(out),
                                       timeout,
                                       out[-1].offset() if out else None))
        return out
    finally:
        c.close()


def main(argv):
    if len(argv) >= 4 and argv[1] == "create-topics":
        specs = {}
        for s in argv[3:]:
            name, _, n = s.rpartition(":")
            specs[name] = int(n)
        create_topics(argv[2], specs)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
