/*
 * p_describeconfigs.c: DescribeConfigs (key 32) v0-4 codec (see
 * p_describeconfigs.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DescribeConfigs*.json; v4+
 * flexible.
 */
#include "samsa/p_describeconfigs.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 4)
#define VMAX 4

int
p_describeconfigs_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             describeconfigs_req_t *req)
{
    bool flex = FLEX(version);
    size_t rmin = 1 + P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->nresources = p_rd_count(kr, flex, rmin);
    req->resources = p_alloc(ar, req->nresources, sizeof(*req->resources));
    for (int32_t i = 0; i < req->nresources; i++) {
        describeconfigs_req_resource_t *r = &req->resources[i];

        r->resource_type = kread_i8(kr);
        r->resource_name = p_rd_str(kr, flex);
        r->configuration_keys =
            p_rd_strs(kr, flex, true, ar, &r->nconfiguration_keys);
        p_rd_tags(kr, flex);
    }
    req->include_synonyms = version >= 1 ? kread_bool(kr) : false;
    req->include_documentation = version >= 3 ? kread_bool(kr) : false;
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_describeconfigs_req_encode(kwrite_t *kw, int16_t version,
                             const describeconfigs_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_count(kw, req->nresources, flex, false);
    for (int32_t i = 0; i < req->nresources; i++) {
        const describeconfigs_req_resource_t *r = &req->resources[i];

        kwrite_i8(kw, r->resource_type);
        p_wr_str(kw, r->resource_name, flex);
        p_wr_strs(kw, r->configuration_keys, r->nconfiguration_keys, flex,
                  true);
        p_wr_tags(kw, flex);
    }
    if (version >= 1)
        kwrite_bool(kw, req->include_synonyms);
    if (version >= 3)
        kwrite_bool(kw, req->include_documentation);
    p_wr_tags(kw, flex);
}

static void
rd_config(kread_t *kr, int16_t version, bool flex, arena_t *ar,
          describeconfigs_resp_config_t *c)
{
    c->name = p_rd_str(kr, flex);
    c->value = kread_str(kr, flex);
    c->read_only = kread_bool(kr);
    c->is_default = version == 0 ? kread_bool(kr) : false;
    c->config_source = version >= 1 ? kread_i8(kr) : -1;
    c->is_sensitive = kread_bool(kr);
    if (version >= 1) {
        size_t smin = 2 * P_STRMIN(flex) + 1 + P_TAGMIN(flex);

        c->nsynonyms = p_rd_count(kr, flex, smin);
        c->synonyms = p_alloc(ar, c->nsynonyms, sizeof(*c->synonyms));
        for (int32_t k = 0; k < c->nsynonyms; k++) {
            c->synonyms[k].name = p_rd_str(kr, flex);
            c->synonyms[k].value = kread_str(kr, flex);
            c->synonyms[k].source = kread_i8(kr);
            p_rd_tags(kr, flex);
        }
    }
    c->config_type = version >= 3 ? kread_i8(kr) : 0;
    c->documentation = version >= 3 ? kread_str(kr, flex) : p_str_empty();
    p_rd_tags(kr, flex);
}

int
p_describeconfigs_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              describeconfigs_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t cmin = 2 * P_STRMIN(flex) + 3 + (version >= 1 ? P_ARRMIN(flex) : 0) +
                  (version >= 3 ? 1 + P_STRMIN(flex) : 0) + P_TAGMIN(flex);
    size_t rmin = 2 + 2 * P_STRMIN(flex) + 1 + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->nresults = p_rd_count(kr, flex, rmin);
    resp->results = p_alloc(ar, resp->nresults, sizeof(*resp->results));
    for (int32_t i = 0; i < resp->nresults; i++) {
        describeconfigs_resp_result_t *r = &resp->results[i];

        r->error_code = kread_i16(kr);
        r->error_message = kread_str(kr, flex);
        r->resource_type = kread_i8(kr);
        r->resource_name = p_rd_str(kr, flex);
        r->nconfigs = p_rd_count(kr, flex, cmin);
        r->configs = p_alloc(ar, r->nconfigs, sizeof(*r->configs));
        for (int32_t j = 0; j < r->nconfigs; j++)
            rd_config(kr, version, flex, ar, &r->configs[j]);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
wr_config(kwrite_t *kw, int16_t version, bool flex,
          const describeconfigs_resp_config_t *c)
{
    p_wr_str(kw, c->name, flex);
    kwrite_str(kw, c->value, flex);
    kwrite_bool(kw, c->read_only);
    if (version == 0)
        kwrite_bool(kw, c->is_default);
    if (version >= 1)
        kwrite_i8(kw, c->config_source);
    kwrite_bool(kw, c->is_sensitive);
    if (version >= 1) {
        p_wr_count(kw, c->nsynonyms, flex, false);
        for (int32_t k = 0; k < c->nsynonyms; k++) {
            p_wr_str(kw, c->synonyms[k].name, flex);
            kwrite_str(kw, c->synonyms[k].value, flex);
            kwrite_i8(kw, c->synonyms[k].source);
            p_wr_tags(kw, flex);
        }
    }
    if (version >= 3) {
        kwrite_i8(kw, c->config_type);
        kwrite_str(kw, c->documentation, flex);
    }
    p_wr_tags(kw, flex);
}

void
p_describeconfigs_resp_encode(kwrite_t *kw, int16_t version,
                              const describeconfigs_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nresults, flex, false);
    for (int32_t i = 0; i < resp->nresults; i++) {
        const describeconfigs_resp_result_t *r = &resp->results[i];

        kwrite_i16(kw, r->error_code);
        kwrite_str(kw, r->error_message, flex);
        kwrite_i8(kw, r->resource_type);
        p_wr_str(kw, r->resource_name, flex);
        p_wr_count(kw, r->nconfigs, flex, false);
        for (int32_t j = 0; j < r->nconfigs; j++)
            wr_config(kw, version, flex, &r->configs[j]);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
