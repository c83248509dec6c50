/*
 * h_group.c: the group APIs on the wire — FindCoordinator (answered here
 * from the metadata snapshot), and JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups,
 * DeleteGroups, OffsetDelete (validated here, then handed to the group coordinator
 * thread, src/group/coord.c, which answers through a deferred reply).
 *
 * Spec: Kafka protocol guide; DESIGN §6 Groups: the coordinator of every
 * group is the controller. Key type 1 (transactions) is not served:
 * COORDINATOR_NOT_AVAILABLE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/coord.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_deletegroups.h"
#include "samsa/p_describegroups.h"
#include "samsa/p_findcoordinator.h"
#include "samsa/p_heartbeat.h"
#include "samsa/p_joingroup.h"
#include "samsa/p_leavegroup.h"
#include "samsa/p_listgroups.h"
#include "samsa/p_offsetcommit.h"
#include "samsa/p_offsetdelete.h"
#include "samsa/p_offsetfetch.h"
#include "samsa/p_syncgroup.h"
#include "samsa/xmalloc.h"

int
h_find_coordinator(breq_t *req, kread_t *kr)
{
    int16_t version = req->hdr.request_api_version;
    const mc_snapshot_t *snap = req->snap;
    findcoordinator_resp_t resp = {0};
    findcoordinator_req_t r;
    const mc_broker_t *br = NULL;
    int32_t cid;
    kwrite_t *kw;

    if (p_findcoordinator_req_decode(kr, version, req->ar, &r) != 0)
        return ERR_PROTO;
    resp.error_message = kstr_c(NULL);
    resp.node_id = -1;
    resp.host = kstr_c("");
    resp.port = -1;
    cid = snap->controller_id;
    if (cid < 0 && req->b->ctl != NULL)
        cid = ctl_controller_id(req->b->ctl);
    if (cid >= 0)
        br = mc_broker_find(snap, cid);
    if (r.key_type == 1) {
        resp.error_code = KERR_COORDINATOR_NOT_AVAILABLE;
        resp.error_message = kstr_c("transactions are not supported");
    } else if (r.key_type != 0) {
        resp.error_code = KERR_INVALID_REQUEST;
        resp.error_message = kstr_c("unknown coordinator key type");
    } else if (r.key.len <= 0) {
        resp.error_code = KERR_INVALID_GROUP_ID;
    } else if (br == NULL) {
        resp.error_code = KERR_COORDINATOR_NOT_AVAILABLE;
    } else {
        resp.node_id = br->id;
        resp.host = kstr_c(br->host);
        resp.port = br->port;
    }
    kw = bresp_begin(req->hdr.correlation_id, API_FIND_COORDINATOR, version);
    p_findcoordinator_resp_encode(kw, version, &resp);
    breq_reply(req, kw);
    return 0;
}

/* ---- handed to the coordinator ---- */

static kwrite_t *
group_reply_begin(void *ud)
{
    bdefer_t *d = ud;

    return bresp_begin(d->correlation_id, d->api_key, d->api_version);
}

static void
group_reply_finish(void *ud, kwrite_t *kw)
{
    bdefer_t *d = ud;

    bdefer_reply(d, kw);
    free(d);
}

/* validates the body with the API's decoder (malformed: ERR_PROTO, the
 * connection closes), then queues the raw body to the coordinator */
static int
group_submit(breq_t *req, kread_t *kr)
{
    int16_t key = req->hdr.request_api_key;
    int16_t v = req->hdr.request_api_version;
    const uint8_t *body = kr->p;
    size_t len = kread_left(kr);
    union {
        joingroup_req_t join;
        syncgroup_req_t sync;
        heartbeat_req_t hb;
        leavegroup_req_t leave;
        offsetcommit_req_t commit;
        offsetfetch_req_t fetch;
        listgroups_req_t list;
        describegroups_req_t describe;
        deletegroups_req_t del;
        offsetdelete_req_t odel;
    } u;
    char host[80];
    const char *peer = conn_peer(req->conn);
    const char *colon = peer ? strrchr(peer, ':') : NULL;
    char *client_id;
    bdefer_t *d;
    coord_reply_t reply;
    int rc;

    switch (key) {
    case API_JOIN_GROUP:
        rc = p_joingroup_req_decode(kr, v, req->ar, &u.join);
        break;
    case API_SYNC_GROUP:
        rc = p_syncgroup_req_decode(kr, v, req->ar, &u.sync);
        break;
    case API_HEARTBEAT:
        rc = p_heartbeat_req_decode(kr, v, req->ar, &u.hb);
        break;
    case API_LEAVE_GROUP:
        rc = p_leavegroup_req_decode(kr, v, req->ar, &u.leave);
        break;
    case API_OFFSET_COMMIT:
        rc = p_offsetcommit_req_decode(kr, v, req->ar, &u.commit);
        break;
    case API_OFFSET_FETCH:
        rc = p_offsetfetch_req_decode(kr, v, req->ar, &u.fetch);
        break;
    case API_LIST_GROUPS:
        rc = p_listgroups_req_decode(kr, v, req->ar, &u.list);
        break;
    case API_DESCRIBE_GROUPS:
        rc = p_describegroups_req_decode(kr, v, req->ar, &u.describe);
        break;
    case API_DELETE_GROUPS:
        rc = p_deletegroups_req_decode(kr, v, req->ar, &u.del);
        break;
    case API_OFFSET_DELETE:
        rc = p_offsetdelete_req_decode(kr, v, req->ar, &u.odel);
        break;
    default: rc = ERR_PROTO; break;
    }
    if (rc != 0)
        return ERR_PROTO;
    /* Kafka shows a member's host as "/address" */
    snprintf(host, sizeof(host), "/%.*s",
             colon ? (int)(colon - peer) : (peer ? (int)strlen(peer) : 0),
             peer ? peer : "");
    d = xmalloc(sizeof(*d));
    bdefer_init(d, req);
    reply.begin = group_reply_begin;
    reply.finish = group_reply_finish;
    reply.ud = d;
    client_id = kstr_dup(req->hdr.client_id);
    coord_submit(__atomic_load_n(&req->b->coord, __ATOMIC_ACQUIRE), key, v,
                 body, len, client_id, host, &reply);
    free(client_id);
    return 0;
}

int
h_group(breq_t *req, kread_t *kr)
{
    return group_submit(req, kr);
}
