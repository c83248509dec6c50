/*
 * p_reassignments.c: AlterPartitionReassignments (key 45) and
 * ListPartitionReassignments (key 46) v0 codecs (see p_reassignments.h).
 *
 * Owns the body layouts only. Spec: Kafka 2.8.0
 * AlterPartitionReassignments*.json, ListPartitionReassignments*.json;
 * v0 flexible.
 */
#include "samsa/p_reassignments.h"

#include "p_int.h"

#define VMAX 0
#define F true

#define TOPIC_MIN (P_STRMIN(F) + P_ARRMIN(F) + P_TAGMIN(F))
#define APR_REQ_PART_MIN (4 + P_ARRMIN(F) + P_TAGMIN(F))
#define APR_RESP_PART_MIN (4 + 2 + P_STRMIN(F) + P_TAGMIN(F))
#define LPR_RESP_PART_MIN (4 + 3 * P_ARRMIN(F) + P_TAGMIN(F))

int
p_apr_req_decode(kread_t *kr, int16_t version, arena_t *ar, apr_req_t *req)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->timeout_ms = kread_i32(kr);
    req->ntopics = p_rd_count(kr, F, TOPIC_MIN);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t t = 0; t < req->ntopics && !kr->err; t++) {
        apr_req_topic_t *tp = &req->topics[t];

        tp->name = p_rd_str(kr, F);
        tp->npartitions = p_rd_count(kr, F, APR_REQ_PART_MIN);
        tp->partitions = p_alloc(ar, tp->npartitions, sizeof(*tp->partitions));
        for (int32_t p = 0; p < tp->npartitions && !kr->err; p++) {
            apr_req_partition_t *pp = &tp->partitions[p];

            pp->partition_index = kread_i32(kr);
            pp->replicas = p_rd_i32s(kr, F, true, ar, &pp->nreplicas);
            p_rd_tags(kr, F);
        }
        p_rd_tags(kr, F);
    }
    p_rd_tags(kr, F);
    return kr->err ? ERR_PROTO : 0;
}

void
p_apr_req_encode(kwrite_t *kw, int16_t version, const apr_req_t *req)
{
    (void)version;
    kwrite_i32(kw, req->timeout_ms);
    p_wr_count(kw, req->ntopics, F, false);
    for (int32_t t = 0; t < req->ntopics; t++) {
        const apr_req_topic_t *tp = &req->topics[t];

        p_wr_str(kw, tp->name, F);
        p_wr_count(kw, tp->npartitions, F, false);
        for (int32_t p = 0; p < tp->npartitions; p++) {
            const apr_req_partition_t *pp = &tp->partitions[p];

            kwrite_i32(kw, pp->partition_index);
            p_wr_i32s(kw, pp->replicas, pp->nreplicas, F, true);
            p_wr_tags(kw, F);
        }
        p_wr_tags(kw, F);
    }
    p_wr_tags(kw, F);
}

int
p_apr_resp_decode(kread_t *kr, int16_t version, arena_t *ar, apr_resp_t *resp)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->error_message = kread_str(kr, F);
    resp->nresponses = p_rd_count(kr, F, TOPIC_MIN);
    resp->responses = p_alloc(ar, resp->nresponses, sizeof(*resp->responses));
    for (int32_t t = 0; t < resp->nresponses && !kr->err; t++) {
        apr_resp_topic_t *tp = &resp->responses[t];

        tp->name = p_rd_str(kr, F);
        tp->npartitions = p_rd_count(kr, F, APR_RESP_PART_MIN);
        tp->partitions = p_alloc(ar, tp->npartitions, sizeof(*tp->partitions));
        for (int32_t p = 0; p < tp->npartitions && !kr->err; p++) {
            apr_resp_partition_t *pp = &tp->partitions[p];

            pp->partition_index = kread_i32(kr);
            pp->error_code = kread_i16(kr);
            pp->error_message = kread_str(kr, F);
            p_rd_tags(kr, F);
        }
        p_rd_tags(kr, F);
    }
    p_rd_tags(kr, F);
    return kr->err ? ERR_PROTO : 0;
}

void
p_apr_resp_encode(kwrite_t *kw, int16_t version, const apr_resp_t *resp)
{
    (void)version;
    kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    kwrite_str(kw, resp->error_message, F);
    p_wr_count(kw, resp->nresponses, F, false);
    for (int32_t t = 0; t < resp->nresponses; t++) {
        const apr_resp_topic_t *tp = &resp->responses[t];

        p_wr_str(kw, tp->name, F);
        p_wr_count(kw, tp->npartitions, F, false);
        for (int32_t p = 0; p < tp->npartitions; p++) {
            const apr_resp_partition_t *pp = &tp->partitions[p];

            kwrite_i32(kw, pp->partition_index);
            kwrite_i16(kw, pp->error_code);
            kwrite_str(kw, pp->error_message, F);
            p_wr_tags(kw, F);
        }
        p_wr_tags(kw, F);
    }
    p_wr_tags(kw, F);
}

int
p_lpr_req_decode(kread_t *kr, int16_t version, arena_t *ar, lpr_req_t *req)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->timeout_ms = kread_i32(kr);
    req->ntopics = p_rd_ncount(kr, F, TOPIC_MIN);
    req->topics = p_alloc(ar, req->ntopics, sizeof(*req->topics));
    for (int32_t t = 0; t < req->ntopics && !kr->err; t++) {
        lpr_req_topic_t *tp = &req->topics[t];

        tp->name = p_rd_str(kr, F);
        tp->partition_indexes =
            p_rd_i32s(kr, F, false, ar, &tp->npartition_indexes);
        p_rd_tags(kr, F);
    }
    p_rd_tags(kr, F);
    return kr->err ? ERR_PROTO : 0;
}

void
p_lpr_req_encode(kwrite_t *kw, int16_t version, const lpr_req_t *req)
{
    (void)version;
    kwrite_i32(kw, req->timeout_ms);
    p_wr_count(kw, req->ntopics, F, true);
    for (int32_t t = 0; t < req->ntopics; t++) {
        const lpr_req_topic_t *tp = &req->topics[t];

        p_wr_str(kw, tp->name, F);
        p_wr_i32s(kw, tp->partition_indexes, tp->npartition_indexes, F, false);
        p_wr_tags(kw, F);
    }
    p_wr_tags(kw, F);
}

int
p_lpr_resp_decode(kread_t *kr, int16_t version, arena_t *ar, lpr_resp_t *resp)
{
    if (version < 0 || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->throttle_time_ms = kread_i32(kr);
    resp->error_code = kread_i16(kr);
    resp->error_message = kread_str(kr, F);
    resp->ntopics = p_rd_count(kr, F, TOPIC_MIN);
    resp->topics = p_alloc(ar, resp->ntopics, sizeof(*resp->topics));
    for (int32_t t = 0; t < resp->ntopics && !kr->err; t++) {
        lpr_resp_topic_t *tp = &resp->topics[t];

        tp->name = p_rd_str(kr, F);
        tp->npartitions = p_rd_count(kr, F, LPR_RESP_PART_MIN);
        tp->partitions = p_alloc(ar, tp->npartitions, sizeof(*tp->partitions));
        for (int32_t p = 0; p < tp->npartitions && !kr->err; p++) {
            lpr_resp_partition_t *pp = &tp->partitions[p];

            pp->partition_index = kread_i32(kr);
            pp->replicas = p_rd_i32s(kr, F, false, ar, &pp->nreplicas);
            pp->adding_replicas =
                p_rd_i32s(kr, F, false, ar, &pp->nadding_replicas);
            pp->removing_replicas =
                p_rd_i32s(kr, F, false, ar, &pp->nremoving_replicas);
            p_rd_tags(kr, F);
        }
        p_rd_tags(kr, F);
    }
    p_rd_tags(kr, F);
    return kr->err ? ERR_PROTO : 0;
}

void
p_lpr_resp_encode(kwrite_t *kw, int16_t version, const lpr_resp_t *resp)
{
    (void)version;
    kwrite_i32(kw, resp->throttle_time_ms);
    kwrite_i16(kw, resp->error_code);
    kwrite_str(kw, resp->error_message, F);
    p_wr_count(kw, resp->ntopics, F, false);
    for (int32_t t = 0; t < resp->ntopics; t++) {
        const lpr_resp_topic_t *tp = &resp->topics[t];

        p_wr_str(kw, tp->name, F);
        p_wr_count(kw, tp->npartitions, F, false);
        for (int32_t p = 0; p < tp->npartitions; p++) {
            const lpr_resp_partition_t *pp = &tp->partitions[p];

            kwrite_i32(kw, pp->partition_index);
            p_wr_i32s(kw, pp->replicas, pp->nreplicas, F, false);
            p_wr_i32s(kw, pp->adding_replicas, pp->nadding_replicas, F, false);
            p_wr_i32s(kw, pp->removing_replicas, pp->nremoving_replicas, F,
                      false);
            p_wr_tags(kw, F);
        }
        p_wr_tags(kw, F);
    }
    p_wr_tags(kw, F);
}
