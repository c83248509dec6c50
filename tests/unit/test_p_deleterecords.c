/*
 * test_p_deleterecords.c: the DeleteRecords (key 21) codec, v0-2.
 *
 * Byte vectors written from Kafka 2.8's DeleteRecords*.json layout (v0/v1
 * classic, v2 flexible), round trips of every version, and truncations.
 */
#include <string.h>

#include "samsa/arena.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_deleterecords.h"
#include "unit.h"

static void
flatten(kwrite_t *kw, buf_t *out)
{
    buf_reset(out);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(kw, out), 0);
}

static void
fill_req(deleterecords_req_t *req, deleterecords_req_topic_t *t,
         deleterecords_req_partition_t *p)
{
    p[0] = (deleterecords_req_partition_t){0, 5};
    p[1] = (deleterecords_req_partition_t){3, -1};
    t[0] = (deleterecords_req_topic_t){{"orders", 6}, 2, p};
    t[1] = (deleterecords_req_topic_t){{"x", 1}, 0, NULL};
    *req = (deleterecords_req_t){2, t, 30000};
}

static void
fill_resp(deleterecords_resp_t *resp, deleterecords_resp_topic_t *t,
          deleterecords_resp_partition_t *p)
{
    p[0] = (deleterecords_resp_partition_t){0, 5, 0};
    p[1] = (deleterecords_resp_partition_t){3, -1, 1};
    t[0] = (deleterecords_resp_topic_t){{"orders", 6}, 2, p};
    *resp = (deleterecords_resp_t){7, 1, t};
}

static void
test_deleterecords_v0_request_bytes(void)
{
    static const uint8_t want[] = {
        0, 0, 0,    1,                /* topics */
        0, 1, 't',                    /* name */
        0, 0, 0,    1,                /* partitions */
        0, 0, 0,    2,                /* partition_index */
        0, 0, 0,    0,    0, 0, 0, 9, /* offset */
        0, 0, 0x03, 0xe8,             /* timeout_ms 1000 */
    };
    deleterecords_req_partition_t p = {2, 9};
    deleterecords_req_topic_t t = {{"t", 1}, 1, &p};
    deleterecords_req_t req = {1, &t, 1000}, got;
    buf_t out = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    for (int16_t v = 0; v <= 1; v++) {
        kwrite_init(&kw);
        p_deleterecords_req_encode(&kw, v, &req);
        flatten(&kw, &out);
        kwrite_fini(&kw);
        CU_ASSERT_EQUAL(out.len, sizeof(want));
        CU_ASSERT(out.len == sizeof(want) &&
                  memcmp(out.data, want, sizeof(want)) == 0);
        arena_init(&ar);
        kread_init(&kr, want, sizeof(want));
        CU_ASSERT_EQUAL_FATAL(p_deleterecords_req_decode(&kr, v, &ar, &got), 0);
        CU_ASSERT_EQUAL(got.ntopics, 1);
        CU_ASSERT_EQUAL(got.topics[0].partitions[0].partition_index, 2);
        CU_ASSERT_EQUAL(got.topics[0].partitions[0].offset, 9);
        CU_ASSERT_EQUAL(got.timeout_ms, 1000);
        arena_fini(&ar);
    }
    buf_fini(&out);
}

static void
test_deleterecords_v2_response_bytes_are_flexible(void)
{
    static const uint8_t want[] = {
        0, 0,   0, 0,             /* throttle_time_ms */
        2,                        /* compact topics: 1 */
        2, 't',                   /* compact name */
        2,                        /* compact partitions: 1 */
        0, 0,   0, 0,             /* partition_index */
        0, 0,   0, 0, 0, 0, 0, 4, /* low_watermark */
        0, 1,                     /* error_code OFFSET_OUT_OF_RANGE */
        0,                        /* partition tags */
        0,                        /* topic tags */
        0,                        /* top-level tags */
    };
    deleterecords_resp_partition_t p = {0, 4, 1};
    deleterecords_resp_topic_t t = {{"t", 1}, 1, &p};
    deleterecords_resp_t resp = {0, 1, &t}, got;
    buf_t out = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    CU_ASSERT(kapi_flexible(API_DELETE_RECORDS, 2));
    CU_ASSERT(!kapi_flexible(API_DELETE_RECORDS, 1));
    kwrite_init(&kw);
    p_deleterecords_resp_encode(&kw, 2, &resp);
    flatten(&kw, &out);
    kwrite_fini(&kw);
    CU_ASSERT(out.len == sizeof(want) &&
              memcmp(out.data, want, sizeof(want)) == 0);
    arena_init(&ar);
    kread_init(&kr, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(p_deleterecords_resp_decode(&kr, 2, &ar, &got), 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL(got.topics[0].partitions[0].low_watermark, 4);
    CU_ASSERT_EQUAL(got.topics[0].partitions[0].error_code, 1);
    arena_fini(&ar);
    buf_fini(&out);
}

static void
test_deleterecords_every_version_round_trips(void)
{
    const kapi_t *api = kapi_find(API_DELETE_RECORDS);

    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_EQUAL(api->min_version, 0);
    CU_ASSERT_EQUAL(api->max_version, 2);
    for (int16_t v = api->min_version; v <= api->max_version; v++) {
        deleterecords_req_partition_t rp[2];
        deleterecords_req_topic_t rt[2];
        deleterecords_resp_partition_t sp[2];
        deleterecords_resp_topic_t st[1];
        deleterecords_req_t req, greq;
        deleterecords_resp_t resp, gresp;
        buf_t out = BUF_INIT;
        kwrite_t kw;
        kread_t kr;
        arena_t ar;

        fill_req(&req, rt, rp);
        fill_resp(&resp, st, sp);
        arena_init(&ar);
        kwrite_init(&kw);
        p_deleterecords_req_encode(&kw, v, &req);
        flatten(&kw, &out);
        kwrite_fini(&kw);
        kread_init(&kr, out.data, out.len);
        CU_ASSERT_EQUAL_FATAL(p_deleterecords_req_decode(&kr, v, &ar, &greq),
                              0);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        CU_ASSERT_EQUAL_FATAL(greq.ntopics, 2);
        CU_ASSERT(greq.topics[0].name.len == 6 &&
                  memcmp(greq.topics[0].name.ptr, "orders", 6) == 0);
        CU_ASSERT_EQUAL_FATAL(greq.topics[0].npartitions, 2);
        CU_ASSERT_EQUAL(greq.topics[0].partitions[1].partition_index, 3);
        CU_ASSERT_EQUAL(greq.topics[0].partitions[1].offset, -1);
        CU_ASSERT_EQUAL(greq.topics[1].npartitions, 0);
        CU_ASSERT_EQUAL(greq.timeout_ms, 30000);
        /* every strict prefix is malformed */
        for (size_t cut = 0; cut < out.len; cut++) {
            kread_init(&kr, out.data, cut);
            CU_ASSERT_EQUAL(p_deleterecords_req_decode(&kr, v, &ar, &greq),
                            ERR_PROTO);
        }

        kwrite_init(&kw);
        p_deleterecords_resp_encode(&kw, v, &resp);
        flatten(&kw, &out);
        kwrite_fini(&kw);
        kread_init(&kr, out.data, out.len);
        CU_ASSERT_EQUAL_FATAL(p_deleterecords_resp_decode(&kr, v, &ar, &gresp),
                              0);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        CU_ASSERT_EQUAL(gresp.throttle_time_ms, 7);
        CU_ASSERT_EQUAL_FATAL(gresp.ntopics, 1);
        CU_ASSERT_EQUAL_FATAL(gresp.topics[0].npartitions, 2);
        CU_ASSERT_EQUAL(gresp.topics[0].partitions[0].low_watermark, 5);
        CU_ASSERT_EQUAL(gresp.topics[0].partitions[1].low_watermark, -1);
        CU_ASSERT_EQUAL(gresp.topics[0].partitions[1].error_code, 1);
        for (size_t cut = 0; cut < out.len; cut++) {
            kread_init(&kr, out.data, cut);
            CU_ASSERT_EQUAL(p_deleterecords_resp_decode(&kr, v, &ar, &gresp),
                            ERR_PROTO);
        }
        arena_fini(&ar);
        buf_fini(&out);
    }
}

static void
test_deleterecords_rejects_unknown_versions_and_huge_counts(void)
{
    static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    /* throttle_time_ms, then a topic count far beyond the bytes left */
    static const uint8_t huge_resp[] = {0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    deleterecords_req_t req;
    deleterecords_resp_t resp;
    kread_t kr;
    arena_t ar;

    arena_init(&ar);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_deleterecords_req_decode(&kr, 3, &ar, &req), ERR_PROTO);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_deleterecords_req_decode(&kr, -1, &ar, &req), ERR_PROTO);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_deleterecords_req_decode(&kr, 0, &ar, &req), ERR_PROTO);
    kread_init(&kr, huge_resp, sizeof(huge_resp));
    CU_ASSERT_EQUAL(p_deleterecords_resp_decode(&kr, 1, &ar, &resp), ERR_PROTO);
    arena_fini(&ar);
}

void
suite_p_deleterecords(void)
{
    CU_pSuite s = unit_suite("p_deleterecords");

    UNIT_TEST(s, test_deleterecords_v0_request_bytes);
    UNIT_TEST(s, test_deleterecords_v2_response_bytes_are_flexible);
    UNIT_TEST(s, test_deleterecords_every_version_round_trips);
    UNIT_TEST(s, test_deleterecords_rejects_unknown_versions_and_huge_counts);
}
