/*
 * test_zknode.c: znode JSON round trips, golden strings in Kafka 2.8's
 * shapes, and malformed input rejected with an error (never an abort).
 */
#include <stdlib.h>
#include <string.h>

#include "samsa/err.h"
#include "samsa/zknode.h"
#include "unit.h"

#define DEC(fn, s, out) fn((s), strlen(s), (out), err, sizeof(err))

static void
test_uuid_base64url_round_trip_and_rejects_garbage(void)
{
    uint8_t u[16], v[16];
    char s[23];

    for (int i = 0; i < 200; i++) {
        zknode_uuid_random(u);
        zknode_uuid_encode(u, s);
        CU_ASSERT_EQUAL(strlen(s), 22);
        CU_ASSERT_NOT_EQUAL(s[0], '-');
        CU_ASSERT_EQUAL(u[6] >> 4, 4);
        CU_ASSERT_EQUAL(zknode_uuid_decode(s, v), 0);
        CU_ASSERT(memcmp(u, v, 16) == 0);
    }
    memset(u, 0, 16);
    u[15] = 1;
    zknode_uuid_encode(u, s);
    CU_ASSERT_STRING_EQUAL(s, "AAAAAAAAAAAAAAAAAAAAAQ");
    CU_ASSERT_NOT_EQUAL(zknode_uuid_decode("AAAAAAAAAAAAAAAAAAAAAR", v), 0);
    CU_ASSERT_NOT_EQUAL(zknode_uuid_decode("AAAAAAAAAAAAAAAAAAAA+Q", v), 0);
    CU_ASSERT_NOT_EQUAL(zknode_uuid_decode("short", v), 0);
    CU_ASSERT_NOT_EQUAL(zknode_uuid_decode("AAAAAAAAAAAAAAAAAAAAAQ=", v), 0);
}

static void
test_cluster_id_golden_and_round_trip(void)
{
    char err[256], *id = NULL;
    char *s = zknode_cluster_id_encode("hkA2CZMrSqiJrYH5BFq4oQ");

    CU_ASSERT_STRING_EQUAL(
        s, "{\"version\":\"1\",\"id\":\"hkA2CZMrSqiJrYH5BFq4oQ\"}");
    CU_ASSERT_EQUAL(DEC(zknode_cluster_id_decode, s, &id), 0);
    CU_ASSERT_STRING_EQUAL(id, "hkA2CZMrSqiJrYH5BFq4oQ");
    free(id);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_cluster_id_decode, "{\"version\":\"1\"}", &id),
                    ERR_CORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "id"));
    CU_ASSERT_EQUAL(DEC(zknode_cluster_id_decode, "{\"id\":7}", &id),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_cluster_id_decode, "{\"id\":\"x\"", &id),
                    ERR_CORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "malformed JSON"));
    CU_ASSERT_PTR_NULL(id);
}

static void
test_broker_v5_golden_and_round_trip(void)
{
    zknode_endpoint_t ep = {"PLAINTEXT", "PLAINTEXT", "localhost", 9092};
    zknode_broker_t b = {5,    "localhost", 9092, -1, 1620000000000LL,
                         NULL, 1,           &ep};
    zknode_broker_t d;
    char err[256];
    char *s = zknode_broker_encode(&b);

    CU_ASSERT_STRING_EQUAL(
        s, "{\"features\":{},\"listener_security_protocol_map\":"
           "{\"PLAINTEXT\":\"PLAINTEXT\"},\"endpoints\":"
           "[\"PLAINTEXT://localhost:9092\"],\"jmx_port\":-1,\"port\":9092,"
           "\"host\":\"localhost\",\"version\":5,\"timestamp\":"
           "\"1620000000000\"}");
    CU_ASSERT_EQUAL(DEC(zknode_broker_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.version, 5);
    CU_ASSERT_EQUAL(d.port, 9092);
    CU_ASSERT_EQUAL(d.jmx_port, -1);
    CU_ASSERT_EQUAL(d.timestamp, 1620000000000LL);
    CU_ASSERT_PTR_NULL(d.rack);
    CU_ASSERT_EQUAL(d.nendpoints, 1);
    CU_ASSERT_STRING_EQUAL(d.endpoints[0].host, "localhost");
    CU_ASSERT_STRING_EQUAL(d.endpoints[0].listener, "PLAINTEXT");
    CU_ASSERT_STRING_EQUAL(d.endpoints[0].security_protocol, "PLAINTEXT");
    CU_ASSERT_EQUAL(d.endpoints[0].port, 9092);
    zknode_broker_fini(&d);
    free(s);

    b.rack = "r1";
    s = zknode_broker_encode(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"rack\":\"r1\""));
    CU_ASSERT_EQUAL(DEC(zknode_broker_decode, s, &d), 0);
    CU_ASSERT_STRING_EQUAL(d.rack, "r1");
    zknode_broker_fini(&d);
    free(s);
}

static void
test_broker_decodes_kafka_multi_listener_and_ipv6(void)
{
    const char *kafka =
        "{\"listener_security_protocol_map\":{\"CLIENT\":\"SSL\","
        "\"REPL\":\"PLAINTEXT\"},\"endpoints\":[\"CLIENT://h1:9093\","
        "\"REPL://[::1]:9094\"],\"rack\":\"dc1\",\"jmx_port\":9999,"
        "\"host\":null,\"timestamp\":\"2233345666\",\"port\":-1,"
        "\"version\":4}";
    zknode_broker_t d;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(DEC(zknode_broker_decode, kafka, &d), 0);
    CU_ASSERT_EQUAL(d.nendpoints, 2);
    CU_ASSERT_STRING_EQUAL(d.endpoints[0].security_protocol, "SSL");
    CU_ASSERT_STRING_EQUAL(d.endpoints[1].host, "::1");
    CU_ASSERT_EQUAL(d.endpoints[1].port, 9094);
    CU_ASSERT_PTR_NULL(d.host);
    zknode_broker_fini(&d);
}

static void
test_broker_rejects_malformed(void)
{
    static const char *bad[] = {
        "",
        "[]",
        "{\"version\":5}",
        "{\"version\":5,\"jmx_port\":-1,\"endpoints\":\"x\"}",
        "{\"version\":5,\"jmx_port\":-1,\"endpoints\":[\"nohost\"]}",
        "{\"version\":5,\"jmx_port\":-1,\"endpoints\":[\"P://h:99999\"]}",
        "{\"version\":5,\"jmx_port\":-1,\"endpoints\":[\"P://h:1\"],"
        "\"rack\":3}",
        "{\"version\":5,\"version\":5,\"jmx_port\":-1,\"endpoints\":[]}",
        "{\"version\":\"5\",\"jmx_port\":-1,\"endpoints\":[]}",
        "{\"version\":1,\"jmx_port\":-1}",
    };
    zknode_broker_t d;
    char err[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(
            zknode_broker_decode(bad[i], strlen(bad[i]), &d, err, sizeof(err)),
            ERR_CORRUPT);
        CU_ASSERT(err[0] != '\0');
        CU_ASSERT_PTR_NULL(d.endpoints);
    }
}

static void
test_topic_v3_golden_and_round_trip(void)
{
    int32_t r0[] = {1, 2}, r1[] = {2, 1}, a1[] = {3};
    zknode_replicas_t reps[] = {{2, r0}, {2, r1}};
    zknode_replicas_t add[] = {{0, NULL}, {1, a1}};
    zknode_replicas_t rem[] = {{0, NULL}, {0, NULL}};
    zknode_topic_t t = {3, true, {0}, 2, reps, add, rem};
    zknode_topic_t d;
    char err[256];
    char *s;

    zknode_uuid_decode("hkA2CZMrSqiJrYH5BFq4oQ", t.id);
    s = zknode_topic_encode(&t);
    CU_ASSERT_STRING_EQUAL(
        s, "{\"partitions\":{\"0\":[1,2],\"1\":[2,1]},\"topic_id\":"
           "\"hkA2CZMrSqiJrYH5BFq4oQ\",\"adding_replicas\":{\"1\":[3]},"
           "\"removing_replicas\":{},\"version\":3}");
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_topic_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.version, 3);
    CU_ASSERT(d.has_id);
    CU_ASSERT(memcmp(d.id, t.id, 16) == 0);
    CU_ASSERT_EQUAL(d.npartitions, 2);
    CU_ASSERT_EQUAL(d.replicas[1].n, 2);
    CU_ASSERT_EQUAL(d.replicas[1].ids[0], 2);
    CU_ASSERT_EQUAL(d.adding[0].n, 0);
    CU_ASSERT_EQUAL(d.adding[1].ids[0], 3);
    zknode_topic_fini(&d);
    free(s);
}

static void
test_topic_decodes_kafka_v1_and_v2(void)
{
    const char *v1 = "{\"version\":1,\"partitions\":{\"1\":[0],\"0\":[1]}}";
    const char *v2 = "{\"version\":2,\"partitions\":{\"0\":[1001]},"
                     "\"adding_replicas\":{},\"removing_replicas\":{}}";
    zknode_topic_t d;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(DEC(zknode_topic_decode, v1, &d), 0);
    CU_ASSERT_FALSE(d.has_id);
    CU_ASSERT_EQUAL(d.npartitions, 2);
    CU_ASSERT_EQUAL(d.replicas[0].ids[0], 1);
    CU_ASSERT_EQUAL(d.replicas[1].ids[0], 0);
    zknode_topic_fini(&d);
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_topic_decode, v2, &d), 0);
    CU_ASSERT_EQUAL(d.replicas[0].ids[0], 1001);
    zknode_topic_fini(&d);
}

static void
test_topic_rejects_gaps_bad_keys_and_ids(void)
{
    static const char *bad[] = {
        "{\"version\":3,\"partitions\":{\"0\":[1],\"2\":[1]}}",
        "{\"version\":3,\"partitions\":{\"x\":[1]}}",
        "{\"version\":3,\"partitions\":{\"00\":[1]}}",
        "{\"version\":3,\"partitions\":{\"0\":[]}}",
        "{\"version\":3,\"partitions\":{\"0\":[-1]}}",
        "{\"version\":3,\"partitions\":{\"0\":[\"1\"]}}",
        "{\"version\":3,\"partitions\":[]}",
        "{\"version\":3,\"topic_id\":\"nope\",\"partitions\":{}}",
        "{\"version\":3,\"partitions\":{\"0\":[1]},"
        "\"adding_replicas\":{\"5\":[1]}}",
        "{\"partitions\":{\"0\":[1]}}",
    };
    zknode_topic_t d;
    char err[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(
            zknode_topic_decode(bad[i], strlen(bad[i]), &d, err, sizeof(err)),
            ERR_CORRUPT);
        CU_ASSERT(err[0] != '\0');
        CU_ASSERT_PTR_NULL(d.replicas);
    }
}

static void
test_partition_state_golden_and_round_trip(void)
{
    int32_t isr[] = {1, 2};
    zknode_partition_state_t st = {7, 1, 3, 2, isr}, d;
    char err[256];
    char *s = zknode_partition_state_encode(&st);

    CU_ASSERT_STRING_EQUAL(s, "{\"controller_epoch\":7,\"leader\":1,"
                              "\"version\":1,\"leader_epoch\":3,"
                              "\"isr\":[1,2]}");
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_partition_state_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.controller_epoch, 7);
    CU_ASSERT_EQUAL(d.leader, 1);
    CU_ASSERT_EQUAL(d.leader_epoch, 3);
    CU_ASSERT_EQUAL(d.nisr, 2);
    CU_ASSERT_EQUAL(d.isr[1], 2);
    zknode_partition_state_fini(&d);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_partition_state_decode,
                        "{\"controller_epoch\":1,\"leader\":-1,\"version\":1,"
                        "\"leader_epoch\":0,\"isr\":[]}",
                        &d),
                    0);
    CU_ASSERT_EQUAL(d.leader, -1);
    zknode_partition_state_fini(&d);
    CU_ASSERT_EQUAL(DEC(zknode_partition_state_decode,
                        "{\"controller_epoch\":1,\"leader\":-2,\"version\":1,"
                        "\"leader_epoch\":0,\"isr\":[]}",
                        &d),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_partition_state_decode,
                        "{\"controller_epoch\":1,\"leader\":1,\"version\":1,"
                        "\"leader_epoch\":0}",
                        &d),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_partition_state_decode,
                        "{\"controller_epoch\":1,\"leader\":1,\"version\":1,"
                        "\"leader_epoch\":99999999999,\"isr\":[1]}",
                        &d),
                    ERR_CORRUPT);
}

static void
test_controller_and_epoch_golden(void)
{
    char err[256];
    char *s = zknode_controller_encode(2, 1620000000123LL);
    int32_t id = -1, epoch = -1;

    CU_ASSERT_STRING_EQUAL(s, "{\"version\":1,\"brokerid\":2,"
                              "\"timestamp\":\"1620000000123\"}");
    CU_ASSERT_EQUAL(DEC(zknode_controller_decode, s, &id), 0);
    CU_ASSERT_EQUAL(id, 2);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_controller_decode, "{\"version\":1}", &id),
                    ERR_CORRUPT);
    s = zknode_controller_epoch_encode(42);
    CU_ASSERT_STRING_EQUAL(s, "42");
    CU_ASSERT_EQUAL(DEC(zknode_controller_epoch_decode, s, &epoch), 0);
    CU_ASSERT_EQUAL(epoch, 42);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_controller_epoch_decode, "4x", &epoch),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_controller_epoch_decode, "-1", &epoch),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_controller_epoch_decode, "", &epoch),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_controller_epoch_decode, "99999999999", &epoch),
                    ERR_CORRUPT);
}

static void
test_config_and_change_golden(void)
{
    char *keys[] = {"cleanup.policy", "retention.ms"};
    char *values[] = {"compact", "1000"};
    zknode_config_t c = {2, keys, values}, d;
    char err[256], *path = NULL;
    char *s = zknode_config_encode(&c);

    CU_ASSERT_STRING_EQUAL(s, "{\"version\":1,\"config\":{\"cleanup.policy\":"
                              "\"compact\",\"retention.ms\":\"1000\"}}");
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_config_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_STRING_EQUAL(d.keys[1], "retention.ms");
    CU_ASSERT_STRING_EQUAL(d.values[0], "compact");
    zknode_config_fini(&d);
    free(s);
    c.n = 0;
    s = zknode_config_encode(&c);
    CU_ASSERT_STRING_EQUAL(s, "{\"version\":1,\"config\":{}}");
    free(s);
    CU_ASSERT_EQUAL(
        DEC(zknode_config_decode, "{\"version\":1,\"config\":{\"a\":1}}", &d),
        ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_config_decode, "{\"version\":1}", &d),
                    ERR_CORRUPT);

    s = zknode_config_change_encode("topics/t1");
    CU_ASSERT_STRING_EQUAL(s, "{\"version\":2,\"entity_path\":\"topics/t1\"}");
    CU_ASSERT_EQUAL(DEC(zknode_config_change_decode, s, &path), 0);
    CU_ASSERT_STRING_EQUAL(path, "topics/t1");
    free(path);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_config_change_decode,
                        "{\"version\":1,\"entity_path\":\"topics/t1\"}", &path),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_config_change_decode,
                        "{\"version\":2,\"entity_path\":\"t1\"}", &path),
                    ERR_CORRUPT);
}

static void
test_isr_change_golden_and_round_trip(void)
{
    zknode_tp_t tps[] = {{"a", 0, {0, NULL}}, {"b", 3, {0, NULL}}};
    zknode_isr_change_t c = {2, tps}, d;
    char err[256];
    char *s = zknode_isr_change_encode(&c);

    CU_ASSERT_STRING_EQUAL(s, "{\"version\":1,\"partitions\":[{\"topic\":"
                              "\"a\",\"partition\":0},{\"topic\":\"b\","
                              "\"partition\":3}]}");
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_isr_change_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_STRING_EQUAL(d.tps[1].topic, "b");
    CU_ASSERT_EQUAL(d.tps[1].partition, 3);
    zknode_isr_change_fini(&d);
    free(s);
    CU_ASSERT_EQUAL(DEC(zknode_isr_change_decode,
                        "{\"version\":1,\"partitions\":[{\"topic\":\"a\"}]}",
                        &d),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(
        DEC(zknode_isr_change_decode, "{\"version\":1,\"partitions\":[1]}", &d),
        ERR_CORRUPT);
}

/* Kafka's ReassignPartitionsZNode, as kafka-reassign-partitions.sh
 * --zookeeper wrote it */
static void
test_reassign_golden_and_round_trip(void)
{
    int32_t r0[] = {2, 3}, r1[] = {1};
    zknode_tp_t tps[] = {{"a", 0, {2, r0}}, {"b", 3, {1, r1}}};
    zknode_isr_change_t c = {2, tps}, d;
    char err[256];
    char *s = zknode_reassign_encode(&c);

    CU_ASSERT_STRING_EQUAL(
        s, "{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":0,"
           "\"replicas\":[2,3]},{\"topic\":\"b\",\"partition\":3,"
           "\"replicas\":[1]}]}");
    CU_ASSERT_EQUAL_FATAL(DEC(zknode_reassign_decode, s, &d), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_STRING_EQUAL(d.tps[0].topic, "a");
    CU_ASSERT_EQUAL(d.tps[0].replicas.n, 2);
    CU_ASSERT_EQUAL(d.tps[0].replicas.ids[1], 3);
    CU_ASSERT_EQUAL(d.tps[1].partition, 3);
    zknode_isr_change_fini(&d);
    free(s);
    /* no replicas, a negative id: corrupt, nothing leaks */
    CU_ASSERT_EQUAL(DEC(zknode_reassign_decode,
                        "{\"version\":1,\"partitions\":[{\"topic\":\"a\","
                        "\"partition\":0}]}",
                        &d),
                    ERR_CORRUPT);
    CU_ASSERT_EQUAL(DEC(zknode_reassign_decode,
                        "{\"version\":1,\"partitions\":[{\"topic\":\"a\","
                        "\"partition\":0,\"replicas\":[1]},{\"topic\":\"a\","
                        "\"partition\":1,\"replicas\":[-1]}]}",
                        &d),
                    ERR_CORRUPT);
}

static void
test_topic_name_rules_and_collisions(void)
{
    char err[256], longname[251];

    CU_ASSERT_EQUAL(zknode_topic_name_check("a.b_c-D9", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(zknode_topic_name_check("", err, sizeof(err)), ERR_INVAL);
    CU_ASSERT_EQUAL(zknode_topic_name_check(".", err, sizeof(err)), ERR_INVAL);
    CU_ASSERT_EQUAL(zknode_topic_name_check("..", err, sizeof(err)), ERR_INVAL);
    CU_ASSERT_EQUAL(zknode_topic_name_check("a b", err, sizeof(err)),
                    ERR_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "illegal"));
    CU_ASSERT_EQUAL(zknode_topic_name_check("a/b", err, sizeof(err)),
                    ERR_INVAL);
    memset(longname, 'x', 249);
    longname[249] = '\0';
    CU_ASSERT_EQUAL(zknode_topic_name_check(longname, err, sizeof(err)), 0);
    longname[249] = 'x';
    longname[250] = '\0';
    CU_ASSERT_EQUAL(zknode_topic_name_check(longname, err, sizeof(err)),
                    ERR_INVAL);
    CU_ASSERT(zknode_topic_names_collide("a.b", "a_b"));
    CU_ASSERT(zknode_topic_names_collide("a_b", "a.b"));
    CU_ASSERT(zknode_topic_names_collide("a.b", "a.b"));
    CU_ASSERT_FALSE(zknode_topic_names_collide("a.b", "a_bc"));
    CU_ASSERT_FALSE(zknode_topic_names_collide("a-b", "a_b"));
}

void
suite_zknode(void)
{
    CU_pSuite s = unit_suite("zknode");

    UNIT_TEST(s, test_uuid_base64url_round_trip_and_rejects_garbage);
    UNIT_TEST(s, test_cluster_id_golden_and_round_trip);
    UNIT_TEST(s, test_broker_v5_golden_and_round_trip);
    UNIT_TEST(s, test_broker_decodes_kafka_multi_listener_and_ipv6);
    UNIT_TEST(s, test_broker_rejects_malformed);
    UNIT_TEST(s, test_topic_v3_golden_and_round_trip);
    UNIT_TEST(s, test_topic_decodes_kafka_v1_and_v2);
    UNIT_TEST(s, test_topic_rejects_gaps_bad_keys_and_ids);
    UNIT_TEST(s, test_partition_state_golden_and_round_trip);
    UNIT_TEST(s, test_controller_and_epoch_golden);
    UNIT_TEST(s, test_config_and_change_golden);
    UNIT_TEST(s, test_isr_change_golden_and_round_trip);
    UNIT_TEST(s, test_reassign_golden_and_round_trip);
    UNIT_TEST(s, test_topic_name_rules_and_collisions);
}
