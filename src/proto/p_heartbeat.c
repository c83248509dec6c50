/*
 * p_heartbeat.c: Heartbeat (key 12) v0-4 codec (see p_heartbeat.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 Heartbeat*.json; flexible
 * from v4.
 */
#include "samsa/p_heartbeat.h"

#include "p_group_int.h"

#define VMAX 4
#define FLEX(v) ((v) >= 4)

int
p_heartbeat_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                       heartbeat_req_t *req)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    req->generation_id = kread_i32(kr);
    req->member_id = p_rd_str(kr, flex);
    req->group_instance_id = p_rd_nstr_since(kr, flex, version, 3);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_heartbeat_req_encode(kwrite_t *kw, int16_t version,
                       const heartbeat_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    kwrite_i32(kw, req->generation_id);
    p_wr_str(kw, req->member_id, flex);
    p_wr_nstr_since(kw, req->group_instance_id, flex, version, 3);
    p_wr_tags(kw, flex);
}

int
p_heartbeat_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                        heartbeat_resp_t *resp)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_heartbeat_resp_encode(kwrite_t *kw, int16_t version,
                        const heartbeat_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    p_wr_tags(kw, flex);
}
