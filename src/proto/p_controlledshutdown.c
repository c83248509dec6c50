/*
 * p_controlledshutdown.c: ControlledShutdown (key 7) v0-3 codec (see
 * p_controlledshutdown.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 ControlledShutdown*.json;
 * v3 flexible.
 */
#include "samsa/p_controlledshutdown.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 3)
#define VMAX 3

int
p_controlledshutdown_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                controlledshutdown_req_t *req)
{
    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->broker_id = kread_i32(kr);
    req->broker_epoch = version >= 2 ? kread_i64(kr) : -1;
    p_rd_tags(kr, FLEX(version));
    return kr->err ? ERR_PROTO : 0;
}

void
p_controlledshutdown_req_encode(kwrite_t *kw, int16_t version,
                                const controlledshutdown_req_t *req)
{
    kwrite_i32(kw, req->broker_id);
    if (version >= 2)
        kwrite_i64(kw, req->broker_epoch);
    p_wr_tags(kw, FLEX(version));
}

int
p_controlledshutdown_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 controlledshutdown_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    resp->nremaining_partitions =
        p_rd_count(kr, flex, P_STRMIN(flex) + 4 + P_TAGMIN(flex));
    resp->remaining_partitions = p_alloc(ar, resp->nremaining_partitions,
                                         sizeof(*resp->remaining_partitions));
    for (int32_t i = 0; i < resp->nremaining_partitions; i++) {
        resp->remaining_partitions[i].topic_name = p_rd_str(kr, flex);
        resp->remaining_partitions[i].partition_index = kread_i32(kr);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_controlledshutdown_resp_encode(kwrite_t *kw, int16_t version,
                                 const controlledshutdown_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->nremaining_partitions, flex, false);
    for (int32_t i = 0; i < resp->nremaining_partitions; i++) {
        p_wr_str(kw, resp->remaining_partitions[i].topic_name, flex);
        kwrite_i32(kw, resp->remaining_partitions[i].partition_index);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
