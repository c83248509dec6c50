/*
 * p_apiversions.c: ApiVersions (key 18) v0-3 codec (see p_apiversions.h).
 *
 * Owns the body layout only. v0-2 requests are empty; v3 is the first
 * flexible version. Spec: Kafka 2.8.0 ApiVersions*.json, KIP-511.
 */
#include "samsa/p_apiversions.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 3)

int
p_apiversions_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                         apiversions_req_t *req)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > 3)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->client_software_name = p_str_empty();
    req->client_software_version = p_str_empty();
    if (version >= 3) {
        req->client_software_name = p_rd_str(kr, flex);
        req->client_software_version = p_rd_str(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_apiversions_req_encode(kwrite_t *kw, int16_t version,
                         const apiversions_req_t *req)
{
    bool flex = FLEX(version);

    if (version >= 3) {
        p_wr_str(kw, req->client_software_name, flex);
        p_wr_str(kw, req->client_software_version, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_apiversions_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                          apiversions_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > 3)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    resp->napi_keys = p_rd_count(kr, flex, 6 + P_TAGMIN(flex));
    resp->api_keys = p_alloc(ar, resp->napi_keys, sizeof(*resp->api_keys));
    for (int32_t i = 0; i < resp->napi_keys; i++) {
        apiversions_resp_key_t *k = &resp->api_keys[i];

        k->api_key = kread_i16(kr);
        k->min_version = kread_i16(kr);
        k->max_version = kread_i16(kr);
        p_rd_tags(kr, flex);
    }
    resp->throttle_time_ms = version >= 1 ? kread_i32(kr) : 0;
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_apiversions_resp_encode(kwrite_t *kw, int16_t version,
                          const apiversions_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->napi_keys, flex, false);
    for (int32_t i = 0; i < resp->napi_keys; i++) {
        const apiversions_resp_key_t *k = &resp->api_keys[i];

        kwrite_i16(kw, k->api_key);
        kwrite_i16(kw, k->min_version);
        kwrite_i16(kw, k->max_version);
        p_wr_tags(kw, flex);
    }
    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_tags(kw, flex);
}
