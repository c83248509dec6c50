#!/usr/bin/python3
"""30-kafka-python: kafka-python 2.0.2 against samsa.

usage: 30-kafka-python.py BOOTSTRAP

kafka-python infers the "broker version" from ApiVersions (api_version=None)
and must land on a 2.x protocol set; KafkaAdminClient create/delete topics
(and the duplicate error); KafkaProducer acks=1 / acks=all, gzip and none,
keys, headers, explicit timestamps; KafkaConsumer without a group:
assign() + seek(), seek_to_beginning/end, beginning_offsets, end_offsets,
offsets_for_times.
"""
import logging
import os
import sys
import time

import samsa_it as it

it.require("kafka", "python3-kafka")
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError  # noqa: E402

logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                    format="%(asctime)s kafka-python %(levelname)s %(name)s %(message)s")

BOOT = sys.argv[1].split(",")
SUFFIX = "%d" % os.getpid()
T_MAIN = "t30-main-" + SUFFIX
T_DEL = "t30-del-" + SUFFIX
NPART = 2
N = 1000
TS0 = int(time.time() * 1000) - 600000
sent = {p: [] for p in range(NPART)}   # p -> [(offset, key, value, headers, ts)]
state = {}


def t_admin_version():
    a = KafkaAdminClient(bootstrap_servers=BOOT, api_version=None,
                         request_timeout_ms=30000, client_id="samsa-it-30")
    state["admin"] = a
    v = a.config["api_version"]
    it.say("kafka-python inferred broker version %s" % (v,))
    # Kafka 2.8's table makes it infer (2, 5, 0) (DescribeAcls v2); without
    # the ACL APIs, (2, 4, 0).  Below (0, 11) it would send magic 0/1
    # message sets, which samsa does not store.
    it.check(v >= (2, 0, 0), "kafka-python inferred broker version %s from "
             "ApiVersions; want >= (2, 0, 0) for a 2.8 table" % (v,))


def t_create_topics():
    a = state["admin"]
    r = a.create_topics([NewTopic(T_MAIN, NPART, 1), NewTopic(T_DEL, 1, 1)],
                        timeout_ms=20000)
    errs = [(t, e) for t, e, *_ in r.topic_errors if e != 0]
    it.check(not errs, "create_topics errors %s" % errs)
    it.check(T_MAIN in a.list_topics(), "%s not in list_topics()" % T_MAIN)
    it.wait_topic(",".join(BOOT), T_MAIN, NPART)
    it.wait_topic(",".join(BOOT), T_DEL, 1)


def t_create_duplicate():
    try:
        state["admin"].create_topics([NewTopic(T_MAIN, NPART, 1)], timeout_ms=20000)
    except TopicAlreadyExistsError:
        return
    it.fail("duplicate create_topics did not raise TopicAlreadyExistsError")


def t_delete_topics():
    a = state["admin"]
    r = a.delete_topics([T_DEL], timeout_ms=20000)
    errs = [(t, e) for t, e, *_ in r.topic_error_codes if e != 0]
    it.check(not errs, "delete_topics errors %s" % errs)
    deadline = time.time() + 30
    while T_DEL in a.list_topics():
        it.check(time.time() < deadline, "%s still listed 30s after delete" % T_DEL)
        time.sleep(0.25)
    try:
        a.delete_topics(["t30-nosuch-" + SUFFIX], timeout_ms=20000)
    except UnknownTopicOrPartitionError:
        return
    it.fail("delete of an unknown topic did not raise UnknownTopicOrPartitionError")


def produce(acks, compression, base):
    p = KafkaProducer(bootstrap_servers=BOOT, acks=acks, compression_type=compression,
                      linger_ms=5, api_version=None, retries=0)
    futs = []
    for i in range(base, base + N):
        part = i % NPART
        k = b"k%02d" % (i % 13)
        v = b"v%06d-%s-%s" % (i, str(acks).encode(), (compression or "none").encode())
        h = [("seq", b"%d" % i), ("comp", (compression or "none").encode())]
        ts = TS0 + 10 * i
        futs.append(((part, k, v, h, ts),
                     p.send(T_MAIN, key=k, value=v, headers=h, partition=part,
                            timestamp_ms=ts)))
    p.flush(60)
    for (part, k, v, h, ts), f in futs:
        md = f.get(timeout=60)
        it.check_eq(md.partition, part, "partition of %r" % v)
        sent[part].append((md.offset, k, v, h, ts))
    p.close(10)
    for q in range(NPART):
        offs = [o for o, *_ in sent[q]]
        it.check_eq(offs, list(range(len(offs))),
                    "acked offsets of partition %d after acks=%s %s" % (q, acks, compression))


def t_produce_acks1_gzip():
    produce(1, "gzip", 0)


def t_produce_acksall_none():
    produce("all", None, N)


def consumer():
    return KafkaConsumer(bootstrap_servers=BOOT, group_id=None,
                         enable_auto_commit=False, api_version=None,
                         auto_offset_reset="none", consumer_timeout_ms=15000)


def t_offsets():
    c = consumer()
    tps = [TopicPartition(T_MAIN, q) for q in range(NPART)]
    b = c.beginning_offsets(tps)
    e = c.end_offsets(tps)
    for q, tp in enumerate(tps):
        it.check_eq((b[tp], e[tp]), (0, len(sent[q])), "beginning/end offsets of %s" % (tp,))
    for q, tp in enumerate(tps):
        lst = sent[q]
        for ts, want in ((lst[0][4] - 5000, 0), (lst[123][4], 123),
                         (lst[456][4] - 1, 456)):
            r = c.offsets_for_times({tp: ts})[tp]
            it.check(r is not None, "offsets_for_times %s %d: None" % (tp, ts))
            it.check_eq(r.offset, want, "offsets_for_times %s ts %d" % (tp, ts))
        r = c.offsets_for_times({tp: lst[-1][4] + 1})[tp]
        it.check(r is None, "offsets_for_times after the last message: %r, want None" % (r,))
    c.close()


def read(c, count):
    out = []
    deadline = time.time() + 30
    while len(out) < count and time.time() < deadline:
        for recs in c.poll(timeout_ms=500, max_records=count - len(out)).values():
            out.extend(recs)
    return out


def t_consume_assign_seek():
    for q in range(NPART):
        c = consumer()
        tp = TopicPartition(T_MAIN, q)
        c.assign([tp])
        c.seek_to_beginning(tp)
        msgs = read(c, len(sent[q]))
        it.check_eq(len(msgs), len(sent[q]), "messages read from %s" % (tp,))
        for m, (o, k, v, h, ts) in zip(msgs, sent[q]):
            it.check_eq((m.offset, m.key, m.value, list(m.headers), m.timestamp,
                         m.timestamp_type),
                        (o, k, v, h, ts, 0), "%s offset %d" % (tp, o))
        for target in (777, 3, len(sent[q]) - 1):
            c.seek(tp, target)
            got = read(c, 1)
            it.check(got, "nothing after seek(%s, %d)" % (tp, target))
            it.check_eq((got[0].offset, got[0].value), (target, sent[q][target][2]),
                        "after seek(%s, %d)" % (tp, target))
        c.seek_to_end(tp)
        it.check_eq(c.position(tp), len(sent[q]), "position after seek_to_end")
        c.close()


def main():
    checks = it.Checks()
    checks.run("admin client / inferred version", t_admin_version)
    if checks.failed:
        checks.finish()
    checks.run("create_topics", t_create_topics)
    if checks.failed:
        checks.finish()
    checks.run("create duplicate -> TopicAlreadyExistsError", t_create_duplicate)
    checks.run("delete_topics", t_delete_topics)
    checks.run("produce acks=1 gzip", t_produce_acks1_gzip)
    checks.run("produce acks=all uncompressed", t_produce_acksall_none)
    checks.run("beginning/end_offsets, offsets_for_times", t_offsets)
    checks.run("assign + seek + read", t_consume_assign_seek)
    checks.finish()


main()
