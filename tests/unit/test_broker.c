/*
 * test_broker.c: the broker module end to end in one process: dispatch,
 * the handlers, the purgatory, storage and the network layer, driven over
 * a real socket with the protocol codecs. The controller's decisions are
 * applied through the same hooks the controller calls (LeaderAndIsr,
 * UpdateMetadata), so no ZooKeeper is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/batch.h"
#include "samsa/bconf.h"
#include "samsa/clock.h"
#include "samsa/broker.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kclient.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/logmgr.h"
#include "samsa/metacache.h"
#include "samsa/net.h"
#include "samsa/p_apiversions.h"
#include "samsa/p_fetch.h"
#include "samsa/p_listoffsets.h"
#include "samsa/p_metadata.h"
#include "samsa/p_produce.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"
#include "unit.h"

#define BROKER_ID 1
#define TOPIC "orders"
#define STAMPED "stamped" /* message.timestamp.type=LogAppendTime */

static char *dir;
static bconf_t conf;
static logmgr_t *lm;
static broker_t *b;
static net_t *net;
static int32_t next_corr = 1;

/* the snapshot the controller would send for TOPIC with @nparts */
static mc_snapshot_t *
fixture_snapshot(int32_t nparts)
{
    mc_snapshot_t *snap = mc_snapshot_new();
    mc_topic_t *t;

    snap->cluster_id = xstrdup("test-cluster");
    snap->controller_id = BROKER_ID;
    snap->nbrokers = 1;
    snap->brokers = xcalloc(1, sizeof(*snap->brokers));
    snap->brokers[0].id = BROKER_ID;
    snap->brokers[0].host = xstrdup("127.0.0.1");
    snap->brokers[0].port = net_port(net);
    snap->ntopics = 2;
    snap->topics = xcalloc(2, sizeof(*snap->topics));
    for (int i = 0; i < 2; i++) {
        t = &snap->topics[i];
        t->name = xstrdup(i == 0 ? TOPIC : STAMPED);
        t->npartitions = i == 0 ? nparts : 1;
        t->partitions = xcalloc(t->npartitions, sizeof(*t->partitions));
        for (int32_t p = 0; p < t->npartitions; p++) {
            mc_partition_t *mp = &t->partitions[p];

            mp->partition = p;
            mp->leader = BROKER_ID;
            mp->nreplicas = mp->nisr = 1;
            mp->replicas = xcalloc(1, sizeof(int32_t));
            mp->isr = xcalloc(1, sizeof(int32_t));
            mp->replicas[0] = mp->isr[0] = BROKER_ID;
            mp->offline = xcalloc(1, sizeof(int32_t));
        }
    }
    t = &snap->topics[1];
    t->nconfigs = 1;
    t->configs = xcalloc(1, sizeof(*t->configs));
    t->configs[0].key = xstrdup("message.timestamp.type");
    t->configs[0].value = xstrdup("LogAppendTime");
    return snap;
}

static int
broker_setup(void)
{
    char err[512], *ov[4];
    log_config_t lc;
    int32_t isr[1] = {BROKER_ID};
    ctl_partition_state_t parts[3];

    dir = unit_tmpdir("broker");
    ov[0] = "broker.id=1";
    ov[1] = "zookeeper.connect=127.0.0.1:1";
    ov[2] = "listeners=PLAINTEXT://127.0.0.1:0";
    ov[3] = "auto.create.topics.enable=false";
    if (bconf_load(&conf, NULL, ov, 4, err, sizeof(err)) != 0)
        return 1;
    tconf_log_config(&conf, NULL, &lc);
    if (logmgr_open(&lm, &dir, 1, &lc, err, sizeof(err)) != 0)
        return 1;
    metacache_init();
    b = broker_new(&conf, lm);
    net_config_t nc = {
        .host = "127.0.0.1",
        .nloops = 2,
        .max_request_bytes = 1 << 20,
        .idle_ms = 60000,
        .on_frame = broker_on_frame,
        .on_close = broker_on_close,
        .ud = b,
    };
    if (net_start(&net, &nc, err, sizeof(err)) != 0)
        return 1;
    for (int p = 0; p < 2; p++) {
        parts[p] = (ctl_partition_state_t){.topic = TOPIC,
                                           .partition = p,
                                           .leader = BROKER_ID,
                                           .nisr = 1,
                                           .isr = isr,
                                           .nreplicas = 1,
                                           .replicas = isr};
    }
    parts[2] = parts[0];
    parts[2].topic = STAMPED;
    broker_on_leader_and_isr(parts, 3, b);
    broker_on_metadata(fixture_snapshot(2), b);
    return broker_wait_metadata(b, 1000) ? 0 : 1;
}

static int
broker_teardown(void)
{
    net_stop(net);
    broker_free(b);
    logmgr_close(lm);
    metacache_fini();
    bconf_free(&conf);
    unit_rmtree(dir);
    free(dir);
    return 0;
}

static kclient_t *
connect_broker(void)
{
    char err[256];
    kclient_t *kc = NULL;

    CU_ASSERT_EQUAL_FATAL(kclient_connect(&kc, "127.0.0.1", net_port(net), 2000,
                                          err, sizeof(err)),
                          0);
    return kc;
}

/* starts a request frame: header for @key/@version */
static void
req_begin(kwrite_t *kw, int16_t key, int16_t version)
{
    kwrite_init(kw);
    khdr_encode_request(kw, key, version, next_corr++, "test_broker",
                        kapi_flexible(key, version));
}

static void
req_send(kclient_t *kc, kwrite_t *kw)
{
    buf_t frame = BUF_INIT;

    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(kw, &frame), 0);
    CU_ASSERT_EQUAL_FATAL(kclient_send(kc, frame.data, frame.len), 0);
    buf_fini(&frame);
    kwrite_fini(kw);
}

/* reads one response and positions @kr at its body */
static int
resp_recv(kclient_t *kc, buf_t *frame, kread_t *kr, int16_t key,
          int16_t version, int timeout_ms)
{
    int32_t corr;
    int rc;

    buf_reset(frame);
    rc = kclient_recv(kc, frame, timeout_ms);
    if (rc != 0)
        return rc;
    kread_init(kr, frame->data, frame->len);
    return khdr_decode_response(
        kr, &corr, khdr_response_flexible(key, kapi_flexible(key, version)));
}

/* produces @n records with @codec to TOPIC/@partition; the partition's
 * error code, base offset in *@base */
static int16_t
produce_to(kclient_t *kc, const char *topic, int32_t partition, int n,
           batch_codec_t codec, int16_t acks, bool corrupt, int64_t *base,
           int64_t *append_time)
{
    batch_build_record_t recs[16];
    char values[16][32];
    produce_req_partition_t rp = {0};
    produce_req_topic_t rt = {0};
    produce_req_t r = {0};
    produce_resp_t resp;
    buf_t batch = BUF_INIT, frame = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    int16_t err = -100;

    for (int i = 0; i < n; i++) {
        snprintf(values[i], sizeof(values[i]), "value-%d", i);
        recs[i] =
            (batch_build_record_t){.key = "k",
                                   .key_len = 1,
                                   .value = values[i],
                                   .value_len = (int32_t)strlen(values[i]),
                                   .timestamp = 1700000000000LL + i};
    }
    CU_ASSERT_EQUAL_FATAL(batch_build(&batch, codec, 0, recs, n), 0);
    if (corrupt)
        batch.data[batch.len - 1] ^= 0x5a;
    rp.index = partition;
    rp.records.ptr = batch.data;
    rp.records.len = (int32_t)batch.len;
    rt.name = (kstr_t){topic, (int32_t)strlen(topic)};
    rt.npartition_data = 1;
    rt.partition_data = &rp;
    r.transactional_id.len = -1;
    r.acks = acks;
    r.timeout_ms = 5000;
    r.ntopic_data = 1;
    r.topic_data = &rt;
    req_begin(&kw, API_PRODUCE, 7);
    p_produce_req_encode(&kw, 7, &r);
    req_send(kc, &kw);
    buf_fini(&batch);
    if (acks == 0)
        return KERR_NONE;
    arena_init(&ar);
    if (resp_recv(kc, &frame, &kr, API_PRODUCE, 7, 5000) == 0 &&
        p_produce_resp_decode(&kr, 7, &ar, &resp) == 0 &&
        resp.nresponses == 1 && resp.responses[0].npartition_responses == 1) {
        err = resp.responses[0].partition_responses[0].error_code;
        *base = resp.responses[0].partition_responses[0].base_offset;
        *append_time =
            resp.responses[0].partition_responses[0].log_append_time_ms;
    }
    arena_fini(&ar);
    buf_fini(&frame);
    return err;
}

static int16_t
produce(kclient_t *kc, int32_t partition, int n, batch_codec_t codec,
        int16_t acks, bool corrupt, int64_t *base)
{
    int64_t append_time;

    return produce_to(kc, TOPIC, partition, n, codec, acks, corrupt, base,
                      &append_time);
}

/* sends a Fetch v11 for TOPIC/@partition at @offset */
static void
fetch_send_to(kclient_t *kc, const char *topic, int32_t partition,
              int64_t offset, int32_t min_bytes, int32_t max_wait_ms)
{
    fetch_req_partition_t rp = {0};
    fetch_req_topic_t rt = {0};
    fetch_req_t r = {0};
    kwrite_t kw;

    rp.partition = partition;
    rp.current_leader_epoch = -1;
    rp.fetch_offset = offset;
    rp.last_fetched_epoch = -1;
    rp.log_start_offset = -1;
    rp.partition_max_bytes = 1 << 20;
    rt.topic = (kstr_t){topic, (int32_t)strlen(topic)};
    rt.npartitions = 1;
    rt.partitions = &rp;
    r.cluster_id.len = -1;
    r.replica_id = -1;
    r.max_wait_ms = max_wait_ms;
    r.min_bytes = min_bytes;
    r.max_bytes = 1 << 24;
    r.session_epoch = -1;
    r.ntopics = 1;
    r.topics = &rt;
    r.rack_id = (kstr_t){"", 0};
    req_begin(&kw, API_FETCH, 11);
    p_fetch_req_encode(&kw, 11, &r);
    req_send(kc, &kw);
}

static void
fetch_send(kclient_t *kc, int32_t partition, int64_t offset, int32_t min_bytes,
           int32_t max_wait_ms)
{
    fetch_send_to(kc, TOPIC, partition, offset, min_bytes, max_wait_ms);
}

/* receives a Fetch v11 answer: error, high watermark, records counted */
static batch_hdr_t fetched_first; /* header of the last fetch's first batch */

static int
fetch_recv(kclient_t *kc, int timeout_ms, int16_t *err, int64_t *hw,
           int64_t *first_offset, int *nrecords)
{
    buf_t frame = BUF_INIT;
    fetch_resp_t resp;
    kread_t kr;
    arena_t ar;
    int rc;

    arena_init(&ar);
    *nrecords = 0;
    *first_offset = -1;
    rc = resp_recv(kc, &frame, &kr, API_FETCH, 11, timeout_ms);
    if (rc == 0)
        rc = p_fetch_resp_decode(&kr, 11, &ar, &resp);
    if (rc == 0) {
        fetch_resp_partition_t *p = &resp.responses[0].partitions[0];
        const uint8_t *data = p->records.ptr;
        size_t left = p->records.len > 0 ? (size_t)p->records.len : 0;
        batch_hdr_t h;

        *err = p->error_code;
        *hw = p->high_watermark;
        while (left >= BATCH_HEADER_SIZE &&
               batch_hdr_parse(data, left, &h) == 0 && batch_size(&h) <= left) {
            batch_iter_t it;
            batch_record_t rec;

            if (*first_offset < 0) {
                *first_offset = h.base_offset;
                fetched_first = h;
            }
            CU_ASSERT_EQUAL(batch_iter_init(&it, data, batch_size(&h)), 0);
            while (batch_iter_next(&it, &rec) == 1)
                (*nrecords)++;
            batch_iter_fini(&it);
            data += batch_size(&h);
            left -= batch_size(&h);
        }
    }
    arena_fini(&ar);
    buf_fini(&frame);
    return rc;
}

static void
test_api_versions_is_the_dispatch_table_in_flexible_and_v0_form(void)
{
    kclient_t *kc = connect_broker();
    apiversions_req_t r = {{"samsa-test", 10}, {"1", 1}};
    apiversions_resp_t resp;
    buf_t frame = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    bool produce_ok = false;

    arena_init(&ar);
    req_begin(&kw, API_API_VERSIONS, 3);
    p_apiversions_req_encode(&kw, 3, &r);
    req_send(kc, &kw);
    CU_ASSERT_EQUAL_FATAL(resp_recv(kc, &frame, &kr, API_API_VERSIONS, 3, 5000),
                          0);
    CU_ASSERT_EQUAL_FATAL(p_apiversions_resp_decode(&kr, 3, &ar, &resp), 0);
    CU_ASSERT_EQUAL(resp.error_code, KERR_NONE);
    for (int32_t i = 0; i < resp.napi_keys; i++)
        if (resp.api_keys[i].api_key == API_PRODUCE)
            produce_ok = resp.api_keys[i].min_version == 3 &&
                         resp.api_keys[i].max_version == 9;
    CU_ASSERT_TRUE(produce_ok);

    /* a version the broker lacks: v0 body with UNSUPPORTED_VERSION */
    req_begin(&kw, API_API_VERSIONS, 77);
    req_send(kc, &kw);
    CU_ASSERT_EQUAL_FATAL(resp_recv(kc, &frame, &kr, API_API_VERSIONS, 0, 5000),
                          0);
    CU_ASSERT_EQUAL_FATAL(p_apiversions_resp_decode(&kr, 0, &ar, &resp), 0);
    CU_ASSERT_EQUAL(resp.error_code, KERR_UNSUPPORTED_VERSION);
    CU_ASSERT(resp.napi_keys >= 10);
    arena_fini(&ar);
    buf_fini(&frame);
    kclient_close(kc);
}

static void
test_produce_assigns_offsets_and_fetch_returns_the_records(void)
{
    kclient_t *kc = connect_broker();
    int64_t base = -1, hw, first;
    int16_t err;
    int n;

    CU_ASSERT_EQUAL(produce(kc, 0, 3, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_NONE);
    CU_ASSERT_EQUAL(base, 0);
    CU_ASSERT_EQUAL(produce(kc, 0, 5, BATCH_CODEC_LZ4, -1, false, &base),
                    KERR_NONE);
    CU_ASSERT_EQUAL(base, 3);
    CU_ASSERT_EQUAL(produce(kc, 0, 2, BATCH_CODEC_ZSTD, 1, false, &base),
                    KERR_NONE);
    CU_ASSERT_EQUAL(base, 8);

    fetch_send(kc, 0, 0, 1, 0);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 5000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(err, KERR_NONE);
    CU_ASSERT_EQUAL(hw, 10);
    CU_ASSERT_EQUAL(first, 0);
    CU_ASSERT_EQUAL(n, 10);

    /* from the middle of the lz4 batch: the whole batch comes back */
    fetch_send(kc, 0, 4, 1, 0);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 5000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(first, 3);
    CU_ASSERT_EQUAL(n, 7);

    /* past the log end */
    fetch_send(kc, 0, 11, 1, 0);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 5000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(err, KERR_OFFSET_OUT_OF_RANGE);
    kclient_close(kc);
}

static void
test_produce_errors_leave_the_log_unchanged(void)
{
    kclient_t *kc = connect_broker();
    int64_t base = -1, end;
    int16_t err;

    CU_ASSERT_EQUAL(produce(kc, 1, 2, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_NONE);
    end = base + 2;
    CU_ASSERT_EQUAL(produce(kc, 1, 2, BATCH_CODEC_NONE, 1, true, &base),
                    KERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(produce(kc, 7, 2, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_UNKNOWN_TOPIC_OR_PARTITION);
    CU_ASSERT_EQUAL(produce(kc, 1, 2, BATCH_CODEC_NONE, 2, false, &base),
                    KERR_INVALID_REQUIRED_ACKS);
    err = produce(kc, 1, 1, BATCH_CODEC_NONE, 1, false, &base);
    CU_ASSERT_EQUAL(err, KERR_NONE);
    CU_ASSERT_EQUAL(base, end);
    kclient_close(kc);
}

static void
test_acks_zero_gets_no_response_and_order_is_kept(void)
{
    kclient_t *kc = connect_broker();
    int64_t base = -1, first = -1;

    CU_ASSERT_EQUAL(produce(kc, 1, 1, BATCH_CODEC_NONE, 1, false, &first),
                    KERR_NONE);
    CU_ASSERT_EQUAL(produce(kc, 1, 4, BATCH_CODEC_NONE, 0, false, &base),
                    KERR_NONE);
    /* the next answer on the wire is this request's, offsets after 4 */
    CU_ASSERT_EQUAL(produce(kc, 1, 1, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_NONE);
    CU_ASSERT_EQUAL(base, first + 5);
    kclient_close(kc);
}

static void
test_parked_fetch_is_woken_by_a_produce(void)
{
    kclient_t *consumer = connect_broker(), *producer = connect_broker();
    int64_t base = -1, hw, first, end;
    int16_t err;
    int n;

    CU_ASSERT_EQUAL(produce(producer, 0, 1, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_NONE);
    end = base + 1;
    /* nothing at the log end: parks for up to 60 s */
    fetch_send(consumer, 0, end, 1, 60000);
    {
        buf_t frame = BUF_INIT;
        CU_ASSERT_EQUAL(kclient_recv(consumer, &frame, 300), ERR_AGAIN);
        buf_fini(&frame);
    }
    CU_ASSERT_EQUAL(produce(producer, 0, 2, BATCH_CODEC_GZIP, 1, false, &base),
                    KERR_NONE);
    /* answered by the wake-up, far before max_wait */
    CU_ASSERT_EQUAL_FATAL(fetch_recv(consumer, 10000, &err, &hw, &first, &n),
                          0);
    CU_ASSERT_EQUAL(err, KERR_NONE);
    CU_ASSERT_EQUAL(first, end);
    CU_ASSERT_EQUAL(n, 2);
    kclient_close(consumer);
    kclient_close(producer);
}

static void
test_fetch_wait_expires_with_an_empty_answer(void)
{
    kclient_t *kc = connect_broker();
    int64_t hw, first;
    int16_t err;
    int n;

    fetch_send(kc, 1, 0, 1 << 30, 200);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 10000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(err, KERR_NONE);
    CU_ASSERT(n > 0); /* what there is, once max_wait_ms has passed */
    kclient_close(kc);
}

/* ListOffsets v5 for TOPIC partition 0 at each of @ts; fills @out */
static void
list_offsets(kclient_t *kc, const int64_t *ts, int n,
             listoffsets_resp_partition_t *out)
{
    listoffsets_req_partition_t rp[4];
    listoffsets_req_topic_t rt = {0};
    listoffsets_req_t r = {0};
    listoffsets_resp_t resp;
    buf_t frame = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    for (int i = 0; i < n; i++)
        rp[i] = (listoffsets_req_partition_t){.partition_index = 0,
                                              .current_leader_epoch = -1,
                                              .timestamp = ts[i],
                                              .max_num_offsets = 1};
    rt.name = (kstr_t){TOPIC, (int32_t)strlen(TOPIC)};
    rt.npartitions = n;
    rt.partitions = rp;
    r.replica_id = -1;
    r.ntopics = 1;
    r.topics = &rt;
    arena_init(&ar);
    req_begin(&kw, API_LIST_OFFSETS, 5);
    p_listoffsets_req_encode(&kw, 5, &r);
    req_send(kc, &kw);
    CU_ASSERT_EQUAL_FATAL(resp_recv(kc, &frame, &kr, API_LIST_OFFSETS, 5, 5000),
                          0);
    CU_ASSERT_EQUAL_FATAL(p_listoffsets_resp_decode(&kr, 5, &ar, &resp), 0);
    CU_ASSERT_EQUAL_FATAL(resp.topics[0].npartitions, n);
    memcpy(out, resp.topics[0].partitions, n * sizeof(*out));
    arena_fini(&ar);
    buf_fini(&frame);
}

static void
test_list_offsets_earliest_latest_and_by_time(void)
{
    kclient_t *kc = connect_broker();
    listoffsets_resp_partition_t p[2];
    int64_t earliest = -2, latest = -1, by_time = 1700000000001LL;

    list_offsets(kc, &earliest, 1, p);
    CU_ASSERT_EQUAL(p[0].error_code, KERR_NONE);
    CU_ASSERT_EQUAL(p[0].offset, 0);
    list_offsets(kc, &latest, 1, p);
    CU_ASSERT(p[0].offset >= 10);
    /* the first record stamped at or after the time: in the first batch */
    list_offsets(kc, &by_time, 1, p);
    CU_ASSERT_EQUAL(p[0].error_code, KERR_NONE);
    CU_ASSERT(p[0].offset >= 0 && p[0].offset <= 1);
    CU_ASSERT(p[0].timestamp >= by_time);
    /* the same partition twice in one request: INVALID_REQUEST for both */
    {
        int64_t both[2] = {-2, -1};

        list_offsets(kc, both, 2, p);
        CU_ASSERT_EQUAL(p[0].error_code, KERR_INVALID_REQUEST);
        CU_ASSERT_EQUAL(p[1].error_code, KERR_INVALID_REQUEST);
    }
    kclient_close(kc);
}

static void
test_metadata_lists_topics_and_refuses_unknown_ones(void)
{
    kclient_t *kc = connect_broker();
    metadata_req_topic_t topics[2] = {{.name = {TOPIC, (int32_t)strlen(TOPIC)}},
                                      {.name = {"nope", 4}}};
    metadata_req_t r = {
        .ntopics = 2, .topics = topics, .allow_auto_topic_creation = true};
    metadata_resp_t resp;
    buf_t frame = BUF_INIT;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;

    arena_init(&ar);
    req_begin(&kw, API_METADATA, 9);
    p_metadata_req_encode(&kw, 9, &r);
    req_send(kc, &kw);
    CU_ASSERT_EQUAL_FATAL(resp_recv(kc, &frame, &kr, API_METADATA, 9, 5000), 0);
    CU_ASSERT_EQUAL_FATAL(p_metadata_resp_decode(&kr, 9, &ar, &resp), 0);
    CU_ASSERT_EQUAL(resp.controller_id, BROKER_ID);
    CU_ASSERT_EQUAL(resp.nbrokers, 1);
    CU_ASSERT_EQUAL(resp.brokers[0].port, net_port(net));
    CU_ASSERT_EQUAL_FATAL(resp.ntopics, 2);
    CU_ASSERT_EQUAL(resp.topics[0].error_code, KERR_NONE);
    CU_ASSERT_EQUAL(resp.topics[0].npartitions, 2);
    CU_ASSERT_EQUAL(resp.topics[0].partitions[1].leader_id, BROKER_ID);
    /* auto.create.topics.enable=false on this broker */
    CU_ASSERT_EQUAL(resp.topics[1].error_code, KERR_UNKNOWN_TOPIC_OR_PARTITION);
    arena_fini(&ar);
    buf_fini(&frame);
    kclient_close(kc);
}

static void
test_unknown_api_key_closes_only_that_connection(void)
{
    kclient_t *bad = connect_broker(), *good = connect_broker();
    buf_t frame = BUF_INIT;
    kwrite_t kw;
    int64_t base;

    req_begin(&kw, 999, 0);
    req_send(bad, &kw);
    CU_ASSERT_EQUAL(kclient_recv(bad, &frame, 5000), ERR_IO);
    CU_ASSERT_EQUAL(produce(good, 1, 1, BATCH_CODEC_NONE, 1, false, &base),
                    KERR_NONE);
    buf_fini(&frame);
    kclient_close(bad);
    kclient_close(good);
}

static void
test_log_append_time_topics_get_the_brokers_timestamp(void)
{
    kclient_t *kc = connect_broker();
    int64_t base = -1, append_time = -1, before = clock_wall_ms();
    int64_t hw, first;
    int16_t err;
    int n;

    CU_ASSERT_EQUAL(produce_to(kc, STAMPED, 0, 3, BATCH_CODEC_NONE, 1, false,
                               &base, &append_time),
                    KERR_NONE);
    CU_ASSERT(append_time >= before);
    fetch_send_to(kc, STAMPED, 0, 0, 1, 0);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 5000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(n, 3); /* the batch still validates: CRC recomputed */
    CU_ASSERT(fetched_first.attributes & BATCH_ATTR_TIMESTAMP_LOG_APPEND);
    CU_ASSERT_EQUAL(fetched_first.max_timestamp, append_time);
    /* a CreateTime topic keeps the producer's timestamps */
    CU_ASSERT_EQUAL(produce_to(kc, TOPIC, 1, 1, BATCH_CODEC_NONE, 1, false,
                               &base, &append_time),
                    KERR_NONE);
    CU_ASSERT_EQUAL(append_time, -1);
    kclient_close(kc);
}

static void
test_quiesce_answers_parked_requests(void)
{
    kclient_t *kc = connect_broker();
    buf_t frame = BUF_INIT;
    int64_t hw, first;
    int16_t err;
    int n;

    /* more than the partition holds, for a minute */
    fetch_send(kc, 1, 0, 1 << 30, 60000);
    CU_ASSERT_EQUAL(kclient_recv(kc, &frame, 300), ERR_AGAIN);
    broker_quiesce(b, 2000);
    CU_ASSERT_EQUAL_FATAL(fetch_recv(kc, 5000, &err, &hw, &first, &n), 0);
    CU_ASSERT_EQUAL(err, KERR_NONE);
    CU_ASSERT(n > 0);
    buf_fini(&frame);
    kclient_close(kc);
}

void
suite_broker(void)
{
    CU_pSuite s = CU_add_suite("broker", broker_setup, broker_teardown);

    UNIT_TEST(s,
              test_api_versions_is_the_dispatch_table_in_flexible_and_v0_form);
    UNIT_TEST(s, test_produce_assigns_offsets_and_fetch_returns_the_records);
    UNIT_TEST(s, test_produce_errors_leave_the_log_unchanged);
    UNIT_TEST(s, test_acks_zero_gets_no_response_and_order_is_kept);
    UNIT_TEST(s, test_parked_fetch_is_woken_by_a_produce);
    UNIT_TEST(s, test_fetch_wait_expires_with_an_empty_answer);
    UNIT_TEST(s, test_list_offsets_earliest_latest_and_by_time);
    UNIT_TEST(s, test_metadata_lists_topics_and_refuses_unknown_ones);
    UNIT_TEST(s, test_unknown_api_key_closes_only_that_connection);
    UNIT_TEST(s, test_log_append_time_topics_get_the_brokers_timestamp);
    UNIT_TEST(s, test_quiesce_answers_parked_requests);
}
