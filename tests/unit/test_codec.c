/*
 * test_codec.c: gzip, snappy, lz4 and zstd (src/proto/codec.c), with the
 * compressed records of batches captured from librdkafka.
 */
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "kcat_batches.h"
#include "samsa/batch.h"
#include "samsa/codec.h"
#include "samsa/err.h"
#include "unit.h"

static const batch_codec_t all_codecs[] = {BATCH_CODEC_NONE, BATCH_CODEC_GZIP,
                                           BATCH_CODEC_SNAPPY, BATCH_CODEC_LZ4,
                                           BATCH_CODEC_ZSTD};
#define NCODECS (sizeof(all_codecs) / sizeof(all_codecs[0]))

/* compressible but not trivial: words with a counter */
static uint8_t *
sample_data(size_t len)
{
    uint8_t *p = malloc(len);
    uint32_t seed = 7;

    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (i % 64 < 48) ? (uint8_t)("kafka-record-"[i % 13])
                             : (uint8_t)(seed >> 24);
    }
    return p;
}

static void
test_codec_round_trips_every_codec_at_several_sizes(void)
{
    static const size_t sizes[] = {0, 1, 100, 32768, 32769, 200000};

    for (size_t c = 0; c < NCODECS; c++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            uint8_t *in = sample_data(sizes[s]);
            buf_t z = BUF_INIT, out = BUF_INIT;

            buf_append(&out, "pre", 3); /* output is appended */
            CU_ASSERT_EQUAL(codec_compress(all_codecs[c], in, sizes[s], &z), 0);
            CU_ASSERT_EQUAL(
                codec_decompress(all_codecs[c], z.data, z.len, &out, sizes[s]),
                0);
            CU_ASSERT_EQUAL(out.len, sizes[s] + 3);
            CU_ASSERT(out.len < 3 || memcmp(out.data + 3, in, sizes[s]) == 0);
            buf_fini(&z);
            buf_fini(&out);
            free(in);
        }
    }
    codec_thread_fini();
}

static void
test_codec_refuses_output_past_the_limit(void)
{
    size_t big = 8u << 20; /* 8 MiB of zeroes: a tiny "bomb" */
    uint8_t *zeroes = calloc(1, big);

    for (size_t c = 0; c < NCODECS; c++) {
        buf_t z = BUF_INIT, out = BUF_INIT;

        CU_ASSERT_EQUAL(codec_compress(all_codecs[c], zeroes, big, &z), 0);
        if (all_codecs[c] != BATCH_CODEC_NONE)
            CU_ASSERT(z.len < big / 20); /* snappy tops out near 21:1 */
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, z.len, &out, 1u << 20),
            ERR_TOOBIG);
        /* never more than the limit plus one growth step */
        CU_ASSERT(out.cap <= (3u << 20));
        buf_reset(&out);
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, z.len, &out, big - 1),
            ERR_TOOBIG);
        buf_reset(&out);
        /* exactly at the limit is fine */
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, z.len, &out, big), 0);
        CU_ASSERT_EQUAL(out.len, big);
        buf_fini(&z);
        buf_fini(&out);
    }
    free(zeroes);
    codec_thread_fini();
}

static void
test_codec_rejects_truncated_and_garbled_input(void)
{
    uint8_t *in = sample_data(50000);

    for (size_t c = 1; c < NCODECS; c++) {
        buf_t z = BUF_INIT, out = BUF_INIT;

        CU_ASSERT_EQUAL(codec_compress(all_codecs[c], in, 50000, &z), 0);
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, z.len / 2, &out, 1u << 20),
            ERR_CORRUPT);
        buf_reset(&out);
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, 0, &out, 1u << 20),
            ERR_CORRUPT);
        buf_reset(&out);
        memset(z.data + 4, 0xa5, 24);
        CU_ASSERT_EQUAL(
            codec_decompress(all_codecs[c], z.data, z.len, &out, 1u << 20),
            ERR_CORRUPT);
        buf_fini(&z);
        buf_fini(&out);
    }
    free(in);
    codec_thread_fini();
}

static void
test_codec_snappy_writes_java_framing_and_reads_raw_snappy(void)
{
    uint8_t *in = sample_data(70000);
    buf_t z = BUF_INIT, out = BUF_INIT;
    size_t rawlen = snappy_max_compressed_length(70000);
    char *raw = malloc(rawlen);

    CU_ASSERT_EQUAL(codec_compress(BATCH_CODEC_SNAPPY, in, 70000, &z), 0);
    CU_ASSERT_EQUAL(memcmp(z.data, "\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16), 0);
    /* raw snappy, as librdkafka sends it */
    CU_ASSERT_EQUAL(snappy_compress((const char *)in, 70000, raw, &rawlen),
                    SNAPPY_OK);
    CU_ASSERT_EQUAL(codec_decompress(BATCH_CODEC_SNAPPY, (uint8_t *)raw, rawlen,
                                     &out, 70000),
                    0);
    CU_ASSERT_EQUAL(out.len, 70000);
    CU_ASSERT_EQUAL(memcmp(out.data, in, 70000), 0);
    buf_reset(&out);
    /* a framed block cut short */
    CU_ASSERT_EQUAL(
        codec_decompress(BATCH_CODEC_SNAPPY, z.data, 18, &out, 70000),
        ERR_CORRUPT);
    buf_fini(&z);
    buf_fini(&out);
    free(raw);
    free(in);
}

static void
test_codec_gzip_reads_concatenated_members(void)
{
    buf_t z = BUF_INIT, out = BUF_INIT;

    codec_compress(BATCH_CODEC_GZIP, (const uint8_t *)"hello ", 6, &z);
    codec_compress(BATCH_CODEC_GZIP, (const uint8_t *)"world", 5, &z);
    CU_ASSERT_EQUAL(
        codec_decompress(BATCH_CODEC_GZIP, z.data, z.len, &out, 100), 0);
    CU_ASSERT_EQUAL(out.len, 11);
    CU_ASSERT_EQUAL(memcmp(out.data, "hello world", 11), 0);
    buf_fini(&z);
    buf_fini(&out);
}

static void
test_codec_unknown_codec_is_invalid(void)
{
    buf_t out = BUF_INIT;

    CU_ASSERT_EQUAL(
        codec_decompress((batch_codec_t)5, (const uint8_t *)"x", 1, &out, 10),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        codec_compress((batch_codec_t)7, (const uint8_t *)"x", 1, &out),
        ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(codec_name(BATCH_CODEC_LZ4), "lz4");
    CU_ASSERT_STRING_EQUAL(codec_name((batch_codec_t)6), "unknown");
    buf_fini(&out);
}

/* the records area of a captured batch decompresses to 3 records */
static void
check_kcat_records(batch_codec_t c, const uint8_t *batch, size_t len)
{
    buf_t out = BUF_INIT;
    const uint8_t *hit;

    CU_ASSERT_EQUAL(batch[22] & BATCH_ATTR_CODEC_MASK, c);
    CU_ASSERT_EQUAL(codec_decompress(c, batch + BATCH_HEADER_SIZE,
                                     len - BATCH_HEADER_SIZE, &out, 4096),
                    0);
    CU_ASSERT(out.len > 606);
    hit = memmem(out.data, out.len, "v2-hellohello", 13);
    CU_ASSERT_PTR_NOT_NULL(hit);
    buf_fini(&out);
}

static void
test_codec_reads_librdkafka_compressed_records(void)
{
    check_kcat_records(BATCH_CODEC_GZIP, kcat_gzip, sizeof(kcat_gzip));
    check_kcat_records(BATCH_CODEC_LZ4, kcat_lz4, sizeof(kcat_lz4));
    check_kcat_records(BATCH_CODEC_SNAPPY, kcat_snappy, sizeof(kcat_snappy));
    check_kcat_records(BATCH_CODEC_ZSTD, kcat_zstd, sizeof(kcat_zstd));
    codec_thread_fini();
}

void
suite_codec(void)
{
    CU_pSuite s = unit_suite("codec");
    UNIT_TEST(s, test_codec_round_trips_every_codec_at_several_sizes);
    UNIT_TEST(s, test_codec_refuses_output_past_the_limit);
    UNIT_TEST(s, test_codec_rejects_truncated_and_garbled_input);
    UNIT_TEST(s, test_codec_snappy_writes_java_framing_and_reads_raw_snappy);
    UNIT_TEST(s, test_codec_gzip_reads_concatenated_members);
    UNIT_TEST(s, test_codec_unknown_codec_is_invalid);
    UNIT_TEST(s, test_codec_reads_librdkafka_compressed_records);
}
