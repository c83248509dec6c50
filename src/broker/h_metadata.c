/*
 * h_metadata.c: Metadata (key 3), v0-11, answered from the metadata cache.
 * Spec: protocol guide "Metadata"; KIP-516 (topic ids, v10+).
 *
 * A topic named in the request that does not exist is created when both the
 * client (allow_auto_topic_creation, always true before v4) and the broker
 * (auto.create.topics.enable) allow it; the answer is then
 * LEADER_NOT_AVAILABLE until the controller has elected its leaders, which
 * clients retry, as with Kafka.
 */
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_metadata.h"
#include "samsa/say.h"

static void
metadata_fill_topic(breq_t *req, const mc_topic_t *t, metadata_resp_topic_t *rt)
{
    rt->error_code = KERR_NONE;
    rt->name = kstr_c(t->name);
    memcpy(rt->topic_id, t->id, 16);
    rt->topic_authorized_operations = INT32_MIN;
    rt->npartitions = t->npartitions;
    rt->partitions =
        arena_calloc(req->ar, t->npartitions, sizeof(*rt->partitions));
    for (int32_t p = 0; p < t->npartitions; p++) {
        const mc_partition_t *mp = &t->partitions[p];
        metadata_resp_partition_t *rp = &rt->partitions[p];

        rp->error_code = mp->leader < 0 ? KERR_LEADER_NOT_AVAILABLE : KERR_NONE;
        rp->partition_index = mp->partition;
        rp->leader_id = mp->leader;
        rp->leader_epoch = mp->leader_epoch;
        rp->nreplica_nodes = mp->nreplicas;
        rp->replica_nodes = mp->replicas;
        rp->nisr_nodes = mp->nisr;
        rp->isr_nodes = mp->isr;
        rp->noffline_replicas = mp->noffline;
        rp->offline_replicas = mp->offline;
    }
}

/* the answer for a topic absent from the cache */
static void
metadata_missing_topic(breq_t *req, const metadata_req_t *r, kstr_t name,
                       metadata_resp_topic_t *rt)
{
    broker_t *b = req->b;
    ctl_t *ctl = __atomic_load_n(&b->ctl, __ATOMIC_ACQUIRE);
    char *cname;

    rt->name = name;
    rt->topic_authorized_operations = INT32_MIN;
    if (broker_topic_name_error(name.ptr, name.len) != NULL) {
        rt->error_code = KERR_INVALID_TOPIC_EXCEPTION;
        return;
    }
    if (!r->allow_auto_topic_creation ||
        !broker_conf(b)->auto_create_topics_enable || ctl == NULL) {
        rt->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    cname = arena_strndup(req->ar, name.ptr, name.len);
    ctl_topic_spec_t spec = {
        .name = cname,
        .num_partitions = -1,
        .replication_factor = -1,
    };
    say_info("auto-creating topic '%s' for %s", cname, conn_peer(req->conn));
    ctl_create_topics(ctl, &spec, 1, false, 30000, NULL, NULL);
    rt->error_code = KERR_LEADER_NOT_AVAILABLE;
}

int
h_metadata(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    const mc_snapshot_t *snap = req->snap;
    metadata_resp_t resp = {0};
    metadata_req_t r;
    kwrite_t *kw;

    if (p_metadata_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;

    resp.nbrokers = snap->nbrokers;
    resp.brokers = arena_calloc(req->ar, snap->nbrokers, sizeof(*resp.brokers));
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        resp.brokers[i].node_id = snap->brokers[i].id;
        resp.brokers[i].host = kstr_c(snap->brokers[i].host);
        resp.brokers[i].port = snap->brokers[i].port;
        resp.brokers[i].rack = kstr_c(snap->brokers[i].rack);
    }
    resp.cluster_id = kstr_c(snap->cluster_id);
    resp.controller_id = snap->controller_id;
    resp.cluster_authorized_operations = INT32_MIN;

    if (p_metadata_req_all_topics(&r, version)) {
        resp.ntopics = 0;
        resp.topics =
            arena_calloc(req->ar, snap->ntopics, sizeof(*resp.topics));
        for (int32_t i = 0; i < snap->ntopics; i++)
            if (!snap->topics[i].deleting)
                metadata_fill_topic(req, &snap->topics[i],
                                    &resp.topics[resp.ntopics++]);
    } else {
        resp.ntopics = r.ntopics > 0 ? r.ntopics : 0;
        resp.topics = arena_calloc(req->ar, resp.ntopics, sizeof(*resp.topics));
        for (int32_t i = 0; i < resp.ntopics; i++) {
            kstr_t name = r.topics[i].name;
            const mc_topic_t *t = mc_topic_find(snap, name.ptr, name.len);

            if (t != NULL && !t->deleting)
                metadata_fill_topic(req, t, &resp.topics[i]);
            else if (name.len < 0)
                resp.topics[i].error_code = KERR_UNKNOWN_TOPIC_ID;
            else
                metadata_missing_topic(req, &r, name, &resp.topics[i]);
        }
    }
    kw = bresp_begin(req->hdr.correlation_id, API_METADATA, version);
    p_metadata_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
