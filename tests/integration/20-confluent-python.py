#!/usr/bin/python3
"""20-confluent-python: confluent_kafka (librdkafka 2.0) against samsa.

usage: 20-confluent-python.py BOOTSTRAP BROKER_ID

Producer with acks=1 and acks=all and delivery reports; Consumer by
assignment only (group.id set for librdkafka, no subscribe, no commits);
seek; offsets_for_times; get_watermark_offsets; AdminClient create_topics,
delete_topics, create_partitions, describe_configs, list_topics, and the
errors for a duplicate topic, invalid names, a replication factor above the
broker count, fewer partitions, and unknown topics.
"""
import os
import sys
import time

import samsa_it as it

ck = it.require("confluent_kafka", "python3-confluent-kafka")
from confluent_kafka import (Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition, TIMESTAMP_CREATE_TIME)
from confluent_kafka.admin import (AdminClient, ConfigResource,  # noqa: E402
                                   NewPartitions, NewTopic)

BOOT = sys.argv[1]
BROKER_ID = int(sys.argv[2]) if len(sys.argv) > 2 else 1
SUFFIX = "%d" % os.getpid()
T_MAIN = "t20-main-" + SUFFIX
T_ADMIN = "t20-admin-" + SUFFIX
T_DEL = "t20-del-" + SUFFIX
T_BIG = "t20-big-" + SUFFIX
NPART = 3
PER_ACKS = 1500
LOG = it.quiet_logger()

admin = AdminClient({"bootstrap.servers": BOOT, "logger": LOG})
produced = {p: [] for p in range(NPART)}   # p -> [(offset, key, value, headers, ts)]
TS0 = int(time.time() * 1000) - 600000


def admin_error(fut, timeout=30):
    """Result of an admin future: None on success, the KafkaError code else."""
    try:
        fut.result(timeout=timeout)
        return None
    except KafkaException as e:
        return e.args[0].code()


def consumer(extra=None):
    conf = {"bootstrap.servers": BOOT, "group.id": "g20-" + SUFFIX,
            "enable.auto.commit": False, "auto.offset.reset": "error",
            "enable.partition.eof": False, "logger": LOG}
    conf.update(extra or {})
    return Consumer(conf)


def poll_one(c, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        it.check(m.error() is None, "consumer error: %s" % m.error())
        return m
    it.fail("no message within %.0fs" % timeout)


# ---------------------------------------------------------------- admin

def t_list_topics():
    md = admin.list_topics(timeout=10)
    it.check(BROKER_ID in md.brokers, "broker %d not in metadata brokers %s"
             % (BROKER_ID, list(md.brokers)))
    b = md.brokers[BROKER_ID]
    want_host, want_port = BOOT.split(",")[0].rsplit(":", 1)
    if len(BOOT.split(",")) == 1:
        it.check_eq((b.host, b.port), (want_host, int(want_port)),
                    "advertised listener of broker %d" % BROKER_ID)
    it.check(md.controller_id >= 0, "no controller in metadata (controller_id %d)"
             % md.controller_id)
    it.check(md.cluster_id, "no cluster id in metadata")
    it.say("cluster %s controller %d brokers %s" % (md.cluster_id, md.controller_id,
                                                  sorted(md.brokers)))


def t_create_topics():
    futs = admin.create_topics([NewTopic(T_MAIN, NPART, 1),
                                NewTopic(T_ADMIN, 2, 1),
                                NewTopic(T_BIG, 1, 1)],
                               operation_timeout=20, request_timeout=30)
    for name, f in futs.items():
        it.check_eq(admin_error(f), None, "create_topics %s" % name)
    for name, n in ((T_MAIN, NPART), (T_ADMIN, 2), (T_BIG, 1)):
        leaders = it.wait_topic(BOOT, name, n, admin=admin)
        it.say("%s leaders %s" % (name, leaders))


def t_create_duplicate():
    f = admin.create_topics([NewTopic(T_ADMIN, 2, 1)], request_timeout=30)[T_ADMIN]
    it.check_eq(admin_error(f), KafkaError.TOPIC_ALREADY_EXISTS,
                "duplicate create_topics error")


def t_create_invalid_names():
    for name in ("bad name!", "x" * 250, "..", ".", "a/b"):
        f = admin.create_topics([NewTopic(name, 1, 1)], request_timeout=30)[name]
        it.check_eq(admin_error(f), KafkaError.TOPIC_EXCEPTION,
                    "create_topics %r error (want INVALID_TOPIC_EXCEPTION 17)"
                    % name[:20])


def t_create_bad_replication():
    name = "t20-rf-" + SUFFIX
    f = admin.create_topics([NewTopic(name, 1, 5)], request_timeout=30)[name]
    it.check_eq(admin_error(f), KafkaError.INVALID_REPLICATION_FACTOR,
                "create_topics replication_factor=5 on a small cluster")


def t_create_partitions():
    f = admin.create_partitions([NewPartitions(T_ADMIN, 5)],
                                request_timeout=30)[T_ADMIN]
    it.check_eq(admin_error(f), None, "create_partitions %s -> 5" % T_ADMIN)
    it.wait_topic(BOOT, T_ADMIN, 5, admin=admin)
    f = admin.create_partitions([NewPartitions(T_ADMIN, 2)],
                                request_timeout=30)[T_ADMIN]
    it.check_eq(admin_error(f), KafkaError.INVALID_PARTITIONS,
                "create_partitions to fewer partitions")
    name = "t20-nosuch-" + SUFFIX
    f = admin.create_partitions([NewPartitions(name, 4)], request_timeout=30)[name]
    it.check_eq(admin_error(f), KafkaError.UNKNOWN_TOPIC_OR_PART,
                "create_partitions on an unknown topic")


def t_describe_configs():
    res = ConfigResource("topic", T_MAIN)
    cfg = admin.describe_configs([res], request_timeout=30)[res].result(timeout=30)
    it.check("cleanup.policy" in cfg, "topic config has no cleanup.policy: %s"
             % sorted(cfg)[:20])
    it.check_eq(cfg["cleanup.policy"].value, "delete", "cleanup.policy")
    it.check("retention.ms" in cfg, "topic config has no retention.ms")
    it.say("topic %s: %d config entries" % (T_MAIN, len(cfg)))
    res = ConfigResource("broker", str(BROKER_ID))
    cfg = admin.describe_configs([res], request_timeout=30)[res].result(timeout=30)
    it.check("log.segment.bytes" in cfg, "broker config has no log.segment.bytes: %s"
             % sorted(cfg)[:20])
    it.say("broker %d: %d config entries" % (BROKER_ID, len(cfg)))
    res = ConfigResource("topic", "t20-nosuch-" + SUFFIX)
    err = admin_error(admin.describe_configs([res], request_timeout=30)[res])
    it.check_eq(err, KafkaError.UNKNOWN_TOPIC_OR_PART,
                "describe_configs of an unknown topic")


def t_delete_topics():
    f = admin.create_topics([NewTopic(T_DEL, 2, 1)], request_timeout=30)[T_DEL]
    it.check_eq(admin_error(f), None, "create %s" % T_DEL)
    it.wait_topic(BOOT, T_DEL, 2, admin=admin)
    f = admin.delete_topics([T_DEL], operation_timeout=20, request_timeout=30)[T_DEL]
    it.check_eq(admin_error(f), None, "delete_topics %s" % T_DEL)
    deadline = time.time() + 30
    while T_DEL in admin.list_topics(timeout=10).topics:
        it.check(time.time() < deadline, "%s still in metadata 30s after delete"
                 % T_DEL)
        time.sleep(0.25)
    name = "t20-nosuch-" + SUFFIX
    f = admin.delete_topics([name], request_timeout=30)[name]
    it.check_eq(admin_error(f), KafkaError.UNKNOWN_TOPIC_OR_PART,
                "delete_topics of an unknown topic")


# ---------------------------------------------------------------- produce

def produce(acks, base):
    p = Producer({"bootstrap.servers": BOOT, "acks": acks, "linger.ms": 5,
                  "enable.idempotence": False, "logger": LOG})
    reports = []

    def dr(err, msg):
        reports.append((err, msg))

    for i in range(base, base + PER_ACKS):
        part = i % NPART
        p.produce(T_MAIN, key=b"key-%d" % (i % 37), value=b"value-%07d-%s" % (i, acks.encode()),
                  partition=part, headers=[("seq", b"%d" % i), ("acks", acks.encode())],
                  timestamp=TS0 + 10 * i, on_delivery=dr)
        p.poll(0)
    left = p.flush(60)
    it.check_eq(left, 0, "messages not delivered after flush(60) with acks=%s" % acks)
    it.check_eq(len(reports), PER_ACKS, "delivery reports with acks=%s" % acks)
    errs = [(e, m.partition()) for e, m in reports if e is not None]
    it.check(not errs, "acks=%s: %d delivery errors, first %s" % (acks, len(errs), errs[:3]))
    by_part = {q: [] for q in range(NPART)}
    for _, m in reports:
        i = int(m.value()[6:13])
        by_part[m.partition()].append((m.offset(), m.key(), m.value(),
                                       [("seq", b"%d" % i), ("acks", acks.encode())],
                                       TS0 + 10 * i))
    for q, lst in by_part.items():
        offs = [o for o, *_ in lst]
        start = produced[q][-1][0] + 1 if produced[q] else 0
        it.check_eq(offs, list(range(start, start + len(lst))),
                    "acks=%s partition %d delivery-report offsets" % (acks, q))
        produced[q].extend(lst)


def t_produce_acks1():
    produce("1", 0)


def t_produce_acksall():
    produce("all", PER_ACKS)


# ---------------------------------------------------------------- consume

def t_watermarks():
    c = consumer()
    try:
        for q in range(NPART):
            lo, hi = c.get_watermark_offsets(TopicPartition(T_MAIN, q), timeout=10,
                                             cached=False)
            it.check_eq((lo, hi), (0, len(produced[q])), "watermarks of partition %d" % q)
    finally:
        c.close()


def t_consume_all():
    for q in range(NPART):
        msgs = it.consume_range(BOOT, T_MAIN, q, 0, len(produced[q]), extra={"logger": LOG})
        it.check_eq(len(msgs), len(produced[q]), "messages read from partition %d" % q)
        for m, (o, k, v, h, ts) in zip(msgs, produced[q]):
            got = (m.offset(), m.key(), m.value(), m.headers(), m.timestamp())
            want = (o, k, v, h, (TIMESTAMP_CREATE_TIME, ts))
            it.check_eq(got, want, "partition %d offset %d" % (q, o))


def t_assign_at_offset():
    c = consumer()
    try:
        c.assign([TopicPartition(T_MAIN, 1, 700)])
        m = poll_one(c)
        it.check_eq((m.partition(), m.offset(), m.value()),
                    (1, 700, produced[1][700][2]), "first message after assign at 700")
    finally:
        c.close()


def t_seek():
    c = consumer()
    try:
        tp = TopicPartition(T_MAIN, 2, 0)
        c.assign([tp])
        m = poll_one(c)
        it.check_eq(m.offset(), 0, "first offset")
        for target in (900, 10, len(produced[2]) - 1):
            c.seek(TopicPartition(T_MAIN, 2, target))
            m = poll_one(c)
            it.check_eq((m.offset(), m.value()), (target, produced[2][target][2]),
                        "message after seek(%d)" % target)
    finally:
        c.close()


def t_offsets_for_times():
    c = consumer()
    try:
        for q in range(NPART):
            lst = produced[q]
            queries = [(lst[0][4] - 100000, 0),          # before everything
                       (lst[250][4], 250),               # exact timestamp
                       (lst[600][4] - 1, 600),           # between two
                       (lst[-1][4], len(lst) - 1),       # the last one
                       (lst[-1][4] + 1, -1)]             # after everything
            # one partition per request: Kafka rejects a ListOffsets naming
            # the same partition twice
            for ts, want in queries:
                r = c.offsets_for_times([TopicPartition(T_MAIN, q, ts)], timeout=15)[0]
                it.check(r.error is None, "offsets_for_times p%d ts %d: %s" % (q, ts, r.error))
                it.check_eq(r.offset, want, "offsets_for_times partition %d ts %d" % (q, ts))
    finally:
        c.close()


def t_large_message():
    big = os.urandom(700 * 1024)
    p = Producer({"bootstrap.servers": BOOT, "acks": "all", "logger": LOG,
                  "compression.type": "none"})
    reports = []
    p.produce(T_BIG, key=b"big", value=big, partition=0,
              on_delivery=lambda e, m: reports.append((e, m)))
    it.check_eq(p.flush(60), 0, "large message not delivered")
    it.check(reports and reports[0][0] is None, "large message delivery: %s"
             % (reports[0][0] if reports else "no report"))
    off = reports[0][1].offset()
    msgs = it.consume_range(BOOT, T_BIG, 0, off, off + 1, extra={"logger": LOG})
    it.check(msgs and msgs[0].value() == big, "700 KiB message did not round-trip")


def main():
    checks = it.Checks()
    checks.run("list_topics", t_list_topics)
    checks.run("create_topics", t_create_topics)
    if checks.failed:
        it.say("cannot go on without topics")
        checks.finish()
    checks.run("create duplicate -> TOPIC_ALREADY_EXISTS", t_create_duplicate)
    checks.run("create invalid names -> INVALID_TOPIC_EXCEPTION", t_create_invalid_names)
    checks.run("create rf>brokers -> INVALID_REPLICATION_FACTOR", t_create_bad_replication)
    checks.run("create_partitions", t_create_partitions)
    checks.run("describe_configs", t_describe_configs)
    checks.run("delete_topics", t_delete_topics)
    checks.run("produce acks=1", t_produce_acks1)
    checks.run("produce acks=all", t_produce_acksall)
    checks.run("get_watermark_offsets", t_watermarks)
    checks.run("consume everything by assign()", t_consume_all)
    checks.run("assign at an offset", t_assign_at_offset)
    checks.run("seek", t_seek)
    checks.run("offsets_for_times", t_offsets_for_times)
    checks.run("700 KiB message", t_large_message)
    checks.finish()


main()
