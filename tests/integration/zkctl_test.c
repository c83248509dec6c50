/*
 * zkctl_test.c: ctl against a real ZooKeeper (driven by
 * 05-zk-controller.sh). Runs two in-process brokers (ctl_t), which talk
 * through the local controller channel, and checks hook calls, metadata,
 * Kafka error codes and the znodes written.
 *
 * Usage: zkctl_test HOST:PORT/CHROOT      exit 0 on success, 1 on failure
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/clock.h"
#include "samsa/ctl.h"
#include "samsa/kerr.h"
#include "samsa/metacache.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"
#include "samsa/zk.h"
#include "samsa/zknode.h"

static const char *zk_connect;
static int failures;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            failures++;                                                        \
        }                                                                      \
    } while (0)

#define REQUIRE(cond, ...)                                                     \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* ---- a test broker: records what its hooks see ------------------------ */

typedef struct lai_rec {
    char *topic;
    int32_t partition, leader, leader_epoch;
} lai_rec_t;

typedef struct tb {
    int32_t id;
    ctl_t *ctl;
    pthread_mutex_t mu;
    mc_snapshot_t *snap;
    int nsnaps;
    lai_rec_t lai[4096];
    int nlai;
    char *stops[1024];
    bool stop_del[1024];
    int nstops;
} tb_t;

static void
tb_on_lai(const ctl_partition_state_t *parts, int n, void *ud)
{
    tb_t *tb = ud;

    pthread_mutex_lock(&tb->mu);
    for (int i = 0; i < n && tb->nlai < 4096; i++) {
        lai_rec_t *r = &tb->lai[tb->nlai++];

        r->topic = xstrdup(parts[i].topic);
        r->partition = parts[i].partition;
        r->leader = parts[i].leader;
        r->leader_epoch = parts[i].leader_epoch;
        CHECK(parts[i].nreplicas > 0, "replicas of %s", parts[i].topic);
        CHECK(parts[i].controller_epoch > 0, "controller epoch");
    }
    pthread_mutex_unlock(&tb->mu);
}

static void
tb_on_stop(const char *topic, int32_t partition, bool del, void *ud)
{
    tb_t *tb = ud;

    pthread_mutex_lock(&tb->mu);
    if (tb->nstops < 1024) {
        tb->stops[tb->nstops] = xasprintf("%s-%d", topic, (int)partition);
        tb->stop_del[tb->nstops] = del;
        tb->nstops++;
    }
    pthread_mutex_unlock(&tb->mu);
}

static void
tb_on_metadata(mc_snapshot_t *snap, void *ud)
{
    tb_t *tb = ud;

    pthread_mutex_lock(&tb->mu);
    if (tb->snap != NULL)
        mc_snapshot_put(tb->snap);
    tb->snap = snap;
    tb->nsnaps++;
    pthread_mutex_unlock(&tb->mu);
}

static bool
cfg_valid(const char *key, const char *value, char *err, size_t errlen)
{
    if (strcmp(key, "bad.key") == 0) {
        snprintf(err, errlen, "Unknown topic config name: %s", key);
        return false;
    }
    return true;
}

static int
tb_start(tb_t *tb, int32_t id, int32_t session_ms, char *err, size_t errlen)
{
    ctl_config_t cfg = {
        .broker_id = id,
        .zk_connect = zk_connect,
        .zk_session_timeout_ms = session_ms,
        .advertised_host = "127.0.0.1",
        .advertised_port = 19090 + id,
        .rack = id == 2 ? "rack-b" : "rack-a", /* all or none (Kafka) */
        .num_partitions = 2,
        .default_replication_factor = 1,
        .topic_config_valid = cfg_valid,
    };
    ctl_hooks_t hooks = {tb_on_lai, tb_on_stop, tb_on_metadata, tb, NULL};

    tb->id = id;
    pthread_mutex_init(&tb->mu, NULL);
    return ctl_start(&tb->ctl, &cfg, &hooks, err, errlen);
}

static void
tb_stop(tb_t *tb)
{
    ctl_stop(tb->ctl);
    tb->ctl = NULL;
}

static void
tb_reset(tb_t *tb)
{
    pthread_mutex_lock(&tb->mu);
    for (int i = 0; i < tb->nlai; i++)
        free(tb->lai[i].topic);
    tb->nlai = 0;
    for (int i = 0; i < tb->nstops; i++)
        free(tb->stops[i]);
    tb->nstops = 0;
    if (tb->snap != NULL)
        mc_snapshot_put(tb->snap);
    tb->snap = NULL;
    tb->nsnaps = 0;
    pthread_mutex_unlock(&tb->mu);
}

/* ---- predicates over a test broker (polled) --------------------------- */

typedef bool (*pred_fn)(tb_t *tb, const void *arg);

static bool
wait_for(tb_t *tb, pred_fn pred, const void *arg, int ms)
{
    int64_t end = clock_mono_ms() + ms;

    for (;;) {
        bool ok;

        pthread_mutex_lock(&tb->mu);
        ok = pred(tb, arg);
        pthread_mutex_unlock(&tb->mu);
        if (ok)
            return true;
        if (clock_mono_ms() > end)
            return false;
        usleep(20 * 1000);
    }
}

typedef struct tstate {
    const char *topic;
    int32_t npartitions; /* -1: topic absent */
    int32_t leader;      /* every partition; -2: any >= 0 */
    int32_t controller;  /* -2: any */
    int32_t nbrokers;    /* -1: any */
} tstate_t;

static bool
pred_topic(tb_t *tb, const void *arg)
{
    const tstate_t *w = arg;
    const mc_topic_t *t;

    if (tb->snap == NULL)
        return false;
    if (w->controller != -2 && tb->snap->controller_id != w->controller)
        return false;
    if (w->nbrokers >= 0 && tb->snap->nbrokers != w->nbrokers)
        return false;
    if (w->topic == NULL)
        return true;
    t = mc_topic_find(tb->snap, w->topic, (int32_t)strlen(w->topic));
    if (w->npartitions < 0)
        return t == NULL;
    if (t == NULL || t->npartitions != w->npartitions)
        return false;
    for (int32_t p = 0; p < t->npartitions; p++) {
        if (w->leader == -2 && t->partitions[p].leader < 0)
            return false;
        if (w->leader != -2 && t->partitions[p].leader != w->leader)
            return false;
    }
    return true;
}

typedef struct tpl {
    const char *topic;
    int32_t partition;
    int32_t leader;
} tpl_t;

static bool
pred_part(tb_t *tb, const void *arg)
{
    const tpl_t *w = arg;
    const mc_topic_t *t;

    if (tb->snap == NULL)
        return false;
    t = mc_topic_find(tb->snap, w->topic, (int32_t)strlen(w->topic));
    return t != NULL && w->partition < t->npartitions &&
           t->partitions[w->partition].leader == w->leader;
}

static bool
pred_lai(tb_t *tb, const void *arg)
{
    const tpl_t *w = arg;

    for (int i = 0; i < tb->nlai; i++)
        if (strcmp(tb->lai[i].topic, w->topic) == 0 &&
            tb->lai[i].partition == w->partition &&
            tb->lai[i].leader == w->leader)
            return true;
    return false;
}

static bool
pred_stop(tb_t *tb, const void *arg)
{
    for (int i = 0; i < tb->nstops; i++)
        if (strcmp(tb->stops[i], arg) == 0 && tb->stop_del[i])
            return true;
    return false;
}

/* ---- synchronous admin calls ------------------------------------------ */

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int n;
    int16_t codes[16];
    char msgs[16][256];
    int32_t nparts[16];
    int16_t rf[16];
} waiter_t;

static void
waiter_done(const ctl_result_t *res, int n, void *ud)
{
    waiter_t *w = ud;

    pthread_mutex_lock(&w->mu);
    w->n = n;
    for (int i = 0; i < n && i < 16; i++) {
        w->codes[i] = res[i].error_code;
        snprintf(w->msgs[i], sizeof(w->msgs[i]), "%s",
                 res[i].error_message ? res[i].error_message : "");
        w->nparts[i] = res[i].num_partitions;
        w->rf[i] = res[i].replication_factor;
    }
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static waiter_t *
waiter_new(void)
{
    waiter_t *w = xcalloc(1, sizeof(*w));

    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    return w;
}

static void
waiter_wait(waiter_t *w)
{
    int64_t end = clock_mono_ms() + 60000;

    pthread_mutex_lock(&w->mu);
    while (!w->done && clock_mono_ms() < end) {
        pthread_mutex_unlock(&w->mu);
        usleep(10 * 1000);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    REQUIRE(w->done, "admin request never answered");
}

static waiter_t *
create_one(tb_t *tb, const char *name, int32_t np, int16_t rf, const char *ckey,
           const char *cval, bool validate_only)
{
    waiter_t *w = waiter_new();
    const char *keys[1] = {ckey}, *vals[1] = {cval};
    ctl_topic_spec_t spec = {name, np,           rf,   0,   NULL,
                             NULL, ckey ? 1 : 0, keys, vals};

    ctl_create_topics(tb->ctl, &spec, 1, validate_only, 20000, waiter_done, w);
    waiter_wait(w);
    return w;
}

static void
expect_create(tb_t *tb, const char *name, int32_t np, int16_t rf,
              const char *ckey, const char *cval, int16_t code)
{
    waiter_t *w = create_one(tb, name, np, rf, ckey, cval, false);

    CHECK(w->n == 1 && w->codes[0] == code,
          "create %s: got error %d (%s), want %d", name, w->codes[0],
          w->msgs[0], code);
    if (code != KERR_NONE)
        CHECK(w->msgs[0][0] != '\0' && w->nparts[0] == -1,
              "create %s: message and -1 partitions on error", name);
    free(w);
}

/* ---- ZooKeeper inspection --------------------------------------------- */

static void
discard_post(zk_msg_t *msg, void *ud)
{
    zk_msg_discard(msg);
}

static zk_t *
inspector(void)
{
    zk_config_t zc = {zk_connect, 10000, discard_post, NULL, NULL, NULL};
    char err[256];
    zk_t *zk = NULL;

    REQUIRE(zk_open(&zk, &zc, err, sizeof(err)) == 0, "inspector: %s", err);
    return zk;
}

static char *
zget(zk_t *zk, const char *fmt, ...)
{
    va_list ap;
    char path[512], *data = NULL;
    int len = 0;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (zk_sync_get(zk, path, &data, &len, NULL) != ZOK)
        return NULL;
    return data != NULL ? data : xstrdup("");
}

static bool
zexists(zk_t *zk, const char *fmt, ...)
{
    va_list ap;
    char path[512];

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return zk_sync_exists(zk, path, NULL) == ZOK;
}

/* ---- scenarios -------------------------------------------------------- */

static void
test_unreachable_zookeeper_fails_fast(void)
{
    tb_t tb;
    char err[256];
    const char *saved = zk_connect;
    int64_t t0 = clock_mono_ms();
    int rc;

    memset(&tb, 0, sizeof(tb));
    zk_connect = "127.0.0.1:1/x";
    rc = tb_start(&tb, 9, 1500, err, sizeof(err));
    zk_connect = saved;
    CHECK(rc != 0, "ctl_start against a closed port succeeded");
    CHECK(strstr(err, "cannot connect") != NULL, "message: %s", err);
    CHECK(clock_mono_ms() - t0 < 10000, "took %lld ms",
          (long long)(clock_mono_ms() - t0));
}

int
main(int argc, char **argv)
{
    static tb_t b1, b2, dup;
    tstate_t ts;
    tpl_t tp;
    char err[256], *s;
    zk_t *zk;
    int32_t epoch1, epoch2;

    if (argc != 2) {
        fprintf(stderr, "usage: %s HOST:PORT/CHROOT\n", argv[0]);
        return 2;
    }
    zk_connect = argv[1];
    say_set_level(SAY_INFO);
    metacache_init();

    test_unreachable_zookeeper_fails_fast();

    /* 1. first broker: base paths, cluster id, registration, election */
    REQUIRE(tb_start(&b1, 1, 6000, err, sizeof(err)) == 0, "start 1: %s", err);
    CHECK(strlen(ctl_cluster_id(b1.ctl)) == 22, "cluster id %s",
          ctl_cluster_id(b1.ctl));
    ts = (tstate_t){NULL, 0, 0, 1, 1};
    REQUIRE(wait_for(&b1, pred_topic, &ts, 20000),
            "broker 1 never got metadata naming itself controller");
    CHECK(ctl_is_controller(b1.ctl), "broker 1 is not the controller");
    zk = inspector();
    s = zget(zk, "/cluster/id");
    CHECK(s && strstr(s, ctl_cluster_id(b1.ctl)) &&
              strstr(s, "\"version\":\"1\""),
          "/cluster/id = %s", s ? s : "(none)");
    free(s);
    s = zget(zk, "/brokers/ids/1");
    CHECK(s && strstr(s, "PLAINTEXT://127.0.0.1:19091"), "/brokers/ids/1 = %s",
          s ? s : "(none)");
    free(s);
    s = zget(zk, "/controller");
    CHECK(s && strstr(s, "\"brokerid\":1"), "/controller = %s",
          s ? s : "(none)");
    free(s);
    s = zget(zk, "/controller_epoch");
    REQUIRE(s != NULL, "/controller_epoch missing");
    epoch1 = atoi(s);
    CHECK(epoch1 >= 1, "controller epoch %s", s);
    free(s);
    for (const char *p = "/brokers/topics\0/config/topics\0/config/changes\0"
                         "/admin/delete_topics\0/isr_change_notification\0";
         *p; p += strlen(p) + 1)
        CHECK(zexists(zk, "%s", p), "%s missing", p);

    /* 2. registration conflict: id 1 is live */
    {
        char err2[256];
        int rc = tb_start(&dup, 1, 1500, err2, sizeof(err2));

        CHECK(rc != 0, "a second broker 1 registered");
        CHECK(strstr(err2, "broker id 1 is already registered") != NULL,
              "message: %s", err2);
    }

    /* 3. CreateTopics on the controller */
    expect_create(&b1, "t1", 3, 1, "retention.ms", "1000", KERR_NONE);
    ts = (tstate_t){"t1", 3, 1, 1, 1};
    CHECK(wait_for(&b1, pred_topic, &ts, 5000), "t1 not in metadata");
    tp = (tpl_t){"t1", 2, 1};
    CHECK(wait_for(&b1, pred_lai, &tp, 5000), "no LeaderAndIsr for t1-2");
    s = zget(zk, "/brokers/topics/t1");
    {
        zknode_topic_t zt;

        REQUIRE(s != NULL, "/brokers/topics/t1 missing");
        CHECK(zknode_topic_decode(s, strlen(s), &zt, err, sizeof(err)) == 0,
              "%s", err);
        CHECK(zt.has_id && zt.version == 3 && zt.npartitions == 3 &&
                  zt.replicas[0].n == 1 && zt.replicas[0].ids[0] == 1,
              "t1 assignment %s", s);
        zknode_topic_fini(&zt);
    }
    free(s);
    s = zget(zk, "/brokers/topics/t1/partitions/1/state");
    {
        zknode_partition_state_t st;

        REQUIRE(s != NULL, "t1-1 state missing");
        CHECK(zknode_partition_state_decode(s, strlen(s), &st, err,
                                            sizeof(err)) == 0,
              "%s", err);
        CHECK(st.leader == 1 && st.leader_epoch == 0 &&
                  st.controller_epoch == epoch1 && st.nisr == 1,
              "t1-1 state %s", s);
        zknode_partition_state_fini(&st);
    }
    free(s);
    s = zget(zk, "/config/topics/t1");
    CHECK(s && strcmp(s, "{\"version\":1,\"config\":{\"retention.ms\":"
                         "\"1000\"}}") == 0,
          "config %s", s ? s : "(none)");
    free(s);
    pthread_mutex_lock(&b1.mu);
    {
        const mc_topic_t *t = mc_topic_find(b1.snap, "t1", 2);

        CHECK(t && mc_topic_config(t, "retention.ms") &&
                  strcmp(mc_topic_config(t, "retention.ms"), "1000") == 0,
              "t1 config not in metadata");
        CHECK(b1.snap->cluster_id &&
                  strcmp(b1.snap->cluster_id, ctl_cluster_id(b1.ctl)) == 0,
              "snapshot cluster id");
    }
    pthread_mutex_unlock(&b1.mu);

    /* 4. CreateTopics errors (Kafka 2.8 codes) */
    expect_create(&b1, "t1", 1, 1, NULL, NULL, KERR_TOPIC_ALREADY_EXISTS);
    expect_create(&b1, "a_b", 1, 1, NULL, NULL, KERR_NONE);
    expect_create(&b1, "a.b", 1, 1, NULL, NULL, KERR_INVALID_TOPIC_EXCEPTION);
    expect_create(&b1, "bad name", 1, 1, NULL, NULL,
                  KERR_INVALID_TOPIC_EXCEPTION);
    expect_create(&b1, "..", 1, 1, NULL, NULL, KERR_INVALID_TOPIC_EXCEPTION);
    expect_create(&b1, "t-rf", 1, 3, NULL, NULL,
                  KERR_INVALID_REPLICATION_FACTOR);
    expect_create(&b1, "t-rf0", 1, 0, NULL, NULL,
                  KERR_INVALID_REPLICATION_FACTOR);
    expect_create(&b1, "t-p0", 0, 1, NULL, NULL, KERR_INVALID_PARTITIONS);
    expect_create(&b1, "t-cfg", 1, 1, "bad.key", "x", KERR_INVALID_CONFIG);
    CHECK(!zexists(zk, "/brokers/topics/t-cfg"), "t-cfg written");
    {
        waiter_t *w = create_one(&b1, "t-validate", 4, 1, NULL, NULL, true);

        CHECK(w->codes[0] == KERR_NONE && w->nparts[0] == 4 && w->rf[0] == 1,
              "validate-only: %d %s", w->codes[0], w->msgs[0]);
        CHECK(!zexists(zk, "/brokers/topics/t-validate"),
              "validate-only wrote the topic");
        free(w);
    }
    {
        /* manual assignment naming an unknown broker; then a good one */
        int32_t a0[] = {1}, a1[] = {7};
        const int32_t *as[] = {a0, a1};
        int32_t lens[] = {1, 1};
        ctl_topic_spec_t spec = {"t-man", -1, -1, 2, as, lens, 0, NULL, NULL};
        waiter_t *w = waiter_new();

        ctl_create_topics(b1.ctl, &spec, 1, false, 20000, waiter_done, w);
        waiter_wait(w);
        CHECK(w->codes[0] == KERR_INVALID_REPLICA_ASSIGNMENT, "manual: %d %s",
              w->codes[0], w->msgs[0]);
        free(w);
        a1[0] = 1;
        w = waiter_new();
        ctl_create_topics(b1.ctl, &spec, 1, false, 20000, waiter_done, w);
        waiter_wait(w);
        CHECK(w->codes[0] == KERR_NONE && w->nparts[0] == 2 && w->rf[0] == 1,
              "manual: %d %s", w->codes[0], w->msgs[0]);
        free(w);
    }
    {
        /* defaults: num_partitions 2 from the config; two in one request */
        ctl_topic_spec_t specs[2] = {
            {"t-def", -1, -1, 0, NULL, NULL, 0, NULL, NULL},
            {"t-def", -1, -1, 0, NULL, NULL, 0, NULL, NULL},
        };
        waiter_t *w = waiter_new();

        ctl_create_topics(b1.ctl, specs, 2, false, 20000, waiter_done, w);
        waiter_wait(w);
        CHECK(w->n == 2 && w->codes[0] == KERR_NONE && w->nparts[0] == 2 &&
                  w->codes[1] == KERR_INVALID_REQUEST,
              "defaults: %d/%d %s", w->codes[0], w->codes[1], w->msgs[1]);
        free(w);
    }

    /* 5. a second broker gets metadata from controller 1 */
    REQUIRE(tb_start(&b2, 2, 6000, err, sizeof(err)) == 0, "start 2: %s", err);
    ts = (tstate_t){"t1", 3, 1, 1, 2};
    CHECK(wait_for(&b2, pred_topic, &ts, 10000),
          "broker 2 never got metadata with both brokers");
    CHECK(!ctl_is_controller(b2.ctl), "broker 2 is controller");

    /* 6. CreateTopics on a non-controller, replicated on both */
    expect_create(&b2, "t2", 2, 2, NULL, NULL, KERR_NONE);
    ts = (tstate_t){"t2", 2, -2, 1, 2};
    CHECK(wait_for(&b1, pred_topic, &ts, 5000), "t2 not on broker 1");
    tp = (tpl_t){"t2", 0, -1};
    pthread_mutex_lock(&b2.mu);
    {
        int n = 0;

        for (int i = 0; i < b2.nlai; i++)
            if (strcmp(b2.lai[i].topic, "t2") == 0)
                n++;
        CHECK(n == 2, "broker 2 got %d LeaderAndIsr for t2", n);
    }
    pthread_mutex_unlock(&b2.mu);

    /* 7. CreatePartitions */
    {
        const char *names[3] = {"t1", "t1x", "a_b"};
        int32_t counts[3] = {5, 2, 1};
        waiter_t *w = waiter_new();

        ctl_create_partitions(b2.ctl, names, counts, 3, false, 20000,
                              waiter_done, w);
        waiter_wait(w);
        CHECK(w->codes[0] == KERR_NONE && w->nparts[0] == 5, "t1 -> 5: %d %s",
              w->codes[0], w->msgs[0]);
        CHECK(w->codes[1] == KERR_UNKNOWN_TOPIC_OR_PARTITION, "t1x: %d",
              w->codes[1]);
        CHECK(w->codes[2] == KERR_INVALID_PARTITIONS, "a_b: %d %s", w->codes[2],
              w->msgs[2]);
        free(w);
        /* Kafka's round robin from partition 0's broker: 3 -> 2, 4 -> 1 */
        ts = (tstate_t){"t1", 5, -2, 1, 2};
        CHECK(wait_for(&b1, pred_topic, &ts, 5000), "t1 not grown to 5");
        tp = (tpl_t){"t1", 4, 1};
        CHECK(wait_for(&b1, pred_lai, &tp, 5000), "no LeaderAndIsr t1-4");
        tp = (tpl_t){"t1", 3, 2};
        CHECK(wait_for(&b2, pred_lai, &tp, 5000), "no LeaderAndIsr t1-3");
        CHECK(zexists(zk, "/brokers/topics/t1/partitions/4/state"),
              "t1-4 state");
    }

    /* 8. controller failover: broker 1 stops */
    tb_reset(&b2);
    tb_stop(&b1);
    ts = (tstate_t){"t2", 2, 2, 2, 1};
    CHECK(wait_for(&b2, pred_topic, &ts, 20000),
          "broker 2 did not take over t2 as controller");
    tp = (tpl_t){"t1", 0, -1};
    CHECK(wait_for(&b2, pred_part, &tp, 5000), "t1-0 not offline");
    tp = (tpl_t){"t1", 3, 2};
    CHECK(wait_for(&b2, pred_part, &tp, 5000), "t1-3 not led by 2");
    CHECK(ctl_is_controller(b2.ctl), "broker 2 is not the controller");
    s = zget(zk, "/controller_epoch");
    epoch2 = s ? atoi(s) : -1;
    free(s);
    CHECK(epoch2 == epoch1 + 1, "epoch %d after %d", epoch2, epoch1);
    s = zget(zk, "/brokers/topics/t2/partitions/0/state");
    CHECK(s && strstr(s, "\"leader\":2") && strstr(s, "\"isr\":[2]") &&
              strstr(s, "\"leader_epoch\":1"),
          "t2-0 state after failover %s", s ? s : "(none)");
    free(s);

    /* 9. broker 1 returns: its partitions come back */
    tb_reset(&b1);
    memset(&b1, 0, sizeof(b1));
    REQUIRE(tb_start(&b1, 1, 6000, err, sizeof(err)) == 0, "restart 1: %s",
            err);
    ts = (tstate_t){"t1", 5, -2, 2, 2};
    CHECK(wait_for(&b1, pred_topic, &ts, 20000), "t1 not back on broker 1");
    tp = (tpl_t){"t1", 0, 1};
    CHECK(wait_for(&b1, pred_lai, &tp, 5000), "no LeaderAndIsr t1-0 on 1");

    /* 10. DeleteTopics */
    {
        const char *names[2] = {"t2", "nope"};
        waiter_t *w = waiter_new();

        ctl_delete_topics(b1.ctl, names, 2, 20000, waiter_done, w);
        waiter_wait(w);
        CHECK(w->codes[0] == KERR_NONE, "delete t2: %d %s", w->codes[0],
              w->msgs[0]);
        CHECK(w->codes[1] == KERR_UNKNOWN_TOPIC_OR_PARTITION, "nope: %d",
              w->codes[1]);
        free(w);
        ts = (tstate_t){"t2", -1, 0, -2, -1};
        CHECK(wait_for(&b1, pred_topic, &ts, 5000), "t2 still in metadata");
        CHECK(wait_for(&b2, pred_stop, "t2-1", 5000),
              "no StopReplica(delete) for t2-1 on broker 2");
        CHECK(!zexists(zk, "/brokers/topics/t2"), "/brokers/topics/t2 left");
        CHECK(!zexists(zk, "/config/topics/t2"), "/config/topics/t2 left");
        CHECK(!zexists(zk, "/admin/delete_topics/t2"),
              "/admin/delete_topics/t2 left");
    }
    /* a name can be reused after deletion */
    expect_create(&b1, "t2", 1, 2, NULL, NULL, KERR_NONE);

    /* leave a tree for zk_validate.py; stop the brokers */
    zk_close(zk);
    tb_stop(&b1);
    tb_stop(&b2);
    tb_reset(&b1);
    tb_reset(&b2);
    metacache_fini();
    if (failures != 0) {
        fprintf(stderr, "zkctl_test: %d failure(s)\n", failures);
        return 1;
    }
    fprintf(stderr, "zkctl_test: PASS\n");
    return 0;
}
