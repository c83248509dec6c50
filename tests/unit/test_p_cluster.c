/*
 * test_p_cluster.c: the controller <-> broker codecs (p_leaderandisr.c,
 * p_updatemetadata.c, p_stopreplica.c, p_controlledshutdown.c).
 *
 * For every served version (Kafka 2.8.0 ranges), a request and a response
 * with non-default values round-trip (encode, decode, compare field by
 * field, re-encode to the same bytes); fields the version lacks come back
 * as their defaults. Every strict prefix of every encoding fails with
 * ERR_PROTO. samsa's topic-config tag in UpdateMetadata survives flexible
 * versions and is skipped by a reader that ignores it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/p_controlledshutdown.h"
#include "samsa/p_leaderandisr.h"
#include "samsa/p_stopreplica.h"
#include "samsa/p_updatemetadata.h"
#include "codec_util.h"
#include "unit.h"

static kstr_t
S(const char *s)
{
    kstr_t k = {s, (int32_t)strlen(s)};
    return k;
}

static const kstr_t SNULL = {NULL, -1};
static const kstr_t SEMPTY = {"", 0};
static const uint8_t UUID1[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                  9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t UUID0[16];

static bool
str_same(kstr_t a, kstr_t b)
{
    if (a.len != b.len)
        return false;
    return a.len <= 0 || a.ptr == NULL || b.ptr == NULL ||
           memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

#define CHECK_STR(a, b) CU_ASSERT(str_same((a), (b)))

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

#define CHECK_I32S(ga, gn, oa, on) CU_ASSERT(i32s_same((ga), (gn), (oa), (on)))

/* ---- LeaderAndIsr ---- */

CODEC_WRAP(leaderandisr, req, leaderandisr_req_t)
CODEC_WRAP(leaderandisr, resp, leaderandisr_resp_t)

static void
fill_lai_state(arena_t *ar, leaderandisr_partition_state_t *ps,
               const char *topic, int32_t p)
{
    ps->topic_name = S(topic);
    ps->partition_index = p;
    ps->controller_epoch = 7;
    ps->leader = 2;
    ps->leader_epoch = 11 + p;
    ps->nisr = 2;
    ps->isr = i32s(ar, 2, 2, 3);
    ps->zk_version = 5;
    ps->nreplicas = 3;
    ps->replicas = i32s(ar, 3, 2, 3, 1);
    ps->nadding_replicas = 1;
    ps->adding_replicas = i32s(ar, 1, 4);
    ps->nremoving_replicas = 1;
    ps->removing_replicas = i32s(ar, 1, 1);
    ps->is_new = true;
}

static void
fill_leaderandisr_req(arena_t *ar, void *m)
{
    leaderandisr_req_t *req = m;
    leaderandisr_topic_state_t *t;

    req->controller_id = 1;
    req->controller_epoch = 7;
    req->broker_epoch = 0x123456789aLL;
    req->type = 1;
    req->nungrouped_partition_states = 2;
    req->ungrouped_partition_states =
        arena_calloc(ar, 2, sizeof(*req->ungrouped_partition_states));
    fill_lai_state(ar, &req->ungrouped_partition_states[0], "orders", 0);
    fill_lai_state(ar, &req->ungrouped_partition_states[1], "clicks", 3);
    req->ntopic_states = 1;
    req->topic_states = t = arena_calloc(ar, 1, sizeof(*t));
    t->topic_name = S("orders");
    memcpy(t->topic_id, UUID1, 16);
    t->npartition_states = 2;
    t->partition_states = arena_calloc(ar, 2, sizeof(*t->partition_states));
    fill_lai_state(ar, &t->partition_states[0], "", 0);
    fill_lai_state(ar, &t->partition_states[1], "", 1);
    t->partition_states[0].topic_name = SNULL;
    t->partition_states[1].topic_name = SNULL;
    req->nlive_leaders = 1;
    req->live_leaders = arena_calloc(ar, 1, sizeof(*req->live_leaders));
    req->live_leaders[0].broker_id = 2;
    req->live_leaders[0].host_name = S("broker-2.example");
    req->live_leaders[0].port = 9092;
}

static void
check_lai_state(int16_t v, bool ungrouped,
                const leaderandisr_partition_state_t *o,
                const leaderandisr_partition_state_t *g)
{
    CHECK_STR(g->topic_name, ungrouped ? o->topic_name : SNULL);
    CU_ASSERT_EQUAL(g->partition_index, o->partition_index);
    CU_ASSERT_EQUAL(g->controller_epoch, o->controller_epoch);
    CU_ASSERT_EQUAL(g->leader, o->leader);
    CU_ASSERT_EQUAL(g->leader_epoch, o->leader_epoch);
    CHECK_I32S(g->isr, g->nisr, o->isr, o->nisr);
    CU_ASSERT_EQUAL(g->zk_version, o->zk_version);
    CHECK_I32S(g->replicas, g->nreplicas, o->replicas, o->nreplicas);
    if (v >= 3) {
        CHECK_I32S(g->adding_replicas, g->nadding_replicas, o->adding_replicas,
                   o->nadding_replicas);
        CHECK_I32S(g->removing_replicas, g->nremoving_replicas,
                   o->removing_replicas, o->nremoving_replicas);
    } else {
        CU_ASSERT_EQUAL(g->nadding_replicas, 0);
        CU_ASSERT_EQUAL(g->nremoving_replicas, 0);
    }
    CU_ASSERT_EQUAL(g->is_new, v >= 1 ? o->is_new : false);
}

static void
check_leaderandisr_req(int16_t v, const void *o_, const void *g_)
{
    const leaderandisr_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->controller_id, o->controller_id);
    CU_ASSERT_EQUAL(g->controller_epoch, o->controller_epoch);
    CU_ASSERT_EQUAL(g->broker_epoch, v >= 2 ? o->broker_epoch : -1);
    CU_ASSERT_EQUAL(g->type, v >= 5 ? o->type : 0);
    if (v <= 1) {
        CU_ASSERT_EQUAL_FATAL(g->nungrouped_partition_states,
                              o->nungrouped_partition_states);
        CU_ASSERT_EQUAL(g->ntopic_states, 0);
        for (int32_t i = 0; i < o->nungrouped_partition_states; i++)
            check_lai_state(v, true, &o->ungrouped_partition_states[i],
                            &g->ungrouped_partition_states[i]);
    } else {
        CU_ASSERT_EQUAL(g->nungrouped_partition_states, 0);
        CU_ASSERT_EQUAL_FATAL(g->ntopic_states, o->ntopic_states);
        for (int32_t i = 0; i < o->ntopic_states; i++) {
            const leaderandisr_topic_state_t *ot = &o->topic_states[i];
            const leaderandisr_topic_state_t *gt = &g->topic_states[i];

            CHECK_STR(gt->topic_name, ot->topic_name);
            CU_ASSERT(memcmp(gt->topic_id, v >= 5 ? ot->topic_id : UUID0, 16) ==
                      0);
            CU_ASSERT_EQUAL_FATAL(gt->npartition_states, ot->npartition_states);
            for (int32_t p = 0; p < ot->npartition_states; p++)
                check_lai_state(v, false, &ot->partition_states[p],
                                &gt->partition_states[p]);
        }
    }
    CU_ASSERT_EQUAL_FATAL(g->nlive_leaders, o->nlive_leaders);
    CU_ASSERT_EQUAL(g->live_leaders[0].broker_id, o->live_leaders[0].broker_id);
    CHECK_STR(g->live_leaders[0].host_name, o->live_leaders[0].host_name);
    CU_ASSERT_EQUAL(g->live_leaders[0].port, o->live_leaders[0].port);
}

static void
fill_leaderandisr_resp(arena_t *ar, void *m)
{
    leaderandisr_resp_t *resp = m;
    leaderandisr_partition_error_t *e;

    resp->error_code = 11;
    resp->npartition_errors = 2;
    resp->partition_errors = e = arena_calloc(ar, 2, sizeof(*e));
    e[0].topic_name = S("orders");
    e[0].partition_index = 0;
    e[0].error_code = 0;
    e[1].topic_name = S("orders");
    e[1].partition_index = 1;
    e[1].error_code = 56;
    resp->ntopics = 1;
    resp->topics = arena_calloc(ar, 1, sizeof(*resp->topics));
    memcpy(resp->topics[0].topic_id, UUID1, 16);
    resp->topics[0].npartition_errors = 1;
    resp->topics[0].partition_errors = e = arena_calloc(ar, 1, sizeof(*e));
    e[0].topic_name = SNULL;
    e[0].partition_index = 4;
    e[0].error_code = 6;
}

static void
check_leaderandisr_resp(int16_t v, const void *o_, const void *g_)
{
    const leaderandisr_resp_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    if (v <= 4) {
        CU_ASSERT_EQUAL(g->ntopics, 0);
        CU_ASSERT_EQUAL_FATAL(g->npartition_errors, o->npartition_errors);
        for (int32_t i = 0; i < o->npartition_errors; i++) {
            CHECK_STR(g->partition_errors[i].topic_name,
                      o->partition_errors[i].topic_name);
            CU_ASSERT_EQUAL(g->partition_errors[i].partition_index,
                            o->partition_errors[i].partition_index);
            CU_ASSERT_EQUAL(g->partition_errors[i].error_code,
                            o->partition_errors[i].error_code);
        }
    } else {
        CU_ASSERT_EQUAL(g->npartition_errors, 0);
        CU_ASSERT_EQUAL_FATAL(g->ntopics, 1);
        CU_ASSERT(memcmp(g->topics[0].topic_id, UUID1, 16) == 0);
        CU_ASSERT_EQUAL_FATAL(g->topics[0].npartition_errors, 1);
        CHECK_STR(g->topics[0].partition_errors[0].topic_name, SNULL);
        CU_ASSERT_EQUAL(g->topics[0].partition_errors[0].partition_index, 4);
        CU_ASSERT_EQUAL(g->topics[0].partition_errors[0].error_code, 6);
    }
}

/* ---- UpdateMetadata ---- */

CODEC_WRAP(updatemetadata, req, updatemetadata_req_t)
CODEC_WRAP(updatemetadata, resp, updatemetadata_resp_t)

static void
fill_um_state(arena_t *ar, updatemetadata_partition_state_t *ps,
              const char *topic, int32_t p)
{
    ps->topic_name = topic != NULL ? S(topic) : SNULL;
    ps->partition_index = p;
    ps->controller_epoch = 9;
    ps->leader = p == 1 ? -2 : 3;
    ps->leader_epoch = 4;
    ps->nisr = 1;
    ps->isr = i32s(ar, 1, 3);
    ps->zk_version = 12;
    ps->nreplicas = 2;
    ps->replicas = i32s(ar, 2, 3, 1);
    ps->noffline_replicas = 1;
    ps->offline_replicas = i32s(ar, 1, 1);
}

static void
fill_updatemetadata_req(arena_t *ar, void *m)
{
    updatemetadata_req_t *req = m;
    updatemetadata_topic_state_t *t;
    updatemetadata_broker_t *b;

    req->controller_id = 3;
    req->controller_epoch = 9;
    req->broker_epoch = 0x1000000042LL;
    req->nungrouped_partition_states = 2;
    req->ungrouped_partition_states =
        arena_calloc(ar, 2, sizeof(*req->ungrouped_partition_states));
    fill_um_state(ar, &req->ungrouped_partition_states[0], "orders", 0);
    fill_um_state(ar, &req->ungrouped_partition_states[1], "orders", 1);
    req->ntopic_states = 2;
    req->topic_states = t = arena_calloc(ar, 2, sizeof(*t));
    t[0].topic_name = S("orders");
    memcpy(t[0].topic_id, UUID1, 16);
    t[0].npartition_states = 2;
    t[0].partition_states = arena_calloc(ar, 2, sizeof(*t->partition_states));
    fill_um_state(ar, &t[0].partition_states[0], NULL, 0);
    fill_um_state(ar, &t[0].partition_states[1], NULL, 1);
    t[0].nconfigs = 2;
    t[0].configs = arena_calloc(ar, 2, sizeof(*t->configs));
    t[0].configs[0].key = S("retention.ms");
    t[0].configs[0].value = S("1000");
    t[0].configs[1].key = S("cleanup.policy");
    t[0].configs[1].value = S("compact");
    t[1].topic_name = S("empty");
    req->nlive_brokers = 2;
    req->live_brokers = b = arena_calloc(ar, 2, sizeof(*b));
    b[0].id = 3;
    b[0].v0_host = S("h3");
    b[0].v0_port = 9093;
    b[0].nendpoints = 1;
    b[0].endpoints = arena_calloc(ar, 1, sizeof(*b->endpoints));
    b[0].endpoints[0].port = 9093;
    b[0].endpoints[0].host = S("h3");
    b[0].endpoints[0].listener = S("PLAINTEXT");
    b[0].endpoints[0].security_protocol = 0;
    b[0].rack = S("rack-a");
    b[1].id = 1;
    b[1].v0_host = S("h1");
    b[1].v0_port = 9091;
    b[1].nendpoints = 0;
    b[1].rack = SNULL;
}

static void
check_um_state(int16_t v, bool ungrouped,
               const updatemetadata_partition_state_t *o,
               const updatemetadata_partition_state_t *g)
{
    CHECK_STR(g->topic_name, ungrouped ? o->topic_name : SNULL);
    CU_ASSERT_EQUAL(g->partition_index, o->partition_index);
    CU_ASSERT_EQUAL(g->controller_epoch, o->controller_epoch);
    CU_ASSERT_EQUAL(g->leader, o->leader);
    CU_ASSERT_EQUAL(g->leader_epoch, o->leader_epoch);
    CHECK_I32S(g->isr, g->nisr, o->isr, o->nisr);
    CU_ASSERT_EQUAL(g->zk_version, o->zk_version);
    CHECK_I32S(g->replicas, g->nreplicas, o->replicas, o->nreplicas);
    if (v >= 4) {
        CHECK_I32S(g->offline_replicas, g->noffline_replicas,
                   o->offline_replicas, o->noffline_replicas);
    } else {
        CU_ASSERT_EQUAL(g->noffline_replicas, 0);
    }
}

static void
check_updatemetadata_req(int16_t v, const void *o_, const void *g_)
{
    const updatemetadata_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->controller_id, o->controller_id);
    CU_ASSERT_EQUAL(g->controller_epoch, o->controller_epoch);
    CU_ASSERT_EQUAL(g->broker_epoch, v >= 5 ? o->broker_epoch : -1);
    if (v <= 4) {
        CU_ASSERT_EQUAL(g->ntopic_states, 0);
        CU_ASSERT_EQUAL_FATAL(g->nungrouped_partition_states,
                              o->nungrouped_partition_states);
        for (int32_t i = 0; i < o->nungrouped_partition_states; i++)
            check_um_state(v, true, &o->ungrouped_partition_states[i],
                           &g->ungrouped_partition_states[i]);
    } else {
        CU_ASSERT_EQUAL(g->nungrouped_partition_states, 0);
        CU_ASSERT_EQUAL_FATAL(g->ntopic_states, o->ntopic_states);
        for (int32_t i = 0; i < o->ntopic_states; i++) {
            const updatemetadata_topic_state_t *ot = &o->topic_states[i];
            const updatemetadata_topic_state_t *gt = &g->topic_states[i];

            CHECK_STR(gt->topic_name, ot->topic_name);
            CU_ASSERT(memcmp(gt->topic_id, v >= 7 ? ot->topic_id : UUID0, 16) ==
                      0);
            CU_ASSERT_EQUAL_FATAL(gt->npartition_states, ot->npartition_states);
            for (int32_t p = 0; p < ot->npartition_states; p++)
                check_um_state(v, false, &ot->partition_states[p],
                               &gt->partition_states[p]);
            if (v >= 6) {
                CU_ASSERT_EQUAL_FATAL(gt->nconfigs, ot->nconfigs);
                for (int32_t k = 0; k < ot->nconfigs; k++) {
                    CHECK_STR(gt->configs[k].key, ot->configs[k].key);
                    CHECK_STR(gt->configs[k].value, ot->configs[k].value);
                }
            } else {
                CU_ASSERT_EQUAL(gt->nconfigs, 0);
            }
        }
    }
    CU_ASSERT_EQUAL_FATAL(g->nlive_brokers, o->nlive_brokers);
    for (int32_t i = 0; i < o->nlive_brokers; i++) {
        const updatemetadata_broker_t *ob = &o->live_brokers[i];
        const updatemetadata_broker_t *gb = &g->live_brokers[i];

        CU_ASSERT_EQUAL(gb->id, ob->id);
        CHECK_STR(gb->v0_host, v == 0 ? ob->v0_host : SNULL);
        CU_ASSERT_EQUAL(gb->v0_port, v == 0 ? ob->v0_port : 0);
        CU_ASSERT_EQUAL_FATAL(gb->nendpoints, v >= 1 ? ob->nendpoints : 0);
        for (int32_t e = 0; e < gb->nendpoints; e++) {
            CU_ASSERT_EQUAL(gb->endpoints[e].port, ob->endpoints[e].port);
            CHECK_STR(gb->endpoints[e].host, ob->endpoints[e].host);
            CHECK_STR(gb->endpoints[e].listener,
                      v >= 3 ? ob->endpoints[e].listener : SEMPTY);
            CU_ASSERT_EQUAL(gb->endpoints[e].security_protocol,
                            ob->endpoints[e].security_protocol);
        }
        CHECK_STR(gb->rack, v >= 2 ? ob->rack : SNULL);
    }
}

static void
fill_updatemetadata_resp(arena_t *ar, void *m)
{
    updatemetadata_resp_t *resp = m;

    (void)ar;
    resp->error_code = 77;
}

static void
check_updatemetadata_resp(int16_t v, const void *o_, const void *g_)
{
    const updatemetadata_resp_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
}

/* ---- StopReplica ---- */

CODEC_WRAP(stopreplica, req, stopreplica_req_t)
CODEC_WRAP(stopreplica, resp, stopreplica_resp_t)

static void
fill_stopreplica_req(arena_t *ar, void *m)
{
    stopreplica_req_t *req = m;

    req->controller_id = 2;
    req->controller_epoch = 5;
    req->broker_epoch = 77777;
    req->delete_partitions = true;
    req->nungrouped_partitions = 2;
    req->ungrouped_partitions =
        arena_calloc(ar, 2, sizeof(*req->ungrouped_partitions));
    req->ungrouped_partitions[0].topic_name = S("gone");
    req->ungrouped_partitions[0].partition_index = 0;
    req->ungrouped_partitions[1].topic_name = S("gone");
    req->ungrouped_partitions[1].partition_index = 2;
    req->ntopics = 1;
    req->topics = arena_calloc(ar, 1, sizeof(*req->topics));
    req->topics[0].name = S("gone");
    req->topics[0].npartition_indexes = 3;
    req->topics[0].partition_indexes = i32s(ar, 3, 0, 1, 2);
    req->ntopic_states = 1;
    req->topic_states = arena_calloc(ar, 1, sizeof(*req->topic_states));
    req->topic_states[0].topic_name = S("gone");
    req->topic_states[0].npartition_states = 2;
    req->topic_states[0].partition_states =
        arena_calloc(ar, 2, sizeof(stopreplica_partition_state_t));
    req->topic_states[0].partition_states[0].partition_index = 0;
    req->topic_states[0].partition_states[0].leader_epoch = -2;
    req->topic_states[0].partition_states[0].delete_partition = true;
    req->topic_states[0].partition_states[1].partition_index = 1;
    req->topic_states[0].partition_states[1].leader_epoch = 6;
    req->topic_states[0].partition_states[1].delete_partition = false;
}

static void
check_stopreplica_req(int16_t v, const void *o_, const void *g_)
{
    const stopreplica_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->controller_id, o->controller_id);
    CU_ASSERT_EQUAL(g->controller_epoch, o->controller_epoch);
    CU_ASSERT_EQUAL(g->broker_epoch, v >= 1 ? o->broker_epoch : -1);
    CU_ASSERT_EQUAL(g->delete_partitions,
                    v <= 2 ? o->delete_partitions : false);
    CU_ASSERT_EQUAL(g->nungrouped_partitions,
                    v == 0 ? o->nungrouped_partitions : 0);
    for (int32_t i = 0; i < g->nungrouped_partitions; i++) {
        CHECK_STR(g->ungrouped_partitions[i].topic_name,
                  o->ungrouped_partitions[i].topic_name);
        CU_ASSERT_EQUAL(g->ungrouped_partitions[i].partition_index,
                        o->ungrouped_partitions[i].partition_index);
    }
    CU_ASSERT_EQUAL(g->ntopics, v >= 1 && v <= 2 ? o->ntopics : 0);
    for (int32_t i = 0; i < g->ntopics; i++) {
        CHECK_STR(g->topics[i].name, o->topics[i].name);
        CHECK_I32S(
            g->topics[i].partition_indexes, g->topics[i].npartition_indexes,
            o->topics[i].partition_indexes, o->topics[i].npartition_indexes);
    }
    CU_ASSERT_EQUAL(g->ntopic_states, v >= 3 ? o->ntopic_states : 0);
    for (int32_t i = 0; i < g->ntopic_states; i++) {
        const stopreplica_topic_state_t *ot = &o->topic_states[i];
        const stopreplica_topic_state_t *gt = &g->topic_states[i];

        CHECK_STR(gt->topic_name, ot->topic_name);
        CU_ASSERT_EQUAL_FATAL(gt->npartition_states, ot->npartition_states);
        for (int32_t p = 0; p < ot->npartition_states; p++) {
            CU_ASSERT_EQUAL(gt->partition_states[p].partition_index,
                            ot->partition_states[p].partition_index);
            CU_ASSERT_EQUAL(gt->partition_states[p].leader_epoch,
                            ot->partition_states[p].leader_epoch);
            CU_ASSERT_EQUAL(gt->partition_states[p].delete_partition,
                            ot->partition_states[p].delete_partition);
        }
    }
}

static void
fill_stopreplica_resp(arena_t *ar, void *m)
{
    stopreplica_resp_t *resp = m;

    resp->error_code = 11;
    resp->npartition_errors = 2;
    resp->partition_errors =
        arena_calloc(ar, 2, sizeof(*resp->partition_errors));
    resp->partition_errors[0].topic_name = S("gone");
    resp->partition_errors[0].partition_index = 0;
    resp->partition_errors[0].error_code = 0;
    resp->partition_errors[1].topic_name = S("gone");
    resp->partition_errors[1].partition_index = 1;
    resp->partition_errors[1].error_code = 56;
}

static void
check_stopreplica_resp(int16_t v, const void *o_, const void *g_)
{
    const stopreplica_resp_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL_FATAL(g->npartition_errors, o->npartition_errors);
    for (int32_t i = 0; i < o->npartition_errors; i++) {
        CHECK_STR(g->partition_errors[i].topic_name,
                  o->partition_errors[i].topic_name);
        CU_ASSERT_EQUAL(g->partition_errors[i].partition_index,
                        o->partition_errors[i].partition_index);
        CU_ASSERT_EQUAL(g->partition_errors[i].error_code,
                        o->partition_errors[i].error_code);
    }
}

/* ---- ControlledShutdown ---- */

CODEC_WRAP(controlledshutdown, req, controlledshutdown_req_t)
CODEC_WRAP(controlledshutdown, resp, controlledshutdown_resp_t)

static void
fill_controlledshutdown_req(arena_t *ar, void *m)
{
    controlledshutdown_req_t *req = m;

    (void)ar;
    req->broker_id = 4;
    req->broker_epoch = 0x4400000011LL;
}

static void
check_controlledshutdown_req(int16_t v, const void *o_, const void *g_)
{
    const controlledshutdown_req_t *o = o_, *g = g_;

    CU_ASSERT_EQUAL(g->broker_id, o->broker_id);
    CU_ASSERT_EQUAL(g->broker_epoch, v >= 2 ? o->broker_epoch : -1);
}

static void
fill_controlledshutdown_resp(arena_t *ar, void *m)
{
    controlledshutdown_resp_t *resp = m;

    resp->error_code = 0;
    resp->nremaining_partitions = 2;
    resp->remaining_partitions =
        arena_calloc(ar, 2, sizeof(*resp->remaining_partitions));
    resp->remaining_partitions[0].topic_name = S("orders");
    resp->remaining_partitions[0].partition_index = 1;
    resp->remaining_partitions[1].topic_name = S("clicks");
    resp->remaining_partitions[1].partition_index = 0;
}

static void
check_controlledshutdown_resp(int16_t v, const void *o_, const void *g_)
{
    const controlledshutdown_resp_t *o = o_, *g = g_;

    (void)v;
    CU_ASSERT_EQUAL(g->error_code, o->error_code);
    CU_ASSERT_EQUAL_FATAL(g->nremaining_partitions, o->nremaining_partitions);
    for (int32_t i = 0; i < o->nremaining_partitions; i++) {
        CHECK_STR(g->remaining_partitions[i].topic_name,
                  o->remaining_partitions[i].topic_name);
        CU_ASSERT_EQUAL(g->remaining_partitions[i].partition_index,
                        o->remaining_partitions[i].partition_index);
    }
}

/* ---- the table ---- */

#define CODEC(fam, dir, type, k, isreq)                                        \
    {                                                                          \
        .name = #fam "_" #dir, .key = k, .request = isreq,                     \
        .size = sizeof(type), .fill = fill_##fam##_##dir,                      \
        .decode = dec_##fam##_##dir, .encode = enc_##fam##_##dir,              \
        .check = check_##fam##_##dir                                           \
    }

static const codec_t codecs[] = {
    CODEC(leaderandisr, req, leaderandisr_req_t, API_LEADER_AND_ISR, true),
    CODEC(leaderandisr, resp, leaderandisr_resp_t, API_LEADER_AND_ISR, false),
    CODEC(updatemetadata, req, updatemetadata_req_t, API_UPDATE_METADATA, true),
    CODEC(updatemetadata, resp, updatemetadata_resp_t, API_UPDATE_METADATA,
          false),
    CODEC(stopreplica, req, stopreplica_req_t, API_STOP_REPLICA, true),
    CODEC(stopreplica, resp, stopreplica_resp_t, API_STOP_REPLICA, false),
    CODEC(controlledshutdown, req, controlledshutdown_req_t,
          API_CONTROLLED_SHUTDOWN, true),
    CODEC(controlledshutdown, resp, controlledshutdown_resp_t,
          API_CONTROLLED_SHUTDOWN, false),
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* ---- tests ---- */

static void
test_every_cluster_api_version_round_trips_field_by_field(void)
{
    int rounds = 0;

    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];
        const kapi_t *api = kapi_find(c->key);

        CU_ASSERT_PTR_NOT_NULL_FATAL(api);
        for (int16_t v = api->min_version; v <= api->max_version; v++) {
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
    /* Kafka 2.8.0: LeaderAndIsr 0-5, UpdateMetadata 0-7, StopReplica 0-3,
     * ControlledShutdown 0-3, request and response each */
    CU_ASSERT_EQUAL(rounds, 2 * (6 + 8 + 4 + 4));
}

static void
test_every_cluster_api_truncation_fails_with_err_proto(void)
{
    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];
        const kapi_t *api = kapi_find(c->key);

        for (int16_t v = api->min_version; v <= api->max_version; v++) {
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
test_cluster_api_unserved_versions_are_rejected(void)
{
    for (size_t i = 0; i < NCODECS; i++) {
        const codec_t *c = &codecs[i];
        const kapi_t *api = kapi_find(c->key);
        static const uint8_t zeros[64];
        arena_t ar;
        void *got = calloc(1, c->size);

        arena_init(&ar);
        CU_ASSERT_EQUAL(decode_copy(c, api->min_version - 1, zeros,
                                    sizeof(zeros), &ar, got),
                        ERR_PROTO);
        CU_ASSERT_EQUAL(decode_copy(c, api->max_version + 1, zeros,
                                    sizeof(zeros), &ar, got),
                        ERR_PROTO);
        free(got);
        arena_fini(&ar);
    }
}

/* flexible versions match the API table (so the header choice agrees) */
static void
test_cluster_api_flexible_versions_match_kafka_2_8(void)
{
    CU_ASSERT_FALSE(kapi_flexible(API_LEADER_AND_ISR, 3));
    CU_ASSERT_TRUE(kapi_flexible(API_LEADER_AND_ISR, 4));
    CU_ASSERT_FALSE(kapi_flexible(API_UPDATE_METADATA, 5));
    CU_ASSERT_TRUE(kapi_flexible(API_UPDATE_METADATA, 6));
    CU_ASSERT_FALSE(kapi_flexible(API_STOP_REPLICA, 1));
    CU_ASSERT_TRUE(kapi_flexible(API_STOP_REPLICA, 2));
    CU_ASSERT_FALSE(kapi_flexible(API_CONTROLLED_SHUTDOWN, 2));
    CU_ASSERT_TRUE(kapi_flexible(API_CONTROLLED_SHUTDOWN, 3));
}

/* an UpdateMetadata v7 topic state with an unknown tag before samsa's */
static void
test_updatemetadata_skips_unknown_tags_and_reads_configs(void)
{
    static const uint8_t body[] = {
        0,    0,    0,    1,                  /* controller id */
        0,    0,    0,    2,                  /* controller epoch */
        0,    0,    0,    0,    0,   0, 0, 3, /* broker epoch */
        2,                                    /* 1 topic state */
        2,    't',                            /* name */
        0,    0,    0,    0,    0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* id */
        1,                              /* no partition states */
        2,                              /* 2 tags */
        5,    2,    0xaa, 0xbb,         /* tag 5, 2 bytes */
        0x90, 0x4e,                     /* tag 10000 */
        7,                              /* 7 bytes */
        2,    2,    'k',  2,    'v', 0, /* [{k, v}] */
        0,                              /* (pad inside the field: ignored) */
        1,                              /* no live brokers */
        0,                              /* tags */
    };
    updatemetadata_req_t req;
    arena_t ar;
    kread_t kr;

    arena_init(&ar);
    kread_init(&kr, body, sizeof(body));
    CU_ASSERT_EQUAL_FATAL(p_updatemetadata_req_decode(&kr, 7, &ar, &req), 0);
    CU_ASSERT_EQUAL(kread_left(&kr), 0);
    CU_ASSERT_EQUAL_FATAL(req.ntopic_states, 1);
    CU_ASSERT_EQUAL_FATAL(req.topic_states[0].nconfigs, 1);
    CU_ASSERT(str_same(req.topic_states[0].configs[0].key, S("k")));
    CU_ASSERT(str_same(req.topic_states[0].configs[0].value, S("v")));
    CU_ASSERT_EQUAL(req.broker_epoch, 3);
    arena_fini(&ar);
}

void
suite_p_cluster(void)
{
    CU_pSuite s = unit_suite("p_cluster");
    UNIT_TEST(s, test_every_cluster_api_version_round_trips_field_by_field);
    UNIT_TEST(s, test_every_cluster_api_truncation_fails_with_err_proto);
    UNIT_TEST(s, test_cluster_api_unserved_versions_are_rejected);
    UNIT_TEST(s, test_cluster_api_flexible_versions_match_kafka_2_8);
    UNIT_TEST(s, test_updatemetadata_skips_unknown_tags_and_reads_configs);
}
