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
 * the ISR holds the batch, i.e. the high watermark passed its last offset:
 * such a request waits in the purgatory, woken when the replica manager
 * moves the high watermark or the ISR, until the request's timeout_ms,
 * REQUEST_TIMED_OUT). Fewer in-sync replicas than min.insync.replicas is
 * NOT_ENOUGH_REPLICAS before the append and
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank while waiting
 * (replmgr.c R5). An ISR of the leader alone answers at once.
 */
#include <ev.h>
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
#include "samsa/xmalloc.h"

/* an acks=all partition waiting for its high watermark */
typedef struct produce_pending {
    kstr_t topic; /* view into the frame */
    int32_t partition;
    int64_t required; /* last offset + 1 */
    int32_t min_isr;
    produce_resp_partition_t *out;
    bool done;
} produce_pending_t;

/* the largest batch the topic accepts (max.message.bytes) */
static int32_t
produce_max_batch(const breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const char *v = t ? mc_topic_config(t, "max.message.bytes") : NULL;

    return v ? atoi(v) : broker_conf(req->b)->message_max_bytes;
}

static int32_t
produce_min_isr(const breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const char *v = t ? mc_topic_config(t, "min.insync.replicas") : NULL;

    return v ? atoi(v) : broker_conf(req->b)->min_insync_replicas;
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
        kerr =
            (int16_t)batch_validate(p + off, batch_size(&h), &req->bc->scratch);
        if (kerr != KERR_NONE)
            return kerr;
        off += batch_size(&h);
    }
    return KERR_NONE;
}

/* appends one partition's batches; fills @out and, for an acks=all
 * append not yet replicated, @pend (returns true then) */
static bool
produce_partition(breq_t *req, const produce_req_t *r, kstr_t topic,
                  const produce_req_partition_t *rp,
                  produce_resp_partition_t *out, produce_pending_t *pend)
{
    const mc_partition_t *part;
    plog_append_info_t info;
    int64_t append_time = -1;
    int32_t min_isr = produce_min_isr(req, topic);
    plog_t *plog;
    int16_t kerr;
    int rc, acked;

    out->index = rp->index;
    out->base_offset = -1;
    out->log_append_time_ms = -1;
    out->log_start_offset = -1;
    out->error_message.len = -1;
    kerr = broker_leader_partition(req->b, req->snap, topic, rp->index, &part,
                                   &plog);
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        return false;
    }
    if (rp->records.len < 0)
        kerr = KERR_CORRUPT_MESSAGE;
    else
        kerr = produce_validate(req, rp->records.ptr, rp->records.len,
                                produce_max_batch(req, topic));
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        out->log_start_offset = plog_log_start_offset(plog);
        plog_unref(plog);
        return false;
    }
    /* the frame is ours to rewrite (net/conn.h): offsets are set in place */
    if (produce_log_append_time(req, topic)) {
        append_time = clock_wall_ms();
        produce_stamp((uint8_t *)rp->records.ptr, rp->records.len, append_time);
    }
    /* the leader's epoch, the ISR check and the high watermark: one step
     * under the partition's lock (replmgr R2, R3) */
    kerr = replmgr_append_leader(req->b->rm, topic.ptr, topic.len, rp->index,
                                 (uint8_t *)rp->records.ptr, rp->records.len,
                                 r->acks == -1 ? min_isr : 0, &info, &rc);
    if (kerr != KERR_NONE) {
        if (rc != 0)
            say_error("append to %.*s-%d failed: %s", topic.len, topic.ptr,
                      rp->index, err_str(rc));
        out->error_code = kerr;
        out->log_start_offset = plog_log_start_offset(plog);
        plog_unref(plog);
        return false;
    }
    out->error_code = KERR_NONE;
    out->base_offset = info.base_offset;
    out->log_append_time_ms = append_time;
    out->log_start_offset = info.log_start_offset;
    plog_unref(plog);
    /* parked consumers and followers see the new data */
    purgatory_wake(req->b, topic, rp->index);
    if (r->acks != -1)
        return false;
    acked = replmgr_acks_check(req->b->rm, topic.ptr, topic.len, rp->index,
                               info.last_offset + 1, min_isr);
    if (acked >= 0) {
        out->error_code = (int16_t)acked;
        return false;
    }
    pend->topic = topic;
    pend->partition = rp->index;
    pend->required = info.last_offset + 1;
    pend->min_isr = min_isr;
    pend->out = out;
    pend->done = false;
    return true;
}

/* ------------------------------------------------------------------ */
/* acks=all in the purgatory                                           */

typedef struct produce_wait {
    pwaiter_t w;         /* first: the purgatory's part */
    produce_resp_t resp; /* in the request's arena; names view the frame */
    produce_pending_t *pending;
    int32_t npending;
} produce_wait_t;

static bool
produce_wait_watches(pwaiter_t *w, kstr_t topic, int32_t partition)
{
    produce_wait_t *pw = (produce_wait_t *)w;

    for (int32_t i = 0; i < pw->npending; i++) {
        const produce_pending_t *pp = &pw->pending[i];

        if (pp->partition == partition && pp->topic.len == topic.len &&
            memcmp(pp->topic.ptr, topic.ptr, (size_t)topic.len) == 0)
            return true;
    }
    return false;
}

/* re-checks the waiting partitions; answers when none is left, or all
 * that are left with REQUEST_TIMED_OUT when @expired */
static void
produce_wait_check(pwaiter_t *w, bool expired)
{
    produce_wait_t *pw = (produce_wait_t *)w;
    bool waiting = false;
    kwrite_t *kw;

    for (int32_t i = 0; i < pw->npending; i++) {
        produce_pending_t *pp = &pw->pending[i];
        int acked;

        if (pp->done)
            continue;
        acked = replmgr_acks_check(w->b->rm, pp->topic.ptr, pp->topic.len,
                                   pp->partition, pp->required, pp->min_isr);
        if (acked < 0 && expired)
            acked = KERR_REQUEST_TIMED_OUT;
        if (acked < 0 && !conn_is_closed(w->conn)) {
            waiting = true;
            continue;
        }
        pp->out->error_code =
            (int16_t)(acked < 0 ? KERR_REQUEST_TIMED_OUT : acked);
        pp->done = true;
    }
    if (waiting)
        return;
    kw = bresp_begin(w->correlation_id, API_PRODUCE, w->api_version);
    p_produce_resp_encode(kw, w->api_version, &pw->resp);
    purgatory_answer(w, kw);
}

static void
produce_park(breq_t *req, const produce_resp_t *resp,
             produce_pending_t *pending, int32_t npending, int32_t timeout_ms)
{
    produce_wait_t *pw = xcalloc(1, sizeof(*pw));

    pw->w.watches = produce_wait_watches;
    pw->w.check = produce_wait_check;
    /* resp and pending live in the request's arena: it moves with them */
    pw->resp = *resp;
    pw->pending = pending;
    pw->npending = npending;
    purgatory_park(req, &pw->w, timeout_ms);
}

int
h_produce(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    produce_resp_t resp = {0};
    produce_pending_t *pending = NULL;
    int32_t npending = 0, total = 0;
    produce_req_t r;
    kwrite_t *kw;

    if (p_produce_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    for (int32_t t = 0; t < r.ntopic_data; t++)
        total += r.topic_data[t].npartition_data;
    if (r.acks == -1 && total > 0)
        pending = arena_calloc(req->ar, (size_t)total, sizeof(*pending));
    resp.nresponses = r.ntopic_data;
    resp.responses =
        arena_calloc(req->ar, r.ntopic_data, sizeof(*resp.responses));
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
            if (produce_partition(req, &r, rt->name, &rt->partition_data[p], op,
                                  pending ? &pending[npending] : NULL))
                npending++;
        }
    }
    if (npending > 0) {
        produce_park(req, &resp, pending, npending, r.timeout_ms);
        return 0;
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
