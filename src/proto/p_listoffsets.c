/*
 * p_listoffsets.c: ListOffsets (key 2) v0-6 codec (see p_listoffsets.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 ListOffsets*.json; v6+
 * flexible.
 */
#include "samsa/p_listoffsets.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 6)
#define VMAX 6

int
p_listoffsets_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                         listoffsets_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + (version >= 4 ? 4 : 0) + 8 + (version == 0 ? 4 : 0) +
                  P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->replica_id = kread_i32(kr);
    req->isolation_level = version >= 2 ? kread_i8(kr) : 0;
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        listoffsets_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            listoffsets_req_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->current_leader_epoch = version >= 4 ? kread_i32(kr) : -1;
            p->timestamp = kread_i64(kr);
            p->max_num_offsets = version == 0 ? kread_i32(kr) : 1;
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_listoffsets_req_encode(kwrite_t *kw, int16_t version,
                         const listoffsets_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, req->replica_id);
    if (version >= 2)
        kwrite_i8(kw, req->isolation_level);
    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const listoffsets_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const listoffsets_req_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition_index);
            if (version >= 4)
                kwrite_i32(kw, p->current_leader_epoch);
            kwrite_i64(kw, p->timestamp);
            if (version == 0)
                kwrite_i32(kw, p->max_num_offsets);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_listoffsets_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                          listoffsets_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 2 + (version == 0 ? P_ARRMIN(flex) : 16) +
                  (version >= 4 ? 4 : 0) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = version >= 2 ? kread_i32(kr) : 0;
    resp->ntopics = p_rd_count(kr, flex, tmin);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++) {
        listoffsets_resp_topic_t *t = &resp->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            listoffsets_resp_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->error_code = kread_i16(kr);
            if (version == 0)
                p->old_style_offsets =
                    p_rd_i64s(kr, flex, ar, &p->nold_style_offsets);
            p->timestamp = version >= 1 ? kread_i64(kr) : -1;
            p->offset = version >= 1 ? kread_i64(kr) : -1;
            p->leader_epoch = version >= 4 ? kread_i32(kr) : -1;
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_listoffsets_resp_encode(kwrite_t *kw, int16_t version,
                          const listoffsets_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 2)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const listoffsets_resp_topic_t *t = &resp->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const listoffsets_resp_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition_index);
            kwrite_i16(kw, p->error_code);
            if (version == 0)
                p_wr_i64s(kw, p->old_style_offsets, p->nold_style_offsets,
                          flex);
            if (version >= 1) {
                kwrite_i64(kw, p->timestamp);
                kwrite_i64(kw, p->offset);
            }
            if (version >= 4)
                kwrite_i32(kw, p->leader_epoch);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
