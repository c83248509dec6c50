/*
 * test_p_alterconfigs.c: the AlterConfigs (key 33, v0-2) and
 * IncrementalAlterConfigs (key 44, v0-1) codecs.
 *
 * Byte vectors written from Kafka 2.8's AlterConfigs*.json and
 * IncrementalAlterConfigs*.json layouts, round trips of every version of
 * both, truncations and huge counts.
 */
#include <string.h>

#include "samsa/arena.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_alterconfigs.h"
#include "unit.h"

typedef int (*req_dec_fn)(kread_t *, int16_t, arena_t *, alterconfigs_req_t *);
typedef void (*req_enc_fn)(kwrite_t *, int16_t, const alterconfigs_req_t *);
typedef int (*resp_dec_fn)(kread_t *, int16_t, arena_t *,
                           alterconfigs_resp_t *);
typedef void (*resp_enc_fn)(kwrite_t *, int16_t, const alterconfigs_resp_t *);

static void
flatten(kwrite_t *kw, buf_t *out)
{
    buf_reset(out);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(kw, out), 0);
}

static bool
kstr_is(kstr_t k, const char *s)
{
    if (s == NULL)
        return k.len < 0;
    return k.len == (int32_t)strlen(s) && memcmp(k.ptr, s, k.len) == 0;
}

static void
test_alterconfigs_v0_request_bytes(void)
{
    static const uint8_t want[] = {
        0, 0, 0,   1,                          /* resources */
        2,                                     /* resource_type TOPIC */
        0, 1, 't',                             /* resource_name */
        0, 0, 0,   2,                          /* configs */
        0, 4, 'a', '.',  'm',  's', 0, 1, '5', /* name, value */
        0, 1, 'b', 0xff, 0xff,                 /* name, null value */
        1,                                     /* validate_only */
    };
    alterconfigs_req_config_t c[2] = {
        {{"a.ms", 4}, 0, {"5", 1}},
        {{"b", 1}, 0, {NULL, -1}},
    };
    alterconfigs_req_resource_t r = {2, {"t", 1}, 2, c};
    alterconfigs_req_t req = {1, &r, true}, got;
    buf_t out = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    kwrite_init(&kw);
    p_alterconfigs_req_encode(&kw, 0, &req);
    flatten(&kw, &out);
    kwrite_fini(&kw);
    CU_ASSERT_EQUAL(out.len, sizeof(want));
    CU_ASSERT(out.len == sizeof(want) &&
              memcmp(out.data, want, sizeof(want)) == 0);
    arena_init(&ar);
    kread_init(&kr, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(p_alterconfigs_req_decode(&kr, 1, &ar, &got), 0);
    CU_ASSERT_EQUAL_FATAL(got.nresources, 1);
    CU_ASSERT_EQUAL_FATAL(got.resources[0].nconfigs, 2);
    CU_ASSERT(kstr_is(got.resources[0].configs[0].value, "5"));
    CU_ASSERT(kstr_is(got.resources[0].configs[1].value, NULL));
    CU_ASSERT(got.validate_only);
    arena_fini(&ar);
    buf_fini(&out);
}

static void
test_incrementalalterconfigs_v1_request_bytes_are_flexible(void)
{
    static const uint8_t want[] = {
        2,      /* compact resources: 1 */
        4,      /* resource_type BROKER */
        1,      /* compact resource_name "" (default entity) */
        2,      /* compact configs: 1 */
        2, 'k', /* name */
        1,      /* config_operation DELETE */
        0,      /* compact nullable value: null */
        0,      /* config tags */
        0,      /* resource tags */
        0,      /* validate_only */
        0,      /* top-level tags */
    };
    alterconfigs_req_config_t c = {
        {"k", 1}, ALTERCONFIGS_OP_DELETE, {NULL, -1}};
    alterconfigs_req_resource_t r = {4, {"", 0}, 1, &c};
    alterconfigs_req_t req = {1, &r, false}, got;
    buf_t out = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    CU_ASSERT(kapi_flexible(API_INCREMENTAL_ALTER_CONFIGS, 1));
    CU_ASSERT(!kapi_flexible(API_INCREMENTAL_ALTER_CONFIGS, 0));
    kwrite_init(&kw);
    p_incrementalalterconfigs_req_encode(&kw, 1, &req);
    flatten(&kw, &out);
    kwrite_fini(&kw);
    CU_ASSERT(out.len == sizeof(want) &&
              memcmp(out.data, want, sizeof(want)) == 0);
    arena_init(&ar);
    kread_init(&kr, want, sizeof(want));
    CU_ASSERT_EQUAL_FATAL(
        p_incrementalalterconfigs_req_decode(&kr, 1, &ar, &got), 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL(got.resources[0].resource_type, 4);
    CU_ASSERT(kstr_is(got.resources[0].resource_name, ""));
    CU_ASSERT_EQUAL(got.resources[0].configs[0].config_operation,
                    ALTERCONFIGS_OP_DELETE);
    arena_fini(&ar);
    buf_fini(&out);
}

static void
round_trips(int16_t api_key, req_dec_fn rdec, req_enc_fn renc, resp_dec_fn sdec,
            resp_enc_fn senc, bool incremental)
{
    const kapi_t *api = kapi_find(api_key);

    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    for (int16_t v = api->min_version; v <= api->max_version; v++) {
        alterconfigs_req_config_t c[3] = {
            {{"retention.ms", 12}, 0, {"1000", 4}},
            {{"cleanup.policy", 14}, incremental ? 2 : 0, {"compact", 7}},
            {{"segment.bytes", 13}, incremental ? 1 : 0, {NULL, -1}},
        };
        alterconfigs_req_resource_t r[2] = {
            {2, {"orders", 6}, 3, c},
            {4, {"1", 1}, 0, NULL},
        };
        alterconfigs_req_t req = {2, r, true}, greq;
        alterconfigs_resp_response_t s[2] = {
            {0, {NULL, -1}, 2, {"orders", 6}},
            {40, {"Invalid value x", 15}, 4, {"1", 1}},
        };
        alterconfigs_resp_t resp = {3, 2, s}, gresp;
        buf_t out = BUF_INIT, again = BUF_INIT;
        kwrite_t kw;
        kread_t kr;
        arena_t ar;

        arena_init(&ar);
        kwrite_init(&kw);
        renc(&kw, v, &req);
        flatten(&kw, &out);
        kwrite_fini(&kw);
        kread_init(&kr, out.data, out.len);
        CU_ASSERT_EQUAL_FATAL(rdec(&kr, v, &ar, &greq), 0);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        CU_ASSERT_EQUAL_FATAL(greq.nresources, 2);
        CU_ASSERT(kstr_is(greq.resources[0].resource_name, "orders"));
        CU_ASSERT_EQUAL_FATAL(greq.resources[0].nconfigs, 3);
        for (int i = 0; i < 3; i++) {
            CU_ASSERT(greq.resources[0].configs[i].name.len == c[i].name.len);
            CU_ASSERT_EQUAL(greq.resources[0].configs[i].config_operation,
                            c[i].config_operation);
            CU_ASSERT_EQUAL(greq.resources[0].configs[i].value.len,
                            c[i].value.len);
        }
        CU_ASSERT_EQUAL(greq.resources[1].resource_type, 4);
        CU_ASSERT_EQUAL(greq.resources[1].nconfigs, 0);
        CU_ASSERT(greq.validate_only);
        kwrite_init(&kw);
        renc(&kw, v, &greq);
        flatten(&kw, &again);
        kwrite_fini(&kw);
        CU_ASSERT(again.len == out.len &&
                  memcmp(again.data, out.data, out.len) == 0);
        for (size_t cut = 0; cut < out.len; cut++) {
            kread_init(&kr, out.data, cut);
            CU_ASSERT_EQUAL(rdec(&kr, v, &ar, &greq), ERR_PROTO);
        }

        kwrite_init(&kw);
        senc(&kw, v, &resp);
        flatten(&kw, &out);
        kwrite_fini(&kw);
        kread_init(&kr, out.data, out.len);
        CU_ASSERT_EQUAL_FATAL(sdec(&kr, v, &ar, &gresp), 0);
        CU_ASSERT_EQUAL(kread_left(&kr), 0);
        CU_ASSERT_EQUAL(gresp.throttle_time_ms, 3);
        CU_ASSERT_EQUAL_FATAL(gresp.nresponses, 2);
        CU_ASSERT(kstr_is(gresp.responses[0].error_message, NULL));
        CU_ASSERT_EQUAL(gresp.responses[1].error_code, 40);
        CU_ASSERT(kstr_is(gresp.responses[1].error_message, "Invalid value x"));
        CU_ASSERT_EQUAL(gresp.responses[1].resource_type, 4);
        CU_ASSERT(kstr_is(gresp.responses[1].resource_name, "1"));
        for (size_t cut = 0; cut < out.len; cut++) {
            kread_init(&kr, out.data, cut);
            CU_ASSERT_EQUAL(sdec(&kr, v, &ar, &gresp), ERR_PROTO);
        }
        arena_fini(&ar);
        buf_fini(&out);
        buf_fini(&again);
    }
}

static void
test_alterconfigs_every_version_round_trips(void)
{
    const kapi_t *api = kapi_find(API_ALTER_CONFIGS);

    CU_ASSERT_EQUAL(api->max_version, 2);
    round_trips(API_ALTER_CONFIGS, p_alterconfigs_req_decode,
                p_alterconfigs_req_encode, p_alterconfigs_resp_decode,
                p_alterconfigs_resp_encode, false);
}

static void
test_incrementalalterconfigs_every_version_round_trips(void)
{
    const kapi_t *api = kapi_find(API_INCREMENTAL_ALTER_CONFIGS);

    CU_ASSERT_EQUAL(api->max_version, 1);
    round_trips(API_INCREMENTAL_ALTER_CONFIGS,
                p_incrementalalterconfigs_req_decode,
                p_incrementalalterconfigs_req_encode,
                p_incrementalalterconfigs_resp_decode,
                p_incrementalalterconfigs_resp_encode, true);
}

static void
test_alterconfigs_rejects_unknown_versions_and_huge_counts(void)
{
    static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    static const uint8_t huge_resp[] = {0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    alterconfigs_req_t req;
    alterconfigs_resp_t resp;
    kread_t kr;
    arena_t ar;

    arena_init(&ar);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_alterconfigs_req_decode(&kr, 3, &ar, &req), ERR_PROTO);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_incrementalalterconfigs_req_decode(&kr, 2, &ar, &req),
                    ERR_PROTO);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_alterconfigs_req_decode(&kr, 0, &ar, &req), ERR_PROTO);
    kread_init(&kr, huge, sizeof(huge));
    CU_ASSERT_EQUAL(p_incrementalalterconfigs_req_decode(&kr, 0, &ar, &req),
                    ERR_PROTO);
    kread_init(&kr, huge_resp, sizeof(huge_resp));
    CU_ASSERT_EQUAL(p_alterconfigs_resp_decode(&kr, 1, &ar, &resp), ERR_PROTO);
    arena_fini(&ar);
}

void
suite_p_alterconfigs(void)
{
    CU_pSuite s = unit_suite("p_alterconfigs");

    UNIT_TEST(s, test_alterconfigs_v0_request_bytes);
    UNIT_TEST(s, test_incrementalalterconfigs_v1_request_bytes_are_flexible);
    UNIT_TEST(s, test_alterconfigs_every_version_round_trips);
    UNIT_TEST(s, test_incrementalalterconfigs_every_version_round_trips);
    UNIT_TEST(s, test_alterconfigs_rejects_unknown_versions_and_huge_counts);
}
