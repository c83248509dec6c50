/*
 * p_offsetcommit.c: OffsetCommit (key 8) v0-8 codec (see p_offsetcommit.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 OffsetCommit*.json;
 * flexible from v8.
 */
#include "samsa/p_offsetcommit.h"

#include "p_group_int.h"

#define VMAX 8
#define FLEX(v) ((v) >= 8)

int
p_offsetcommit_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          offsetcommit_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 8 + (version >= 6 ? 4 : 0) + (version == 1 ? 8 : 0) +
                  P_STRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->group_id = p_rd_str(kr, flex);
    req->generation_id = version >= 1 ? kread_i32(kr) : -1;
    req->member_id = version >= 1 ? p_rd_str(kr, flex) : p_str_empty();
    req->group_instance_id = p_rd_nstr_since(kr, flex, version, 7);
    req->retention_time_ms =
        (version >= 2 && version <= 4) ? kread_i64(kr) : -1;
    req->ntopics =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        offsetcommit_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            offsetcommit_req_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->committed_offset = kread_i64(kr);
            p->committed_leader_epoch = version >= 6 ? kread_i32(kr) : -1;
            p->commit_timestamp = version == 1 ? kread_i64(kr) : -1;
            p->committed_metadata = kread_str(kr, flex);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetcommit_req_encode(kwrite_t *kw, int16_t version,
                          const offsetcommit_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_str(kw, req->group_id, flex);
    if (version >= 1) {
        kwrite_i32(kw, req->generation_id);
        p_wr_str(kw, req->member_id, flex);
    }
    p_wr_nstr_since(kw, req->group_instance_id, flex, version, 7);
    if (version >= 2 && version <= 4)
        kwrite_i64(kw, req->retention_time_ms);
    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const offsetcommit_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const offsetcommit_req_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition_index);
            kwrite_i64(kw, p->committed_offset);
            if (version >= 6)
                kwrite_i32(kw, p->committed_leader_epoch);
            if (version == 1)
                kwrite_i64(kw, p->commit_timestamp);
            kwrite_str(kw, p->committed_metadata, flex);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_offsetcommit_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           offsetcommit_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    if (version >= 3)
        resp->throttle_time_ms = kread_i32(kr);
    resp->ntopics =
        p_rd_count(kr, flex, P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex));
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++) {
        offsetcommit_resp_topic_t *t = &resp->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, 4 + 2 + P_TAGMIN(flex));
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            t->partitions[j].partition_index = kread_i32(kr);
            t->partitions[j].error_code = kread_i16(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetcommit_resp_encode(kwrite_t *kw, int16_t version,
                           const offsetcommit_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 3)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const offsetcommit_resp_topic_t *t = &resp->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            kwrite_i32(kw, t->partitions[j].partition_index);
            kwrite_i16(kw, t->partitions[j].error_code);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
