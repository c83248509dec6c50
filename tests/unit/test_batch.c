/*
 * test_batch.c: record batch v2 build, parse, validate and iterate
 * (src/proto/batch.c), including batches captured from librdkafka.
 */
#include <string.h>

#include "kcat_batches.h"
#include "samsa/batch.h"
#include "samsa/codec.h"
#include "samsa/crc32c.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "unit.h"

static const batch_codec_t all_codecs[] = {BATCH_CODEC_NONE, BATCH_CODEC_GZIP,
                                           BATCH_CODEC_SNAPPY, BATCH_CODEC_LZ4,
                                           BATCH_CODEC_ZSTD};
#define NCODECS (sizeof(all_codecs) / sizeof(all_codecs[0]))

static const batch_header_kv_t sample_headers[] = {
    {(const uint8_t *)"trace", 5, (const uint8_t *)"abc", 3},
    {(const uint8_t *)"empty", 5, NULL, -1},
};

/* three records: with key and headers, null key, null value */
static void
build_sample(buf_t *out, batch_codec_t codec)
{
    batch_build_record_t recs[3];

    memset(recs, 0, sizeof(recs));
    recs[0].key = "k0";
    recs[0].key_len = 2;
    recs[0].value = "value-zero";
    recs[0].value_len = 10;
    recs[0].timestamp = 1700000000000LL;
    recs[0].nheaders = 2;
    recs[0].headers = sample_headers;
    recs[1].value = "value-one";
    recs[1].value_len = 9;
    recs[1].timestamp = 1700000000500LL;
    recs[2].key = "k2";
    recs[2].key_len = 2;
    recs[2].timestamp = 1699999999000LL;
    CU_ASSERT_EQUAL_FATAL(batch_build(out, codec, 100, recs, 3), 0);
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
fix_crc(uint8_t *p, size_t len)
{
    put32(p + BATCH_CRC_OFFSET,
          crc32c(0, p + BATCH_CRC_START, len - BATCH_CRC_START));
}

static void
test_batch_build_then_parse_header(void)
{
    buf_t b = BUF_INIT;
    batch_hdr_t h;

    build_sample(&b, BATCH_CODEC_NONE);
    CU_ASSERT_EQUAL(batch_hdr_parse(b.data, b.len, &h), 0);
    CU_ASSERT_EQUAL(h.base_offset, 100);
    CU_ASSERT_EQUAL(batch_size(&h), b.len);
    CU_ASSERT_EQUAL(h.partition_leader_epoch, -1);
    CU_ASSERT_EQUAL(h.magic, 2);
    CU_ASSERT_EQUAL(h.attributes, 0);
    CU_ASSERT_EQUAL(h.last_offset_delta, 2);
    CU_ASSERT_EQUAL(batch_last_offset(&h), 102);
    CU_ASSERT_EQUAL(h.base_timestamp, 1700000000000LL);
    CU_ASSERT_EQUAL(h.max_timestamp, 1700000000500LL);
    CU_ASSERT_EQUAL(h.producer_id, -1);
    CU_ASSERT_EQUAL(h.producer_epoch, -1);
    CU_ASSERT_EQUAL(h.base_sequence, -1);
    CU_ASSERT_EQUAL(h.records_count, 3);
    CU_ASSERT(batch_crc_ok(b.data, &h));
    CU_ASSERT_EQUAL(batch_hdr_parse(b.data, BATCH_HEADER_SIZE - 1, &h),
                    ERR_AGAIN);
    b.data[16] = 1;
    CU_ASSERT_EQUAL(batch_hdr_parse(b.data, b.len, &h), ERR_CORRUPT);
    buf_fini(&b);
}

static void
check_sample_records(const uint8_t *p, size_t len)
{
    batch_iter_t it;
    batch_record_t rec;
    batch_header_kv_t kv;

    CU_ASSERT_EQUAL_FATAL(batch_iter_init(&it, p, len), 0);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 1);
    CU_ASSERT_EQUAL(rec.offset_delta, 0);
    CU_ASSERT_EQUAL(rec.timestamp_delta, 0);
    CU_ASSERT_EQUAL(rec.key_len, 2);
    CU_ASSERT_EQUAL(memcmp(rec.key, "k0", 2), 0);
    CU_ASSERT_EQUAL(rec.value_len, 10);
    CU_ASSERT_EQUAL(memcmp(rec.value, "value-zero", 10), 0);
    CU_ASSERT_EQUAL(rec.nheaders, 2);
    CU_ASSERT_EQUAL(batch_record_header(&rec, 0, &kv), 0);
    CU_ASSERT_EQUAL(kv.key_len, 5);
    CU_ASSERT_EQUAL(memcmp(kv.key, "trace", 5), 0);
    CU_ASSERT_EQUAL(kv.value_len, 3);
    CU_ASSERT_EQUAL(memcmp(kv.value, "abc", 3), 0);
    CU_ASSERT_EQUAL(batch_record_header(&rec, 1, &kv), 0);
    CU_ASSERT_EQUAL(memcmp(kv.key, "empty", 5), 0);
    CU_ASSERT_PTR_NULL(kv.value);
    CU_ASSERT_EQUAL(kv.value_len, -1);
    CU_ASSERT_EQUAL(batch_record_header(&rec, 2, &kv), ERR_CORRUPT);

    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 1);
    CU_ASSERT_EQUAL(rec.offset_delta, 1);
    CU_ASSERT_EQUAL(rec.timestamp_delta, 500);
    CU_ASSERT_PTR_NULL(rec.key);
    CU_ASSERT_EQUAL(rec.key_len, -1);
    CU_ASSERT_EQUAL(rec.nheaders, 0);

    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 1);
    CU_ASSERT_EQUAL(rec.timestamp_delta, -1000);
    CU_ASSERT_PTR_NULL(rec.value);
    CU_ASSERT_EQUAL(rec.value_len, -1);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 0);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 0);
    batch_iter_fini(&it);
}

static void
test_batch_build_validate_iterate_every_codec(void)
{
    buf_t scratch = BUF_INIT;

    for (size_t c = 0; c < NCODECS; c++) {
        buf_t b = BUF_INIT;
        batch_hdr_t h;

        build_sample(&b, all_codecs[c]);
        CU_ASSERT_EQUAL(batch_hdr_parse(b.data, b.len, &h), 0);
        CU_ASSERT_EQUAL(h.attributes & BATCH_ATTR_CODEC_MASK, all_codecs[c]);
        CU_ASSERT_EQUAL(batch_validate(b.data, b.len, &scratch), KERR_NONE);
        CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_NONE);
        CU_ASSERT_EQUAL(batch_validate_flags(b.data, b.len, &scratch,
                                             BATCH_VALIDATE_REPLICA),
                        KERR_NONE);
        check_sample_records(b.data, b.len);
        buf_fini(&b);
    }
    buf_fini(&scratch);
    codec_thread_fini();
}

static void
test_batch_validates_and_iterates_librdkafka_batches(void)
{
    static const struct {
        const uint8_t *p;
        size_t len;
    } caps[] = {{kcat_gzip, sizeof(kcat_gzip)},
                {kcat_lz4, sizeof(kcat_lz4)},
                {kcat_snappy, sizeof(kcat_snappy)},
                {kcat_zstd, sizeof(kcat_zstd)}};
    buf_t scratch = BUF_INIT;

    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        batch_iter_t it;
        batch_record_t rec;
        batch_header_kv_t kv;
        int n = 0;

        CU_ASSERT_EQUAL(batch_validate(caps[i].p, caps[i].len, &scratch),
                        KERR_NONE);
        CU_ASSERT_EQUAL_FATAL(batch_iter_init(&it, caps[i].p, caps[i].len), 0);
        while (batch_iter_next(&it, &rec) == 1) {
            CU_ASSERT_EQUAL(rec.offset_delta, n);
            CU_ASSERT_EQUAL(rec.nheaders, 1);
            CU_ASSERT_EQUAL(batch_record_header(&rec, 0, &kv), 0);
            CU_ASSERT_EQUAL(memcmp(kv.key, "h1", 2), 0);
            CU_ASSERT_EQUAL(kv.value_len, 1);
            n++;
        }
        CU_ASSERT_EQUAL(it.err, 0);
        CU_ASSERT_EQUAL(n, 3);
        /* the last record: empty key, value "v3" */
        CU_ASSERT_EQUAL(rec.key_len, 0);
        CU_ASSERT_EQUAL(rec.value_len, 2);
        CU_ASSERT_EQUAL(memcmp(rec.value, "v3", 2), 0);
        batch_iter_fini(&it);
    }
    buf_fini(&scratch);
    codec_thread_fini();
}

static void
test_batch_crc_mismatch_is_corrupt_message(void)
{
    buf_t b = BUF_INIT;

    build_sample(&b, BATCH_CODEC_LZ4);
    b.data[b.len - 3] ^= 0x40;
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    buf_reset(&b);
    build_sample(&b, BATCH_CODEC_NONE);
    b.data[BATCH_CRC_OFFSET] ^= 1;
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    buf_fini(&b);
}

static void
test_batch_fields_outside_the_crc_can_be_rewritten(void)
{
    buf_t b = BUF_INIT;
    batch_hdr_t h;

    build_sample(&b, BATCH_CODEC_NONE);
    batch_set_base_offset(b.data, 123456789012LL);
    batch_set_leader_epoch(b.data, 7);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_NONE);
    batch_hdr_parse(b.data, b.len, &h);
    CU_ASSERT_EQUAL(h.base_offset, 123456789012LL);
    CU_ASSERT_EQUAL(h.partition_leader_epoch, 7);
    batch_set_log_append_time(b.data, b.len, 1800000000000LL);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_NONE);
    batch_hdr_parse(b.data, b.len, &h);
    CU_ASSERT(h.attributes & BATCH_ATTR_TIMESTAMP_LOG_APPEND);
    CU_ASSERT_EQUAL(h.max_timestamp, 1800000000000LL);
    CU_ASSERT_EQUAL(h.base_timestamp, 1700000000000LL);
    buf_fini(&b);
}

static void
test_batch_truncated_or_padded_batch_is_corrupt(void)
{
    buf_t b = BUF_INIT;
    batch_iter_t it;

    build_sample(&b, BATCH_CODEC_NONE);
    for (size_t len = 0; len < b.len; len += 7)
        CU_ASSERT_EQUAL(batch_validate(b.data, len, NULL),
                        KERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len - 1, NULL),
                    KERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(batch_iter_init(&it, b.data, b.len - 1), ERR_CORRUPT);
    batch_iter_fini(&it);
    buf_extend(&b, 1);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    /* batchLength too small to hold the header */
    put32(b.data + 8, 48);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    buf_fini(&b);
}

static void
test_batch_bad_offset_deltas_are_invalid_record(void)
{
    batch_build_record_t recs[2];
    buf_t b = BUF_INIT;
    uint8_t *rec1;

    memset(recs, 0, sizeof(recs));
    recs[0].value = "a";
    recs[0].value_len = 1;
    recs[1].value = "b";
    recs[1].value_len = 1;
    CU_ASSERT_EQUAL(batch_build(&b, BATCH_CODEC_NONE, 0, recs, 2), 0);
    /* each record is 8 bytes: len=7, attr, tsΔ, offΔ, klen, vlen, v, hdrs;
     * the second record's offset delta sits at 61 + 8 + 3 */
    rec1 = b.data + BATCH_HEADER_SIZE + 8;
    CU_ASSERT_EQUAL(rec1[3], 2); /* zigzag(1) */
    rec1[3] = 0;                 /* delta 0 again */
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_INVALID_RECORD);
    CU_ASSERT_EQUAL(
        batch_validate_flags(b.data, b.len, NULL, BATCH_VALIDATE_REPLICA),
        KERR_INVALID_RECORD);
    /* a gap (0, 2) with lastOffsetDelta 2: a compacted batch */
    rec1[3] = 4;
    put32(b.data + 23, 2);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_INVALID_RECORD);
    CU_ASSERT_EQUAL(
        batch_validate_flags(b.data, b.len, NULL, BATCH_VALIDATE_REPLICA),
        KERR_NONE);
    /* a delta past lastOffsetDelta */
    put32(b.data + 23, 1);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(
        batch_validate_flags(b.data, b.len, NULL, BATCH_VALIDATE_REPLICA),
        KERR_INVALID_RECORD);
    buf_fini(&b);
}

static void
test_batch_records_count_mismatch_is_detected(void)
{
    buf_t b = BUF_INIT;
    batch_iter_t it;
    batch_record_t rec;

    build_sample(&b, BATCH_CODEC_NONE);
    /* count 2 but lastOffsetDelta 2: inconsistent header */
    put32(b.data + 57, 2);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_INVALID_RECORD);
    /* count and lastOffsetDelta agree, but a third record follows */
    put32(b.data + 23, 1);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(batch_iter_init(&it, b.data, b.len), 0);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 1);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), 1);
    CU_ASSERT_EQUAL(batch_iter_next(&it, &rec), ERR_CORRUPT);
    batch_iter_fini(&it);
    /* count 4, lastOffsetDelta 3, only three records */
    put32(b.data + 57, 4);
    put32(b.data + 23, 3);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    /* zero and negative counts from a client */
    put32(b.data + 57, 0);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_INVALID_RECORD);
    put32(b.data + 57, (uint32_t)-5);
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(
        batch_validate_flags(b.data, b.len, NULL, BATCH_VALIDATE_REPLICA),
        KERR_CORRUPT_MESSAGE);
    buf_fini(&b);
}

static void
test_batch_bad_record_framing_is_corrupt(void)
{
    buf_t b = BUF_INIT;
    uint8_t *rec0;

    build_sample(&b, BATCH_CODEC_NONE);
    rec0 = b.data + BATCH_HEADER_SIZE;
    rec0[0] += 2; /* record length +1 (zigzag): runs into the next record */
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    rec0[0] -= 2;
    rec0[4] = 0x7f; /* key length -64 */
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    buf_fini(&b);
}

static void
test_batch_magic_and_codec_errors_use_kafka_codes(void)
{
    buf_t b = BUF_INIT;
    batch_iter_t it;

    build_sample(&b, BATCH_CODEC_NONE);
    b.data[16] = 1;
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_INVALID_RECORD);
    b.data[16] = 9;
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    b.data[16] = 2;
    b.data[22] = 5; /* codec 5 */
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL),
                    KERR_UNSUPPORTED_COMPRESSION_TYPE);
    CU_ASSERT_EQUAL(batch_iter_init(&it, b.data, b.len), ERR_INVAL);
    batch_iter_fini(&it);
    /* claims gzip but holds plain records */
    b.data[22] = BATCH_CODEC_GZIP;
    fix_crc(b.data, b.len);
    CU_ASSERT_EQUAL(batch_validate(b.data, b.len, NULL), KERR_CORRUPT_MESSAGE);
    buf_fini(&b);
}

static void
test_batch_build_rejects_bad_arguments(void)
{
    buf_t b = BUF_INIT;
    batch_build_record_t rec;
    batch_header_kv_t bad = {NULL, 0, NULL, -1};

    memset(&rec, 0, sizeof(rec));
    CU_ASSERT_EQUAL(batch_build(&b, BATCH_CODEC_NONE, 0, &rec, 0), ERR_INVAL);
    CU_ASSERT_EQUAL(batch_build(&b, (batch_codec_t)6, 0, &rec, 1), ERR_INVAL);
    rec.nheaders = 1;
    rec.headers = &bad;
    CU_ASSERT_EQUAL(batch_build(&b, BATCH_CODEC_NONE, 0, &rec, 1), ERR_INVAL);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_fini(&b);
}

void
suite_batch(void)
{
    CU_pSuite s = unit_suite("batch");
    UNIT_TEST(s, test_batch_build_then_parse_header);
    UNIT_TEST(s, test_batch_build_validate_iterate_every_codec);
    UNIT_TEST(s, test_batch_validates_and_iterates_librdkafka_batches);
    UNIT_TEST(s, test_batch_crc_mismatch_is_corrupt_message);
    UNIT_TEST(s, test_batch_fields_outside_the_crc_can_be_rewritten);
    UNIT_TEST(s, test_batch_truncated_or_padded_batch_is_corrupt);
    UNIT_TEST(s, test_batch_bad_offset_deltas_are_invalid_record);
    UNIT_TEST(s, test_batch_records_count_mismatch_is_detected);
    UNIT_TEST(s, test_batch_bad_record_framing_is_corrupt);
    UNIT_TEST(s, test_batch_magic_and_codec_errors_use_kafka_codes);
    UNIT_TEST(s, test_batch_build_rejects_bad_arguments);
}
