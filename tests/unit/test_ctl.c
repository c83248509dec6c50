/*
 * test_ctl.c: the pure parts of the controller: Kafka's replica
 * assignment (ctl_assign.c), rack-unaware and rack-aware, against the
 * assignments Kafka's AdminRackAwareTest and AdminUtils expect and the
 * properties its RackAwareTest.checkReplicaDistribution checks.
 * Everything that needs ZooKeeper is in tests/integration/05-zk-controller.sh
 * and 36-rack-aware.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "samsa/ctl.h"
#include "samsa/kerr.h"
#include "unit.h"

/* brokers 0..n-1 without racks */
static void
plain_brokers(ctl_assign_broker_t *b, int n, int first_id)
{
    for (int i = 0; i < n; i++) {
        b[i].id = first_id + i;
        b[i].rack = NULL;
    }
}

static int16_t
assign(const ctl_assign_broker_t *b, int nb, int np, int rf, int start,
       int start_partition, unsigned int *seed, int32_t *out)
{
    char err[256];

    return ctl_assign_replicas(b, nb, np, rf, start, start_partition, seed, out,
                               err, sizeof(err));
}

/* the table in Kafka's AdminUtils.assignReplicasToBrokers comment:
 * 5 brokers, 10 partitions, replication factor 3, start index 0 */
static void
test_assign_matches_kafka_round_robin_table(void)
{
    static const int32_t want[10][3] = {
        {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
        {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2},
    };
    ctl_assign_broker_t b[5];
    int32_t out[30];
    unsigned int seed = 1;

    plain_brokers(b, 5, 0);
    CU_ASSERT_EQUAL(assign(b, 5, 10, 3, 0, 0, &seed, out), KERR_NONE);
    for (int p = 0; p < 10; p++)
        for (int r = 0; r < 3; r++)
            CU_ASSERT_EQUAL(out[p * 3 + r], want[p][r]);
}

static void
test_assign_random_start_spreads_leaders_without_duplicates(void)
{
    ctl_assign_broker_t b[3];
    int32_t out[12 * 3];
    int leaders[4] = {0};
    unsigned int seed = 42;

    plain_brokers(b, 3, 1);
    CU_ASSERT_EQUAL(assign(b, 3, 12, 3, -1, 0, &seed, out), KERR_NONE);
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
    ctl_assign_broker_t b[5];
    int32_t all[30], more[15];
    unsigned int seed = 7;

    /* partitions 5..9 added later with start index 0 = same as at once */
    plain_brokers(b, 5, 0);
    assign(b, 5, 10, 3, 0, 0, &seed, all);
    assign(b, 5, 5, 3, 0, 5, &seed, more);
    CU_ASSERT(memcmp(more, &all[15], sizeof(more)) == 0);
}

static void
test_assign_single_broker_rf1(void)
{
    ctl_assign_broker_t b[1] = {{9, NULL}};
    int32_t out[4];
    unsigned int seed = 3;

    CU_ASSERT_EQUAL(assign(b, 1, 4, 1, -1, 0, &seed, out), KERR_NONE);
    for (int p = 0; p < 4; p++)
        CU_ASSERT_EQUAL(out[p], 9);
}

/* Kafka's own messages and codes for what cannot be assigned */
static void
test_assign_rejects_what_kafka_rejects(void)
{
    ctl_assign_broker_t b[3];
    int32_t out[16];
    unsigned int seed = 1;
    char err[256];

    plain_brokers(b, 3, 0);
    CU_ASSERT_EQUAL(
        ctl_assign_replicas(b, 3, 2, 4, -1, 0, &seed, out, err, sizeof(err)),
        KERR_INVALID_REPLICATION_FACTOR);
    CU_ASSERT_STRING_EQUAL(err, "Replication factor: 4 larger than available "
                                "brokers: 3.");
    CU_ASSERT_EQUAL(
        ctl_assign_replicas(b, 3, 2, 0, -1, 0, &seed, out, err, sizeof(err)),
        KERR_INVALID_REPLICATION_FACTOR);
    CU_ASSERT_EQUAL(
        ctl_assign_replicas(b, 3, 0, 1, -1, 0, &seed, out, err, sizeof(err)),
        KERR_INVALID_PARTITIONS);
    /* only some brokers with a rack: Kafka's AdminOperationException,
     * which CreateTopics turns into UNKNOWN_SERVER_ERROR */
    b[1].rack = "r1";
    CU_ASSERT_EQUAL(
        ctl_assign_replicas(b, 3, 2, 2, -1, 0, &seed, out, err, sizeof(err)),
        KERR_UNKNOWN_SERVER_ERROR);
    CU_ASSERT_STRING_EQUAL(err, "Not all brokers have rack information for "
                                "replica rack aware assignment.");
}

/* ---- rack-aware ------------------------------------------------------- */

typedef struct rack_map {
    int n;
    ctl_assign_broker_t b[16];
} rack_map_t;

static const char *
rack_of(const rack_map_t *m, int32_t id)
{
    for (int i = 0; i < m->n; i++)
        if (m->b[i].id == id)
            return m->b[i].rack;
    CU_FAIL("replica on a broker not in the map");
    return "";
}

/*
 * Kafka's RackAwareTest.checkReplicaDistribution: never two replicas of a
 * partition on one broker; with @rack_aware every replica of a partition
 * on its own rack; with @leaders each broker the preferred leader of
 * np / n partitions; with @replicas each broker np * rf / n replicas.
 */
static void
check_distribution(const rack_map_t *m, const int32_t *out, int np, int rf,
                   bool rack_aware, bool leaders, bool replicas)
{
    int lead[64] = {0}, count[64] = {0};

    for (int p = 0; p < np; p++) {
        const int32_t *r = &out[p * rf];

        for (int i = 0; i < rf; i++) {
            for (int j = 0; j < i; j++) {
                CU_ASSERT(r[i] != r[j]);
                if (rack_aware)
                    CU_ASSERT(strcmp(rack_of(m, r[i]), rack_of(m, r[j])) != 0);
            }
            CU_ASSERT_FATAL(r[i] >= 0 && r[i] < 64);
            count[r[i]]++;
        }
        lead[r[0]]++;
    }
    for (int i = 0; i < m->n; i++) {
        if (leaders)
            CU_ASSERT_EQUAL(lead[m->b[i].id], np / m->n);
        if (replicas)
            CU_ASSERT_EQUAL(count[m->b[i].id], np * rf / m->n);
    }
}

/* the six brokers most of Kafka's AdminRackAwareTest cases use */
static const rack_map_t six = {6,
                               {{0, "rack1"},
                                {1, "rack2"},
                                {2, "rack2"},
                                {3, "rack3"},
                                {4, "rack3"},
                                {5, "rack1"}}};

/* AdminRackAwareTest.testGetRackAlternatedBrokerListAndAssignReplicasTo
 * Brokers: the rack-alternated list is 0,3,1,5,4,2 and 7 partitions with
 * replication factor 3 from start index 0 get exactly these replicas */
static void
test_assign_rack_aware_matches_kafka_example(void)
{
    static const rack_map_t m = {6,
                                 {{0, "rack1"},
                                  {1, "rack3"},
                                  {2, "rack3"},
                                  {3, "rack2"},
                                  {4, "rack2"},
                                  {5, "rack1"}}};
    static const int32_t want[7][3] = {
        {0, 3, 1}, {3, 1, 5}, {1, 5, 4}, {5, 4, 2},
        {4, 2, 0}, {2, 0, 3}, {0, 4, 2},
    };
    static const int32_t alternated_without_5[5] = {0, 3, 1, 4, 2};
    int32_t out[21];
    unsigned int seed = 1;

    CU_ASSERT_EQUAL(assign(m.b, 6, 7, 3, 0, 0, &seed, out), KERR_NONE);
    for (int p = 0; p < 7; p++)
        for (int r = 0; r < 3; r++)
            CU_ASSERT_EQUAL(out[p * 3 + r], want[p][r]);
    /* the leaders of the first round from start 0 are the list itself */
    CU_ASSERT_EQUAL(assign(m.b, 5, 5, 1, 0, 0, &seed, out), KERR_NONE);
    CU_ASSERT(memcmp(out, alternated_without_5, sizeof(alternated_without_5)) ==
              0);
}

/* the order brokers are given in does not matter: racks by name, each
 * rack's brokers by id */
static void
test_assign_rack_aware_ignores_input_order(void)
{
    rack_map_t m = six;
    int32_t a[18], b[18];
    unsigned int seed = 1;

    assign(m.b, 6, 6, 3, 1, 0, &seed, a);
    for (int i = 0; i < 3; i++) {
        ctl_assign_broker_t t = m.b[i];

        m.b[i] = m.b[5 - i];
        m.b[5 - i] = t;
    }
    assign(m.b, 6, 6, 3, 1, 0, &seed, b);
    CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
}

/* AdminRackAwareTest: testAssignmentWithRackAware (start index 2),
 * ...WithRandomStartIndex, testAssignmentWith2ReplicasRackAware,
 * ...With6Partitions and ...With6PartitionsAnd3Brokers */
static void
test_assign_rack_aware_spreads_racks_leaders_and_replicas(void)
{
    static const rack_map_t three = {
        3, {{0, "rack1"}, {1, "rack2"}, {4, "rack3"}}};
    int32_t out[12 * 3];

    for (unsigned int s = 1; s <= 20; s++) {
        unsigned int seed = s;

        CU_ASSERT_EQUAL(assign(six.b, 6, 6, 3, 2, 0, &seed, out), KERR_NONE);
        check_distribution(&six, out, 6, 3, true, true, true);
        CU_ASSERT_EQUAL(assign(six.b, 6, 6, 3, -1, 0, &seed, out), KERR_NONE);
        check_distribution(&six, out, 6, 3, true, true, true);
        CU_ASSERT_EQUAL(assign(six.b, 6, 12, 2, -1, 0, &seed, out), KERR_NONE);
        check_distribution(&six, out, 12, 2, true, true, true);
        CU_ASSERT_EQUAL(assign(six.b, 6, 6, 2, -1, 0, &seed, out), KERR_NONE);
        check_distribution(&six, out, 6, 2, true, true, true);
        CU_ASSERT_EQUAL(assign(three.b, 3, 3, 2, -1, 0, &seed, out), KERR_NONE);
        check_distribution(&three, out, 3, 2, true, true, true);
    }
}

/* testAssignmentWithRackAwareWithUnevenReplicas (13 partitions) and
 * ...WithUnevenRacks (rack1 has three brokers, rack2 one) */
static void
test_assign_rack_aware_uneven(void)
{
    static const rack_map_t uneven = {6,
                                      {{0, "rack1"},
                                       {1, "rack1"},
                                       {2, "rack2"},
                                       {3, "rack3"},
                                       {4, "rack3"},
                                       {5, "rack1"}}};
    int32_t out[13 * 3];

    for (unsigned int s = 1; s <= 20; s++) {
        unsigned int seed = s;

        CU_ASSERT_EQUAL(assign(six.b, 6, 13, 3, 0, 0, &seed, out), KERR_NONE);
        check_distribution(&six, out, 13, 3, true, false, false);
        CU_ASSERT_EQUAL(assign(uneven.b, 6, 12, 3, -1, 0, &seed, out),
                        KERR_NONE);
        check_distribution(&uneven, out, 12, 3, true, true, false);
    }
}

/* testRackAwareExpansion: partitions 12..23 over brokers 6..11 */
static void
test_assign_rack_aware_expansion(void)
{
    static const rack_map_t m = {6,
                                 {{6, "rack1"},
                                  {7, "rack2"},
                                  {8, "rack2"},
                                  {9, "rack3"},
                                  {10, "rack3"},
                                  {11, "rack1"}}};
    int32_t out[12 * 2];
    unsigned int seed = 5;

    CU_ASSERT_EQUAL(assign(m.b, 6, 12, 2, -1, 12, &seed, out), KERR_NONE);
    check_distribution(&m, out, 12, 2, true, true, true);
}

/* testLargeNumberPartitionsAssignment: 12 brokers, 96 partitions */
static void
test_assign_rack_aware_many_partitions(void)
{
    static const rack_map_t m = {12,
                                 {{0, "rack1"},
                                  {1, "rack2"},
                                  {2, "rack2"},
                                  {3, "rack3"},
                                  {4, "rack3"},
                                  {5, "rack1"},
                                  {6, "rack1"},
                                  {7, "rack2"},
                                  {8, "rack2"},
                                  {9, "rack3"},
                                  {10, "rack1"},
                                  {11, "rack3"}}};
    int32_t *out = calloc(96 * 3, sizeof(int32_t));
    unsigned int seed = 11;

    CU_ASSERT_EQUAL(assign(m.b, 12, 96, 3, -1, 0, &seed, out), KERR_NONE);
    check_distribution(&m, out, 96, 3, true, true, true);
    free(out);
}

/* number of distinct racks among partition @p's replicas */
static int
racks_of_partition(const rack_map_t *m, const int32_t *out, int p, int rf)
{
    int n = 0;

    for (int i = 0; i < rf; i++) {
        bool seen = false;

        for (int j = 0; j < i; j++)
            if (strcmp(rack_of(m, out[p * rf + i]),
                       rack_of(m, out[p * rf + j])) == 0)
                seen = true;
        n += !seen;
    }
    return n;
}

/* testMoreReplicasThanRacks, testLessReplicasThanRacks, testSingleRack,
 * testSkipBrokerWithReplicaAlreadyAssigned */
static void
test_assign_rack_aware_more_or_fewer_replicas_than_racks(void)
{
    static const rack_map_t m = {6,
                                 {{0, "rack1"},
                                  {1, "rack2"},
                                  {2, "rack2"},
                                  {3, "rack3"},
                                  {4, "rack3"},
                                  {5, "rack2"}}};
    static const rack_map_t one = {6,
                                   {{0, "rack1"},
                                    {1, "rack1"},
                                    {2, "rack1"},
                                    {3, "rack1"},
                                    {4, "rack1"},
                                    {5, "rack1"}}};
    static const rack_map_t abc = {
        5, {{0, "a"}, {1, "b"}, {2, "c"}, {3, "a"}, {4, "a"}}};
    int32_t out[6 * 5];
    unsigned int seed = 3;

    CU_ASSERT_EQUAL(assign(m.b, 6, 6, 5, -1, 0, &seed, out), KERR_NONE);
    check_distribution(&m, out, 6, 5, false, false, false);
    for (int p = 0; p < 6; p++)
        CU_ASSERT_EQUAL(racks_of_partition(&m, out, p, 5), 3);
    CU_ASSERT_EQUAL(assign(m.b, 6, 6, 2, -1, 0, &seed, out), KERR_NONE);
    for (int p = 0; p < 6; p++)
        CU_ASSERT_EQUAL(racks_of_partition(&m, out, p, 2), 2);
    CU_ASSERT_EQUAL(assign(one.b, 6, 6, 3, -1, 0, &seed, out), KERR_NONE);
    check_distribution(&one, out, 6, 3, false, true, false);
    for (int p = 0; p < 6; p++)
        CU_ASSERT_EQUAL(racks_of_partition(&one, out, p, 3), 1);
    CU_ASSERT_EQUAL(assign(abc.b, 5, 6, 4, 2, 0, &seed, out), KERR_NONE);
    check_distribution(&abc, out, 6, 4, false, false, false);
}

/* 4 brokers on 2 racks, 8 partitions with replication factor 2 (the
 * layout of tests/integration/36-rack-aware.sh): both racks, always */
static void
test_assign_rack_aware_two_racks_of_two(void)
{
    static const rack_map_t m = {4,
                                 {{1, "r1"}, {2, "r1"}, {3, "r2"}, {4, "r2"}}};
    int32_t out[8 * 2];

    for (unsigned int s = 1; s <= 50; s++) {
        unsigned int seed = s;

        CU_ASSERT_EQUAL(assign(m.b, 4, 8, 2, -1, 0, &seed, out), KERR_NONE);
        check_distribution(&m, out, 8, 2, true, true, true);
    }
}

void
suite_ctl(void)
{
    CU_pSuite s = unit_suite("ctl");

    UNIT_TEST(s, test_assign_matches_kafka_round_robin_table);
    UNIT_TEST(s, test_assign_random_start_spreads_leaders_without_duplicates);
    UNIT_TEST(s, test_assign_added_partitions_continue_the_sequence);
    UNIT_TEST(s, test_assign_single_broker_rf1);
    UNIT_TEST(s, test_assign_rejects_what_kafka_rejects);
    UNIT_TEST(s, test_assign_rack_aware_matches_kafka_example);
    UNIT_TEST(s, test_assign_rack_aware_ignores_input_order);
    UNIT_TEST(s, test_assign_rack_aware_spreads_racks_leaders_and_replicas);
    UNIT_TEST(s, test_assign_rack_aware_uneven);
    UNIT_TEST(s, test_assign_rack_aware_expansion);
    UNIT_TEST(s, test_assign_rack_aware_many_partitions);
    UNIT_TEST(s, test_assign_rack_aware_more_or_fewer_replicas_than_racks);
    UNIT_TEST(s, test_assign_rack_aware_two_racks_of_two);
}
