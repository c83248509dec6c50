/*
 * p_syncgroup.c: SyncGroup (key 14) v0-5 codec (see p_syncgroup.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 SyncGroup*.json; flexible
 * from v4.
 */
#include "samsa/p_syncgroup.h"

#include "p_group_int.h"

#define VMAX 5
#define FLEX(v) ((v) >= 4)

int
p_syncgroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                       syncgroup_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    req->generation_id = kread_i32(kr);
    req->member_id = p_rd_str(kr, flex);
    req->group_instance_id = p_rd_nstr_since(kr, flex, version, 3);
    req->protocol_type = p_rd_nstr_since(kr, flex, version, 5);
    req->protocol_name = p_rd_nstr_since(kr, flex, version, 5);
    req->nassignments =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    req->assignments =
        p_alloc(ar, req->nassignments, sizeof(*req->assignments));
    for (int32_t i = 0; i < req->nassignments; i++) {
        req->assignments[i].member_id = p_rd_str(kr, flex);
        req->assignments[i].assignment = p_rd_bytes(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_syncgroup_req_encode(kwrite_t *kw, int16_t version,
                       const syncgroup_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    kwrite_i32(kw, req->generation_id);
    p_wr_str(kw, req->member_id, flex);
    p_wr_nstr_since(kw, req->group_instance_id, flex, version, 3);
    p_wr_nstr_since(kw, req->protocol_type, flex, version, 5);
    p_wr_nstr_since(kw, req->protocol_name, flex, version, 5);
    p_wr_count(kw, req->nassignments, flex, false);
    for (int32_t i = 0; i < req->nassignments; i++) {
        p_wr_str(kw, req->assignments[i].member_id, flex);
        p_wr_bytes(kw, req->assignments[i].assignment, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_syncgroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                        syncgroup_resp_t *resp)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->protocol_type = p_rd_nstr_since(kr, flex, version, 5);
    resp->protocol_name = p_rd_nstr_since(kr, flex, version, 5);
    resp->assignment = p_rd_bytes(kr, flex);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_syncgroup_resp_encode(kwrite_t *kw, int16_t version,
                        const syncgroup_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    p_wr_nstr_since(kw, resp->protocol_type, flex, version, 5);
    p_wr_nstr_since(kw, resp->protocol_name, flex, version, 5);
    p_wr_bytes(kw, resp->assignment, flex);
    p_wr_tags(kw, flex);
}
