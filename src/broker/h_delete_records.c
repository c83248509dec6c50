/*
 * h_delete_records.c: DeleteRecords (key 21), v0-2.
 * Spec: KIP-107; Kafka 2.8 ReplicaManager.deleteRecords,
 * Partition.deleteRecordsOnLeader and DelayedDeleteRecords.
 *
 * Per partition, on its leader only (replmgr_delete_records, under the
 * partition's lock): offset -1 means the high watermark; a negative
 * offset or one above the high watermark is OFFSET_OUT_OF_RANGE;
 * otherwise the leader's log start offset is raised to it
 * (plog_delete_records: reads below it fail at once, whole segments below
 * it go at the next retention pass). Internal topics (__consumer_offsets,
 * __transaction_state) are refused as Kafka does.
 *
 * The answer waits for the followers (replmgr.c R11): the partition's low
 * watermark -- the least log start offset of the leader and of every
 * follower whose broker is alive, as the followers report them in their
 * fetches (they take the leader's from the fetch responses,
 * src/replica/fetcher.c) -- must reach the requested offset, so a failover
 * right after the answer cannot bring deleted records back. Until then the
 * request waits in the purgatory, looked at again when a follower reports
 * another log start, the role or ISR changes (replmgr's on_change) or the
 * metadata changes (a follower's broker left: it no longer counts), until
 * the request's timeout_ms. Per partition, as DelayedDeleteRecords:
 *
 *   local delete ok --(low watermark >= requested)--> NONE, low watermark
 *        |        \--(no longer leader)-------------> NOT_LEADER_OR_FOLLOWER
 *        |         \-(not replicated here, stopped)-> UNKNOWN_TOPIC_OR_PARTITION
 *        '--(timeout_ms)--> REQUEST_TIMED_OUT, the low watermark seen at
 *                           the local delete
 *
 * the last three with low watermark -1 (Kafka's INVALID_LOW_WATERMARK)
 * except the time-out. A partition refused at once never waits; a single
 * replica answers at once.
 * Does not own: the log (plog), leadership and follower state (replmgr),
 * the parking (purgatory.c).
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/tconf.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_deleterecords.h"
#include "samsa/xmalloc.h"

/* a partition whose low watermark has not reached the requested offset */
typedef struct delete_records_pending {
    kstr_t topic; /* view into the frame */
    int32_t partition;
    int64_t required; /* Kafka's requestedOffset */
    deleterecords_resp_partition_t *out;
    bool done;
} delete_records_pending_t;

static bool
delete_records_internal_topic(kstr_t topic)
{
    static const char *const internal[] = {"__consumer_offsets",
                                           "__transaction_state"};

    for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
        if ((size_t)topic.len == strlen(internal[i]) &&
            memcmp(topic.ptr, internal[i], (size_t)topic.len) == 0)
            return true;
    return false;
}

/* Kafka's LogConfig.delete: cleanup.policy includes "delete" (records of
 * a compact-only topic are not deleted by offset: POLICY_VIOLATION) */
static bool
delete_records_allowed(breq_t *req, kstr_t topic)
{
    const mc_topic_t *t = mc_topic_find(req->snap, topic.ptr, topic.len);
    const tconf_key_t *key = tconf_find("cleanup.policy");
    tconf_value_t v;
    char buf[64];

    if (key == NULL)
        return true;
    tconf_effective(broker_conf(req->b), key,
                    t != NULL ? mc_topic_config(t, "cleanup.policy") : NULL,
                    buf, sizeof(buf), &v);
    return v.value == NULL || strstr(v.value, "delete") != NULL;
}

/* deletes on the leader; fills @out, and @pend when the answer must wait
 * for the followers (returns true then) */
static bool
delete_records_partition(breq_t *req, kstr_t topic,
                         const deleterecords_req_partition_t *rp,
                         deleterecords_resp_partition_t *out,
                         delete_records_pending_t *pend)
{
    const mc_partition_t *part;
    plog_t *plog = NULL;
    int64_t required, lw;
    int16_t kerr;

    out->partition_index = rp->partition_index;
    out->low_watermark = -1;
    if (delete_records_internal_topic(topic)) {
        out->error_code = KERR_INVALID_TOPIC_EXCEPTION;
        return false;
    }
    kerr = broker_leader_partition(req->b, req->snap, topic,
                                   rp->partition_index, &part, &plog);
    plog_unref(plog);
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        return false;
    }
    if (!delete_records_allowed(req, topic)) {
        out->error_code = KERR_POLICY_VIOLATION;
        return false;
    }
    kerr = replmgr_delete_records(req->b->rm, topic.ptr, topic.len,
                                  rp->partition_index, rp->offset, req->snap,
                                  &required, &lw);
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        return false;
    }
    out->low_watermark = lw;
    if (lw >= required) {
        out->error_code = KERR_NONE;
        return false;
    }
    /* DelayedDeleteRecords: the answer if the time runs out */
    out->error_code = KERR_REQUEST_TIMED_OUT;
    pend->topic = topic;
    pend->partition = rp->partition_index;
    pend->required = required;
    pend->out = out;
    pend->done = false;
    return true;
}

/* ------------------------------------------------------------------ */
/* waiting for the followers                                           */

typedef struct delete_records_wait {
    pwaiter_t w;               /* first: the purgatory's part */
    deleterecords_resp_t resp; /* in the request's arena */
    delete_records_pending_t *pending;
    int32_t npending;
} delete_records_wait_t;

static bool
delete_records_wait_watches(pwaiter_t *w, kstr_t topic, int32_t partition)
{
    delete_records_wait_t *dw = (delete_records_wait_t *)w;

    for (int32_t i = 0; i < dw->npending; i++) {
        const delete_records_pending_t *pp = &dw->pending[i];

        if (pp->partition == partition && pp->topic.len == topic.len &&
            memcmp(pp->topic.ptr, topic.ptr, (size_t)topic.len) == 0)
            return true;
    }
    return false;
}

/* DelayedDeleteRecords.tryComplete: answers once no partition waits, or
 * with the waiting ones REQUEST_TIMED_OUT when @expired */
static void
delete_records_wait_check(pwaiter_t *w, bool expired)
{
    delete_records_wait_t *dw = (delete_records_wait_t *)w;
    mc_snapshot_t *snap = metacache_get();
    bool waiting = false;
    kwrite_t *kw;

    for (int32_t i = 0; i < dw->npending; i++) {
        delete_records_pending_t *pp = &dw->pending[i];
        int16_t kerr;
        int64_t lw;

        if (pp->done)
            continue;
        kerr = replmgr_low_watermark(w->b->rm, pp->topic.ptr, pp->topic.len,
                                     pp->partition, snap, &lw);
        if (kerr != KERR_NONE) {
            pp->out->error_code = kerr;
            pp->out->low_watermark = -1;
            pp->done = true;
        } else if (lw >= pp->required) {
            pp->out->error_code = KERR_NONE;
            pp->out->low_watermark = lw;
            pp->done = true;
        } else if (!expired && !conn_is_closed(w->conn)) {
            waiting = true;
        }
        /* else left as REQUEST_TIMED_OUT with the first low watermark */
    }
    mc_snapshot_put(snap);
    if (waiting)
        return;
    kw = bresp_begin(w->correlation_id, API_DELETE_RECORDS, w->api_version);
    p_deleterecords_resp_encode(kw, w->api_version, &dw->resp);
    purgatory_answer(w, kw);
}

static void
delete_records_park(breq_t *req, const deleterecords_resp_t *resp,
                    delete_records_pending_t *pending, int32_t npending,
                    int32_t timeout_ms)
{
    delete_records_wait_t *dw = xcalloc(1, sizeof(*dw));

    dw->w.watches = delete_records_wait_watches;
    dw->w.check = delete_records_wait_check;
    /* resp and pending live in the request's arena: it moves with them */
    dw->resp = *resp;
    dw->pending = pending;
    dw->npending = npending;
    purgatory_park(req, &dw->w, timeout_ms);
}

int
h_delete_records(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    deleterecords_resp_t resp = {0};
    delete_records_pending_t *pending;
    int32_t npending = 0, total = 0;
    deleterecords_req_t r;
    kwrite_t *kw;

    if (p_deleterecords_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    for (int32_t t = 0; t < r.ntopics; t++)
        total += r.topics[t].npartitions;
    pending = arena_calloc(req->ar, (size_t)total + 1, sizeof(*pending));
    resp.ntopics = r.ntopics;
    resp.topics =
        arena_calloc(req->ar, (size_t)r.ntopics + 1, sizeof(*resp.topics));
    for (int32_t t = 0; t < r.ntopics; t++) {
        const deleterecords_req_topic_t *rt = &r.topics[t];
        deleterecords_resp_topic_t *ot = &resp.topics[t];

        ot->name = rt->name;
        ot->npartitions = rt->npartitions;
        ot->partitions = arena_calloc(req->ar, (size_t)rt->npartitions + 1,
                                      sizeof(*ot->partitions));
        for (int32_t p = 0; p < rt->npartitions; p++)
            if (delete_records_partition(req, rt->name, &rt->partitions[p],
                                         &ot->partitions[p],
                                         &pending[npending]))
                npending++;
    }
    if (npending > 0) {
        delete_records_park(req, &resp, pending, npending, r.timeout_ms);
        return 0;
    }
    kw = bresp_begin(req->hdr.correlation_id, API_DELETE_RECORDS, version);
    p_deleterecords_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
