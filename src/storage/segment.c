/*
 * segment.c: one log segment: .log + .index + .timeindex (see segment.h).
 *
 * Owns: the segment's files, pwrite of appended bytes, per-batch index
 * bookkeeping, header scans, recovery and truncation of one segment.
 * Does not own: offsets, rolling, retention, locking (plog.c).
 * Spec: Kafka's LogSegment (2.8) for index intervals, recovery and
 * truncation; record batch v2 header (batch.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/oindex.h"
#include "samsa/say.h"
#include "samsa/segment.h"
#include "samsa/tindex.h"
#include "samsa/xmalloc.h"

char *
segment_path(const char *dir, int64_t base, const char *ext)
{
    return xasprintf("%s/%020" PRId64 "%s", dir, base, ext);
}

bool
segment_parse_name(const char *name, const char *ext, int64_t *base)
{
    int64_t v = 0;

    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (name[i] - '0');
    }
    if (strcmp(name + 20, ext) != 0)
        return false;
    *base = v;
    return true;
}

static segment_t *
segment_new(const char *dir, int64_t base)
{
    segment_t *seg = xcalloc(1, sizeof(*seg));

    seg->base = base;
    seg->fd = -1;
    seg->dir = xstrdup(dir);
    seg->oidx.fd = -1;
    seg->tidx.fd = -1;
    atomic_init(&seg->size, 0);
    atomic_init(&seg->next_offset, base);
    atomic_init(&seg->max_ts, -1);
    atomic_init(&seg->refs, 1);
    seg->offset_of_max_ts = base;
    seg->first_ts = -1;
    seg->created_ms = clock_wall_ms();
    return seg;
}

static void
segment_free(segment_t *seg)
{
    idx_close(&seg->oidx);
    idx_close(&seg->tidx);
    if (seg->fd >= 0)
        close(seg->fd);
    free(seg->dir);
    free(seg);
}

void
segment_ref(segment_t *seg)
{
    atomic_fetch_add_explicit(&seg->refs, 1, memory_order_relaxed);
}

void
segment_unref(segment_t *seg)
{
    if (seg != NULL &&
        atomic_fetch_sub_explicit(&seg->refs, 1, memory_order_acq_rel) == 1)
        segment_free(seg);
}

void
segment_unref_fn(void *seg)
{
    segment_unref(seg);
}

static int
segment_open_idx(segment_t *seg, idx_t *ix, const char *ext, size_t esz,
                 bool create)
{
    char *path = segment_path(seg->dir, seg->base, ext);
    int rc;

    if (create)
        unlink(path);
    rc = idx_open(ix, path, esz, true);
    free(path);
    return rc;
}

int
segment_create(const char *dir, int64_t base, int32_t index_bytes,
               segment_t **out)
{
    segment_t *seg = segment_new(dir, base);
    char *path = segment_path(dir, base, ".log");
    int rc;

    seg->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (seg->fd < 0) {
        say_error("create %s: %s", path, strerror(errno));
        free(path);
        segment_free(seg);
        return ERR_IO;
    }
    free(path);
    rc = segment_open_idx(seg, &seg->oidx, ".index", OINDEX_ENTRY_SIZE, true);
    if (rc == 0)
        rc = segment_open_idx(seg, &seg->tidx, ".timeindex", TINDEX_ENTRY_SIZE,
                              true);
    if (rc == 0)
        rc = segment_make_active(seg, index_bytes);
    if (rc != 0) {
        segment_free(seg);
        return rc == ERR_CORRUPT ? ERR_IO : rc;
    }
    *out = seg;
    return 0;
}

int
segment_open(const char *dir, int64_t base, segment_t **out, bool *index_ok)
{
    segment_t *seg = segment_new(dir, base);
    char *path = segment_path(dir, base, ".log");
    struct stat st;
    int rc;

    *index_ok = true;
    seg->fd = open(path, O_RDWR | O_CLOEXEC);
    if (seg->fd < 0 || fstat(seg->fd, &st) < 0) {
        rc = errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
        say_error("open %s: %s", path, strerror(errno));
        free(path);
        segment_free(seg);
        return rc;
    }
    free(path);
    atomic_store(&seg->size, (uint64_t)st.st_size);
    for (int i = 0; i < 2; i++) {
        idx_t *ix = i == 0 ? &seg->oidx : &seg->tidx;
        const char *ext = i == 0 ? ".index" : ".timeindex";
        size_t esz = i == 0 ? OINDEX_ENTRY_SIZE : TINDEX_ENTRY_SIZE;
        char *ipath = segment_path(dir, base, ext);
        bool existed = access(ipath, F_OK) == 0;

        free(ipath);
        rc = segment_open_idx(seg, ix, ext, esz, false);
        if (!existed || rc == ERR_CORRUPT) {
            *index_ok = false;
        } else if (rc != 0) {
            segment_free(seg);
            return rc;
        }
    }
    *out = seg;
    return 0;
}

static int
segment_pread(int fd, uint8_t *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t r = pread(fd, p, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            say_error("pread: %s", strerror(errno));
            return ERR_IO;
        }
        if (r == 0)
            return ERR_CORRUPT; /* file shorter than we were told */
        p += r;
        len -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

void
segment_scan_init(segment_scan_t *sc, segment_t *seg, uint64_t pos,
                  uint64_t end)
{
    sc->seg = seg;
    sc->pos = pos;
    sc->end = end;
    sc->boff = 0;
    sc->blen = 0;
}

int
segment_scan_next(segment_scan_t *sc, batch_hdr_t *h, uint64_t *pos)
{
    uint64_t p = sc->pos;
    int rc;

    if (p >= sc->end)
        return 0;
    if (sc->end - p < BATCH_HEADER_SIZE)
        return ERR_CORRUPT;
    if (sc->blen == 0 || p < sc->boff ||
        p + BATCH_HEADER_SIZE > sc->boff + sc->blen) {
        size_t want = SEGMENT_SCAN_BUF;
        if (sc->end - p < want)
            want = (size_t)(sc->end - p);
        rc = segment_pread(sc->seg->fd, sc->buf, want, p);
        if (rc != 0)
            return rc;
        sc->boff = p;
        sc->blen = want;
    }
    if (batch_hdr_parse(sc->buf + (p - sc->boff), BATCH_HEADER_SIZE, h) != 0)
        return ERR_CORRUPT;
    if (h->last_offset_delta < 0 || batch_size(h) > sc->end - p)
        return ERR_CORRUPT;
    *pos = p;
    sc->pos = p + batch_size(h);
    return 1;
}

void
segment_index_batch(segment_t *seg, const batch_hdr_t *h, uint64_t pos,
                    int32_t index_interval)
{
    int64_t last = batch_last_offset(h);

    if (pos == 0)
        seg->first_ts = h->max_timestamp;
    if (h->max_timestamp >
        atomic_load_explicit(&seg->max_ts, memory_order_relaxed)) {
        atomic_store_explicit(&seg->max_ts, h->max_timestamp,
                              memory_order_relaxed);
        seg->offset_of_max_ts = last;
    }
    if (pos - seg->last_index_pos > (uint64_t)index_interval) {
        /* a full index only means longer scans; no entry is required */
        if (oindex_append(&seg->oidx, seg->base, last, (uint32_t)pos) == 0)
            seg->last_index_pos = pos;
        tindex_maybe_append(
            &seg->tidx, seg->base,
            atomic_load_explicit(&seg->max_ts, memory_order_relaxed),
            seg->offset_of_max_ts);
    }
}

void
segment_publish(segment_t *seg, uint64_t size, int64_t next_offset)
{
    atomic_store_explicit(&seg->next_offset, next_offset, memory_order_release);
    atomic_store_explicit(&seg->size, size, memory_order_release);
}

int
segment_write(segment_t *seg, const uint8_t *p, size_t len)
{
    uint64_t start = atomic_load_explicit(&seg->size, memory_order_relaxed);
    uint64_t off = start;
    int rc;

    while (len > 0) {
        ssize_t w = pwrite(seg->fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = errno == ENOSPC || errno == EDQUOT ? ERR_NOSPC : ERR_IO;
            say_error("pwrite segment %020" PRId64 " in %s: %s", seg->base,
                      seg->dir, strerror(errno));
            /* leave no torn batch behind */
            if (ftruncate(seg->fd, (off_t)start) < 0)
                say_error("ftruncate after failed write: %s", strerror(errno));
            return rc;
        }
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/*
 * Rebuilds the in-memory state (next offset, timestamps, last index
 * position) from the indexes and a header scan of the tail [from, end).
 */
static int
segment_scan_tail(segment_t *seg, uint64_t end)
{
    uint32_t n = idx_count(&seg->oidx);
    segment_scan_t *sc = xmalloc(sizeof(*sc));
    int64_t ts, off, next = seg->base;
    uint32_t from = 0;
    batch_hdr_t h;
    uint64_t pos;
    int rc;

    atomic_store(&seg->max_ts, -1);
    seg->offset_of_max_ts = seg->base;
    seg->first_ts = -1;
    seg->last_index_pos = 0;
    if (n > 0) {
        oindex_entry(&seg->oidx, seg->base, n - 1, NULL, &from);
        seg->last_index_pos = from;
    }
    if (tindex_last(&seg->tidx, seg->base, &ts, &off)) {
        atomic_store(&seg->max_ts, ts);
        seg->offset_of_max_ts = off;
    }
    if (end > 0) {
        segment_scan_init(sc, seg, 0, end);
        rc = segment_scan_next(sc, &h, &pos);
        if (rc < 0)
            goto out;
        seg->first_ts = h.max_timestamp;
    }
    segment_scan_init(sc, seg, from, end);
    while ((rc = segment_scan_next(sc, &h, &pos)) == 1) {
        if (h.base_offset < next) {
            rc = ERR_CORRUPT;
            break;
        }
        next = batch_last_offset(&h) + 1;
        if (h.max_timestamp > atomic_load(&seg->max_ts)) {
            atomic_store(&seg->max_ts, h.max_timestamp);
            seg->offset_of_max_ts = batch_last_offset(&h);
        }
    }
    if (rc == 0) {
        if (next == seg->base && end > 0)
            rc = ERR_CORRUPT; /* an index entry past the data */
        else
            segment_publish(seg, end, next);
    }
out:
    free(sc);
    return rc;
}

int
segment_load(segment_t *seg)
{
    uint64_t size = segment_size(seg);

    if (oindex_sanity(&seg->oidx, seg->base, size) != 0 ||
        tindex_sanity(&seg->tidx, seg->base) != 0)
        return ERR_CORRUPT;
    return segment_scan_tail(seg, size);
}

int
segment_recover(segment_t *seg, int32_t index_interval, int32_t index_bytes,
                int64_t *truncated)
{
    uint64_t size, valid = 0;
    int64_t next = seg->base;
    struct stat st;
    uint8_t *map = NULL;
    int rc;

    *truncated = 0;
    if (fstat(seg->fd, &st) < 0) {
        say_error("fstat segment %020" PRId64 ": %s", seg->base,
                  strerror(errno));
        return ERR_IO;
    }
    size = (uint64_t)st.st_size;
    if ((rc = idx_reset(&seg->oidx)) != 0 ||
        (rc = idx_reset(&seg->tidx)) != 0 ||
        (rc = segment_make_active(seg, index_bytes)) != 0)
        return rc;
    atomic_store(&seg->max_ts, -1);
    seg->offset_of_max_ts = seg->base;
    seg->first_ts = -1;
    seg->last_index_pos = 0;
    if (size > 0) {
        map = mmap(NULL, size, PROT_READ, MAP_SHARED, seg->fd, 0);
        if (map == MAP_FAILED) {
            say_error("mmap segment %020" PRId64 ": %s", seg->base,
                      strerror(errno));
            return ERR_IO;
        }
    }
    while (valid < size) {
        batch_hdr_t h;
        const uint8_t *p = map + valid;

        if (batch_hdr_parse(p, size - valid, &h) != 0)
            break;
        if (batch_size(&h) > size - valid || h.last_offset_delta < 0 ||
            h.base_offset < next ||
            batch_last_offset(&h) - seg->base > INT32_MAX ||
            !batch_crc_ok(p, &h))
            break;
        segment_index_batch(seg, &h, valid, index_interval);
        next = batch_last_offset(&h) + 1;
        valid += batch_size(&h);
    }
    if (map != NULL)
        munmap(map, size);
    if (valid < size) {
        say_warn("segment %s/%020" PRId64 ".log: invalid batch at position "
                 "%" PRIu64 ", truncating %" PRIu64 " bytes",
                 seg->dir, seg->base, valid, size - valid);
        if (ftruncate(seg->fd, (off_t)valid) < 0) {
            say_error("ftruncate segment: %s", strerror(errno));
            return ERR_IO;
        }
        *truncated = (int64_t)(size - valid);
    }
    segment_publish(seg, valid, next);
    return 0;
}

int
segment_make_active(segment_t *seg, int32_t index_bytes)
{
    int rc = idx_make_writable(&seg->oidx, (size_t)index_bytes);

    if (rc == 0)
        rc = idx_make_writable(&seg->tidx, (size_t)index_bytes);
    return rc;
}

int
segment_make_inactive(segment_t *seg)
{
    int64_t max_ts = atomic_load(&seg->max_ts);
    int rc;

    /* Kafka's onBecomeInactiveSegment: the final largest timestamp */
    if (max_ts >= 0)
        tindex_maybe_append(&seg->tidx, seg->base, max_ts,
                            seg->offset_of_max_ts);
    rc = idx_trim(&seg->oidx);
    if (rc == 0)
        rc = idx_trim(&seg->tidx);
    return rc;
}

int
segment_flush(segment_t *seg)
{
    int rc;

    if (fdatasync(seg->fd) < 0) {
        say_error("fdatasync segment %s/%020" PRId64 ": %s", seg->dir,
                  seg->base, strerror(errno));
        return ERR_IO;
    }
    rc = idx_flush(&seg->oidx);
    if (rc == 0)
        rc = idx_flush(&seg->tidx);
    return rc;
}

int
segment_truncate_to(segment_t *seg, int64_t offset, int64_t *new_next)
{
    uint64_t size = segment_size(seg), cut = size;
    segment_scan_t *sc = xmalloc(sizeof(*sc));
    int64_t first_removed = -1;
    batch_hdr_t h;
    uint64_t pos;
    int64_t slot;
    int rc;

    segment_scan_init(sc, seg,
                      oindex_lookup(&seg->oidx, seg->base, offset, NULL), size);
    while ((rc = segment_scan_next(sc, &h, &pos)) == 1) {
        if (batch_last_offset(&h) >= offset) {
            cut = pos;
            first_removed = h.base_offset;
            break;
        }
    }
    free(sc);
    if (rc < 0)
        return rc;
    if (first_removed < 0) {
        *new_next = atomic_load(&seg->next_offset);
        return 0;
    }
    if (ftruncate(seg->fd, (off_t)cut) < 0) {
        say_error("ftruncate segment %020" PRId64 ": %s", seg->base,
                  strerror(errno));
        return ERR_IO;
    }
    oindex_truncate_to(&seg->oidx, seg->base, first_removed);
    slot = cut > 0
               ? oindex_slot_for_pos(&seg->oidx, idx_count(&seg->oidx), cut - 1)
               : -1;
    idx_truncate(&seg->oidx, (uint32_t)(slot + 1));
    tindex_truncate_to(&seg->tidx, seg->base, first_removed);
    rc = segment_scan_tail(seg, cut);
    *new_next = atomic_load(&seg->next_offset);
    return rc;
}

int
segment_delete_files(segment_t *seg)
{
    static const char *const exts[] = {".log", ".index", ".timeindex"};
    int rc = 0;

    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        char *path = segment_path(seg->dir, seg->base, exts[i]);
        if (unlink(path) < 0 && errno != ENOENT) {
            say_error("unlink %s: %s", path, strerror(errno));
            rc = ERR_IO;
        }
        free(path);
    }
    seg->deleted = true;
    return rc;
}

int64_t
segment_largest_ts(segment_t *seg)
{
    int64_t ts = atomic_load(&seg->max_ts);
    struct stat st;

    if (ts >= 0)
        return ts;
    if (fstat(seg->fd, &st) < 0)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}
