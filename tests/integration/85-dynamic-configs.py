#!/usr/bin/python3
"""85-dynamic-configs helper: raw Produce v3 (tests/lib/kwire.py), so the
broker's own error codes are seen, whatever client libraries are absent.

  produce BOOTSTRAP TOPIC N SIZE
      N single-record batches of SIZE-byte values to partition 0, acks=-1;
      prints the error code of each distinct answer, e.g. "0" or "10"
      (MESSAGE_TOO_LARGE), space-separated, first seen first.
"""
import sys

import kwire


def produce(boot, topic, n, size):
    c = kwire.Conn.to(boot)
    seen = []
    for i in range(n):
        batch = kwire.record_batch([(None, (b"v-%08d-" % i).ljust(size, b"x"),
                                     ())])
        c.send(kwire.produce_request(i + 1, topic, 0, batch))
        corr, body = c.recv_frame()
        assert corr == i + 1, (corr, i + 1)
        for _, _, err, _ in kwire.parse_produce_v3(body):
            if err not in seen:
                seen.append(err)
    c.close()
    print(" ".join(str(e) for e in seen))
    return 0


def main(a):
    if len(a) == 6 and a[1] == "produce":
        return produce(a[2], a[3], int(a[4]), int(a[5]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
