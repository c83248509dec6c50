/*
 * test_plog.c: the partition log (src/storage/plog.c). Tests that check a
 * durability invariant from the top of plog.c name it (I1..I8).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/buf.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/plog.h"
#include "samsa/segment.h"
#include "samsa/xmalloc.h"
#include "unit.h"

static void
pl_make_batch(buf_t *b, int nrecs, int64_t ts, int vlen)
{
    batch_build_record_t recs[nrecs];
    char *val = xmalloc((size_t)vlen + 1);

    memset(val, 'v', (size_t)vlen);
    memset(recs, 0, sizeof(recs));
    for (int i = 0; i < nrecs; i++) {
        recs[i].value = val;
        recs[i].value_len = vlen;
        recs[i].timestamp = ts + i;
    }
    CU_ASSERT_EQUAL_FATAL(batch_build(b, BATCH_CODEC_NONE, 0, recs, nrecs), 0);
    free(val);
}

/* appends one batch of @nrecs records; returns its base offset */
static int64_t
pl_append(plog_t *plog, int nrecs, int64_t ts, int vlen)
{
    buf_t b = BUF_INIT;
    plog_append_info_t info;

    pl_make_batch(&b, nrecs, ts, vlen);
    CU_ASSERT_EQUAL_FATAL(plog_append(plog, b.data, b.len, 7, &info), 0);
    CU_ASSERT_EQUAL(info.last_offset - info.base_offset, nrecs - 1);
    buf_fini(&b);
    return info.base_offset;
}

static plog_t *
pl_open(const char *dir, const log_config_t *cfg, bool clean, int64_t rp)
{
    plog_open_opts_t opts = {clean, rp, -1, 0};
    char err[256];
    plog_t *plog = NULL;

    CU_ASSERT_EQUAL_FATAL(
        plog_open(&plog, dir, "t", 0, cfg, &opts, err, sizeof(err)), 0);
    return plog;
}

static char *
pl_dir(char **root)
{
    *root = unit_tmpdir("plog");
    return xasprintf("%s/t-0", *root);
}

static void
pl_done(plog_t *plog, char *root, char *dir)
{
    plog_unref(plog);
    unit_rmtree(root);
    free(root);
    free(dir);
}

/* reads the slice into memory and releases it */
static uint8_t *
pl_slurp(fslice_t *fs)
{
    uint8_t *p = xmalloc(fs->len + 1);

    CU_ASSERT_EQUAL(pread(fs->fd, p, fs->len, (off_t)fs->off),
                    (ssize_t)fs->len);
    fs->unref(fs->ref);
    return p;
}

/* walks the batches of a slice: count, first base, next offset */
static int
pl_walk(const uint8_t *p, size_t len, int64_t *first, int64_t *next)
{
    size_t pos = 0;
    int n = 0;

    while (pos < len) {
        batch_hdr_t h;
        CU_ASSERT_EQUAL_FATAL(batch_hdr_parse(p + pos, len - pos, &h), 0);
        CU_ASSERT_FATAL(batch_size(&h) <= len - pos);
        CU_ASSERT(batch_crc_ok(p + pos, &h));
        if (n == 0 && first)
            *first = h.base_offset;
        if (next)
            *next = batch_last_offset(&h) + 1;
        pos += batch_size(&h);
        n++;
    }
    return n;
}

static void
test_append_assigns_offsets_and_reads_back_I1(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    plog_append_info_t info;
    buf_t b = BUF_INIT;
    fslice_t fs;
    uint8_t *p;
    int64_t first, next;
    batch_hdr_t h;

    log_config_defaults(&cfg);
    plog = pl_open(dir, &cfg, true, 0);
    /* two batches in one produce payload */
    pl_make_batch(&b, 5, 1000, 10);
    pl_make_batch(&b, 3, 2000, 10);
    CU_ASSERT_EQUAL(plog_append(plog, b.data, b.len, 4, &info), 0);
    CU_ASSERT_EQUAL(info.base_offset, 0);
    CU_ASSERT_EQUAL(info.last_offset, 7);
    CU_ASSERT_EQUAL(info.log_append_time, -1);
    CU_ASSERT_EQUAL(info.log_start_offset, 0);
    CU_ASSERT_EQUAL(pl_append(plog, 2, 3000, 10), 8);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 10);

    CU_ASSERT_EQUAL(plog_read(plog, 0, 1 << 20, INT64_MAX, &fs), 0);
    CU_ASSERT_EQUAL(fs.off, 0);
    p = pl_slurp(&fs);
    CU_ASSERT_EQUAL(pl_walk(p, fs.len, &first, &next), 3);
    CU_ASSERT_EQUAL(first, 0);
    CU_ASSERT_EQUAL(next, 10);
    batch_hdr_parse(p, fs.len, &h);
    CU_ASSERT_EQUAL(h.partition_leader_epoch, 4);
    free(p);

    /* offset 6 is inside the second batch [5, 7] */
    CU_ASSERT_EQUAL(plog_read(plog, 6, 1 << 20, INT64_MAX, &fs), 0);
    p = pl_slurp(&fs);
    CU_ASSERT_EQUAL(pl_walk(p, fs.len, &first, &next), 2);
    CU_ASSERT_EQUAL(first, 5);
    free(p);

    CU_ASSERT_EQUAL(plog_read(plog, 10, 1 << 20, INT64_MAX, &fs), 0);
    CU_ASSERT_EQUAL(fs.len, 0);
    CU_ASSERT_EQUAL(plog_read(plog, 11, 1 << 20, INT64_MAX, &fs), ERR_RANGE);
    CU_ASSERT_EQUAL(plog_read(plog, -1, 1 << 20, INT64_MAX, &fs), ERR_RANGE);
    CU_ASSERT_EQUAL(plog_append(plog, b.data, 0, 0, NULL), ERR_INVAL);
    CU_ASSERT_EQUAL(plog_append(plog, b.data, 30, 0, NULL), ERR_CORRUPT);
    buf_fini(&b);
    pl_done(plog, root, dir);
}

static void
test_append_rejects_batches_above_max_message_bytes(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    buf_t b = BUF_INIT;

    log_config_defaults(&cfg);
    cfg.max_message_bytes = 500;
    plog = pl_open(dir, &cfg, true, 0);
    pl_make_batch(&b, 1, 1, 600);
    CU_ASSERT_EQUAL(plog_append(plog, b.data, b.len, 0, NULL), ERR_TOOBIG);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 0);
    buf_fini(&b);
    pl_done(plog, root, dir);
}

static void
test_read_finds_every_offset_through_the_index_I3(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    fslice_t fs;

    log_config_defaults(&cfg);
    cfg.index_interval_bytes = 256;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 500; i++)
        pl_append(plog, 1 + i % 4, 1000 + i, 20 + i % 50);
    for (int64_t off = 0; off < plog_log_end_offset(plog); off += 3) {
        int64_t first, next;
        uint8_t *p;

        CU_ASSERT_EQUAL_FATAL(plog_read(plog, off, 1, INT64_MAX, &fs), 0);
        p = pl_slurp(&fs);
        CU_ASSERT_EQUAL(pl_walk(p, fs.len, &first, &next), 1);
        CU_ASSERT(first <= off && off < next);
        free(p);
    }
    pl_done(plog, root, dir);
}

static void
test_read_max_bytes_keeps_batches_whole_first_always_KIP74(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    fslice_t fs;
    buf_t b = BUF_INIT;
    size_t bsz;
    uint8_t *p;

    log_config_defaults(&cfg);
    cfg.index_interval_bytes = 100;
    plog = pl_open(dir, &cfg, true, 0);
    pl_make_batch(&b, 1, 1, 100);
    bsz = b.len;
    for (int i = 0; i < 50; i++)
        pl_append(plog, 1, 1000 + i, 100);
    /* 3.5 batches of room: three whole batches */
    CU_ASSERT_EQUAL(plog_read(plog, 10, (int32_t)(bsz * 7 / 2), INT64_MAX, &fs),
                    0);
    CU_ASSERT_EQUAL(fs.len, bsz * 3);
    CU_ASSERT_EQUAL(fs.off, bsz * 10);
    fs.unref(fs.ref);
    /* 20.5 batches: the index jump must still land on whole batches */
    CU_ASSERT_EQUAL(plog_read(plog, 3, (int32_t)(bsz * 41 / 2), INT64_MAX, &fs),
                    0);
    CU_ASSERT_EQUAL(fs.len, bsz * 20);
    fs.unref(fs.ref);
    /* less than one batch: the first batch anyway */
    CU_ASSERT_EQUAL(plog_read(plog, 10, 10, INT64_MAX, &fs), 0);
    CU_ASSERT_EQUAL(fs.len, bsz);
    p = pl_slurp(&fs);
    CU_ASSERT_EQUAL(pl_walk(p, fs.len, NULL, NULL), 1);
    free(p);
    buf_fini(&b);
    pl_done(plog, root, dir);
}

static void
test_read_never_returns_batches_at_or_past_max_offset(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    fslice_t fs;
    int64_t first, next;
    uint8_t *p;

    log_config_defaults(&cfg);
    cfg.index_interval_bytes = 128;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 100; i++)
        pl_append(plog, 2, 1000 + i, 50); /* batches at even offsets */
    CU_ASSERT_EQUAL(plog_read(plog, 0, 1 << 20, 61, &fs), 0);
    p = pl_slurp(&fs);
    CU_ASSERT_EQUAL(pl_walk(p, fs.len, &first, &next), 31);
    CU_ASSERT_EQUAL(next, 62); /* batch [60, 61] starts below 61 */
    free(p);
    CU_ASSERT_EQUAL(plog_read(plog, 100, 1 << 20, 150, &fs), 0);
    p = pl_slurp(&fs);
    CU_ASSERT_EQUAL(pl_walk(p, fs.len, &first, &next), 25);
    CU_ASSERT_EQUAL(first, 100);
    CU_ASSERT_EQUAL(next, 150);
    free(p);
    CU_ASSERT_EQUAL(plog_read(plog, 150, 1 << 20, 150, &fs), 0);
    CU_ASSERT_EQUAL(fs.len, 0);
    pl_done(plog, root, dir);
}

static void
test_roll_by_size_and_read_across_segments(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    int64_t off = 0, first, next;
    int reads = 0;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 4096;
    cfg.index_interval_bytes = 512;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 100; i++)
        pl_append(plog, 3, 1000 + i, 100);
    CU_ASSERT(plog_segment_count(plog) > 5);
    /* each read stays in one segment; following them covers everything */
    while (off < plog_log_end_offset(plog)) {
        fslice_t fs;
        uint8_t *p;

        CU_ASSERT_EQUAL_FATAL(plog_read(plog, off, 1 << 20, INT64_MAX, &fs), 0);
        CU_ASSERT_FATAL(fs.len > 0 && fs.len <= 4096);
        p = pl_slurp(&fs);
        pl_walk(p, fs.len, &first, &next);
        CU_ASSERT_EQUAL(first, off);
        off = next;
        free(p);
        reads++;
    }
    CU_ASSERT_EQUAL(off, 300);
    CU_ASSERT_EQUAL(reads, plog_segment_count(plog));
    pl_done(plog, root, dir);
}

static void
test_roll_by_time_uses_first_batch_timestamp(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    int64_t now = clock_wall_ms();

    log_config_defaults(&cfg);
    cfg.segment_ms = 60000;
    plog = pl_open(dir, &cfg, true, 0);
    pl_append(plog, 1, now - 3600000, 10);
    pl_append(plog, 1, now - 3599000, 10);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 1);
    pl_append(plog, 1, now, 10);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 2);
    /* the background roll uses the segment's wall-clock age */
    CU_ASSERT_EQUAL(plog_maybe_roll(plog, now + 1000), 0);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 2);
    CU_ASSERT_EQUAL(plog_maybe_roll(plog, now + 120000), 0);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 3);
    pl_done(plog, root, dir);
}

static void
test_offset_for_timestamp_finds_first_record_at_or_after(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    int64_t off, ts;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    cfg.index_interval_bytes = 200;
    plog = pl_open(dir, &cfg, true, 0);
    /* batch i: 4 records stamped 10000 + 10*i + 0..3 */
    for (int i = 0; i < 60; i++)
        pl_append(plog, 4, 10000 + 10 * i, 40);
    CU_ASSERT(plog_segment_count(plog) > 2);
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(plog, 0, &off, &ts), 0);
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_EQUAL(ts, 10000);
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(plog, 10252, &off, &ts), 0);
    CU_ASSERT_EQUAL(off, 25 * 4 + 2);
    CU_ASSERT_EQUAL(ts, 10252);
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(plog, 10255, &off, &ts), 0);
    CU_ASSERT_EQUAL(off, 26 * 4);
    CU_ASSERT_EQUAL(ts, 10260);
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(plog, 10593, &off, &ts), 0);
    CU_ASSERT_EQUAL(off, 239);
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(plog, 10594, &off, &ts),
                    ERR_NOTFOUND);
    pl_done(plog, root, dir);
}

static void
test_retention_by_time_deletes_old_segments_moves_start(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    int64_t now = clock_wall_ms();
    fslice_t fs;
    int before;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 1024;
    cfg.retention_ms = 3600000;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 20; i++)
        pl_append(plog, 2, now - 7200000, 100); /* two hours old */
    for (int i = 0; i < 20; i++)
        pl_append(plog, 2, now, 100);
    before = plog_segment_count(plog);
    /* I7: nothing above the high watermark goes */
    CU_ASSERT_EQUAL(plog_retain(plog, now), 0);
    plog_set_high_watermark(plog, plog_log_end_offset(plog));
    CU_ASSERT(plog_retain(plog, now) > 0);
    CU_ASSERT(plog_segment_count(plog) < before);
    CU_ASSERT(plog_log_start_offset(plog) > 0);
    CU_ASSERT(plog_log_start_offset(plog) <= 40);
    CU_ASSERT_EQUAL(plog_read(plog, 0, 100, INT64_MAX, &fs), ERR_RANGE);
    CU_ASSERT_EQUAL(
        plog_read(plog, plog_log_start_offset(plog), 100, INT64_MAX, &fs), 0);
    CU_ASSERT(fs.len > 0);
    fs.unref(fs.ref);
    /* I7: when everything is old the active segment is rolled and goes
     * too (Kafka 2.8), leaving an empty active segment at the log end */
    CU_ASSERT(plog_retain(plog, now + 86400000) > 0);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 1);
    CU_ASSERT_EQUAL(plog_size(plog), 0);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 80);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 80);
    CU_ASSERT_EQUAL(plog_read(plog, 80, 100, INT64_MAX, &fs), 0);
    CU_ASSERT_EQUAL(fs.len, 0);
    /* and appends carry on from there */
    pl_append(plog, 2, now, 100);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 82);
    pl_done(plog, root, dir);
}

static void
test_high_watermark_never_moves_back_I7(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;

    log_config_defaults(&cfg);
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 4; i++)
        pl_append(plog, 5, 1000, 10);
    /* two appenders report their ends out of order */
    plog_set_high_watermark(plog, 20);
    plog_set_high_watermark(plog, 10);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 20);
    /* clamped to the log end */
    plog_set_high_watermark(plog, 99);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 20);
    /* only truncation lowers it */
    CU_ASSERT_EQUAL(plog_truncate_to(plog, 10), 0);
    CU_ASSERT(plog_high_watermark(plog) <= 10);
    pl_done(plog, root, dir);
}

/* appends with an fsync each while another thread truncates */
typedef struct trunc_race {
    plog_t *plog;
    volatile bool stop;
} trunc_race_t;

static void *
trunc_race_flusher(void *arg)
{
    trunc_race_t *tr = arg;

    while (!tr->stop)
        plog_flush_to(tr->plog, INT64_MAX);
    return NULL;
}

static void
test_recovery_point_never_passes_the_log_end_across_truncation_I11(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    trunc_race_t tr;
    pthread_t t;
    plog_t *plog;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    plog = pl_open(dir, &cfg, true, 0);
    tr.plog = plog;
    tr.stop = false;
    pthread_create(&t, NULL, trunc_race_flusher, &tr);
    for (int round = 0; round < 300; round++) {
        /* a flush that began before the last cut must not have moved the
         * recovery point past it */
        CU_ASSERT(plog_recovery_point(plog) <= plog_log_end_offset(plog));
        pl_append(plog, 5, 1000, 20);
        pl_append(plog, 5, 1000, 20);
        CU_ASSERT_EQUAL_FATAL(
            plog_truncate_to(plog, plog_log_end_offset(plog) - 5), 0);
        CU_ASSERT(plog_recovery_point(plog) <= plog_log_end_offset(plog));
    }
    tr.stop = true;
    pthread_join(t, NULL);
    CU_ASSERT(plog_recovery_point(plog) <= plog_log_end_offset(plog));
    /* a flush after the last truncation covers exactly the log */
    CU_ASSERT_EQUAL(plog_flush_to(plog, INT64_MAX), 0);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), plog_log_end_offset(plog));
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 300 * 5);
    pl_done(plog, root, dir);
}

static void
test_retention_by_size_keeps_at_least_retention_bytes(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 1024;
    cfg.retention_ms = -1;
    cfg.retention_bytes = 3000;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 60; i++)
        pl_append(plog, 1, 1000, 100);
    plog_set_high_watermark(plog, plog_log_end_offset(plog));
    CU_ASSERT(plog_size(plog) > 6000);
    CU_ASSERT(plog_retain(plog, clock_wall_ms()) > 0);
    CU_ASSERT(plog_size(plog) >= 3000);
    CU_ASSERT(plog_size(plog) < 3000 + 1024);
    pl_done(plog, root, dir);
}

static void
test_slice_survives_deletion_of_its_segment_I8(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    fslice_t fs;
    uint8_t *p;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 1024;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 30; i++)
        pl_append(plog, 1, 1000, 100);
    CU_ASSERT_EQUAL(plog_read(plog, 0, 1 << 20, INT64_MAX, &fs), 0);
    plog_set_high_watermark(plog, plog_log_end_offset(plog));
    CU_ASSERT_EQUAL(plog_delete_records(plog, plog_log_end_offset(plog) + 1),
                    ERR_RANGE);
    CU_ASSERT_EQUAL(plog_delete_records(plog, 20), 0);
    CU_ASSERT_EQUAL(plog_log_start_offset(plog), 20);
    CU_ASSERT(plog_retain(plog, clock_wall_ms()) > 0);
    p = pl_slurp(&fs); /* the unlinked file is still readable */
    CU_ASSERT(pl_walk(p, fs.len, NULL, NULL) > 0);
    free(p);
    pl_done(plog, root, dir);
}

static void
test_flush_every_message_moves_recovery_point_I5(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;

    log_config_defaults(&cfg);
    plog = pl_open(dir, &cfg, true, 0);
    pl_append(plog, 3, 1000, 10);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), 0);
    CU_ASSERT_EQUAL(plog_flush(plog), 0);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), 3);
    cfg.flush_interval_messages = 1;
    plog_set_config(plog, &cfg);
    pl_append(plog, 2, 1000, 10);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), 5);
    pl_done(plog, root, dir);
}

static void
test_reopen_after_clean_close_keeps_offsets(void)
{
    buf_t b = BUF_INIT;
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    fslice_t fs;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    cfg.index_interval_bytes = 256;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 40; i++)
        pl_append(plog, 2, 5000 + i, 100);
    CU_ASSERT_EQUAL(plog_close(plog), 0);
    pl_make_batch(&b, 1, 1, 10);
    CU_ASSERT_EQUAL(plog_append(plog, b.data, b.len, 0, NULL), ERR_STATE);
    buf_fini(&b);
    plog_unref(plog);

    plog = pl_open(dir, &cfg, true, 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 80);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), 80);
    CU_ASSERT_EQUAL(pl_append(plog, 1, 9000, 10), 80);
    CU_ASSERT_EQUAL(plog_read(plog, 33, 1, INT64_MAX, &fs), 0);
    CU_ASSERT(fs.len > 0);
    fs.unref(fs.ref);
    pl_done(plog, root, dir);
}

static char *
pl_seg_path(const char *dir, int64_t base, const char *ext)
{
    return segment_path(dir, base, ext);
}

/* base offset of the last segment in @dir */
static int64_t
pl_last_base(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int64_t base, last = -1;

    while ((de = readdir(d)) != NULL)
        if (segment_parse_name(de->d_name, ".log", &base) && base > last)
            last = base;
    closedir(d);
    return last;
}

static void
pl_poke(const char *path, off_t pos)
{
    int fd = open(path, O_RDWR);
    uint8_t c;

    CU_ASSERT_EQUAL(pread(fd, &c, 1, pos), 1);
    c ^= 0x40;
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, pos), 1);
    close(fd);
}

static void
test_recover_truncates_torn_batch_I6(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    char *path;
    struct stat st;

    log_config_defaults(&cfg);
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 10; i++)
        pl_append(plog, 3, 1000, 100);
    plog_unref(plog); /* no close: unclean */

    path = pl_seg_path(dir, 0, ".log");
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(truncate(path, st.st_size - 50), 0);
    plog = pl_open(dir, &cfg, false, 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 27);
    CU_ASSERT_EQUAL(pl_append(plog, 1, 1000, 10), 27);
    free(path);
    pl_done(plog, root, dir);
}

static void
test_recover_cuts_at_bad_crc_and_drops_later_segments_I6(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    char *path;
    fslice_t fs;
    off_t pos;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 40; i++)
        pl_append(plog, 1, 1000, 200);
    CU_ASSERT(plog_segment_count(plog) >= 3);
    /* the 4th batch of the first segment: flip a byte in its records */
    CU_ASSERT_EQUAL(plog_read(plog, 3, 1, INT64_MAX, &fs), 0);
    pos = (off_t)fs.off + 100;
    fs.unref(fs.ref);
    plog_unref(plog);

    path = pl_seg_path(dir, 0, ".log");
    pl_poke(path, pos);
    free(path);

    plog = pl_open(dir, &cfg, false, 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 3);
    CU_ASSERT_EQUAL(plog_segment_count(plog), 1);
    CU_ASSERT_EQUAL(pl_append(plog, 1, 1000, 10), 3);
    pl_done(plog, root, dir);
}

static void
test_recovery_point_spares_segments_below_it_I6(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    int64_t last;
    char *path;
    int fd, nsegs;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 30; i++)
        pl_append(plog, 1, 1000, 200);
    nsegs = plog_segment_count(plog);
    CU_ASSERT_EQUAL(plog_close(plog), 0); /* trims indexes */
    plog_unref(plog);
    /* a bad CRC in the first segment, below the recovery point */
    path = pl_seg_path(dir, 0, ".log");
    pl_poke(path, 100);
    free(path);
    /* garbage after the active segment's data, above it */
    last = pl_last_base(dir);
    path = pl_seg_path(dir, last, ".log");
    fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "garbage!", 8), 8);
    close(fd);
    free(path);
    plog = pl_open(dir, &cfg, false, last);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 30);
    CU_ASSERT_EQUAL(plog_recovery_point(plog), last);
    CU_ASSERT_EQUAL(plog_segment_count(plog), nsegs);
    CU_ASSERT_EQUAL(pl_append(plog, 1, 1000, 10), 30);
    pl_done(plog, root, dir);
}

static void
test_clean_open_rebuilds_deleted_index(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;
    char *path;
    struct stat st;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 8192;
    cfg.index_interval_bytes = 256;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 60; i++)
        pl_append(plog, 1, 1000 + i, 200);
    CU_ASSERT_EQUAL(plog_close(plog), 0);
    plog_unref(plog);
    path = pl_seg_path(dir, 0, ".index");
    CU_ASSERT_EQUAL(unlink(path), 0);

    plog = pl_open(dir, &cfg, true, 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 60);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(st.st_size > 0);
    for (int64_t off = 0; off < 60; off += 7) {
        fslice_t fs;
        int64_t first;
        uint8_t *p;

        CU_ASSERT_EQUAL_FATAL(plog_read(plog, off, 1, INT64_MAX, &fs), 0);
        p = pl_slurp(&fs);
        pl_walk(p, fs.len, &first, NULL);
        CU_ASSERT_EQUAL(first, off);
        free(p);
    }
    free(path);
    pl_done(plog, root, dir);
}

static void
test_truncate_to_removes_offsets_and_later_segments(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    plog_t *plog;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 2048;
    plog = pl_open(dir, &cfg, true, 0);
    for (int i = 0; i < 40; i++)
        pl_append(plog, 2, 1000, 200);
    plog_set_high_watermark(plog, 80);
    CU_ASSERT(plog_segment_count(plog) > 3);
    CU_ASSERT_EQUAL(plog_truncate_to(plog, 21), 0); /* inside [20, 21] */
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 20);
    CU_ASSERT_EQUAL(plog_high_watermark(plog), 20);
    CU_ASSERT_EQUAL(pl_append(plog, 2, 1000, 200), 20);
    CU_ASSERT_EQUAL(plog_truncate_to(plog, 1000), 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 22);
    plog_unref(plog);

    /* the truncated log reopens consistently after an unclean stop */
    plog = pl_open(dir, &cfg, false, 0);
    CU_ASSERT_EQUAL(plog_log_end_offset(plog), 22);
    pl_done(plog, root, dir);
}

typedef struct pl_race {
    plog_t *plog;
    atomic_bool stop;
    int bad;
} pl_race_t;

static void *
pl_reader(void *arg)
{
    pl_race_t *r = arg;

    while (!r->stop) {
        int64_t leo = plog_log_end_offset(r->plog);
        for (int64_t off = leo > 50 ? leo - 50 : 0; off < leo; off += 5) {
            fslice_t fs;
            if (plog_read(r->plog, off, 4096, INT64_MAX, &fs) != 0) {
                r->bad++;
                continue;
            }
            if (fs.len > 0) {
                uint8_t *p = xmalloc(fs.len);
                batch_hdr_t h;
                if (pread(fs.fd, p, fs.len, (off_t)fs.off) != (ssize_t)fs.len ||
                    batch_hdr_parse(p, fs.len, &h) != 0 ||
                    h.base_offset > off || batch_last_offset(&h) < off)
                    r->bad++;
                free(p);
                fs.unref(fs.ref);
            }
        }
    }
    return NULL;
}

static void
test_reads_stay_consistent_during_appends_and_rolls(void)
{
    log_config_t cfg;
    char *root, *dir = pl_dir(&root);
    pl_race_t r = {0};
    pthread_t th;

    log_config_defaults(&cfg);
    cfg.segment_bytes = 8192;
    cfg.index_interval_bytes = 512;
    r.plog = pl_open(dir, &cfg, true, 0);
    pthread_create(&th, NULL, pl_reader, &r);
    for (int i = 0; i < 2000; i++)
        pl_append(r.plog, 1 + i % 3, 1000, 60);
    r.stop = true;
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(r.bad, 0);
    pl_done(r.plog, root, dir);
}

void
suite_plog(void)
{
    CU_pSuite s = unit_suite("plog");

    UNIT_TEST(s, test_append_assigns_offsets_and_reads_back_I1);
    UNIT_TEST(s, test_append_rejects_batches_above_max_message_bytes);
    UNIT_TEST(s, test_read_finds_every_offset_through_the_index_I3);
    UNIT_TEST(s, test_read_max_bytes_keeps_batches_whole_first_always_KIP74);
    UNIT_TEST(s, test_read_never_returns_batches_at_or_past_max_offset);
    UNIT_TEST(s, test_roll_by_size_and_read_across_segments);
    UNIT_TEST(s, test_roll_by_time_uses_first_batch_timestamp);
    UNIT_TEST(s, test_offset_for_timestamp_finds_first_record_at_or_after);
    UNIT_TEST(s, test_retention_by_time_deletes_old_segments_moves_start);
    UNIT_TEST(s, test_retention_by_size_keeps_at_least_retention_bytes);
    UNIT_TEST(s, test_high_watermark_never_moves_back_I7);
    UNIT_TEST(
        s, test_recovery_point_never_passes_the_log_end_across_truncation_I11);
    UNIT_TEST(s, test_slice_survives_deletion_of_its_segment_I8);
    UNIT_TEST(s, test_flush_every_message_moves_recovery_point_I5);
    UNIT_TEST(s, test_reopen_after_clean_close_keeps_offsets);
    UNIT_TEST(s, test_recover_truncates_torn_batch_I6);
    UNIT_TEST(s, test_recover_cuts_at_bad_crc_and_drops_later_segments_I6);
    UNIT_TEST(s, test_recovery_point_spares_segments_below_it_I6);
    UNIT_TEST(s, test_clean_open_rebuilds_deleted_index);
    UNIT_TEST(s, test_truncate_to_removes_offsets_and_later_segments);
    UNIT_TEST(s, test_reads_stay_consistent_during_appends_and_rolls);
}
