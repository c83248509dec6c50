/*
 * p_deletetopics.c: DeleteTopics (key 20) v0-6 codec (see
 * p_deletetopics.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DeleteTopics*.json; v4+
 * flexible.
 */
#include "samsa/p_deletetopics.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 4)
#define VMAX 6

int
p_deletetopics_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          deletetopics_req_t *req)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    if (version >= 6) {
        req->ntopics =
            p_rd_count(kr, flex, P_STRMIN(flex) + 16 + P_TAGMIN(flex));
        req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
        for (int32_t i = 0; i < req->ntopics; i++) {
            req->topics[i].name = kread_str(kr, flex);
            kread_uuid(kr, req->topics[i].topic_id);
            p_rd_tags(kr, flex);
        }
    } else {
        req->topic_names = p_rd_strs(kr, flex, false, ar, &req->ntopic_names);
    }
    req->timeout_ms = kread_i32(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deletetopics_req_encode(kwrite_t *kw, int16_t version,
                          const deletetopics_req_t *req)
{
    bool flex = FLEX(version);

    if (version >= 6) {
        p_wr_count(kw, req->ntopics, flex, false);
        for (int32_t i = 0; i < req->ntopics; i++) {
            kwrite_str(kw, req->topics[i].name, flex);
            kwrite_uuid(kw, req->topics[i].topic_id);
            p_wr_tags(kw, flex);
        }
    } else {
        p_wr_strs(kw, req->topic_names, req->ntopic_names, flex, false);
    }
    kwrite_i32(kw, req->timeout_ms);
    p_wr_tags(kw, flex);
}

int
p_deletetopics_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           deletetopics_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t rmin = P_STRMIN(flex) + (version >= 6 ? 16 : 0) + 2 +
                  (version >= 5 ? P_STRMIN(flex) : 0) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = version >= 1 ? kread_i32(kr) : 0;
    resp->nresponses = p_rd_count(kr, flex, rmin);
    resp->responses = p_alloc(ar, resp->nresponses, sizeof(*resp->responses));
    for (int32_t i = 0; i < resp->nresponses; i++) {
        deletetopics_resp_topic_t *r = &resp->responses[i];

        r->name = version >= 6 ? kread_str(kr, flex) : p_rd_str(kr, flex);
        if (version >= 6)
            kread_uuid(kr, r->topic_id);
        r->error_code = kread_i16(kr);
        r->error_message = version >= 5 ? kread_str(kr, flex) : p_str_null();
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deletetopics_resp_encode(kwrite_t *kw, int16_t version,
                           const deletetopics_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 1)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nresponses, flex, false);
    for (int32_t i = 0; i < resp->nresponses; i++) {
        const deletetopics_resp_topic_t *r = &resp->responses[i];

        if (version >= 6) {
            kwrite_str(kw, r->name, flex);
            kwrite_uuid(kw, r->topic_id);
        } else {
            p_wr_str(kw, r->name, flex);
        }
        kwrite_i16(kw, r->error_code);
        if (version >= 5)
            kwrite_str(kw, r->error_message, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
