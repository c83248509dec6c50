#!/usr/bin/python3
"""kwire: just enough of the Kafka wire protocol, by hand, for tests that
must send what no client library would (bad frames, bad CRCs, odd versions).

Spec: the Kafka protocol guide (https://kafka.apache.org/protocol), record
batch format v2 (KIP-98), flexible versions (KIP-482), ApiVersions v3 and the
UNSUPPORTED_VERSION fallback (KIP-511).  Standard library only.
"""
import socket
import struct
import time

# ---------------------------------------------------------------- CRC-32C

_CRC32C_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    tbl = _CRC32C_TABLE
    for b in data:
        crc = tbl[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


# ---------------------------------------------------------------- primitives

def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def varint(v):          # zigzag, 32 or 64 bit alike for our small values
    return uvarint((v << 1) ^ (v >> 63))


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode() if isinstance(s, str) else s
    return uvarint(len(b) + 1) + b


def nbytes(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

    def take(self, n):
        if self.o + n > len(self.d):
            raise ValueError("short response: need %d bytes at %d of %d"
                             % (n, self.o, len(self.d)))
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        shift = v = 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()

    def compact_string(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1).decode()

    def tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())

    def left(self):
        return len(self.d) - self.o


# ---------------------------------------------------------------- records

def record(offset_delta, ts_delta, key, value, headers=()):
    body = (i8(0) + varint(ts_delta) + varint(offset_delta) +
            (varint(-1) if key is None else varint(len(key)) + key) +
            (varint(-1) if value is None else varint(len(value)) + value) +
            varint(len(headers)))
    for hk, hv in headers:
        hk = hk.encode() if isinstance(hk, str) else hk
        body += varint(len(hk)) + hk
        body += varint(-1) if hv is None else varint(len(hv)) + hv
    return varint(len(body)) + body


def record_batch(records, base_ts=None, bad_crc=False, count=None):
    """A magic-2 record batch holding @records [(key, value, headers)],
    uncompressed, no producer id.  bad_crc flips the CRC; count overrides the
    record count field (the CRC still matches what is sent)."""
    ts = int(time.time() * 1000) if base_ts is None else base_ts
    recs = b"".join(record(i, 0, k, v, h) for i, (k, v, h) in enumerate(records))
    after_crc = (i16(0) +                        # attributes
                 i32(len(records) - 1) +         # lastOffsetDelta
                 i64(ts) + i64(ts) +             # first/max timestamp
                 i64(-1) + i16(-1) + i32(-1) +   # producer id/epoch, base seq
                 i32(len(records) if count is None else count) + recs)
    crc = crc32c(after_crc)
    if bad_crc:
        crc ^= 0xDEADBEEF
    # batchLength counts from partitionLeaderEpoch to the end.
    body = i32(-1) + i8(2) + struct.pack(">I", crc) + after_crc
    return i64(0) + i32(len(body)) + body


# ---------------------------------------------------------------- requests

API_PRODUCE, API_FETCH, API_LIST_OFFSETS, API_METADATA = 0, 1, 2, 3
API_VERSIONS = 18


def request(api_key, version, corr, body, client_id="samsa-it", flexible=False):
    """A whole frame: size, request header v1 (v2 if flexible), body."""
    hdr = i16(api_key) + i16(version) + i32(corr) + string(client_id)
    if flexible:
        hdr += uvarint(0)        # header tagged fields
    payload = hdr + body
    return i32(len(payload)) + payload


def api_versions_request(corr, version=3):
    if version >= 3:
        body = compact_string("samsa-it") + compact_string("1.0") + uvarint(0)
        return request(API_VERSIONS, version, corr, body, flexible=True)
    return request(API_VERSIONS, version, corr, b"")


def metadata_request(corr, topics=None, version=1):
    if topics is None:
        body = i32(-1)
    else:
        body = i32(len(topics)) + b"".join(string(t) for t in topics)
    return request(API_METADATA, version, corr, body)


def produce_request(corr, topic, partition, records_bytes, acks=-1, timeout_ms=10000,
                    version=3):
    body = (string(None) + i16(acks) + i32(timeout_ms) +
            i32(1) + string(topic) + i32(1) + i32(partition) + nbytes(records_bytes))
    return request(API_PRODUCE, version, corr, body)


def parse_api_versions(data, version):
    """Response body (after the correlation id) -> (error_code,
    {api_key: (min, max)}, rest).  An UNSUPPORTED_VERSION answer is always
    encoded as v0 (KIP-511), so pass version=0 for it."""
    r = Reader(data)
    err = r.i16()
    keys = {}
    if version >= 3:
        n = r.uvarint() - 1
    else:
        n = r.i32()
    for _ in range(max(n, 0)):
        k, lo, hi = r.i16(), r.i16(), r.i16()
        if version >= 3:
            r.tagged_fields()
        keys[k] = (lo, hi)
    if version >= 1:
        r.i32()                 # throttle_time_ms
    if version >= 3:
        r.tagged_fields()
    return err, keys, r.left()


def parse_produce_v3(data):
    """Produce v3..v4 response body -> [(topic, partition, error, base_offset)]."""
    r = Reader(data)
    out = []
    for _ in range(r.i32()):
        t = r.string()
        for _ in range(r.i32()):
            p, err, base = r.i32(), r.i16(), r.i64()
            r.i64()             # log_append_time_ms
            out.append((t, p, err, base))
    r.i32()                     # throttle_time_ms
    return out


# ---------------------------------------------------------------- connection

class Conn:
    """A blocking client socket with frame helpers."""

    def __init__(self, host, port, timeout=10.0):
        self.s = socket.create_connection((host, int(port)), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @classmethod
    def to(cls, bootstrap, timeout=10.0):
        host, port = bootstrap.split(",")[0].rsplit(":", 1)
        return cls(host, port, timeout)

    def send(self, data):
        self.s.sendall(data)

    def _recv_exact(self, n, deadline):
        buf = bytearray()
        while len(buf) < n:
            self.s.settimeout(max(0.01, deadline - time.time()))
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def recv_frame(self, timeout=10.0):
        """-> (correlation_id, body bytes after the response header v0).
        Flexible responses have a tagged-field byte first; callers skip it."""
        deadline = time.time() + timeout
        n = struct.unpack(">i", self._recv_exact(4, deadline))[0]
        if n < 4 or n > 256 << 20:
            raise ValueError("bad response size %d" % n)
        data = self._recv_exact(n, deadline)
        return struct.unpack(">i", data[:4])[0], data[4:]

    def wait_closed(self, timeout=10.0):
        """'closed' if the peer closes (EOF or RST) within @timeout without
        sending anything, 'data' if it sends bytes, 'open' on timeout."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return "open"
            self.s.settimeout(left)
            try:
                b = self.s.recv(65536)
            except socket.timeout:
                return "open"
            except (ConnectionResetError, BrokenPipeError):
                return "closed"
            if not b:
                return "closed"
            return "data"

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def metadata_of(addr, timeout=5):
    """Metadata v1 (all topics) from exactly the broker at @addr: brokers,
    controller, and per topic its error and partitions (leader, replicas,
    isr)."""
    host, port = addr.rsplit(":", 1)
    c = Conn(host, port, timeout=timeout)
    try:
        c.send(metadata_request(7, None, version=1))
        _, body = c.recv_frame(timeout=timeout)
    finally:
        c.close()
    r = Reader(body)
    brokers = {}
    for _ in range(r.i32()):
        bid = r.i32()
        bhost = r.string()
        bport = r.i32()
        r.string()  # rack
        brokers[bid] = "%s:%d" % (bhost, bport)
    controller = r.i32()
    topics = {}
    for _ in range(r.i32()):
        terr = r.i16()
        name = r.string()
        r.i8()  # is_internal
        parts = {}
        for _ in range(r.i32()):
            perr = r.i16()
            p = r.i32()
            leader = r.i32()
            replicas = [r.i32() for _ in range(r.i32())]
            isr = [r.i32() for _ in range(r.i32())]
            parts[p] = {"err": perr, "leader": leader, "replicas": replicas,
                        "isr": isr}
        topics[name] = {"err": terr, "partitions": parts}
    return {"brokers": brokers, "controller": controller, "topics": topics}


# ------------------------------------------------- partition reassignment

API_ALTER_PARTITION_REASSIGNMENTS, API_LIST_PARTITION_REASSIGNMENTS = 45, 46


def compact_array(items):
    return uvarint(len(items) + 1) + b"".join(items)


def _call_flexible(addr, api_key, body, timeout):
    host, port = addr.rsplit(":", 1)
    c = Conn(host, port, timeout=timeout)
    try:
        c.send(request(api_key, 0, 9, body, flexible=True))
        _, data = c.recv_frame(timeout=timeout)
    finally:
        c.close()
    r = Reader(data)
    r.tagged_fields()    # response header v1
    return r


def alter_reassignments(addr, moves, timeout_ms=30000, timeout=40):
    """AlterPartitionReassignments v0 at the broker @addr. @moves:
    {(topic, partition): [replicas] or None (cancel)}. -> (error_code,
    message, {(topic, partition): (error_code, message)})."""
    by_topic = {}
    for (t, p), reps in moves.items():
        by_topic.setdefault(t, []).append((p, reps))
    topics = []
    for t, parts in by_topic.items():
        ps = [i32(p) + (uvarint(0) if reps is None else
                        compact_array([i32(x) for x in reps])) + uvarint(0)
              for p, reps in parts]
        topics.append(compact_string(t) + compact_array(ps) + uvarint(0))
    body = i32(timeout_ms) + compact_array(topics) + uvarint(0)
    r = _call_flexible(addr, API_ALTER_PARTITION_REASSIGNMENTS, body, timeout)
    r.i32()              # throttle
    err, msg = r.i16(), r.compact_string()
    out = {}
    for _ in range(r.uvarint() - 1):
        t = r.compact_string()
        for _ in range(r.uvarint() - 1):
            p, perr, pmsg = r.i32(), r.i16(), r.compact_string()
            r.tagged_fields()
            out[(t, p)] = (perr, pmsg)
        r.tagged_fields()
    return err, msg, out


def list_reassignments(addr, timeout=10):
    """ListPartitionReassignments v0 (every partition) at @addr. ->
    (error_code, {(topic, partition): (replicas, adding, removing)})."""
    body = i32(10000) + uvarint(0) + uvarint(0)
    r = _call_flexible(addr, API_LIST_PARTITION_REASSIGNMENTS, body, timeout)
    r.i32()
    err = r.i16()
    r.compact_string()
    out = {}

    def ints():
        return [r.i32() for _ in range(r.uvarint() - 1)]

    for _ in range(max(0, r.uvarint() - 1)):
        t = r.compact_string()
        for _ in range(r.uvarint() - 1):
            p = r.i32()
            out[(t, p)] = (ints(), ints(), ints())
            r.tagged_fields()
        r.tagged_fields()
    return err, out
