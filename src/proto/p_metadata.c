/*
 * p_metadata.c: Metadata (key 3) v0-11 codec (see p_metadata.h).
 *
 * Owns the body layout only; what to answer is the handler's business.
 * Spec: Kafka 2.8.0 Metadata*.json; v9+ flexible (compact strings and
 * arrays, a tagged-field section after every struct).
 */
#include <stdint.h>

#include "samsa/p_metadata.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 9)

int
p_metadata_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                      metadata_req_t *req)
{
    bool flex = FLEX(version);
    size_t tmin = P_STRMIN(flex) + P_TAGMIN(flex) + (version >= 10 ? 16 : 0);

    if (version < 0 || version > 11)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    if (version >= 1)
        req->ntopics = p_rd_ncount(kr, flex, tmin);
    else
        req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        metadata_req_topic_t *t = &req->topics[i];

        if (version >= 10) {
            kread_uuid(kr, t->topic_id);
            t->name = kread_str(kr, flex);
        } else {
            t->name = p_rd_str(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    req->allow_auto_topic_creation = version >= 4 ? kread_bool(kr) : true;
    req->include_cluster_authorized_operations =
        (version >= 8 && version <= 10) ? kread_bool(kr) : false;
    req->include_topic_authorized_operations =
        version >= 8 ? kread_bool(kr) : false;
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_metadata_req_encode(kwrite_t *kw, int16_t version, const metadata_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_count(kw, req->ntopics, flex, version >= 1);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const metadata_req_topic_t *t = &req->topics[i];

        if (version >= 10) {
            kwrite_uuid(kw, t->topic_id);
            kwrite_str(kw, t->name, flex);
        } else {
            p_wr_str(kw, t->name, flex);
        }
        p_wr_tags(kw, flex);
    }
    if (version >= 4)
        kwrite_bool(kw, req->allow_auto_topic_creation);
    if (version >= 8 && version <= 10)
        kwrite_bool(kw, req->include_cluster_authorized_operations);
    if (version >= 8)
        kwrite_bool(kw, req->include_topic_authorized_operations);
    p_wr_tags(kw, flex);
}

bool
p_metadata_req_all_topics(const metadata_req_t *req, int16_t version)
{
    return req->ntopics < 0 || (version == 0 && req->ntopics == 0);
}

static void
rd_partition(kread_t *kr, int16_t version, bool flex, arena_t *ar,
             metadata_resp_partition_t *p)
{
    p->error_code = kread_i16(kr);
    p->partition_index = kread_i32(kr);
    p->leader_id = kread_i32(kr);
    p->leader_epoch = version >= 7 ? kread_i32(kr) : -1;
    p->replica_nodes = p_rd_i32s(kr, flex, false, ar, &p->nreplica_nodes);
    p->isr_nodes = p_rd_i32s(kr, flex, false, ar, &p->nisr_nodes);
    if (version >= 5) {
        p->offline_replicas =
            p_rd_i32s(kr, flex, false, ar, &p->noffline_replicas);
    } else {
        p->noffline_replicas = 0;
        p->offline_replicas = NULL;
    }
    p_rd_tags(kr, flex);
}

static void
rd_topic(kread_t *kr, int16_t version, bool flex, arena_t *ar,
         metadata_resp_topic_t *t)
{
    /* error, index, leader, 2 arrays (+ epoch, offline, tags) */
    size_t pmin = 10 + 2 * P_ARRMIN(flex) + (version >= 7 ? 4 : 0) +
                  (version >= 5 ? P_ARRMIN(flex) : 0) + P_TAGMIN(flex);

    t->error_code = kread_i16(kr);
    t->name = p_rd_str(kr, flex);
    if (version >= 10)
        kread_uuid(kr, t->topic_id);
    t->is_internal = version >= 1 ? kread_bool(kr) : false;
    t->npartitions = p_rd_count(kr, flex, pmin);
    t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
    for (int32_t i = 0; i < t->npartitions; i++)
        rd_partition(kr, version, flex, ar, &t->partitions[i]);
    t->topic_authorized_operations = version >= 8 ? kread_i32(kr) : INT32_MIN;
    p_rd_tags(kr, flex);
}

int
p_metadata_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                       metadata_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t bmin = 8 + P_STRMIN(flex) + (version >= 1 ? P_STRMIN(flex) : 0) +
                  P_TAGMIN(flex);
    size_t tmin = 2 + P_STRMIN(flex) + (version >= 10 ? 16 : 0) +
                  (version >= 1 ? 1 : 0) + P_ARRMIN(flex) +
                  (version >= 8 ? 4 : 0) + P_TAGMIN(flex);

    if (version < 0 || version > 11)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = version >= 3 ? kread_i32(kr) : 0;
    resp->nbrokers = p_rd_count(kr, flex, bmin);
    resp->brokers = p_alloc(ar, resp->nbrokers, sizeof(*resp->brokers));
    for (int32_t i = 0; i < resp->nbrokers; i++) {
        metadata_resp_broker_t *b = &resp->brokers[i];

        b->node_id = kread_i32(kr);
        b->host = p_rd_str(kr, flex);
        b->port = kread_i32(kr);
        b->rack = version >= 1 ? kread_str(kr, flex) : p_str_null();
        p_rd_tags(kr, flex);
    }
    resp->cluster_id = version >= 2 ? kread_str(kr, flex) : p_str_null();
    resp->controller_id = version >= 1 ? kread_i32(kr) : -1;
    resp->ntopics = p_rd_count(kr, flex, tmin);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++)
        rd_topic(kr, version, flex, ar, &resp->topics[i]);
    resp->cluster_authorized_operations =
        (version >= 8 && version <= 10) ? kread_i32(kr) : INT32_MIN;
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
wr_partition(kwrite_t *kw, int16_t version, bool flex,
             const metadata_resp_partition_t *p)
{
    kwrite_i16(kw, p->error_code);
    kwrite_i32(kw, p->partition_index);
    kwrite_i32(kw, p->leader_id);
    if (version >= 7)
        kwrite_i32(kw, p->leader_epoch);
    p_wr_i32s(kw, p->replica_nodes, p->nreplica_nodes, flex, false);
    p_wr_i32s(kw, p->isr_nodes, p->nisr_nodes, flex, false);
    if (version >= 5)
        p_wr_i32s(kw, p->offline_replicas, p->noffline_replicas, flex, false);
    p_wr_tags(kw, flex);
}

void
p_metadata_resp_encode(kwrite_t *kw, int16_t version,
                       const metadata_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 3)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nbrokers, flex, false);
    for (int32_t i = 0; i < resp->nbrokers; i++) {
        const metadata_resp_broker_t *b = &resp->brokers[i];

        kwrite_i32(kw, b->node_id);
        p_wr_str(kw, b->host, flex);
        kwrite_i32(kw, b->port);
        if (version >= 1)
            kwrite_str(kw, b->rack, flex);
        p_wr_tags(kw, flex);
    }
    if (version >= 2)
        kwrite_str(kw, resp->cluster_id, flex);
    if (version >= 1)
        kwrite_i32(kw, resp->controller_id);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const metadata_resp_topic_t *t = &resp->topics[i];

        kwrite_i16(kw, t->error_code);
        p_wr_str(kw, t->name, flex);
        if (version >= 10)
            kwrite_uuid(kw, t->topic_id);
        if (version >= 1)
            kwrite_bool(kw, t->is_internal);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++)
            wr_partition(kw, version, flex, &t->partitions[j]);
        if (version >= 8)
            kwrite_i32(kw, t->topic_authorized_operations);
        p_wr_tags(kw, flex);
    }
    if (version >= 8 && version <= 10)
        kwrite_i32(kw, resp->cluster_authorized_operations);
    p_wr_tags(kw, flex);
}
