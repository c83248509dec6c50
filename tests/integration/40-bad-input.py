#!/usr/bin/python3
"""40-bad-input: malformed and hostile input on raw sockets.

usage: 40-bad-input.py BOOTSTRAP

Each case uses its own connection; after each, a fresh connection must get
an ApiVersions answer (the broker is alive and its loop not wedged).  All
the while a confluent_kafka producer (acks=all) and an assigned consumer run
in the background on their own topic; at the end every message must be
delivered without error and read back in order.

Expected answers follow Kafka 2.8: a frame larger than
socket.request.max.bytes, a negative size, an unparsable request header, an
unknown API key, an unsupported version of anything but ApiVersions, or a
body that does not parse -> the connection is closed without an answer.
ApiVersions at an unsupported version -> error 35 UNSUPPORTED_VERSION, a v0
body whose array holds at least ApiVersions' own range (KIP-511), and the
connection stays usable.  A record batch with a wrong CRC -> partition
error 2 CORRUPT_MESSAGE.
"""
import os
import random
import socket
import struct
import sys
import threading
import time

import kwire as kw
import samsa_it as it

ck = it.require("confluent_kafka", "python3-confluent-kafka")
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402

BOOT = sys.argv[1]
SUFFIX = "%d" % os.getpid()
T_LIVE = "t40-live-" + SUFFIX
T_RAW = "t40-raw-" + SUFFIX
LOG = it.quiet_logger()
MAX_REQUEST = 104857600         # socket.request.max.bytes default


# ---------------------------------------------------------------- helpers

def conn():
    return kw.Conn.to(BOOT)


def alive(what):
    c = conn()
    try:
        c.send(kw.api_versions_request(4242, version=0))
        corr, body = c.recv_frame(timeout=10)
        it.check_eq(corr, 4242, "correlation id of ApiVersions v0 after %s" % what)
        err, keys, _ = kw.parse_api_versions(body, 0)
        it.check_eq(err, 0, "ApiVersions v0 error after %s" % what)
    except (OSError, EOFError, ValueError) as e:
        it.fail("broker not answering ApiVersions after %s: %s" % (what, e))
    finally:
        c.close()


def expect_closed(data, what, shut_wr=False, timeout=10.0):
    c = conn()
    try:
        try:
            c.send(data)
            if shut_wr:
                c.s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            st = "closed"
        else:
            st = c.wait_closed(timeout)
        if st != "closed":
            it.fail("%s: want the connection closed without an answer, got %s "
                    "within %.0fs" % (what, {"open": "nothing (still open)",
                                             "data": "an answer"}[st], timeout))
    finally:
        c.close()
    alive(what)


# ---------------------------------------------------------------- background load

class Load:
    def __init__(self):
        self.stop = threading.Event()
        self.sent = []
        self.errors = []
        self.acked = []
        self.read = []
        self.read_errors = []

    def produce(self):
        p = Producer({"bootstrap.servers": BOOT, "acks": "all", "linger.ms": 0,
                      "message.timeout.ms": 30000, "logger": LOG})

        def dr(err, msg):
            (self.errors if err else self.acked).append((err, msg.value()))

        i = 0
        while not self.stop.is_set():
            v = b"live-%06d" % i
            p.produce(T_LIVE, value=v, partition=0, on_delivery=dr)
            self.sent.append(v)
            p.poll(0.02)
            i += 1
        left = p.flush(40)
        if left:
            self.errors.append(("%d undelivered after flush" % left, None))

    def consume(self):
        c = Consumer({"bootstrap.servers": BOOT, "group.id": "g40-" + SUFFIX,
                      "enable.auto.commit": False, "auto.offset.reset": "error",
                      "logger": LOG})
        c.assign([TopicPartition(T_LIVE, 0, 0)])
        deadline = None
        while True:
            m = c.poll(0.2)
            if m is not None:
                if m.error():
                    self.read_errors.append(str(m.error()))
                else:
                    self.read.append(m.value())
            if self.stop.is_set():
                if deadline is None:
                    deadline = time.time() + 45
                if len(self.read) >= len(self.sent) or time.time() > deadline:
                    break
        c.close()

    def start(self):
        self.t0 = time.time()
        self.tp = threading.Thread(target=self.produce, daemon=True)
        self.tc = threading.Thread(target=self.consume, daemon=True)
        self.tp.start()
        self.tc.start()

    def finish(self):
        # let the load overlap the cases and run a while on its own too
        time.sleep(max(0.0, self.t0 + 5 - time.time()))
        self.stop.set()
        self.tp.join(60)
        self.tc.join(60)
        it.say("background: %d sent, %d acked, %d failed, %d read, %d consumer errors"
               % (len(self.sent), len(self.acked), len(self.errors), len(self.read),
                  len(self.read_errors)))
        it.check(not self.tp.is_alive() and not self.tc.is_alive(),
                 "background threads did not finish")
        it.check(len(self.sent) > 50, "background producer barely ran")
        it.check(not self.errors, "background delivery errors: %s" % self.errors[:3])
        it.check_eq(len(self.acked), len(self.sent), "background messages acked")
        it.check(not self.read_errors, "background consumer errors: %s"
                 % self.read_errors[:3])
        it.check_eq(self.read, [v for _, v in self.acked],
                    "background consumer read exactly the acked messages in order")


# ---------------------------------------------------------------- cases

def t_baseline():
    alive("nothing")


def t_api_versions_ok():
    c = conn()
    try:
        for v in (0, 1, 2, 3):
            c.send(kw.api_versions_request(100 + v, version=v))
            corr, body = c.recv_frame()
            it.check_eq(corr, 100 + v, "ApiVersions v%d correlation id" % v)
            err, keys, left = kw.parse_api_versions(body, v)
            it.check_eq(err, 0, "ApiVersions v%d error" % v)
            it.check_eq(left, 0, "ApiVersions v%d trailing bytes" % v)
            it.check_eq(keys.get(18), (0, 3), "ApiVersions v%d: ApiVersions range" % v)
            it.check_eq(keys.get(0), (3, 9), "ApiVersions v%d: Produce range" % v)
            it.check_eq(keys.get(1), (4, 12), "ApiVersions v%d: Fetch range" % v)
            it.check_eq(keys.get(3), (0, 11), "ApiVersions v%d: Metadata range" % v)
    finally:
        c.close()


def t_api_versions_v99():
    c = conn()
    try:
        body = kw.compact_string("samsa-it") + kw.compact_string("1.0") + kw.uvarint(0)
        c.send(kw.request(18, 99, 7, body, flexible=True))
        try:
            corr, body = c.recv_frame()
        except (EOFError, OSError) as e:
            it.fail("ApiVersions v99: no answer (%s); want UNSUPPORTED_VERSION" % e)
        it.check_eq(corr, 7, "ApiVersions v99 correlation id")
        err, keys, _ = kw.parse_api_versions(body, 0)
        it.check_eq(err, 35, "ApiVersions v99 error code (UNSUPPORTED_VERSION)")
        it.check_eq(keys.get(18), (0, 3), "ApiVersions v99 answer's ApiVersions range")
        # the connection stays usable: the client retries at v3 (KIP-511)
        c.send(kw.api_versions_request(8, version=3))
        corr, body = c.recv_frame()
        it.check_eq(corr, 8, "ApiVersions v3 after v99: correlation id")
        err, keys, _ = kw.parse_api_versions(body, 3)
        it.check_eq(err, 0, "ApiVersions v3 after v99: error")
    finally:
        c.close()


def t_pipelined():
    c = conn()
    try:
        frames = b""
        for i in range(200):
            if i % 2:
                frames += kw.metadata_request(1000 + i, topics=None, version=1)
            else:
                frames += kw.api_versions_request(1000 + i, version=i % 4)
        c.send(frames)
        for i in range(200):
            corr, _ = c.recv_frame()
            it.check_eq(corr, 1000 + i, "pipelined response %d correlation id" % i)
    finally:
        c.close()


def t_huge_frame():
    expect_closed(struct.pack(">I", 0x7FFFFFFF) + b"\0" * 64, "frame size 0x7fffffff")


def t_over_max_frame():
    expect_closed(struct.pack(">i", MAX_REQUEST + 1) + b"\0" * 64,
                  "frame size socket.request.max.bytes+1")


def t_negative_frame():
    expect_closed(struct.pack(">i", -1) + b"\0" * 64, "frame size -1")


def t_unknown_api_key():
    expect_closed(kw.request(9999, 0, 1, b""), "API key 9999")


def t_unsupported_version():
    expect_closed(kw.request(3, 99, 1, kw.i32(-1)), "Metadata v99")


def t_truncated_frames():
    expect_closed(struct.pack(">i", 100) + b"\0\x12\0\0" + b"x" * 6,
                  "100-byte frame cut after 10 bytes, then EOF", shut_wr=True)
    expect_closed(struct.pack(">i", 3) + b"\0\x12\0", "3-byte frame (shorter than a header)")
    hdr = kw.i16(18) + kw.i16(0) + kw.i32(5) + kw.i16(50) + b"abcde"
    expect_closed(struct.pack(">i", len(hdr)) + hdr, "client_id longer than the frame")
    body = kw.i32(0x7FFFFFFF)
    expect_closed(kw.request(3, 1, 9, body), "Metadata v1 with 2^31-1 topics in 4 bytes")
    expect_closed(kw.request(3, 1, 9, kw.i32(5)), "Metadata v1 with 5 topics and no bytes")
    body = kw.string(None) + kw.i16(-1) + kw.i32(1000) + kw.i32(1) + kw.string(T_RAW)
    expect_closed(kw.request(0, 3, 9, body), "Produce v3 cut inside the topic array")


def t_random_bytes():
    rnd = random.Random(40)
    for n in range(20):
        data = bytes(rnd.getrandbits(8) for _ in range(4096))
        size = struct.unpack(">i", data[:4])[0]
        c = conn()
        try:
            c.send(data)
            if size < 0 or size > MAX_REQUEST:
                st = c.wait_closed(10)
                it.check_eq(st, "closed", "random bytes #%d (size field %d)" % (n, size))
            elif size <= len(data) - 4:
                st = c.wait_closed(10)
                it.check(st in ("closed", "data"), "random frame #%d: neither closed nor "
                         "answered in 10s" % n)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            c.close()
        # framed random bodies: a valid size, garbage after it
        body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 600)))
        c = conn()
        try:
            c.send(struct.pack(">i", len(body)) + body)
            st = c.wait_closed(10)
            it.check(st in ("closed", "data"), "framed random body #%d (%d bytes): "
                     "neither closed nor answered in 10s" % (n, len(body)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            c.close()
    alive("random bytes")


def produce_raw(c, corr, records_bytes, partition=0):
    c.send(kw.produce_request(corr, T_RAW, partition, records_bytes))
    got, body = c.recv_frame(timeout=20)
    it.check_eq(got, corr, "Produce v3 correlation id")
    res = kw.parse_produce_v3(body)
    it.check_eq(len(res), 1, "Produce v3 partition results")
    return res[0]


def t_produce_crc():
    c = conn()
    try:
        good = kw.record_batch([(b"k", b"good-1", [("h", b"v")])])
        t, p, err, base = produce_raw(c, 1, good)
        it.check_eq((t, p, err), (T_RAW, 0, 0), "Produce v3 of a valid batch")
        bad = kw.record_batch([(b"k", b"bad-crc", [])], bad_crc=True)
        t, p, err, base2 = produce_raw(c, 2, bad)
        it.check_eq(err, 2, "Produce v3 with a wrong CRC: error (CORRUPT_MESSAGE)")
        good2 = kw.record_batch([(b"k", b"good-2", [])])
        t, p, err, base3 = produce_raw(c, 3, good2)
        it.check_eq(err, 0, "Produce v3 of a valid batch after the bad one")
        it.check_eq(base3, base + 1, "offset after a rejected batch (nothing appended)")
        cut = kw.record_batch([(b"k", b"cut-short", [])])[:-5]
        t, p, err, _ = produce_raw(c, 4, cut)
        it.check(err in (2, 87), "Produce v3 with a truncated batch: error %d, want "
                 "2 CORRUPT_MESSAGE or 87 INVALID_RECORD" % err)
        lying = kw.record_batch([(b"k", b"count-lies", [])], count=3)
        t, p, err, _ = produce_raw(c, 5, lying)
        it.check(err in (2, 87), "Produce v3 with record count 3 for 1 record: error %d, "
                 "want 2 or 87" % err)
        t, p, err, base6 = produce_raw(c, 6, kw.record_batch([(b"k", b"good-3", [])]))
        it.check_eq((err, base6), (0, base + 2), "valid batch after the rejected ones")
    finally:
        c.close()
    msgs = it.consume_range(BOOT, T_RAW, 0, base, base + 3, extra={"logger": LOG})
    it.check_eq([m.value() for m in msgs], [b"good-1", b"good-2", b"good-3"],
                "values stored by raw Produce v3")
    it.check_eq(msgs[0].headers(), [("h", b"v")], "header stored by raw Produce v3")


def main():
    it.create_topics(BOOT, {T_LIVE: 1, T_RAW: 1})
    load = Load()
    load.start()
    checks = it.Checks()
    checks.run("baseline ApiVersions", t_baseline)
    checks.run("ApiVersions v0-v3 ranges", t_api_versions_ok)
    checks.run("ApiVersions v99 -> UNSUPPORTED_VERSION (KIP-511)", t_api_versions_v99)
    checks.run("200 pipelined requests answered in order", t_pipelined)
    checks.run("frame size 0x7fffffff -> closed", t_huge_frame)
    checks.run("frame size max+1 -> closed", t_over_max_frame)
    checks.run("negative frame size -> closed", t_negative_frame)
    checks.run("unknown API key 9999 -> closed", t_unknown_api_key)
    checks.run("Metadata v99 -> closed", t_unsupported_version)
    checks.run("truncated frames -> closed", t_truncated_frames)
    checks.run("random bytes", t_random_bytes)
    checks.run("Produce v3 CRC / truncated / lying batches", t_produce_crc)
    checks.run("background producer/consumer unaffected", load.finish)
    checks.finish()


main()
