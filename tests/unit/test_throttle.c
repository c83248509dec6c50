/*
 * test_throttle.c: the replication quota (throttle.c) on an injected
 * clock, so every rate is exact: Kafka's SampledStat windows (advance,
 * expiry, round robin), SimpleRate's one-window minimum, Quota.acceptable
 * at the bound; recording from several threads; the throttled replica
 * lists (ThrottledReplicaListValidator, parseThrottledPartitions) and
 * their topic and broker configs (tconf.c, bconf.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/bconf.h"
#include "samsa/tconf.h"
#include "samsa/throttle.h"
#include "unit.h"

static int64_t fake_now;

static int64_t
fake_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

static throttle_t *
new_throttle(int64_t rate)
{
    throttle_t *t = throttle_new("test", THROTTLE_NUM_WINDOWS,
                                 THROTTLE_WINDOW_MS, fake_clock, NULL);

    fake_now = 1000000;
    if (rate != THROTTLE_UNLIMITED)
        throttle_set_rate(t, rate);
    return t;
}

static void
test_throttle_unlimited_is_never_exceeded(void)
{
    throttle_t *t = new_throttle(THROTTLE_UNLIMITED);

    CU_ASSERT_EQUAL(throttle_rate(t), THROTTLE_UNLIMITED);
    throttle_record(t, INT64_MAX / 4);
    throttle_record(t, INT64_MAX / 4);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    CU_ASSERT_FALSE(throttle_exceeded(NULL));
    throttle_free(t);
    throttle_free(NULL);
}

static void
test_throttle_first_window_counts_as_a_whole_second(void)
{
    throttle_t *t = new_throttle(1000);

    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 0, 1e-9);
    throttle_record(t, 500);
    fake_now += 10;
    throttle_record(t, 500);
    /* 1000 bytes in 10 ms: SimpleRate divides by one window at least */
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 1000, 1e-9);
    /* Quota.acceptable: value <= bound */
    CU_ASSERT_FALSE(throttle_exceeded(t));
    throttle_record(t, 1);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    throttle_free(t);
}

static void
test_throttle_rate_falls_as_time_passes(void)
{
    throttle_t *t = new_throttle(1000);

    throttle_record(t, 3000);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    fake_now += 2000;
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 1500, 1e-9);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    fake_now += 1000;
    /* 3000 bytes over the 3 s since the oldest window started */
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 1000, 1e-9);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    throttle_free(t);
}

static void
test_throttle_windows_expire_after_num_windows(void)
{
    throttle_t *t = new_throttle(100);

    throttle_record(t, 1000000);
    fake_now += 10999;
    CU_ASSERT_TRUE(throttle_exceeded(t));
    /* 11 windows of 1 s: the sample is reset, the burst forgotten */
    fake_now += 1;
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 0, 1e-9);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    /* and the next record counts over one window again */
    throttle_record(t, 150);
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 150, 1e-9);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    throttle_free(t);
}

static void
test_throttle_windows_are_reused_round_robin(void)
{
    throttle_t *t = new_throttle(1000);

    /* 1000 bytes each second for 21 s: 21 windows through 11 slots */
    for (int i = 0; i <= 20; i++) {
        throttle_record(t, 1000);
        if (i < 20)
            fake_now += 1000;
    }
    /*
     * The 11 live windows started 10 s ago or later and hold 11000
     * bytes: Kafka's SimpleRate says 11000 / 10 s, a little above the
     * steady 1000 B/s (the current window is counted whole).
     */
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 1100, 1e-9);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    fake_now += 500;
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), 11000.0 / 10.5, 1e-9);
    throttle_set_rate(t, 1100);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    throttle_free(t);
}

static void
test_throttle_rate_change_applies_to_recorded_traffic(void)
{
    throttle_t *t = new_throttle(THROTTLE_UNLIMITED);

    throttle_record(t, 5000);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    /* bytes recorded while unlimited count once a rate is set */
    throttle_set_rate(t, 4999);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    throttle_set_rate(t, THROTTLE_UNLIMITED);
    CU_ASSERT_FALSE(throttle_exceeded(t));
    /* a rate of 0 holds back anything once a byte went through */
    throttle_set_rate(t, -5);
    CU_ASSERT_EQUAL(throttle_rate(t), 0);
    CU_ASSERT_TRUE(throttle_exceeded(t));
    throttle_free(t);
}

#define NTHREADS 4
#define NRECORDS 20000

static void *
recorder(void *arg)
{
    throttle_t *t = arg;

    for (int i = 0; i < NRECORDS; i++) {
        throttle_record(t, 1);
        (void)throttle_exceeded(t);
    }
    return NULL;
}

static void
test_throttle_records_from_many_threads(void)
{
    throttle_t *t = new_throttle(1);
    pthread_t th[NTHREADS];

    for (int i = 0; i < NTHREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, recorder, t), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    /* the clock stood still: every byte is in the one window */
    CU_ASSERT_DOUBLE_EQUAL(throttle_measure(t), NTHREADS * NRECORDS, 1e-9);
    throttle_free(t);
}

static void
test_throttle_replica_lists_validate_like_kafka(void)
{
    static const char *const good[] = {
        "",     "  ",   "*",  " * ",           "0:1", "0:1,1:2", "0:1 , 12:345",
        "0:1,", ",0:1", "*,", "99999999999:1",
    };
    static const char *const bad[] = {
        "x", "0:", ":1", "0:1:2", "*,0:1", "**", "0-1", "a:b", "0 :1", "* *",
    };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        CU_ASSERT_TRUE(throttle_replicas_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_FALSE(throttle_replicas_valid(bad[i]));
    CU_ASSERT_FALSE(throttle_replicas_valid(NULL));
}

static void
test_throttle_replica_lists_name_partition_and_broker(void)
{
    CU_ASSERT_FALSE(throttle_replicas_match(NULL, 0, 1));
    CU_ASSERT_FALSE(throttle_replicas_match("", 0, 1));
    CU_ASSERT_TRUE(throttle_replicas_match("*", 7, 3));
    CU_ASSERT_TRUE(throttle_replicas_match(" * ", 0, 0));
    CU_ASSERT_TRUE(throttle_replicas_match("0:1,2:1", 2, 1));
    CU_ASSERT_TRUE(throttle_replicas_match("0:1, 2:1 ", 2, 1));
    CU_ASSERT_FALSE(throttle_replicas_match("0:1,2:1", 1, 1));
    CU_ASSERT_FALSE(throttle_replicas_match("0:1,2:1", 0, 2));
    CU_ASSERT_FALSE(throttle_replicas_match("10:1", 1, 1));
    CU_ASSERT_FALSE(throttle_replicas_match("1:10", 1, 1));
    /* only the literal "*" means all, as parseThrottledPartitions */
    CU_ASSERT_FALSE(throttle_replicas_match("*,", 0, 1));
}

static void
test_throttle_topic_configs_are_checked_and_described(void)
{
    const tconf_key_t *l = tconf_find("leader.replication.throttled.replicas");
    const tconf_key_t *f =
        tconf_find("follower.replication.throttled.replicas");
    char err[512], buf[64];
    tconf_value_t v;
    bconf_t conf;
    char *ov[] = {"broker.id=1", "zookeeper.connect=h:1"};

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(l->type, TCONF_LIST);
    CU_ASSERT_PTR_NULL(l->broker_key);
    CU_ASSERT_TRUE(tconf_valid(l->name, "*", err, sizeof(err)));
    CU_ASSERT_TRUE(tconf_valid(f->name, "0:1,1:2", err, sizeof(err)));
    CU_ASSERT_FALSE(tconf_valid(f->name, " 0:1 ,x,", err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(
        err, "Invalid value [0:1, x, ] for configuration "
             "follower.replication.throttled.replicas: "
             "follower.replication.throttled.replicas must be the literal "
             "'*' or a list of replicas in the following format: "
             "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
    /* no broker synonym: Kafka's default "" */
    CU_ASSERT_EQUAL_FATAL(bconf_load(&conf, NULL, ov, 2, err, sizeof(err)), 0);
    tconf_effective(&conf, l, NULL, buf, sizeof(buf), &v);
    CU_ASSERT_STRING_EQUAL(v.value, "");
    CU_ASSERT_EQUAL(v.source, TCONF_SOURCE_DEFAULT);
    tconf_effective(&conf, l, "*", buf, sizeof(buf), &v);
    CU_ASSERT_STRING_EQUAL(v.value, "*");
    CU_ASSERT_EQUAL(v.source, TCONF_SOURCE_DYNAMIC_TOPIC);
    bconf_free(&conf);
}

static void
test_throttle_rates_are_dynamic_broker_configs_only(void)
{
    char err[512];
    bconf_t conf, *dyn;
    bool nd;
    char *ov[] = {"broker.id=1", "zookeeper.connect=h:1",
                  "leader.replication.throttled.rate=5",
                  "replication.quota.window.num=3"};
    const char *dk[] = {"leader.replication.throttled.rate",
                        "follower.replication.throttled.rate"};
    const char *dv[] = {"1000000", "2000000"};
    const char *bk[] = {"follower.replication.throttled.rate"};
    const char *bv[] = {"3000000"};

    /* in the file: ignored with a warning, as Kafka ignores it */
    CU_ASSERT_EQUAL_FATAL(bconf_load(&conf, NULL, ov, 4, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(conf.leader_replication_throttled_rate, BCONF_UNSET);
    CU_ASSERT_EQUAL(conf.replication_quota_window_num, 3);
    CU_ASSERT_EQUAL(conf.replication_quota_window_size_seconds, 1);
    CU_ASSERT_TRUE(bconf_dynamic_key("leader.replication.throttled.rate"));
    CU_ASSERT_TRUE(bconf_dynamic_valid("follower.replication.throttled.rate",
                                       "0", &nd, err, sizeof(err)));
    CU_ASSERT_FALSE(bconf_dynamic_valid("follower.replication.throttled.rate",
                                        "-1", &nd, err, sizeof(err)));
    CU_ASSERT_FALSE(nd);
    CU_ASSERT_FALSE(bconf_dynamic_valid("replication.quota.window.num", "5",
                                        &nd, err, sizeof(err)));
    CU_ASSERT_TRUE(nd);
    /* the broker's own value wins over the cluster-wide one */
    dyn = bconf_dynamic_new(&conf, 2, dk, dv, 1, bk, bv);
    CU_ASSERT_EQUAL(dyn->leader_replication_throttled_rate, 1000000);
    CU_ASSERT_EQUAL(dyn->follower_replication_throttled_rate, 3000000);
    CU_ASSERT_EQUAL(
        bconf_dynamic_source(dyn, "follower.replication.throttled.rate"),
        BCONF_SOURCE_DYNAMIC_BROKER);
    bconf_dynamic_free(dyn);
    bconf_free(&conf);
}

void
suite_throttle(void)
{
    CU_pSuite s = unit_suite("throttle");
    UNIT_TEST(s, test_throttle_unlimited_is_never_exceeded);
    UNIT_TEST(s, test_throttle_first_window_counts_as_a_whole_second);
    UNIT_TEST(s, test_throttle_rate_falls_as_time_passes);
    UNIT_TEST(s, test_throttle_windows_expire_after_num_windows);
    UNIT_TEST(s, test_throttle_windows_are_reused_round_robin);
    UNIT_TEST(s, test_throttle_rate_change_applies_to_recorded_traffic);
    UNIT_TEST(s, test_throttle_records_from_many_threads);
    UNIT_TEST(s, test_throttle_replica_lists_validate_like_kafka);
    UNIT_TEST(s, test_throttle_replica_lists_name_partition_and_broker);
    UNIT_TEST(s, test_throttle_topic_configs_are_checked_and_described);
    UNIT_TEST(s, test_throttle_rates_are_dynamic_broker_configs_only);
}
