/*
 * plog.c: the partition log (see plog.h).
 *
 * Owns: the segment list of one partition, offset assignment, reads as
 * file slices, flush policy, rolling, truncation, retention of whole
 * segments, and recovery on open. Does not own: the files of one segment
 * (segment.c), checkpoints and the background thread (logmgr.c).
 * Spec: Kafka 2.8 kafka.log.Log; KIP-74 (first batch whole); record batch
 * v2 (batch.h).
 *
 * Durability invariants (tests name the one they check):
 *
 *  I1. Offsets are assigned only under plog->lock, contiguously from the
 *      log end offset (LEO); each batch's baseOffset is rewritten in place
 *      before the bytes are written, so the file never holds an offset
 *      twice or out of order.
 *  I2. One append is one pwrite of all its bytes. Nothing of it is visible
 *      to readers (segment size, LEO) until the whole pwrite returned; a
 *      failed write is cut back off the file.
 *  I3. Every offset-index entry (o, p) names a batch boundary p whose
 *      batch has baseOffset <= o; entries rise strictly in o and p and are
 *      published before the size that covers them. Lookups are therefore
 *      conservative and a forward header scan always finds the batch.
 *  I4. Every batch below the recovery point has been fsync'd (log and
 *      indexes): the recovery point only moves after fsync returned, and
 *      never above LEO.
 *  I5. With flush.interval.messages = N, an append that brings the
 *      unflushed count to >= N returns only after that fsync.
 *  I6. On open without a clean-shutdown marker, every segment holding or
 *      following the recovery point is re-validated (header, CRC32C,
 *      increasing offsets); the first bad batch and everything after it,
 *      later segments included, is removed, and indexes are rebuilt. Bytes
 *      that validate are never removed.
 *  I7. log start offset <= high watermark <= LEO. Retention and
 *      DeleteRecords delete only whole segments whose upper bound (the
 *      next segment's base offset, or the LEO for the active segment) is
 *      <= the high watermark; an expired non-empty active segment is rolled
 *      first, so the log always keeps an active segment at the LEO.
 *  I8. A segment removed from the list keeps its descriptor open until the
 *      last reference (a fetch being sent) is dropped.
 *  I9. A follower's append (plog_append_replica) keeps each batch's
 *      baseOffset and partitionLeaderEpoch as the leader wrote them and is
 *      refused whole (ERR_RANGE) unless the batches continue the log
 *      exactly: the first baseOffset is the LEO and each next one follows
 *      the previous batch's last offset. The follower's log therefore stays
 *      a prefix-identical copy of the leader's, offset for offset.
 *  I10. Once an fsync or a truncation has failed, the log refuses
 *      appends (ERR_IO) until it is reopened: data already published
 *      stands (a producer that was told of the failure may retry and
 *      duplicate it, but nothing acknowledged is lost), and no append
 *      lands after bytes whose state is unknown.
 *  I11. Truncation takes flush_lock first, so no fsync in flight records
 *      a recovery point past the cut (I4); it unlinks later segments
 *      highest first and cuts the kept segment last, so a crash at any
 *      point leaves a prefix of the old log.
 *
 * Recovery of one log on open (plog_open):
 *
 *      list *.log --> [segment i] --clean marker, index sane--> LOADED
 *                        |   \                                    |
 *                        |    `--index missing/corrupt--.         |
 *                        | no marker and i holds or      v        |
 *                        | follows the recovery point  RECOVER ---+
 *                        |                               |        |
 *                        |          bad batch found: cut file,    |
 *                        |          delete segments i+1..         |
 *                        v                                        v
 *                     next i  <----------------------------------'
 *      last segment --> ACTIVE (indexes preallocated and writable)
 *
 *   LOADED: segment_load() (index sanity + header scan of the tail)
 *   RECOVER: segment_recover() (full validation + index rebuild)
 *   ACTIVE: segment_make_active()
 *
 * Locks: plog->lock (mutex) covers offset assignment, the write, index
 * updates, config, flush counters and any change of the segment list;
 * plog->segs_lock (rwlock, writer-preferring) is taken shared by readers
 * and exclusively, inside plog->lock, by whoever changes the list.
 * plog->flush_lock serialises fsyncs and is taken outside plog->lock.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/oindex.h"
#include "samsa/plog.h"
#include "samsa/say.h"
#include "samsa/segment.h"
#include "samsa/tindex.h"
#include "samsa/xmalloc.h"

struct plog {
    char *dir;
    char *topic;
    int32_t partition;
    _Atomic int refs;

    pthread_mutex_t lock;
    pthread_rwlock_t segs_lock;
    pthread_mutex_t flush_lock;

    segment_t **segs; /* ascending base offsets; the last is active */
    int nsegs;
    int segs_cap;

    _Atomic int64_t leo;
    _Atomic int64_t lso;
    _Atomic int64_t hw;
    _Atomic int64_t rp;

    /* under lock */
    log_config_t cfg;
    int64_t unflushed_msgs;
    int64_t last_flush_mono;
    bool closed;
    bool deleted;
    bool failed; /* I10: an fsync or a truncation failed */
};

void
log_config_defaults(log_config_t *cfg)
{
    cfg->segment_bytes = 1073741824;
    cfg->segment_ms = 604800000;
    cfg->retention_ms = 604800000;
    cfg->retention_bytes = -1;
    cfg->flush_interval_messages = INT64_MAX;
    cfg->flush_interval_ms = -1;
    cfg->index_interval_bytes = 4096;
    cfg->segment_index_bytes = 10485760;
    cfg->max_message_bytes = 1048588;
}

static inline segment_t *
plog_active(plog_t *plog)
{
    return plog->segs[plog->nsegs - 1];
}

static void
plog_push_seg(plog_t *plog, segment_t *seg)
{
    if (plog->nsegs == plog->segs_cap) {
        plog->segs_cap = plog->segs_cap ? plog->segs_cap * 2 : 8;
        plog->segs =
            xrealloc(plog->segs, (size_t)plog->segs_cap * sizeof(*plog->segs));
    }
    plog->segs[plog->nsegs++] = seg;
}

/* index of the segment with the largest base <= @offset, or -1 */
static int
plog_find_seg(plog_t *plog, int64_t offset)
{
    int lo = 0, hi = plog->nsegs - 1, found = -1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (plog->segs[mid]->base <= offset) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

static void
plog_delete_segs(plog_t *plog, segment_t **segs, int n, const char *why)
{
    for (int i = 0; i < n; i++) {
        say_info("%s-%d: deleting segment %020" PRId64 " (%s)", plog->topic,
                 plog->partition, segs[i]->base, why);
        segment_delete_files(segs[i]);
        segment_unref(segs[i]);
    }
}

/* ------------------------------------------------------------------ */
/* open and recovery                                                   */

static int
plog_cmp_base(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* collects segment bases; removes index files that have no .log */
static int
plog_list_dir(const char *dir, int64_t **bases, int *nbases, char *errbuf,
              size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0, cap = 0;
    int64_t base, *v = NULL;

    if (d == NULL) {
        snprintf(errbuf, errlen, "opendir %s: %s", dir, strerror(errno));
        return ERR_IO;
    }
    while ((de = readdir(d)) != NULL) {
        if (segment_parse_name(de->d_name, ".log", &base)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                v = xrealloc(v, (size_t)cap * sizeof(*v));
            }
            v[n++] = base;
        } else if (segment_parse_name(de->d_name, ".index", &base) ||
                   segment_parse_name(de->d_name, ".timeindex", &base)) {
            char *log = segment_path(dir, base, ".log");
            if (access(log, F_OK) != 0) {
                char *path = xasprintf("%s/%s", dir, de->d_name);
                say_warn("removing orphan index %s", path);
                unlink(path);
                free(path);
            }
            free(log);
        }
    }
    closedir(d);
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), plog_cmp_base);
    *bases = v;
    *nbases = n;
    return 0;
}

static int
plog_load_segments(plog_t *plog, const plog_open_opts_t *opts, char *errbuf,
                   size_t errlen)
{
    int64_t *bases = NULL;
    int nbases = 0, rc;
    bool *index_ok;

    rc = plog_list_dir(plog->dir, &bases, &nbases, errbuf, errlen);
    if (rc != 0)
        return rc;
    index_ok = xcalloc((size_t)nbases + 1, sizeof(*index_ok));
    for (int i = 0; i < nbases; i++) {
        segment_t *seg;
        rc = segment_open(plog->dir, bases[i], &seg, &index_ok[i]);
        if (rc != 0) {
            snprintf(errbuf, errlen, "%s: cannot open segment %020" PRId64,
                     plog->dir, bases[i]);
            goto out;
        }
        plog_push_seg(plog, seg);
    }
    for (int i = 0; i < plog->nsegs; i++) {
        segment_t *seg = plog->segs[i];
        bool last = i == plog->nsegs - 1;
        bool recover = !opts->clean &&
                       (last || plog->segs[i + 1]->base > opts->recovery_point);
        int64_t truncated = 0;

        if (!recover) {
            rc = index_ok[i] ? segment_load(seg) : ERR_CORRUPT;
            if (rc == ERR_CORRUPT) {
                say_warn("%s: index of segment %020" PRId64 " missing or "
                         "corrupt, rebuilding",
                         plog->dir, seg->base);
                recover = true;
            } else if (rc != 0) {
                snprintf(errbuf, errlen, "%s: cannot load segment %020" PRId64,
                         plog->dir, seg->base);
                goto out;
            }
        }
        if (recover) {
            rc = segment_recover(seg, plog->cfg.index_interval_bytes,
                                 plog->cfg.segment_index_bytes, &truncated);
            if (rc != 0) {
                snprintf(errbuf, errlen,
                         "%s: cannot recover segment %020" PRId64, plog->dir,
                         seg->base);
                goto out;
            }
            if (truncated > 0 && !last) {
                /* I6: nothing after a bad batch survives */
                plog_delete_segs(plog, plog->segs + i + 1, plog->nsegs - i - 1,
                                 "after corrupt batch");
                plog->nsegs = i + 1;
                last = true;
            }
            if (!last && (rc = segment_make_inactive(seg)) != 0)
                goto out;
        }
    }
    rc = 0;
out:
    free(index_ok);
    free(bases);
    return rc;
}

int
plog_open(plog_t **out, const char *dir, const char *topic, int32_t partition,
          const log_config_t *cfg, const plog_open_opts_t *opts, char *errbuf,
          size_t errlen)
{
    plog_t *plog = xcalloc(1, sizeof(*plog));
    pthread_rwlockattr_t ra;
    int64_t leo, lso, hw;
    segment_t *active;
    int rc;

    plog->dir = xstrdup(dir);
    plog->topic = xstrdup(topic);
    plog->partition = partition;
    plog->cfg = *cfg;
    atomic_init(&plog->refs, 1);
    pthread_mutex_init(&plog->lock, NULL);
    pthread_mutex_init(&plog->flush_lock, NULL);
    pthread_rwlockattr_init(&ra);
    /* a steady stream of fetches must not starve a roll */
    pthread_rwlockattr_setkind_np(&ra,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&plog->segs_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    plog->last_flush_mono = clock_mono_ms();

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "mkdir %s: %s", dir, strerror(errno));
        rc = ERR_IO;
        goto fail;
    }
    rc = plog_load_segments(plog, opts, errbuf, errlen);
    if (rc != 0)
        goto fail;
    if (plog->nsegs == 0) {
        segment_t *seg;
        int64_t base = opts->log_start_offset > 0 ? opts->log_start_offset : 0;
        rc = segment_create(dir, base, cfg->segment_index_bytes, &seg);
        if (rc != 0) {
            snprintf(errbuf, errlen, "%s: cannot create first segment", dir);
            goto fail;
        }
        plog_push_seg(plog, seg);
    }
    active = plog_active(plog);
    rc = segment_make_active(active, cfg->segment_index_bytes);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s: cannot map active indexes", dir);
        goto fail;
    }
    leo = atomic_load(&active->next_offset);
    lso = plog->segs[0]->base;
    if (opts->log_start_offset > lso)
        lso = opts->log_start_offset;
    if (lso > leo)
        lso = leo;
    hw = opts->high_watermark;
    if (hw < lso)
        hw = lso;
    if (hw > leo)
        hw = leo;
    atomic_init(&plog->leo, leo);
    atomic_init(&plog->lso, lso);
    atomic_init(&plog->hw, hw);
    atomic_init(&plog->rp, opts->clean || opts->recovery_point > leo
                               ? leo
                               : opts->recovery_point);
    say_info("%s-%d: loaded %d segment(s), log start %" PRId64
             ", log end %" PRId64 "%s",
             topic, partition, plog->nsegs, lso, leo,
             opts->clean ? "" : " (recovered)");
    *out = plog;
    return 0;
fail:
    plog_unref(plog);
    return rc;
}

void
plog_ref(plog_t *plog)
{
    atomic_fetch_add_explicit(&plog->refs, 1, memory_order_relaxed);
}

void
plog_unref(plog_t *plog)
{
    if (plog == NULL ||
        atomic_fetch_sub_explicit(&plog->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (int i = 0; i < plog->nsegs; i++)
        segment_unref(plog->segs[i]);
    free(plog->segs);
    pthread_mutex_destroy(&plog->lock);
    pthread_mutex_destroy(&plog->flush_lock);
    pthread_rwlock_destroy(&plog->segs_lock);
    free(plog->dir);
    free(plog->topic);
    free(plog);
}

int
plog_close(plog_t *plog)
{
    int rc = plog_flush(plog);

    pthread_mutex_lock(&plog->lock);
    if (!plog->closed && !plog->deleted) {
        int rc2 = segment_make_inactive(plog_active(plog));
        if (rc == 0)
            rc = rc2;
        if (rc == 0)
            rc = segment_flush(plog_active(plog));
    }
    plog->closed = true;
    pthread_mutex_unlock(&plog->lock);
    return rc;
}

void
plog_mark_deleted(plog_t *plog)
{
    pthread_mutex_lock(&plog->lock);
    plog->deleted = true;
    pthread_mutex_unlock(&plog->lock);
}

/* ------------------------------------------------------------------ */
/* append                                                              */

/* a new active segment at the log end; plog->lock held */
static int
plog_roll_locked(plog_t *plog)
{
    segment_t *old = plog_active(plog), *seg;
    int64_t base = atomic_load(&plog->leo);
    int rc;

    if (segment_size(old) == 0)
        return 0;
    rc = segment_create(plog->dir, base, plog->cfg.segment_index_bytes, &seg);
    if (rc != 0)
        return rc;
    rc = segment_make_inactive(old);
    if (rc != 0)
        say_warn("%s-%d: trimming indexes of %020" PRId64 ": %s", plog->topic,
                 plog->partition, old->base, err_str(rc));
    pthread_rwlock_wrlock(&plog->segs_lock);
    plog_push_seg(plog, seg);
    pthread_rwlock_unlock(&plog->segs_lock);
    say_debug("%s-%d: rolled new segment %020" PRId64, plog->topic,
              plog->partition, base);
    return 0;
}

/* Kafka's Log.maybeRoll / LogSegment.shouldRoll */
static bool
plog_should_roll_locked(plog_t *plog, size_t len, int64_t max_ts,
                        int64_t last_offset)
{
    segment_t *seg = plog_active(plog);
    uint64_t size = segment_size(seg);
    int64_t waited;

    if (size == 0)
        return false;
    if (size + len > (uint64_t)plog->cfg.segment_bytes)
        return true;
    if (seg->first_ts >= 0)
        waited = max_ts - seg->first_ts;
    else
        waited = clock_wall_ms() - seg->created_ms;
    if (plog->cfg.segment_ms >= 0 && waited > plog->cfg.segment_ms)
        return true;
    if (idx_full(&seg->oidx) || idx_full(&seg->tidx))
        return true;
    return last_offset - seg->base > INT32_MAX;
}

/*
 * The two appends: a leader's (@assign: offsets and epoch rewritten, I1)
 * and a follower's (offsets kept, I9). Everything else is shared.
 */
static int
plog_append_common(plog_t *plog, uint8_t *batches, size_t len, bool assign,
                   int32_t leader_epoch, plog_append_info_t *info)
{
    int64_t nmsgs = 0, max_ts = -1, base, next, lso;
    segment_t *seg;
    uint64_t start;
    batch_hdr_t h;
    bool flush;
    size_t pos;
    int rc;

    if (len == 0)
        return ERR_INVAL;
    /* framing and counts, outside the lock: only headers are touched */
    for (pos = 0; pos < len; pos += batch_size(&h)) {
        if (batch_hdr_parse(batches + pos, len - pos, &h) != 0 ||
            batch_size(&h) > len - pos || h.last_offset_delta < 0)
            return ERR_CORRUPT;
        nmsgs += (int64_t)h.last_offset_delta + 1;
        if (h.max_timestamp > max_ts)
            max_ts = h.max_timestamp;
    }

    pthread_mutex_lock(&plog->lock);
    if (plog->closed || plog->deleted) {
        rc = ERR_STATE;
        goto out;
    }
    if (plog->failed) {
        rc = ERR_IO;
        goto out;
    }
    if ((int64_t)len > plog->cfg.segment_bytes) {
        rc = ERR_TOOBIG;
        goto out;
    }
    for (pos = 0; pos < len; pos += batch_size(&h)) {
        batch_hdr_parse(batches + pos, len - pos, &h);
        if (batch_size(&h) > (size_t)plog->cfg.max_message_bytes) {
            rc = ERR_TOOBIG;
            goto out;
        }
    }
    base = atomic_load(&plog->leo);
    if (!assign) {
        /* I9: the leader's offsets, contiguous from our log end */
        next = base;
        for (pos = 0; pos < len; pos += batch_size(&h)) {
            batch_hdr_parse(batches + pos, len - pos, &h);
            if (h.base_offset != next) {
                rc = ERR_RANGE;
                goto out;
            }
            next += (int64_t)h.last_offset_delta + 1;
        }
    }
    if (plog_should_roll_locked(plog, len, max_ts, base + nmsgs - 1)) {
        rc = plog_roll_locked(plog);
        if (rc != 0)
            goto out;
    }
    seg = plog_active(plog);
    start = segment_size(seg);
    /* I1: offsets assigned in place, outside the CRC (I9: kept, and
     * @next already past them, for a follower) */
    if (assign)
        next = base;
    for (pos = 0; assign && pos < len; pos += batch_size(&h)) {
        batch_hdr_parse(batches + pos, len - pos, &h);
        batch_set_base_offset(batches + pos, next);
        batch_set_leader_epoch(batches + pos, leader_epoch);
        next += (int64_t)h.last_offset_delta + 1;
    }
    /* I2: one write, then publish */
    rc = segment_write(seg, batches, len);
    if (rc != 0)
        goto out;
    for (pos = 0; pos < len; pos += batch_size(&h)) {
        batch_hdr_parse(batches + pos, len - pos, &h);
        segment_index_batch(seg, &h, start + pos,
                            plog->cfg.index_interval_bytes);
    }
    segment_publish(seg, start + len, next);
    atomic_store_explicit(&plog->leo, next, memory_order_release);
    plog->unflushed_msgs += nmsgs;
    flush = plog->unflushed_msgs >= plog->cfg.flush_interval_messages;
    lso = atomic_load(&plog->lso);
    pthread_mutex_unlock(&plog->lock);

    if (info != NULL) {
        info->base_offset = base;
        info->last_offset = next - 1;
        info->log_append_time = -1;
        info->log_start_offset = lso;
    }
    /* I5: the fsync the policy demands, outside the partition lock */
    if (flush)
        return plog_flush_to(plog, next);
    return 0;
out:
    pthread_mutex_unlock(&plog->lock);
    return rc;
}

int
plog_append(plog_t *plog, uint8_t *batches, size_t len, int32_t leader_epoch,
            plog_append_info_t *info)
{
    return plog_append_common(plog, batches, len, true, leader_epoch, info);
}

int
plog_append_replica(plog_t *plog, uint8_t *batches, size_t len,
                    plog_append_info_t *info)
{
    return plog_append_common(plog, batches, len, false, -1, info);
}

/* ------------------------------------------------------------------ */
/* read                                                                */

/*
 * Within @seg (published size @size): [start, end) of whole batches for
 * plog_read. Returns 1 with a range, 0 when @offset is past this segment's
 * data, 2 when the first batch is at or past @max_offset, or an error.
 * segs_lock held shared.
 */
static int
plog_read_seg(segment_t *seg, uint64_t size, int64_t offset, int32_t max_bytes,
              int64_t max_offset, uint64_t *start, uint64_t *end)
{
    segment_scan_t sc;
    batch_hdr_t h;
    uint64_t pos, limit;
    int64_t s1, s2;
    uint32_t n, jpos;
    int rc;

    segment_scan_init(&sc, seg,
                      oindex_lookup(&seg->oidx, seg->base, offset, NULL), size);
    while ((rc = segment_scan_next(&sc, &h, &pos)) == 1)
        if (batch_last_offset(&h) >= offset)
            break;
    if (rc <= 0)
        return rc;
    if (h.base_offset >= max_offset)
        return 2;
    *start = pos;
    *end = pos + batch_size(&h);
    limit = max_bytes > 0 ? pos + (uint64_t)max_bytes : pos;
    if (limit < *end)
        limit = *end; /* KIP-74 */
    if (limit > size)
        limit = size;

    /*
     * Skip the headers between here and the limit through the index (I3):
     * the last entry at or below the limit whose offset is below
     * max_offset starts a batch that, with everything before it, belongs
     * in the result.
     */
    n = idx_count(&seg->oidx);
    s1 = oindex_slot_for_pos(&seg->oidx, n, limit);
    s2 = oindex_slot_for_offset(&seg->oidx, n, seg->base, max_offset - 1);
    if (s2 < s1)
        s1 = s2;
    if (s1 >= 0) {
        oindex_entry(&seg->oidx, seg->base, (uint32_t)s1, NULL, &jpos);
        if (jpos > *end)
            *end = jpos;
    }
    segment_scan_init(&sc, seg, *end, size);
    for (;;) {
        uint64_t bend;
        rc = segment_scan_next(&sc, &h, &pos);
        if (rc <= 0)
            break;
        bend = pos + batch_size(&h);
        if (bend > limit || h.base_offset >= max_offset)
            break;
        *end = bend;
    }
    return rc < 0 ? rc : 1;
}

int
plog_read(plog_t *plog, int64_t offset, int32_t max_bytes, int64_t max_offset,
          fslice_t *out)
{
    int64_t leo = atomic_load_explicit(&plog->leo, memory_order_acquire);
    int rc = 0;
    int i;

    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (offset < atomic_load(&plog->lso) || offset > leo)
        return ERR_RANGE;
    if (offset == leo || offset >= max_offset)
        return 0;
    pthread_rwlock_rdlock(&plog->segs_lock);
    i = plog_find_seg(plog, offset);
    if (i < 0) {
        rc = ERR_RANGE;
        goto out;
    }
    for (; i < plog->nsegs; i++) {
        segment_t *seg = plog->segs[i];
        uint64_t start, end;

        rc = plog_read_seg(seg, segment_size(seg), offset, max_bytes,
                           max_offset, &start, &end);
        if (rc == 0)
            continue;
        if (rc == 1) {
            segment_ref(seg);
            out->fd = seg->fd;
            out->off = start;
            out->len = (size_t)(end - start);
            out->unref = segment_unref_fn;
            out->ref = seg;
            rc = 0;
        } else if (rc == 2) {
            rc = 0;
        } else {
            say_error("%s-%d: reading segment %020" PRId64 ": %s", plog->topic,
                      plog->partition, seg->base, err_str(rc));
        }
        break;
    }
    if (rc == 1)
        rc = 0;
out:
    pthread_rwlock_unlock(&plog->segs_lock);
    return rc;
}

/* ------------------------------------------------------------------ */
/* timestamps                                                          */

/* first record in the batch at @pos with timestamp >= @ts; 1 if found */
static int
plog_search_batch(segment_t *seg, uint64_t pos, const batch_hdr_t *h,
                  int64_t ts, int64_t min_offset, int64_t *offset,
                  int64_t *found_ts)
{
    size_t len = batch_size(h);
    uint8_t *p = xmalloc(len);
    batch_iter_t it;
    batch_record_t rec;
    int rc, found = 0;

    if (pread(seg->fd, p, len, (off_t)pos) != (ssize_t)len) {
        free(p);
        return ERR_IO;
    }
    if (batch_iter_init(&it, p, len) != 0) {
        /* cannot see inside: answer at batch granularity */
        if (h->base_offset >= min_offset) {
            *offset = h->base_offset;
            *found_ts = h->max_timestamp;
            found = 1;
        }
        batch_iter_fini(&it);
        free(p);
        return found;
    }
    while ((rc = batch_iter_next(&it, &rec)) == 1) {
        int64_t rts = (h->attributes & BATCH_ATTR_TIMESTAMP_LOG_APPEND)
                          ? h->max_timestamp
                          : h->base_timestamp + rec.timestamp_delta;
        int64_t roff = h->base_offset + rec.offset_delta;
        if (rts >= ts && roff >= min_offset) {
            *offset = roff;
            *found_ts = rts;
            found = 1;
            break;
        }
    }
    batch_iter_fini(&it);
    free(p);
    return found;
}

int
plog_offset_for_timestamp(plog_t *plog, int64_t ts, int64_t *offset,
                          int64_t *found_ts)
{
    int64_t lso = atomic_load(&plog->lso);
    int rc = 0;

    pthread_rwlock_rdlock(&plog->segs_lock);
    for (int i = 0; i < plog->nsegs && rc == 0; i++) {
        segment_t *seg = plog->segs[i];
        segment_scan_t *sc;
        int64_t from;
        batch_hdr_t h;
        uint64_t pos;

        if (atomic_load(&seg->max_ts) < ts ||
            atomic_load(&seg->next_offset) <= lso)
            continue;
        from = tindex_lookup_before(&seg->tidx, seg->base, ts);
        sc = xmalloc(sizeof(*sc));
        segment_scan_init(sc, seg,
                          oindex_lookup(&seg->oidx, seg->base, from, NULL),
                          segment_size(seg));
        while (rc == 0 && segment_scan_next(sc, &h, &pos) == 1) {
            if (h.max_timestamp < ts || batch_last_offset(&h) < lso)
                continue;
            rc = plog_search_batch(seg, pos, &h, ts, lso, offset, found_ts);
        }
        free(sc);
    }
    pthread_rwlock_unlock(&plog->segs_lock);
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : ERR_NOTFOUND;
}

/* ------------------------------------------------------------------ */
/* flush                                                               */

int
plog_flush_to(plog_t *plog, int64_t offset)
{
    segment_t **segs = NULL;
    int64_t target, leo, msgs = 0;
    int nsegs = 0, rc = 0;

    pthread_mutex_lock(&plog->flush_lock);
    pthread_mutex_lock(&plog->lock);
    leo = atomic_load(&plog->leo);
    target = offset < leo ? offset : leo;
    if (target > atomic_load(&plog->rp)) {
        int64_t rp = atomic_load(&plog->rp);
        segs = xmalloc((size_t)plog->nsegs * sizeof(*segs));
        for (int i = 0; i < plog->nsegs; i++) {
            segment_t *seg = plog->segs[i];
            bool last = i == plog->nsegs - 1;
            if (seg->base >= target)
                break;
            if (!last && plog->segs[i + 1]->base <= rp)
                continue;
            segment_ref(seg);
            segs[nsegs++] = seg;
        }
        if (target == leo)
            msgs = plog->unflushed_msgs;
    }
    pthread_mutex_unlock(&plog->lock);

    for (int i = 0; i < nsegs; i++) {
        if (rc == 0)
            rc = segment_flush(segs[i]);
        segment_unref(segs[i]);
    }
    free(segs);

    pthread_mutex_lock(&plog->lock);
    if (rc == 0 && target > atomic_load(&plog->rp)) {
        atomic_store(&plog->rp, target); /* I4: only after fsync */
        plog->unflushed_msgs -= msgs;
        plog->last_flush_mono = clock_mono_ms();
    } else if (rc != 0 && !plog->failed) {
        /* I10: what was appended stands, but nothing more is accepted */
        plog->failed = true;
        say_error("%s-%d: fsync failed (%s); the log refuses appends until "
                  "the broker restarts",
                  plog->topic, plog->partition, err_str(rc));
    }
    pthread_mutex_unlock(&plog->lock);
    pthread_mutex_unlock(&plog->flush_lock);
    return rc;
}

int
plog_flush(plog_t *plog)
{
    return plog_flush_to(plog, INT64_MAX);
}

/* ------------------------------------------------------------------ */
/* truncation, retention, background                                   */

/*
 * Replaces every segment by an empty one at @offset (Kafka's
 * truncateFullyAndStartAt). Both locks held; the old segments are returned
 * in @gone (their files already unlinked) for the caller to unref.
 */
static int
plog_truncate_fully_locked(plog_t *plog, int64_t offset, segment_t **gone,
                           int *ngone)
{
    segment_t *seg;
    int rc;

    /* names first: the new segment may be named like an old one (I8 keeps
     * the old descriptors readable) */
    for (int i = 0; i < plog->nsegs; i++)
        segment_delete_files(plog->segs[i]);
    rc = segment_create(plog->dir, offset, plog->cfg.segment_index_bytes, &seg);
    if (rc != 0) {
        plog->failed = true;
        return rc;
    }
    for (int i = 0; i < plog->nsegs; i++)
        gone[(*ngone)++] = plog->segs[i];
    plog->nsegs = 0;
    plog_push_seg(plog, seg);
    atomic_store(&plog->leo, offset);
    atomic_store(&plog->lso, offset);
    atomic_store(&plog->hw, offset);
    atomic_store(&plog->rp, offset);
    say_info("%s-%d: truncated fully, log starts at %" PRId64, plog->topic,
             plog->partition, offset);
    return 0;
}

/*
 * Cuts the log back to @offset. I11: later segments are unlinked first,
 * the highest first, and the kept segment is cut last, so a crash at any
 * point leaves a prefix of the old log (recovery and the follower's next
 * OffsetForLeaderEpoch finish the job). A cut that fails marks the log
 * failed (I10) instead of leaving a log end past the data.
 */
static int
plog_truncate(plog_t *plog, int64_t offset, bool fully)
{
    segment_t **gone;
    int ngone = 0, rc = 0;
    int64_t leo = offset;

    if (offset < 0)
        return ERR_INVAL;
    /* no flush in flight may record a recovery point past the cut (I4) */
    pthread_mutex_lock(&plog->flush_lock);
    pthread_mutex_lock(&plog->lock);
    if (!fully && offset >= atomic_load(&plog->leo)) {
        pthread_mutex_unlock(&plog->lock);
        pthread_mutex_unlock(&plog->flush_lock);
        return 0;
    }
    pthread_rwlock_wrlock(&plog->segs_lock);
    gone = xmalloc((size_t)(plog->nsegs + 1) * sizeof(*gone));
    if (fully || offset < plog->segs[0]->base) {
        rc = plog_truncate_fully_locked(plog, offset, gone, &ngone);
        goto unlock;
    }
    while (plog->nsegs > 1 && plog_active(plog)->base > offset) {
        segment_t *seg = plog->segs[--plog->nsegs];

        say_info("%s-%d: deleting segment %020" PRId64 " (truncation)",
                 plog->topic, plog->partition, seg->base);
        segment_delete_files(seg);
        gone[ngone++] = seg;
    }
    rc = segment_truncate_to(plog_active(plog), offset, &leo);
    if (rc == 0 && ngone > 0)
        rc = segment_make_active(plog_active(plog),
                                 plog->cfg.segment_index_bytes);
    if (rc != 0) {
        plog->failed = true;
        say_error("%s-%d: truncation to %" PRId64 " failed (%s); the log "
                  "refuses appends until the broker restarts",
                  plog->topic, plog->partition, offset, err_str(rc));
        leo =
            offset < atomic_load(&plog->leo) ? offset : atomic_load(&plog->leo);
    }
    atomic_store(&plog->leo, leo);
    if (atomic_load(&plog->hw) > leo)
        atomic_store(&plog->hw, leo);
    if (atomic_load(&plog->rp) > leo)
        atomic_store(&plog->rp, leo);
    if (atomic_load(&plog->lso) > leo)
        atomic_store(&plog->lso, leo);
    if (rc == 0)
        say_info("%s-%d: truncated to offset %" PRId64 " (log end %" PRId64 ")",
                 plog->topic, plog->partition, offset, leo);
unlock:
    pthread_rwlock_unlock(&plog->segs_lock);
    pthread_mutex_unlock(&plog->lock);
    pthread_mutex_unlock(&plog->flush_lock);
    for (int i = 0; i < ngone; i++)
        segment_unref(gone[i]);
    free(gone);
    return rc;
}

int
plog_truncate_to(plog_t *plog, int64_t offset)
{
    return plog_truncate(plog, offset, false);
}

int
plog_truncate_fully(plog_t *plog, int64_t offset)
{
    return plog_truncate(plog, offset, true);
}

int
plog_delete_records(plog_t *plog, int64_t offset)
{
    int rc = 0;

    pthread_mutex_lock(&plog->lock);
    if (offset > atomic_load(&plog->hw))
        rc = ERR_RANGE;
    else if (offset > atomic_load(&plog->lso))
        atomic_store(&plog->lso, offset);
    pthread_mutex_unlock(&plog->lock);
    return rc;
}

typedef enum plog_retain_kind {
    PLOG_RETAIN_START,
    PLOG_RETAIN_TIME,
    PLOG_RETAIN_SIZE,
} plog_retain_kind_t;

/*
 * How many segments from @first are deletable by @kind (Kafka's
 * deletableSegments): never the active one, never one whose successor
 * starts above the high watermark (I7). plog->lock held.
 */
static int
plog_deletable_locked(plog_t *plog, int first, plog_retain_kind_t kind,
                      int64_t now_ms, int64_t *size_diff)
{
    int64_t hw = atomic_load(&plog->hw);
    int i;

    for (i = first; i < plog->nsegs; i++) {
        segment_t *seg = plog->segs[i];
        bool last = i == plog->nsegs - 1;
        int64_t upper =
            last ? atomic_load(&plog->leo) : plog->segs[i + 1]->base;
        bool ok;

        /* the active segment counts too, unless empty (Kafka 2.8) */
        if (hw < upper || (last && segment_size(seg) == 0))
            break;
        switch (kind) {
        case PLOG_RETAIN_START: ok = upper <= atomic_load(&plog->lso); break;
        case PLOG_RETAIN_TIME:
            ok = plog->cfg.retention_ms >= 0 &&
                 now_ms - segment_largest_ts(seg) > plog->cfg.retention_ms;
            break;
        default:
            ok = *size_diff - (int64_t)segment_size(seg) >= 0;
            if (ok)
                *size_diff -= (int64_t)segment_size(seg);
            break;
        }
        if (!ok)
            break;
    }
    return i - first;
}

int
plog_retain(plog_t *plog, int64_t now_ms)
{
    segment_t **gone;
    int n = 0, k;
    int64_t diff = -1;

    pthread_mutex_lock(&plog->lock);
    if (plog->closed || plog->deleted) {
        pthread_mutex_unlock(&plog->lock);
        return 0;
    }
    n += plog_deletable_locked(plog, n, PLOG_RETAIN_START, now_ms, &diff);
    n += plog_deletable_locked(plog, n, PLOG_RETAIN_TIME, now_ms, &diff);
    if (plog->cfg.retention_bytes >= 0) {
        int64_t total = 0;
        for (int i = n; i < plog->nsegs; i++)
            total += (int64_t)segment_size(plog->segs[i]);
        diff = total - plog->cfg.retention_bytes;
        n += plog_deletable_locked(plog, n, PLOG_RETAIN_SIZE, now_ms, &diff);
    }
    /*
     * Every segment, the active one included, has expired: roll first so
     * the log keeps an (empty) active segment at the log end, as Kafka's
     * Log.deleteSegments does; if the roll fails the active one stays.
     */
    if (n > 0 && n == plog->nsegs && plog_roll_locked(plog) != 0)
        n--;
    if (n == 0) {
        pthread_mutex_unlock(&plog->lock);
        return 0;
    }
    gone = xmalloc((size_t)n * sizeof(*gone));
    memcpy(gone, plog->segs, (size_t)n * sizeof(*gone));
    pthread_rwlock_wrlock(&plog->segs_lock);
    memmove(plog->segs, plog->segs + n,
            (size_t)(plog->nsegs - n) * sizeof(*plog->segs));
    plog->nsegs -= n;
    pthread_rwlock_unlock(&plog->segs_lock);
    if (atomic_load(&plog->lso) < plog->segs[0]->base)
        atomic_store(&plog->lso, plog->segs[0]->base);
    pthread_mutex_unlock(&plog->lock);

    k = n;
    plog_delete_segs(plog, gone, n, "retention");
    free(gone);
    return k;
}

int
plog_maybe_roll(plog_t *plog, int64_t now_ms)
{
    int rc = 0;

    pthread_mutex_lock(&plog->lock);
    if (!plog->closed && !plog->deleted && plog->cfg.segment_ms >= 0) {
        segment_t *seg = plog_active(plog);
        /* wall-clock age only: message timestamps may be far in the past */
        if (segment_size(seg) > 0 &&
            now_ms - seg->created_ms > plog->cfg.segment_ms)
            rc = plog_roll_locked(plog);
    }
    pthread_mutex_unlock(&plog->lock);
    return rc;
}

int
plog_maybe_flush(plog_t *plog, int64_t now_mono_ms)
{
    int64_t rp, active_base, pending, last, interval;

    pthread_mutex_lock(&plog->lock);
    if (plog->closed || plog->deleted) {
        pthread_mutex_unlock(&plog->lock);
        return 0;
    }
    rp = atomic_load(&plog->rp);
    active_base = plog_active(plog)->base;
    pending = plog->unflushed_msgs;
    last = plog->last_flush_mono;
    interval = plog->cfg.flush_interval_ms;
    pthread_mutex_unlock(&plog->lock);

    if (interval >= 0 && pending > 0 && now_mono_ms - last >= interval)
        return plog_flush(plog);
    /* segments rolled since the last flush (Kafka flushes them on roll) */
    if (active_base > rp)
        return plog_flush_to(plog, active_base);
    return 0;
}

/* ------------------------------------------------------------------ */
/* accessors                                                           */

int64_t
plog_log_end_offset(plog_t *plog)
{
    return atomic_load_explicit(&plog->leo, memory_order_acquire);
}

int64_t
plog_log_start_offset(plog_t *plog)
{
    return atomic_load(&plog->lso);
}

int64_t
plog_high_watermark(plog_t *plog)
{
    return atomic_load(&plog->hw);
}

int64_t
plog_recovery_point(plog_t *plog)
{
    return atomic_load(&plog->rp);
}

void
plog_set_high_watermark(plog_t *plog, int64_t hw)
{
    pthread_mutex_lock(&plog->lock);
    if (hw > atomic_load(&plog->leo))
        hw = atomic_load(&plog->leo);
    if (hw < atomic_load(&plog->lso))
        hw = atomic_load(&plog->lso);
    /*
     * I7: the high watermark only rises here. Appenders on different IO
     * loops report their ends in any order; only truncation lowers it.
     */
    if (hw > atomic_load(&plog->hw))
        atomic_store(&plog->hw, hw);
    pthread_mutex_unlock(&plog->lock);
}

int64_t
plog_size(plog_t *plog)
{
    int64_t total = 0;

    pthread_rwlock_rdlock(&plog->segs_lock);
    for (int i = 0; i < plog->nsegs; i++)
        total += (int64_t)segment_size(plog->segs[i]);
    pthread_rwlock_unlock(&plog->segs_lock);
    return total;
}

int
plog_segment_count(plog_t *plog)
{
    int n;

    pthread_rwlock_rdlock(&plog->segs_lock);
    n = plog->nsegs;
    pthread_rwlock_unlock(&plog->segs_lock);
    return n;
}

const char *
plog_topic(plog_t *plog)
{
    return plog->topic;
}

int32_t
plog_partition(plog_t *plog)
{
    return plog->partition;
}

const char *
plog_dir(plog_t *plog)
{
    return plog->dir;
}

void
plog_config(plog_t *plog, log_config_t *cfg)
{
    pthread_mutex_lock(&plog->lock);
    *cfg = plog->cfg;
    pthread_mutex_unlock(&plog->lock);
}

void
plog_set_config(plog_t *plog, const log_config_t *cfg)
{
    pthread_mutex_lock(&plog->lock);
    plog->cfg = *cfg;
    pthread_mutex_unlock(&plog->lock);
}
