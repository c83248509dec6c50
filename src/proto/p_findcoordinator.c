/*
 * p_findcoordinator.c: FindCoordinator (key 10) v0-3 codec (see
 * p_findcoordinator.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 FindCoordinator*.json;
 * flexible from v3.
 */
#include "samsa/p_findcoordinator.h"

#include "p_int.h"

#define VMAX 3
#define FLEX(v) ((v) >= 3)

int
p_findcoordinator_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             findcoordinator_req_t *req)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->key = p_rd_str(kr, flex);
    if (version >= 1)
        req->key_type = kread_i8(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_findcoordinator_req_encode(kwrite_t *kw, int16_t version,
                             const findcoordinator_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->key, flex);
    if (version >= 1)
        kwrite_i8(kw, req->key_type);
    p_wr_tags(kw, flex);
}

int
p_findcoordinator_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              findcoordinator_resp_t *resp)
{
    bool flex = FLEX(version);

    (void)ar;
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_message = p_str_null();
    if (version >= 1)
        resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    if (version >= 1)
        resp->error_message = kread_str(kr, flex);
    resp->node_id = kread_i32(kr);
    resp->host = p_rd_str(kr, flex);
    resp->port = kread_i32(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_findcoordinator_resp_encode(kwrite_t *kw, int16_t version,
                              const findcoordinator_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    if (version >= 1)
        kwrite_str(kw, resp->error_message, flex);
    kwrite_i32(kw, resp->node_id);
    p_wr_str(kw, resp->host, flex);
    kwrite_i32(kw, resp->port);
    p_wr_tags(kw, flex);
}
