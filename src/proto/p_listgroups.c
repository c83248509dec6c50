/*
 * p_listgroups.c: ListGroups (key 16) v0-4 codec (see p_listgroups.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 ListGroups*.json (KIP-518
 * states filter v4); flexible from v3.
 */
#include "samsa/p_listgroups.h"

#include "p_group_int.h"

#define VMAX 4
#define FLEX(v) ((v) >= 3)

int
p_listgroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                        listgroups_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    if (version >= 4)
        req->states_filter =
            p_rd_strs(kr, flex, false, ar, &req->nstates_filter);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_listgroups_req_encode(kwrite_t *kw, int16_t version,
                        const listgroups_req_t *req)
{
    bool flex = FLEX(version);

    if (version >= 4)
        p_wr_strs(kw, req->states_filter, req->nstates_filter, flex, false);
    p_wr_tags(kw, flex);
}

int
p_listgroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                         listgroups_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->ngroups = p_rd_count(
        kr, flex, (version >= 4 ? 3 : 2) * P_STRMIN(flex) + P_TAGMIN(flex));
    resp->groups = p_alloc(ar, resp->ngroups, sizeof(*resp->groups));
    for (int32_t i = 0; i < resp->ngroups; i++) {
        listgroups_group_t *g = &resp->groups[i];

        g->group_id = p_rd_str(kr, flex);
        g->protocol_type = p_rd_str(kr, flex);
        g->group_state = version >= 4 ? p_rd_str(kr, flex) : p_str_empty();
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_listgroups_resp_encode(kwrite_t *kw, int16_t version,
                         const listgroups_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->ngroups, flex, false);
    for (int32_t i = 0; i < resp->ngroups; i++) {
        const listgroups_group_t *g = &resp->groups[i];

        p_wr_str(kw, g->group_id, flex);
        p_wr_str(kw, g->protocol_type, flex);
        if (version >= 4)
            p_wr_str(kw, g->group_state, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
