/*
 * h_replicas.c: the controller-only admin APIs that move leaders and
 * replicas: ElectLeaders (key 43), AlterPartitionReassignments (45) and
 * ListPartitionReassignments (46). Any other broker answers
 * NOT_CONTROLLER, as Kafka 2.8 does; clients send these to the
 * controller.
 *
 * Owns: turning the decoded request into a ctl call and the ctl's answer
 * into the response, which is sent from the ctl thread (bdefer). Does not
 * own the elections (src/controller/ctl_elect.c) or the reassignments
 * (src/controller/ctl_reassign.c).
 *
 * Spec: Kafka 2.8 KafkaApis.handleElectReplicaLeader,
 * handleAlterPartitionReassignmentsRequest,
 * handleListPartitionReassignmentsRequest; KIP-183, KIP-460, KIP-455.
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/arena.h"
#include "samsa/ctl.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_electleaders.h"
#include "samsa/p_reassignments.h"
#include "samsa/xmalloc.h"

static ctl_t *
hr_ctl(const breq_t *req)
{
    return __atomic_load_n(&req->b->ctl, __ATOMIC_ACQUIRE);
}

/* ---- ElectLeaders ------------------------------------------------------ */

typedef struct ewait {
    bdefer_t d;
    int n; /* the request's partitions (for errors) */
    char **topics;
    int32_t *partitions;
} ewait_t;

static void
ewait_free(ewait_t *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->topics[i]);
    free(w->topics);
    free(w->partitions);
    free(w);
}

static const char *
el_message(int16_t ec)
{
    switch (ec) {
    case KERR_ELECTION_NOT_NEEDED:
        return "Leader election not needed for topic partition";
    case KERR_PREFERRED_LEADER_NOT_AVAILABLE:
        return "Failed to elect leader for partition: the preferred "
               "replica is not alive or not in the ISR";
    case KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE:
        return "Failed to elect leader for partition: no live replica";
    case KERR_UNKNOWN_TOPIC_OR_PARTITION:
        return "The partition does not exist.";
    default: return NULL;
    }
}

/* v0 has no top-level error: a top-level error goes on every partition */
static void
el_done(int16_t error_code, const ctl_elect_result_t *results, int n, void *ud)
{
    ewait_t *w = ud;
    int16_t v = w->d.api_version;
    ctl_elect_result_t *own = NULL;
    electleaders_resp_t resp;
    electleaders_resp_topic_t *tps;
    electleaders_resp_partition_t *ps;
    kwrite_t *kw;

    if (error_code != KERR_NONE && v == 0) {
        own = xcalloc((size_t)w->n + 1, sizeof(*own));
        for (int i = 0; i < w->n; i++) {
            own[i].topic = w->topics[i];
            own[i].partition = w->partitions[i];
            own[i].error_code = error_code;
        }
        results = own;
        n = w->n;
        error_code = KERR_NONE;
    } else if (error_code != KERR_NONE) {
        n = 0;
    }
    tps = xcalloc((size_t)n + 1, sizeof(*tps));
    ps = xcalloc((size_t)n + 1, sizeof(*ps));
    memset(&resp, 0, sizeof(resp));
    resp.error_code = error_code;
    resp.replica_election_results = tps;
    /* group consecutive results of a topic; the partitions lie in @ps in
     * result order, so each topic's run is contiguous */
    for (int i = 0; i < n; i++) {
        electleaders_resp_topic_t *t = NULL;

        if (resp.nreplica_election_results > 0 &&
            strcmp(results[i - 1].topic, results[i].topic) == 0)
            t = &tps[resp.nreplica_election_results - 1];
        if (t == NULL) {
            t = &tps[resp.nreplica_election_results++];
            t->topic = kstr_c(results[i].topic);
            t->partition_result = &ps[i];
        }
        ps[i].partition_id = results[i].partition;
        ps[i].error_code = results[i].error_code;
        ps[i].error_message = kstr_c(el_message(results[i].error_code));
        t->npartition_result++;
    }
    kw = bresp_begin(w->d.correlation_id, API_ELECT_LEADERS, v);
    p_electleaders_resp_encode(kw, v, &resp);
    bdefer_reply(&w->d, kw);
    free(tps);
    free(ps);
    free(own);
    ewait_free(w);
}

int
h_elect_leaders(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = hr_ctl(req);
    electleaders_req_t r;
    ctl_tp_t *tps;
    ewait_t *w;
    int n = 0;

    if (p_electleaders_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    for (int32_t t = 0; t < r.ntopic_partitions; t++)
        n += r.topic_partitions[t].npartitions;
    w = xcalloc(1, sizeof(*w));
    bdefer_init(&w->d, req);
    w->topics = xcalloc((size_t)n + 1, sizeof(*w->topics));
    w->partitions = xcalloc((size_t)n + 1, sizeof(*w->partitions));
    tps = xcalloc((size_t)n + 1, sizeof(*tps));
    for (int32_t t = 0; t < r.ntopic_partitions; t++) {
        const electleaders_req_topic_t *rt = &r.topic_partitions[t];

        for (int32_t p = 0; p < rt->npartitions; p++) {
            w->topics[w->n] =
                xstrndup(rt->topic.ptr != NULL ? rt->topic.ptr : "",
                         (size_t)rt->topic.len);
            w->partitions[w->n] = rt->partitions[p];
            tps[w->n].topic = w->topics[w->n];
            tps[w->n].partition = rt->partitions[p];
            w->n++;
        }
    }
    if (ctl == NULL || !ctl_is_controller(ctl))
        el_done(KERR_NOT_CONTROLLER, NULL, 0, w);
    else
        ctl_elect_leaders(
            ctl, r.election_type, r.ntopic_partitions < 0 ? NULL : tps,
            r.ntopic_partitions < 0 ? -1 : w->n, r.timeout_ms, el_done, w);
    free(tps);
    return 0;
}

/* ---- AlterPartitionReassignments and ListPartitionReassignments ------- */

/* a request's topic name as a C string in the request's arena */
static const char *
hr_name(breq_t *req, kstr_t name)
{
    return arena_strndup(req->ar, name.ptr != NULL ? name.ptr : "",
                         name.len > 0 ? (size_t)name.len : 0);
}

/* results come in topic runs (the ctl keeps the request's order, or walks
 * topic by topic): true when result @i starts a new topic */
static bool
hr_new_topic(const char *prev, const char *cur, int i)
{
    return i == 0 || strcmp(prev, cur) != 0;
}

static kstr_t
hr_not_controller(int16_t error_code)
{
    return kstr_c(error_code == KERR_NOT_CONTROLLER
                      ? "This is not the correct controller for this cluster."
                      : NULL);
}

static void
apr_done(int16_t error_code, const ctl_reassign_result_t *results, int n,
         void *ud)
{
    bdefer_t *d = ud;
    apr_resp_t resp = {0};
    apr_resp_topic_t *tps = xcalloc((size_t)n + 1, sizeof(*tps)), *t = NULL;
    apr_resp_partition_t *ps = xcalloc((size_t)n + 1, sizeof(*ps));
    kwrite_t *kw;

    resp.error_code = error_code;
    resp.error_message = hr_not_controller(error_code);
    resp.responses = tps;
    for (int i = 0; i < n; i++) {
        if (hr_new_topic(i ? results[i - 1].topic : NULL, results[i].topic,
                         i)) {
            t = &tps[resp.nresponses++];
            t->name = kstr_c(results[i].topic);
            t->partitions = &ps[i];
        }
        ps[i].partition_index = results[i].partition;
        ps[i].error_code = results[i].error_code;
        ps[i].error_message = kstr_c(results[i].error_message);
        t->npartitions++;
    }
    kw = bresp_begin(d->correlation_id, API_ALTER_PARTITION_REASSIGNMENTS,
                     d->api_version);
    p_apr_resp_encode(kw, d->api_version, &resp);
    bdefer_reply(d, kw);
    free(tps);
    free(ps);
    free(d);
}

int
h_alter_partition_reassignments(breq_t *req, kread_t *kr)
{
    ctl_t *ctl = hr_ctl(req);
    apr_req_t r;
    ctl_reassign_target_t *targets;
    bdefer_t *d;
    int n = 0;

    if (p_apr_req_decode(kr, req->hdr.request_api_version, req->ar, &r) != 0)
        return ERR_PROTO;
    d = xcalloc(1, sizeof(*d));
    bdefer_init(d, req);
    if (ctl == NULL || !ctl_is_controller(ctl)) {
        apr_done(KERR_NOT_CONTROLLER, NULL, 0, d);
        return 0;
    }
    for (int32_t t = 0; t < r.ntopics; t++)
        n += r.topics[t].npartitions;
    targets = arena_calloc(req->ar, (size_t)n + 1, sizeof(*targets));
    n = 0;
    for (int32_t t = 0; t < r.ntopics; t++) {
        const char *name = hr_name(req, r.topics[t].name);

        for (int32_t p = 0; p < r.topics[t].npartitions; p++, n++) {
            const apr_req_partition_t *rp = &r.topics[t].partitions[p];

            targets[n] = (ctl_reassign_target_t){name, rp->partition_index,
                                                 rp->nreplicas, rp->replicas};
        }
    }
    ctl_alter_reassignments(ctl, targets, n, r.timeout_ms, apr_done, d);
    return 0;
}

static void
lpr_done(int16_t error_code, const ctl_reassignment_t *list, int n, void *ud)
{
    bdefer_t *d = ud;
    lpr_resp_t resp = {0};
    lpr_resp_topic_t *tps = xcalloc((size_t)n + 1, sizeof(*tps)), *t = NULL;
    lpr_resp_partition_t *ps = xcalloc((size_t)n + 1, sizeof(*ps));
    kwrite_t *kw;

    resp.error_code = error_code;
    resp.error_message = hr_not_controller(error_code);
    resp.topics = tps;
    for (int i = 0; i < n; i++) {
        if (hr_new_topic(i ? list[i - 1].topic : NULL, list[i].topic, i)) {
            t = &tps[resp.ntopics++];
            t->name = kstr_c(list[i].topic);
            t->partitions = &ps[i];
        }
        ps[i] = (lpr_resp_partition_t){
            list[i].partition,           list[i].nreplicas,
            (int32_t *)list[i].replicas, list[i].nadding,
            (int32_t *)list[i].adding,   list[i].nremoving,
            (int32_t *)list[i].removing};
        t->npartitions++;
    }
    kw = bresp_begin(d->correlation_id, API_LIST_PARTITION_REASSIGNMENTS,
                     d->api_version);
    p_lpr_resp_encode(kw, d->api_version, &resp);
    bdefer_reply(d, kw);
    free(tps);
    free(ps);
    free(d);
}

int
h_list_partition_reassignments(breq_t *req, kread_t *kr)
{
    ctl_t *ctl = hr_ctl(req);
    lpr_req_t r;
    ctl_tp_t *tps;
    bdefer_t *d;
    int n = 0;

    if (p_lpr_req_decode(kr, req->hdr.request_api_version, req->ar, &r) != 0)
        return ERR_PROTO;
    d = xcalloc(1, sizeof(*d));
    bdefer_init(d, req);
    if (ctl == NULL || !ctl_is_controller(ctl)) {
        lpr_done(KERR_NOT_CONTROLLER, NULL, 0, d);
        return 0;
    }
    for (int32_t t = 0; t < r.ntopics; t++)
        n += r.topics[t].npartition_indexes;
    tps = arena_calloc(req->ar, (size_t)n + 1, sizeof(*tps));
    n = 0;
    for (int32_t t = 0; t < r.ntopics; t++) {
        const char *name = hr_name(req, r.topics[t].name);

        for (int32_t p = 0; p < r.topics[t].npartition_indexes; p++, n++)
            tps[n] = (ctl_tp_t){name, r.topics[t].partition_indexes[p]};
    }
    /* null topics: every reassignment */
    ctl_list_reassignments(ctl, r.ntopics < 0 ? NULL : tps,
                           r.ntopics < 0 ? -1 : n, lpr_done, d);
    return 0;
}
