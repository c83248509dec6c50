/*
 * fuzz_request.c: fuzz target for request framing and the per-family
 * codecs (src/proto/khdr.c, kapi.c, p_<family>.c).
 *
 * Each input is taken three ways: as a request frame (header v1/v2, then
 * the body of the API and version the header names, as the broker would);
 * as the body of every served (api, version) request; and as the body of
 * every response (clients and tools decode those). Whatever decodes is
 * encoded again, decoded again and encoded a third time: the two encodings
 * must match byte for byte, or the codec is not symmetric.
 * Seeds: one frame per (api, version) with a small non-empty request.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "samsa/arena.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/khdr.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_alterconfigs.h"
#include "samsa/p_apiversions.h"
#include "samsa/p_controlledshutdown.h"
#include "samsa/p_createpartitions.h"
#include "samsa/p_createtopics.h"
#include "samsa/p_deleterecords.h"
#include "samsa/p_deletetopics.h"
#include "samsa/p_describecluster.h"
#include "samsa/p_describeconfigs.h"
#include "samsa/p_fetch.h"
#include "samsa/p_leaderandisr.h"
#include "samsa/p_listoffsets.h"
#include "samsa/p_metadata.h"
#include "samsa/p_produce.h"
#include "samsa/p_stopreplica.h"
#include "samsa/p_updatemetadata.h"
#include "samsa/p_findcoordinator.h"
#include "samsa/p_joingroup.h"
#include "samsa/p_syncgroup.h"
#include "samsa/p_heartbeat.h"
#include "samsa/p_leavegroup.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/p_listgroups.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_deletegroups.h"

typedef int (*dec_fn)(kread_t *kr, int16_t v, arena_t *ar, void *msg);
typedef void (*enc_fn)(kwrite_t *kw, int16_t v, const void *msg);

typedef struct fz_codec {
    int16_t key;
    dec_fn req_dec, resp_dec;
    enc_fn req_enc, resp_enc;
} fz_codec_t;

#define FZ_WRAP(fam, dir, type)                                                \
    static int fz_dec_##fam##_##dir(kread_t *kr, int16_t v, arena_t *ar,       \
                                    void *m)                                   \
    {                                                                          \
        return p_##fam##_##dir##_decode(kr, v, ar, (type *)m);                 \
    }                                                                          \
    static void fz_enc_##fam##_##dir(kwrite_t *kw, int16_t v, const void *m)   \
    {                                                                          \
        p_##fam##_##dir##_encode(kw, v, (const type *)m);                      \
    }

FZ_WRAP(apiversions, req, apiversions_req_t)
FZ_WRAP(apiversions, resp, apiversions_resp_t)
FZ_WRAP(metadata, req, metadata_req_t)
FZ_WRAP(metadata, resp, metadata_resp_t)
FZ_WRAP(produce, req, produce_req_t)
FZ_WRAP(produce, resp, produce_resp_t)
FZ_WRAP(fetch, req, fetch_req_t)
FZ_WRAP(fetch, resp, fetch_resp_t)
FZ_WRAP(listoffsets, req, listoffsets_req_t)
FZ_WRAP(listoffsets, resp, listoffsets_resp_t)
FZ_WRAP(deleterecords, req, deleterecords_req_t)
FZ_WRAP(deleterecords, resp, deleterecords_resp_t)
FZ_WRAP(createtopics, req, createtopics_req_t)
FZ_WRAP(createtopics, resp, createtopics_resp_t)
FZ_WRAP(deletetopics, req, deletetopics_req_t)
FZ_WRAP(deletetopics, resp, deletetopics_resp_t)
FZ_WRAP(createpartitions, req, createpartitions_req_t)
FZ_WRAP(createpartitions, resp, createpartitions_resp_t)
FZ_WRAP(describeconfigs, req, describeconfigs_req_t)
FZ_WRAP(describeconfigs, resp, describeconfigs_resp_t)
FZ_WRAP(describecluster, req, describecluster_req_t)
FZ_WRAP(describecluster, resp, describecluster_resp_t)
FZ_WRAP(leaderandisr, req, leaderandisr_req_t)
FZ_WRAP(leaderandisr, resp, leaderandisr_resp_t)
FZ_WRAP(updatemetadata, req, updatemetadata_req_t)
FZ_WRAP(updatemetadata, resp, updatemetadata_resp_t)
FZ_WRAP(stopreplica, req, stopreplica_req_t)
FZ_WRAP(stopreplica, resp, stopreplica_resp_t)
FZ_WRAP(controlledshutdown, req, controlledshutdown_req_t)
FZ_WRAP(controlledshutdown, resp, controlledshutdown_resp_t)
FZ_WRAP(findcoordinator, req, findcoordinator_req_t)
FZ_WRAP(findcoordinator, resp, findcoordinator_resp_t)
FZ_WRAP(joingroup, req, joingroup_req_t)
FZ_WRAP(joingroup, resp, joingroup_resp_t)
FZ_WRAP(syncgroup, req, syncgroup_req_t)
FZ_WRAP(syncgroup, resp, syncgroup_resp_t)
FZ_WRAP(heartbeat, req, heartbeat_req_t)
FZ_WRAP(heartbeat, resp, heartbeat_resp_t)
FZ_WRAP(leavegroup, req, leavegroup_req_t)
FZ_WRAP(leavegroup, resp, leavegroup_resp_t)
FZ_WRAP(offsetcommit, req, offsetcommit_req_t)
FZ_WRAP(offsetcommit, resp, offsetcommit_resp_t)
FZ_WRAP(offsetfetch, req, offsetfetch_req_t)
FZ_WRAP(offsetfetch, resp, offsetfetch_resp_t)
FZ_WRAP(listgroups, req, listgroups_req_t)
FZ_WRAP(listgroups, resp, listgroups_resp_t)
FZ_WRAP(describegroups, req, describegroups_req_t)
FZ_WRAP(describegroups, resp, describegroups_resp_t)
FZ_WRAP(deletegroups, req, deletegroups_req_t)
FZ_WRAP(deletegroups, resp, deletegroups_resp_t)
FZ_WRAP(alterconfigs, req, alterconfigs_req_t)
FZ_WRAP(alterconfigs, resp, alterconfigs_resp_t)
FZ_WRAP(incrementalalterconfigs, req, alterconfigs_req_t)
FZ_WRAP(incrementalalterconfigs, resp, alterconfigs_resp_t)

#define FZ_CODEC(k, fam)                                                       \
    {                                                                          \
        k, fz_dec_##fam##_req, fz_dec_##fam##_resp, fz_enc_##fam##_req,        \
            fz_enc_##fam##_resp                                                \
    }

static const fz_codec_t fz_codecs[] = {
    FZ_CODEC(API_API_VERSIONS, apiversions),
    FZ_CODEC(API_METADATA, metadata),
    FZ_CODEC(API_PRODUCE, produce),
    FZ_CODEC(API_FETCH, fetch),
    FZ_CODEC(API_LIST_OFFSETS, listoffsets),
    FZ_CODEC(API_DELETE_RECORDS, deleterecords),
    FZ_CODEC(API_CREATE_TOPICS, createtopics),
    FZ_CODEC(API_DELETE_TOPICS, deletetopics),
    FZ_CODEC(API_CREATE_PARTITIONS, createpartitions),
    FZ_CODEC(API_DESCRIBE_CONFIGS, describeconfigs),
    FZ_CODEC(API_DESCRIBE_CLUSTER, describecluster),
    FZ_CODEC(API_LEADER_AND_ISR, leaderandisr),
    FZ_CODEC(API_UPDATE_METADATA, updatemetadata),
    FZ_CODEC(API_STOP_REPLICA, stopreplica),
    FZ_CODEC(API_CONTROLLED_SHUTDOWN, controlledshutdown),
    FZ_CODEC(API_FIND_COORDINATOR, findcoordinator),
    FZ_CODEC(API_JOIN_GROUP, joingroup),
    FZ_CODEC(API_SYNC_GROUP, syncgroup),
    FZ_CODEC(API_HEARTBEAT, heartbeat),
    FZ_CODEC(API_LEAVE_GROUP, leavegroup),
    FZ_CODEC(API_OFFSET_COMMIT, offsetcommit),
    FZ_CODEC(API_OFFSET_FETCH, offsetfetch),
    FZ_CODEC(API_LIST_GROUPS, listgroups),
    FZ_CODEC(API_DESCRIBE_GROUPS, describegroups),
    FZ_CODEC(API_DELETE_GROUPS, deletegroups),
    FZ_CODEC(API_ALTER_CONFIGS, alterconfigs),
    FZ_CODEC(API_INCREMENTAL_ALTER_CONFIGS, incrementalalterconfigs),
};

#define FZ_NCODECS (sizeof(fz_codecs) / sizeof(fz_codecs[0]))

/* room for any of the message structs */
typedef union fz_msg {
    apiversions_req_t apiversions_req;
    apiversions_resp_t apiversions_resp;
    metadata_req_t metadata_req;
    metadata_resp_t metadata_resp;
    produce_req_t produce_req;
    produce_resp_t produce_resp;
    fetch_req_t fetch_req;
    fetch_resp_t fetch_resp;
    listoffsets_req_t listoffsets_req;
    listoffsets_resp_t listoffsets_resp;
    deleterecords_req_t deleterecords_req;
    deleterecords_resp_t deleterecords_resp;
    createtopics_req_t createtopics_req;
    createtopics_resp_t createtopics_resp;
    deletetopics_req_t deletetopics_req;
    deletetopics_resp_t deletetopics_resp;
    createpartitions_req_t createpartitions_req;
    createpartitions_resp_t createpartitions_resp;
    describeconfigs_req_t describeconfigs_req;
    describeconfigs_resp_t describeconfigs_resp;
    describecluster_req_t describecluster_req;
    describecluster_resp_t describecluster_resp;
    leaderandisr_req_t leaderandisr_req;
    leaderandisr_resp_t leaderandisr_resp;
    updatemetadata_req_t updatemetadata_req;
    updatemetadata_resp_t updatemetadata_resp;
    stopreplica_req_t stopreplica_req;
    stopreplica_resp_t stopreplica_resp;
    controlledshutdown_req_t controlledshutdown_req;
    controlledshutdown_resp_t controlledshutdown_resp;
    findcoordinator_req_t findcoordinator_req;
    findcoordinator_resp_t findcoordinator_resp;
    joingroup_req_t joingroup_req;
    joingroup_resp_t joingroup_resp;
    syncgroup_req_t syncgroup_req;
    syncgroup_resp_t syncgroup_resp;
    heartbeat_req_t heartbeat_req;
    heartbeat_resp_t heartbeat_resp;
    leavegroup_req_t leavegroup_req;
    leavegroup_resp_t leavegroup_resp;
    offsetcommit_req_t offsetcommit_req;
    offsetcommit_resp_t offsetcommit_resp;
    offsetfetch_req_t offsetfetch_req;
    offsetfetch_resp_t offsetfetch_resp;
    listgroups_req_t listgroups_req;
    listgroups_resp_t listgroups_resp;
    describegroups_req_t describegroups_req;
    describegroups_resp_t describegroups_resp;
    deletegroups_req_t deletegroups_req;
    deletegroups_resp_t deletegroups_resp;
    alterconfigs_req_t alterconfigs_req;
    alterconfigs_resp_t alterconfigs_resp;
} fz_msg_t;

static bool fz_ready;
static arena_t fz_arena;
static kwrite_t fz_kw;
static buf_t fz_out1 = BUF_INIT, fz_out2 = BUF_INIT;

static void
fz_encode(enc_fn enc, int16_t v, const void *msg, buf_t *out)
{
    kwrite_reset(&fz_kw);
    buf_reset(out);
    enc(&fz_kw, v, msg);
    if (kwrite_flatten(&fz_kw, out) != 0)
        abort();
}

/* decode @data as one body; if it decodes, check encode symmetry */
static void
fz_body(dec_fn dec, enc_fn enc, int16_t v, const uint8_t *data, size_t size)
{
    fz_msg_t msg, again;
    kread_t kr;

    kread_init(&kr, data, size);
    if (dec(&kr, v, &fz_arena, &msg) != 0)
        return;
    fz_encode(enc, v, &msg, &fz_out1);
    kread_init(&kr, fz_out1.data, fz_out1.len);
    if (dec(&kr, v, &fz_arena, &again) != 0 || kread_left(&kr) != 0)
        abort();
    fz_encode(enc, v, &again, &fz_out2);
    if (fz_out1.len != fz_out2.len ||
        (fz_out1.len > 0 &&
         memcmp(fz_out1.data, fz_out2.data, fz_out1.len) != 0))
        abort();
}

static const fz_codec_t *
fz_find(int16_t key)
{
    for (size_t i = 0; i < FZ_NCODECS; i++)
        if (fz_codecs[i].key == key)
            return &fz_codecs[i];
    return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    khdr_t hdr;
    kread_t kr;

    if (!fz_ready) {
        arena_init(&fz_arena);
        kwrite_init(&fz_kw);
        fz_ready = true;
    }
    /* 1. as a request frame, the way the broker dispatches it */
    if (khdr_peek(data, size, &hdr) == 0 &&
        kapi_supported(hdr.request_api_key, hdr.request_api_version)) {
        bool flex = kapi_flexible(hdr.request_api_key, hdr.request_api_version);
        const fz_codec_t *c = fz_find(hdr.request_api_key);

        kread_init(&kr, data, size);
        if (khdr_decode(&kr, &hdr, flex) == 0 && c != NULL)
            fz_body(c->req_dec, c->req_enc, hdr.request_api_version, kr.p,
                    kread_left(&kr));
        arena_reset(&fz_arena);
    }
    /* 2. as every request and response body */
    for (size_t i = 0; i < FZ_NCODECS; i++) {
        const fz_codec_t *c = &fz_codecs[i];
        const kapi_t *api = kapi_find(c->key);

        for (int16_t v = api->min_version; v <= api->max_version; v++) {
            fz_body(c->req_dec, c->req_enc, v, data, size);
            fz_body(c->resp_dec, c->resp_enc, v, data, size);
            arena_reset(&fz_arena);
        }
    }
    return 0;
}

/* ---- seeds: a small request of every served (api, version) ---- */

static void
fz_seed_body(kwrite_t *kw, int16_t key, int16_t v)
{
    static const uint8_t id[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                   9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t recs[] = "\0\0\0\0\0\0\0\0\0\0\0\x10\xff\xff\xff"
                                  "\xff\x02seed";
    static int32_t brokers[] = {1, 2, 3};
    kstr_t name = {"topic-a", 7}, val = {"compact", 7};

    switch (key) {
    case API_API_VERSIONS: {
        apiversions_req_t req = {{"samsa", 5}, {"1.0", 3}};
        p_apiversions_req_encode(kw, v, &req);
        break;
    }
    case API_METADATA: {
        metadata_req_topic_t t = {{0}, name};
        metadata_req_t req = {1, &t, true, true, true};
        memcpy(t.topic_id, id, 16);
        p_metadata_req_encode(kw, v, &req);
        break;
    }
    case API_PRODUCE: {
        produce_req_partition_t p = {0, {recs, sizeof(recs) - 1}};
        produce_req_topic_t t = {name, 1, &p};
        produce_req_t req = {{NULL, -1}, 1, 1000, 1, &t};
        p_produce_req_encode(kw, v, &req);
        break;
    }
    case API_FETCH: {
        fetch_req_partition_t p = {0, 3, 100, 2, 0, 1048576};
        fetch_req_topic_t t = {name, 1, &p};
        fetch_req_forgotten_t f = {name, 3, brokers};
        fetch_req_t req = {
            {"cluster", 7}, -1, 500, 1, 1 << 20, 0, 1, 2, 1, &t, 1, &f,
            {"rack", 4}};
        p_fetch_req_encode(kw, v, &req);
        break;
    }
    case API_LIST_OFFSETS: {
        listoffsets_req_partition_t p = {0, 1, -1, 1};
        listoffsets_req_topic_t t = {name, 1, &p};
        listoffsets_req_t req = {-1, 0, 1, &t};
        p_listoffsets_req_encode(kw, v, &req);
        break;
    }
    case API_DELETE_RECORDS: {
        deleterecords_req_partition_t p = {0, 5};
        deleterecords_req_topic_t t = {name, 1, &p};
        deleterecords_req_t req = {1, &t, 30000};
        p_deleterecords_req_encode(kw, v, &req);
        break;
    }
    case API_CREATE_TOPICS: {
        createtopics_req_assignment_t a = {0, 3, brokers};
        createtopics_req_config_t c = {{"cleanup.policy", 14}, val};
        createtopics_req_topic_t t = {name, -1, -1, 1, &a, 1, &c};
        createtopics_req_t req = {1, &t, 30000, false};
        p_createtopics_req_encode(kw, v, &req);
        break;
    }
    case API_DELETE_TOPICS: {
        deletetopics_req_topic_t t = {name, {0}};
        deletetopics_req_t req = {1, &t, 1, &name, 30000};
        memcpy(t.topic_id, id, 16);
        p_deletetopics_req_encode(kw, v, &req);
        break;
    }
    case API_CREATE_PARTITIONS: {
        createpartitions_req_assignment_t a = {3, brokers};
        createpartitions_req_topic_t t = {name, 2, 1, &a};
        createpartitions_req_t req = {1, &t, 30000, false};
        p_createpartitions_req_encode(kw, v, &req);
        break;
    }
    case API_DESCRIBE_CONFIGS: {
        kstr_t keys[] = {{"retention.ms", 12}};
        describeconfigs_req_resource_t r = {2, name, 1, keys};
        describeconfigs_req_t req = {1, &r, true, true};
        p_describeconfigs_req_encode(kw, v, &req);
        break;
    }
    case API_ALTER_CONFIGS:
    case API_INCREMENTAL_ALTER_CONFIGS: {
        alterconfigs_req_config_t c = {{"retention.ms", 12}, 0, val};
        alterconfigs_req_resource_t r = {2, name, 1, &c};
        alterconfigs_req_t req = {1, &r, false};
        if (key == API_ALTER_CONFIGS)
            p_alterconfigs_req_encode(kw, v, &req);
        else
            p_incrementalalterconfigs_req_encode(kw, v, &req);
        break;
    }
    case API_DESCRIBE_CLUSTER: {
        describecluster_req_t req = {true};
        p_describecluster_req_encode(kw, v, &req);
        break;
    }
    case API_LEADER_AND_ISR: {
        leaderandisr_partition_state_t ps = {name, 0,       1, 1,    2,
                                             3,    brokers, 0, 3,    brokers,
                                             0,    NULL,    0, NULL, true};
        leaderandisr_topic_state_t t = {name, {0}, 1, &ps};
        leaderandisr_live_leader_t l = {1, {"localhost", 9}, 9092};
        leaderandisr_req_t req = {1, 1, 100, 0, 1, &ps, 1, &t, 1, &l};
        memcpy(t.topic_id, id, 16);
        p_leaderandisr_req_encode(kw, v, &req);
        break;
    }
    case API_UPDATE_METADATA: {
        updatemetadata_partition_state_t ps = {name,    0, 1, 1,       2, 3,
                                               brokers, 0, 3, brokers, 0, NULL};
        updatemetadata_config_t c = {{"cleanup.policy", 14}, val};
        updatemetadata_topic_state_t t = {name, {0}, 1, &ps, 1, &c};
        updatemetadata_endpoint_t e = {
            9092, {"localhost", 9}, {"PLAINTEXT", 9}, 0};
        updatemetadata_broker_t b = {1,  {"localhost", 9}, 9092, 1,
                                     &e, {NULL, -1}};
        updatemetadata_req_t req = {1, 1, 100, 1, &ps, 1, &t, 1, &b};
        memcpy(t.topic_id, id, 16);
        p_updatemetadata_req_encode(kw, v, &req);
        break;
    }
    case API_STOP_REPLICA: {
        stopreplica_partition_v0_t p0 = {name, 0};
        stopreplica_topic_v1_t t1 = {name, 3, brokers};
        stopreplica_partition_state_t ps = {0, -2, true};
        stopreplica_topic_state_t t3 = {name, 1, &ps};
        stopreplica_req_t req = {1, 1, 100, true, 1, &p0, 1, &t1, 1, &t3};
        p_stopreplica_req_encode(kw, v, &req);
        break;
    }
    case API_CONTROLLED_SHUTDOWN: {
        controlledshutdown_req_t req = {2, 100};
        p_controlledshutdown_req_encode(kw, v, &req);
        break;
    }
    case API_FIND_COORDINATOR: {
        findcoordinator_req_t req = {{"g", 1}, 0};
        p_findcoordinator_req_encode(kw, v, &req);
        break;
    }
    case API_JOIN_GROUP: {
        joingroup_protocol_t p = {{"range", 5}, {(const uint8_t *)"m", 1}};
        joingroup_req_t req = {{"g", 1}, 10000,           30000, {"", 0},
                               {"i", 1}, {"consumer", 8}, 1,     &p};
        p_joingroup_req_encode(kw, v, &req);
        break;
    }
    case API_SYNC_GROUP: {
        syncgroup_assignment_t a = {{"m", 1}, {(const uint8_t *)"a", 1}};
        syncgroup_req_t req = {
            {"g", 1},     1, {"m", 1}, {NULL, -1}, {"consumer", 8},
            {"range", 5}, 1, &a};
        p_syncgroup_req_encode(kw, v, &req);
        break;
    }
    case API_HEARTBEAT: {
        heartbeat_req_t req = {{"g", 1}, 1, {"m", 1}, {NULL, -1}};
        p_heartbeat_req_encode(kw, v, &req);
        break;
    }
    case API_LEAVE_GROUP: {
        leavegroup_member_t m = {{"m", 1}, {NULL, -1}, 0};
        leavegroup_req_t req = {{"g", 1}, {"m", 1}, 1, &m};
        p_leavegroup_req_encode(kw, v, &req);
        break;
    }
    case API_OFFSET_COMMIT: {
        offsetcommit_req_partition_t p = {0, 42, 1, -1, {"md", 2}};
        offsetcommit_req_topic_t t = {name, 1, &p};
        offsetcommit_req_t req = {{"g", 1}, 1, {"m", 1}, {NULL, -1}, -1, 1, &t};
        p_offsetcommit_req_encode(kw, v, &req);
        break;
    }
    case API_OFFSET_FETCH: {
        offsetfetch_req_topic_t t = {name, 3, brokers};
        offsetfetch_req_t req = {{"g", 1}, 1, &t, false};
        p_offsetfetch_req_encode(kw, v, &req);
        break;
    }
    case API_LIST_GROUPS: {
        kstr_t st = {"Stable", 6};
        listgroups_req_t req = {1, &st};
        p_listgroups_req_encode(kw, v, &req);
        break;
    }
    case API_DESCRIBE_GROUPS: {
        kstr_t g = {"g", 1};
        describegroups_req_t req = {1, &g, true};
        p_describegroups_req_encode(kw, v, &req);
        break;
    }
    case API_DELETE_GROUPS: {
        kstr_t g = {"g", 1};
        deletegroups_req_t req = {1, &g};
        p_deletegroups_req_encode(kw, v, &req);
        break;
    }
    default: break;
    }
}

int
fuzz_seed(buf_t *out, int i)
{
    int n = 0;

    for (size_t c = 0; c < FZ_NCODECS; c++) {
        const kapi_t *api = kapi_find(fz_codecs[c].key);

        for (int16_t v = api->min_version; v <= api->max_version; v++) {
            kwrite_t kw;

            if (n++ != i)
                continue;
            kwrite_init(&kw);
            khdr_encode_request(&kw, api->key, v, i, "fuzz",
                                kapi_flexible(api->key, v));
            fz_seed_body(&kw, api->key, v);
            if (kwrite_flatten(&kw, out) != 0)
                abort();
            kwrite_fini(&kw);
            return 1;
        }
    }
    return 0;
}
