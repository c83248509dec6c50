/*
 * h_epoch.c: OffsetForLeaderEpoch (key 23), v0-4.
 * Spec: protocol guide "OffsetForLeaderEpoch"; KIP-101 (end offset of an
 * epoch), KIP-279 (the answer names the epoch found), KIP-320 (current
 * leader epoch fencing). As in Kafka 2.8 only the leader answers, for
 * followers (replica_id >= 0) and consumers alike; the end offset comes
 * from the leader-epoch cache (replmgr_end_offset_for).
 */
#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_offsetforleaderepoch.h"

static void
epoch_partition(breq_t *req, kstr_t topic, const ofle_req_partition_t *rp,
                ofle_resp_partition_t *out)
{
    const mc_partition_t *part;
    plog_t *plog;
    int16_t kerr;

    out->partition = rp->partition;
    out->leader_epoch = -1;
    out->end_offset = -1;
    kerr = broker_leader_partition(req->b, req->snap, topic, rp->partition,
                                   &part, &plog);
    plog_unref(plog);
    if (kerr == KERR_NONE)
        kerr = replmgr_end_offset_for(req->b->rm, topic.ptr, topic.len,
                                      rp->partition, rp->current_leader_epoch,
                                      rp->leader_epoch, &out->leader_epoch,
                                      &out->end_offset);
    out->error_code = kerr;
}

int
h_offset_for_leader_epoch(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    ofle_resp_t resp = {0};
    ofle_req_t r;
    kwrite_t *kw;

    if (p_offsetforleaderepoch_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.ntopics = r.ntopics;
    resp.topics =
        arena_calloc(req->ar, (size_t)r.ntopics, sizeof(*resp.topics));
    for (int32_t t = 0; t < r.ntopics; t++) {
        const ofle_req_topic_t *rt = &r.topics[t];
        ofle_resp_topic_t *ot = &resp.topics[t];

        ot->topic = rt->topic;
        ot->npartitions = rt->npartitions;
        ot->partitions = arena_calloc(req->ar, (size_t)rt->npartitions,
                                      sizeof(*ot->partitions));
        for (int32_t p = 0; p < rt->npartitions; p++)
            epoch_partition(req, rt->topic, &rt->partitions[p],
                            &ot->partitions[p]);
    }
    kw = bresp_begin(req->hdr.correlation_id, API_OFFSET_FOR_LEADER_EPOCH,
                     version);
    p_offsetforleaderepoch_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
