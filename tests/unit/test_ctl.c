/*
 * test_ctl.c: the pure parts of the controller (Kafka's replica
 * assignment). Everything that needs ZooKeeper is in
 * tests/integration/05-zk-controller.sh.
 */
#include <string.h>

#include "../../src/controller/ctl_int.h"
#include "unit.h"

/* the table in Kafka's AdminUtils.assignReplicasToBrokers comment:
 * 5 brokers, 10 partitions, replication factor 3, start index 0 */
static void
test_assign_matches_kafka_round_robin_table(void)
{
    static const int32_t brokers[] = {0, 1, 2, 3, 4};
    static const int32_t want[10][3] = {
        {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
        {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2},
    };
    int32_t out[30];
    unsigned int seed = 1;

    ctl_assign_replicas(brokers, 5, 10, 3, 0, 0, &seed, out);
    for (int p = 0; p < 10; p++)
        for (int r = 0; r < 3; r++)
            CU_ASSERT_EQUAL(out[p * 3 + r], want[p][r]);
}

static void
test_assign_random_start_spreads_leaders_without_duplicates(void)
{
    static const int32_t brokers[] = {1, 2, 3};
    int32_t out[12 * 3];
    int leaders[4] = {0};
    unsigned int seed = 42;

    ctl_assign_replicas(brokers, 3, 12, 3, -1, 0, &seed, out);
    for (int p = 0; p < 12; p++) {
        int32_t *r = &out[p * 3];

        CU_ASSERT(r[0] != r[1] && r[1] != r[2] && r[0] != r[2]);
        leaders[r[0]]++;
    }
    CU_ASSERT_EQUAL(leaders[1], 4);
    CU_ASSERT_EQUAL(leaders[2], 4);
    CU_ASSERT_EQUAL(leaders[3], 4);
}

static void
test_assign_added_partitions_continue_the_sequence(void)
{
    static const int32_t brokers[] = {0, 1, 2, 3, 4};
    int32_t all[30], more[15];
    unsigned int seed = 7;

    /* partitions 5..9 added later with start index 0 = same as at once */
    ctl_assign_replicas(brokers, 5, 10, 3, 0, 0, &seed, all);
    ctl_assign_replicas(brokers, 5, 5, 3, 0, 5, &seed, more);
    CU_ASSERT(memcmp(more, &all[15], sizeof(more)) == 0);
}

static void
test_assign_single_broker_rf1(void)
{
    static const int32_t brokers[] = {9};
    int32_t out[4];
    unsigned int seed = 3;

    ctl_assign_replicas(brokers, 1, 4, 1, -1, 0, &seed, out);
    for (int p = 0; p < 4; p++)
        CU_ASSERT_EQUAL(out[p], 9);
}

void
suite_ctl(void)
{
    CU_pSuite s = unit_suite("ctl");

    UNIT_TEST(s, test_assign_matches_kafka_round_robin_table);
    UNIT_TEST(s, test_assign_random_start_spreads_leaders_without_duplicates);
    UNIT_TEST(s, test_assign_added_partitions_continue_the_sequence);
    UNIT_TEST(s, test_assign_single_broker_rf1);
}
