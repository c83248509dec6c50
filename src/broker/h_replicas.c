/*
 * h_replicas.c: the controller-only admin APIs that move leaders and
 * replicas: ElectLeaders (key 43). Any other broker answers
 * NOT_CONTROLLER, as Kafka 2.8 does; clients send these to the
 * controller.
 *
 * Owns: turning the decoded request into a ctl call and the ctl's answer
 * into the response, which is sent from the ctl thread (bdefer). Does not
 * own the elections (src/controller/ctl_elect.c).
 *
 * Spec: Kafka 2.8 KafkaApis.handleElectReplicaLeader; KIP-183, KIP-460.
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/ctl.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_electleaders.h"
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
