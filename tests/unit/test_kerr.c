/*
 * test_kerr.c: Kafka error code names, retriability and the mapping from
 * internal codes (src/proto/kerr.c).
 */
#include <string.h>

#include "samsa/err.h"
#include "samsa/kerr.h"
#include "unit.h"

static void
test_kerr_names_match_the_protocol_guide(void)
{
    CU_ASSERT_STRING_EQUAL(kerr_name(KERR_UNKNOWN_SERVER_ERROR),
                           "UNKNOWN_SERVER_ERROR");
    CU_ASSERT_STRING_EQUAL(kerr_name(0), "NONE");
    CU_ASSERT_STRING_EQUAL(kerr_name(3), "UNKNOWN_TOPIC_OR_PARTITION");
    CU_ASSERT_STRING_EQUAL(kerr_name(6), "NOT_LEADER_OR_FOLLOWER");
    CU_ASSERT_STRING_EQUAL(kerr_name(35), "UNSUPPORTED_VERSION");
    CU_ASSERT_STRING_EQUAL(kerr_name(76), "UNSUPPORTED_COMPRESSION_TYPE");
    CU_ASSERT_STRING_EQUAL(kerr_name(87), "INVALID_RECORD");
    CU_ASSERT_STRING_EQUAL(kerr_name(100), "UNKNOWN_TOPIC_ID");
    CU_ASSERT_STRING_EQUAL(kerr_name(KERR_MAX), "MISMATCHED_ENDPOINT_TYPE");
    CU_ASSERT_STRING_EQUAL(kerr_name(KERR_MAX + 1), "UNKNOWN_ERROR_CODE");
    CU_ASSERT_STRING_EQUAL(kerr_name(-2), "UNKNOWN_ERROR_CODE");
    for (int c = KERR_MIN; c <= KERR_MAX; c++)
        CU_ASSERT(strcmp(kerr_name(c), "UNKNOWN_ERROR_CODE") != 0);
}

static void
test_kerr_retriable_follows_the_guide_column(void)
{
    CU_ASSERT_TRUE(kerr_retriable(KERR_CORRUPT_MESSAGE));
    CU_ASSERT_TRUE(kerr_retriable(KERR_NOT_LEADER_OR_FOLLOWER));
    CU_ASSERT_TRUE(kerr_retriable(KERR_NOT_ENOUGH_REPLICAS));
    CU_ASSERT_TRUE(kerr_retriable(KERR_KAFKA_STORAGE_ERROR));
    CU_ASSERT_TRUE(kerr_retriable(KERR_UNKNOWN_TOPIC_ID));
    CU_ASSERT_FALSE(kerr_retriable(KERR_NONE));
    CU_ASSERT_FALSE(kerr_retriable(KERR_UNKNOWN_SERVER_ERROR));
    CU_ASSERT_FALSE(kerr_retriable(KERR_MESSAGE_TOO_LARGE));
    CU_ASSERT_FALSE(kerr_retriable(KERR_INVALID_RECORD));
    CU_ASSERT_FALSE(kerr_retriable(KERR_REBALANCE_IN_PROGRESS));
    CU_ASSERT_FALSE(kerr_retriable(9999));
}

static void
test_kerr_from_err_maps_internal_codes(void)
{
    CU_ASSERT_EQUAL(kerr_from_err(ERR_OK), KERR_NONE);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_CORRUPT), KERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_IO), KERR_KAFKA_STORAGE_ERROR);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_NOSPC), KERR_KAFKA_STORAGE_ERROR);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_PROTO), KERR_INVALID_REQUEST);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_NOTFOUND),
                    KERR_UNKNOWN_TOPIC_OR_PARTITION);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_TOOBIG), KERR_MESSAGE_TOO_LARGE);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_RANGE), KERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_EXISTS), KERR_TOPIC_ALREADY_EXISTS);
    CU_ASSERT_EQUAL(kerr_from_err(ERR_ZK), KERR_UNKNOWN_SERVER_ERROR);
    CU_ASSERT_EQUAL(kerr_from_err(-999), KERR_UNKNOWN_SERVER_ERROR);
}

void
suite_kerr(void)
{
    CU_pSuite s = unit_suite("kerr");
    UNIT_TEST(s, test_kerr_names_match_the_protocol_guide);
    UNIT_TEST(s, test_kerr_retriable_follows_the_guide_column);
    UNIT_TEST(s, test_kerr_from_err_maps_internal_codes);
}
