/*
 * test_replication.c: two broker instances in one process (leader 1 and
 * follower 2, separate log dirs and ports, one metadata snapshot naming
 * both), driven through the same hooks the controller calls. Proves that
 * the follower's fetcher replicates with the leader's offsets, that the
 * leader's high watermark moves only once the follower has the data
 * (replmgr.c R3, R4) and that acks=all waits for it (R5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/batch.h"
#include "samsa/bconf.h"
#include "samsa/broker.h"
#include "samsa/clock.h"
#include "samsa/kapi.h"
#include "samsa/kclient.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/logmgr.h"
#include "samsa/metacache.h"
#include "samsa/net.h"
#include "samsa/p_produce.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"
#include "unit.h"

#define TOPIC "repl"

typedef struct node {
    char *dir;
    bconf_t conf;
    logmgr_t *lm;
    broker_t *b;
    net_t *net;
} node_t;

static node_t nodes[2];
static int32_t replicas[2] = {1, 2};

static int
node_start(node_t *n, int id)
{
    char err[512], idov[32], *ov[4];
    log_config_t lc;

    n->dir = unit_tmpdir(id == 1 ? "repl-leader" : "repl-follower");
    snprintf(idov, sizeof(idov), "broker.id=%d", id);
    ov[0] = idov;
    ov[1] = "zookeeper.connect=127.0.0.1:1";
    ov[2] = "listeners=PLAINTEXT://127.0.0.1:0";
    ov[3] = "auto.create.topics.enable=false";
    if (bconf_load(&n->conf, NULL, ov, 4, err, sizeof(err)) != 0)
        return 1;
    tconf_log_config(&n->conf, NULL, &lc);
    if (logmgr_open(&n->lm, &n->dir, 1, &lc, err, sizeof(err)) != 0)
        return 1;
    n->b = broker_new(&n->conf, n->lm);
    net_config_t nc = {
        .host = "127.0.0.1",
        .nloops = 1,
        .max_request_bytes = 1 << 20,
        .idle_ms = 60000,
        .on_frame = broker_on_frame,
        .on_close = broker_on_close,
        .ud = n->b,
    };
    return net_start(&n->net, &nc, err, sizeof(err)) != 0;
}

static mc_snapshot_t *
snapshot(void)
{
    mc_snapshot_t *snap = mc_snapshot_new();
    mc_partition_t *mp;
    mc_topic_t *t;

    snap->cluster_id = xstrdup("repl-cluster");
    snap->controller_id = 1;
    snap->nbrokers = 2;
    snap->brokers = xcalloc(2, sizeof(*snap->brokers));
    for (int i = 0; i < 2; i++) {
        snap->brokers[i].id = i + 1;
        snap->brokers[i].host = xstrdup("127.0.0.1");
        snap->brokers[i].port = net_port(nodes[i].net);
    }
    snap->ntopics = 1;
    snap->topics = t = xcalloc(1, sizeof(*snap->topics));
    t->name = xstrdup(TOPIC);
    t->npartitions = 1;
    t->partitions = mp = xcalloc(1, sizeof(*t->partitions));
    mp->leader = 1;
    mp->nreplicas = mp->nisr = 2;
    mp->replicas = xcalloc(2, sizeof(int32_t));
    mp->isr = xcalloc(2, sizeof(int32_t));
    memcpy(mp->replicas, replicas, sizeof(replicas));
    memcpy(mp->isr, replicas, sizeof(replicas));
    mp->offline = xcalloc(1, sizeof(int32_t));
    return snap;
}

static void
apply_leader_and_isr(int node)
{
    ctl_partition_state_t ps = {.topic = TOPIC,
                                .partition = 0,
                                .leader = 1,
                                .leader_epoch = 1,
                                .nisr = 2,
                                .isr = replicas,
                                .nreplicas = 2,
                                .replicas = replicas};

    broker_on_leader_and_isr(&ps, 1, nodes[node].b);
}

static int
repl_setup(void)
{
    metacache_init();
    if (node_start(&nodes[0], 1) != 0 || node_start(&nodes[1], 2) != 0)
        return 1;
    broker_on_metadata(snapshot(), nodes[0].b);
    broker_on_metadata(snapshot(), nodes[1].b);
    apply_leader_and_isr(0);
    apply_leader_and_isr(1);
    return 0;
}

static int
repl_teardown(void)
{
    /* the follower first; then let the leader's parked replica fetch
     * (replica.fetch.wait.max.ms 500) expire, so no request is parked
     * when its loop stops */
    for (int i = 1; i >= 0; i--) {
        if (i == 0)
            usleep(800000);
        net_stop(nodes[i].net);
        broker_free(nodes[i].b);
        logmgr_close(nodes[i].lm);
        bconf_free(&nodes[i].conf);
        unit_rmtree(nodes[i].dir);
        free(nodes[i].dir);
    }
    metacache_fini();
    return 0;
}

/* produces @n records to broker 1; the error code, base in *@base */
static int16_t
produce(int16_t acks, int n, int32_t timeout_ms, int64_t *base)
{
    batch_build_record_t recs[8];
    produce_req_partition_t rp = {0};
    produce_req_topic_t rt = {
        .name = {TOPIC, 4}, .npartition_data = 1, .partition_data = &rp};
    produce_req_t r = {.transactional_id = {NULL, -1},
                       .acks = acks,
                       .timeout_ms = timeout_ms,
                       .ntopic_data = 1,
                       .topic_data = &rt};
    buf_t batch = BUF_INIT, frame = BUF_INIT;
    kclient_t *kc = NULL;
    produce_resp_t resp;
    char err[256];
    int32_t corr;
    int16_t kerr = -1;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    memset(recs, 0, sizeof(recs));
    for (int i = 0; i < n; i++) {
        recs[i].value = "seq";
        recs[i].value_len = 3;
    }
    CU_ASSERT_EQUAL_FATAL(batch_build(&batch, BATCH_CODEC_NONE, 0, recs, n), 0);
    rp.records.ptr = batch.data;
    rp.records.len = (int32_t)batch.len;
    CU_ASSERT_EQUAL_FATAL(kclient_connect(&kc, "127.0.0.1",
                                          net_port(nodes[0].net), 2000, err,
                                          sizeof(err)),
                          0);
    kwrite_init(&kw);
    khdr_encode_request(&kw, API_PRODUCE, 8, 1, "test", false);
    p_produce_req_encode(&kw, 8, &r);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &frame), 0);
    kwrite_fini(&kw);
    CU_ASSERT_EQUAL_FATAL(kclient_send(kc, frame.data, frame.len), 0);
    CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &frame, 10000), 0);
    arena_init(&ar);
    kread_init(&kr, frame.data, frame.len);
    if (khdr_decode_response(&kr, &corr, false) == 0 &&
        p_produce_resp_decode(&kr, 8, &ar, &resp) == 0 &&
        resp.nresponses == 1) {
        kerr = resp.responses[0].partition_responses[0].error_code;
        *base = resp.responses[0].partition_responses[0].base_offset;
    }
    arena_fini(&ar);
    buf_fini(&frame);
    buf_fini(&batch);
    kclient_close(kc);
    return kerr;
}

static int64_t
leo_of(int node)
{
    plog_t *plog = logmgr_get(nodes[node].lm, TOPIC, 0);
    int64_t leo = plog ? plog_log_end_offset(plog) : -1;

    plog_unref(plog);
    return leo;
}

static int64_t
hw_of(int node)
{
    plog_t *plog = logmgr_get(nodes[node].lm, TOPIC, 0);
    int64_t hw = plog ? plog_high_watermark(plog) : -1;

    plog_unref(plog);
    return hw;
}

/* R5: acks=all answers once the follower has the batch */
static void
test_acks_all_returns_once_the_follower_has_the_batch_R5(void)
{
    int64_t base = -1;

    CU_ASSERT_EQUAL(produce(-1, 3, 10000, &base), KERR_NONE);
    CU_ASSERT_EQUAL(base, 0);
    CU_ASSERT(leo_of(1) >= 3); /* the follower had it before the answer */
    CU_ASSERT(hw_of(0) >= 3);
    CU_ASSERT_EQUAL(produce(-1, 2, 10000, &base), KERR_NONE);
    CU_ASSERT_EQUAL(base, 3);
    CU_ASSERT(leo_of(1) >= 5);
}

/* R3/R4: without the follower the high watermark stays; acks=all times
 * out; once the follower is back it catches up and the HW follows */
static void
test_hw_waits_for_the_follower_R3_R4(void)
{
    int64_t base = -1, leo, deadline;

    broker_on_stop_replica(TOPIC, 0, false, nodes[1].b);
    CU_ASSERT_EQUAL(produce(1, 4, 10000, &base), KERR_NONE);
    leo = base + 4;
    usleep(300000);
    CU_ASSERT(hw_of(0) < leo);
    CU_ASSERT(leo_of(1) < leo);
    CU_ASSERT_EQUAL(produce(-1, 1, 300, &base), KERR_REQUEST_TIMED_OUT);
    leo = base + 1;
    /* the follower returns: it truncates (OffsetForLeaderEpoch), fetches */
    apply_leader_and_isr(1);
    deadline = clock_mono_ms() + 10000;
    while (clock_mono_ms() < deadline && hw_of(0) < leo)
        usleep(10000);
    CU_ASSERT_EQUAL(hw_of(0), leo);
    CU_ASSERT_EQUAL(leo_of(1), leo);
    CU_ASSERT(hw_of(1) <= leo); /* R8: a follower's HW follows */
}

void
suite_replication(void)
{
    CU_pSuite s = CU_add_suite("replication", repl_setup, repl_teardown);

    UNIT_TEST(s, test_acks_all_returns_once_the_follower_has_the_batch_R5);
    UNIT_TEST(s, test_hw_waits_for_the_follower_R3_R4);
}
