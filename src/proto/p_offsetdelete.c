/*
 * p_offsetdelete.c: OffsetDelete (key 47) v0 codec (see p_offsetdelete.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 OffsetDelete*.json, KIP-496.
 */
#include "samsa/p_offsetdelete.h"

#include "p_group_int.h"

#define VMAX 0

static void
rd_topics(kread_t *kr, arena_t *ar, bool resp, int32_t *n,
          offsetdelete_topic_t **out)
{
    offsetdelete_topic_t *t;

    *n = p_rd_count(kr, false, 2 + 4);
    *out = t = p_alloc(ar, *n, sizeof(*t));
    for (int32_t i = 0; i < *n; i++) {
        t[i].name = p_rd_str(kr, false);
        t[i].npartitions = p_rd_count(kr, false, resp ? 6 : 4);
        t[i].partitions =
            p_alloc(ar, t[i].npartitions, sizeof(*t[i].partitions));
        for (int32_t j = 0; j < t[i].npartitions; j++) {
            t[i].partitions[j].partition_index = kread_i32(kr);
            if (resp)
                t[i].partitions[j].error_code = kread_i16(kr);
        }
    }
}

static void
wr_topics(kwrite_t *kw, bool resp, int32_t n, const offsetdelete_topic_t *t)
{
    p_wr_count(kw, n, false, false);
    for (int32_t i = 0; i < n; i++) {
        p_wr_str(kw, t[i].name, false);
        p_wr_count(kw, t[i].npartitions, false, false);
        for (int32_t j = 0; j < t[i].npartitions; j++) {
            kwrite_i32(kw, t[i].partitions[j].partition_index);
            if (resp)
                kwrite_i16(kw, t[i].partitions[j].error_code);
        }
    }
}

int
p_offsetdelete_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          offsetdelete_req_t *req)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, false);
    rd_topics(kr, ar, false, &req->ntopics, &req->topics);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetdelete_req_encode(kwrite_t *kw, int16_t version,
                          const offsetdelete_req_t *req)
{
    (void)version;
    p_wr_str(kw, req->group_id, false);
    wr_topics(kw, false, req->ntopics, req->topics);
}

int
p_offsetdelete_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           offsetdelete_resp_t *resp)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->error_code = kread_i16(kr);
    resp->throttle_time_ms = kread_i32(kr);
    rd_topics(kr, ar, true, &resp->ntopics, &resp->topics);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetdelete_resp_encode(kwrite_t *kw, int16_t version,
                           const offsetdelete_resp_t *resp)
{
    (void)version;
    kwrite_i16(kw, resp->error_code);
    kwrite_i32(kw, resp->throttle_time_ms);
    wr_topics(kw, true, resp->ntopics, resp->topics);
}
