/*
 * p_deletegroups.c: DeleteGroups (key 42) v0-2 codec (see p_deletegroups.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DeleteGroups*.json;
 * flexible from v2.
 */
#include "samsa/p_deletegroups.h"

#include "p_group_int.h"

#define VMAX 2
#define FLEX(v) ((v) >= 2)

int
p_deletegroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          deletegroups_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->groups_names = p_rd_strs(kr, flex, false, ar, &req->ngroups_names);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deletegroups_req_encode(kwrite_t *kw, int16_t version,
                          const deletegroups_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_strs(kw, req->groups_names, req->ngroups_names, flex, false);
    p_wr_tags(kw, flex);
}

int
p_deletegroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           deletegroups_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->nresults = p_rd_count(kr, flex, P_STRMIN(flex) + 2 + P_TAGMIN(flex));
    resp->results = p_alloc(ar, resp->nresults, sizeof(*resp->results));
    for (int32_t i = 0; i < resp->nresults; i++) {
        resp->results[i].group_id = p_rd_str(kr, flex);
        resp->results[i].error_code = kread_i16(kr);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deletegroups_resp_encode(kwrite_t *kw, int16_t version,
                           const deletegroups_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nresults, flex, false);
    for (int32_t i = 0; i < resp->nresults; i++) {
        p_wr_str(kw, resp->results[i].group_id, flex);
        kwrite_i16(kw, resp->results[i].error_code);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
