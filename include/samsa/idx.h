/*
 * idx: one index file of fixed-size big-endian entries, memory-mapped.
 *
 * The storage shared by the offset index (oindex.h, 8-byte entries) and the
 * time index (tindex.h, 12-byte entries) of a segment. Owns the file, the
 * mapping and the entry count; knows nothing of what an entry means.
 *
 * An index is either writable (the active segment's: the file is
 * preallocated to its maximum size and mapped whole, as Kafka does) or
 * trimmed (the file holds exactly n entries). Entries are written only
 * under the owning partition log's lock; the count is published with a
 * release store after the entry is written, so a reader that loads the
 * count (idx_count(), acquire) may read every entry below it without a
 * lock. Remapping (idx_make_writable) needs the partition's segment list
 * held exclusively, since readers use the old mapping.
 *
 * Kafka reference: kafka.log.AbstractIndex.
 */
#ifndef SAMSA_IDX_H
#define SAMSA_IDX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct idx {
    int fd; /* -1 when closed */
    char *path;
    uint8_t *map; /* NULL when nothing is mapped */
    size_t map_len;
    size_t esz;   /* entry size */
    uint32_t max; /* capacity in entries while writable */
    bool writable;
    _Atomic uint32_t n; /* entries in use */
} idx_t;

/*
 * Opens (creating when missing, if @create) the index file at @path. The
 * entry count is the file size / @esz; a size that is not a multiple of
 * @esz is ERR_CORRUPT (the file stays open; idx_reset() recovers it).
 * Returns 0, ERR_NOTFOUND (missing and !@create), ERR_IO or ERR_CORRUPT.
 */
int idx_open(idx_t *ix, const char *path, size_t esz, bool create);
/* unmaps and closes; a closed index may be closed again */
void idx_close(idx_t *ix);

/*
 * Preallocates the file to @max_bytes (rounded down to whole entries, at
 * least one entry) and maps it writable. Existing entries are kept.
 * Returns 0 or ERR_IO.
 */
int idx_make_writable(idx_t *ix, size_t max_bytes);
/* shrinks the file to exactly n entries; the mapping stays. 0 or ERR_IO */
int idx_trim(idx_t *ix);
/* drops every entry (the file is truncated to 0 unless writable) */
int idx_reset(idx_t *ix);
/* sets the count to @n (<= current); for truncation */
void idx_truncate(idx_t *ix, uint32_t n);
/* msync of the used part; 0 or ERR_IO */
int idx_flush(idx_t *ix);

static inline uint32_t
idx_count(idx_t *ix)
{
    return atomic_load_explicit(&ix->n, memory_order_acquire);
}

static inline bool
idx_full(idx_t *ix)
{
    return !ix->writable || idx_count(ix) >= ix->max;
}

/* pointer to entry @i (< idx_count()) */
static inline uint8_t *
idx_entry(idx_t *ix, uint32_t i)
{
    return ix->map + (size_t)i * ix->esz;
}

/*
 * Appends one entry of esz bytes. The index must be writable and not full
 * (ERR_NOSPC otherwise). Caller holds the partition lock.
 */
int idx_append(idx_t *ix, const uint8_t *entry);

/* big-endian helpers for entry encoding */
static inline uint32_t
idx_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline uint64_t
idx_get64(const uint8_t *p)
{
    return (uint64_t)idx_get32(p) << 32 | idx_get32(p + 4);
}

static inline void
idx_put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static inline void
idx_put64(uint8_t *p, uint64_t v)
{
    idx_put32(p, v >> 32);
    idx_put32(p + 4, (uint32_t)v);
}

#endif
