/*
 * h_api_versions.c: ApiVersions (key 18), v0-3.
 * Spec: protocol guide "ApiVersions"; KIP-35, KIP-511 (a version the broker
 * lacks is answered at v0 with UNSUPPORTED_VERSION and the full table).
 * The table is generated from the dispatch table, so it cannot drift from
 * what the broker serves.
 */
#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_apiversions.h"

static void
api_versions_reply(breq_t *req, int16_t version, int16_t error_code)
{
    apiversions_resp_t resp = {0};
    int n = broker_api_count();
    kwrite_t *kw;

    resp.error_code = error_code;
    resp.napi_keys = n;
    resp.api_keys = arena_calloc(req->ar, n, sizeof(*resp.api_keys));
    for (int i = 0; i < n; i++)
        broker_api_at(i, &resp.api_keys[i].api_key,
                      &resp.api_keys[i].min_version,
                      &resp.api_keys[i].max_version);
    kw = bresp_begin(req->hdr.correlation_id, API_API_VERSIONS, version);
    p_apiversions_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
}

int
h_api_versions(breq_t *req, kread_t *kr)
{
    apiversions_req_t r;

    if (p_apiversions_req_decode(kr, req->hdr.request_api_version, req->ar,
                                 &r) != 0)
        return ERR_PROTO;
    api_versions_reply(req, req->hdr.request_api_version, KERR_NONE);
    return 0;
}

void
h_api_versions_unsupported(breq_t *req)
{
    api_versions_reply(req, 0, KERR_UNSUPPORTED_VERSION);
}
