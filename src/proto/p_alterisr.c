/*
 * p_alterisr.c: AlterIsr (key 56) v0 codec (see p_alterisr.h).
 *
 * Owns the body layout only. Spec: Kafka 2.8.0 AlterIsr*.json; v0
 * flexible.
 */
#include "samsa/p_alterisr.h"

#include "p_int.h"

#define VMAX 0
#define FLEX true

/* smallest request partition: index, epoch, empty ISR, version, tags */
#define REQ_PART_MIN (4 + 4 + P_ARRMIN(FLEX) + 4 + P_TAGMIN(FLEX))
#define REQ_TOPIC_MIN (P_STRMIN(FLEX) + P_ARRMIN(FLEX) + P_TAGMIN(FLEX))
/* response partition: index, error, leader, epoch, ISR, version, tags */
#define RESP_PART_MIN (4 + 2 + 4 + 4 + P_ARRMIN(FLEX) + 4 + P_TAGMIN(FLEX))

int
p_alterisr_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                      alterisr_req_t *req)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->broker_id = kread_i32(kr);
    req->broker_epoch = kread_i64(kr);
    req->ntopics = p_rd_count(kr, FLEX, REQ_TOPIC_MIN);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t t = 0; t < req->ntopics && !kr->err; t++) {
        alterisr_req_topic_t *tp = &req->topics[t];

        tp->name = p_rd_str(kr, FLEX);
        tp->npartitions = p_rd_count(kr, FLEX, REQ_PART_MIN);
        tp->partitions = p_alloc(ar, tp->npartitions, sizeof(*tp->partitions));
        for (int32_t p = 0; p < tp->npartitions && !kr->err; p++) {
            alterisr_req_partition_t *pp = &tp->partitions[p];

            pp->partition_index = kread_i32(kr);
            pp->leader_epoch = kread_i32(kr);
            pp->new_isr = p_rd_i32s(kr, FLEX, false, ar, &pp->nnew_isr);
            pp->current_isr_version = kread_i32(kr);
            p_rd_tags(kr, FLEX);
        }
        p_rd_tags(kr, FLEX);
    }
    p_rd_tags(kr, FLEX);
    return kr->err ? ERR_PROTO : 0;
}

void
p_alterisr_req_encode(kwrite_t *kw, int16_t version, const alterisr_req_t *req)
{
    (void)version;
    kwrite_i32(kw, req->broker_id);
    kwrite_i64(kw, req->broker_epoch);
    p_wr_count(kw, req->ntopics, FLEX, false);
    for (int32_t t = 0; t < req->ntopics; t++) {
        const alterisr_req_topic_t *tp = &req->topics[t];

        p_wr_str(kw, tp->name, FLEX);
        p_wr_count(kw, tp->npartitions, FLEX, false);
        for (int32_t p = 0; p < tp->npartitions; p++) {
            const alterisr_req_partition_t *pp = &tp->partitions[p];

            kwrite_i32(kw, pp->partition_index);
            kwrite_i32(kw, pp->leader_epoch);
            p_wr_i32s(kw, pp->new_isr, pp->nnew_isr, FLEX, false);
            kwrite_i32(kw, pp->current_isr_version);
            p_wr_tags(kw, FLEX);
        }
        p_wr_tags(kw, FLEX);
    }
    p_wr_tags(kw, FLEX);
}

int
p_alterisr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                       alterisr_resp_t *resp)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->ntopics = p_rd_count(kr, FLEX, REQ_TOPIC_MIN);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t t = 0; t < resp->ntopics && !kr->err; t++) {
        alterisr_resp_topic_t *tp = &resp->topics[t];

        tp->name = p_rd_str(kr, FLEX);
        tp->npartitions = p_rd_count(kr, FLEX, RESP_PART_MIN);
        tp->partitions = p_alloc(ar, tp->npartitions, sizeof(*tp->partitions));
        for (int32_t p = 0; p < tp->npartitions && !kr->err; p++) {
            alterisr_resp_partition_t *pp = &tp->partitions[p];

            pp->partition_index = kread_i32(kr);
            pp->error_code = kread_i16(kr);
            pp->leader_id = kread_i32(kr);
            pp->leader_epoch = kread_i32(kr);
            pp->isr = p_rd_i32s(kr, FLEX, false, ar, &pp->nisr);
            pp->current_isr_version = kread_i32(kr);
            p_rd_tags(kr, FLEX);
        }
        p_rd_tags(kr, FLEX);
    }
    p_rd_tags(kr, FLEX);
    return kr->err ? ERR_PROTO : 0;
}

void
p_alterisr_resp_encode(kwrite_t *kw, int16_t version,
                       const alterisr_resp_t *resp)
{
    (void)version;
    kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    p_wr_count(kw, resp->ntopics, FLEX, false);
    for (int32_t t = 0; t < resp->ntopics; t++) {
        const alterisr_resp_topic_t *tp = &resp->topics[t];

        p_wr_str(kw, tp->name, FLEX);
        p_wr_count(kw, tp->npartitions, FLEX, false);
        for (int32_t p = 0; p < tp->npartitions; p++) {
            const alterisr_resp_partition_t *pp = &tp->partitions[p];

            kwrite_i32(kw, pp->partition_index);
            kwrite_i16(kw, pp->error_code);
            kwrite_i32(kw, pp->leader_id);
            kwrite_i32(kw, pp->leader_epoch);
            p_wr_i32s(kw, pp->isr, pp->nisr, FLEX, false);
            kwrite_i32(kw, pp->current_isr_version);
            p_wr_tags(kw, FLEX);
        }
        p_wr_tags(kw, FLEX);
    }
    p_wr_tags(kw, FLEX);
}
