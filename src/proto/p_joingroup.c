/*
 * p_joingroup.c: JoinGroup (key 11) v0-7 codec (see p_joingroup.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 JoinGroup*.json; flexible
 * from v6.
 */
#include "samsa/p_joingroup.h"

#include "p_group_int.h"

#define VMAX 7
#define FLEX(v) ((v) >= 6)

int
p_joingroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                       joingroup_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    req->session_timeout_ms = kread_i32(kr);
    req->rebalance_timeout_ms = version >= 1 ? kread_i32(kr) : -1;
    req->member_id = p_rd_str(kr, flex);
    req->group_instance_id = p_rd_nstr_since(kr, flex, version, 5);
    req->protocol_type = p_rd_str(kr, flex);
    /* protocol: name, metadata, tags */
    req->nprotocols =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    req->protocols = p_alloc(ar, req->nprotocols, sizeof(*req->protocols));
    for (int32_t i = 0; i < req->nprotocols; i++) {
        req->protocols[i].name = p_rd_str(kr, flex);
        req->protocols[i].metadata = p_rd_bytes(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_joingroup_req_encode(kwrite_t *kw, int16_t version,
                       const joingroup_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    kwrite_i32(kw, req->session_timeout_ms);
    if (version >= 1)
        kwrite_i32(kw, req->rebalance_timeout_ms);
    p_wr_str(kw, req->member_id, flex);
    p_wr_nstr_since(kw, req->group_instance_id, flex, version, 5);
    p_wr_str(kw, req->protocol_type, flex);
    p_wr_count(kw, req->nprotocols, flex, false);
    for (int32_t i = 0; i < req->nprotocols; i++) {
        p_wr_str(kw, req->protocols[i].name, flex);
        p_wr_bytes(kw, req->protocols[i].metadata, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_joingroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                        joingroup_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 2)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->generation_id = kread_i32(kr);
    resp->protocol_type = p_rd_nstr_since(kr, flex, version, 7);
    resp->protocol_name =
        version >= 7 ? kread_str(kr, flex) : p_rd_str(kr, flex);
    resp->leader = p_rd_str(kr, flex);
    resp->member_id = p_rd_str(kr, flex);
    /* member: id, instance id, metadata, tags */
    resp->nmembers =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    resp->members = p_alloc(ar, resp->nmembers, sizeof(*resp->members));
    for (int32_t i = 0; i < resp->nmembers; i++) {
        joingroup_member_t *m = &resp->members[i];

        m->member_id = p_rd_str(kr, flex);
        m->group_instance_id = p_rd_nstr_since(kr, flex, version, 5);
        m->metadata = p_rd_bytes(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_joingroup_resp_encode(kwrite_t *kw, int16_t version,
                        const joingroup_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 2)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    kwrite_i32(kw, resp->generation_id);
    p_wr_nstr_since(kw, resp->protocol_type, flex, version, 7);
    if (version >= 7)
        kwrite_str(kw, resp->protocol_name, flex);
    else
        p_wr_str(kw, resp->protocol_name, flex);
    p_wr_str(kw, resp->leader, flex);
    p_wr_str(kw, resp->member_id, flex);
    p_wr_count(kw, resp->nmembers, flex, false);
    for (int32_t i = 0; i < resp->nmembers; i++) {
        const joingroup_member_t *m = &resp->members[i];

        p_wr_str(kw, m->member_id, flex);
        p_wr_nstr_since(kw, m->group_instance_id, flex, version, 5);
        p_wr_bytes(kw, m->metadata, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
