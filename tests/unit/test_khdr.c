/*
 * test_khdr.c: request and response headers (src/proto/khdr.c), with
 * byte vectors in the shape real clients send.
 */
#include <string.h>

#include "samsa/err.h"
#include "samsa/khdr.h"
#include "unit.h"

/* librdkafka's opening ApiVersions v3 request header (v2): key 18, v3,
 * correlation id 1, client id "rdkafka", empty tags */
static const uint8_t rdkafka_hdr[] = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00,
                                      0x01, 0x00, 0x07, 'r',  'd',  'k',  'a',
                                      'f',  'k',  'a',  0x00, 0xee};

static void
test_khdr_peek_then_decode_flexible_request_header(void)
{
    khdr_t hdr;
    kread_t kr;

    CU_ASSERT_EQUAL(khdr_peek(rdkafka_hdr, sizeof(rdkafka_hdr), &hdr), 0);
    CU_ASSERT_EQUAL(hdr.request_api_key, 18);
    CU_ASSERT_EQUAL(hdr.request_api_version, 3);
    CU_ASSERT_EQUAL(hdr.correlation_id, 1);
    kread_init(&kr, rdkafka_hdr, sizeof(rdkafka_hdr));
    CU_ASSERT_EQUAL(khdr_decode(&kr, &hdr, true), 0);
    CU_ASSERT(kstr_eq(hdr.client_id, "rdkafka"));
    CU_ASSERT_EQUAL(kread_left(&kr), 1);
    CU_ASSERT_EQUAL(kread_i8(&kr), (int8_t)0xee);
    CU_ASSERT_EQUAL(khdr_peek(rdkafka_hdr, 7, &hdr), ERR_PROTO);
}

static void
test_khdr_decodes_v1_header_with_null_client_id(void)
{
    static const uint8_t v1[] = {0x00, 0x03, 0x00, 0x01, 0x7f, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0x00};
    khdr_t hdr;
    kread_t kr;

    kread_init(&kr, v1, sizeof(v1));
    CU_ASSERT_EQUAL(khdr_decode(&kr, &hdr, false), 0);
    CU_ASSERT_EQUAL(hdr.request_api_key, 3);
    CU_ASSERT_EQUAL(hdr.correlation_id, INT32_MAX);
    CU_ASSERT_EQUAL(hdr.client_id.len, -1);
    CU_ASSERT_EQUAL(kread_left(&kr), 1); /* no tags read in v1 */
    kread_init(&kr, v1, 9);
    CU_ASSERT_EQUAL(khdr_decode(&kr, &hdr, false), ERR_PROTO);
}

static void
test_khdr_controlled_shutdown_v0_has_no_client_id(void)
{
    static const uint8_t v0[] = {0x00, 0x07, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x09, 0x00, 0x00, 0x00, 0x02};
    khdr_t hdr;
    kread_t kr;

    kread_init(&kr, v0, sizeof(v0));
    CU_ASSERT_EQUAL(khdr_decode(&kr, &hdr, false), 0);
    CU_ASSERT_EQUAL(hdr.correlation_id, 9);
    CU_ASSERT_EQUAL(hdr.client_id.len, -1);
    CU_ASSERT_EQUAL(kread_i32(&kr), 2); /* broker id, the body */
}

static void
test_khdr_request_encode_round_trips(void)
{
    kwrite_t kw;
    kread_t kr;
    khdr_t hdr;

    kwrite_init(&kw);
    khdr_encode_request(&kw, 18, 3, 1, "rdkafka", true);
    CU_ASSERT_EQUAL(kw.buf.len, sizeof(rdkafka_hdr) - 1);
    CU_ASSERT_EQUAL(memcmp(kw.buf.data, rdkafka_hdr, kw.buf.len), 0);
    kwrite_reset(&kw);
    khdr_encode_request(&kw, 0, 7, 42, NULL, false);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    CU_ASSERT_EQUAL(khdr_decode(&kr, &hdr, false), 0);
    CU_ASSERT_EQUAL(hdr.request_api_version, 7);
    CU_ASSERT_EQUAL(hdr.correlation_id, 42);
    CU_ASSERT_EQUAL(hdr.client_id.len, -1);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    kwrite_fini(&kw);
}

static void
test_khdr_response_header_v1_adds_tags_except_for_api_versions(void)
{
    kwrite_t kw;
    kread_t kr;
    int32_t corr = 0;

    CU_ASSERT_FALSE(khdr_response_flexible(KHDR_API_VERSIONS, true));
    CU_ASSERT_TRUE(khdr_response_flexible(3, true));
    CU_ASSERT_FALSE(khdr_response_flexible(3, false));
    kwrite_init(&kw);
    khdr_encode_response(&kw, 77, false);
    CU_ASSERT_EQUAL(kw.buf.len, 4);
    khdr_encode_response(&kw, 78, true);
    CU_ASSERT_EQUAL(kw.buf.len, 9);
    kread_init(&kr, kw.buf.data, kw.buf.len);
    CU_ASSERT_EQUAL(khdr_decode_response(&kr, &corr, false), 0);
    CU_ASSERT_EQUAL(corr, 77);
    CU_ASSERT_EQUAL(khdr_decode_response(&kr, &corr, true), 0);
    CU_ASSERT_EQUAL(corr, 78);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    kwrite_fini(&kw);
}

void
suite_khdr(void)
{
    CU_pSuite s = unit_suite("khdr");
    UNIT_TEST(s, test_khdr_peek_then_decode_flexible_request_header);
    UNIT_TEST(s, test_khdr_decodes_v1_header_with_null_client_id);
    UNIT_TEST(s, test_khdr_controlled_shutdown_v0_has_no_client_id);
    UNIT_TEST(s, test_khdr_request_encode_round_trips);
    UNIT_TEST(s,
              test_khdr_response_header_v1_adds_tags_except_for_api_versions);
}
