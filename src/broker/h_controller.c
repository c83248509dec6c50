/*
 * h_controller.c: LeaderAndIsr (4), StopReplica (5) and UpdateMetadata (6)
 * from the controller, on the broker side; AlterIsr (56) and
 * ControlledShutdown (7) to the controller, controller-only APIs
 * (NOT_CONTROLLER on any other broker) handed to ctl_recv_alter_isr() /
 * ctl_recv_controlled_shutdown() and answered when the controller is done.
 *
 * Owns the translation between the wire structs (p_leaderandisr.h,
 * p_stopreplica.h, p_updatemetadata.h) and ctl's (ctl_partition_state_t,
 * ctl_stop_partition_t, an mc_snapshot_t). Does not own the fences nor
 * what a request does: ctl_recv_*() queues it to the ctl thread, which
 * checks the controller and broker epochs (DESIGN §6: STALE_CONTROLLER_EPOCH,
 * STALE_BROKER_EPOCH) and applies it through the same hooks as the
 * in-process path (broker_on_leader_and_isr, broker_on_stop_replica,
 * broker_on_metadata). The answer leaves when that is done (deferred reply).
 *
 * UpdateMetadata from samsa's controller carries every topic (Kafka's
 * controller sends a full one to a new broker, then deltas; samsa's sends
 * the full view every time), so the received states replace the cache.
 * A partition led by -2 (Kafka's LeaderDuringDelete) marks its topic as
 * being deleted. Topic configs come from samsa's UpdateMetadata tag.
 * Spec: Kafka 2.8.0 KafkaApis.handleLeaderAndIsrRequest & co.
 */
#include <stdlib.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/p_alterisr.h"
#include "samsa/p_controlledshutdown.h"
#include "samsa/p_leaderandisr.h"
#include "samsa/p_stopreplica.h"
#include "samsa/p_updatemetadata.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

/* a request waiting for the ctl thread: what the answer lists */
typedef struct cwait {
    bdefer_t d;
    int n;
    char **topics; /* per partition (LeaderAndIsr, StopReplica) */
    int32_t *partitions;
    uint8_t (*ids)[16]; /* LeaderAndIsr v5: the topic ids */
} cwait_t;

static cwait_t *
cwait_new(const breq_t *req, int n)
{
    cwait_t *w = xcalloc(1, sizeof(*w));

    bdefer_init(&w->d, req);
    w->n = n;
    w->topics = xcalloc((size_t)n + 1, sizeof(*w->topics));
    w->partitions = xcalloc((size_t)n + 1, sizeof(*w->partitions));
    w->ids = xcalloc((size_t)n + 1, sizeof(*w->ids));
    return w;
}

static void
cwait_free(cwait_t *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->topics[i]);
    free(w->topics);
    free(w->partitions);
    free(w->ids);
    free(w);
}

static char *
kstr_xdup(kstr_t s)
{
    return xstrndup(s.ptr != NULL ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

/* the ctl of this broker, or NULL (then the request is refused) */
static ctl_t *
h_ctl(const breq_t *req)
{
    return __atomic_load_n(&req->b->ctl, __ATOMIC_ACQUIRE);
}

/* ---- LeaderAndIsr ----------------------------------------------------- */

static void
lai_done(int16_t error_code, void *ud)
{
    cwait_t *w = ud;
    int16_t v = w->d.api_version;
    leaderandisr_resp_t resp;
    leaderandisr_partition_error_t *errs;
    kwrite_t *kw;

    memset(&resp, 0, sizeof(resp));
    resp.error_code = error_code;
    errs = xcalloc((size_t)w->n + 1, sizeof(*errs));
    for (int i = 0; i < w->n; i++) {
        errs[i].topic_name = kstr_c(w->topics[i]);
        errs[i].partition_index = w->partitions[i];
        errs[i].error_code = error_code;
    }
    if (v <= 4) {
        resp.npartition_errors = w->n;
        resp.partition_errors = errs;
    } else {
        /* grouped by topic id, in request order */
        resp.topics = xcalloc((size_t)w->n + 1, sizeof(*resp.topics));
        for (int i = 0; i < w->n;) {
            leaderandisr_resp_topic_t *t = &resp.topics[resp.ntopics++];
            int j = i;

            while (j < w->n && strcmp(w->topics[j], w->topics[i]) == 0)
                j++;
            memcpy(t->topic_id, w->ids[i], 16);
            t->npartition_errors = j - i;
            t->partition_errors = &errs[i];
            i = j;
        }
    }
    kw = bresp_begin(w->d.correlation_id, API_LEADER_AND_ISR, v);
    p_leaderandisr_resp_encode(kw, v, &resp);
    bdefer_reply(&w->d, kw);
    free(resp.topics);
    free(errs);
    cwait_free(w);
}

static void
lai_state(ctl_partition_state_t *ps, const char *topic,
          const leaderandisr_partition_state_t *s)
{
    ps->topic = topic;
    ps->partition = s->partition_index;
    ps->leader = s->leader;
    ps->leader_epoch = s->leader_epoch;
    ps->controller_epoch = s->controller_epoch;
    ps->nisr = s->nisr;
    ps->isr = s->isr;
    ps->nreplicas = s->nreplicas;
    ps->replicas = s->replicas;
    ps->zk_version = s->zk_version;
}

int
h_leader_and_isr(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = h_ctl(req);
    leaderandisr_req_t r;
    ctl_partition_state_t *parts;
    ctl_req_hdr_t hdr;
    cwait_t *w;
    int n = 0;

    if (p_leaderandisr_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    if (v <= 1) {
        n = r.nungrouped_partition_states;
    } else {
        for (int32_t i = 0; i < r.ntopic_states; i++)
            n += r.topic_states[i].npartition_states;
    }
    w = cwait_new(req, n);
    parts = arena_calloc(req->ar, (size_t)n + 1, sizeof(*parts));
    n = 0;
    if (v <= 1) {
        for (int32_t i = 0; i < r.nungrouped_partition_states; i++) {
            const leaderandisr_partition_state_t *s =
                &r.ungrouped_partition_states[i];

            w->topics[n] = kstr_xdup(s->topic_name);
            w->partitions[n] = s->partition_index;
            lai_state(&parts[n], w->topics[n], s);
            n++;
        }
    } else {
        for (int32_t i = 0; i < r.ntopic_states; i++) {
            const leaderandisr_topic_state_t *t = &r.topic_states[i];

            for (int32_t p = 0; p < t->npartition_states; p++) {
                w->topics[n] = kstr_xdup(t->topic_name);
                w->partitions[n] = t->partition_states[p].partition_index;
                memcpy(w->ids[n], t->topic_id, 16);
                lai_state(&parts[n], w->topics[n], &t->partition_states[p]);
                n++;
            }
        }
    }
    if (ctl == NULL) {
        lai_done(KERR_BROKER_NOT_AVAILABLE, w);
        return 0;
    }
    hdr.controller_id = r.controller_id;
    hdr.controller_epoch = r.controller_epoch;
    hdr.broker_epoch = r.broker_epoch;
    ctl_recv_leader_and_isr(ctl, &hdr, parts, n, lai_done, w);
    return 0;
}

/* ---- StopReplica ------------------------------------------------------ */

static void
sr_done(int16_t error_code, void *ud)
{
    cwait_t *w = ud;
    int16_t v = w->d.api_version;
    stopreplica_resp_t resp;
    kwrite_t *kw;

    memset(&resp, 0, sizeof(resp));
    resp.error_code = error_code;
    resp.npartition_errors = w->n;
    resp.partition_errors =
        xcalloc((size_t)w->n + 1, sizeof(*resp.partition_errors));
    for (int i = 0; i < w->n; i++) {
        resp.partition_errors[i].topic_name = kstr_c(w->topics[i]);
        resp.partition_errors[i].partition_index = w->partitions[i];
        resp.partition_errors[i].error_code = error_code;
    }
    kw = bresp_begin(w->d.correlation_id, API_STOP_REPLICA, v);
    p_stopreplica_resp_encode(kw, v, &resp);
    bdefer_reply(&w->d, kw);
    free(resp.partition_errors);
    cwait_free(w);
}

int
h_stop_replica(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = h_ctl(req);
    stopreplica_req_t r;
    ctl_stop_partition_t *stops;
    ctl_req_hdr_t hdr;
    cwait_t *w;
    int n = 0;

    if (p_stopreplica_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    if (v == 0) {
        n = r.nungrouped_partitions;
    } else if (v <= 2) {
        for (int32_t i = 0; i < r.ntopics; i++)
            n += r.topics[i].npartition_indexes;
    } else {
        for (int32_t i = 0; i < r.ntopic_states; i++)
            n += r.topic_states[i].npartition_states;
    }
    w = cwait_new(req, n);
    stops = arena_calloc(req->ar, (size_t)n + 1, sizeof(*stops));
    n = 0;
    if (v == 0) {
        for (int32_t i = 0; i < r.nungrouped_partitions; i++) {
            w->topics[n] = kstr_xdup(r.ungrouped_partitions[i].topic_name);
            w->partitions[n] = r.ungrouped_partitions[i].partition_index;
            stops[n].del = r.delete_partitions;
            n++;
        }
    } else if (v <= 2) {
        for (int32_t i = 0; i < r.ntopics; i++) {
            for (int32_t p = 0; p < r.topics[i].npartition_indexes; p++) {
                w->topics[n] = kstr_xdup(r.topics[i].name);
                w->partitions[n] = r.topics[i].partition_indexes[p];
                stops[n].del = r.delete_partitions;
                n++;
            }
        }
    } else {
        for (int32_t i = 0; i < r.ntopic_states; i++) {
            const stopreplica_topic_state_t *t = &r.topic_states[i];

            for (int32_t p = 0; p < t->npartition_states; p++) {
                w->topics[n] = kstr_xdup(t->topic_name);
                w->partitions[n] = t->partition_states[p].partition_index;
                stops[n].del = t->partition_states[p].delete_partition;
                n++;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        stops[i].topic = w->topics[i];
        stops[i].partition = w->partitions[i];
    }
    if (ctl == NULL) {
        sr_done(KERR_BROKER_NOT_AVAILABLE, w);
        return 0;
    }
    hdr.controller_id = r.controller_id;
    hdr.controller_epoch = r.controller_epoch;
    hdr.broker_epoch = r.broker_epoch;
    ctl_recv_stop_replica(ctl, &hdr, stops, n, sr_done, w);
    return 0;
}

/* ---- UpdateMetadata --------------------------------------------------- */

static void
um_done(int16_t error_code, void *ud)
{
    cwait_t *w = ud;
    int16_t v = w->d.api_version;
    updatemetadata_resp_t resp = {error_code};
    kwrite_t *kw;

    kw = bresp_begin(w->d.correlation_id, API_UPDATE_METADATA, v);
    p_updatemetadata_resp_encode(kw, v, &resp);
    bdefer_reply(&w->d, kw);
    cwait_free(w);
}

static int32_t *
ints_xdup(const int32_t *v, int32_t n)
{
    int32_t *c = xmalloc(sizeof(*c) * (size_t)(n > 0 ? n : 1));

    if (n > 0)
        memcpy(c, v, sizeof(*c) * (size_t)n);
    return c;
}

/* the topic named @name in @snap (added, empty, when new) */
static mc_topic_t *
um_topic(mc_snapshot_t *snap, int32_t cap, kstr_t name)
{
    mc_topic_t *t;

    for (int32_t i = 0; i < snap->ntopics; i++)
        if (kstr_eq(name, snap->topics[i].name))
            return &snap->topics[i];
    if (snap->ntopics >= cap)
        return NULL;
    t = &snap->topics[snap->ntopics++];
    t->name = kstr_xdup(name);
    return t;
}

static void
um_add_partition(mc_topic_t *t, const updatemetadata_partition_state_t *s)
{
    mc_partition_t *mp;
    int32_t p = s->partition_index;

    /* bounded: at most the count of states in this request */
    if (p < 0)
        return;
    if (p >= t->npartitions) {
        t->partitions =
            xrealloc(t->partitions, sizeof(*t->partitions) * (size_t)(p + 1));
        for (int32_t k = t->npartitions; k <= p; k++) {
            memset(&t->partitions[k], 0, sizeof(t->partitions[k]));
            t->partitions[k].partition = k;
            t->partitions[k].leader = -1;
            t->partitions[k].replicas = ints_xdup(NULL, 0);
            t->partitions[k].isr = ints_xdup(NULL, 0);
            t->partitions[k].offline = ints_xdup(NULL, 0);
        }
        t->npartitions = p + 1;
    }
    mp = &t->partitions[p];
    free(mp->replicas);
    free(mp->isr);
    free(mp->offline);
    mp->partition = p;
    mp->leader = s->leader == -2 ? -1 : s->leader;
    mp->leader_epoch = s->leader_epoch;
    mp->nreplicas = s->nreplicas;
    mp->replicas = ints_xdup(s->replicas, s->nreplicas);
    mp->nisr = s->nisr;
    mp->isr = ints_xdup(s->isr, s->nisr);
    mp->noffline = s->noffline_replicas;
    mp->offline = ints_xdup(s->offline_replicas, s->noffline_replicas);
    if (s->leader == -2)
        t->deleting = true;
}

/* a snapshot from a decoded UpdateMetadata (any version) */
static mc_snapshot_t *
um_snapshot(const updatemetadata_req_t *r, int16_t v, const char *cluster_id)
{
    mc_snapshot_t *snap = mc_snapshot_new();
    int32_t cap = v <= 4 ? r->nungrouped_partition_states : r->ntopic_states;

    snap->cluster_id = xstrdup(cluster_id != NULL ? cluster_id : "");
    snap->controller_id = r->controller_id;
    snap->brokers =
        xcalloc((size_t)r->nlive_brokers + 1, sizeof(*snap->brokers));
    for (int32_t i = 0; i < r->nlive_brokers; i++) {
        const updatemetadata_broker_t *ub = &r->live_brokers[i];
        mc_broker_t *mb = &snap->brokers[snap->nbrokers];
        kstr_t host = ub->v0_host;
        int32_t port = ub->v0_port;

        if (v >= 1) {
            if (ub->nendpoints == 0)
                continue;
            host = ub->endpoints[0].host;
            port = ub->endpoints[0].port;
            for (int32_t e = 0; e < ub->nendpoints; e++) {
                if (kstr_eq(ub->endpoints[e].listener, "PLAINTEXT")) {
                    host = ub->endpoints[e].host;
                    port = ub->endpoints[e].port;
                    break;
                }
            }
        }
        mb->id = ub->id;
        mb->host = kstr_xdup(host);
        mb->port = port;
        mb->rack = ub->rack.len >= 0 ? kstr_xdup(ub->rack) : NULL;
        snap->nbrokers++;
    }
    snap->topics = xcalloc((size_t)cap + 1, sizeof(*snap->topics));
    /*
     * A partition index is accepted below the count of states its topic
     * has in this request (the controller sends a contiguous prefix), so
     * the arrays stay bounded by the request's size.
     */
    if (v <= 4) {
        int32_t *counts = xcalloc((size_t)cap + 1, sizeof(*counts));

        for (int32_t i = 0; i < r->nungrouped_partition_states; i++) {
            mc_topic_t *t = um_topic(
                snap, cap, r->ungrouped_partition_states[i].topic_name);

            if (t != NULL)
                counts[t - snap->topics]++;
        }
        for (int32_t i = 0; i < r->nungrouped_partition_states; i++) {
            const updatemetadata_partition_state_t *s =
                &r->ungrouped_partition_states[i];
            mc_topic_t *t = um_topic(snap, cap, s->topic_name);

            if (t != NULL && s->partition_index < counts[t - snap->topics])
                um_add_partition(t, s);
        }
        free(counts);
    } else {
        for (int32_t i = 0; i < r->ntopic_states; i++) {
            const updatemetadata_topic_state_t *ts = &r->topic_states[i];
            mc_topic_t *t = um_topic(snap, cap, ts->topic_name);

            if (t == NULL)
                continue;
            memcpy(t->id, ts->topic_id, 16);
            for (int32_t p = 0; p < ts->npartition_states; p++)
                if (ts->partition_states[p].partition_index <
                    ts->npartition_states)
                    um_add_partition(t, &ts->partition_states[p]);
            if (t->configs == NULL && ts->nconfigs > 0) {
                t->configs = xcalloc((size_t)ts->nconfigs, sizeof(*t->configs));
                for (int32_t k = 0; k < ts->nconfigs; k++) {
                    t->configs[k].key = kstr_xdup(ts->configs[k].key);
                    t->configs[k].value = kstr_xdup(ts->configs[k].value);
                }
                t->nconfigs = ts->nconfigs;
            }
        }
    }
    for (int32_t i = 0; i < snap->ntopics; i++) {
        mc_topic_t *t = &snap->topics[i];

        if (t->partitions == NULL)
            t->partitions = xcalloc(1, sizeof(*t->partitions));
        if (t->configs == NULL)
            t->configs = xcalloc(1, sizeof(*t->configs));
    }
    mc_snapshot_sort(snap);
    return snap;
}

int
h_update_metadata(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = h_ctl(req);
    updatemetadata_req_t r;
    ctl_req_hdr_t hdr;
    cwait_t *w;

    if (p_updatemetadata_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    w = cwait_new(req, 0);
    if (ctl == NULL) {
        um_done(KERR_BROKER_NOT_AVAILABLE, w);
        return 0;
    }
    hdr.controller_id = r.controller_id;
    hdr.controller_epoch = r.controller_epoch;
    hdr.broker_epoch = r.broker_epoch;
    ctl_recv_update_metadata(ctl, &hdr, um_snapshot(&r, v, ctl_cluster_id(ctl)),
                             um_done, w);
    return 0;
}

/* ---- AlterIsr (to the controller; KIP-497) ---------------------------- */

static void
ai_reply(bdefer_t *d, int16_t error_code, const char *const *topics,
         const int32_t *partitions, const ctl_isr_result_t *results, int n)
{
    alterisr_resp_t resp;
    alterisr_resp_topic_t *tps = xcalloc((size_t)n + 1, sizeof(*tps));
    alterisr_resp_partition_t *ps = xcalloc((size_t)n + 1, sizeof(*ps));
    kwrite_t *kw;

    memset(&resp, 0, sizeof(resp));
    resp.error_code = error_code;
    resp.topics = tps;
    for (int i = 0; i < n; i++) {
        /* one topic entry per partition, in request order */
        tps[i].name = kstr_c(topics[i]);
        tps[i].npartitions = 1;
        tps[i].partitions = &ps[i];
        ps[i].partition_index = partitions[i];
        ps[i].error_code = results[i].error_code;
        ps[i].leader_id = results[i].leader;
        ps[i].leader_epoch = results[i].leader_epoch;
        ps[i].nisr = results[i].error_code == KERR_NONE ? results[i].nisr : 0;
        ps[i].isr = (int32_t *)results[i].isr;
        ps[i].current_isr_version = results[i].zk_version;
    }
    resp.ntopics = n;
    kw = bresp_begin(d->correlation_id, API_ALTER_ISR, d->api_version);
    p_alterisr_resp_encode(kw, d->api_version, &resp);
    bdefer_reply(d, kw);
    free(tps);
    free(ps);
}

static void
ai_done(int16_t error_code, const ctl_isr_result_t *results, int n, void *ud)
{
    cwait_t *w = ud;

    ai_reply(&w->d, error_code, (const char *const *)w->topics, w->partitions,
             results, error_code == KERR_NONE ? n : 0);
    cwait_free(w);
}

int
h_alter_isr(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = h_ctl(req);
    ctl_isr_change_t *changes;
    alterisr_req_t r;
    cwait_t *w;
    int n = 0;

    if (p_alterisr_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    for (int32_t t = 0; t < r.ntopics; t++)
        n += r.topics[t].npartitions;
    w = cwait_new(req, n);
    changes = arena_calloc(req->ar, (size_t)n + 1, sizeof(*changes));
    n = 0;
    for (int32_t t = 0; t < r.ntopics; t++) {
        for (int32_t p = 0; p < r.topics[t].npartitions; p++) {
            const alterisr_req_partition_t *pp = &r.topics[t].partitions[p];

            w->topics[n] = kstr_xdup(r.topics[t].name);
            w->partitions[n] = pp->partition_index;
            changes[n].topic = w->topics[n];
            changes[n].partition = pp->partition_index;
            changes[n].leader_epoch = pp->leader_epoch;
            changes[n].nisr = pp->nnew_isr;
            changes[n].isr = pp->new_isr;
            changes[n].zk_version = pp->current_isr_version;
            n++;
        }
    }
    /* a controller-only API */
    if (ctl == NULL || !ctl_is_controller(ctl)) {
        ai_done(KERR_NOT_CONTROLLER, NULL, 0, w);
        return 0;
    }
    ctl_recv_alter_isr(ctl, r.broker_id, r.broker_epoch, changes, n, ai_done,
                       w);
    return 0;
}

/* ---- ControlledShutdown (to the controller) --------------------------- */

static void
cs_done(int16_t error_code, const ctl_tp_t *remaining, int n, void *ud)
{
    cwait_t *w = ud;
    int16_t v = w->d.api_version;
    controlledshutdown_resp_t resp;
    controlledshutdown_remaining_t *rem = xcalloc((size_t)n + 1, sizeof(*rem));
    kwrite_t *kw;

    memset(&resp, 0, sizeof(resp));
    resp.error_code = error_code;
    for (int i = 0; i < n; i++) {
        rem[i].topic_name = kstr_c(remaining[i].topic);
        rem[i].partition_index = remaining[i].partition;
    }
    resp.nremaining_partitions = n;
    resp.remaining_partitions = rem;
    kw = bresp_begin(w->d.correlation_id, API_CONTROLLED_SHUTDOWN, v);
    p_controlledshutdown_resp_encode(kw, v, &resp);
    bdefer_reply(&w->d, kw);
    free(rem);
    cwait_free(w);
}

int
h_controlled_shutdown(breq_t *req, kread_t *kr)
{
    int16_t v = req->hdr.request_api_version;
    ctl_t *ctl = h_ctl(req);
    controlledshutdown_req_t r;
    cwait_t *w;

    if (p_controlledshutdown_req_decode(kr, v, req->ar, &r) != 0)
        return ERR_PROTO;
    w = cwait_new(req, 0);
    if (ctl == NULL || !ctl_is_controller(ctl)) {
        cs_done(KERR_NOT_CONTROLLER, NULL, 0, w);
        return 0;
    }
    ctl_recv_controlled_shutdown(ctl, r.broker_id, r.broker_epoch, cs_done, w);
    return 0;
}
