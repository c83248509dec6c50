#!/usr/bin/python3
"""bench/groups.py: group coordinator figures over the raw wire
(tests/lib/kwire.py; no client library, so the figures are the
coordinator's, not a client's retry or heartbeat policy).

usage: groups.py commits BOOTSTRAP TOPIC GROUPS PARTS_PER_COMMIT SECONDS DEPTH
       groups.py rebalance BOOTSTRAP N ROUNDS HEARTBEAT_MS

commits: GROUPS connections, one simple-consumer group each (generation
  -1, no membership), each keeping DEPTH OffsetCommit v2 requests in flight
  for SECONDS; every request commits PARTS_PER_COMMIT partitions of TOPIC
  (one ZooKeeper multi-op per request, DESIGN §5). Prints commits/s and
  partition offsets/s, and the per-request latency p50/p99.
rebalance: N members, one thread and connection each, JoinGroup v3 /
  SyncGroup v1 / Heartbeat v1 every HEARTBEAT_MS / LeaveGroup v1, the first
  to join is the leader and hands everyone a 1-byte assignment. Per round:
  join: N-1 members are Stable; member N sends JoinGroup: time until every
        member holds an assignment of the new generation;
  leave: member N sends LeaveGroup: time from sending it until the N-1 others hold an
        assignment of the new generation.
  Both include up to one heartbeat interval: the others learn of the
  rebalance from a Heartbeat answered REBALANCE_IN_PROGRESS, as in Kafka.
Prints "RESULT mode=..." lines.
"""
import os
import socket
import statistics
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
import kwire  # noqa: E402
from kwire import i16, i32, i64, string, nbytes  # noqa: E402

FIND_COORDINATOR, JOIN, HEARTBEAT, LEAVE, SYNC, COMMIT = 10, 11, 12, 13, 14, 8
REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION = 27, 25, 22


def coordinator(boot, group):
    """FindCoordinator v1 through the first reachable broker."""
    for addr in boot.split(","):
        host, port = addr.rsplit(":", 1)
        for _ in range(100):
            try:
                c = kwire.Conn(host, port, timeout=10)
                c.send(kwire.request(FIND_COORDINATOR, 1, 1,
                                     string(group) + kwire.i8(0)))
                _, d = c.recv_frame()
                c.close()
            except OSError:
                break
            r = kwire.Reader(d)
            r.i32()
            err = r.i16()
            r.string()
            node, h, p = r.i32(), r.string(), r.i32()
            if err == 0 and node >= 0:
                return h, p
            time.sleep(0.2)
    raise SystemExit("no coordinator for %s" % group)


# ---------------------------------------------------------------- commits

def commit_body(group, topic, parts, off):
    body = (string(group) + i32(-1) + string("") + i64(-1) + i32(1) +
            string(topic) + i32(len(parts)))
    for p in parts:
        body += i32(p) + i64(off) + string("")
    return body


def committer(boot, topic, group, nparts, secs, depth, out):
    host, port = coordinator(boot, group)
    c = kwire.Conn(host, port, timeout=30)
    parts = list(range(nparts))
    sent = {}
    lat = []
    corr = off = done = errs = 0
    t_end = time.monotonic() + secs
    while True:
        now = time.monotonic()
        while len(sent) < depth and now < t_end:
            corr += 1
            off += 1
            c.send(kwire.request(COMMIT, 2, corr,
                                 commit_body(group, topic, parts, off)))
            sent[corr] = time.monotonic()
        if not sent:
            break
        cid, d = c.recv_frame(timeout=30)
        lat.append(time.monotonic() - sent.pop(cid))
        r = kwire.Reader(d)
        for _ in range(r.i32()):
            r.string()
            for _ in range(r.i32()):
                r.i32()
                if r.i16() != 0:
                    errs += 1
        done += 1
    c.close()
    out.append((done, errs, lat))


def bench_commits(boot, topic, ngroups, nparts, secs, depth):
    out = []
    ths = [threading.Thread(target=committer,
                            args=(boot, topic, "bench-commit-%d" % g, nparts,
                                  secs, depth, out))
           for g in range(ngroups)]
    t0 = time.monotonic()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    wall = time.monotonic() - t0
    n = sum(o[0] for o in out)
    errs = sum(o[1] for o in out)
    lat = sorted(x for o in out for x in o[2])
    p50 = lat[len(lat) // 2] * 1000 if lat else 0
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0
    print("commits: %d groups x depth %d, %d partitions per commit: "
          "%d commits in %.1f s = %.0f commits/s, %.0f offsets/s; "
          "latency p50 %.1f ms p99 %.1f ms; %d partition errors"
          % (ngroups, depth, nparts, n, wall, n / wall, n * nparts / wall,
             p50, p99, errs))
    print("RESULT mode=group_commits groups=%d depth=%d parts=%d "
          "commits_per_s=%.0f offsets_per_s=%.0f p50_ms=%.1f p99_ms=%.1f "
          "errors=%d" % (ngroups, depth, nparts, n / wall,
                         n * nparts / wall, p50, p99, errs))
    return errs == 0


# ---------------------------------------------------------------- members

class Member(threading.Thread):
    def __init__(self, boot, group, idx, hb_ms, board):
        super().__init__(daemon=True)
        self.host, self.port = coordinator(boot, group)
        self.group, self.idx, self.hb = group, idx, hb_ms / 1000.0
        self.board = board          # shared: idx -> (generation, time)
        self.member_id = ""
        self.corr = 0
        self.leave = threading.Event()
        self.left = threading.Event()
        self.c = kwire.Conn(self.host, self.port, timeout=120)

    def rpc(self, key, ver, body, timeout=120):
        self.corr += 1
        self.c.send(kwire.request(key, ver, self.corr, body,
                                  client_id="bench-%d" % self.idx))
        _, d = self.c.recv_frame(timeout=timeout)
        return kwire.Reader(d)

    def join_sync(self):
        md = i16(0) + i32(1) + string("bench") + nbytes(b"")
        r = self.rpc(JOIN, 3, string(self.group) + i32(30000) + i32(30000) +
                     string(self.member_id) + string("consumer") + i32(1) +
                     string("range") + nbytes(md))
        r.i32()
        err = r.i16()
        gen = r.i32()
        r.string()
        leader = r.string()
        mid = r.string()
        members = []
        for _ in range(r.i32()):
            members.append(r.string())
            n = r.i32()
            r.take(max(n, 0))
        if err == UNKNOWN_MEMBER_ID:
            self.member_id = ""
            return None
        if err != 0:
            return None
        self.member_id = mid
        asg = i32(0)
        if leader == mid:
            asg = i32(len(members)) + b"".join(string(m) + nbytes(b"a")
                                               for m in members)
        r = self.rpc(SYNC, 1, string(self.group) + i32(gen) +
                     string(self.member_id) + asg)
        r.i32()
        err = r.i16()
        n = r.i32()
        a = r.take(max(n, 0))
        if err != 0 or not a:
            return None
        return gen

    def run(self):
        while not self.leave.is_set():
            gen = self.join_sync()
            if gen is None:
                time.sleep(0.01)
                continue
            self.board[self.idx] = (gen, time.monotonic())
            while not self.leave.is_set():
                time.sleep(self.hb)
                if self.leave.is_set():
                    break
                r = self.rpc(HEARTBEAT, 1, string(self.group) + i32(gen) +
                             string(self.member_id))
                r.i32()
                if r.i16() != 0:
                    break
        self.leave_sent = time.monotonic()
        self.rpc(LEAVE, 1, string(self.group) + string(self.member_id))
        self.c.close()
        self.left.set()


def wait_board(board, idxs, newer_than, timeout=120):
    """until every member in idxs holds an assignment of a generation >
    newer_than; returns (generation, time the last got it)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = [board.get(i) for i in idxs]
        if all(g is not None and g[0] > newer_than for g in got):
            gens = {g[0] for g in got}
            if len(gens) == 1:
                return gens.pop(), max(g[1] for g in got)
        time.sleep(0.002)
    raise SystemExit("members did not settle: %s" %
                     sorted((i, board.get(i)) for i in idxs))


def bench_rebalance(boot, n, rounds, hb_ms):
    joins, leaves = [], []
    for rnd in range(rounds):
        group = "bench-rebalance-%d-%d-%d" % (n, rnd, os.getpid())
        board = {}
        ms = [Member(boot, group, i, hb_ms, board) for i in range(n - 1)]
        for m in ms:
            m.start()
        gen, _ = wait_board(board, range(n - 1), 0)
        last = Member(boot, group, n - 1, hb_ms, board)
        t0 = time.monotonic()
        last.start()
        gen2, t1 = wait_board(board, range(n), gen)
        joins.append(t1 - t0)
        time.sleep(3 * hb_ms / 1000.0)
        last.leave.set()
        gen3, t1 = wait_board(board, range(n - 1), gen2)
        last.left.wait(30)
        leaves.append(t1 - last.leave_sent)
        for m in ms:
            m.leave.set()
        for m in ms + [last]:
            m.left.wait(30)
        print("rebalance n=%d round %d: join %.0f ms (gen %d->%d), leave "
              "%.0f ms (gen %d->%d)" % (n, rnd + 1, joins[-1] * 1000, gen,
                                        gen2, leaves[-1] * 1000, gen2, gen3))
    print("RESULT mode=group_rebalance members=%d heartbeat_ms=%d rounds=%d "
          "join_p50_ms=%.0f join_max_ms=%.0f leave_p50_ms=%.0f "
          "leave_max_ms=%.0f"
          % (n, hb_ms, rounds, statistics.median(joins) * 1000,
             max(joins) * 1000, statistics.median(leaves) * 1000,
             max(leaves) * 1000))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "commits" and len(a) == 7:
        ok = bench_commits(a[1], a[2], int(a[3]), int(a[4]), float(a[5]),
                           int(a[6]))
        sys.exit(0 if ok else 1)
    if a and a[0] == "rebalance" and len(a) == 5:
        bench_rebalance(a[1], int(a[2]), int(a[3]), int(a[4]))
        sys.exit(0)
    sys.stderr.write(__doc__)
    sys.exit(2)
