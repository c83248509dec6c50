/*
 * h_produce.c: Produce (key 0), v3-9 (record batch magic 2 only).
 * Spec: protocol guide "Produce"; KIP-98 (batch format), KIP-467 (record
 * errors, v8). Batches are validated (size, magic, CRC, records) and then
 * appended exactly as received: the log rewrites only baseOffset and
 * partitionLeaderEpoch, which the CRC does not cover.
 *
 * Topics with message.timestamp.type=LogAppendTime get the broker's time
 * as each batch's maxTimestamp (the CRC is then recomputed), as in Kafka.
 *
 * acks: 0 (no response), 1 (after the leader's append) and -1/all (after
 * the ISR holds the batch: until replication exists the ISR is the leader
 * alone, so the high watermark moves with the append; fewer in-sync
 * replicas than min.insync.replicas is NOT_ENOUGH_REPLICAS).
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_produce.h"
#include "samsa/say.h"

/* the largest batch the topic accepts (max.message.bytes) */
static int32_t
produce_max_batch(const breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const char *v = t ? mc_topic_config(t, "max.message.bytes") : NULL;

    return v ? atoi(v) : req->b->conf->message_max_bytes;
}

static int32_t
produce_min_isr(const breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const char *v = t ? mc_topic_config(t, "min.insync.replicas") : NULL;

    return v ? atoi(v) : req->b->conf->min_insync_replicas;
}

/* true for message.timestamp.type=LogAppendTime topics */
static bool
produce_log_append_time(const breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const char *v = t ? mc_topic_config(t, "message.timestamp.type") : NULL;

    return v != NULL && strcmp(v, "LogAppendTime") == 0;
}

/*
 * Stamps every batch with the broker's time: the one case where the broker
 * changes a batch beyond baseOffset and partitionLeaderEpoch (maxTimestamp
 * and the timestamp-type attribute, so the CRC is recomputed). The batches
 * were validated, so their framing is sound.
 */
static void
produce_stamp(uint8_t *p, size_t len, int64_t now)
{
    size_t off = 0;
    batch_hdr_t h;

    while (off < len && batch_hdr_parse(p + off, len - off, &h) == 0) {
        batch_set_log_append_time(p + off, batch_size(&h), now);
        off += batch_size(&h);
    }
}

/* checks every batch of one partition's records; a Kafka error code */
static int16_t
produce_validate(breq_t *req, const uint8_t *p, size_t len, int32_t max_batch)
{
    size_t off = 0;
    batch_hdr_t h;
    int16_t kerr;

    if (len == 0)
        return KERR_CORRUPT_MESSAGE;
    while (off < len) {
        if (batch_hdr_parse(p + off, len - off, &h) != 0)
            return KERR_CORRUPT_MESSAGE;
        if (batch_size(&h) > len - off)
            return KERR_CORRUPT_MESSAGE;
        if (batch_size(&h) > (size_t)max_batch)
            return KERR_MESSAGE_TOO_LARGE;
        /* control batches are the transaction coordinator's, never a client's */
        if (h.attributes & BATCH_ATTR_CONTROL)
            return KERR_INVALID_RECORD;
        kerr = (int16_t)batch_validate(p + off, batch_size(&h),
                                       &req->bc->scratch);
        if (kerr != KERR_NONE)
            return kerr;
        off += batch_size(&h);
    }
    return KERR_NONE;
}

static void
produce_partition(breq_t *req, const produce_req_t *r, kstr_t topic,
                  const produce_req_partition_t *rp,
                  produce_resp_partition_t *out)
{
    const mc_partition_t *part;
    plog_append_info_t info;
    int64_t append_time = -1;
    plog_t *plog;
    int16_t kerr;
    int rc;

    out->index = rp->index;
    out->base_offset = -1;
    out->log_append_time_ms = -1;
    out->log_start_offset = -1;
    out->error_message.len = -1;
    kerr = broker_leader_partition(req->b, req->snap, topic, rp->index, &part,
                                   &plog);
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        return;
    }
    if (rp->records.len < 0)
        kerr = KERR_CORRUPT_MESSAGE;
    else if (r->acks == -1 && part->nisr < produce_min_isr(req, topic))
        kerr = KERR_NOT_ENOUGH_REPLICAS;
    else
        kerr = produce_validate(req, rp->records.ptr, rp->records.len,
                                produce_max_batch(req, topic));
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        out->log_start_offset = plog_log_start_offset(plog);
        plog_unref(plog);
        return;
    }
    /* the frame is ours to rewrite (net/conn.h): offsets are set in place */
    if (produce_log_append_time(req, topic)) {
        append_time = clock_wall_ms();
        produce_stamp((uint8_t *)rp->records.ptr, rp->records.len,
                      append_time);
    }
    rc = plog_append(plog, (uint8_t *)rp->records.ptr, rp->records.len,
                     part->leader_epoch, &info);
    if (rc != 0) {
        say_error("append to %.*s-%d failed: %s", topic.len, topic.ptr,
                  rp->index, err_str(rc));
        out->error_code = KERR_KAFKA_STORAGE_ERROR;
        plog_unref(plog);
        return;
    }
    /* the ISR is this leader alone: the high watermark follows the log */
    plog_set_high_watermark(plog, info.last_offset + 1);
    out->error_code = KERR_NONE;
    out->base_offset = info.base_offset;
    out->log_append_time_ms = append_time;
    out->log_start_offset = info.log_start_offset;
    plog_unref(plog);
    purgatory_wake(req->b, topic, rp->index);
}

int
h_produce(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    produce_resp_t resp = {0};
    produce_req_t r;
    kwrite_t *kw;

    if (p_produce_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.nresponses = r.ntopic_data;
    resp.responses = arena_calloc(req->ar, r.ntopic_data,
                                  sizeof(*resp.responses));
    for (int32_t t = 0; t < r.ntopic_data; t++) {
        const produce_req_topic_t *rt = &r.topic_data[t];
        produce_resp_topic_t *ot = &resp.responses[t];

        ot->name = rt->name;
        ot->npartition_responses = rt->npartition_data;
        ot->partition_responses = arena_calloc(
            req->ar, rt->npartition_data, sizeof(*ot->partition_responses));
        for (int32_t p = 0; p < rt->npartition_data; p++) {
            produce_resp_partition_t *op = &ot->partition_responses[p];

            if (r.acks != 0 && r.acks != 1 && r.acks != -1) {
                op->index = rt->partition_data[p].index;
                op->error_code = KERR_INVALID_REQUIRED_ACKS;
                op->base_offset = -1;
                op->log_append_time_ms = -1;
                op->log_start_offset = -1;
                op->error_message.len = -1;
                continue;
            }
            produce_partition(req, &r, rt->name, &rt->partition_data[p], op);
        }
    }
    if (r.acks == 0) {
        breq_reply_none(req);
        return 0;
    }
    kw = bresp_begin(req->hdr.correlation_id, API_PRODUCE, version);
    p_produce_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
