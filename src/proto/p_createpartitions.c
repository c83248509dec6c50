/*
 * p_createpartitions.c: CreatePartitions (key 37) v0-3 codec (see
 * p_createpartitions.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 CreatePartitions*.json;
 * v2+ flexible.
 */
#include "samsa/p_createpartitions.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 2)
#define VMAX 3

int
p_createpartitions_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              createpartitions_req_t *req)
{
    bool flex = FLEX(version);
    size_t amin = P_ARRMIN(flex) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + 4 + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        createpartitions_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->count = kread_i32(kr);
        t->nassignments = p_rd_ncount(kr, flex, amin);
        t->assignments = p_alloc(ar, t->nassignments, sizeof(*t->assignments));
        for (int32_t j = 0; j < t->nassignments; j++) {
            createpartitions_req_assignment_t *a = &t->assignments[j];

            a->broker_ids = p_rd_i32s(kr, flex, false, ar, &a->nbroker_ids);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    req->timeout_ms = kread_i32(kr);
    req->validate_only = kread_bool(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_createpartitions_req_encode(kwrite_t *kw, int16_t version,
                              const createpartitions_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const createpartitions_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        kwrite_i32(kw, t->count);
        kwrite_array(kw, t->nassignments, flex);
        for (int32_t j = 0; j < t->nassignments; j++) {
            const createpartitions_req_assignment_t *a = &t->assignments[j];

            p_wr_i32s(kw, a->broker_ids, a->nbroker_ids, flex, false);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    kwrite_i32(kw, req->timeout_ms);
    kwrite_bool(kw, req->validate_only);
    p_wr_tags(kw, flex);
}

int
p_createpartitions_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               createpartitions_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t rmin = 2 * P_STRMIN(flex) + 2 + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->nresults = p_rd_count(kr, flex, rmin);
    resp->results = p_alloc(ar, resp->nresults, sizeof(*resp->results));
    for (int32_t i = 0; i < resp->nresults; i++) {
        createpartitions_resp_result_t *r = &resp->results[i];

        r->name = p_rd_str(kr, flex);
        r->error_code = kread_i16(kr);
        r->error_message = kread_str(kr, flex);
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_createpartitions_resp_encode(kwrite_t *kw, int16_t version,
                               const createpartitions_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->nresults, flex, false);
    for (int32_t i = 0; i < resp->nresults; i++) {
        const createpartitions_resp_result_t *r = &resp->results[i];

        p_wr_str(kw, r->name, flex);
        kwrite_i16(kw, r->error_code);
        kwrite_str(kw, r->error_message, flex);
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
