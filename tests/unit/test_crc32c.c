/*
 * test_crc32c.c: CRC-32C, hardware and table paths (src/common/crc32c.c).
 */
#include <string.h>

#include "samsa/crc32c.h"
#include "unit.h"

static void
test_crc32c_matches_check_value(void)
{
    /* the catalogue "check" value of CRC-32C */
    CU_ASSERT_EQUAL(crc32c(0, "123456789", 9), 0xe3069283u);
    CU_ASSERT_EQUAL(crc32c_sw(0, "123456789", 9), 0xe3069283u);
    CU_ASSERT_EQUAL(crc32c(0, "", 0), 0);
}

static void
test_crc32c_matches_rfc3720_vectors(void)
{
    uint8_t b[32];

    /* RFC 3720 B.4: 32 bytes of zeroes, of ones, incrementing */
    memset(b, 0, sizeof(b));
    CU_ASSERT_EQUAL(crc32c(0, b, sizeof(b)), 0x8a9136aau);
    memset(b, 0xff, sizeof(b));
    CU_ASSERT_EQUAL(crc32c(0, b, sizeof(b)), 0x62a8ab43u);
    for (int i = 0; i < 32; i++)
        b[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(crc32c(0, b, sizeof(b)), 0x46dd794eu);
    CU_ASSERT_EQUAL(crc32c_sw(0, b, sizeof(b)), 0x46dd794eu);
}

static void
test_crc32c_hardware_and_table_agree_at_every_alignment(void)
{
    uint8_t b[1100];
    uint32_t seed = 12345;

    for (size_t i = 0; i < sizeof(b); i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len < 1090; len += 37)
            CU_ASSERT_EQUAL(crc32c(0, b + off, len),
                            crc32c_sw(0, b + off, len));
}

static void
test_crc32c_continues_across_calls(void)
{
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = crc32c(0, s, n);

    for (size_t cut = 0; cut <= n; cut++) {
        CU_ASSERT_EQUAL(crc32c(crc32c(0, s, cut), s + cut, n - cut), whole);
        CU_ASSERT_EQUAL(crc32c_sw(crc32c_sw(0, s, cut), s + cut, n - cut),
                        whole);
    }
    (void)crc32c_hw_available();
}

void
suite_crc32c(void)
{
    CU_pSuite s = unit_suite("crc32c");
    UNIT_TEST(s, test_crc32c_matches_check_value);
    UNIT_TEST(s, test_crc32c_matches_rfc3720_vectors);
    UNIT_TEST(s, test_crc32c_hardware_and_table_agree_at_every_alignment);
    UNIT_TEST(s, test_crc32c_continues_across_calls);
}
