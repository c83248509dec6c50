/*
 * p_leavegroup.c: LeaveGroup (key 13) v0-4 codec (see p_leavegroup.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 LeaveGroup*.json (KIP-345:
 * a member list from v3); flexible from v4.
 */
#include "samsa/p_leavegroup.h"

#include "p_group_int.h"

#define VMAX 4
#define FLEX(v) ((v) >= 4)

int
p_leavegroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                        leavegroup_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    if (version <= 2) {
        req->member_id = p_rd_str(kr, flex);
    } else {
        req->member_id = p_str_empty();
        req->nmembers =
            p_rd_count(kr, flex, 2 * P_STRMIN(flex) + P_TAGMIN(flex));
        req->members = p_alloc(ar, req->nmembers, sizeof(*req->members));
        for (int32_t i = 0; i < req->nmembers; i++) {
            req->members[i].member_id = p_rd_str(kr, flex);
            req->members[i].group_instance_id = kread_str(kr, flex);
            p_rd_tags(kr, flex);
        }
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_leavegroup_req_encode(kwrite_t *kw, int16_t version,
                        const leavegroup_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    if (version <= 2) {
        p_wr_str(kw, req->member_id, flex);
    } else {
        p_wr_count(kw, req->nmembers, flex, false);
        for (int32_t i = 0; i < req->nmembers; i++) {
            p_wr_str(kw, req->members[i].member_id, flex);
            kwrite_str(kw, req->members[i].group_instance_id, flex);
            p_wr_tags(kw, flex);
        }
    }
    p_wr_tags(kw, flex);
}

int
p_leavegroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                         leavegroup_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    if (version >= 3) {
        resp->nmembers =
            p_rd_count(kr, flex, 2 * P_STRMIN(flex) + 2 + P_TAGMIN(flex));
        resp->members = p_alloc(ar, resp->nmembers, sizeof(*resp->members));
        for (int32_t i = 0; i < resp->nmembers; i++) {
            resp->members[i].member_id = p_rd_str(kr, flex);
            resp->members[i].group_instance_id = kread_str(kr, flex);
            resp->members[i].error_code = kread_i16(kr);
            p_rd_tags(kr, flex);
        }
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_leavegroup_resp_encode(kwrite_t *kw, int16_t version,
                         const leavegroup_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    if (version >= 3) {
        p_wr_count(kw, resp->nmembers, flex, false);
        for (int32_t i = 0; i < resp->nmembers; i++) {
            p_wr_str(kw, resp->members[i].member_id, flex);
            kwrite_str(kw, resp->members[i].group_instance_id, flex);
            kwrite_i16(kw, resp->members[i].error_code);
            p_wr_tags(kw, flex);
        }
    }
    p_wr_tags(kw, flex);
}
