/*
 * p_offsetforleaderepoch.c: OffsetForLeaderEpoch (key 23) v0-4 codec (see
 * p_offsetforleaderepoch.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0
 * OffsetForLeaderEpoch{Request,Response}.json; v4+ flexible.
 */
#include "samsa/p_offsetforleaderepoch.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 4)
#define VMAX 4

int
p_offsetforleaderepoch_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                  ofle_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + (version >= 2 ? 4 : 0) + 4 + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->replica_id = version >= 3 ? kread_i32(kr) : OFLE_CONSUMER_REPLICA_ID;
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        ofle_req_topic_t *t = &req->topics[i];

        t->topic = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            ofle_req_partition_t *p = &t->partitions[j];

            p->partition = kread_i32(kr);
            p->current_leader_epoch = version >= 2 ? kread_i32(kr) : -1;
            p->leader_epoch = kread_i32(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetforleaderepoch_req_encode(kwrite_t *kw, int16_t version,
                                  const ofle_req_t *req)
{
    bool flex = FLEX(version);

    if (version >= 3)
        kwrite_i32(kw, req->replica_id);
    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const ofle_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->topic, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const ofle_req_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition);
            if (version >= 2)
                kwrite_i32(kw, p->current_leader_epoch);
            kwrite_i32(kw, p->leader_epoch);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

int
p_offsetforleaderepoch_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                   ofle_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin = 2 + 4 + (version >= 1 ? 4 : 0) + 8 + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = version >= 2 ? kread_i32(kr) : 0;
    resp->ntopics = p_rd_count(kr, flex, tmin);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++) {
        ofle_resp_topic_t *t = &resp->topics[i];

        t->topic = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            ofle_resp_partition_t *p = &t->partitions[j];

            p->error_code = kread_i16(kr);
            p->partition = kread_i32(kr);
            p->leader_epoch = version >= 1 ? kread_i32(kr) : -1;
            p->end_offset = kread_i64(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_offsetforleaderepoch_resp_encode(kwrite_t *kw, int16_t version,
                                   const ofle_resp_t *resp)
{
    bool flex = FLEX(version);

    if (version >= 2)
        kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const ofle_resp_topic_t *t = &resp->topics[i];

        p_wr_str(kw, t->topic, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const ofle_resp_partition_t *p = &t->partitions[j];

            kwrite_i16(kw, p->error_code);
            kwrite_i32(kw, p->partition);
            if (version >= 1)
                kwrite_i32(kw, p->leader_epoch);
            kwrite_i64(kw, p->end_offset);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
