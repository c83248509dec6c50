/*
 * test_p_group.c: the group coordinator codecs (p_findcoordinator.c,
 * p_joingroup.c, p_syncgroup.c, p_heartbeat.c, p_leavegroup.c,
 * p_offsetcommit.c, p_offsetfetch.c, p_listgroups.c, p_describegroups.c,
 * p_deletegroups.c, p_offsetdelete.c).
 *
 * For every Kafka 2.8.0 version, a request and a response with non-default
 * values round-trip (encode, decode, compare field by field, re-encode to
 * the same bytes); fields the version lacks come back as their defaults.
 * Every strict prefix of every encoding fails with ERR_PROTO; versions past
 * the range are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_deletegroups.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_findcoordinator.h"
#include "samsa/p_heartbeat.h"
#include "samsa/p_joingroup.h"
#include "samsa/p_leavegroup.h"
#include "samsa/p_listgroups.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/p_offsetdelete.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/p_syncgroup.h"
#include "codec_util.h"
#include "unit.h"

static kstr_t
S(const char *s)
{
    kstr_t k = {s, (int32_t)strlen(s)};
    return k;
}

static kbytes_t
B(const char *s)
{
    kbytes_t b = {(const uint8_t *)s, (int32_t)strlen(s)};
    return b;
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
#define CHECK_BYTES(a, b) CU_ASSERT(bytes_same((a), (b)))
/* a field present from version @since, else its default */
#define SINCE(v, since, val, dflt) ((v) >= (since) ? (val) : (dflt))

/* ---- FindCoordinator ---- */

CODEC_WRAP(findcoordinator, req, findcoordinator_req_t)
CODEC_WRAP(findcoordinator, resp, findcoordinator_resp_t)

static void
fill_findcoordinator_req(arena_t *ar, void *m)
{
    findcoordinator_req_t *req = m;

    (void)ar;
    req->key = S("my-group");
    req->key_type = 1;
}

static void
check_findcoordinator_req(int16_t v, const void *o_, const void *g_)
{
    const findcoordinator_req_t *o = o_, *g = g_;

    CHECK_STR(g->key, o->key);
    CU_ASSERT_EQUAL(g->key_type, SINCE(v, 1, o->key_type, 0));
}

static void
fill_findcoordinator_resp(arena_t *ar, void *m)
{
    findcoordinator_resp_t *resp = m;

    (void)ar;
    resp->throttle_time_ms = 5;
    resp->error_code = 15;
    resp->error_message = S("not available");
    resp->node_id = 3;
    resp->host = S("broker-3");
    resp->port = 9094;
}

static void
check_findcoordinator_resp(int16_t v, const void *o_, const void *g_)
{
    const findcoordinator_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CHECK_STR(g->error_message, v >= 1 ? o->error_message : SNULL);
    CU_ASSERT_EQUAL(g->node_id, o->node_id);
    CHECK_STR(g->host, o->host);
    CU_ASSERT_EQUAL(g->port, o->port);
}

/* ---- JoinGroup ---- */

CODEC_WRAP(joingroup, req, joingroup_req_t)
CODEC_WRAP(joingroup, resp, joingroup_resp_t)

static void
fill_joingroup_req(arena_t *ar, void *m)
{
    joingroup_req_t *req = m;

    req->group_id = S("g1");
    req->session_timeout_ms = 10000;
    req->rebalance_timeout_ms = 30000;
    req->member_id = S("rdkafka-1234");
    req->group_instance_id = S("static-1");
    req->protocol_type = S("consumer");
    req->nprotocols = 2;
    req->protocols = arena_calloc(ar, 2, sizeof(*req->protocols));
    req->protocols[0].name = S("range");
    req->protocols[0].metadata = B("\x00\x01meta");
    req->protocols[1].name = S("roundrobin");
    req->protocols[1].metadata = B("");
}

static void
check_joingroup_req(int16_t v, const void *o_, const void *g_)
{
    const joingroup_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL(g->session_timeout_ms, o->session_timeout_ms);
    CU_ASSERT_EQUAL(g->rebalance_timeout_ms,
                    SINCE(v, 1, o->rebalance_timeout_ms, -1));
    CHECK_STR(g->member_id, o->member_id);
    CHECK_STR(g->group_instance_id, v >= 5 ? o->group_instance_id : SNULL);
    CHECK_STR(g->protocol_type, o->protocol_type);
    CU_ASSERT_EQUAL_FATAL(g->nprotocols, o->nprotocols);
    for (int32_t i = 0; i < o->nprotocols; i++) {
        CHECK_STR(g->protocols[i].name, o->protocols[i].name);
        CHECK_BYTES(g->protocols[i].metadata, o->protocols[i].metadata);
    }
}

static void
fill_joingroup_resp(arena_t *ar, void *m)
{
    joingroup_resp_t *resp = m;

    resp->throttle_time_ms = 7;
    resp->error_code = 79;
    resp->generation_id = 12;
    resp->protocol_type = S("consumer");
    resp->protocol_name = S("range");
    resp->leader = S("m-1");
    resp->member_id = S("m-2");
    resp->nmembers = 2;
    resp->members = arena_calloc(ar, 2, sizeof(*resp->members));
    resp->members[0].member_id = S("m-1");
    resp->members[0].group_instance_id = S("i-1");
    resp->members[0].metadata = B("abc");
    resp->members[1].member_id = S("m-2");
    resp->members[1].group_instance_id = SNULL;
    resp->members[1].metadata = B("de");
}

static void
check_joingroup_resp(int16_t v, const void *o_, const void *g_)
{
    const joingroup_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 2, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL(g->generation_id, o->generation_id);
    CHECK_STR(g->protocol_type, v >= 7 ? o->protocol_type : SNULL);
    CHECK_STR(g->protocol_name, o->protocol_name);
    CHECK_STR(g->leader, o->leader);
    CHECK_STR(g->member_id, o->member_id);
    CU_ASSERT_EQUAL_FATAL(g->nmembers, o->nmembers);
    for (int32_t i = 0; i < o->nmembers; i++) {
        CHECK_STR(g->members[i].member_id, o->members[i].member_id);
        CHECK_STR(g->members[i].group_instance_id,
                  v >= 5 ? o->members[i].group_instance_id : SNULL);
        CHECK_BYTES(g->members[i].metadata, o->members[i].metadata);
    }
}

/* ---- SyncGroup ---- */

CODEC_WRAP(syncgroup, req, syncgroup_req_t)
CODEC_WRAP(syncgroup, resp, syncgroup_resp_t)

static void
fill_syncgroup_req(arena_t *ar, void *m)
{
    syncgroup_req_t *req = m;

    req->group_id = S("g1");
    req->generation_id = 4;
    req->member_id = S("m-1");
    req->group_instance_id = S("i-1");
    req->protocol_type = S("consumer");
    req->protocol_name = S("roundrobin");
    req->nassignments = 2;
    req->assignments = arena_calloc(ar, 2, sizeof(*req->assignments));
    req->assignments[0].member_id = S("m-1");
    req->assignments[0].assignment = B("a1");
    req->assignments[1].member_id = S("m-2");
    req->assignments[1].assignment = B("a22");
}

static void
check_syncgroup_req(int16_t v, const void *o_, const void *g_)
{
    const syncgroup_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL(g->generation_id, o->generation_id);
    CHECK_STR(g->member_id, o->member_id);
    CHECK_STR(g->group_instance_id, v >= 3 ? o->group_instance_id : SNULL);
    CHECK_STR(g->protocol_type, v >= 5 ? o->protocol_type : SNULL);
    CHECK_STR(g->protocol_name, v >= 5 ? o->protocol_name : SNULL);
    CU_ASSERT_EQUAL_FATAL(g->nassignments, o->nassignments);
    for (int32_t i = 0; i < o->nassignments; i++) {
        CHECK_STR(g->assignments[i].member_id, o->assignments[i].member_id);
        CHECK_BYTES(g->assignments[i].assignment, o->assignments[i].assignment);
    }
}

static void
fill_syncgroup_resp(arena_t *ar, void *m)
{
    syncgroup_resp_t *resp = m;

    (void)ar;
    resp->throttle_time_ms = 3;
    resp->error_code = 27;
    resp->protocol_type = S("consumer");
    resp->protocol_name = S("range");
    resp->assignment = B("\x00\x01xyz");
}

static void
check_syncgroup_resp(int16_t v, const void *o_, const void *g_)
{
    const syncgroup_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CHECK_STR(g->protocol_type, v >= 5 ? o->protocol_type : SNULL);
    CHECK_STR(g->protocol_name, v >= 5 ? o->protocol_name : SNULL);
    CHECK_BYTES(g->assignment, o->assignment);
}

/* ---- Heartbeat ---- */

CODEC_WRAP(heartbeat, req, heartbeat_req_t)
CODEC_WRAP(heartbeat, resp, heartbeat_resp_t)

static void
fill_heartbeat_req(arena_t *ar, void *m)
{
    heartbeat_req_t *req = m;

    (void)ar;
    req->group_id = S("g1");
    req->generation_id = 9;
    req->member_id = S("m-1");
    req->group_instance_id = S("i-1");
}

static void
check_heartbeat_req(int16_t v, const void *o_, const void *g_)
{
    const heartbeat_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL(g->generation_id, o->generation_id);
    CHECK_STR(g->member_id, o->member_id);
    CHECK_STR(g->group_instance_id, v >= 3 ? o->group_instance_id : SNULL);
}

static void
fill_heartbeat_resp(arena_t *ar, void *m)
{
    heartbeat_resp_t *resp = m;

    (void)ar;
    resp->throttle_time_ms = 2;
    resp->error_code = 22;
}

static void
check_heartbeat_resp(int16_t v, const void *o_, const void *g_)
{
    const heartbeat_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
}

/* ---- LeaveGroup ---- */

CODEC_WRAP(leavegroup, req, leavegroup_req_t)
CODEC_WRAP(leavegroup, resp, leavegroup_resp_t)

static void
fill_leavegroup_req(arena_t *ar, void *m)
{
    leavegroup_req_t *req = m;

    req->group_id = S("g1");
    req->member_id = S("m-1");
    req->nmembers = 2;
    req->members = arena_calloc(ar, 2, sizeof(*req->members));
    req->members[0].member_id = S("m-1");
    req->members[0].group_instance_id = SNULL;
    req->members[1].member_id = S("");
    req->members[1].group_instance_id = S("i-2");
}

static void
check_leavegroup_req(int16_t v, const void *o_, const void *g_)
{
    const leavegroup_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    if (v <= 2) {
        CHECK_STR(g->member_id, o->member_id);
        CU_ASSERT_EQUAL(g->nmembers, 0);
        return;
    }
    CHECK_STR(g->member_id, SEMPTY);
    CU_ASSERT_EQUAL_FATAL(g->nmembers, o->nmembers);
    for (int32_t i = 0; i < o->nmembers; i++) {
        CHECK_STR(g->members[i].member_id, o->members[i].member_id);
        CHECK_STR(g->members[i].group_instance_id,
                  o->members[i].group_instance_id);
    }
}

static void
fill_leavegroup_resp(arena_t *ar, void *m)
{
    leavegroup_resp_t *resp = m;

    resp->throttle_time_ms = 1;
    resp->error_code = 25;
    resp->nmembers = 2;
    resp->members = arena_calloc(ar, 2, sizeof(*resp->members));
    resp->members[0].member_id = S("m-1");
    resp->members[0].group_instance_id = SNULL;
    resp->members[0].error_code = 0;
    resp->members[1].member_id = S("m-2");
    resp->members[1].group_instance_id = S("i-2");
    resp->members[1].error_code = 82;
}

static void
check_leavegroup_resp(int16_t v, const void *o_, const void *g_)
{
    const leavegroup_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    if (v <= 2) {
        CU_ASSERT_EQUAL(g->nmembers, 0);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(g->nmembers, o->nmembers);
    for (int32_t i = 0; i < o->nmembers; i++) {
        CHECK_STR(g->members[i].member_id, o->members[i].member_id);
        CHECK_STR(g->members[i].group_instance_id,
                  o->members[i].group_instance_id);
        CU_ASSERT_EQUAL(g->members[i].error_code, o->members[i].error_code);
    }
}

/* ---- OffsetCommit ---- */

CODEC_WRAP(offsetcommit, req, offsetcommit_req_t)
CODEC_WRAP(offsetcommit, resp, offsetcommit_resp_t)

static void
fill_offsetcommit_req(arena_t *ar, void *m)
{
    offsetcommit_req_t *req = m;
    offsetcommit_req_topic_t *t;

    req->group_id = S("g1");
    req->generation_id = 3;
    req->member_id = S("m-1");
    req->group_instance_id = S("i-1");
    req->retention_time_ms = 86400000;
    req->ntopics = 2;
    req->topics = t = arena_calloc(ar, 2, sizeof(*t));
    t[0].name = S("orders");
    t[0].npartitions = 2;
    t[0].partitions = arena_calloc(ar, 2, sizeof(*t[0].partitions));
    t[0].partitions[0].partition_index = 0;
    t[0].partitions[0].committed_offset = 1234567890123LL;
    t[0].partitions[0].committed_leader_epoch = 4;
    t[0].partitions[0].commit_timestamp = 1600000000000LL;
    t[0].partitions[0].committed_metadata = S("meta");
    t[0].partitions[1].partition_index = 5;
    t[0].partitions[1].committed_offset = 0;
    t[0].partitions[1].committed_leader_epoch = -1;
    t[0].partitions[1].commit_timestamp = -1;
    t[0].partitions[1].committed_metadata = SNULL;
    t[1].name = S("clicks");
}

static void
check_offsetcommit_req(int16_t v, const void *o_, const void *g_)
{
    const offsetcommit_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL(g->generation_id, SINCE(v, 1, o->generation_id, -1));
    CHECK_STR(g->member_id, v >= 1 ? o->member_id : SEMPTY);
    CHECK_STR(g->group_instance_id, v >= 7 ? o->group_instance_id : SNULL);
    CU_ASSERT_EQUAL(g->retention_time_ms,
                    (v >= 2 && v <= 4) ? o->retention_time_ms : -1);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int32_t i = 0; i < o->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CU_ASSERT_EQUAL_FATAL(g->topics[i].npartitions,
                              o->topics[i].npartitions);
        for (int32_t j = 0; j < o->topics[i].npartitions; j++) {
            const offsetcommit_req_partition_t *op =
                &o->topics[i].partitions[j];
            const offsetcommit_req_partition_t *gp =
                &g->topics[i].partitions[j];

            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->committed_offset, op->committed_offset);
            CU_ASSERT_EQUAL(gp->committed_leader_epoch,
                            SINCE(v, 6, op->committed_leader_epoch, -1));
            CU_ASSERT_EQUAL(gp->commit_timestamp,
                            v == 1 ? op->commit_timestamp : -1);
            CHECK_STR(gp->committed_metadata, op->committed_metadata);
        }
    }
}

static void
fill_offsetcommit_resp(arena_t *ar, void *m)
{
    offsetcommit_resp_t *resp = m;
    offsetcommit_resp_topic_t *t;

    resp->throttle_time_ms = 9;
    resp->ntopics = 1;
    resp->topics = t = arena_calloc(ar, 1, sizeof(*t));
    t->name = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    t->partitions[0].partition_index = 0;
    t->partitions[0].error_code = 0;
    t->partitions[1].partition_index = 1;
    t->partitions[1].error_code = 22;
}

static void
check_offsetcommit_resp(int16_t v, const void *o_, const void *g_)
{
    const offsetcommit_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 3, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int32_t i = 0; i < o->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CU_ASSERT_EQUAL_FATAL(g->topics[i].npartitions,
                              o->topics[i].npartitions);
        for (int32_t j = 0; j < o->topics[i].npartitions; j++) {
            CU_ASSERT_EQUAL(g->topics[i].partitions[j].partition_index,
                            o->topics[i].partitions[j].partition_index);
            CU_ASSERT_EQUAL(g->topics[i].partitions[j].error_code,
                            o->topics[i].partitions[j].error_code);
        }
    }
}

/* ---- OffsetFetch ---- */

CODEC_WRAP(offsetfetch, req, offsetfetch_req_t)
CODEC_WRAP(offsetfetch, resp, offsetfetch_resp_t)

static void
fill_offsetfetch_req(arena_t *ar, void *m)
{
    offsetfetch_req_t *req = m;

    req->group_id = S("g1");
    req->ntopics = 1;
    req->topics = arena_calloc(ar, 1, sizeof(*req->topics));
    req->topics[0].name = S("orders");
    req->topics[0].npartition_indexes = 3;
    req->topics[0].partition_indexes = arena_calloc(ar, 3, sizeof(int32_t));
    req->topics[0].partition_indexes[0] = 0;
    req->topics[0].partition_indexes[1] = 2;
    req->topics[0].partition_indexes[2] = 4;
    req->require_stable = true;
}

static void
check_offsetfetch_req(int16_t v, const void *o_, const void *g_)
{
    const offsetfetch_req_t *o = o_, *g = g_;

    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int32_t i = 0; i < o->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CU_ASSERT_EQUAL_FATAL(g->topics[i].npartition_indexes,
                              o->topics[i].npartition_indexes);
        CU_ASSERT(memcmp(g->topics[i].partition_indexes,
                         o->topics[i].partition_indexes,
                         sizeof(int32_t) *
                             (size_t)o->topics[i].npartition_indexes) == 0);
    }
    CU_ASSERT_EQUAL(g->require_stable, v >= 7 ? o->require_stable : false);
}

static void
fill_offsetfetch_resp(arena_t *ar, void *m)
{
    offsetfetch_resp_t *resp = m;
    offsetfetch_resp_topic_t *t;

    resp->throttle_time_ms = 4;
    resp->ntopics = 1;
    resp->topics = t = arena_calloc(ar, 1, sizeof(*t));
    t->name = S("orders");
    t->npartitions = 2;
    t->partitions = arena_calloc(ar, 2, sizeof(*t->partitions));
    t->partitions[0].partition_index = 0;
    t->partitions[0].committed_offset = 42;
    t->partitions[0].committed_leader_epoch = 3;
    t->partitions[0].metadata = S("m");
    t->partitions[0].error_code = 0;
    t->partitions[1].partition_index = 1;
    t->partitions[1].committed_offset = -1;
    t->partitions[1].committed_leader_epoch = -1;
    t->partitions[1].metadata = SNULL;
    t->partitions[1].error_code = 3;
    resp->error_code = 14;
}

static void
check_offsetfetch_resp(int16_t v, const void *o_, const void *g_)
{
    const offsetfetch_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 3, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, SINCE(v, 2, o->error_code, 0));
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    for (int32_t i = 0; i < o->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CU_ASSERT_EQUAL_FATAL(g->topics[i].npartitions,
                              o->topics[i].npartitions);
        for (int32_t j = 0; j < o->topics[i].npartitions; j++) {
            const offsetfetch_resp_partition_t *op =
                &o->topics[i].partitions[j];
            const offsetfetch_resp_partition_t *gp =
                &g->topics[i].partitions[j];

            CU_ASSERT_EQUAL(gp->partition_index, op->partition_index);
            CU_ASSERT_EQUAL(gp->committed_offset, op->committed_offset);
            CU_ASSERT_EQUAL(gp->committed_leader_epoch,
                            SINCE(v, 5, op->committed_leader_epoch, -1));
            CHECK_STR(gp->metadata, op->metadata);
            CU_ASSERT_EQUAL(gp->error_code, op->error_code);
        }
    }
}

/* ---- ListGroups ---- */

CODEC_WRAP(listgroups, req, listgroups_req_t)
CODEC_WRAP(listgroups, resp, listgroups_resp_t)

static void
fill_listgroups_req(arena_t *ar, void *m)
{
    listgroups_req_t *req = m;

    req->nstates_filter = 2;
    req->states_filter = arena_calloc(ar, 2, sizeof(kstr_t));
    req->states_filter[0] = S("Stable");
    req->states_filter[1] = S("Empty");
}

static void
check_listgroups_req(int16_t v, const void *o_, const void *g_)
{
    const listgroups_req_t *o = o_, *g = g_;

    if (v < 4) {
        CU_ASSERT_EQUAL(g->nstates_filter, 0);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(g->nstates_filter, o->nstates_filter);
    for (int32_t i = 0; i < o->nstates_filter; i++)
        CHECK_STR(g->states_filter[i], o->states_filter[i]);
}

static void
fill_listgroups_resp(arena_t *ar, void *m)
{
    listgroups_resp_t *resp = m;

    resp->throttle_time_ms = 1;
    resp->error_code = 0;
    resp->ngroups = 2;
    resp->groups = arena_calloc(ar, 2, sizeof(*resp->groups));
    resp->groups[0].group_id = S("g1");
    resp->groups[0].protocol_type = S("consumer");
    resp->groups[0].group_state = S("Stable");
    resp->groups[1].group_id = S("g2");
    resp->groups[1].protocol_type = S("");
    resp->groups[1].group_state = S("Empty");
}

static void
check_listgroups_resp(int16_t v, const void *o_, const void *g_)
{
    const listgroups_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL_FATAL(g->ngroups, o->ngroups);
    for (int32_t i = 0; i < o->ngroups; i++) {
        CHECK_STR(g->groups[i].group_id, o->groups[i].group_id);
        CHECK_STR(g->groups[i].protocol_type, o->groups[i].protocol_type);
        CHECK_STR(g->groups[i].group_state,
                  v >= 4 ? o->groups[i].group_state : SEMPTY);
    }
}

/* ---- DescribeGroups ---- */

CODEC_WRAP(describegroups, req, describegroups_req_t)
CODEC_WRAP(describegroups, resp, describegroups_resp_t)

static void
fill_describegroups_req(arena_t *ar, void *m)
{
    describegroups_req_t *req = m;

    req->ngroups = 2;
    req->groups = arena_calloc(ar, 2, sizeof(kstr_t));
    req->groups[0] = S("g1");
    req->groups[1] = S("g2");
    req->include_authorized_operations = true;
}

static void
check_describegroups_req(int16_t v, const void *o_, const void *g_)
{
    const describegroups_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL_FATAL(g->ngroups, o->ngroups);
    for (int32_t i = 0; i < o->ngroups; i++)
        CHECK_STR(g->groups[i], o->groups[i]);
    CU_ASSERT_EQUAL(g->include_authorized_operations,
                    v >= 3 ? o->include_authorized_operations : false);
}

static void
fill_describegroups_resp(arena_t *ar, void *m)
{
    describegroups_resp_t *resp = m;
    describegroups_group_t *g;

    resp->throttle_time_ms = 6;
    resp->ngroups = 2;
    resp->groups = g = arena_calloc(ar, 2, sizeof(*g));
    g[0].error_code = 0;
    g[0].group_id = S("g1");
    g[0].group_state = S("Stable");
    g[0].protocol_type = S("consumer");
    g[0].protocol_data = S("range");
    g[0].nmembers = 1;
    g[0].members = arena_calloc(ar, 1, sizeof(*g[0].members));
    g[0].members[0].member_id = S("m-1");
    g[0].members[0].group_instance_id = S("i-1");
    g[0].members[0].client_id = S("rdkafka");
    g[0].members[0].client_host = S("/127.0.0.1");
    g[0].members[0].member_metadata = B("md");
    g[0].members[0].member_assignment = B("asg");
    g[0].authorized_operations = 0x3f;
    g[1].error_code = 69;
    g[1].group_id = S("g2");
    g[1].group_state = S("Dead");
    g[1].protocol_type = S("");
    g[1].protocol_data = S("");
    g[1].authorized_operations = INT32_MIN;
}

static void
check_describegroups_resp(int16_t v, const void *o_, const void *g_)
{
    const describegroups_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->throttle_time_ms, SINCE(v, 1, o->throttle_time_ms, 0));
    CU_ASSERT_EQUAL_FATAL(g->ngroups, o->ngroups);
    for (int32_t i = 0; i < o->ngroups; i++) {
        const describegroups_group_t *og = &o->groups[i], *gg = &g->groups[i];

        CU_ASSERT_EQUAL(gg->error_code, og->error_code);
        CHECK_STR(gg->group_id, og->group_id);
        CHECK_STR(gg->group_state, og->group_state);
        CHECK_STR(gg->protocol_type, og->protocol_type);
        CHECK_STR(gg->protocol_data, og->protocol_data);
        CU_ASSERT_EQUAL(gg->authorized_operations,
                        SINCE(v, 3, og->authorized_operations, INT32_MIN));
        CU_ASSERT_EQUAL_FATAL(gg->nmembers, og->nmembers);
        for (int32_t j = 0; j < og->nmembers; j++) {
            const describegroups_member_t *om = &og->members[j];
            const describegroups_member_t *gm = &gg->members[j];

            CHECK_STR(gm->member_id, om->member_id);
            CHECK_STR(gm->group_instance_id,
                      v >= 4 ? om->group_instance_id : SNULL);
            CHECK_STR(gm->client_id, om->client_id);
            CHECK_STR(gm->client_host, om->client_host);
            CHECK_BYTES(gm->member_metadata, om->member_metadata);
            CHECK_BYTES(gm->member_assignment, om->member_assignment);
        }
    }
}

/* ---- DeleteGroups ---- */

CODEC_WRAP(deletegroups, req, deletegroups_req_t)
CODEC_WRAP(deletegroups, resp, deletegroups_resp_t)

static void
fill_deletegroups_req(arena_t *ar, void *m)
{
    deletegroups_req_t *req = m;

    req->ngroups_names = 2;
    req->groups_names = arena_calloc(ar, 2, sizeof(kstr_t));
    req->groups_names[0] = S("g1");
    req->groups_names[1] = S("old-group");
}

static void
check_deletegroups_req(int16_t v, const void *o_, const void *g_)
{
    const deletegroups_req_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL_FATAL(g->ngroups_names, o->ngroups_names);
    for (int32_t i = 0; i < o->ngroups_names; i++)
        CHECK_STR(g->groups_names[i], o->groups_names[i]);
}

static void
fill_deletegroups_resp(arena_t *ar, void *m)
{
    deletegroups_resp_t *resp = m;

    resp->throttle_time_ms = 8;
    resp->nresults = 2;
    resp->results = arena_calloc(ar, 2, sizeof(*resp->results));
    resp->results[0].group_id = S("g1");
    resp->results[0].error_code = 68;
    resp->results[1].group_id = S("old-group");
    resp->results[1].error_code = 0;
}

static void
check_deletegroups_resp(int16_t v, const void *o_, const void *g_)
{
    const deletegroups_resp_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL_FATAL(g->nresults, o->nresults);
    for (int32_t i = 0; i < o->nresults; i++) {
        CHECK_STR(g->results[i].group_id, o->results[i].group_id);
        CU_ASSERT_EQUAL(g->results[i].error_code, o->results[i].error_code);
    }
}

/* ---- OffsetDelete ---- */

CODEC_WRAP(offsetdelete, req, offsetdelete_req_t)
CODEC_WRAP(offsetdelete, resp, offsetdelete_resp_t)

static offsetdelete_topic_t *
od_topics(arena_t *ar, bool resp)
{
    offsetdelete_topic_t *t = arena_calloc(ar, 2, sizeof(*t));

    t[0].name = S("orders");
    t[0].npartitions = 2;
    t[0].partitions = arena_calloc(ar, 2, sizeof(*t[0].partitions));
    t[0].partitions[0].partition_index = 1;
    t[0].partitions[0].error_code = resp ? 86 : 0;
    t[0].partitions[1].partition_index = 3;
    t[1].name = S("clicks");
    return t;
}

static void
fill_offsetdelete_req(arena_t *ar, void *m)
{
    offsetdelete_req_t *req = m;

    req->group_id = S("g1");
    req->ntopics = 2;
    req->topics = od_topics(ar, false);
}

static void
check_od_topics(int32_t n, const offsetdelete_topic_t *o,
                const offsetdelete_topic_t *g)
{
    for (int32_t i = 0; i < n; i++) {
        CHECK_STR(g[i].name, o[i].name);
        CU_ASSERT_EQUAL_FATAL(g[i].npartitions, o[i].npartitions);
        for (int32_t j = 0; j < o[i].npartitions; j++) {
            CU_ASSERT_EQUAL(g[i].partitions[j].partition_index,
                            o[i].partitions[j].partition_index);
            CU_ASSERT_EQUAL(g[i].partitions[j].error_code,
                            o[i].partitions[j].error_code);
        }
    }
}

static void
check_offsetdelete_req(int16_t v, const void *o_, const void *g_)
{
    const offsetdelete_req_t *o = o_, *g = g_;

    (void)v;
    CHECK_STR(g->group_id, o->group_id);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    check_od_topics(o->ntopics, o->topics, g->topics);
}

static void
fill_offsetdelete_resp(arena_t *ar, void *m)
{
    offsetdelete_resp_t *resp = m;

    resp->error_code = 0;
    resp->throttle_time_ms = 2;
    resp->ntopics = 2;
    resp->topics = od_topics(ar, true);
}

static void
check_offsetdelete_resp(int16_t v, const void *o_, const void *g_)
{
    const offsetdelete_resp_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL(g->throttle_time_ms, o->throttle_time_ms);
    CU_ASSERT_EQUAL_FATAL(g->ntopics, o->ntopics);
    check_od_topics(o->ntopics, o->topics, g->topics);
}

/* ---- the table ---- */

#define CODEC(fam, dir, type, lo, hi)                                          \
    {                                                                          \
        .name = #fam "_" #dir, .vmin = lo, .vmax = hi, .size = sizeof(type),   \
        .fill = fill_##fam##_##dir, .decode = dec_##fam##_##dir,               \
        .encode = enc_##fam##_##dir, .check = check_##fam##_##dir              \
    }
#define CODEC2(fam, lo, hi)                                                    \
    CODEC(fam, req, fam##_req_t, lo, hi), CODEC(fam, resp, fam##_resp_t, lo, hi)

/* Kafka 2.8.0 ranges (DESIGN §7) */
static const codec_t codecs[] = {
    CODEC2(findcoordinator, 0, 3), CODEC2(joingroup, 0, 7),
    CODEC2(syncgroup, 0, 5),       CODEC2(heartbeat, 0, 4),
    CODEC2(leavegroup, 0, 4),      CODEC2(offsetcommit, 0, 8),
    CODEC2(offsetfetch, 0, 7),     CODEC2(listgroups, 0, 4),
    CODEC2(describegroups, 0, 5),  CODEC2(deletegroups, 0, 2),
    CODEC2(offsetdelete, 0, 0),
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* ---- tests ---- */

static void
test_every_group_api_version_round_trips_field_by_field(void)
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
    CU_ASSERT_EQUAL(rounds, 2 * (4 + 8 + 6 + 5 + 5 + 9 + 8 + 5 + 6 + 3 + 1));
}

static void
test_every_group_api_truncation_fails_with_err_proto(void)
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
            }
            buf_fini(&b);
            free(orig);
            free(got);
            arena_fini(&ar);
        }
    }
}

static void
test_group_api_unserved_versions_are_rejected(void)
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

/* the ranges above are the API table's (OffsetDelete is not in it yet) */
static void
test_group_api_ranges_match_the_api_table(void)
{
    static const struct {
        int16_t key, max, flex;
    } apis[] = {
        {API_FIND_COORDINATOR, 3, 3}, {API_JOIN_GROUP, 7, 6},
        {API_SYNC_GROUP, 5, 4},       {API_HEARTBEAT, 4, 4},
        {API_LEAVE_GROUP, 4, 4},      {API_OFFSET_COMMIT, 8, 8},
        {API_OFFSET_FETCH, 7, 6},     {API_LIST_GROUPS, 4, 3},
        {API_DESCRIBE_GROUPS, 5, 5},  {API_DELETE_GROUPS, 2, 2},
    };

    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
        const kapi_t *api = kapi_find(apis[i].key);

        CU_ASSERT_PTR_NOT_NULL_FATAL(api);
        CU_ASSERT_EQUAL(api->min_version, 0);
        CU_ASSERT_EQUAL(api->max_version, apis[i].max);
        CU_ASSERT_FALSE(kapi_flexible(apis[i].key, apis[i].flex - 1));
        CU_ASSERT_TRUE(kapi_flexible(apis[i].key, apis[i].flex));
    }
}

/* OffsetFetch v2+ null topics means every partition; v0-1 cannot say so */
static void
test_offsetfetch_null_topics_from_v2(void)
{
    offsetfetch_req_t req = {S("g"), -1, NULL, false}, got;
    arena_t ar;

    arena_init(&ar);
    for (int16_t v = 0; v <= 7; v++) {
        buf_t b = BUF_INIT;
        kwrite_t kw;
        kread_t kr;

        kwrite_init(&kw);
        p_offsetfetch_req_encode(&kw, v, &req);
        CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, &b), 0);
        kwrite_fini(&kw);
        kread_init(&kr, b.data, b.len);
        CU_ASSERT_EQUAL(p_offsetfetch_req_decode(&kr, v, &ar, &got), 0);
        CU_ASSERT_EQUAL(got.ntopics, v >= 2 ? -1 : 0);
        buf_fini(&b);
    }
    arena_fini(&ar);
}

void
suite_p_group(void)
{
    CU_pSuite s = unit_suite("p_group");
    UNIT_TEST(s, test_every_group_api_version_round_trips_field_by_field);
    UNIT_TEST(s, test_every_group_api_truncation_fails_with_err_proto);
    UNIT_TEST(s, test_group_api_unserved_versions_are_rejected);
    UNIT_TEST(s, test_group_api_ranges_match_the_api_table);
    UNIT_TEST(s, test_offsetfetch_null_topics_from_v2);
}
