/*
 * tindex.c: time index entries and lookups (see tindex.h).
 *
 * Owns: the meaning of the 12-byte entries. Does not own: the file
 * (idx.c), when entries are added (segment.c).
 */
#include "samsa/err.h"
#include "samsa/tindex.h"

static inline int64_t
tindex_ts(idx_t *ix, uint32_t i)
{
    return (int64_t)idx_get64(idx_entry(ix, i));
}

static inline int64_t
tindex_rel(idx_t *ix, uint32_t i)
{
    return (int32_t)idx_get32(idx_entry(ix, i) + 8);
}

int
tindex_maybe_append(idx_t *ix, int64_t base, int64_t ts, int64_t offset)
{
    uint32_t n = idx_count(ix);
    uint8_t e[TINDEX_ENTRY_SIZE];

    if (offset - base < 0 || offset - base > INT32_MAX)
        return ERR_INVAL;
    if (n > 0) {
        if (ts <= tindex_ts(ix, n - 1))
            return 0;
        if (offset - base < tindex_rel(ix, n - 1))
            return ERR_INVAL;
    }
    idx_put64(e, (uint64_t)ts);
    idx_put32(e + 8, (uint32_t)(offset - base));
    return idx_append(ix, e);
}

int64_t
tindex_lookup_before(idx_t *ix, int64_t base, int64_t ts)
{
    int64_t lo = 0, hi = (int64_t)idx_count(ix) - 1, found = -1;

    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tindex_ts(ix, (uint32_t)mid) < ts) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found < 0 ? base : base + tindex_rel(ix, (uint32_t)found);
}

bool
tindex_last(idx_t *ix, int64_t base, int64_t *ts, int64_t *offset)
{
    uint32_t n = idx_count(ix);

    if (n == 0)
        return false;
    *ts = tindex_ts(ix, n - 1);
    *offset = base + tindex_rel(ix, n - 1);
    return true;
}

void
tindex_truncate_to(idx_t *ix, int64_t base, int64_t offset)
{
    uint32_t n = idx_count(ix);

    /* offsets are non-decreasing: drop from the tail */
    while (n > 0 && base + tindex_rel(ix, n - 1) >= offset)
        n--;
    idx_truncate(ix, n);
}

int
tindex_sanity(idx_t *ix, int64_t base)
{
    uint32_t n = idx_count(ix);

    (void)base;
    if (n == 0)
        return 0;
    if (tindex_rel(ix, n - 1) < 0 || tindex_ts(ix, n - 1) < tindex_ts(ix, 0))
        return ERR_CORRUPT;
    if (n > 1 && tindex_ts(ix, n - 1) <= tindex_ts(ix, n - 2))
        return ERR_CORRUPT;
    return 0;
}
