/*
 * p_describecluster.c: DescribeCluster (key 60) v0 codec (see
 * p_describecluster.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DescribeCluster*.json,
 * KIP-700; every version is flexible.
 */
#include "samsa/p_describecluster.h"

#include "p_int.h"

#define VMAX 0

int
p_describecluster_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             describecluster_req_t *req)
{
    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->include_cluster_authorized_operations = kread_bool(kr);
    kread_tags(kr);
    return kr->err ? ERR_PROTO : 0;
}

void
p_describecluster_req_encode(kwrite_t *kw, int16_t version,
                             const describecluster_req_t *req)
{
    (void)version;
    kwrite_bool(kw, req->include_cluster_authorized_operations);
    kwrite_tags_empty(kw);
}

int
p_describecluster_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              describecluster_resp_t *resp)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->error_message = kread_str(kr, true);
    resp->cluster_id = p_rd_str(kr, true);
    resp->controller_id = kread_i32(kr);
    /* broker: id, host, port, rack, tags */
    resp->nbrokers = p_rd_count(kr, true, 4 + 1 + 4 + 1 + 1);
    resp->brokers = p_alloc(ar, resp->nbrokers, sizeof(*resp->brokers));
    for (int32_t i = 0; i < resp->nbrokers; i++) {
        describecluster_resp_broker_t *b = &resp->brokers[i];

        b->broker_id = kread_i32(kr);
        b->host = p_rd_str(kr, true);
        b->port = kread_i32(kr);
        b->rack = kread_str(kr, true);
        kread_tags(kr);
    }
    resp->cluster_authorized_operations = kread_i32(kr);
    kread_tags(kr);
    return kr->err ? ERR_PROTO : 0;
}

void
p_describecluster_resp_encode(kwrite_t *kw, int16_t version,
                              const describecluster_resp_t *resp)
{
    (void)version;
    kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    kwrite_str(kw, resp->error_message, true);
    p_wr_str(kw, resp->cluster_id, true);
    kwrite_i32(kw, resp->controller_id);
    p_wr_count(kw, resp->nbrokers, true, false);
    for (int32_t i = 0; i < resp->nbrokers; i++) {
        const describecluster_resp_broker_t *b = &resp->brokers[i];

        kwrite_i32(kw, b->broker_id);
        p_wr_str(kw, b->host, true);
        kwrite_i32(kw, b->port);
        kwrite_str(kw, b->rack, true);
        kwrite_tags_empty(kw);
    }
    kwrite_i32(kw, resp->cluster_authorized_operations);
    kwrite_tags_empty(kw);
}
