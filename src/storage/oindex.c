/*
 * oindex.c: sparse offset index entries and lookups (see oindex.h).
 *
 * Owns: the meaning of the 8-byte entries. Does not own: the file
 * (idx.c), when entries are added (segment.c).
 */
#include "samsa/err.h"
#include "samsa/oindex.h"

static inline int64_t
oindex_rel(idx_t *ix, uint32_t i)
{
    return (int32_t)idx_get32(idx_entry(ix, i));
}

static inline uint32_t
oindex_pos(idx_t *ix, uint32_t i)
{
    return idx_get32(idx_entry(ix, i) + 4);
}

void
oindex_entry(idx_t *ix, int64_t base, uint32_t i, int64_t *offset,
             uint32_t *pos)
{
    if (offset != NULL)
        *offset = base + oindex_rel(ix, i);
    if (pos != NULL)
        *pos = oindex_pos(ix, i);
}

int64_t
oindex_slot_for_offset(idx_t *ix, uint32_t n, int64_t base, int64_t target)
{
    int64_t lo = 0, hi = (int64_t)n - 1, found = -1;
    int64_t rel = target - base;

    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (oindex_rel(ix, (uint32_t)mid) <= rel) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

int64_t
oindex_slot_for_pos(idx_t *ix, uint32_t n, uint64_t pos)
{
    int64_t lo = 0, hi = (int64_t)n - 1, found = -1;

    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (oindex_pos(ix, (uint32_t)mid) <= pos) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

uint32_t
oindex_lookup(idx_t *ix, int64_t base, int64_t target, int64_t *offset)
{
    int64_t slot = oindex_slot_for_offset(ix, idx_count(ix), base, target);
    uint32_t pos = 0;

    if (offset != NULL)
        *offset = base;
    if (slot >= 0)
        oindex_entry(ix, base, (uint32_t)slot, offset, &pos);
    return pos;
}

int
oindex_append(idx_t *ix, int64_t base, int64_t offset, uint32_t pos)
{
    uint32_t n = idx_count(ix);
    uint8_t e[OINDEX_ENTRY_SIZE];

    if (offset - base < 0 || offset - base > INT32_MAX)
        return ERR_INVAL;
    if (n > 0 && (offset - base <= oindex_rel(ix, n - 1) ||
                  pos <= oindex_pos(ix, n - 1)))
        return ERR_INVAL;
    idx_put32(e, (uint32_t)(offset - base));
    idx_put32(e + 4, pos);
    return idx_append(ix, e);
}

void
oindex_truncate_to(idx_t *ix, int64_t base, int64_t offset)
{
    int64_t slot = oindex_slot_for_offset(ix, idx_count(ix), base, offset - 1);
    idx_truncate(ix, (uint32_t)(slot + 1));
}

int
oindex_sanity(idx_t *ix, int64_t base, uint64_t log_size)
{
    uint32_t n = idx_count(ix);

    if (n == 0)
        return 0;
    if (oindex_rel(ix, n - 1) < 0 || oindex_pos(ix, n - 1) > log_size)
        return ERR_CORRUPT;
    /* a preallocated file never trimmed ends in zero entries */
    if (n > 1 && (oindex_rel(ix, n - 1) <= oindex_rel(ix, n - 2) ||
                  oindex_pos(ix, n - 1) <= oindex_pos(ix, n - 2)))
        return ERR_CORRUPT;
    (void)base;
    return 0;
}
