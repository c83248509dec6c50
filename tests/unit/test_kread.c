/*
 * test_kread.c: the protocol primitive reader and writer
 * (src/proto/kread.c, src/proto/kwrite.c), with byte vectors from the
 * protocol guide's encodings.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/err.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "unit.h"

static void
test_kread_reads_big_endian_fixed_width_integers(void)
{
    static const uint8_t v[] = {0xfe, 0x12, 0x34, 0x80, 0x00, 0x00, 0x01,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xfe, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};
    kread_t kr;

    kread_init(&kr, v, sizeof(v));
    CU_ASSERT_EQUAL(kread_i8(&kr), -2);
    CU_ASSERT_EQUAL(kread_i16(&kr), 0x1234);
    CU_ASSERT_EQUAL(kread_i32(&kr), INT32_MIN + 1);
    CU_ASSERT_EQUAL(kread_i64(&kr), -2);
    CU_ASSERT_EQUAL(kread_bool(&kr), true);
    CU_ASSERT_EQUAL(kread_bool(&kr), false);
    CU_ASSERT_EQUAL(kread_u32(&kr), 0xdeadbeefu);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL(kr.err, 0);
}

static void
test_kread_reads_varints_and_uuid_and_f64(void)
{
    uint8_t v[64];
    size_t n = 0;
    uint8_t uuid[16];
    kread_t kr;
    double d = 3.25;
    uint64_t du;

    v[n++] = 0x03; /* varint -2 */
    v[n++] = 0xac; /* uvarint 300 */
    v[n++] = 0x02;
    v[n++] = 0xff; /* varlong INT64_MIN */
    for (int i = 0; i < 8; i++)
        v[n++] = 0xff;
    v[n++] = 0x01;
    for (int i = 0; i < 16; i++)
        v[n++] = (uint8_t)i;
    memcpy(&du, &d, 8);
    for (int i = 0; i < 8; i++)
        v[n++] = (uint8_t)(du >> (56 - 8 * i));
    kread_init(&kr, v, n);
    CU_ASSERT_EQUAL(kread_varint(&kr), -2);
    CU_ASSERT_EQUAL(kread_uvarint(&kr), 300);
    CU_ASSERT_EQUAL(kread_varlong(&kr), INT64_MIN);
    kread_uuid(&kr, uuid);
    CU_ASSERT_EQUAL(uuid[15], 15);
    CU_ASSERT_EQUAL(kread_f64(&kr), 3.25);
    CU_ASSERT_EQUAL(kr.err, 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
}

static void
test_kread_reads_plain_and_nullable_strings_and_bytes(void)
{
    static const uint8_t v[] = {0x00, 0x03, 'a',  'b',  'c', /* "abc" */
                                0xff, 0xff,                  /* null */
                                0x00, 0x00,                  /* "" */
                                0x00, 0x00, 0x00, 0x02, 1,
                                2,    0xff, 0xff, 0xff, 0xff};
    kread_t kr;
    kstr_t s;
    kbytes_t b;
    char *dup;

    kread_init(&kr, v, sizeof(v));
    s = kread_str(&kr, false);
    CU_ASSERT(kstr_eq(s, "abc"));
    CU_ASSERT(!kstr_eq(s, "ab"));
    dup = kstr_dup(s);
    CU_ASSERT_STRING_EQUAL(dup, "abc");
    free(dup);
    s = kread_str(&kr, false);
    CU_ASSERT_EQUAL(s.len, -1);
    CU_ASSERT_PTR_NULL(kstr_dup(s));
    CU_ASSERT(kstr_eq(s, NULL));
    s = kread_str(&kr, false);
    CU_ASSERT_EQUAL(s.len, 0);
    CU_ASSERT(kstr_eq(s, ""));
    b = kread_bytes(&kr, false);
    CU_ASSERT_EQUAL(b.len, 2);
    CU_ASSERT_EQUAL(b.ptr[1], 2);
    b = kread_bytes(&kr, false);
    CU_ASSERT_EQUAL(b.len, -1);
    CU_ASSERT_PTR_NULL(b.ptr);
    CU_ASSERT_EQUAL(kr.err, 0);
}

static void
test_kread_reads_compact_strings_bytes_and_arrays(void)
{
    static const uint8_t v[] = {0x04, 'x', 'y', 'z', /* COMPACT_STRING */
                                0x00,                /* null */
                                0x01,                /* "" */
                                0x03, 9,   8,        /* COMPACT_BYTES */
                                0x00,                /* null bytes */
                                0x03, 1,   2,        /* array of 2 */
                                0x00};               /* null array */
    kread_t kr;
    kstr_t s;
    kbytes_t b;

    kread_init(&kr, v, sizeof(v));
    s = kread_str(&kr, true);
    CU_ASSERT(kstr_eq(s, "xyz"));
    CU_ASSERT_EQUAL(kread_str(&kr, true).len, -1);
    CU_ASSERT_EQUAL(kread_str(&kr, true).len, 0);
    b = kread_bytes(&kr, true);
    CU_ASSERT_EQUAL(b.len, 2);
    CU_ASSERT_EQUAL(b.ptr[0], 9);
    CU_ASSERT_EQUAL(kread_bytes(&kr, true).len, -1);
    CU_ASSERT_EQUAL(kread_array(&kr, true, 1), 2);
    CU_ASSERT_EQUAL(kread_i8(&kr), 1);
    CU_ASSERT_EQUAL(kread_i8(&kr), 2);
    CU_ASSERT_EQUAL(kread_array(&kr, true, 1), -1);
    CU_ASSERT_EQUAL(kr.err, 0);
}

static void
test_kread_skips_tagged_fields_and_reads_chosen_tags(void)
{
    /* 2 fields: tag 0 (3 bytes), tag 5 (1 byte); then an int8 */
    static const uint8_t v[] = {0x02, 0x00, 0x03, 'a',  'b',
                                'c',  0x05, 0x01, 0x2a, 0x7f};
    kread_t kr, field;
    uint32_t n;

    kread_init(&kr, v, sizeof(v));
    kread_tags(&kr);
    CU_ASSERT_EQUAL(kread_i8(&kr), 0x7f);
    CU_ASSERT_EQUAL(kr.err, 0);

    kread_init(&kr, v, sizeof(v));
    n = kread_uvarint(&kr);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(kread_tag(&kr, &field), 0);
    CU_ASSERT_EQUAL(kread_left(&field), 3);
    CU_ASSERT_EQUAL(kread_tag(&kr, &field), 5);
    CU_ASSERT_EQUAL(kread_i8(&field), 42);
    CU_ASSERT_EQUAL(kread_i8(&kr), 0x7f);
    CU_ASSERT_EQUAL(kr.err, 0);
}

static void
test_kread_error_is_sticky_after_truncation(void)
{
    static const uint8_t v[] = {0x00, 0x01, 0x02};
    kread_t kr;

    kread_init(&kr, v, sizeof(v));
    CU_ASSERT_EQUAL(kread_i32(&kr), 0);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    /* later reads return zero/empty even where bytes were left */
    CU_ASSERT_EQUAL(kread_i8(&kr), 0);
    CU_ASSERT_EQUAL(kread_str(&kr, false).len, -1);
    CU_ASSERT_PTR_NULL(kread_raw(&kr, 0));
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
}

static void
test_kread_rejects_lengths_past_the_end(void)
{
    static const uint8_t str[] = {0x00, 0x05, 'a', 'b'};
    static const uint8_t neg[] = {0xff, 0xfe, 'a', 'b'};
    static const uint8_t cbytes[] = {0x10, 1, 2, 3};
    static const uint8_t tag[] = {0x01, 0x00, 0x09, 1};
    static const uint8_t uv[] = {0x80, 0x80};
    kread_t kr;

    kread_init(&kr, str, sizeof(str));
    kread_str(&kr, false);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, neg, sizeof(neg));
    kread_str(&kr, false); /* -2 is not null, it is invalid */
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, cbytes, sizeof(cbytes));
    kread_bytes(&kr, true);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, tag, sizeof(tag));
    kread_tags(&kr);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, uv, sizeof(uv));
    kread_uvarint(&kr);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
}

static void
test_kread_rejects_array_counts_larger_than_the_bytes_left(void)
{
    static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    static const uint8_t chuge[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0};
    static const uint8_t fits[] = {0x00, 0x00, 0x00, 0x02, 0, 0,
                                   0,    0,    0,    0,    0, 0};
    static const uint8_t neg[] = {0xff, 0xff, 0xff, 0xfe};
    kread_t kr;

    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(kread_array(&kr, false, 4), 0);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, chuge, sizeof(chuge));
    kread_array(&kr, true, 0);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, fits, sizeof(fits));
    CU_ASSERT_EQUAL(kread_array(&kr, false, 4), 2);
    CU_ASSERT_EQUAL(kr.err, 0);
    kread_init(&kr, fits, sizeof(fits));
    kread_array(&kr, false, 5); /* 2 * 5 > 8 */
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
    kread_init(&kr, neg, sizeof(neg));
    kread_array(&kr, false, 1);
    CU_ASSERT_EQUAL(kr.err, ERR_PROTO);
}

static void
test_kwrite_round_trips_every_primitive(void)
{
    kwrite_t kw;
    kread_t kr;
    uint8_t uuid[16], uuid2[16];
    static const char bytes[] = {1, 2, 3};
    kstr_t view = {"view!", 4};

    for (int i = 0; i < 16; i++)
        uuid[i] = (uint8_t)(0xa0 + i);
    kwrite_init(&kw);
    for (int flex = 0; flex < 2; flex++) {
        kwrite_reset(&kw);
        kwrite_i8(&kw, -5);
        kwrite_i16(&kw, -300);
        kwrite_i32(&kw, 123456789);
        kwrite_i64(&kw, -1234567890123LL);
        kwrite_u32(&kw, 0xfeedface);
        kwrite_bool(&kw, true);
        kwrite_f64(&kw, -0.5);
        kwrite_varint(&kw, INT32_MIN);
        kwrite_varlong(&kw, INT64_MAX);
        kwrite_uvarint(&kw, UINT32_MAX);
        kwrite_uuid(&kw, uuid);
        kwrite_cstr(&kw, "topic", flex);
        kwrite_cstr(&kw, NULL, flex);
        kwrite_str(&kw, view, flex);
        kwrite_bytes(&kw, bytes, 3, flex);
        kwrite_bytes(&kw, NULL, 0, flex);
        kwrite_array(&kw, 7, flex);
        kwrite_array(&kw, -1, flex);
        kwrite_tags_empty(&kw);
        kwrite_uvarint(&kw, 1);
        kwrite_tag(&kw, 3, "xy", 2);
        kwrite_raw(&kw, "END", 3);
        CU_ASSERT_EQUAL(kwrite_len(&kw), kw.buf.len);

        kread_init(&kr, kw.buf.data, kw.buf.len);
        CU_ASSERT_EQUAL(kread_i8(&kr), -5);
        CU_ASSERT_EQUAL(kread_i16(&kr), -300);
        CU_ASSERT_EQUAL(kread_i32(&kr), 123456789);
        CU_ASSERT_EQUAL(kread_i64(&kr), -1234567890123LL);
        CU_ASSERT_EQUAL(kread_u32(&kr), 0xfeedface);
        CU_ASSERT_EQUAL(kread_bool(&kr), true);
        CU_ASSERT_EQUAL(kread_f64(&kr), -0.5);
        CU_ASSERT_EQUAL(kread_varint(&kr), INT32_MIN);
        CU_ASSERT_EQUAL(kread_varlong(&kr), INT64_MAX);
        CU_ASSERT_EQUAL(kread_uvarint(&kr), UINT32_MAX);
        kread_uuid(&kr, uuid2);
        CU_ASSERT_EQUAL(memcmp(uuid, uuid2, 16), 0);
        CU_ASSERT(kstr_eq(kread_str(&kr, flex), "topic"));
        CU_ASSERT_EQUAL(kread_str(&kr, flex).len, -1);
        CU_ASSERT(kstr_eq(kread_str(&kr, flex), "view"));
        CU_ASSERT_EQUAL(kread_bytes(&kr, flex).len, 3);
        CU_ASSERT_EQUAL(kread_bytes(&kr, flex).len, -1);
        CU_ASSERT_EQUAL(kread_array(&kr, flex, 0), 7);
        CU_ASSERT_EQUAL(kread_array(&kr, flex, 1), -1);
        kread_tags(&kr);
        kread_tags(&kr);
        CU_ASSERT_EQUAL(memcmp(kread_raw(&kr, 3), "END", 3), 0);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        CU_ASSERT_EQUAL(kr.err, 0);
    }
    kwrite_fini(&kw);
}

static void
test_kwrite_patches_a_reserved_length(void)
{
    kwrite_t kw;
    kread_t kr;
    size_t mark;

    kwrite_init(&kw);
    kwrite_i8(&kw, 1);
    mark = kwrite_mark_i32(&kw);
    for (int i = 0; i < 1000; i++) /* forces the buffer to move */
        kwrite_i32(&kw, i);
    kwrite_patch_i32(&kw, mark, 4000);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    kread_i8(&kr);
    CU_ASSERT_EQUAL(kread_i32(&kr), 4000);
    CU_ASSERT_EQUAL(kread_left(&kr), 4000);
    kwrite_fini(&kw);
}

static int unit_unrefs;

static void
count_unref(void *ref)
{
    CU_ASSERT_PTR_EQUAL(ref, &unit_unrefs);
    unit_unrefs++;
}

static void
test_kwrite_interleaves_file_chunks_with_buffer_runs(void)
{
    char *dir = unit_tmpdir("kwrite");
    char *path = malloc(strlen(dir) + 16);
    kwrite_t kw;
    buf_t out = BUF_INIT;
    fslice_t fs = {-1, 2, 5, count_unref, &unit_unrefs};
    int fd;

    sprintf(path, "%s/seg.log", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "0123456789", 10), 10);
    fs.fd = fd;
    unit_unrefs = 0;

    kwrite_init(&kw);
    kwrite_raw(&kw, "<<", 2);
    kwrite_file(&kw, &fs); /* "23456" */
    fs.off = 0;
    fs.len = 1;
    kwrite_file(&kw, &fs); /* "0": two files back to back */
    kwrite_raw(&kw, "|", 1);
    fs.len = 0;
    kwrite_file(&kw, &fs); /* empty: released at once */
    CU_ASSERT_EQUAL(unit_unrefs, 1);
    kwrite_raw(&kw, ">>", 2);
    CU_ASSERT_EQUAL(kwrite_len(&kw), 11);
    kwrite_finish(&kw);
    kwrite_finish(&kw); /* idempotent */
    CU_ASSERT_EQUAL(kw.nchunks, 4);
    CU_ASSERT_EQUAL(kw.chunks[0].fd, -1);
    CU_ASSERT_EQUAL(kw.chunks[1].fd, fd);
    CU_ASSERT_EQUAL(kw.chunks[2].fd, fd);
    CU_ASSERT_EQUAL(kw.chunks[3].fd, -1);
    CU_ASSERT_EQUAL(kw.chunks[3].boff, 2);
    CU_ASSERT_EQUAL(kw.chunks[3].len, 3);
    CU_ASSERT_EQUAL(kwrite_flatten(&kw, &out), 0);
    CU_ASSERT_EQUAL(out.len, 11);
    CU_ASSERT_EQUAL(memcmp(out.data, "<<234560|>>", 11), 0);
    kwrite_fini(&kw);
    CU_ASSERT_EQUAL(unit_unrefs, 3);

    /* a slice past the end of the file fails to flatten */
    kwrite_init(&kw);
    fs.off = 8;
    fs.len = 5;
    kwrite_file(&kw, &fs);
    buf_reset(&out);
    CU_ASSERT_EQUAL(kwrite_flatten(&kw, &out), ERR_IO);
    kwrite_reset(&kw);
    CU_ASSERT_EQUAL(unit_unrefs, 4);
    CU_ASSERT_EQUAL(kwrite_len(&kw), 0);
    kwrite_fini(&kw);

    close(fd);
    buf_fini(&out);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

void
suite_kread(void)
{
    CU_pSuite s = unit_suite("kread");
    UNIT_TEST(s, test_kread_reads_big_endian_fixed_width_integers);
    UNIT_TEST(s, test_kread_reads_varints_and_uuid_and_f64);
    UNIT_TEST(s, test_kread_reads_plain_and_nullable_strings_and_bytes);
    UNIT_TEST(s, test_kread_reads_compact_strings_bytes_and_arrays);
    UNIT_TEST(s, test_kread_skips_tagged_fields_and_reads_chosen_tags);
    UNIT_TEST(s, test_kread_error_is_sticky_after_truncation);
    UNIT_TEST(s, test_kread_rejects_lengths_past_the_end);
    UNIT_TEST(s, test_kread_rejects_array_counts_larger_than_the_bytes_left);
    UNIT_TEST(s, test_kwrite_round_trips_every_primitive);
    UNIT_TEST(s, test_kwrite_patches_a_reserved_length);
    UNIT_TEST(s, test_kwrite_interleaves_file_chunks_with_buffer_runs);
}
