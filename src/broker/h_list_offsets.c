/*
 * h_list_offsets.c: ListOffsets (key 2), v0-6.
 * Spec: protocol guide "ListOffsets"; KIP-79 (by timestamp, v1+), KIP-98
 * (isolation level, v2+), KIP-320 (leader epochs, v4+).
 * timestamp -2 = earliest (log start offset), -1 = latest (high watermark,
 * which is also the last stable offset while samsa has no transactions),
 * otherwise the first offset whose timestamp is at or after it.
 * v0 answers old_style_offsets (at most max_num_offsets of them: the
 * latest, then the base offsets of earlier segments is Kafka's rule; samsa
 * returns the one offset asked for).
 */
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_listoffsets.h"

#define LIST_OFFSETS_LATEST (-1)
#define LIST_OFFSETS_EARLIEST (-2)

static void
list_offsets_partition(breq_t *req, const listoffsets_req_t *r, kstr_t topic,
                       const listoffsets_req_partition_t *rp,
                       listoffsets_resp_partition_t *out)
{
    int16_t version = req->hdr.request_api_version;
    const mc_partition_t *part;
    int64_t offset = -1, ts = -1;
    plog_t *plog;
    int16_t kerr;
    int rc;

    out->partition_index = rp->partition_index;
    out->timestamp = -1;
    out->offset = -1;
    out->leader_epoch = -1;
    kerr = broker_leader_partition(req->b, req->snap, topic,
                                   rp->partition_index, &part, &plog);
    if (kerr == KERR_NONE && rp->current_leader_epoch >= 0 &&
        rp->current_leader_epoch != part->leader_epoch)
        kerr = rp->current_leader_epoch < part->leader_epoch
                   ? KERR_FENCED_LEADER_EPOCH
                   : KERR_UNKNOWN_LEADER_EPOCH;
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        plog_unref(plog);
        return;
    }
    (void)r;
    if (rp->timestamp == LIST_OFFSETS_EARLIEST) {
        offset = plog_log_start_offset(plog);
    } else if (rp->timestamp == LIST_OFFSETS_LATEST) {
        offset = plog_high_watermark(plog);
    } else {
        rc = plog_offset_for_timestamp(plog, rp->timestamp, &offset, &ts);
        if (rc == ERR_NOTFOUND) {
            offset = -1;
            ts = -1;
        } else if (rc != 0) {
            out->error_code = KERR_KAFKA_STORAGE_ERROR;
            plog_unref(plog);
            return;
        } else if (offset >= plog_high_watermark(plog)) {
            /* consumers see nothing past the high watermark */
            offset = -1;
            ts = -1;
        }
    }
    plog_unref(plog);
    out->error_code = KERR_NONE;
    if (version == 0) {
        out->nold_style_offsets = offset >= 0 && rp->max_num_offsets > 0;
        out->old_style_offsets =
            arena_calloc(req->ar, 1, sizeof(*out->old_style_offsets));
        out->old_style_offsets[0] = offset;
        return;
    }
    out->offset = offset;
    out->timestamp = ts;
    if (offset >= 0)
        out->leader_epoch = part->leader_epoch;
}

/* a partition named more than once in the request, anywhere (Kafka answers
 * INVALID_REQUEST for every copy) */
static bool
list_offsets_duplicate(const listoffsets_req_t *r, int32_t t, int32_t p)
{
    const listoffsets_req_topic_t *rt = &r->topics[t];
    int32_t part = rt->partitions[p].partition_index;

    for (int32_t u = 0; u < r->ntopics; u++) {
        const listoffsets_req_topic_t *ru = &r->topics[u];

        if (ru->name.len != rt->name.len ||
            memcmp(ru->name.ptr, rt->name.ptr, rt->name.len) != 0)
            continue;
        for (int32_t q = 0; q < ru->npartitions; q++)
            if ((u != t || q != p) && ru->partitions[q].partition_index == part)
                return true;
    }
    return false;
}

int
h_list_offsets(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    listoffsets_resp_t resp = {0};
    listoffsets_req_t r;
    kwrite_t *kw;

    if (p_listoffsets_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.ntopics = r.ntopics;
    resp.topics = arena_calloc(req->ar, r.ntopics, sizeof(*resp.topics));
    for (int32_t t = 0; t < r.ntopics; t++) {
        const listoffsets_req_topic_t *rt = &r.topics[t];
        listoffsets_resp_topic_t *ot = &resp.topics[t];

        ot->name = rt->name;
        ot->npartitions = rt->npartitions;
        ot->partitions =
            arena_calloc(req->ar, rt->npartitions, sizeof(*ot->partitions));
        for (int32_t p = 0; p < rt->npartitions; p++) {
            if (list_offsets_duplicate(&r, t, p)) {
                ot->partitions[p].partition_index =
                    rt->partitions[p].partition_index;
                ot->partitions[p].error_code = KERR_INVALID_REQUEST;
                ot->partitions[p].timestamp = -1;
                ot->partitions[p].offset = -1;
                ot->partitions[p].leader_epoch = -1;
                continue;
            }
            list_offsets_partition(req, &r, rt->name, &rt->partitions[p],
                                   &ot->partitions[p]);
        }
    }
    kw = bresp_begin(req->hdr.correlation_id, API_LIST_OFFSETS, version);
    p_listoffsets_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
