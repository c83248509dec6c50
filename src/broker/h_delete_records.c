/*
 * h_delete_records.c: DeleteRecords (key 21), v0-2.
 * Spec: KIP-107; Kafka 2.8 ReplicaManager.deleteRecords and
 * Partition.deleteRecordsOnLeader.
 *
 * Per partition, on its leader only: offset -1 means the high watermark;
 * a negative offset or one above the high watermark is
 * OFFSET_OUT_OF_RANGE; otherwise the log start offset is raised to it
 * (plog_delete_records: reads below it fail at once, whole segments below
 * it go at the next retention pass) and the answer carries the new low
 * watermark. Internal topics (__consumer_offsets, __transaction_state)
 * are refused as Kafka does.
 *
 * Followers learn the leader's log start offset from their fetch
 * responses and raise their own (src/replica/fetcher.c). Kafka parks the
 * request until every follower has done so and answers the minimum log
 * start of the replicas as the low watermark; samsa answers at once with
 * the leader's (the replicas converge within one fetch round trip).
 * Does not own: the log (plog), leadership (metacache, replmgr).
 */
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_deleterecords.h"

#define DELETE_RECORDS_HIGH_WATERMARK (-1)

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

static void
delete_records_partition(breq_t *req, kstr_t topic,
                         const deleterecords_req_partition_t *rp,
                         deleterecords_resp_partition_t *out)
{
    const mc_partition_t *part;
    plog_t *plog = NULL;
    int64_t offset;
    int16_t kerr;
    int rc;

    out->partition_index = rp->partition_index;
    out->low_watermark = -1;
    if (delete_records_internal_topic(topic)) {
        out->error_code = KERR_INVALID_TOPIC_EXCEPTION;
        return;
    }
    kerr = broker_leader_partition(req->b, req->snap, topic,
                                   rp->partition_index, &part, &plog);
    if (kerr != KERR_NONE) {
        out->error_code = kerr;
        plog_unref(plog);
        return;
    }
    offset = rp->offset == DELETE_RECORDS_HIGH_WATERMARK
                 ? plog_high_watermark(plog)
                 : rp->offset;
    if (offset < 0) {
        out->error_code = KERR_OFFSET_OUT_OF_RANGE;
        plog_unref(plog);
        return;
    }
    rc = plog_delete_records(plog, offset);
    out->error_code = rc == 0 ? KERR_NONE : kerr_from_err(rc);
    if (rc == 0)
        out->low_watermark = plog_log_start_offset(plog);
    plog_unref(plog);
}

int
h_delete_records(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    deleterecords_resp_t resp = {0};
    deleterecords_req_t r;
    kwrite_t *kw;

    if (p_deleterecords_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
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
            delete_records_partition(req, rt->name, &rt->partitions[p],
                                     &ot->partitions[p]);
    }
    kw = bresp_begin(req->hdr.correlation_id, API_DELETE_RECORDS, version);
    p_deleterecords_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
