/*
 * h_cluster.c: DescribeCluster (key 60), v0, from the metadata cache.
 * Spec: protocol guide "DescribeCluster"; KIP-700.
 */
#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_describecluster.h"

int
h_describe_cluster(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    const mc_snapshot_t *snap = req->snap;
    describecluster_resp_t resp = {0};
    describecluster_req_t r;
    kwrite_t *kw;

    if (p_describecluster_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.error_message = kstr_c(NULL);
    resp.cluster_id = kstr_c(snap->cluster_id);
    resp.controller_id = snap->controller_id;
    resp.cluster_authorized_operations = INT32_MIN;
    resp.nbrokers = snap->nbrokers;
    resp.brokers = arena_calloc(req->ar, snap->nbrokers, sizeof(*resp.brokers));
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        resp.brokers[i].broker_id = snap->brokers[i].id;
        resp.brokers[i].host = kstr_c(snap->brokers[i].host);
        resp.brokers[i].port = snap->brokers[i].port;
        resp.brokers[i].rack = kstr_c(snap->brokers[i].rack);
    }
    kw = bresp_begin(req->hdr.correlation_id, API_DESCRIBE_CLUSTER, version);
    p_describecluster_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}
