/*
 * p_alterconfigs.c: AlterConfigs (key 33) v0-2 and IncrementalAlterConfigs
 * (key 44) v0-1 codecs (see p_alterconfigs.h).
 *
 * Owns the body layouts only. Spec: Kafka 2.8.0 AlterConfigs*.json (v2+
 * flexible), IncrementalAlterConfigs*.json (v1+ flexible).
 */
#include "samsa/p_alterconfigs.h"

#include "p_int.h"

/* the one layout, parameterized by flexibility and the operation field */
static int
ac_req_decode(kread_t *kr, bool flex, bool incremental, arena_t *ar,
              alterconfigs_req_t *req)
{
    size_t cmin = 2 * P_STRMIN(flex) + (incremental ? 1 : 0) + P_TAGMIN(flex);
    size_t rmin = 1 + P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    memset(req, 0, sizeof(*req));
    req->nresources = p_rd_count(kr, flex, rmin);
    req->resources = p_alloc(ar, req->nresources, sizeof(*req->resources));
    for (int32_t i = 0; i < req->nresources; i++) {
        alterconfigs_req_resource_t *r = &req->resources[i];

        r->resource_type = kread_i8(kr);
        r->resource_name = p_rd_str(kr, flex);
        r->nconfigs = p_rd_count(kr, flex, cmin);
        r->configs = p_alloc(ar, r->nconfigs, sizeof(*r->configs));
        for (int32_t j = 0; j < r->nconfigs; j++) {
            alterconfigs_req_config_t *c = &r->configs[j];

            c->name = p_rd_str(kr, flex);
            c->config_operation = incremental ? kread_i8(kr) : 0;
            c->value = kread_str(kr, flex);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    req->validate_only = kread_bool(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
ac_req_encode(kwrite_t *kw, bool flex, bool incremental,
              const alterconfigs_req_t *req)
{
    p_wr_count(kw, req->nresources, flex, false);
    for (int32_t i = 0; i < req->nresources; i++) {
        const alterconfigs_req_resource_t *r = &req->resources[i];

        kwrite_i8(kw, r->resource_type);
        p_wr_str(kw, r->resource_name, flex);
        p_wr_count(kw, r->nconfigs, flex, false);
        for (int32_t j = 0; j < r->nconfigs; j++) {
            const alterconfigs_req_config_t *c = &r->configs[j];

            p_wr_str(kw, c->name, flex);
            if (incremental)
                kwrite_i8(kw, c->config_operation);
            kwrite_str(kw, c->value, flex);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    kwrite_bool(kw, req->validate_only);
    p_wr_tags(kw, flex);
}

static int
ac_resp_decode(kread_t *kr, bool flex, arena_t *ar, alterconfigs_resp_t *resp)
{
    size_t rmin = 2 + 2 * P_STRMIN(flex) + 1 + P_TAGMIN(flex);

    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->nresponses = p_rd_count(kr, flex, rmin);
    resp->responses = p_alloc(ar, resp->nresponses, sizeof(*resp->responses));
    for (int32_t i = 0; i < resp->nresponses; i++) {
        alterconfigs_resp_response_t *r = &resp->responses[i];

        r->error_code = kread_i16(kr);
        r->error_message = kread_str(kr, flex);
        r->resource_type = kread_i8(kr);
        r->resource_name = p_rd_str(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
ac_resp_encode(kwrite_t *kw, bool flex, const alterconfigs_resp_t *resp)
{
    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nresponses, flex, false);
    for (int32_t i = 0; i < resp->nresponses; i++) {
        const alterconfigs_resp_response_t *r = &resp->responses[i];

        kwrite_i16(kw, r->error_code);
        kwrite_str(kw, r->error_message, flex);
        kwrite_i8(kw, r->resource_type);
        p_wr_str(kw, r->resource_name, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

/* ---- AlterConfigs (33): v0-2, flexible from 2 ---- */

int
p_alterconfigs_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          alterconfigs_req_t *req)
{
    if (version < 0 || version > 2)
        return ERR_PROTO;
    return ac_req_decode(kr, version >= 2, false, ar, req);
}

void
p_alterconfigs_req_encode(kwrite_t *kw, int16_t version,
                          const alterconfigs_req_t *req)
{
    ac_req_encode(kw, version >= 2, false, req);
}

int
p_alterconfigs_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           alterconfigs_resp_t *resp)
{
    if (version < 0 || version > 2)
        return ERR_PROTO;
    return ac_resp_decode(kr, version >= 2, ar, resp);
}

void
p_alterconfigs_resp_encode(kwrite_t *kw, int16_t version,
                           const alterconfigs_resp_t *resp)
{
    ac_resp_encode(kw, version >= 2, resp);
}

/* ---- IncrementalAlterConfigs (44): v0-1, flexible from 1 ---- */

int
p_incrementalalterconfigs_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                     alterconfigs_req_t *req)
{
    if (version < 0 || version > 1)
        return ERR_PROTO;
    return ac_req_decode(kr, version >= 1, true, ar, req);
}

void
p_incrementalalterconfigs_req_encode(kwrite_t *kw, int16_t version,
                                     const alterconfigs_req_t *req)
{
    ac_req_encode(kw, version >= 1, true, req);
}

int
p_incrementalalterconfigs_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                      alterconfigs_resp_t *resp)
{
    if (version < 0 || version > 1)
        return ERR_PROTO;
    return ac_resp_decode(kr, version >= 1, ar, resp);
}

void
p_incrementalalterconfigs_resp_encode(kwrite_t *kw, int16_t version,
                                      const alterconfigs_resp_t *resp)
{
    ac_resp_encode(kw, version >= 1, resp);
}
