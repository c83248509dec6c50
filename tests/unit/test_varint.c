/*
 * test_varint.c: zigzag and unsigned varints (src/common/varint.c).
 */
#include <string.h>

#include "samsa/err.h"
#include "samsa/varint.h"
#include "unit.h"

static void
test_varint_zigzag_maps_small_magnitudes_to_small_codes(void)
{
    CU_ASSERT_EQUAL(varint_zigzag32(0), 0);
    CU_ASSERT_EQUAL(varint_zigzag32(-1), 1);
    CU_ASSERT_EQUAL(varint_zigzag32(1), 2);
    CU_ASSERT_EQUAL(varint_zigzag32(-2), 3);
    CU_ASSERT_EQUAL(varint_zigzag32(INT32_MAX), 0xfffffffeu);
    CU_ASSERT_EQUAL(varint_zigzag32(INT32_MIN), 0xffffffffu);
    CU_ASSERT_EQUAL(varint_unzigzag32(0xffffffffu), INT32_MIN);
    CU_ASSERT_EQUAL(varint_zigzag64(INT64_MIN), UINT64_MAX);
    CU_ASSERT_EQUAL(varint_unzigzag64(UINT64_MAX - 1), INT64_MAX);
}

static void
test_varint_encodes_known_vectors(void)
{
    uint8_t b[VARINT_MAX64];

    /* protobuf's documented example: 300 = ac 02 */
    CU_ASSERT_EQUAL(varint_encode_u32(b, 300), 2);
    CU_ASSERT_EQUAL(b[0], 0xac);
    CU_ASSERT_EQUAL(b[1], 0x02);
    /* -1 zigzags to 1 */
    CU_ASSERT_EQUAL(varint_encode_i32(b, -1), 1);
    CU_ASSERT_EQUAL(b[0], 0x01);
    CU_ASSERT_EQUAL(varint_encode_u32(b, UINT32_MAX), 5);
    CU_ASSERT_EQUAL(memcmp(b, "\xff\xff\xff\xff\x0f", 5), 0);
    CU_ASSERT_EQUAL(varint_encode_u64(b, UINT64_MAX), 10);
    CU_ASSERT_EQUAL(b[9], 0x01);
    CU_ASSERT_EQUAL(varint_size_i64(INT64_MIN), 10);
    CU_ASSERT_EQUAL(varint_size_u32(127), 1);
    CU_ASSERT_EQUAL(varint_size_u32(128), 2);
}

static void
test_varint_round_trips_edge_values(void)
{
    static const int64_t v64[] = {0,         1,         -1,          63,
                                  -64,       64,        -65,         8191,
                                  -8192,     INT32_MAX, INT32_MIN,   INT64_MAX,
                                  INT64_MIN, 1LL << 35, -(1LL << 49)};
    uint8_t b[VARINT_MAX64];

    for (size_t i = 0; i < sizeof(v64) / sizeof(v64[0]); i++) {
        int64_t out = 42;
        size_t n = varint_encode_i64(b, v64[i]);

        CU_ASSERT_EQUAL(n, varint_size_i64(v64[i]));
        CU_ASSERT_EQUAL(varint_decode_i64(b, n, &out), (int)n);
        CU_ASSERT_EQUAL(out, v64[i]);
        if (v64[i] >= INT32_MIN && v64[i] <= INT32_MAX) {
            int32_t o32 = 7;

            n = varint_encode_i32(b, (int32_t)v64[i]);
            CU_ASSERT_EQUAL(varint_decode_i32(b, n, &o32), (int)n);
            CU_ASSERT_EQUAL(o32, (int32_t)v64[i]);
        }
    }
}

static void
test_varint_decode_reports_truncation_as_again(void)
{
    uint8_t b[VARINT_MAX64];
    uint32_t u32;
    uint64_t u64;
    size_t n = varint_encode_u32(b, 1u << 30);

    for (size_t len = 0; len < n; len++)
        CU_ASSERT_EQUAL(varint_decode_u32(b, len, &u32), ERR_AGAIN);
    n = varint_encode_u64(b, UINT64_MAX);
    CU_ASSERT_EQUAL(varint_decode_u64(b, n - 1, &u64), ERR_AGAIN);
}

static void
test_varint_decode_rejects_overlong_encodings(void)
{
    /* six bytes for a 32-bit value */
    static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    /* five bytes whose last carries bits above 2^32 */
    static const uint8_t wide[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    /* eleven bytes for a 64-bit value */
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x00};
    static const uint8_t wide64[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0x02};
    uint32_t u32;
    uint64_t u64;
    int32_t i32;

    CU_ASSERT_EQUAL(varint_decode_u32(six, sizeof(six), &u32), ERR_CORRUPT);
    CU_ASSERT_EQUAL(varint_decode_u32(wide, sizeof(wide), &u32), ERR_CORRUPT);
    CU_ASSERT_EQUAL(varint_decode_i32(wide, sizeof(wide), &i32), ERR_CORRUPT);
    CU_ASSERT_EQUAL(varint_decode_u64(eleven, sizeof(eleven), &u64),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(varint_decode_u64(wide64, sizeof(wide64), &u64),
                    ERR_CORRUPT);
    /* a non-minimal but in-range encoding (0 as 80 00) is accepted */
    CU_ASSERT_EQUAL(varint_decode_u32(six + 4, 2, &u32), 2);
    CU_ASSERT_EQUAL(u32, 0);
}

void
suite_varint(void)
{
    CU_pSuite s = unit_suite("varint");
    UNIT_TEST(s, test_varint_zigzag_maps_small_magnitudes_to_small_codes);
    UNIT_TEST(s, test_varint_encodes_known_vectors);
    UNIT_TEST(s, test_varint_round_trips_edge_values);
    UNIT_TEST(s, test_varint_decode_reports_truncation_as_again);
    UNIT_TEST(s, test_varint_decode_rejects_overlong_encodings);
}
