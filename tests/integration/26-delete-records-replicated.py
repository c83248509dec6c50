#!/usr/bin/python3
"""26-delete-records-replicated helper (raw DeleteRecords v1 via kwire).

  prepare BOOTSTRAP TOPIC N             create TOPIC (1 partition, replicas
                                        [1, 2, 3]), produce N messages with
                                        acks=all; the leader must be 1
  delete BOOTSTRAP TOPIC OFFSET         DeleteRecords to the leader: NONE and
                                        low_watermark OFFSET (every replica
                                        has moved its log start)
  stopped BOOTSTRAP TOPIC PID OLD NEW   follower PID SIGSTOPped: a
                                        DeleteRecords to OLD with a short
                                        timeout is REQUEST_TIMED_OUT; one to
                                        NEW with a long timeout is not
                                        answered while it is stopped, and
                                        is answered NONE once it is resumed
  dead BOOTSTRAP TOPIC PID ID OFFSET    broker ID (PID) SIGSTOPped until its
                                        session expires: a DeleteRecords to
                                        OFFSET answers NONE while it is still
                                        stopped (a follower whose broker is
                                        gone no longer counts); then resumed
                                        until it is registered again
  check BOOTSTRAP TOPIC OLD_LEADER MIN  a new leader; its log start, and the
                                        first offset a consumer from the
                                        beginning reads, are >= MIN
  compact BOOTSTRAP TOPIC               DeleteRecords on a compact topic is
                                        POLICY_VIOLATION, on compact,delete
                                        it works
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import kwire as kw  # noqa: E402
import samsa_it as it  # noqa: E402

API_DELETE_RECORDS = 21
KERR_NONE, KERR_REQUEST_TIMED_OUT = 0, 7


def leader_addr(bootstrap, topic):
    md = kw.metadata_of(bootstrap.split(",")[0])
    t = md["topics"].get(topic)
    it.check(t is not None, "topic %s not in the metadata" % topic)
    leader = t["partitions"][0]["leader"]
    it.check(leader >= 0, "no leader for %s-0" % topic)
    return leader, md["brokers"][leader]


def delete_send(addr, topic, offset, timeout_ms, corr=21):
    """-> the connection the DeleteRecords v1 request went out on."""
    body = (kw.i32(1) + kw.string(topic) + kw.i32(1) + kw.i32(0) +
            kw.i64(offset) + kw.i32(timeout_ms))
    host, port = addr.rsplit(":", 1)
    c = kw.Conn(host, port, timeout=10)
    c.send(kw.request(API_DELETE_RECORDS, 1, corr, body))
    return c


def delete_recv(c, timeout, corr=21):
    """-> (error_code, low_watermark) of the one partition."""
    got, body = c.recv_frame(timeout=timeout)
    it.check_eq(got, corr, "correlation id")
    r = kw.Reader(body)
    r.i32()                                 # throttle_time_ms
    it.check_eq(r.i32(), 1, "topics in the answer")
    r.string()
    it.check_eq(r.i32(), 1, "partitions in the answer")
    r.i32()                                 # partition_index
    lw, err = r.i64(), r.i16()
    return err, lw


def delete(addr, topic, offset, timeout_ms):
    c = delete_send(addr, topic, offset, timeout_ms)
    try:
        return delete_recv(c, timeout_ms / 1000.0 + 30)
    finally:
        c.close()


def cmd_prepare(bootstrap, topic, n):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(
        topic, num_partitions=1, replication_factor=-1,
        replica_assignment=[[1, 2, 3]])], request_timeout=30)
    for f in fs.values():
        f.result()
    leaders = it.wait_topic(bootstrap, topic, 1, admin=admin)
    it.check_eq(leaders[0], 1, "leader of %s" % topic)
    acked = []
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                  "enable.idempotence": False, "linger.ms": 5,
                  "message.timeout.ms": 30000})
    for i in range(n):
        p.produce(topic, b"m-%d" % i, partition=0,
                  on_delivery=lambda err, msg: acked.append(err))
        p.poll(0)
    p.flush(60)
    it.check(len(acked) == n and not any(acked),
             "acks=all: %d of %d acked, errors %r"
             % (acked.count(None), n, [e for e in acked if e]))
    # acks=all put every message on the whole ISR; wait until it is all
    # three, so each follower has the data the deletes below need
    deadline = time.time() + 60
    while True:
        md = kw.metadata_of(bootstrap.split(",")[0])
        isr = md["topics"][topic]["partitions"][0]["isr"]
        if sorted(isr) == [1, 2, 3]:
            break
        it.check(time.time() < deadline, "ISR %r, wanted [1, 2, 3]" % isr)
        time.sleep(0.2)
    lo, hi = it.watermarks(bootstrap, topic, 0)
    it.check_eq((lo, hi), (0, n), "watermarks")
    return 0


def cmd_delete(bootstrap, topic, offset):
    _, addr = leader_addr(bootstrap, topic)
    err, lw = delete(addr, topic, offset, 30000)
    it.check_eq(err, KERR_NONE, "DeleteRecords error")
    # the low watermark is the least log start of the replicas: exactly the
    # requested offset once every follower has taken it
    it.check_eq(lw, offset, "low watermark")
    return 0


def cmd_compact(bootstrap, topic):
    """A compact-only topic refuses DeleteRecords (POLICY_VIOLATION, 44);
    compact,delete accepts it."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for name, policy in ((topic, "compact"), (topic + "-cd", "compact,delete")):
        fs = admin.create_topics([NewTopic(
            name, num_partitions=1, replication_factor=1,
            config={"cleanup.policy": policy})], request_timeout=30)
        for f in fs.values():
            f.result()
        it.wait_topic(bootstrap, name, 1, admin=admin)
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
        for i in range(5):
            p.produce(name, b"v", key=b"k-%d" % i, partition=0)
        p.flush(30)
        _, addr = leader_addr(bootstrap, name)
        err, _ = delete(addr, name, 2, 10000)
        it.check_eq(err, 44 if policy == "compact" else KERR_NONE,
                    "DeleteRecords on a %s topic" % policy)
    return 0


def cmd_stopped(bootstrap, topic, pid, old, new):
    _, addr = leader_addr(bootstrap, topic)
    os.kill(pid, signal.SIGSTOP)
    try:
        # the leader moves at once; the stopped follower never reports it
        err, lw = delete(addr, topic, old, 2000)
        it.check_eq(err, KERR_REQUEST_TIMED_OUT,
                    "DeleteRecords to %d with a follower stopped" % old)
        it.say("DeleteRecords to %d timed out, low watermark %d" % (old, lw))
        it.check(lw < old, "low watermark %d reached %d" % (lw, old))
        lo, _ = it.watermarks(bootstrap, topic, 0)
        it.check_eq(lo, old, "the leader's log start after the time-out")
        # no answer while the follower is stopped (it is still registered:
        # its session timeout is longer than this), one once it runs
        c = delete_send(addr, topic, new, 120000)
        try:
            got = c.wait_closed(timeout=3.0)
            it.check_eq(got, "open", "DeleteRecords to %d while a follower "
                        "is stopped" % new)
            it.say("no answer while broker pid %d is stopped; resuming it"
                   % pid)
            os.kill(pid, signal.SIGCONT)
            err, lw = delete_recv(c, 150)
        finally:
            c.close()
    finally:
        os.kill(pid, signal.SIGCONT)
    it.check_eq(err, KERR_NONE, "DeleteRecords to %d after the resume" % new)
    it.check_eq(lw, new, "low watermark after the resume")
    return 0


def registered(bootstrap, broker_id):
    return broker_id in kw.metadata_of(bootstrap.split(",")[0])["brokers"]


def cmd_dead(bootstrap, topic, pid, broker_id, offset):
    _, addr = leader_addr(bootstrap, topic)
    os.kill(pid, signal.SIGSTOP)
    try:
        err, lw = delete(addr, topic, offset, 90000)
        it.check(not registered(bootstrap, broker_id),
                 "answered while broker %d is still registered" % broker_id)
    finally:
        os.kill(pid, signal.SIGCONT)
    it.check_eq(err, KERR_NONE, "DeleteRecords to %d with broker %d gone"
                % (offset, broker_id))
    it.check_eq(lw, offset, "low watermark without broker %d" % broker_id)
    it.say("answered without broker %d; waiting for it to register again"
           % broker_id)
    deadline = time.time() + 60
    while not registered(bootstrap, broker_id):
        it.check(time.time() < deadline, "broker %d did not register again "
                 "after its session expired" % broker_id)
        time.sleep(0.5)
    return 0


def cmd_check(bootstrap, topic, old_leader, least):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    deadline = time.time() + 60
    leader = None
    while time.time() < deadline:
        parts = it.topic_partitions(bootstrap, topic)
        if parts and parts.get(0, -1) not in (-1, old_leader):
            leader = parts[0]
            break
        time.sleep(0.5)
    it.check(leader is not None, "no new leader after killing broker %d"
             % old_leader)
    it.say("new leader is broker %d" % leader)
    lo, hi = it.watermarks(bootstrap, topic, 0)
    it.check(lo >= least, "log start %d on the new leader, below %d: "
             "deleted records came back" % (lo, least))
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "t26",
                  "enable.auto.commit": False,
                  "enable.partition.eof": False})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        m = None
        while time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            it.check(not m.error(), "consume: %s" % (m.error(),))
            break
        it.check(m is not None and not m.error(), "nothing consumed")
        it.check(m.offset() >= least, "a consumer from the beginning starts "
                 "at %d, below %d" % (m.offset(), least))
        it.check_eq(m.offset(), lo, "first offset read")
    finally:
        c.close()
    it.say("new leader %d: log start %d, first offset read %d"
           % (leader, lo, m.offset()))
    return 0


def main(argv):
    it.require("confluent_kafka", "python3-confluent-kafka")
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "prepare" and len(argv) == 5:
        return cmd_prepare(argv[2], argv[3], int(argv[4]))
    if cmd == "compact" and len(argv) == 4:
        return cmd_compact(argv[2], argv[3])
    if cmd == "delete" and len(argv) == 5:
        return cmd_delete(argv[2], argv[3], int(argv[4]))
    if cmd == "stopped" and len(argv) == 7:
        return cmd_stopped(argv[2], argv[3], int(argv[4]), int(argv[5]),
                           int(argv[6]))
    if cmd == "dead" and len(argv) == 7:
        return cmd_dead(argv[2], argv[3], int(argv[4]), int(argv[5]),
                        int(argv[6]))
    if cmd == "check" and len(argv) == 6:
        return cmd_check(argv[2], argv[3], int(argv[4]), int(argv[5]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
