#!/usr/bin/python3
"""10-kcat-roundtrip helper.

  gen DIR N CHUNKS        write DIR/chunk-<c>.txt: N keyed lines "key:value"
                          split into CHUNKS files, produced one kcat run each
                          with header chunk=<c>
  verify DIR CODEC FILE PARTITIONS N CHUNKS
                          FILE is kcat -C output in the format
                          "%p<TAB>%o<TAB>%k<TAB>%s<TAB>%h"
Checks: exactly the produced multiset of (key, value, headers), no extra or
missing message, offsets 0..n-1 per partition, each key in one partition,
per partition the sequence numbers strictly increase (production order),
every partition used.
"""
import os
import sys

import samsa_it as it


def line_for(i):
    key = "k%03d" % ((i * 7919) % 499)
    # Variable-length payload; values may contain ':' (kcat -K: splits at the
    # first one only) but never TAB, newline or ',' (the %h separator).
    pay = ("abcdefghijklmnopqrstuvwxyz0123456789:" * 8)[: (i * 31) % 257]
    return key, "v%07d-%s" % (i, pay)


def chunk_of(i, n, chunks):
    return i * chunks // n


def gen(d, n, chunks):
    files = [open(os.path.join(d, "chunk-%d.txt" % c), "w") for c in range(chunks)]
    for i in range(n):
        k, v = line_for(i)
        files[chunk_of(i, n, chunks)].write("%s:%s\n" % (k, v))
    for f in files:
        f.close()


def verify(d, codec, path, nparts, n, chunks):
    want = {}
    for i in range(n):
        k, v = line_for(i)
        want[v] = (k, "chunk=%d,codec=%s" % (chunk_of(i, n, chunks), codec))
    seen = {}
    per_part = {}
    key_part = {}
    bad = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            parts = line.split("\t")
            if len(parts) != 5:
                bad.append("line %d unparsable: %r" % (lineno, line[:200]))
                continue
            p, o, k, v, h = parts
            p, o = int(p), int(o)
            if v in seen:
                bad.append("value %s consumed twice (offsets %s and %d/%d)"
                           % (v[:12], seen[v], p, o))
                continue
            seen[v] = (p, o)
            if v not in want:
                bad.append("unexpected value %r at %d/%d" % (v[:40], p, o))
                continue
            wk, wh = want[v]
            if k != wk:
                bad.append("%d/%d: key %r, want %r" % (p, o, k, wk))
            if h != wh:
                bad.append("%d/%d: headers %r, want %r" % (p, o, h, wh))
            if key_part.setdefault(k, p) != p:
                bad.append("key %s in partitions %d and %d" % (k, key_part[k], p))
            per_part.setdefault(p, []).append((o, int(v[1:8])))
    missing = [v for v in want if v not in seen]
    if missing:
        bad.append("%d of %d messages missing, e.g. %s" %
                   (len(missing), n, ", ".join(sorted(missing)[:5])))
    if sorted(per_part) != list(range(nparts)):
        bad.append("partitions used: %s, want 0..%d" % (sorted(per_part), nparts - 1))
    for p, lst in sorted(per_part.items()):
        offs = [o for o, _ in lst]
        if offs != list(range(len(lst))):
            first = next(j for j, o in enumerate(offs) if o != j)
            bad.append("partition %d: offsets not 0..%d in order (index %d has "
                       "offset %d)" % (p, len(lst) - 1, first, offs[first]))
        seqs = [s for _, s in lst]
        for j in range(1, len(seqs)):
            if seqs[j] <= seqs[j - 1]:
                bad.append("partition %d: seq %d at offset %d after seq %d "
                           "(production order lost)" % (p, seqs[j], lst[j][0], seqs[j - 1]))
                break
        it.say("%s: partition %d: %d messages" % (codec, p, len(lst)))
    if bad:
        for b in bad[:30]:
            it.say(b)
        it.fail("%s: %d problems (first 30 above)" % (codec, len(bad)))
    it.say("%s: %d messages verified" % (codec, n))


def main(argv):
    if argv[1] == "gen":
        gen(argv[2], int(argv[3]), int(argv[4]))
    elif argv[1] == "verify":
        verify(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), int(argv[7]))
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
