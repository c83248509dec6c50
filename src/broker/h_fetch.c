/*
 * h_fetch.c: Fetch (key 1), v4-12, with long polling.
 * Spec: protocol guide "Fetch"; KIP-74 (response and partition max bytes:
 * the first batch is returned whole even when larger), KIP-227 (fetch
 * sessions: samsa answers session_id 0, "no session", and clients fall back
 * to full fetches), KIP-392 (preferred read replica: none).
 *
 * Record data is never copied: each partition's records are a file slice of
 * the log, sent with sendfile. A consumer reads up to the high watermark;
 * read_committed reads up to the last stable offset, which equals the high
 * watermark while samsa has no transactions.
 *
 * A fetch that finds fewer than min_bytes waits in the purgatory until a
 * produce to one of its partitions or max_wait_ms, whichever comes first.
 *
 * A follower's fetch (replica_id >= 0) reads to the log end and reports
 * its fetch offset to the replica manager as its log end offset, which may
 * advance the high watermark (waking parked consumers and acks=all
 * produces), and its log_start_offset, which may advance the low
 * watermark (waking parked DeleteRecords, replmgr.c R11); with Fetch
 * v12's last_fetched_epoch the leader answers a
 * diverging epoch instead of records when the follower's log has split
 * from its own (KIP-595).
 *
 * Replication throttling (KIP-73; Kafka 2.8 ReplicaManager
 * .shouldLeaderThrottle, KafkaApis.sizeOfThrottledPartitions): a
 * partition that the topic's leader.replication.throttled.replicas names
 * for this broker ("<partition>:<id>" or "*") gives a follower outside
 * its ISR no records while the leader quota
 * (leader.replication.throttled.rate) is exceeded; the rest of the answer
 * (high watermark, log start) is as usual, and the fetch waits in the
 * purgatory like one that found nothing. The record bytes a response
 * carries for throttled partitions are recorded into the quota when it
 * is sent.
 */
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_fetch.h"
#include "samsa/throttle.h"
#include "samsa/xmalloc.h"

typedef struct fetch_wait {
    pwaiter_t w;   /* first: the purgatory's part */
    fetch_req_t r; /* views into the frame, valid until the reply */
} fetch_wait_t;

static const uint8_t fetch_empty[1];

/* leader.replication.throttled.replicas names the partition for us */
static bool
fetch_throttled(broker_t *b, const mc_snapshot_t *snap, kstr_t topic,
                int32_t partition)
{
    const mc_topic_t *t = mc_topic_find(snap, topic.ptr, topic.len);

    return t != NULL &&
           throttle_replicas_match(
               mc_topic_config(t, "leader.replication.throttled.replicas"),
               partition, b->id);
}

/* fills one partition's answer; returns the record bytes it holds, and
 * sets *@throttled when the leader quota covers them */
static size_t
fetch_partition(broker_t *b, const mc_snapshot_t *snap, const fetch_req_t *r,
                kstr_t topic, const fetch_req_partition_t *rp, int32_t budget,
                bool first, fetch_resp_partition_t *out, bool *throttled)
{
    const mc_partition_t *part;
    int64_t hw, leo, limit;
    plog_t *plog;
    fslice_t slice;
    int16_t kerr;
    int rc;

    p_fetch_resp_partition_init(out);
    out->partition_index = rp->partition;
    out->records.ptr = fetch_empty;
    out->records.len = 0;
    kerr = broker_leader_partition(b, snap, topic, rp->partition, &part, &plog);
    if (kerr == KERR_NONE)
        kerr = replmgr_check_epoch(rp->current_leader_epoch,
                                   broker_leader_epoch(b, topic, part));
    if (kerr == KERR_NONE && r->replica_id >= 0) {
        /* a follower: its fetch offset is its log end (replmgr R4) */
        kerr = replmgr_follower_fetch(
            b->rm, topic.ptr, topic.len, rp->partition, r->replica_id,
            rp->current_leader_epoch, rp->fetch_offset, rp->log_start_offset,
            rp->last_fetched_epoch, &out->diverging_epoch.epoch,
            &out->diverging_epoch.end_offset);
    }
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        out->high_watermark = -1;
        plog_unref(plog);
        return 0;
    }
    hw = plog_high_watermark(plog);
    leo = plog_log_end_offset(plog);
    out->high_watermark = hw;
    out->last_stable_offset = hw;
    out->log_start_offset = plog_log_start_offset(plog);
    if (out->diverging_epoch.epoch >= 0) {
        /* KIP-595: no records; the follower truncates first */
        plog_unref(plog);
        return 0;
    }
    /* a follower (replica_id >= 0) reads to the log end, a consumer to hw */
    limit = r->replica_id >= 0 ? leo : hw;
    if (rp->fetch_offset < out->log_start_offset || rp->fetch_offset > leo) {
        out->error_code = KERR_OFFSET_OUT_OF_RANGE;
        plog_unref(plog);
        return 0;
    }
    if ((!first && budget <= 0) || rp->fetch_offset >= limit) {
        plog_unref(plog);
        return 0;
    }
    *throttled =
        r->replica_id >= 0 && fetch_throttled(b, snap, topic, rp->partition);
    if (*throttled && throttle_exceeded(b->leader_quota) &&
        !replmgr_in_isr(b->rm, topic.ptr, topic.len, rp->partition,
                        r->replica_id)) {
        /* shouldLeaderThrottle: an empty answer */
        plog_unref(plog);
        return 0;
    }
    rc = plog_read(plog, rp->fetch_offset,
                   rp->partition_max_bytes < budget || first
                       ? rp->partition_max_bytes
                       : budget,
                   limit, &slice);
    plog_unref(plog);
    if (rc == ERR_RANGE) {
        out->error_code = KERR_OFFSET_OUT_OF_RANGE;
        return 0;
    }
    if (rc != 0) {
        out->error_code = KERR_KAFKA_STORAGE_ERROR;
        return 0;
    }
    if (slice.len == 0 || (!first && slice.len > (size_t)budget)) {
        /* only the response's first data may exceed the budget (KIP-74) */
        if (slice.unref != NULL)
            slice.unref(slice.ref);
        return 0;
    }
    out->records_file = slice;
    return slice.len;
}

/* builds the whole response; returns record bytes, sets *@error and the
 * bytes of throttled partitions in *@throttled_bytes */
static size_t
fetch_build(broker_t *b, const fetch_req_t *r, arena_t *ar, fetch_resp_t *resp,
            bool *error, size_t *throttled_bytes)
{
    mc_snapshot_t *snap = metacache_get();
    int32_t max_bytes = r->max_bytes > 0 ? r->max_bytes : INT32_MAX;
    size_t total = 0;

    memset(resp, 0, sizeof(*resp));
    *error = false;
    *throttled_bytes = 0;
    resp->nresponses = r->ntopics;
    resp->responses = arena_calloc(ar, r->ntopics, sizeof(*resp->responses));
    for (int32_t t = 0; t < r->ntopics; t++) {
        const fetch_req_topic_t *rt = &r->topics[t];
        fetch_resp_topic_t *ot = &resp->responses[t];

        ot->topic = rt->topic;
        ot->npartitions = rt->npartitions;
        ot->partitions =
            arena_calloc(ar, rt->npartitions, sizeof(*ot->partitions));
        for (int32_t p = 0; p < rt->npartitions; p++) {
            int64_t left = (int64_t)max_bytes - (int64_t)total;
            bool throttled = false;
            size_t got;

            got = fetch_partition(b, snap, r, rt->topic, &rt->partitions[p],
                                  left > INT32_MAX ? INT32_MAX : (int32_t)left,
                                  total == 0, &ot->partitions[p], &throttled);
            total += got;
            if (throttled)
                *throttled_bytes += got;
            if (ot->partitions[p].error_code != KERR_NONE)
                *error = true;
        }
    }
    mc_snapshot_put(snap);
    return total;
}

/* drops the file references of a response that will not be sent */
static void
fetch_release(fetch_resp_t *resp)
{
    for (int32_t t = 0; t < resp->nresponses; t++) {
        fetch_resp_topic_t *ot = &resp->responses[t];

        for (int32_t p = 0; p < ot->npartitions; p++) {
            fslice_t *fs = &ot->partitions[p].records_file;

            if (fs->fd >= 0 && fs->unref != NULL)
                fs->unref(fs->ref);
            fs->fd = -1;
        }
    }
}

static kwrite_t *
fetch_encode(int32_t correlation_id, int16_t version, const fetch_resp_t *resp)
{
    kwrite_t *kw = bresp_begin(correlation_id, API_FETCH, version);

    p_fetch_resp_encode(kw, version, resp);
    return kw;
}

static bool
fetch_wait_watches(pwaiter_t *w, kstr_t topic, int32_t partition)
{
    fetch_wait_t *fw = (fetch_wait_t *)w;

    for (int32_t t = 0; t < fw->r.ntopics; t++) {
        const fetch_req_topic_t *rt = &fw->r.topics[t];

        if (rt->topic.len != topic.len ||
            memcmp(rt->topic.ptr, topic.ptr, topic.len) != 0)
            continue;
        for (int32_t p = 0; p < rt->npartitions; p++)
            if (rt->partitions[p].partition == partition)
                return true;
    }
    return false;
}

/* re-checks a parked fetch; answers it when satisfied or @expired */
static void
fetch_wait_check(pwaiter_t *w, bool expired)
{
    fetch_wait_t *fw = (fetch_wait_t *)w;
    fetch_resp_t resp;
    kwrite_t *kw;
    arena_t tmp; /* each check's answer; freed so rechecks do not grow */
    size_t total, throttled;
    bool error;

    arena_init(&tmp);
    total = fetch_build(w->b, &fw->r, &tmp, &resp, &error, &throttled);
    if (!expired && !error && total < (size_t)fw->r.min_bytes &&
        !conn_is_closed(w->conn)) {
        fetch_release(&resp);
        arena_fini(&tmp);
        return;
    }
    if (throttled > 0)
        throttle_record(w->b->leader_quota, (int64_t)throttled);
    kw = fetch_encode(w->correlation_id, w->api_version, &resp);
    arena_fini(&tmp);
    purgatory_answer(w, kw);
}

static void
fetch_park(breq_t *req, const fetch_req_t *r)
{
    fetch_wait_t *fw = xcalloc(1, sizeof(*fw));

    fw->w.watches = fetch_wait_watches;
    fw->w.check = fetch_wait_check;
    fw->r = *r;
    purgatory_park(req, &fw->w, r->max_wait_ms);
}

int
h_fetch(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    fetch_resp_t resp;
    fetch_req_t r;
    size_t total, throttled;
    bool error;

    if (p_fetch_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    total = fetch_build(req->b, &r, req->ar, &resp, &error, &throttled);
    if (error || r.max_wait_ms <= 0 || total >= (size_t)r.min_bytes ||
        r.ntopics == 0) {
        if (throttled > 0)
            throttle_record(req->b->leader_quota, (int64_t)throttled);
        breq_reply(req, fetch_encode(req->hdr.correlation_id, version, &resp));
        return 0;
    }
    fetch_release(&resp);
    fetch_park(req, &r);
    return 0;
}
