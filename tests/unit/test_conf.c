/*
 * test_conf.c: the key=value parser (common/conf.c), samsad's table
 * (broker/bconf.c) and the topic-level keys (broker/tconf.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/bconf.h"
#include "samsa/err.h"
#include "samsa/tconf.h"
#include "unit.h"

static char *conf_dir;

static char *
write_conf(const char *name, const char *text)
{
    char *path;
    FILE *f;

    if (conf_dir == NULL)
        conf_dir = unit_tmpdir("conf");
    if (asprintf(&path, "%s/%s", conf_dir, name) < 0)
        abort();
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void
test_conf_defaults_and_required_keys(void)
{
    char err[512];
    bconf_t c;
    char *path = write_conf("min.conf", "broker.id=3\n"
                                        "zookeeper.connect=127.0.0.1:2181\n");

    CU_ASSERT_EQUAL_FATAL(bconf_load(&c, path, NULL, 0, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.broker_id, 3);
    CU_ASSERT_EQUAL(c.listen_port, 9092);
    CU_ASSERT_EQUAL(c.num_partitions, 1);
    CU_ASSERT_EQUAL(c.message_max_bytes, 1048588);
    CU_ASSERT_EQUAL(c.retention_ms, 168LL * 3600000);
    CU_ASSERT_EQUAL(c.roll_ms, 168LL * 3600000);
    CU_ASSERT_EQUAL(c.flush_ms, INT64_MAX);
    CU_ASSERT_TRUE(c.auto_create_topics_enable);
    CU_ASSERT_EQUAL(c.ndirs, 1);
    bconf_free(&c);
    free(path);

    path = write_conf("noid.conf", "zookeeper.connect=h:1\n");
    CU_ASSERT_EQUAL(bconf_load(&c, path, NULL, 0, err, sizeof(err)),
                    ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "broker.id"));
    free(path);
}

static void
test_conf_bad_value_names_file_line_and_key(void)
{
    char err[512];
    bconf_t c;
    char *path = write_conf("bad.conf", "# comment\n\nbroker.id=1\n"
                                        "zookeeper.connect=h:1\n"
                                        "num.partitions = many\n");

    CU_ASSERT_EQUAL(bconf_load(&c, path, NULL, 0, err, sizeof(err)),
                    ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad.conf:5: num.partitions"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "many"));
    free(path);

    path = write_conf("range.conf", "broker.id=1\nzookeeper.connect=h:1\n"
                                    "auto.create.topics.enable=yes\n");
    CU_ASSERT_EQUAL(bconf_load(&c, path, NULL, 0, err, sizeof(err)),
                    ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3: auto.create.topics.enable"));
    free(path);

    CU_ASSERT_EQUAL(
        bconf_load(&c, "/nonexistent/samsad.conf", NULL, 0, err, sizeof(err)),
        ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/samsad.conf"));
}

static void
test_conf_overrides_win_and_unknown_keys_are_ignored(void)
{
    char err[512];
    bconf_t c;
    char *ov[] = {"num.partitions=7", "log.retention.minutes=5"};
    char *path = write_conf("ov.conf", "broker.id=1\nzookeeper.connect=h:1\n"
                                       "num.partitions=3\n"
                                       "num.io.threads=8\n"
                                       "log.dirs=/a, /b,\n"
                                       "listeners=PLAINTEXT://127.0.0.1:9"
                                       "093\n");

    CU_ASSERT_EQUAL_FATAL(bconf_load(&c, path, ov, 2, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.num_partitions, 7);
    CU_ASSERT_EQUAL(c.retention_ms, 5 * 60000);
    CU_ASSERT_EQUAL(c.ndirs, 2);
    CU_ASSERT_STRING_EQUAL(c.dirs[1], "/b");
    CU_ASSERT_STRING_EQUAL(c.listen_host, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(c.advertised_host, "127.0.0.1");
    CU_ASSERT_EQUAL(c.advertised_port, 9093);
    bconf_free(&c);
    free(path);
}

static void
test_conf_ms_keys_take_precedence_over_hours(void)
{
    char err[512];
    bconf_t c;
    char *ov[] = {"broker.id=1",           "zookeeper.connect=h:1",
                  "log.retention.hours=1", "log.retention.ms=-1",
                  "log.roll.ms=1000",      "log.flush.interval.ms=50"};

    CU_ASSERT_EQUAL_FATAL(bconf_load(&c, NULL, ov, 6, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.retention_ms, -1);
    CU_ASSERT_EQUAL(c.roll_ms, 1000);
    CU_ASSERT_EQUAL(c.flush_ms, 50);
    bconf_free(&c);
}

static void
test_conf_rejects_non_plaintext_listener(void)
{
    char err[512];
    bconf_t c;
    char *ov[] = {"broker.id=1", "zookeeper.connect=h:1",
                  "listeners=SSL://:9093"};

    CU_ASSERT_EQUAL(bconf_load(&c, NULL, ov, 3, err, sizeof(err)), ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "listeners"));
}

static void
test_topic_config_values_are_checked_against_kafkas_bounds(void)
{
    char err[256];

    CU_ASSERT_TRUE(tconf_valid("retention.ms", "-1", err, sizeof(err)));
    CU_ASSERT_TRUE(tconf_valid("segment.bytes", "14", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid("segment.bytes", "13", err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "segment.bytes"));
    CU_ASSERT_FALSE(tconf_valid("segment.index.bytes", "-1", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid("max.message.bytes", "-5", err, sizeof(err)));
    CU_ASSERT_FALSE(
        tconf_valid("segment.bytes", "4294967296", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid("retention.ms", "soon", err, sizeof(err)));
    CU_ASSERT_TRUE(
        tconf_valid("min.cleanable.dirty.ratio", "0.9", err, sizeof(err)));
    CU_ASSERT_FALSE(
        tconf_valid("min.cleanable.dirty.ratio", "1.5", err, sizeof(err)));
    CU_ASSERT_TRUE(
        tconf_valid("cleanup.policy", "compact,delete", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid("cleanup.policy", "forever", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid("no.such.key", "1", err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Unknown topic config"));
}

static void
test_conf_cleanup(void)
{
    unit_rmtree(conf_dir);
    free(conf_dir);
    conf_dir = NULL;
}

void
suite_conf(void)
{
    CU_pSuite s = unit_suite("conf");
    UNIT_TEST(s, test_conf_defaults_and_required_keys);
    UNIT_TEST(s, test_conf_bad_value_names_file_line_and_key);
    UNIT_TEST(s, test_conf_overrides_win_and_unknown_keys_are_ignored);
    UNIT_TEST(s, test_conf_ms_keys_take_precedence_over_hours);
    UNIT_TEST(s, test_conf_rejects_non_plaintext_listener);
    UNIT_TEST(s, test_topic_config_values_are_checked_against_kafkas_bounds);
    UNIT_TEST(s, test_conf_cleanup);
}
