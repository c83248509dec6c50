/*
 * segment: one log segment of a partition: <base>.log with its sparse
 * offset index <base>.index and time index <base>.timeindex, named by the
 * 20-digit zero-padded base offset.
 *
 * Owns: the three files, appending bytes, per-batch index bookkeeping,
 * scanning batch headers with pread, recovery (re-validation and index
 * rebuild) of one segment, truncation, deletion of its files.
 * Does not own: offset assignment, which segment is active, rolling,
 * retention (plog.c).
 *
 * Thread safety: a segment belongs to one partition log. Mutating calls
 * (segment_write, segment_index_batch, segment_publish, segment_truncate_to,
 * make_active/inactive) need the partition lock (plog.c says which). The
 * atomic fields and the scanner are safe without it: readers see only
 * bytes below the published @size. Segments are reference-counted so a
 * fetch being sent with sendfile keeps the file open across a roll or a
 * deletion; the last segment_unref() closes the files.
 *
 * Kafka reference: kafka.log.LogSegment.
 */
#ifndef SAMSA_SEGMENT_H
#define SAMSA_SEGMENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/batch.h"
#include "samsa/idx.h"

typedef struct segment {
    int64_t base; /* base offset; immutable */
    int fd;       /* the .log file, read-write */
    char *dir;
    idx_t oidx; /* offset index (oindex.h) */
    idx_t tidx; /* time index (tindex.h) */
    /* readable by anyone */
    _Atomic uint64_t size;       /* bytes readers may see */
    _Atomic int64_t next_offset; /* last offset + 1, or base when empty */
    _Atomic int64_t max_ts;      /* largest batch maxTimestamp, or -1 */
    _Atomic int refs;
    /* under the partition lock */
    int64_t offset_of_max_ts; /* last offset of the batch with max_ts */
    int64_t first_ts;         /* first batch's maxTimestamp, or -1 */
    int64_t created_ms;       /* wall clock when created or loaded */
    uint64_t last_index_pos;  /* position of the last indexed batch */
    bool deleted;             /* files unlinked */
} segment_t;

/* "<dir>/<20-digit base><ext>"; the caller frees it */
char *segment_path(const char *dir, int64_t base, const char *ext);
/* parses "<20 digits>.log" (or @ext); false when @name is not one */
bool segment_parse_name(const char *name, const char *ext, int64_t *base);

/*
 * Creates an empty segment (replacing any files of the same name), with
 * both indexes preallocated to @index_bytes and writable. 0 or ERR_IO.
 * The new segment holds one reference.
 */
int segment_create(const char *dir, int64_t base, int32_t index_bytes,
                   segment_t **out);
/*
 * Opens an existing segment's files without validating them; @index_ok is
 * set false when an index is missing or has a torn size. The segment holds
 * one reference. 0, ERR_NOTFOUND, ERR_IO.
 */
int segment_open(const char *dir, int64_t base, segment_t **out,
                 bool *index_ok);
/*
 * Clean-shutdown load: sanity-checks the indexes and scans batch headers
 * from the last offset-index entry to the end of the file to learn the
 * next offset and the largest timestamp. ERR_CORRUPT means the caller
 * should segment_recover() instead.
 */
int segment_load(segment_t *seg);
/*
 * Recovery (Kafka's LogSegment.recover): validates every batch (header,
 * CRC32C, offsets increasing from the base), rebuilds both indexes every
 * @index_interval bytes, and truncates the file at the first invalid
 * batch. The indexes are left writable (preallocated to @index_bytes).
 * @truncated receives the bytes removed. 0 or ERR_IO.
 */
int segment_recover(segment_t *seg, int32_t index_interval, int32_t index_bytes,
                    int64_t *truncated);

/*
 * Writes @len bytes at the current end with pwrite (not yet visible).
 * On failure the file is cut back to the old end. Returns 0, ERR_NOSPC or
 * ERR_IO. Partition lock.
 */
int segment_write(segment_t *seg, const uint8_t *p, size_t len);
/*
 * Index bookkeeping for one batch just written at @pos (Kafka's rule: an
 * offset-index entry, and a time-index entry for the largest timestamp so
 * far, once more than @index_interval bytes passed since the last entry).
 * Partition lock.
 */
void segment_index_batch(segment_t *seg, const batch_hdr_t *h, uint64_t pos,
                         int32_t index_interval);
/* makes bytes up to @size and offsets below @next_offset visible */
void segment_publish(segment_t *seg, uint64_t size, int64_t next_offset);

/* preallocates and maps both indexes writable; 0 or ERR_IO */
int segment_make_active(segment_t *seg, int32_t index_bytes);
/*
 * The segment stops being the active one: adds the final time-index entry
 * and trims both index files to their entries. 0 or ERR_IO.
 */
int segment_make_inactive(segment_t *seg);
/* fdatasync of the log and both indexes; 0 or ERR_IO */
int segment_flush(segment_t *seg);
/*
 * Removes every batch whose last offset is >= @offset (the batch holding
 * @offset included) and the index entries pointing there, then recomputes
 * the in-memory state. @new_next receives the new next offset. Needs the
 * partition lock and the segment list held exclusively. 0 or ERR_IO.
 */
int segment_truncate_to(segment_t *seg, int64_t offset, int64_t *new_next);
/* unlinks the three files (open descriptors keep working); 0 or ERR_IO */
int segment_delete_files(segment_t *seg);
/* largest timestamp for retention: max_ts, or the file's mtime */
int64_t segment_largest_ts(segment_t *seg);

static inline uint64_t
segment_size(segment_t *seg)
{
    return atomic_load_explicit(&seg->size, memory_order_acquire);
}

void segment_ref(segment_t *seg);
void segment_unref(segment_t *seg);
/* segment_unref() with the signature of fslice_t.unref */
void segment_unref_fn(void *seg);

/*
 * Forward scan over batch headers with pread, through a small buffer so a
 * run of small batches costs one system call. Never reads at or past @end.
 */
#define SEGMENT_SCAN_BUF 8192

typedef struct segment_scan {
    segment_t *seg;
    uint64_t pos; /* next batch */
    uint64_t end;
    uint64_t boff; /* file position of buf[0] */
    size_t blen;
    uint8_t buf[SEGMENT_SCAN_BUF];
} segment_scan_t;

void segment_scan_init(segment_scan_t *sc, segment_t *seg, uint64_t pos,
                       uint64_t end);
/*
 * Next batch header: returns 1 with @h and @pos (its position) filled, 0 at
 * @end, ERR_CORRUPT when a header is bad or a batch crosses @end, ERR_IO.
 */
int segment_scan_next(segment_scan_t *sc, batch_hdr_t *h, uint64_t *pos);

#endif
