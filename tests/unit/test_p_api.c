/*
 * test_p_api.c: the per-family codecs (p_<family>.c) and the API table
 * (kapi.c).
 *
 * For every API and every served version, a request and a response with
 * non-default values round-trip (encode, decode, compare field by field,
 * re-encode to the same bytes); fields the version lacks come back as
 * their defaults. Every strict prefix of every encoding fails with
 * ERR_PROTO; huge array counts fail before anything is allocated. Byte
 * vectors captured from kcat (librdkafka 2.0.2) and kafka-python 2.0.2
 * decode to what those clients meant.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/khdr.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_apiversions.h"
#include "samsa/p_createpartitions.h"
#include "samsa/p_createtopics.h"
#include "samsa/p_deletetopics.h"
#include "samsa/p_describecluster.h"
#include "samsa/p_describeconfigs.h"
#include "samsa/p_fetch.h"
#include "samsa/p_listoffsets.h"
#include "samsa/p_metadata.h"
#include "samsa/p_produce.h"
#include "codec_util.h"
#include "unit.h"

/* ---- helpers ---- */

static kstr_t
S(const char *s)
{
    kstr_t k = {s, (int32_t)strlen(s)};
    return k;
}

static const kstr_t SNULL = {NULL, -1};
static const kstr_t SEMPTY = {"", 0};

static bool
str_same(kstr_t a, kstr_t b)
{
    if (a.len != b.len)
        return false;
    return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

static bool
bytes_same(kbytes_t a, kbytes_t b)
{
    if (a.len != b.len)
        return false;
    return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

#define CHECK_STR(a, b) CU_ASSERT(str_same((a), (b)))

static kbytes_t
B(const void *p, int32_t len)
{
    kbytes_t b = {p, len};
    return b;
}

static const uint8_t UUID1[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                  9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t UUID2[16] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5,
                                  0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b,
                                  0x3c, 0x2d, 0x1e, 0x0f};
static const uint8_t UUID0[16];

static bool
uuid_expect(int16_t v, int16_t since, const uint8_t got[16],
            const uint8_t orig[16])
{
    return memcmp(got, v >= since ? orig : UUID0, 16) == 0;
}

static const uint8_t RECORDS[] = "\x00\x00\x00\x00\x00\x00\x00\x00"
                                 "\x00\x00\x00\x20\xff\xff\xff\xff"
                                 "\x02record-batch-bytes";

static int32_t *
i32s(arena_t *ar, int n, ...)
{
    int32_t *v = arena_calloc(ar, (size_t)n, sizeof(*v));
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        v[i] = va_arg(ap, int32_t);
    va_end(ap);
    return v;
}

static bool
i32s_same(const int32_t *a, int32_t na, const int32_t *b, int32_t nb)
{
    if (na != nb)
        return false;
    return na <= 0 || memcmp(a, b, (size_t)na * sizeof(*a)) == 0;
}

/* ---- a codec under test, with its fill and check functions ---- */

/* ---- ApiVersions ---- */

CODEC_WRAP(apiversions, req, apiversions_req_t)
CODEC_WRAP(apiversions, resp, apiversions_resp_t)

static void
fill_apiversions_req(arena_t *ar, void *m)
{
    apiversions_req_t *req = m;

    req->client_software_name = S("samsa-test");
    req->client_software_version = S("1.0.0");
}

static void
check_apiversions_req(int16_t v, const void *o_, const void *g_)
{
    const apiversions_req_t *o = o_, *g = g_;

    CHECK_STR(g->client_software_name,
              v >= 3 ? o->client_software_name : SEMPTY);
    CHECK_STR(g->client_software_version,
              v >= 3 ? o->client_software_version : SEMPTY);
}

static void
fill_apiversions_resp(arena_t *ar, void *m)
{
    apiversions_resp_t *resp = m;

    resp->error_code = 35;
    resp->napi_keys = 3;
    resp->api_keys = arena_calloc(ar, 3, sizeof(*resp->api_keys));
    for (int i = 0; i < 3; i++) {
        resp->api_keys[i].api_key = (int16_t)(i * 9);
        resp->api_keys[i].min_version = (int16_t)i;
        resp->api_keys[i].max_version = (int16_t)(i + 7);
    }
    resp->throttle_time_ms = 100;
}

static void
check_apiversions_resp(int16_t v, const void *o_, const void *g_)
{
    const apiversions_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL_FATAL(g->napi_keys, o->napi_keys);
    for (int i = 0; i < o->napi_keys; i++) {
        CU_ASSERT_EQUAL(g->api_keys[i].api_key, o->api_keys[i].api_key);
        CU_ASSERT_EQUAL(g->api_keys[i].min_version, o->api_keys[i].min_version);
        CU_ASSERT_EQUAL(g->api_keys[i].max_version, o->api_keys[i].max_version);
    }
    CU_ASSERT_EQUAL(g->throttle_time_ms, v >= 1 ? o->throttle_time_ms : 0);
}

/* ---- Metadata ---- */

CODEC_WRAP(metadata, req, metadata_req_t)
CODEC_WRAP(metadata, resp, metadata_resp_t)

static void
fill_metadata_req(arena_t *ar, void *m)
{
    metadata_req_t *req = m;

    req->ntopics = 2;
    req->topics = arena_calloc(ar, 2, sizeof(*req->topics));
    memcpy(req->topics[0].topic_id, UUID1, 16);
    req->topics[0].name = S("alpha");
    memcpy(req->topics[1].topic_id, UUID2, 16);
    req->topics[1].name = S("beta-topic");
    req->allow_auto_topic_creation = false;
    req->include_cluster_authorized_operations = true;
    req->include_topic_authorized_operations = true;
}

static void
check_metadata_req(int16_t v, const void *o_, const void *g_)
{
    const metadata_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        CU_ASSERT(
            uuid_expect(v, 10, g->topics[i].topic_id, o->topics[i].topic_id));
        CHECK_STR(g->topics[i].name, o->topics[i].name);
    }
    CU_ASSERT_EQUAL(g->allow_auto_topic_creation,
                    v >= 4 ? o->allow_auto_topic_creation : true);
    CU_ASSERT_EQUAL(
        g->include_cluster_authorized_operations,
        (v >= 8 && v <= 10) ? o->include_cluster_authorized_operations : false);
    CU_ASSERT_EQUAL(g->include_topic_authorized_operations,
                    v >= 8 ? o->include_topic_authorized_operations : false);
}

static void
fill_metadata_resp(arena_t *ar, void *m)
{
    metadata_resp_t *resp = m;
    metadata_resp_topic_t *t;

    resp->throttle_time_ms = 7;
    resp->nbrokers = 2;
    resp->brokers = arena_calloc(ar, 2, sizeof(*resp->brokers));
    resp->brokers[0].node_id = 1;
    resp->brokers[0].host = S("broker-1.example");
    resp->brokers[0].port = 9092;
    resp->brokers[0].rack = S("rack-a");
    resp->brokers[1].node_id = 2;
    resp->brokers[1].host = S("broker-2.example");
    resp->brokers[1].port = 9093;
    resp->brokers[1].rack = SNULL;
    resp->cluster_id = S("cluster-xyz");
    resp->controller_id = 2;
    resp->ntopics = 2;
    resp->topics = arena_calloc(ar, 2, sizeof(*resp->topics));
    t = &resp->topics[0];
    t->error_code = 0;
    t->name = S("orders");
    memcpy(t->topic_id, UUID1, 16);
    t->is_internal = true;
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    t->partitions[0].error_code = 9;
    t->partitions[0].partition_index = 0;
    t->partitions[0].leader_id = 1;
    t->partitions[0].leader_epoch = 5;
    t->partitions[0].nreplica_nodes = 2;
    t->partitions[0].replica_nodes = i32s(ar, 2, 1, 2);
    t->partitions[0].nisr_nodes = 1;
    t->partitions[0].isr_nodes = i32s(ar, 1, 1);
    t->partitions[0].noffline_replicas = 1;
    t->partitions[0].offline_replicas = i32s(ar, 1, 2);
    t->partitions[1].partition_index = 1;
    t->partitions[1].leader_id = 2;
    t->partitions[1].leader_epoch = 6;
    t->partitions[1].nreplica_nodes = 3;
    t->partitions[1].replica_nodes = i32s(ar, 3, 2, 1, 3);
    t->partitions[1].nisr_nodes = 2;
    t->partitions[1].isr_nodes = i32s(ar, 2, 2, 1);
    t->topic_authorized_operations = 0x0ff8;
    t = &resp->topics[1];
    t->error_code = 3;
    t->name = S("missing");
    t->topic_authorized_operations = 0;
    resp->cluster_authorized_operations = 0x1234;
}

static void
check_metadata_resp(int16_t v, const void *o_, const void *g_)
{
    const metadata_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, v >= 3 ? o->throttle_time_ms : 0);
    CU_ASSERT_EQUAL_FATAL(g->nbrokers, o->nbrokers);
    for (int i = 0; i < o->nbrokers; i++) {
        const metadata_resp_broker_t *ob = &o->brokers[i], *gb = &g->brokers[i];

        CU_ASSERT_EQUAL(gb->node_id, ob->node_id);
        CHECK_STR(gb->host, ob->host);
        CU_ASSERT_EQUAL(gb->port, ob->port);
        CHECK_STR(gb->rack, v >= 1 ? ob->rack : SNULL);
    }
    CHECK_STR(g->cluster_id, v >= 2 ? o->cluster_id : SNULL);
    CU_ASSERT_EQUAL(g->controller_id, v >= 1 ? o->controller_id : -1);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const metadata_resp_topic_t *ot = &o->topics[i], *gt = &g->topics[i];

        CU_ASSERT_EQUAL(gt->error_code, ot->error_code);
        CHECK_STR(gt->name, ot->name);
        CU_ASSERT(uuid_expect(v, 10, gt->topic_id, ot->topic_id));
        CU_ASSERT_EQUAL(gt->is_internal, v >= 1 ? ot->is_internal : false);
        CU_ASSERT_EQUAL(gt->topic_authorized_operations,
                        v >= 8 ? ot->topic_authorized_operations : INT32_MIN);
        CU_ASSERT_EQUAL_FATAL(gt->npartitions, ot->npartitions);
        for (int j = 0; j < ot->npartitions; j++) {
            const metadata_resp_partition_t *op = &ot->partitions[j];
            const metadata_resp_partition_t *gp = &gt->partitions[j];

            CU_ASSERT_EQUAL(gp->error_code, op->error_code);
            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->leader_id, op->leader_id);
            CU_ASSERT_EQUAL(gp->leader_epoch, v >= 7 ? op->leader_epoch : -1);
            CU_ASSERT(i32s_same(gp->replica_nodes, gp->nreplica_nodes,
                                op->replica_nodes, op->nreplica_nodes));
            CU_ASSERT(i32s_same(gp->isr_nodes, gp->nisr_nodes, op->isr_nodes,
                                op->nisr_nodes));
            if (v >= 5) {
                CU_ASSERT(i32s_same(gp->offline_replicas, gp->noffline_replicas,
                                    op->offline_replicas,
                                    op->noffline_replicas));
            } else {
                CU_ASSERT_EQUAL(gp->noffline_replicas, 0);
            }
        }
    }
    CU_ASSERT_EQUAL(g->cluster_authorized_operations,
                    (v >= 8 && v <= 10) ? o->cluster_authorized_operations
                                        : INT32_MIN);
}

/* ---- Produce ---- */

CODEC_WRAP(produce, req, produce_req_t)
CODEC_WRAP(produce, resp, produce_resp_t)

static void
fill_produce_req(arena_t *ar, void *m)
{
    produce_req_t *req = m;
    produce_req_topic_t *t;

    req->transactional_id = S("txn-1");
    req->acks = -1;
    req->timeout_ms = 30000;
    req->ntopic_data = 2;
    req->topic_data = arena_calloc(ar, 2, sizeof(*req->topic_data));
    t = &req->topic_data[0];
    t->name = S("a");
    t->npartition_data = 2;
    t->partition_data = arena_calloc(ar, 2, sizeof(*t->partition_data));
    t->partition_data[0].index = 0;
    t->partition_data[0].records = B(RECORDS, sizeof(RECORDS) - 1);
    t->partition_data[1].index = 1;
    t->partition_data[1].records = B(NULL, -1);
    t = &req->topic_data[1];
    t->name = S("b");
    t->npartition_data = 1;
    t->partition_data = arena_calloc(ar, 1, sizeof(*t->partition_data));
    t->partition_data[0].index = 3;
    t->partition_data[0].records = B(RECORDS, 0);
}

static void
check_produce_req(int16_t v, const void *o_, const void *g_)
{
    const produce_req_t *o = o_, *g = g_;

    CHECK_STR(g->transactional_id, o->transactional_id);
    CU_ASSERT_EQUAL(g->acks, o->acks);
    CU_ASSERT_EQUAL(g->timeout_ms, o->timeout_ms);
    CU_ASSERT_EQUAL_FATAL(g->ntopic_data, o->ntopic_data);
    for (int i = 0; i < o->ntopic_data; i++) {
        const produce_req_topic_t *ot = &o->topic_data[i];
        const produce_req_topic_t *gt = &g->topic_data[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL_FATAL(gt->npartition_data, ot->npartition_data);
        for (int j = 0; j < ot->npartition_data; j++) {
            CU_ASSERT_EQUAL(gt->partition_data[j].index,
                            ot->partition_data[j].index);
            CU_ASSERT(bytes_same(gt->partition_data[j].records,
                                 ot->partition_data[j].records));
        }
    }
}

static void
fill_produce_resp(arena_t *ar, void *m)
{
    produce_resp_t *resp = m;
    produce_resp_topic_t *t;
    produce_resp_partition_t *p;

    resp->nresponses = 1;
    resp->responses = arena_calloc(ar, 1, sizeof(*resp->responses));
    t = &resp->responses[0];
    t->name = S("a");
    t->npartition_responses = 2;
    t->partition_responses =
        arena_calloc(ar, 2, sizeof(*t->partition_responses));
    p = &t->partition_responses[0];
    p->index = 0;
    p->error_code = 0;
    p->base_offset = 100;
    p->log_append_time_ms = 1234567;
    p->log_start_offset = 5;
    p->nrecord_errors = 2;
    p->record_errors = arena_calloc(ar, 2, sizeof(*p->record_errors));
    p->record_errors[0].batch_index = 1;
    p->record_errors[0].batch_index_error_message = S("bad record");
    p->record_errors[1].batch_index = 2;
    p->record_errors[1].batch_index_error_message = SNULL;
    p->error_message = S("boom");
    p = &t->partition_responses[1];
    p->index = 1;
    p->error_code = 6;
    p->base_offset = -1;
    p->log_append_time_ms = -1;
    p->log_start_offset = 0;
    p->error_message = SNULL;
    resp->throttle_time_ms = 10;
}

static void
check_produce_resp(int16_t v, const void *o_, const void *g_)
{
    const produce_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL_FATAL(g->nresponses, o->nresponses);
    for (int i = 0; i < o->nresponses; i++) {
        const produce_resp_topic_t *ot = &o->responses[i];
        const produce_resp_topic_t *gt = &g->responses[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL_FATAL(gt->npartition_responses,
                              ot->npartition_responses);
        for (int j = 0; j < ot->npartition_responses; j++) {
            const produce_resp_partition_t *op = &ot->partition_responses[j];
            const produce_resp_partition_t *gp = &gt->partition_responses[j];

            CU_ASSERT_EQUAL(gp->index, op->index);
            CU_ASSERT_EQUAL(gp->error_code, op->error_code);
            CU_ASSERT_EQUAL(gp->base_offset, op->base_offset);
            CU_ASSERT_EQUAL(gp->log_append_time_ms, op->log_append_time_ms);
            CU_ASSERT_EQUAL(gp->log_start_offset,
                            v >= 5 ? op->log_start_offset : -1);
            CU_ASSERT_EQUAL_FATAL(gp->nrecord_errors,
                                  v >= 8 ? op->nrecord_errors : 0);
            for (int k = 0; k < gp->nrecord_errors; k++) {
                CU_ASSERT_EQUAL(gp->record_errors[k].batch_index,
                                op->record_errors[k].batch_index);
                CHECK_STR(gp->record_errors[k].batch_index_error_message,
                          op->record_errors[k].batch_index_error_message);
            }
            CHECK_STR(gp->error_message, v >= 8 ? op->error_message : SNULL);
        }
    }
}

/* ---- Fetch ---- */

CODEC_WRAP(fetch, req, fetch_req_t)
CODEC_WRAP(fetch, resp, fetch_resp_t)

static void
fill_fetch_req(arena_t *ar, void *m)
{
    fetch_req_t *req = m;
    fetch_req_topic_t *t;

    req->cluster_id = S("cluster-xyz");
    req->replica_id = -1;
    req->max_wait_ms = 500;
    req->min_bytes = 1;
    req->max_bytes = 1 << 20;
    req->isolation_level = 1;
    req->session_id = 77;
    req->session_epoch = 3;
    req->ntopics = 1;
    req->topics = arena_calloc(ar, 1, sizeof(*req->topics));
    t = &req->topics[0];
    t->topic = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    for (int j = 0; j < 2; j++) {
        t->partitions[j].partition = j;
        t->partitions[j].current_leader_epoch = 4 + j;
        t->partitions[j].fetch_offset = 100 + j;
        t->partitions[j].last_fetched_epoch = 3;
        t->partitions[j].log_start_offset = 7;
        t->partitions[j].partition_max_bytes = 1000 * (j + 1);
    }
    req->nforgotten_topics_data = 1;
    req->forgotten_topics_data =
        arena_calloc(ar, 1, sizeof(*req->forgotten_topics_data));
    req->forgotten_topics_data[0].topic = S("old");
    req->forgotten_topics_data[0].npartitions = 3;
    req->forgotten_topics_data[0].partitions = i32s(ar, 3, 0, 1, 2);
    req->rack_id = S("rack-a");
}

static void
check_fetch_req(int16_t v, const void *o_, const void *g_)
{
    const fetch_req_t *o = o_, *g = g_;

    CHECK_STR(g->cluster_id, v >= 12 ? o->cluster_id : SNULL);
    CU_ASSERT_EQUAL(g->replica_id, o->replica_id);
    CU_ASSERT_EQUAL(g->max_wait_ms, o->max_wait_ms);
    CU_ASSERT_EQUAL(g->min_bytes, o->min_bytes);
    CU_ASSERT_EQUAL(g->max_bytes, o->max_bytes);
    CU_ASSERT_EQUAL(g->isolation_level, o->isolation_level);
    CU_ASSERT_EQUAL(g->session_id, v >= 7 ? o->session_id : 0);
    CU_ASSERT_EQUAL(g->session_epoch, v >= 7 ? o->session_epoch : -1);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const fetch_req_topic_t *ot = &o->topics[i], *gt = &g->topics[i];

        CHECK_STR(gt->topic, ot->topic);
        CU_ASSERT_EQUAL_FATAL(gt->npartitions, ot->npartitions);
        for (int j = 0; j < ot->npartitions; j++) {
            const fetch_req_partition_t *op = &ot->partitions[j];
            const fetch_req_partition_t *gp = &gt->partitions[j];

            CU_ASSERT_EQUAL(gp->partition, op->partition);
            CU_ASSERT_EQUAL(gp->current_leader_epoch,
                            v >= 9 ? op->current_leader_epoch : -1);
            CU_ASSERT_EQUAL(gp->fetch_offset, op->fetch_offset);
            CU_ASSERT_EQUAL(gp->last_fetched_epoch,
                            v >= 12 ? op->last_fetched_epoch : -1);
            CU_ASSERT_EQUAL(gp->log_start_offset,
                            v >= 5 ? op->log_start_offset : -1);
            CU_ASSERT_EQUAL(gp->partition_max_bytes, op->partition_max_bytes);
        }
    }
    CU_ASSERT_EQUAL_FATAL(g->nforgotten_topics_data,
                          v >= 7 ? o->nforgotten_topics_data : 0);
    for (int i = 0; i < g->nforgotten_topics_data; i++) {
        const fetch_req_forgotten_t *of = &o->forgotten_topics_data[i];
        const fetch_req_forgotten_t *gf = &g->forgotten_topics_data[i];

        CHECK_STR(gf->topic, of->topic);
        CU_ASSERT(i32s_same(gf->partitions, gf->npartitions, of->partitions,
                            of->npartitions));
    }
    CHECK_STR(g->rack_id, v >= 11 ? o->rack_id : SEMPTY);
}

static void
fill_fetch_resp(arena_t *ar, void *m)
{
    fetch_resp_t *resp = m;
    fetch_resp_topic_t *t;
    fetch_resp_partition_t *p;

    resp->throttle_time_ms = 5;
    resp->error_code = 15;
    resp->session_id = 99;
    resp->nresponses = 1;
    resp->responses = arena_calloc(ar, 1, sizeof(*resp->responses));
    t = &resp->responses[0];
    t->topic = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    p = &t->partitions[0];
    p_fetch_resp_partition_init(p);
    p->partition_index = 0;
    p->high_watermark = 200;
    p->last_stable_offset = 190;
    p->log_start_offset = 10;
    p->diverging_epoch.epoch = 2;
    p->diverging_epoch.end_offset = 150;
    p->current_leader.leader_id = 1;
    p->current_leader.leader_epoch = 6;
    p->snapshot_id.end_offset = 140;
    p->snapshot_id.epoch = 1;
    p->naborted_transactions = 2;
    p->aborted_transactions =
        arena_calloc(ar, 2, sizeof(*p->aborted_transactions));
    p->aborted_transactions[0].producer_id = 1000;
    p->aborted_transactions[0].first_offset = 50;
    p->aborted_transactions[1].producer_id = 1001;
    p->aborted_transactions[1].first_offset = 60;
    p->preferred_read_replica = 2;
    p->records = B(RECORDS, sizeof(RECORDS) - 1);
    p = &t->partitions[1];
    p_fetch_resp_partition_init(p);
    p->partition_index = 1;
    p->error_code = 1;
    p->high_watermark = -1;
    p->current_leader.leader_epoch = 9; /* only one member non-default */
}

static void
check_fetch_resp(int16_t v, const void *o_, const void *g_)
{
    const fetch_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL(g->error_code, v >= 7 ? o->error_code : 0);
    CU_ASSERT_EQUAL(g->session_id, v >= 7 ? o->session_id : 0);
    CU_ASSERT_EQUAL_FATAL(g->nresponses, o->nresponses);
    for (int i = 0; i < o->nresponses; i++) {
        const fetch_resp_topic_t *ot = &o->responses[i];
        const fetch_resp_topic_t *gt = &g->responses[i];

        CHECK_STR(gt->topic, ot->topic);
        CU_ASSERT_EQUAL_FATAL(gt->npartitions, ot->npartitions);
        for (int j = 0; j < ot->npartitions; j++) {
            const fetch_resp_partition_t *op = &ot->partitions[j];
            const fetch_resp_partition_t *gp = &gt->partitions[j];
            bool tags = v >= 12;

            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->error_code, op->error_code);
            CU_ASSERT_EQUAL(gp->high_watermark, op->high_watermark);
            CU_ASSERT_EQUAL(gp->last_stable_offset, op->last_stable_offset);
            CU_ASSERT_EQUAL(gp->log_start_offset,
                            v >= 5 ? op->log_start_offset : -1);
            CU_ASSERT_EQUAL(gp->diverging_epoch.epoch,
                            tags ? op->diverging_epoch.epoch : -1);
            CU_ASSERT_EQUAL(gp->diverging_epoch.end_offset,
                            tags ? op->diverging_epoch.end_offset : -1);
            CU_ASSERT_EQUAL(gp->current_leader.leader_id,
                            tags ? op->current_leader.leader_id : -1);
            CU_ASSERT_EQUAL(gp->current_leader.leader_epoch,
                            tags ? op->current_leader.leader_epoch : -1);
            CU_ASSERT_EQUAL(gp->snapshot_id.end_offset,
                            tags ? op->snapshot_id.end_offset : -1);
            CU_ASSERT_EQUAL(gp->snapshot_id.epoch,
                            tags ? op->snapshot_id.epoch : -1);
            CU_ASSERT_EQUAL_FATAL(gp->naborted_transactions,
                                  op->naborted_transactions);
            for (int k = 0; k < op->naborted_transactions; k++) {
                CU_ASSERT_EQUAL(gp->aborted_transactions[k].producer_id,
                                op->aborted_transactions[k].producer_id);
                CU_ASSERT_EQUAL(gp->aborted_transactions[k].first_offset,
                                op->aborted_transactions[k].first_offset);
            }
            CU_ASSERT_EQUAL(gp->preferred_read_replica,
                            v >= 11 ? op->preferred_read_replica : -1);
            CU_ASSERT(bytes_same(gp->records, op->records));
            CU_ASSERT_EQUAL(gp->records_file.fd, -1);
        }
    }
}

/* ---- ListOffsets ---- */

CODEC_WRAP(listoffsets, req, listoffsets_req_t)
CODEC_WRAP(listoffsets, resp, listoffsets_resp_t)

static void
fill_listoffsets_req(arena_t *ar, void *m)
{
    listoffsets_req_t *req = m;
    listoffsets_req_topic_t *t;

    req->replica_id = -1;
    req->isolation_level = 1;
    req->ntopics = 1;
    req->topics = arena_calloc(ar, 1, sizeof(*req->topics));
    t = &req->topics[0];
    t->name = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    t->partitions[0].partition_index = 0;
    t->partitions[0].current_leader_epoch = 3;
    t->partitions[0].timestamp = -1;
    t->partitions[0].max_num_offsets = 5;
    t->partitions[1].partition_index = 1;
    t->partitions[1].current_leader_epoch = 4;
    t->partitions[1].timestamp = 1600000000000LL;
    t->partitions[1].max_num_offsets = 2;
}

static void
check_listoffsets_req(int16_t v, const void *o_, const void *g_)
{
    const listoffsets_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->replica_id, o->replica_id);
    CU_ASSERT_EQUAL(g->isolation_level, v >= 2 ? o->isolation_level : 0);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const listoffsets_req_topic_t *ot = &o->topics[i];
        const listoffsets_req_topic_t *gt = &g->topics[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL_FATAL(gt->npartitions, ot->npartitions);
        for (int j = 0; j < ot->npartitions; j++) {
            const listoffsets_req_partition_t *op = &ot->partitions[j];
            const listoffsets_req_partition_t *gp = &gt->partitions[j];

            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->current_leader_epoch,
                            v >= 4 ? op->current_leader_epoch : -1);
            CU_ASSERT_EQUAL(gp->timestamp, op->timestamp);
            CU_ASSERT_EQUAL(gp->max_num_offsets,
                            v == 0 ? op->max_num_offsets : 1);
        }
    }
}

static void
fill_listoffsets_resp(arena_t *ar, void *m)
{
    listoffsets_resp_t *resp = m;
    listoffsets_resp_topic_t *t;

    resp->throttle_time_ms = 3;
    resp->ntopics = 1;
    resp->topics = arena_calloc(ar, 1, sizeof(*resp->topics));
    t = &resp->topics[0];
    t->name = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    t->partitions[0].partition_index = 0;
    t->partitions[0].nold_style_offsets = 2;
    t->partitions[0].old_style_offsets = arena_calloc(ar, 2, sizeof(int64_t));
    t->partitions[0].old_style_offsets[0] = 10;
    t->partitions[0].old_style_offsets[1] = 1LL << 40;
    t->partitions[0].timestamp = 1234;
    t->partitions[0].offset = 99;
    t->partitions[0].leader_epoch = 4;
    t->partitions[1].partition_index = 1;
    t->partitions[1].error_code = 3;
    t->partitions[1].timestamp = 5;
    t->partitions[1].offset = 6;
    t->partitions[1].leader_epoch = 7;
}

static void
check_listoffsets_resp(int16_t v, const void *o_, const void *g_)
{
    const listoffsets_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, v >= 2 ? o->throttle_time_ms : 0);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const listoffsets_resp_topic_t *ot = &o->topics[i];
        const listoffsets_resp_topic_t *gt = &g->topics[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL_FATAL(gt->npartitions, ot->npartitions);
        for (int j = 0; j < ot->npartitions; j++) {
            const listoffsets_resp_partition_t *op = &ot->partitions[j];
            const listoffsets_resp_partition_t *gp = &gt->partitions[j];

            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->error_code, op->error_code);
            CU_ASSERT_EQUAL_FATAL(gp->nold_style_offsets,
                                  v == 0 ? op->nold_style_offsets : 0);
            for (int k = 0; k < gp->nold_style_offsets; k++)
                CU_ASSERT_EQUAL(gp->old_style_offsets[k],
                                op->old_style_offsets[k]);
            CU_ASSERT_EQUAL(gp->timestamp, v >= 1 ? op->timestamp : -1);
            CU_ASSERT_EQUAL(gp->offset, v >= 1 ? op->offset : -1);
            CU_ASSERT_EQUAL(gp->leader_epoch, v >= 4 ? op->leader_epoch : -1);
        }
    }
}

/* ---- CreateTopics ---- */

CODEC_WRAP(createtopics, req, createtopics_req_t)
CODEC_WRAP(createtopics, resp, createtopics_resp_t)

static void
fill_createtopics_req(arena_t *ar, void *m)
{
    createtopics_req_t *req = m;
    createtopics_req_topic_t *t;

    req->ntopics = 2;
    req->topics = arena_calloc(ar, 2, sizeof(*req->topics));
    t = &req->topics[0];
    t->name = S("compacted");
    t->num_partitions = -1;
    t->replication_factor = -1;
    t->nassignments = 2;
    t->assignments = arena_calloc(ar, 2, sizeof(*t->assignments));
    t->assignments[0].partition_index = 0;
    t->assignments[0].nbroker_ids = 2;
    t->assignments[0].broker_ids = i32s(ar, 2, 1, 2);
    t->assignments[1].partition_index = 1;
    t->assignments[1].nbroker_ids = 2;
    t->assignments[1].broker_ids = i32s(ar, 2, 2, 3);
    t->nconfigs = 2;
    t->configs = arena_calloc(ar, 2, sizeof(*t->configs));
    t->configs[0].name = S("cleanup.policy");
    t->configs[0].value = S("compact");
    t->configs[1].name = S("retention.ms");
    t->configs[1].value = SNULL;
    t = &req->topics[1];
    t->name = S("plain");
    t->num_partitions = 3;
    t->replication_factor = 2;
    req->timeout_ms = 5000;
    req->validate_only = true;
}

static void
check_createtopics_req(int16_t v, const void *o_, const void *g_)
{
    const createtopics_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const createtopics_req_topic_t *ot = &o->topics[i];
        const createtopics_req_topic_t *gt = &g->topics[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL(gt->num_partitions, ot->num_partitions);
        CU_ASSERT_EQUAL(gt->replication_factor, ot->replication_factor);
        CU_ASSERT_EQUAL_FATAL(gt->nassignments, ot->nassignments);
        for (int j = 0; j < ot->nassignments; j++) {
            CU_ASSERT_EQUAL(gt->assignments[j].partition_index,
                            ot->assignments[j].partition_index);
            CU_ASSERT(i32s_same(
                gt->assignments[j].broker_ids, gt->assignments[j].nbroker_ids,
                ot->assignments[j].broker_ids, ot->assignments[j].nbroker_ids));
        }
        CU_ASSERT_EQUAL_FATAL(gt->nconfigs, ot->nconfigs);
        for (int j = 0; j < ot->nconfigs; j++) {
            CHECK_STR(gt->configs[j].name, ot->configs[j].name);
            CHECK_STR(gt->configs[j].value, ot->configs[j].value);
        }
    }
    CU_ASSERT_EQUAL(g->timeout_ms, o->timeout_ms);
    CU_ASSERT_EQUAL(g->validate_only, v >= 1 ? o->validate_only : false);
}

static void
fill_createtopics_resp(arena_t *ar, void *m)
{
    createtopics_resp_t *resp = m;
    createtopics_resp_topic_t *t;

    resp->throttle_time_ms = 8;
    resp->ntopics = 2;
    resp->topics = arena_calloc(ar, 2, sizeof(*resp->topics));
    t = &resp->topics[0];
    t->name = S("compacted");
    memcpy(t->topic_id, UUID1, 16);
    t->error_message = SNULL;
    t->topic_config_error_code = 5;
    t->num_partitions = 3;
    t->replication_factor = 2;
    t->nconfigs = 1;
    t->configs = arena_calloc(ar, 1, sizeof(*t->configs));
    t->configs[0].name = S("cleanup.policy");
    t->configs[0].value = S("compact");
    t->configs[0].read_only = true;
    t->configs[0].config_source = 5;
    t->configs[0].is_sensitive = false;
    t = &resp->topics[1];
    t->name = S("plain");
    memcpy(t->topic_id, UUID2, 16);
    t->error_code = 36;
    t->error_message = S("Topic 'plain' already exists.");
    t->num_partitions = -1;
    t->replication_factor = -1;
    t->nconfigs = -1;
}

static void
check_createtopics_resp(int16_t v, const void *o_, const void *g_)
{
    const createtopics_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, v >= 2 ? o->throttle_time_ms : 0);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const createtopics_resp_topic_t *ot = &o->topics[i];
        const createtopics_resp_topic_t *gt = &g->topics[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT(uuid_expect(v, 7, gt->topic_id, ot->topic_id));
        CU_ASSERT_EQUAL(gt->error_code, ot->error_code);
        CHECK_STR(gt->error_message, v >= 1 ? ot->error_message : SEMPTY);
        CU_ASSERT_EQUAL(gt->topic_config_error_code,
                        v >= 5 ? ot->topic_config_error_code : 0);
        CU_ASSERT_EQUAL(gt->num_partitions, v >= 5 ? ot->num_partitions : -1);
        CU_ASSERT_EQUAL(gt->replication_factor,
                        v >= 5 ? ot->replication_factor : -1);
        CU_ASSERT_EQUAL_FATAL(gt->nconfigs, v >= 5 ? ot->nconfigs : 0);
        for (int j = 0; j < gt->nconfigs; j++) {
            const createtopics_resp_config_t *oc = &ot->configs[j];
            const createtopics_resp_config_t *gc = &gt->configs[j];

            CHECK_STR(gc->name, oc->name);
            CHECK_STR(gc->value, oc->value);
            CU_ASSERT_EQUAL(gc->read_only, oc->read_only);
            CU_ASSERT_EQUAL(gc->config_source, oc->config_source);
            CU_ASSERT_EQUAL(gc->is_sensitive, oc->is_sensitive);
        }
    }
}

/* ---- DeleteTopics ---- */

CODEC_WRAP(deletetopics, req, deletetopics_req_t)
CODEC_WRAP(deletetopics, resp, deletetopics_resp_t)

static void
fill_deletetopics_req(arena_t *ar, void *m)
{
    deletetopics_req_t *req = m;

    /* both shapes filled: each version encodes the one it has */
    req->ntopics = 2;
    req->topics = arena_calloc(ar, 2, sizeof(*req->topics));
    req->topics[0].name = S("a");
    memcpy(req->topics[0].topic_id, UUID1, 16);
    req->topics[1].name = SNULL;
    memcpy(req->topics[1].topic_id, UUID2, 16);
    req->ntopic_names = 2;
    req->topic_names = arena_calloc(ar, 2, sizeof(kstr_t));
    req->topic_names[0] = S("a");
    req->topic_names[1] = S("b-topic");
    req->timeout_ms = 3000;
}

static void
check_deletetopics_req(int16_t v, const void *o_, const void *g_)
{
    const deletetopics_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->ntopics, v >= 6 ? o->ntopics : 0);
    for (int i = 0; i < g->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CU_ASSERT(memcmp(g->topics[i].topic_id, o->topics[i].topic_id, 16) ==
                  0);
    }
    CU_ASSERT_EQUAL_FATAL(g->ntopic_names, v <= 5 ? o->ntopic_names : 0);
    for (int i = 0; i < g->ntopic_names; i++)
        CHECK_STR(g->topic_names[i], o->topic_names[i]);
    CU_ASSERT_EQUAL(g->timeout_ms, o->timeout_ms);
}

static void
fill_deletetopics_resp(arena_t *ar, void *m)
{
    deletetopics_resp_t *resp = m;

    resp->throttle_time_ms = 4;
    resp->nresponses = 2;
    resp->responses = arena_calloc(ar, 2, sizeof(*resp->responses));
    resp->responses[0].name = S("a");
    memcpy(resp->responses[0].topic_id, UUID1, 16);
    resp->responses[0].error_message = SNULL;
    resp->responses[1].name = S("b-topic");
    memcpy(resp->responses[1].topic_id, UUID2, 16);
    resp->responses[1].error_code = 3;
    resp->responses[1].error_message = S("unknown topic");
}

static void
check_deletetopics_resp(int16_t v, const void *o_, const void *g_)
{
    const deletetopics_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, v >= 1 ? o->throttle_time_ms : 0);
    CU_ASSERT_EQUAL_FATAL(g->nresponses, o->nresponses);
    for (int i = 0; i < o->nresponses; i++) {
        const deletetopics_resp_topic_t *ox = &o->responses[i];
        const deletetopics_resp_topic_t *gr = &g->responses[i];

        CHECK_STR(gr->name, ox->name);
        CU_ASSERT(uuid_expect(v, 6, gr->topic_id, ox->topic_id));
        CU_ASSERT_EQUAL(gr->error_code, ox->error_code);
        CHECK_STR(gr->error_message, v >= 5 ? ox->error_message : SNULL);
    }
}

/* ---- CreatePartitions ---- */

CODEC_WRAP(createpartitions, req, createpartitions_req_t)
CODEC_WRAP(createpartitions, resp, createpartitions_resp_t)

static void
fill_createpartitions_req(arena_t *ar, void *m)
{
    createpartitions_req_t *req = m;

    req->ntopics = 2;
    req->topics = arena_calloc(ar, 2, sizeof(*req->topics));
    req->topics[0].name = S("a");
    req->topics[0].count = 4;
    req->topics[0].nassignments = 2;
    req->topics[0].assignments =
        arena_calloc(ar, 2, sizeof(*req->topics[0].assignments));
    req->topics[0].assignments[0].nbroker_ids = 2;
    req->topics[0].assignments[0].broker_ids = i32s(ar, 2, 1, 2);
    req->topics[0].assignments[1].nbroker_ids = 1;
    req->topics[0].assignments[1].broker_ids = i32s(ar, 1, 3);
    req->topics[1].name = S("b");
    req->topics[1].count = 6;
    req->topics[1].nassignments = -1;
    req->timeout_ms = 1000;
    req->validate_only = true;
}

static void
check_createpartitions_req(int16_t v, const void *o_, const void *g_)
{
    const createpartitions_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int i = 0; i < o->ntopics; i++) {
        const createpartitions_req_topic_t *ot = &o->topics[i];
        const createpartitions_req_topic_t *gt = &g->topics[i];

        CHECK_STR(gt->name, ot->name);
        CU_ASSERT_EQUAL(gt->count, ot->count);
        CU_ASSERT_EQUAL_FATAL(gt->nassignments, ot->nassignments);
        for (int j = 0; j < ot->nassignments; j++)
            CU_ASSERT(i32s_same(
                gt->assignments[j].broker_ids, gt->assignments[j].nbroker_ids,
                ot->assignments[j].broker_ids, ot->assignments[j].nbroker_ids));
    }
    CU_ASSERT_EQUAL(g->timeout_ms, o->timeout_ms);
    CU_ASSERT_EQUAL(g->validate_only, o->validate_only);
}

static void
fill_createpartitions_resp(arena_t *ar, void *m)
{
    createpartitions_resp_t *resp = m;

    resp->throttle_time_ms = 2;
    resp->nresults = 2;
    resp->results = arena_calloc(ar, 2, sizeof(*resp->results));
    resp->results[0].name = S("a");
    resp->results[0].error_message = SNULL;
    resp->results[1].name = S("b");
    resp->results[1].error_code = 37;
    resp->results[1].error_message = S("bad partition count");
}

static void
check_createpartitions_resp(int16_t v, const void *o_, const void *g_)
{
    const createpartitions_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL_FATAL(g->nresults, o->nresults);
    for (int i = 0; i < o->nresults; i++) {
        CHECK_STR(g->results[i].name, o->results[i].name);
        CU_ASSERT_EQUAL(g->results[i].error_code, o->results[i].error_code);
        CHECK_STR(g->results[i].error_message, o->results[i].error_message);
    }
}

/* ---- DescribeConfigs ---- */

CODEC_WRAP(describeconfigs, req, describeconfigs_req_t)
CODEC_WRAP(describeconfigs, resp, describeconfigs_resp_t)

static void
fill_describeconfigs_req(arena_t *ar, void *m)
{
    describeconfigs_req_t *req = m;

    req->nresources = 2;
    req->resources = arena_calloc(ar, 2, sizeof(*req->resources));
    req->resources[0].resource_type = 2;
    req->resources[0].resource_name = S("orders");
    req->resources[0].nconfiguration_keys = 2;
    req->resources[0].configuration_keys = arena_calloc(ar, 2, sizeof(kstr_t));
    req->resources[0].configuration_keys[0] = S("retention.ms");
    req->resources[0].configuration_keys[1] = S("cleanup.policy");
    req->resources[1].resource_type = 4;
    req->resources[1].resource_name = S("1");
    req->resources[1].nconfiguration_keys = -1;
    req->include_synonyms = true;
    req->include_documentation = true;
}

static void
check_describeconfigs_req(int16_t v, const void *o_, const void *g_)
{
    const describeconfigs_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->nresources, o->nresources);
    for (int i = 0; i < o->nresources; i++) {
        const describeconfigs_req_resource_t *ox = &o->resources[i];
        const describeconfigs_req_resource_t *gr = &g->resources[i];

        CU_ASSERT_EQUAL(gr->resource_type, ox->resource_type);
        CHECK_STR(gr->resource_name, ox->resource_name);
        CU_ASSERT_EQUAL_FATAL(gr->nconfiguration_keys, ox->nconfiguration_keys);
        for (int j = 0; j < ox->nconfiguration_keys; j++)
            CHECK_STR(gr->configuration_keys[j], ox->configuration_keys[j]);
    }
    CU_ASSERT_EQUAL(g->include_synonyms, v >= 1 ? o->include_synonyms : false);
    CU_ASSERT_EQUAL(g->include_documentation,
                    v >= 3 ? o->include_documentation : false);
}

static void
fill_describeconfigs_resp(arena_t *ar, void *m)
{
    describeconfigs_resp_t *resp = m;
    describeconfigs_resp_result_t *r;
    describeconfigs_resp_config_t *c;

    resp->throttle_time_ms = 1;
    resp->nresults = 2;
    resp->results = arena_calloc(ar, 2, sizeof(*resp->results));
    r = &resp->results[0];
    r->error_message = SNULL;
    r->resource_type = 2;
    r->resource_name = S("orders");
    r->nconfigs = 2;
    r->configs = arena_calloc(ar, 2, sizeof(*r->configs));
    c = &r->configs[0];
    c->name = S("retention.ms");
    c->value = S("1000");
    c->read_only = false;
    c->is_default = true;
    c->config_source = 1;
    c->is_sensitive = false;
    c->nsynonyms = 2;
    c->synonyms = arena_calloc(ar, 2, sizeof(*c->synonyms));
    c->synonyms[0].name = S("retention.ms");
    c->synonyms[0].value = S("1000");
    c->synonyms[0].source = 1;
    c->synonyms[1].name = S("log.retention.ms");
    c->synonyms[1].value = SNULL;
    c->synonyms[1].source = 4;
    c->config_type = 5;
    c->documentation = S("How long to keep data.");
    c = &r->configs[1];
    c->name = S("ssl.key.password");
    c->value = SNULL;
    c->read_only = true;
    c->config_source = 5;
    c->is_sensitive = true;
    c->config_type = 9;
    c->documentation = SNULL;
    r = &resp->results[1];
    r->error_code = 3;
    r->error_message = S("no such topic");
    r->resource_type = 2;
    r->resource_name = S("nope");
}

static void
check_describeconfigs_resp(int16_t v, const void *o_, const void *g_)
{
    const describeconfigs_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL_FATAL(g->nresults, o->nresults);
    for (int i = 0; i < o->nresults; i++) {
        const describeconfigs_resp_result_t *ox = &o->results[i];
        const describeconfigs_resp_result_t *gr = &g->results[i];

        CU_ASSERT_EQUAL(gr->error_code, ox->error_code);
        CHECK_STR(gr->error_message, ox->error_message);
        CU_ASSERT_EQUAL(gr->resource_type, ox->resource_type);
        CHECK_STR(gr->resource_name, ox->resource_name);
        CU_ASSERT_EQUAL_FATAL(gr->nconfigs, ox->nconfigs);
        for (int j = 0; j < ox->nconfigs; j++) {
            const describeconfigs_resp_config_t *oc = &ox->configs[j];
            const describeconfigs_resp_config_t *gc = &gr->configs[j];

            CHECK_STR(gc->name, oc->name);
            CHECK_STR(gc->value, oc->value);
            CU_ASSERT_EQUAL(gc->read_only, oc->read_only);
            CU_ASSERT_EQUAL(gc->is_default, v == 0 ? oc->is_default : false);
            CU_ASSERT_EQUAL(gc->config_source, v >= 1 ? oc->config_source : -1);
            CU_ASSERT_EQUAL(gc->is_sensitive, oc->is_sensitive);
            CU_ASSERT_EQUAL_FATAL(gc->nsynonyms, v >= 1 ? oc->nsynonyms : 0);
            for (int k = 0; k < gc->nsynonyms; k++) {
                CHECK_STR(gc->synonyms[k].name, oc->synonyms[k].name);
                CHECK_STR(gc->synonyms[k].value, oc->synonyms[k].value);
                CU_ASSERT_EQUAL(gc->synonyms[k].source, oc->synonyms[k].source);
            }
            CU_ASSERT_EQUAL(gc->config_type, v >= 3 ? oc->config_type : 0);
            CHECK_STR(gc->documentation, v >= 3 ? oc->documentation : SEMPTY);
        }
    }
}

/* ---- DescribeCluster ---- */

CODEC_WRAP(describecluster, req, describecluster_req_t)
CODEC_WRAP(describecluster, resp, describecluster_resp_t)

static void
fill_describecluster_req(arena_t *ar, void *m)
{
    describecluster_req_t *req = m;

    req->include_cluster_authorized_operations = true;
}

static void
check_describecluster_req(int16_t v, const void *o_, const void *g_)
{
    const describecluster_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->include_cluster_authorized_operations,
                    o->include_cluster_authorized_operations);
}

static void
fill_describecluster_resp(arena_t *ar, void *m)
{
    describecluster_resp_t *resp = m;

    resp->throttle_time_ms = 1;
    resp->error_code = 31;
    resp->error_message = S("not authorized");
    resp->cluster_id = S("cluster-xyz");
    resp->controller_id = 1;
    resp->nbrokers = 2;
    resp->brokers = arena_calloc(ar, 2, sizeof(*resp->brokers));
    resp->brokers[0].broker_id = 1;
    resp->brokers[0].host = S("h1");
    resp->brokers[0].port = 9092;
    resp->brokers[0].rack = S("r1");
    resp->brokers[1].broker_id = 2;
    resp->brokers[1].host = S("h2");
    resp->brokers[1].port = 9093;
    resp->brokers[1].rack = SNULL;
    resp->cluster_authorized_operations = 0x1f;
}

static void
check_describecluster_resp(int16_t v, const void *o_, const void *g_)
{
    const describecluster_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CHECK_STR(g->error_message, o->error_message);
    CHECK_STR(g->cluster_id, o->cluster_id);
    CU_ASSERT_EQUAL(g->controller_id, o->controller_id);
    CU_ASSERT_EQUAL_FATAL(g->nbrokers, o->nbrokers);
    for (int i = 0; i < o->nbrokers; i++) {
        CU_ASSERT_EQUAL(g->brokers[i].broker_id, o->brokers[i].broker_id);
        CHECK_STR(g->brokers[i].host, o->brokers[i].host);
        CU_ASSERT_EQUAL(g->brokers[i].port, o->brokers[i].port);
        CHECK_STR(g->brokers[i].rack, o->brokers[i].rack);
    }
    CU_ASSERT_EQUAL(g->cluster_authorized_operations,
                    o->cluster_authorized_operations);
}

/* ---- the table ---- */

#define CODEC(fam, dir, type, lo, hi)                                          \
    {                                                                          \
        .name = #fam "_" #dir, .vmin = lo, .vmax = hi, .size = sizeof(type),   \
        .fill = fill_##fam##_##dir, .decode = dec_##fam##_##dir,               \
        .encode = enc_##fam##_##dir, .check = check_##fam##_##dir              \
    }

static const codec_t codecs[] = {
    CODEC(apiversions, req, apiversions_req_t, 0, 3),
    CODEC(apiversions, resp, apiversions_resp_t, 0, 3),
    CODEC(metadata, req, metadata_req_t, 0, 11),
    CODEC(metadata, resp, metadata_resp_t, 0, 11),
    CODEC(produce, req, produce_req_t, 3, 9),
    CODEC(produce, resp, produce_resp_t, 3, 9),
    CODEC(fetch, req, fetch_req_t, 4, 12),
    CODEC(fetch, resp, fetch_resp_t, 4, 12),
    CODEC(listoffsets, req, listoffsets_req_t, 0, 6),
    CODEC(listoffsets, resp, listoffsets_resp_t, 0, 6),
    CODEC(createtopics, req, createtopics_req_t, 0, 7),
    CODEC(createtopics, resp, createtopics_resp_t, 0, 7),
    CODEC(deletetopics, req, deletetopics_req_t, 0, 6),
    CODEC(deletetopics, resp, deletetopics_resp_t, 0, 6),
    CODEC(createpartitions, req, createpartitions_req_t, 0, 3),
    CODEC(createpartitions, resp, createpartitions_resp_t, 0, 3),
    CODEC(describeconfigs, req, describeconfigs_req_t, 0, 4),
    CODEC(describeconfigs, resp, describeconfigs_resp_t, 0, 4),
    CODEC(describecluster, req, describecluster_req_t, 0, 0),
    CODEC(describecluster, resp, describecluster_resp_t, 0, 0),
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* ---- tests ---- */

static void
test_every_api_version_round_trips_field_by_field(void)
{
    int rounds = 0;

    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];

        for (int16_t v = c->vmin; v <= c->vmax; v++) {
            arena_t ar;
            buf_t b1 = BUF_INIT, b2 = BUF_INIT;
            void *orig = calloc(1, c->size), *got = calloc(1, c->size);
            kread_t kr;
            int rc;

            arena_init(&ar);
            c->fill(&ar, orig);
            encode_flat(c, v, orig, &b1);
            kread_init(&kr, b1.data, b1.len);
            rc = c->decode(&kr, v, &ar, got);
            if (rc != 0 || kread_left(&kr) != 0)
                fprintf(stderr, "\n%s v%d: rc %d, %zu bytes left\n", c->name, v,
                        rc, kread_left(&kr));
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_EQUAL(kread_left(&kr), 0);
            if (rc == 0) {
                c->check(v, orig, got);
                encode_flat(c, v, got, &b2);
                CU_ASSERT_EQUAL(b2.len, b1.len);
                CU_ASSERT(b1.len == b2.len &&
                          memcmp(b1.data, b2.data, b1.len) == 0);
            }
            buf_fini(&b1);
            buf_fini(&b2);
            free(orig);
            free(got);
            arena_fini(&ar);
            rounds++;
        }
    }
    CU_ASSERT_EQUAL(rounds, 2 * (4 + 12 + 7 + 9 + 7 + 8 + 7 + 4 + 5 + 1));
}

static void
test_every_truncation_fails_with_err_proto(void)
{
    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];

        for (int16_t v = c->vmin; v <= c->vmax; v++) {
            arena_t ar;
            buf_t b = BUF_INIT;
            void *orig = calloc(1, c->size), *got = calloc(1, c->size);

            arena_init(&ar);
            c->fill(&ar, orig);
            encode_flat(c, v, orig, &b);
            for (size_t len = 0; len < b.len; len++) {
                int rc = decode_copy(c, v, b.data, len, &ar, got);

                if (rc != ERR_PROTO)
                    fprintf(stderr, "\n%s v%d: prefix %zu/%zu gave %d\n",
                            c->name, v, len, b.len, rc);
                CU_ASSERT_EQUAL(rc, ERR_PROTO);
                arena_reset(&ar);
                c->fill(&ar, orig);
            }
            buf_fini(&b);
            free(orig);
            free(got);
            arena_fini(&ar);
        }
    }
}

static void
test_unserved_versions_are_rejected(void)
{
    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];
        static const uint8_t zeros[64];
        arena_t ar;
        void *got = calloc(1, c->size);

        arena_init(&ar);
        CU_ASSERT_EQUAL(
            decode_copy(c, c->vmin - 1, zeros, sizeof(zeros), &ar, got),
            ERR_PROTO);
        CU_ASSERT_EQUAL(
            decode_copy(c, c->vmax + 1, zeros, sizeof(zeros), &ar, got),
            ERR_PROTO);
        free(got);
        arena_fini(&ar);
    }
}

static void
test_huge_array_counts_fail_before_allocating(void)
{
    /* Metadata v1: topics count 0x7fffffff with 4 bytes behind it */
    static const uint8_t md1[] = {0x7f, 0xff, 0xff, 0xff, 0, 1, 'a', 0};
    /* Metadata v9: compact count 0xfffffffe (uvarint 0xffffffff) */
    static const uint8_t md9[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0};
    /* Produce v3: null txn id, acks, timeout, then 2^31-1 topics */
    static const uint8_t pr3[] = {0xff, 0xff, 0,    1,    0,    0, 0x75,
                                  0x30, 0x7f, 0xff, 0xff, 0xff, 0, 0};
    /* Fetch v4 response: throttle, 1 topic "t", 1e9 partitions */
    static const uint8_t fe4[] = {0, 0, 0,   0,    0,    0,    0,    1,
                                  0, 1, 't', 0x3b, 0x9a, 0xca, 0x00, 0};
    /* CreateTopics v0: 1 topic "t", -1 partitions, rf, 2^31-1 assignments */
    static const uint8_t ct0[] = {0,   0,    0,    1,    0,    1,
                                  't', 0xff, 0xff, 0xff, 0xff, 0,
                                  1,   0x7f, 0xff, 0xff, 0xff};
    /* Metadata v0 response: a negative (non-null) broker count */
    static const uint8_t mr0[] = {0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0};
    /* Metadata v0 request: null topics is not allowed before v1 */
    static const uint8_t md0[] = {0xff, 0xff, 0xff, 0xff};
    arena_t ar;
    metadata_req_t mreq;
    metadata_resp_t mresp;
    produce_req_t preq;
    fetch_resp_t fresp;
    createtopics_req_t creq;
    kread_t kr;

    arena_init(&ar);
    kread_init(&kr, md1, sizeof(md1));
    CU_ASSERT_EQUAL(p_metadata_req_decode(&kr, 1, &ar, &mreq), ERR_PROTO);
    kread_init(&kr, md9, sizeof(md9));
    CU_ASSERT_EQUAL(p_metadata_req_decode(&kr, 9, &ar, &mreq), ERR_PROTO);
    kread_init(&kr, pr3, sizeof(pr3));
    CU_ASSERT_EQUAL(p_produce_req_decode(&kr, 3, &ar, &preq), ERR_PROTO);
    kread_init(&kr, mr0, sizeof(mr0));
    CU_ASSERT_EQUAL(p_metadata_resp_decode(&kr, 0, &ar, &mresp), ERR_PROTO);
    kread_init(&kr, md0, sizeof(md0));
    CU_ASSERT_EQUAL(p_metadata_req_decode(&kr, 0, &ar, &mreq), ERR_PROTO);
    /* nothing was allocated for any of them */
    CU_ASSERT_PTR_NULL(ar.head);
    /* nested counts fail the same way */
    kread_init(&kr, fe4, sizeof(fe4));
    CU_ASSERT_EQUAL(p_fetch_resp_decode(&kr, 4, &ar, &fresp), ERR_PROTO);
    kread_init(&kr, ct0, sizeof(ct0));
    CU_ASSERT_EQUAL(p_createtopics_req_decode(&kr, 0, &ar, &creq), ERR_PROTO);
    arena_fini(&ar);
}

static void
test_metadata_null_topics_means_all(void)
{
    metadata_req_t req, got;
    arena_t ar;

    memset(&req, 0, sizeof(req));
    req.ntopics = -1;
    req.allow_auto_topic_creation = true;
    arena_init(&ar);
    for (int16_t v = 0; v <= 11; v++) {
        buf_t b = BUF_INIT;
        kread_t kr;

        encode_flat(&codecs[2], v, &req, &b);
        kread_init(&kr, b.data, b.len);
        CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, v, &ar, &got), 0);
        CU_ASSERT_EQUAL(got.ntopics, v == 0 ? 0 : -1);
        CU_ASSERT(p_metadata_req_all_topics(&got, v));
        buf_fini(&b);
    }
    got.ntopics = 0;
    CU_ASSERT(!p_metadata_req_all_topics(&got, 1));
    arena_fini(&ar);
}

static void
test_metadata_v10_topic_name_may_be_null(void)
{
    static const uint8_t want[] = {2, /* 1 topic */
                                   1, 2,  3,  4,  5,  6,  7,  8,
                                   9, 10, 11, 12, 13, 14, 15, 16, /* id */
                                   0,        /* null name */
                                   0,        /* topic tags */
                                   1, 0,  0, /* bools */
                                   0};       /* tags */
    metadata_req_topic_t topic;
    metadata_req_t req = {1, &topic, true, false, false}, got;
    buf_t b = BUF_INIT;
    arena_t ar;
    kread_t kr;

    memcpy(topic.topic_id, UUID1, 16);
    topic.name = SNULL;
    encode_flat(&codecs[2], 10, &req, &b);
    CU_ASSERT_EQUAL_FATAL(b.len, sizeof(want));
    CU_ASSERT(memcmp(b.data, want, sizeof(want)) == 0);
    arena_init(&ar);
    kread_init(&kr, b.data, b.len);
    CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, 10, &ar, &got), 0);
    CU_ASSERT_EQUAL(got.topics[0].name.len, -1);
    /* before v10 a null name is malformed */
    kread_init(&kr, (const uint8_t *)"\x00\x00\x00\x01\xff\xff", 6);
    CU_ASSERT_EQUAL(p_metadata_req_decode(&kr, 1, &ar, &got), ERR_PROTO);
    buf_fini(&b);
    arena_fini(&ar);
}

static void
test_unknown_tagged_fields_are_skipped(void)
{
    /* ApiVersions v3 request + tags {7: "xyz"}; v3 response with the
     * SupportedFeatures (0) and FinalizedFeaturesEpoch (1) tags set */
    static const uint8_t req[] = {4, 'a', 'b', 'c', 2,   '1',
                                  1, 7,   3,   'x', 'y', 'z'};
    static const uint8_t resp[] = {
        0, 0,                             /* error */
        2, 0, 18, 0, 0,   0, 3, 0,        /* [ApiVersions 0-3] */
        0, 0, 0,  0,                      /* throttle */
        2,                                /* two tags */
        0, 8, 2,  2, 'f', 0, 1, 0, 2, 0,  /* SupportedFeatures [f 1-2] */
        1, 8, 0,  0, 0,   0, 0, 0, 0, 5}; /* epoch 5 */
    /* CreateTopics v5 response with TopicConfigErrorCode 0x0102 */
    static const uint8_t ct5[] = {
        0, 0, 0,   0,    /* throttle */
        2, 2, 't',       /* [ "t" */
        0, 0, 0,         /* error 0, message null */
        0, 0, 0,   1,    /* num_partitions */
        0, 1, 0,         /* replication_factor, configs null */
        1, 0, 2,   1, 2, /* tags {0: 0x0102} ] */
        0};
    apiversions_req_t areq;
    apiversions_resp_t aresp;
    createtopics_resp_t cresp;
    arena_t ar;
    kread_t kr;

    arena_init(&ar);
    kread_init(&kr, req, sizeof(req));
    CU_ASSERT_EQUAL_FATAL(p_apiversions_req_decode(&kr, 3, &ar, &areq), 0);
    CU_ASSERT(str_same(areq.client_software_name, S("abc")));
    CU_ASSERT(str_same(areq.client_software_version, S("1")));
    kread_init(&kr, resp, sizeof(resp));
    CU_ASSERT_EQUAL_FATAL(p_apiversions_resp_decode(&kr, 3, &ar, &aresp), 0);
    CU_ASSERT_EQUAL(aresp.napi_keys, 1);
    CU_ASSERT_EQUAL(aresp.api_keys[0].api_key, 18);
    CU_ASSERT_EQUAL(aresp.api_keys[0].max_version, 3);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    kread_init(&kr, ct5, sizeof(ct5));
    CU_ASSERT_EQUAL_FATAL(p_createtopics_resp_decode(&kr, 5, &ar, &cresp), 0);
    CU_ASSERT_EQUAL(cresp.topics[0].num_partitions, 1);
    CU_ASSERT_EQUAL(cresp.topics[0].replication_factor, 1);
    CU_ASSERT_EQUAL(cresp.topics[0].nconfigs, -1);
    CU_ASSERT_EQUAL(cresp.topics[0].topic_config_error_code, 0x0102);
    arena_fini(&ar);
}

static int unref_calls;

static void
count_unref(void *ref)
{
    (void)ref;
    unref_calls++;
}

static void
test_fetch_response_sends_records_from_a_file_slice(void)
{
    char *dir = unit_tmpdir("p_api");
    char *path = malloc(strlen(dir) + 16);
    const char filler[] = "0123456789";
    int fd;

    sprintf(path, "%s/seg.log", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, filler, 10) == 10);
    CU_ASSERT_FATAL(write(fd, RECORDS, sizeof(RECORDS) - 1) ==
                    (ssize_t)sizeof(RECORDS) - 1);
    unref_calls = 0;
    for (int16_t v = 4; v <= 12; v++) {
        fetch_resp_partition_t part;
        fetch_resp_topic_t topic = {S("orders"), 1, &part};
        fetch_resp_t resp = {0, 0, 0, 1, &topic}, got;
        kwrite_t kw;
        buf_t b = BUF_INIT;
        arena_t ar;
        kread_t kr;

        p_fetch_resp_partition_init(&part);
        part.high_watermark = 42;
        part.records_file.fd = fd;
        part.records_file.off = 10;
        part.records_file.len = sizeof(RECORDS) - 1;
        part.records_file.unref = count_unref;
        kwrite_init(&kw);
        p_fetch_resp_encode(&kw, v, &resp);
        kwrite_finish(&kw);
        CU_ASSERT(kw.nchunks >= 2); /* buffer, file (, buffer) */
        CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &b), 0);
        CU_ASSERT_EQUAL(b.len, kwrite_len(&kw));
        kwrite_fini(&kw);
        CU_ASSERT_EQUAL(unref_calls, v - 3);
        arena_init(&ar);
        kread_init(&kr, b.data, b.len);
        CU_ASSERT_EQUAL_FATAL(p_fetch_resp_decode(&kr, v, &ar, &got), 0);
        CU_ASSERT_EQUAL(got.responses[0].partitions[0].high_watermark, 42);
        CU_ASSERT(bytes_same(got.responses[0].partitions[0].records,
                             B(RECORDS, sizeof(RECORDS) - 1)));
        CU_ASSERT_EQUAL(got.responses[0].partitions[0].naborted_transactions,
                        -1);
        arena_fini(&ar);
        buf_fini(&b);
    }
    close(fd);
    unit_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- byte vectors captured from real clients ---- */

static size_t
unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;

    for (; hex[0] && hex[1]; hex += 2)
        out[n++] = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
    return n;
}

/* decodes a captured request frame (no size prefix): header, then body */
static int
decode_frame(const char *hex, khdr_t *hdr, kread_t *kr, uint8_t *buf)
{
    size_t n = unhex(hex, buf);
    int rc;

    CU_ASSERT_EQUAL_FATAL(khdr_peek(buf, n, hdr), 0);
    kread_init(kr, buf, n);
    rc = khdr_decode(
        kr, hdr, kapi_flexible(hdr->request_api_key, hdr->request_api_version));
    return rc;
}

static void
test_kcat_apiversions_v3_and_metadata_v4_decode(void)
{
    /* kcat 1.7 / librdkafka 2.0.2: `kcat -L -t samsa-test` */
    static const char apiv3[] = "0012000300000001000772646b61666b6100"
                                "0b6c696272646b61666b6106322e302e3200";
    static const char md4[] = "0003000400000002000772646b61666b6100000001"
                              "000a73616d73612d7465737401";
    static const char md4_brokers[] = "0003000400000002000772646b61666b61"
                                      "0000000000";
    uint8_t buf[256];
    khdr_t hdr;
    kread_t kr;
    arena_t ar;
    apiversions_req_t areq;
    metadata_req_t mreq;

    arena_init(&ar);
    CU_ASSERT_EQUAL_FATAL(decode_frame(apiv3, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL(hdr.request_api_key, API_API_VERSIONS);
    CU_ASSERT_EQUAL(hdr.request_api_version, 3);
    CU_ASSERT(kstr_eq(hdr.client_id, "rdkafka"));
    CU_ASSERT_EQUAL_FATAL(p_apiversions_req_decode(&kr, 3, &ar, &areq), 0);
    CU_ASSERT(kstr_eq(areq.client_software_name, "librdkafka"));
    CU_ASSERT(kstr_eq(areq.client_software_version, "2.0.2"));
    CU_ASSERT_EQUAL(kread_left(&kr), 0);

    CU_ASSERT_EQUAL_FATAL(decode_frame(md4, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL(hdr.request_api_key, API_METADATA);
    CU_ASSERT_EQUAL(hdr.request_api_version, 4);
    CU_ASSERT_EQUAL(hdr.correlation_id, 2);
    CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, 4, &ar, &mreq), 0);
    CU_ASSERT_EQUAL_FATAL(mreq.ntopics, 1);
    CU_ASSERT(kstr_eq(mreq.topics[0].name, "samsa-test"));
    CU_ASSERT(mreq.allow_auto_topic_creation);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);

    /* its first, brokers-only query: no topics, no auto-creation */
    CU_ASSERT_EQUAL_FATAL(decode_frame(md4_brokers, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, 4, &ar, &mreq), 0);
    CU_ASSERT_EQUAL(mreq.ntopics, 0);
    CU_ASSERT(!mreq.allow_auto_topic_creation);
    CU_ASSERT(!p_metadata_req_all_topics(&mreq, 4));
    arena_fini(&ar);
}

static void
test_kafka_python_apiversions_v0_and_metadata_v0_v1_decode(void)
{
    /* kafka-python 2.0.2: KafkaConsumer(...).topics() */
    static const char apiv0[] = "001200000000000100126b61666b612d707974686f"
                                "6e2d322e302e32";
    static const char md0[] = "000300000000000200126b61666b612d707974686f6e"
                              "2d322e302e3200000000";
    static const char md1[] = "000300010000000100126b61666b612d707974686f6e"
                              "2d322e302e32ffffffff";
    uint8_t buf[256];
    khdr_t hdr;
    kread_t kr;
    arena_t ar;
    apiversions_req_t areq;
    metadata_req_t mreq;

    arena_init(&ar);
    CU_ASSERT_EQUAL_FATAL(decode_frame(apiv0, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL(hdr.request_api_version, 0);
    CU_ASSERT(kstr_eq(hdr.client_id, "kafka-python-2.0.2"));
    CU_ASSERT_EQUAL_FATAL(p_apiversions_req_decode(&kr, 0, &ar, &areq), 0);
    CU_ASSERT_EQUAL(areq.client_software_name.len, 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);

    CU_ASSERT_EQUAL_FATAL(decode_frame(md0, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL(hdr.request_api_version, 0);
    CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, 0, &ar, &mreq), 0);
    CU_ASSERT_EQUAL(mreq.ntopics, 0);
    CU_ASSERT(p_metadata_req_all_topics(&mreq, 0));
    CU_ASSERT(mreq.allow_auto_topic_creation);

    CU_ASSERT_EQUAL_FATAL(decode_frame(md1, &hdr, &kr, buf), 0);
    CU_ASSERT_EQUAL(hdr.request_api_version, 1);
    CU_ASSERT_EQUAL_FATAL(p_metadata_req_decode(&kr, 1, &ar, &mreq), 0);
    CU_ASSERT_EQUAL(mreq.ntopics, -1);
    CU_ASSERT(p_metadata_req_all_topics(&mreq, 1));
    arena_fini(&ar);
}

static void
test_kapi_table_matches_kafka_2_8_ranges(void)
{
    /* DESIGN.md 7 (plus OffsetDelete and the reassignment APIs, which
     * Kafka 2.8 has too): key, min, max, first flexible */
    static const int16_t want[][4] = {
        {18, 0, 3, 3},  {3, 0, 11, 9},  {0, 3, 9, 9},  {1, 4, 12, 12},
        {2, 0, 6, 6},   {10, 0, 3, 3},  {11, 0, 7, 6}, {14, 0, 5, 4},
        {12, 0, 4, 4},  {13, 0, 4, 4},  {8, 0, 8, 8},  {9, 0, 7, 6},
        {16, 0, 4, 3},  {15, 0, 5, 5},  {42, 0, 2, 2}, {19, 0, 7, 5},
        {20, 0, 6, 4},  {37, 0, 3, 2},  {32, 0, 4, 4}, {33, 0, 2, 2},
        {44, 0, 1, 1},  {17, 0, 1, -1}, {36, 0, 2, 2}, {22, 0, 4, 2},
        {23, 0, 4, 4},  {21, 0, 2, 2},  {60, 0, 0, 0}, {29, 0, 2, 2},
        {30, 0, 2, 2},  {31, 0, 2, 2},  {4, 0, 5, 4},  {6, 0, 7, 6},
        {5, 0, 3, 2},   {7, 0, 3, 3},   {56, 0, 0, 0}, {43, 0, 2, 2},
        {47, 0, 0, -1}, {45, 0, 0, 0},  {46, 0, 0, 0}};
    size_t n, nwant = sizeof(want) / sizeof(want[0]);
    const kapi_t *all = kapi_all(&n);

    CU_ASSERT_EQUAL(n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        const kapi_t *api = kapi_find(want[i][0]);

        CU_ASSERT_PTR_NOT_NULL_FATAL(api);
        CU_ASSERT_EQUAL(api->key, want[i][0]);
        CU_ASSERT_EQUAL(api->min_version, want[i][1]);
        CU_ASSERT_EQUAL(api->max_version, want[i][2]);
        CU_ASSERT_EQUAL(api->first_flexible, want[i][3]);
        CU_ASSERT_PTR_NOT_NULL(api->name);
    }
    for (size_t i = 1; i < n; i++)
        CU_ASSERT(all[i - 1].key < all[i].key);
    CU_ASSERT_PTR_NULL(kapi_find(24));
    CU_ASSERT_PTR_NULL(kapi_find(-1));
    CU_ASSERT_PTR_NULL(kapi_find(1000));
    CU_ASSERT(!kapi_supported(API_PRODUCE, 2));
    CU_ASSERT(kapi_supported(API_PRODUCE, 3));
    CU_ASSERT(!kapi_supported(API_FETCH, 3));
    CU_ASSERT(!kapi_supported(API_METADATA, 12));
    CU_ASSERT(kapi_flexible(API_METADATA, 9));
    CU_ASSERT(!kapi_flexible(API_METADATA, 8));
    CU_ASSERT(!kapi_flexible(API_SASL_HANDSHAKE, 1));
    CU_ASSERT_STRING_EQUAL(kapi_find(API_DESCRIBE_CLUSTER)->name,
                           "DescribeCluster");
}

void
suite_p_api(void)
{
    CU_pSuite s = unit_suite("p_api");

    UNIT_TEST(s, test_every_api_version_round_trips_field_by_field);
    UNIT_TEST(s, test_every_truncation_fails_with_err_proto);
    UNIT_TEST(s, test_unserved_versions_are_rejected);
    UNIT_TEST(s, test_huge_array_counts_fail_before_allocating);
    UNIT_TEST(s, test_metadata_null_topics_means_all);
    UNIT_TEST(s, test_metadata_v10_topic_name_may_be_null);
    UNIT_TEST(s, test_unknown_tagged_fields_are_skipped);
    UNIT_TEST(s, test_fetch_response_sends_records_from_a_file_slice);
    UNIT_TEST(s, test_kcat_apiversions_v3_and_metadata_v4_decode);
    UNIT_TEST(s, test_kafka_python_apiversions_v0_and_metadata_v0_v1_decode);
    UNIT_TEST(s, test_kapi_table_matches_kafka_2_8_ranges);
}
