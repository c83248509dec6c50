/*
 * p_offsetfetch.c: OffsetFetch (key 9) v0-7 codec (see p_offsetfetch.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 OffsetFetch*.json (null
 * topics = all partitions from v2); flexible from v6.
 */
#include "samsa/p_offsetfetch.h"

#include "p_group_int.h"

#define VMAX 7
#define FLEX(v) ((v) >= 6)

int
p_offsetfetch_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                         offsetfetch_req_t *req)
{
    bool flex = FLEX(version);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    req->ntopics =
        version >= 2 ? p_rd_ncount(kr, flex, tmin) : p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetfetch_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->partition_indexes =
            p_rd_i32s(kr, flex, false, ar, &t->npartition_indexes);
        p_rd_tags(kr, flex);
    }
    if (version >= 7)
        req->require_stable = kread_bool(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetfetch_req_encode(kwrite_t *kw, int16_t version,
                         const offsetfetch_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    p_wr_count(kw, req->ntopics, flex, version >= 2);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const offsetfetch_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_i32s(kw, t->partition_indexes, t->npartition_indexes, flex, false);
        p_wr_tags(kw, flex);
    }
    if (version >= 7)
        kwrite_bool(kw, req->require_stable);
    p_wr_tags(kw, flex);
}

int
p_offsetfetch_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                          offsetfetch_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin =
        4 + 8 + (version >= 5 ? 4 : 0) + P_STRMIN(flex) + 2 + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 3)
        resp->throttle_time_ms = kread_i32(kr);
    resp->ntopics =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++) {
        offsetfetch_resp_topic_t *t = &resp->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            offsetfetch_resp_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->committed_offset = kread_i64(kr);
            p->committed_leader_epoch = version >= 5 ? kread_i32(kr) : -1;
            p->metadata = kread_str(kr, flex);
            p->error_code = kread_i16(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    if (version >= 2)
        resp->error_code = kread_i16(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetfetch_resp_encode(kwrite_t *kw, int16_t version,
                          const offsetfetch_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 3)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const offsetfetch_resp_topic_t *t = &resp->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const offsetfetch_resp_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition_index);
            kwrite_i64(kw, p->committed_offset);
            if (version >= 5)
                kwrite_i32(kw, p->committed_leader_epoch);
            kwrite_str(kw, p->metadata, flex);
            kwrite_i16(kw, p->error_code);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    if (version >= 2)
        kwrite_i16(kw, resp->error_code);
    p_wr_tags(kw, flex);
}
