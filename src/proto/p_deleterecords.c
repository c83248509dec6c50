/*
 * p_deleterecords.c: DeleteRecords (key 21) v0-2 codec (see
 * p_deleterecords.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 DeleteRecords*.json; v2+
 * flexible.
 */
#include "samsa/p_deleterecords.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 2)
#define VMAX 2

int
p_deleterecords_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                           deleterecords_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 8 + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->ntopics = p_rd_count(kr, flex, tmin);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t i = 0; i < req->ntopics; i++) {
        deleterecords_req_topic_t *t = &req->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            deleterecords_req_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->offset = kread_i64(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    req->timeout_ms = kread_i32(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deleterecords_req_encode(kwrite_t *kw, int16_t version,
                           const deleterecords_req_t *req)
{
    bool flex = FLEX(version);

    p_wr_count(kw, req->ntopics, flex, false);
    for (int32_t i = 0; i < req->ntopics; i++) {
        const deleterecords_req_topic_t *t = &req->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            kwrite_i32(kw, t->partitions[j].partition_index);
            kwrite_i64(kw, t->partitions[j].offset);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    kwrite_i32(kw, req->timeout_ms);
    p_wr_tags(kw, flex);
}

int
p_deleterecords_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                            deleterecords_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 8 + 2 + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->ntopics = p_rd_count(kr, flex, tmin);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t i = 0; i < resp->ntopics; i++) {
        deleterecords_resp_topic_t *t = &resp->topics[i];

        t->name = p_rd_str(kr, flex);
        t->npartitions = p_rd_count(kr, flex, pmin);
        t->partitions = p_alloc(ar, t->npartitions, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->npartitions; j++) {
            deleterecords_resp_partition_t *p = &t->partitions[j];

            p->partition_index = kread_i32(kr);
            p->low_watermark = kread_i64(kr);
            p->error_code = kread_i16(kr);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_deleterecords_resp_encode(kwrite_t *kw, int16_t version,
                            const deleterecords_resp_t *resp)
{
    bool flex = FLEX(version);

    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_count(kw, resp->ntopics, flex, false);
    for (int32_t i = 0; i < resp->ntopics; i++) {
        const deleterecords_resp_topic_t *t = &resp->topics[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartitions, flex, false);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const deleterecords_resp_partition_t *p = &t->partitions[j];

            kwrite_i32(kw, p->partition_index);
            kwrite_i64(kw, p->low_watermark);
            kwrite_i16(kw, p->error_code);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}
