/*
 * p_produce.c: Produce (key 0) v3-9 codec (see p_produce.h).
 *
 * Owns the body layout only: record batches stay opaque bytes here and are
 * validated by batch.c. Spec: Kafka 2.8.0 Produce*.json; v9+ flexible.
 */
#include "samsa/p_produce.h"

#include "p_int.h"

#define FLEX(v) ((v) >= 9)
#define VMIN 3
#define VMAX 9

int
p_produce_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                     produce_req_t *req)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + P_ARRMIN(flex) + P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < VMIN || version > VMAX)
        return ERR_PROTO;
    memset(req, 0, sizeof(*req));
    req->transactional_id = kread_str(kr, flex);
    req->acks = kread_i16(kr);
    req->timeout_ms = kread_i32(kr);
    req->ntopic_data = p_rd_count(kr, flex, tmin);
    req->topic_data = p_alloc(ar, req->ntopic_data, sizeof(*req->topic_data));
    for (int32_t i = 0; i < req->ntopic_data; i++) {
        produce_req_topic_t *t = &req->topic_data[i];

        t->name = p_rd_str(kr, flex);
        t->npartition_data = p_rd_count(kr, flex, pmin);
        t->partition_data =
            p_alloc(ar, t->npartition_data, sizeof(*t->partition_data));
        for (int32_t j = 0; j < t->npartition_data; j++) {
            produce_req_partition_t *p = &t->partition_data[j];

            p->index = kread_i32(kr);
            p->records = kread_bytes(kr, flex);
            p_rd_tags(kr, flex);
        }
        p_rd_tags(kr, flex);
    }
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

void
p_produce_req_encode(kwrite_t *kw, int16_t version, const produce_req_t *req)
{
    bool flex = FLEX(version);

    kwrite_str(kw, req->transactional_id, flex);
    kwrite_i16(kw, req->acks);
    kwrite_i32(kw, req->timeout_ms);
    p_wr_count(kw, req->ntopic_data, flex, false);
    for (int32_t i = 0; i < req->ntopic_data; i++) {
        const produce_req_topic_t *t = &req->topic_data[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartition_data, flex, false);
        for (int32_t j = 0; j < t->npartition_data; j++) {
            const produce_req_partition_t *p = &t->partition_data[j];

            kwrite_i32(kw, p->index);
            p_wr_bytes(kw, p->records, flex);
            p_wr_tags(kw, flex);
        }
        p_wr_tags(kw, flex);
    }
    p_wr_tags(kw, flex);
}

static void
rd_partition(kread_t *kr, int16_t version, bool flex, arena_t *ar,
             produce_resp_partition_t *p)
{
    p->index = kread_i32(kr);
    p->error_code = kread_i16(kr);
    p->base_offset = kread_i64(kr);
    p->log_append_time_ms = kread_i64(kr); /* v2+: every served version */
    p->log_start_offset = version >= 5 ? kread_i64(kr) : -1;
    p->error_message = p_str_null();
    if (version >= 8) {
        size_t emin = 4 + P_STRMIN(flex) + P_TAGMIN(flex);

        p->nrecord_errors = p_rd_count(kr, flex, emin);
        p->record_errors =
            p_alloc(ar, p->nrecord_errors, sizeof(*p->record_errors));
        for (int32_t k = 0; k < p->nrecord_errors; k++) {
            p->record_errors[k].batch_index = kread_i32(kr);
            p->record_errors[k].batch_index_error_message = kread_str(kr, flex);
            p_rd_tags(kr, flex);
        }
        p->error_message = kread_str(kr, flex);
    }
    p_rd_tags(kr, flex);
}

int
p_produce_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                      produce_resp_t *resp)
{
    bool flex = FLEX(version);
    size_t pmin = 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0) +
                  (version >= 8 ? P_ARRMIN(flex) + P_STRMIN(flex) : 0) +
                  P_TAGMIN(flex);
    size_t tmin = P_STRMIN(flex) + P_ARRMIN(flex) + P_TAGMIN(flex);

    if (version < VMIN || version > VMAX)
        return ERR_PROTO;
    memset(resp, 0, sizeof(*resp));
    resp->nresponses = p_rd_count(kr, flex, tmin);
    resp->responses = p_alloc(ar, resp->nresponses, sizeof(*resp->responses));
    for (int32_t i = 0; i < resp->nresponses; i++) {
        produce_resp_topic_t *t = &resp->responses[i];

        t->name = p_rd_str(kr, flex);
        t->npartition_responses = p_rd_count(kr, flex, pmin);
        t->partition_responses = p_alloc(ar, t->npartition_responses,
                                         sizeof(*t->partition_responses));
        for (int32_t j = 0; j < t->npartition_responses; j++)
            rd_partition(kr, version, flex, ar, &t->partition_responses[j]);
        p_rd_tags(kr, flex);
    }
    resp->throttle_time_ms = kread_i32(kr);
    p_rd_tags(kr, flex);
    return kr->err ? ERR_PROTO : 0;
}

static void
wr_partition(kwrite_t *kw, int16_t version, bool flex,
             const produce_resp_partition_t *p)
{
    kwrite_i32(kw, p->index);
    kwrite_i16(kw, p->error_code);
    kwrite_i64(kw, p->base_offset);
    kwrite_i64(kw, p->log_append_time_ms);
    if (version >= 5)
        kwrite_i64(kw, p->log_start_offset);
    if (version >= 8) {
        p_wr_count(kw, p->nrecord_errors, flex, false);
        for (int32_t k = 0; k < p->nrecord_errors; k++) {
            kwrite_i32(kw, p->record_errors[k].batch_index);
            kwrite_str(kw, p->record_errors[k].batch_index_error_message, flex);
            p_wr_tags(kw, flex);
        }
        kwrite_str(kw, p->error_message, flex);
    }
    p_wr_tags(kw, flex);
}

void
p_produce_resp_encode(kwrite_t *kw, int16_t version, const produce_resp_t *resp)
{
    bool flex = FLEX(version);

    p_wr_count(kw, resp->nresponses, flex, false);
    for (int32_t i = 0; i < resp->nresponses; i++) {
        const produce_resp_topic_t *t = &resp->responses[i];

        p_wr_str(kw, t->name, flex);
        p_wr_count(kw, t->npartition_responses, flex, false);
        for (int32_t j = 0; j < t->npartition_responses; j++)
            wr_partition(kw, version, flex, &t->partition_responses[j]);
        p_wr_tags(kw, flex);
    }
    kwrite_i32(kw, resp->throttle_time_ms);
    p_wr_tags(kw, flex);
}
