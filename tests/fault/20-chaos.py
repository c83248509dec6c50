#!/usr/bin/python3
"""20-chaos helper (see 20-chaos.sh).

  create BOOTSTRAP TOPIC PARTITIONS
      CreateTopics: PARTITIONS partitions, replication factor 3,
      min.insync.replicas 2; wait until every partition has a leader.
  produce BOOTSTRAP TOPIC PARTITIONS ACKFILE STOPFILE
      confluent_kafka producer, acks=all, retries on, no idempotence,
      max.in.flight 1 (so retries cannot reorder).  Round-robin over the
      partitions; message n of partition p has key "p<p>" and value
      "<p>-<n>" and is sent to partition p.  Every delivery report is
      appended to ACKFILE: "A p n offset" (acknowledged) or "F p n error".
      Runs until STOPFILE exists, then flushes (bounded).
  leader ADDRS TOPIC PARTITION
      print the leader of TOPIC[PARTITION] from Metadata (asked of the first
      broker in ADDRS that answers).
  healthy ZK_CONNECT ADDRS TOPIC PARTITIONS [--timeout S]
      bounded wait until: every broker of ADDRS (id:host:port,...) is
      registered in ZooKeeper, every partition's state znode has a live
      leader and the full ISR, and Metadata asked of every broker alone
      agrees with ZooKeeper (brokers, controller, leader, replicas, ISR).
  verify BOOTSTRAP TOPIC PARTITIONS ACKFILE
      read every partition from offset 0 up to its high watermark and check
      (acks=all invariants):
        - every acknowledged message is in the log at its acked offset;
        - per partition, acked messages appear in sequence order;
        - offsets are contiguous from 0.
      Unacknowledged duplicates and extra messages (retries without
      idempotence) are counted and reported, not failed.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import kwire  # noqa: E402
import samsa_it as it  # noqa: E402


# ------------------------------------------------------------ metadata / ZK

def zk_client(connect):
    import logging
    import warnings
    warnings.filterwarnings("ignore")
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=connect, timeout=10)
    zk.start(timeout=15)
    return zk


def zk_view(zk, topic):
    ids = sorted(int(i) for i in zk.get_children("/brokers/ids"))
    try:
        controller = json.loads(zk.get("/controller")[0])["brokerid"]
    except Exception:
        controller = -1
    assign = json.loads(zk.get("/brokers/topics/" + topic)[0])["partitions"]
    parts = {}
    for p, replicas in assign.items():
        path = "/brokers/topics/%s/partitions/%s/state" % (topic, p)
        try:
            st = json.loads(zk.get(path)[0])
        except Exception:
            parts[int(p)] = None
            continue
        parts[int(p)] = {"leader": st["leader"], "isr": st["isr"],
                         "leader_epoch": st.get("leader_epoch"),
                         "replicas": replicas}
    return {"brokers": ids, "controller": controller, "parts": parts}


def parse_addrs(s):
    """"1:127.0.0.1:9092,2:..." -> {1: "127.0.0.1:9092", ...}"""
    out = {}
    for item in s.split(","):
        bid, addr = item.split(":", 1)
        out[int(bid)] = addr
    return out


def unhealthy(zv, want_ids, nparts, full_isr=True):
    """None when ZooKeeper shows a healthy cluster, else why not."""
    if zv["brokers"] != sorted(want_ids):
        return "registered brokers %s, want %s" % (zv["brokers"],
                                                   sorted(want_ids))
    if zv["controller"] not in want_ids:
        return "controller %s" % zv["controller"]
    if sorted(zv["parts"]) != list(range(nparts)):
        return "partitions %s" % sorted(zv["parts"])
    for p, st in sorted(zv["parts"].items()):
        if st is None:
            return "partition %d has no state znode" % p
        if st["leader"] not in want_ids:
            return "partition %d: leader %d" % (p, st["leader"])
        if full_isr and sorted(st["isr"]) != sorted(st["replicas"]):
            return "partition %d: ISR %s of replicas %s" % (p, st["isr"],
                                                            st["replicas"])
    return None


def disagreement(bid, addr, md, zv, topic, want_addrs):
    if sorted(md["brokers"]) != zv["brokers"]:
        return "broker %d: Metadata brokers %s, ZooKeeper %s" % (
            bid, sorted(md["brokers"]), zv["brokers"])
    for b, a in md["brokers"].items():
        if b in want_addrs and a != want_addrs[b]:
            return "broker %d: Metadata says broker %d is at %s, not %s" % (
                bid, b, a, want_addrs[b])
    if md["controller"] != zv["controller"]:
        return "broker %d: Metadata controller %d, ZooKeeper %d" % (
            bid, md["controller"], zv["controller"])
    mt = md["topics"].get(topic)
    if mt is None:
        return "broker %d: topic %s missing from Metadata" % (bid, topic)
    for p, st in zv["parts"].items():
        mp = mt["partitions"].get(p)
        if mp is None:
            return "broker %d: partition %d missing from Metadata" % (bid, p)
        if (mp["leader"] != st["leader"] or mp["replicas"] != st["replicas"]
                or sorted(mp["isr"]) != sorted(st["isr"])):
            return ("broker %d: partition %d Metadata leader %d replicas %s "
                    "isr %s; ZooKeeper state leader %d isr %s (epoch %s)" % (
                        bid, p, mp["leader"], mp["replicas"], mp["isr"],
                        st["leader"], st["isr"], st["leader_epoch"]))
    return None


def cmd_healthy(zkc, addrs, topic, nparts, timeout):
    want = parse_addrs(addrs)
    zk = zk_client(zkc)
    t0 = time.time()
    deadline = t0 + timeout
    why = None
    stage = "zk"
    try:
        while True:
            try:
                zv = zk_view(zk, topic)
                why = unhealthy(zv, want, nparts,
                                os.environ.get("SAMSA_CHAOS_FULL_ISR", "1")
                                != "0")
                stage = "zk"
                if why is None:
                    stage = "metadata"
                    for bid, a in sorted(want.items()):
                        why = disagreement(bid, a, kwire.metadata_of(a), zv, topic,
                                           want)
                        if why:
                            break
                    if why is None:
                        # ZooKeeper unchanged while we asked the brokers
                        if zk_view(zk, topic) != zv:
                            why = "ZooKeeper changed while checking"
            except Exception as e:
                why = "error: %r" % (e,)
            if why is None:
                it.say("healthy after %.1fs: brokers %s controller %d, "
                       "leaders %s; Metadata of every broker agrees"
                       % (time.time() - t0, zv["brokers"], zv["controller"],
                          {p: s["leader"] for p, s in
                           sorted(zv["parts"].items())}))
                return 0
            if time.time() >= deadline:
                print("not healthy after %.0fs (%s): %s"
                      % (timeout, stage, why))
                it.say("FAIL: not healthy after %.0fs (%s check): %s"
                       % (timeout, stage, why))
                try:
                    it.say("ZooKeeper view: %s" % json.dumps(zk_view(zk, topic),
                                                             sort_keys=True))
                except Exception:
                    pass
                return 1 if stage == "metadata" else 2
            time.sleep(0.3)
    finally:
        zk.stop()
        zk.close()


def cmd_leader(addrs, topic, part):
    last = None
    for a in parse_addrs(addrs).values():
        try:
            md = kwire.metadata_of(a, timeout=3)
            print(md["topics"][topic]["partitions"][part]["leader"])
            return 0
        except Exception as e:
            last = e
    it.fail("no broker answered Metadata: %r" % (last,))


# ------------------------------------------------------------ create/produce

def cmd_create(bootstrap, topic, nparts):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    fs = a.create_topics([NewTopic(topic, nparts, 3, config={
        "min.insync.replicas": "2"})], request_timeout=30)
    for f in fs.values():
        f.result()
    it.wait_topic(bootstrap, topic, nparts, admin=a)
    it.say("created %s: %d partitions, RF 3, min.insync.replicas 2"
           % (topic, nparts))
    return 0


def cmd_produce(bootstrap, topic, nparts, ackfile, stopfile):
    from confluent_kafka import Producer
    log = it.quiet_logger()
    log.setLevel(40)  # ERROR: connection refused to a killed broker is expected
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                  "enable.idempotence": False, "retries": 1000000,
                  "retry.backoff.ms": 100,
                  "max.in.flight.requests.per.connection": 1,
                  "linger.ms": 5, "request.timeout.ms": 10000,
                  "message.timeout.ms": 90000,
                  "topic.metadata.refresh.interval.ms": 2000,
                  "reconnect.backoff.max.ms": 500, "logger": log})
    out = open(ackfile, "a", buffering=1)
    counts = {"A": 0, "F": 0}

    def dr(err, msg):
        q, n = msg.value().split(b"-")
        if err is None:
            out.write("A %s %s %d\n" % (q.decode(), n.decode(), msg.offset()))
            counts["A"] += 1
        else:
            out.write("F %s %s %s\n" % (q.decode(), n.decode(),
                                       str(err.str()).replace("\n", " ")))
            counts["F"] += 1

    seq = [0] * nparts
    q = 0
    last_report = time.time()
    while not os.path.exists(stopfile):
        try:
            p.produce(topic, key=b"p%d" % q, value=b"%d-%d" % (q, seq[q]),
                      partition=q, on_delivery=dr)
            seq[q] += 1
            q = (q + 1) % nparts
        except BufferError:
            p.poll(0.1)
            continue
        # about 500 messages a second in all
        p.poll(0.002 if q else 0.004)
        if time.time() - last_report > 30:
            last_report = time.time()
            it.say("producer: %d produced, %d acked, %d failed, %d queued"
                   % (sum(seq), counts["A"], counts["F"], len(p)))
    left = p.flush(120)
    it.say("producer: %d produced, %d acked, %d failed, %d left unflushed"
           % (sum(seq), counts["A"], counts["F"], left))
    out.close()
    return 0


# ------------------------------------------------------------ verify

def order_inversions(rows):
    """rows: (offset, seq, ack rank) of one partition's acknowledged
    messages.  Returns (broker_inversions, retried): pairs where a higher
    seq sits at a lower offset than an earlier seq; retried lists the
    (seq, offset) acknowledged after every higher seq below it in the log
    (a client-side retry), broker_inversions the rest."""
    rows = sorted(rows)
    bad, retried = [], []
    best = None          # (seq, rank) of the highest seq at a lower offset
    for o, n, rank in rows:
        if best is not None and n <= best[0]:
            # every message below o with seq > n was acked before this one?
            later = [r for (oo, nn, r) in rows if oo < o and nn > n and r > rank]
            if later:
                bad.append(((o, n), best))
            else:
                retried.append((n, o))
        if best is None or n > best[0]:
            best = (n, rank)
    return bad, retried


def cmd_verify(bootstrap, topic, nparts, ackfile):
    acked = {q: [] for q in range(nparts)}       # (seq, offset) in DR order
    failed = {q: set() for q in range(nparts)}
    fail_reasons = {}
    for line in open(ackfile):
        f = line.split(None, 3)
        if not f:
            continue
        q, n = int(f[1]), int(f[2])
        if f[0] == "A":
            acked[q].append((n, int(f[3])))
        else:
            failed[q].add(n)
            r = f[3].strip() if len(f) > 3 else "?"
            fail_reasons[r] = fail_reasons.get(r, 0) + 1
    it.say("%d acknowledged, %d failed deliveries %s"
           % (sum(map(len, acked.values())), sum(map(len, failed.values())),
              fail_reasons))
    problems = []
    totals = {"dups": 0, "extra_failed": 0, "extra_unreported": 0,
              "reordered_by_retry": 0}
    for q in range(nparts):
        lo, hi = it.watermarks(bootstrap, topic, q, timeout=20)
        msgs = it.consume_range(bootstrap, topic, q, 0, hi, timeout=180)
        offs = [m.offset() for m in msgs]
        if lo != 0 or offs != list(range(hi)):
            gaps = [j for j, o in enumerate(offs) if o != j][:3]
            problems.append("partition %d: watermarks (%d,%d), read %d "
                            "messages; offsets not contiguous near index %s"
                            % (q, lo, hi, len(offs), gaps))
        log = {}             # offset -> seq
        where = {}           # seq -> [offsets]
        for m in msgs:
            mq, n = (int(x) for x in m.value().split(b"-"))
            if mq != q or m.key() != b"p%d" % q:
                problems.append("partition %d offset %d: foreign message "
                                "key %r value %r" % (q, m.offset(), m.key(),
                                                     m.value()))
                continue
            log[m.offset()] = n
            where.setdefault(n, []).append(m.offset())
        # 1. every acknowledged message at its acked offset
        lost, moved = [], []
        for n, o in acked[q]:
            if log.get(o) == n:
                continue
            if n in where:
                moved.append((n, o, where[n]))
            else:
                lost.append((n, o, log.get(o)))
        if lost:
            problems.append("partition %d: %d ACKNOWLEDGED MESSAGES LOST, "
                            "first (seq, acked offset, seq now there): %s"
                            % (q, len(lost), lost[:8]))
        if moved:
            problems.append("partition %d: %d acknowledged messages not at "
                            "their acked offset, first (seq, acked offset, "
                            "found at): %s" % (q, len(moved), moved[:8]))
        # 2. duplicate acked offsets / acked order
        seen = {}
        for n, o in acked[q]:
            if o in seen and seen[o] != n:
                problems.append("partition %d: offset %d acknowledged for "
                                "seq %d and seq %d" % (q, o, seen[o], n))
            seen[o] = n
        # An inversion (lower seq at a higher offset) whose lower seq was
        # acknowledged after the higher one is the client's doing:
        # librdkafka without idempotence moves a partition to its new leader
        # while a request to the old one is outstanding, and retries that
        # later (max.in.flight is per connection).  Reported, not failed.
        # Acknowledged in the other order, the broker reordered.
        bad, retried = order_inversions(
            [(o, n, j) for j, (n, o) in enumerate(acked[q])])
        totals["reordered_by_retry"] += len(retried)
        if retried:
            it.say("partition %d: %d acknowledged messages behind later "
                   "sequence numbers, acknowledged after them (client retry "
                   "across a leader change), first (seq, offset): %s"
                   % (q, len(retried), retried[:5]))
        if bad:
            problems.append("partition %d: %d acknowledged messages out of "
                            "order, first ((offset, seq), (offset, seq)): %s"
                            % (q, len(bad), bad[:5]))
        # 3. report (not fail) duplicates and unacknowledged extras
        ackset = {n for n, _ in acked[q]}
        dups = sum(len(v) - 1 for v in where.values() if len(v) > 1)
        extra_f = len([n for n in where if n not in ackset and n in failed[q]])
        extra_u = len([n for n in where if n not in ackset
                       and n not in failed[q]])
        totals["dups"] += dups
        totals["extra_failed"] += extra_f
        totals["extra_unreported"] += extra_u
        it.say("partition %d: hw %d, %d acked, %d failed; log has %d "
               "duplicate copies, %d messages whose delivery failed, %d "
               "never reported" % (q, hi, len(acked[q]), len(failed[q]), dups,
                                   extra_f, extra_u))
    it.say("REPORT (allowed with retries and no idempotence): %d duplicate "
           "copies, %d failed-delivery messages present, %d unreported "
           "messages present, %d acked messages reordered by client "
           "retries" % (totals["dups"], totals["extra_failed"],
                        totals["extra_unreported"],
                        totals["reordered_by_retry"]))
    for pr in problems[:30]:
        it.say("PROBLEM: " + pr)
    it.check(not problems, "%d problems" % len(problems))
    it.say("all %d acknowledged messages present, in order"
           % sum(map(len, acked.values())))
    return 0


def main(a):
    it.require("confluent_kafka", "python3-confluent-kafka")
    if a[1] == "create":
        return cmd_create(a[2], a[3], int(a[4]))
    if a[1] == "produce":
        return cmd_produce(a[2], a[3], int(a[4]), a[5], a[6])
    if a[1] == "leader":
        return cmd_leader(a[2], a[3], int(a[4]))
    if a[1] == "healthy":
        timeout = float(a[a.index("--timeout") + 1]) if "--timeout" in a else 60
        return cmd_healthy(a[2], a[3], a[4], int(a[5]), timeout)
    if a[1] == "verify":
        return cmd_verify(a[2], a[3], int(a[4]), a[5])
    it.fail("unknown command %s" % a[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
