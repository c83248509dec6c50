/*
 * test_reassign.c: the pure parts of samsa reassign-partitions
 * (src/tools/util.c, tool.h) against the expectations of Kafka 2.8's
 * ReassignPartitionsUnitTest: the JSON files and their checks, the JSON
 * Kafka prints, the throttled replica lists of a move map, and the lines
 * of --verify and --list. The command against a cluster:
 * tests/integration/75-reassignment.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "samsa/err.h"
#include "samsa/tool.h"
#include "unit.h"

/* the error @text gives, or "" when it parses */
static const char *
parse_err(const char *text, bool execute)
{
    static char err[1024];
    tool_reassign_list_t l = {0};

    err[0] = '\0';
    if (tool_reassign_parse_partitions(text, &l, err, sizeof(err)) == 0 &&
        execute && tool_reassign_check_execute(&l, err, sizeof(err)) == 0)
        err[0] = '\0';
    tool_reassign_list_fini(&l);
    return err;
}

static bool
starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* testParseGenerateAssignmentArgs: the broker list */
static void
test_reassign_broker_list_keeps_order_and_refuses_duplicates(void)
{
    int32_t *ids;
    int n;
    char err[256];

    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("1,1,2", &ids, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "Broker list contains duplicate entries: 1");
    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("5,2,3,4,5,5", &ids, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "Broker list contains duplicate entries: 5");
    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("1,x", &ids, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("1,,2", &ids, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("-1", &ids, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_brokers("5,2,3,4", &ids, &n, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT(n == 4 && ids[0] == 5 && ids[1] == 2 && ids[2] == 3 &&
              ids[3] == 4);
    free(ids);
}

/* testParseGenerateAssignmentArgs: the topics file */
static void
test_reassign_topics_file_as_kafka_reads_it(void)
{
    char **t, err[256];
    int n;

    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics(
            "{\"topics\": [{\"topic\": \"foo\"},{\"topic\": \"bar\"}], "
            "\"version\":1}",
            &t, &n, err, sizeof(err)),
        0);
    CU_ASSERT(n == 2 && strcmp(t[0], "foo") == 0 && strcmp(t[1], "bar") == 0);
    tool_reassign_topics_free(t, n);
    /* "version" may be left out */
    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics("{\"topics\":[{\"topic\":\"a\"}]}", &t, &n,
                                   err, sizeof(err)),
        0);
    tool_reassign_topics_free(t, n);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics(
            "{\"topics\": [{\"topic\": \"foo\"},{\"topic\": \"foo\"},"
            "{\"topic\": \"foo\"}], \"version\":1}",
            &t, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(
        err, "List of topics to reassign contains duplicate entries: foo");
    CU_ASSERT_EQUAL(tool_reassign_parse_topics("{\"version\":2,\"topics\":[]}",
                                               &t, &n, err, sizeof(err)),
                    ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(err, "Not supported version field value 2");
    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics("{\"topics\":[]}", &t, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics("{\"topics\":[{\"name\":\"x\"}]}", &t, &n,
                                   err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_EQUAL(
        tool_reassign_parse_topics("{invalid_json", &t, &n, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_PTR_NULL(t);
}

/* testParseExecuteAssignmentArgs */
static void
test_reassign_execute_file_checks_like_kafka(void)
{
    tool_reassign_list_t l = {0};
    char err[256];

    CU_ASSERT(starts_with(parse_err("{\"version\":1,\"partitions\":[]}", true),
                          "Partition reassignment list cannot be empty"));
    CU_ASSERT(starts_with(
        parse_err("{\"version\":1,\"partitions\":"
                  "[{\"topic\":\"foo\",\"partition\":0,\"replicas\":[0,1],"
                  "\"log_dirs\":[\"any\",\"any\"]},"
                  "{\"topic\":\"foo\",\"partition\":0,\"replicas\":[2,3,4],"
                  "\"log_dirs\":[\"any\",\"any\",\"any\"]}]}",
                  true),
        "Partition reassignment contains duplicate topic partitions: foo-0"));
    CU_ASSERT_STRING_EQUAL(
        parse_err("{\"version\":1,\"partitions\":"
                  "[{\"topic\":\"foo\",\"partition\":0,\"replicas\":[0,0]},"
                  "{\"topic\":\"foo\",\"partition\":1,\"replicas\":[2,3]}]}",
                  true),
        "Partition replica lists may not contain duplicate entries: foo-0 "
        "contains multiple entries for 0");
    CU_ASSERT(starts_with(
        parse_err("{\"partitions\":[{\"topic\":\"foo\",\"partition\":0,"
                  "\"replicas\":[]}]}",
                  true),
        "Partition replica list cannot be empty"));
    /* log directories: only "any", and as many as replicas */
    CU_ASSERT(strstr(parse_err("{\"partitions\":[{\"topic\":\"foo\","
                               "\"partition\":0,\"replicas\":[1,2,3],"
                               "\"log_dirs\":[\"/tmp/a\",\"any\",\"any\"]}]}",
                               false),
                     "not supported") != NULL);
    CU_ASSERT(starts_with(parse_err("{\"partitions\":[{\"topic\":\"foo\","
                                    "\"partition\":0,\"replicas\":[1,2],"
                                    "\"log_dirs\":[\"any\"]}]}",
                                    false),
                          "Size of replicas list [1,2] is different"));
    CU_ASSERT(starts_with(parse_err("{\"version\":3,\"partitions\":[]}", false),
                          "Not supported version field value 3"));
    CU_ASSERT(strstr(parse_err("{\"partitions\":[{\"topic\":\"foo\","
                               "\"partition\":\"0\",\"replicas\":[1]}]}",
                               false),
                     "\"partition\" (an integer)") != NULL);
    CU_ASSERT(parse_err("{invalid_json", false)[0] != '\0');
    /* duplicates are only --execute's business */
    CU_ASSERT_STRING_EQUAL(
        parse_err("{\"partitions\":[{\"topic\":\"foo\",\"partition\":0,"
                  "\"replicas\":[1,1]}]}",
                  false),
        "");
    CU_ASSERT_EQUAL(
        tool_reassign_parse_partitions(
            "{\"version\":1,\"partitions\":"
            "[{\"topic\":\"foo\",\"partition\":0,\"replicas\":[1,2,3],"
            "\"log_dirs\":[\"any\",\"any\",\"any\"]},"
            "{\"topic\":\"foo\",\"partition\":1,\"replicas\":[3,4,5]}]}",
            &l, err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL(tool_reassign_check_execute(&l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT(strcmp(l.parts[1].topic, "foo") == 0 &&
              l.parts[1].partition == 1 && l.parts[1].nreplicas == 3 &&
              l.parts[1].replicas[0] == 3 && l.parts[1].replicas[2] == 5);
    tool_reassign_list_fini(&l);
}

/* testCurrentPartitionReplicaAssignmentToString: sorted, compact */
static void
test_reassign_json_is_kafkas(void)
{
    static const int32_t foo1[] = {4, 5, 6}, bar0[] = {7, 8}, foo10[] = {1};
    tool_reassign_list_t l = {0};
    char *s;

    tool_reassign_list_add(&l, "foo", 10, foo10, 1);
    tool_reassign_list_add(&l, "foo", 1, foo1, 3);
    tool_reassign_list_add(&l, "bar", 0, bar0, 2);
    s = tool_reassign_json_str(&l);
    CU_ASSERT_STRING_EQUAL(
        s, "{\"version\":1,\"partitions\":"
           "[{\"topic\":\"bar\",\"partition\":0,\"replicas\":[7,8],"
           "\"log_dirs\":[\"any\",\"any\"]},"
           "{\"topic\":\"foo\",\"partition\":1,\"replicas\":[4,5,6],"
           "\"log_dirs\":[\"any\",\"any\",\"any\"]},"
           "{\"topic\":\"foo\",\"partition\":10,\"replicas\":[1],"
           "\"log_dirs\":[\"any\"]}]}");
    /* the list itself keeps its order */
    CU_ASSERT_EQUAL(l.parts[0].partition, 10);
    free(s);
    tool_reassign_list_fini(&l);
}

static tool_reassign_part_t *
add(tool_reassign_list_t *l, const char *topic, int32_t p, const int32_t *r,
    int32_t n)
{
    return tool_reassign_list_add(l, topic, p, r, n);
}

#define IDS(...) ((const int32_t[]){__VA_ARGS__})
#define N(...) ((int32_t)(sizeof((int32_t[]){__VA_ARGS__}) / sizeof(int32_t)))
#define ADD(l, t, p, ...) add((l), (t), (p), IDS(__VA_ARGS__), N(__VA_ARGS__))

/* testMoveMap: reassignments in progress overwritten, kept, or added to */
static void
test_reassign_throttles_match_kafka_move_map(void)
{
    tool_reassign_list_t ongoing = {0}, prop = {0};
    tool_reassign_list_t cur = {0};
    tool_reassign_throttles_t th;
    char err[256];
    tool_reassign_part_t *p;

    p = ADD(&ongoing, "foo", 0, 1, 2, 3, 4);
    tool_reassign_part_moving(p, IDS(4), 1, IDS(3), 1);
    p = ADD(&ongoing, "foo", 1, 4, 5, 6, 7, 8);
    tool_reassign_part_moving(p, IDS(7, 8), 2, IDS(4, 5), 2);
    for (int32_t i = 2; i <= 5; i++) {
        p = ADD(&ongoing, "foo", i, 1, 2, 3, 4);
        tool_reassign_part_moving(p, IDS(3, 4), 2, IDS(1, 2), 2);
    }
    ADD(&prop, "foo", 0, 1, 2, 5);
    ADD(&prop, "foo", 2, 3, 4);
    ADD(&prop, "foo", 3, 5, 6);
    ADD(&prop, "foo", 4, 3);
    ADD(&prop, "foo", 5, 3, 4, 5, 6);
    ADD(&prop, "bar", 0, 1, 2, 3);
    ADD(&cur, "foo", 0, 1, 2, 3, 4);
    ADD(&cur, "foo", 1, 4, 5, 6, 7, 8);
    for (int32_t i = 2; i <= 5; i++)
        ADD(&cur, "foo", i, 1, 2, 3, 4);
    ADD(&cur, "bar", 0, 2, 3, 4);
    ADD(&cur, "baz", 0, 1, 2, 3);
    CU_ASSERT_EQUAL_FATAL(
        tool_reassign_throttles(&ongoing, &prop, &cur, &th, err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL_FATAL(th.ntopics, 2);
    CU_ASSERT_STRING_EQUAL(th.topics[0].topic, "bar");
    CU_ASSERT_STRING_EQUAL(th.topics[0].leader, "0:2,0:3,0:4");
    CU_ASSERT_STRING_EQUAL(th.topics[0].follower, "0:1");
    CU_ASSERT_STRING_EQUAL(th.topics[1].topic, "foo");
    CU_ASSERT_STRING_EQUAL(th.topics[1].leader,
                           "0:1,0:2,0:3,1:4,1:5,1:6,2:1,2:2,3:1,3:2,4:1,4:2,"
                           "5:1,5:2");
    CU_ASSERT_STRING_EQUAL(th.topics[1].follower,
                           "0:5,1:7,1:8,2:3,2:4,3:5,3:6,4:3,5:3,5:4,5:5,5:6");
    CU_ASSERT_EQUAL_FATAL(th.nbrokers, 8);
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(th.brokers[i], i + 1);
    tool_reassign_throttles_fini(&th);
    tool_reassign_list_fini(&ongoing);
    tool_reassign_list_fini(&prop);
    tool_reassign_list_fini(&cur);
}

/* without reassignments in progress: from the current replicas; the
 * lists sort as strings (Kafka's TreeSet[String]): 10:x before 2:x */
static void
test_reassign_throttles_from_current_sorted_as_strings(void)
{
    tool_reassign_list_t prop = {0}, cur = {0};
    tool_reassign_throttles_t th;
    char err[256];

    ADD(&prop, "t", 2, 3, 4);
    ADD(&prop, "t", 10, 1, 2);
    ADD(&prop, "t", 11, 1);
    ADD(&cur, "t", 2, 1, 2);
    ADD(&cur, "t", 10, 1, 2);
    ADD(&cur, "t", 11, 1, 2);
    CU_ASSERT_EQUAL_FATAL(
        tool_reassign_throttles(NULL, &prop, &cur, &th, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(th.ntopics, 1);
    CU_ASSERT_STRING_EQUAL(th.topics[0].leader, "10:1,10:2,11:1,11:2,2:1,2:2");
    /* nothing moves in t-10 and t-11 loses a replica: no follower */
    CU_ASSERT_STRING_EQUAL(th.topics[0].follower, "2:3,2:4");
    CU_ASSERT(th.nbrokers == 4 && th.brokers[0] == 1 && th.brokers[3] == 4);
    tool_reassign_throttles_fini(&th);
    /* a partition in neither list */
    ADD(&prop, "t", 12, 1);
    CU_ASSERT_EQUAL(
        tool_reassign_throttles(NULL, &prop, &cur, &th, err, sizeof(err)),
        ERR_INVAL);
    CU_ASSERT_STRING_EQUAL(
        err, "Trying to reassign a topic partition t-12 with 0 replicas");
    tool_reassign_list_fini(&prop);
    tool_reassign_list_fini(&cur);
}

/* testPartitionReassignStatesToString and the "no active reassignment"
 * line of partitionReassignmentStatesToString */
static void
test_reassign_verify_states_and_lines(void)
{
    tool_reassign_list_t l = {0};
    tool_reassign_part_t *t, *same, *other, *moving;
    char *s;

    ADD(&l, "foo", 0, 1, 2, 3);
    ADD(&l, "foo", 0, 1, 2, 3);
    ADD(&l, "foo", 0, 1, 2, 4);
    ADD(&l, "foo", 0, 1, 2, 3, 4);
    t = &l.parts[0];
    same = &l.parts[1];
    other = &l.parts[2];
    moving = &l.parts[3];
    CU_ASSERT_EQUAL(tool_reassign_state(t, NULL, same), TOOL_REASSIGN_COMPLETE);
    CU_ASSERT_EQUAL(tool_reassign_state(t, moving, same),
                    TOOL_REASSIGN_IN_PROGRESS);
    CU_ASSERT_EQUAL(tool_reassign_state(t, NULL, other),
                    TOOL_REASSIGN_DIFFERENT);
    CU_ASSERT_EQUAL(tool_reassign_state(t, NULL, NULL),
                    TOOL_REASSIGN_DIFFERENT);
    /* the order counts: the first replica is the preferred leader */
    CU_ASSERT_EQUAL(tool_reassign_state(other, NULL, t),
                    TOOL_REASSIGN_DIFFERENT);
    s = tool_reassign_state_line(TOOL_REASSIGN_COMPLETE, t, same);
    CU_ASSERT_STRING_EQUAL(s, "Reassignment of partition foo-0 is complete.");
    free(s);
    s = tool_reassign_state_line(TOOL_REASSIGN_IN_PROGRESS, t, same);
    CU_ASSERT_STRING_EQUAL(
        s, "Reassignment of partition foo-0 is still in progress.");
    free(s);
    s = tool_reassign_state_line(TOOL_REASSIGN_DIFFERENT, other, t);
    CU_ASSERT_STRING_EQUAL(s, "There is no active reassignment of partition "
                              "foo-0, but replica set is 1,2,3 rather than "
                              "1,2,4.");
    free(s);
    tool_reassign_list_fini(&l);
}

/* testCurReassignmentsToString */
static void
test_reassign_list_lines_are_kafkas(void)
{
    tool_reassign_list_t l = {0};
    tool_reassign_part_t *p;
    char *s;

    p = ADD(&l, "bar", 0, 2, 3, 0);
    tool_reassign_part_moving(p, NULL, 0, IDS(0), 1);
    p = ADD(&l, "foo", 0, 0, 1, 2);
    tool_reassign_part_moving(p, IDS(4), 1, NULL, 0);
    p = ADD(&l, "foo", 1, 1, 2, 3);
    tool_reassign_part_moving(p, IDS(4, 5), 2, IDS(1, 2), 2);
    s = tool_reassign_list_line(&l.parts[0]);
    CU_ASSERT_STRING_EQUAL(s, "bar-0: replicas: 2,3,0. removing: 0.");
    free(s);
    s = tool_reassign_list_line(&l.parts[1]);
    CU_ASSERT_STRING_EQUAL(s, "foo-0: replicas: 0,1,2. adding: 4.");
    free(s);
    s = tool_reassign_list_line(&l.parts[2]);
    CU_ASSERT_STRING_EQUAL(s, "foo-1: replicas: 1,2,3. adding: 4,5. removing: "
                              "1,2.");
    free(s);
    tool_reassign_list_fini(&l);
}

static void
test_reassign_list_sort_and_find(void)
{
    tool_reassign_list_t l = {0};

    ADD(&l, "b", 10, 1);
    ADD(&l, "b", 2, 1);
    ADD(&l, "a", 5, 1);
    tool_reassign_list_sort(&l);
    CU_ASSERT(strcmp(l.parts[0].topic, "a") == 0);
    CU_ASSERT(l.parts[1].partition == 2 && l.parts[2].partition == 10);
    CU_ASSERT_PTR_EQUAL(tool_reassign_list_find(&l, "b", 10), &l.parts[2]);
    CU_ASSERT_PTR_NULL(tool_reassign_list_find(&l, "b", 5));
    tool_reassign_list_fini(&l);
}

void
suite_reassign(void)
{
    CU_pSuite s = unit_suite("reassign");

    UNIT_TEST(s, test_reassign_broker_list_keeps_order_and_refuses_duplicates);
    UNIT_TEST(s, test_reassign_topics_file_as_kafka_reads_it);
    UNIT_TEST(s, test_reassign_execute_file_checks_like_kafka);
    UNIT_TEST(s, test_reassign_json_is_kafkas);
    UNIT_TEST(s, test_reassign_throttles_match_kafka_move_map);
    UNIT_TEST(s, test_reassign_throttles_from_current_sorted_as_strings);
    UNIT_TEST(s, test_reassign_verify_states_and_lines);
    UNIT_TEST(s, test_reassign_list_lines_are_kafkas);
    UNIT_TEST(s, test_reassign_list_sort_and_find);
}
