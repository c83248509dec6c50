/*
 * p_describegroups.c: DescribeGroups (key 15) v0-5 codec (see
 * p_describegroups.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DescribeGroups*.json;
 * flexible from v5.
 */
#include "samsa/p_describegroups.h"

#include "p_group_int.h"

#define VMAX 5
#define FLEX(v) ((v) >= 5)

int
p_describegroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                            describegroups_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->groups = p_rd_strs(kr, flex, false, ar, &req->ngroups);
    if (version >= 3)
        req->include_authorized_operations = kread_bool(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_describegroups_req_encode(kwrite_t *kw, int16_t version,
                            const describegroups_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_strs(kw, req->groups, req->ngroups, flex, false);
    if (version >= 3)
        kwrite_bool(kw, req->include_authorized_operations);
    p_wr_tags(kw, flex);
}

int
p_describegroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                             describegroups_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t mmin = (version >= 4 ? 4 : 3) * P_STRMIN(flex) + 2 * P_ARRMIN(flex) +
                  P_TAGMIN(flex);
    size_t gmin = 2 + 4 * P_STRMIN(flex) + P_ARRMIN(flex) +
                  (version >= 3 ? 4 : 0) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->ngroups = p_rd_count(kr, flex, gmin);
    resp->groups = p_alloc(ar, resp->ngroups, sizeof(*resp->groups));
    for (int32_t i = 0; i < resp->ngroups; i++) {
        describegroups_group_t *g = &resp->groups[i];

        g->error_code = kread_i16(kr);
        g->group_id = p_rd_str(kr, flex);
        g->group_state = p_rd_str(kr, flex);
        g->protocol_type = p_rd_str(kr, flex);
        g->protocol_data = p_rd_str(kr, flex);
        g->nmembers = p_rd_count(kr, flex, mmin);
        g->members = p_alloc(ar, g->nmembers, sizeof(*g->members));
        for (int32_t j = 0; j < g->nmembers; j++) {
            describegroups_member_t *m = &g->members[j];

            m->member_id = p_rd_str(kr, flex);
            m->group_instance_id = p_rd_nstr_since(kr, flex, version, 4);
            m->client_id = p_rd_str(kr, flex);
            m->client_host = p_rd_str(kr, flex);
            m->member_metadata = p_rd_bytes(kr, flex);
            m->member_assignment = p_rd_bytes(kr, flex);
            p_rd_tags(kr, flex);
        }
        g->authorized_operations = version >= 3 ? kread_i32(kr) : INT32_MIN;
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_describegroups_resp_encode(kwrite_t *kw, int16_t version,
                             const describegroups_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ngroups, flex, false);
    for (int32_t i = 0; i < resp->ngroups; i++) {
        const describegroups_group_t *g = &resp->groups[i];

        kwrite_i16(kw, g->error_code);
        p_wr_str(kw, g->group_id, flex);
        p_wr_str(kw, g->group_state, flex);
        p_wr_str(kw, g->protocol_type, flex);
        p_wr_str(kw, g->protocol_data, flex);
        p_wr_count(kw, g->nmembers, flex, false);
        for (int32_t j = 0; j < g->nmembers; j++) {
            const describegroups_member_t *m = &g->members[j];

            p_wr_str(kw, m->member_id, flex);
            p_wr_nstr_since(kw, m->group_instance_id, flex, version, 4);
            p_wr_str(kw, m->client_id, flex);
            p_wr_str(kw, m->client_host, flex);
            p_wr_bytes(kw, m->member_metadata, flex);
            p_wr_bytes(kw, m->member_assignment, flex);
            p_wr_tags(kw, flex);
        }
        if (version >= 3)
            kwrite_i32(kw, g->authorized_operations);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
