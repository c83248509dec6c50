/*
 * test_segment.c: idx, oindex, tindex and segment from src/storage.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/buf.h"
#include "samsa/err.h"
#include "samsa/oindex.h"
#include "samsa/segment.h"
#include "samsa/tindex.h"
#include "samsa/xmalloc.h"
#include "unit.h"

/* one uncompressed batch of @nrecs records stamped @ts, base offset @base */
static void
seg_make_batch(buf_t *b, int64_t base, int nrecs, int64_t ts, int vlen)
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
    CU_ASSERT_EQUAL_FATAL(batch_build(b, BATCH_CODEC_NONE, base, recs, nrecs),
                          0);
    free(val);
}

static void
test_oindex_lookup_is_binary_search_over_entries(void)
{
    char *dir = unit_tmpdir("oindex");
    char *path = xasprintf("%s/x.index", dir);
    idx_t ix;
    int64_t off;

    CU_ASSERT_EQUAL_FATAL(idx_open(&ix, path, OINDEX_ENTRY_SIZE, true), 0);
    CU_ASSERT_EQUAL_FATAL(idx_make_writable(&ix, 8 * 1000), 0);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(
            oindex_append(&ix, 100, 100 + i * 10, (uint32_t)(i * 50)), 0);
    CU_ASSERT(idx_full(&ix));
    CU_ASSERT_EQUAL(oindex_append(&ix, 100, 100000, 1000000), ERR_NOSPC);
    CU_ASSERT_EQUAL(oindex_lookup(&ix, 100, 99, &off), 0);
    CU_ASSERT_EQUAL(off, 100);
    CU_ASSERT_EQUAL(oindex_lookup(&ix, 100, 100 + 4567, &off), 456 * 50);
    CU_ASSERT_EQUAL(off, 100 + 4560);
    CU_ASSERT_EQUAL(oindex_lookup(&ix, 100, 1000000, &off), 999 * 50);
    CU_ASSERT_EQUAL(oindex_slot_for_pos(&ix, idx_count(&ix), 125), 2);
    CU_ASSERT_EQUAL(oindex_slot_for_offset(&ix, idx_count(&ix), 100, 99), -1);
    oindex_truncate_to(&ix, 100, 100 + 50);
    CU_ASSERT_EQUAL(idx_count(&ix), 5);
    CU_ASSERT_EQUAL(idx_trim(&ix), 0);
    idx_close(&ix);

    /* reopened: the count comes from the trimmed file size */
    CU_ASSERT_EQUAL_FATAL(idx_open(&ix, path, OINDEX_ENTRY_SIZE, false), 0);
    CU_ASSERT_EQUAL(idx_count(&ix), 5);
    CU_ASSERT_EQUAL(oindex_sanity(&ix, 100, 1000), 0);
    CU_ASSERT_EQUAL(oindex_sanity(&ix, 100, 100), ERR_CORRUPT);
    idx_close(&ix);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void
test_oindex_rejects_entries_that_do_not_increase(void)
{
    char *dir = unit_tmpdir("oindex");
    char *path = xasprintf("%s/x.index", dir);
    idx_t ix;

    CU_ASSERT_EQUAL_FATAL(idx_open(&ix, path, OINDEX_ENTRY_SIZE, true), 0);
    CU_ASSERT_EQUAL_FATAL(idx_make_writable(&ix, 4096), 0);
    CU_ASSERT_EQUAL(oindex_append(&ix, 0, 10, 100), 0);
    CU_ASSERT_EQUAL(oindex_append(&ix, 0, 10, 200), ERR_INVAL);
    CU_ASSERT_EQUAL(oindex_append(&ix, 0, 11, 100), ERR_INVAL);
    CU_ASSERT_EQUAL(oindex_append(&ix, 0, (int64_t)INT32_MAX + 1, 300),
                    ERR_INVAL);
    CU_ASSERT_EQUAL(idx_count(&ix), 1);
    idx_close(&ix);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void
test_idx_open_flags_torn_file_size(void)
{
    char *dir = unit_tmpdir("oindex");
    char *path = xasprintf("%s/x.index", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    idx_t ix;

    CU_ASSERT_EQUAL(write(fd, "12345678abc", 11), 11);
    close(fd);
    CU_ASSERT_EQUAL(idx_open(&ix, path, OINDEX_ENTRY_SIZE, false), ERR_CORRUPT);
    idx_close(&ix);
    CU_ASSERT_EQUAL(idx_open(&ix, "/nonexistent/x.index", 8, false),
                    ERR_NOTFOUND);
    idx_close(&ix);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

static void
test_tindex_appends_only_rising_timestamps(void)
{
    char *dir = unit_tmpdir("tindex");
    char *path = xasprintf("%s/x.timeindex", dir);
    int64_t ts, off;
    idx_t ix;

    CU_ASSERT_EQUAL_FATAL(idx_open(&ix, path, TINDEX_ENTRY_SIZE, true), 0);
    CU_ASSERT_EQUAL_FATAL(idx_make_writable(&ix, 12 * 100), 0);
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 1000, 55), 0);
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 1000, 60), 0); /* same ts */
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 900, 60), 0);  /* older */
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 2000, 70), 0);
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 3000, 65), ERR_INVAL);
    CU_ASSERT_EQUAL(tindex_maybe_append(&ix, 50, 3000, 80), 0);
    CU_ASSERT_EQUAL(idx_count(&ix), 3);
    CU_ASSERT_EQUAL(tindex_lookup_before(&ix, 50, 1000), 50);
    CU_ASSERT_EQUAL(tindex_lookup_before(&ix, 50, 1001), 55);
    CU_ASSERT_EQUAL(tindex_lookup_before(&ix, 50, 2500), 70);
    CU_ASSERT_EQUAL(tindex_lookup_before(&ix, 50, 99999), 80);
    CU_ASSERT(tindex_last(&ix, 50, &ts, &off));
    CU_ASSERT_EQUAL(ts, 3000);
    CU_ASSERT_EQUAL(off, 80);
    tindex_truncate_to(&ix, 50, 70);
    CU_ASSERT_EQUAL(idx_count(&ix), 1);
    CU_ASSERT_EQUAL(tindex_sanity(&ix, 50), 0);
    idx_close(&ix);
    free(path);
    unit_rmtree(dir);
    free(dir);
}

/* writes @n batches of 3 records (250-byte values) into a new segment */
static segment_t *
seg_fill(const char *dir, int64_t base, int n, int32_t interval)
{
    segment_t *seg;
    buf_t b = BUF_INIT;
    int64_t off = base;

    CU_ASSERT_EQUAL_FATAL(segment_create(dir, base, 1 << 16, &seg), 0);
    for (int i = 0; i < n; i++) {
        batch_hdr_t h;
        uint64_t pos = segment_size(seg);

        buf_reset(&b);
        seg_make_batch(&b, off, 3, 1000 + i, 250);
        CU_ASSERT_EQUAL_FATAL(segment_write(seg, b.data, b.len), 0);
        batch_hdr_parse(b.data, b.len, &h);
        segment_index_batch(seg, &h, pos, interval);
        off += 3;
        segment_publish(seg, pos + b.len, off);
    }
    buf_fini(&b);
    return seg;
}

static void
test_segment_scan_walks_every_batch_header(void)
{
    char *dir = unit_tmpdir("segment");
    segment_t *seg = seg_fill(dir, 0, 40, 1024);
    segment_scan_t *sc = xmalloc(sizeof(*sc));
    batch_hdr_t h;
    uint64_t pos, expect = 0;
    int n = 0;

    segment_scan_init(sc, seg, 0, segment_size(seg));
    while (segment_scan_next(sc, &h, &pos) == 1) {
        CU_ASSERT_EQUAL(pos, expect);
        CU_ASSERT_EQUAL(h.base_offset, n * 3);
        expect = pos + batch_size(&h);
        n++;
    }
    CU_ASSERT_EQUAL(n, 40);
    CU_ASSERT(idx_count(&seg->oidx) > 5);
    CU_ASSERT_EQUAL(atomic_load(&seg->max_ts), 1000 + 39 + 2);
    /* a scan that ends inside a batch reports corruption */
    segment_scan_init(sc, seg, 0, expect - 10);
    while ((n = segment_scan_next(sc, &h, &pos)) == 1)
        ;
    CU_ASSERT_EQUAL(n, ERR_CORRUPT);
    free(sc);
    segment_unref(seg);
    unit_rmtree(dir);
    free(dir);
}

static void
test_segment_recover_rebuilds_indexes_and_cuts_torn_tail(void)
{
    char *dir = unit_tmpdir("segment");
    segment_t *seg = seg_fill(dir, 100, 40, 1024);
    uint32_t nidx = idx_count(&seg->oidx), ntidx = idx_count(&seg->tidx);
    uint64_t size = segment_size(seg);
    int64_t truncated;
    bool index_ok;

    CU_ASSERT_EQUAL(ftruncate(seg->fd, (off_t)size - 7), 0);
    segment_unref(seg);

    CU_ASSERT_EQUAL_FATAL(segment_open(dir, 100, &seg, &index_ok), 0);
    CU_ASSERT(index_ok);
    CU_ASSERT_EQUAL(segment_recover(seg, 1024, 1 << 16, &truncated), 0);
    CU_ASSERT(truncated > 0);
    CU_ASSERT_EQUAL(atomic_load(&seg->next_offset), 100 + 39 * 3);
    CU_ASSERT(segment_size(seg) < size);
    CU_ASSERT(idx_count(&seg->oidx) >= nidx - 1);
    CU_ASSERT(idx_count(&seg->tidx) >= ntidx - 1);
    CU_ASSERT_EQUAL(segment_make_inactive(seg), 0);
    segment_unref(seg);

    /* after a trim the clean-load path trusts the indexes */
    CU_ASSERT_EQUAL_FATAL(segment_open(dir, 100, &seg, &index_ok), 0);
    CU_ASSERT(index_ok);
    CU_ASSERT_EQUAL(segment_load(seg), 0);
    CU_ASSERT_EQUAL(atomic_load(&seg->next_offset), 100 + 39 * 3);
    CU_ASSERT_EQUAL(atomic_load(&seg->max_ts), 1000 + 38 + 2);
    segment_unref(seg);
    unit_rmtree(dir);
    free(dir);
}

static void
test_segment_truncate_to_cuts_before_the_batch_holding_offset(void)
{
    char *dir = unit_tmpdir("segment");
    segment_t *seg = seg_fill(dir, 0, 40, 512);
    int64_t next;

    /* offset 31 is inside the batch [30, 32] */
    CU_ASSERT_EQUAL(segment_truncate_to(seg, 31, &next), 0);
    CU_ASSERT_EQUAL(next, 30);
    CU_ASSERT_EQUAL(atomic_load(&seg->next_offset), 30);
    CU_ASSERT_EQUAL(oindex_sanity(&seg->oidx, 0, segment_size(seg)), 0);
    CU_ASSERT_EQUAL(atomic_load(&seg->max_ts), 1000 + 9 + 2);
    segment_unref(seg);
    unit_rmtree(dir);
    free(dir);
}

static void
test_segment_parse_name_accepts_only_20_digits(void)
{
    int64_t base;

    CU_ASSERT(segment_parse_name("00000000000000001234.log", ".log", &base));
    CU_ASSERT_EQUAL(base, 1234);
    CU_ASSERT_FALSE(
        segment_parse_name("0000000000000001234.log", ".log", &base));
    CU_ASSERT_FALSE(
        segment_parse_name("00000000000000001234.index", ".log", &base));
    CU_ASSERT_FALSE(
        segment_parse_name("0000000000000000123x.log", ".log", &base));
}

void
suite_segment(void)
{
    CU_pSuite s = unit_suite("segment");

    UNIT_TEST(s, test_oindex_lookup_is_binary_search_over_entries);
    UNIT_TEST(s, test_oindex_rejects_entries_that_do_not_increase);
    UNIT_TEST(s, test_idx_open_flags_torn_file_size);
    UNIT_TEST(s, test_tindex_appends_only_rising_timestamps);
    UNIT_TEST(s, test_segment_scan_walks_every_batch_header);
    UNIT_TEST(s, test_segment_recover_rebuilds_indexes_and_cuts_torn_tail);
    UNIT_TEST(s, test_segment_truncate_to_cuts_before_the_batch_holding_offset);
    UNIT_TEST(s, test_segment_parse_name_accepts_only_20_digits);
}
