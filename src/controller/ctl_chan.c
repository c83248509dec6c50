/*
 * ctl_chan.c: controller -> broker requests (LeaderAndIsr, StopReplica,
 * UpdateMetadata), the per-broker outbound channel, and the broker side
 * that applies them through the hooks; also the queueing of the requests
 * brokers send to the controller (AlterIsr, ControlledShutdown), which
 * ctl_ctrl.c handles.
 *
 * Channels: the controller keeps one ctl_chan_t per live broker. "local":
 * the target is a ctl_t of this process, found by broker id in a
 * process-wide registry, and the request is posted to its event queue (so
 * even the controller's own broker receives its requests through the
 * queue, like a remote one does). Brokers in other processes are reached
 * by ctl_chan_net.c; what they receive (h_controller.c) comes back here
 * through ctl_recv_*() and the same queue, fences and hooks.
 *
 * Broker side fences (DESIGN §6): a request from an older controller epoch
 * than one already seen, or stamped with an older broker epoch than this
 * broker's registration, is dropped (Kafka: STALE_CONTROLLER_EPOCH /
 * STALE_BROKER_EPOCH).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

/* ---- requests --------------------------------------------------------- */

ctl_breq_t *
ctl_breq_new(ctl_breq_kind_t kind)
{
    ctl_breq_t *breq = xcalloc(1, sizeof(*breq));

    breq->kind = kind;
    return breq;
}

void
ctl_breq_free(ctl_breq_t *breq)
{
    if (breq == NULL)
        return;
    if (breq->done != NULL)
        breq->done(KERR_BROKER_NOT_AVAILABLE, breq->done_ud);
    for (int i = 0; i < breq->nparts; i++) {
        free((char *)breq->parts[i].topic);
        free((int32_t *)breq->parts[i].isr);
        free((int32_t *)breq->parts[i].replicas);
    }
    free(breq->parts);
    for (int i = 0; i < breq->nstops; i++)
        free(breq->stops[i].topic);
    free(breq->stops);
    if (breq->snap != NULL)
        mc_snapshot_put(breq->snap);
    free(breq);
}

void
ctl_breq_add_part(ctl_breq_t *breq, const ctl_partition_state_t *ps)
{
    ctl_partition_state_t *c;

    if (breq->nparts == breq->capparts) {
        breq->capparts = breq->capparts ? 2 * breq->capparts : 16;
        breq->parts =
            xrealloc(breq->parts, sizeof(*breq->parts) * breq->capparts);
    }
    c = &breq->parts[breq->nparts++];
    *c = *ps;
    c->topic = xstrdup(ps->topic);
    c->isr = ctl_ints_dup(ps->isr, ps->nisr);
    c->replicas = ctl_ints_dup(ps->replicas, ps->nreplicas);
}

void
ctl_breq_add_stop(ctl_breq_t *breq, const char *topic, int32_t p, bool del)
{
    if (breq->nstops == breq->capstops) {
        breq->capstops = breq->capstops ? 2 * breq->capstops : 16;
        breq->stops =
            xrealloc(breq->stops, sizeof(*breq->stops) * breq->capstops);
    }
    breq->stops[breq->nstops].topic = xstrdup(topic);
    breq->stops[breq->nstops].partition = p;
    breq->stops[breq->nstops].del = del;
    breq->nstops++;
}

void
ctl_breq_forget(ctl_breq_t *breq, const char *topic, int32_t p)
{
    int m = 0;

    if (breq == NULL)
        return;
    for (int i = 0; i < breq->nparts; i++) {
        ctl_partition_state_t *ps = &breq->parts[i];

        if (ps->partition == p && strcmp(ps->topic, topic) == 0) {
            free((char *)ps->topic);
            free((int32_t *)ps->isr);
            free((int32_t *)ps->replicas);
        } else {
            breq->parts[m++] = *ps;
        }
    }
    breq->nparts = m;
    m = 0;
    for (int i = 0; i < breq->nstops; i++) {
        if (breq->stops[i].partition == p &&
            strcmp(breq->stops[i].topic, topic) == 0)
            free(breq->stops[i].topic);
        else
            breq->stops[m++] = breq->stops[i];
    }
    breq->nstops = m;
}

/* ---- registry and the local channel ----------------------------------- */

static pthread_mutex_t ctl_reg_mu = PTHREAD_MUTEX_INITIALIZER;
static ctl_t **ctl_reg;
static int ctl_reg_n, ctl_reg_cap;

void
ctl_registry_add(ctl_t *ctl)
{
    pthread_mutex_lock(&ctl_reg_mu);
    if (ctl_reg_n == ctl_reg_cap) {
        ctl_reg_cap = ctl_reg_cap ? 2 * ctl_reg_cap : 4;
        ctl_reg = xrealloc(ctl_reg, sizeof(*ctl_reg) * ctl_reg_cap);
    }
    ctl_reg[ctl_reg_n++] = ctl;
    pthread_mutex_unlock(&ctl_reg_mu);
}

void
ctl_registry_remove(ctl_t *ctl)
{
    pthread_mutex_lock(&ctl_reg_mu);
    for (int i = 0; i < ctl_reg_n; i++) {
        if (ctl_reg[i] == ctl) {
            ctl_reg[i] = ctl_reg[--ctl_reg_n];
            break;
        }
    }
    if (ctl_reg_n == 0) {
        free(ctl_reg);
        ctl_reg = NULL;
        ctl_reg_cap = 0;
    }
    pthread_mutex_unlock(&ctl_reg_mu);
}

bool
ctl_registry_post(int32_t broker_id, ctl_ev_kind_t kind, void *p)
{
    bool sent = false;

    /* posting under the registry lock: ctl_stop removes a ctl from the
     * registry before it stops its thread, so the target is alive */
    pthread_mutex_lock(&ctl_reg_mu);
    for (int i = 0; i < ctl_reg_n; i++) {
        if (ctl_reg[i]->cfg.broker_id == broker_id) {
            ctl_post(ctl_reg[i], kind, p);
            sent = true;
            break;
        }
    }
    pthread_mutex_unlock(&ctl_reg_mu);
    return sent;
}

bool
ctl_chan_local_try(int32_t broker_id, ctl_breq_t *breq)
{
    return ctl_registry_post(broker_id, CTL_EV_BREQ, breq);
}

static void
ctl_chan_local_send(ctl_chan_t *chan, ctl_breq_t *breq)
{
    if (!ctl_chan_local_try(chan->broker_id, breq)) {
        say_debug("[ctl] no channel to broker %d yet: request dropped",
                  (int)chan->broker_id);
        ctl_breq_free(breq);
    }
}

static void
ctl_chan_local_free(ctl_chan_t *chan)
{
    free(chan);
}

ctl_chan_t *
ctl_chan_local_new(int32_t broker_id)
{
    ctl_chan_t *chan = xcalloc(1, sizeof(*chan));

    chan->broker_id = broker_id;
    chan->send = ctl_chan_local_send;
    chan->address = NULL;
    chan->free = ctl_chan_local_free;
    return chan;
}

/* ---- broker side ------------------------------------------------------ */

void
ctl_breq_answer(ctl_breq_t *breq, int16_t err)
{
    ctl_req_done_fn done = breq->done;

    breq->done = NULL;
    if (done != NULL)
        done(err, breq->done_ud);
}

void
ctl_breq_apply(ctl_t *ctl, ctl_breq_t *breq)
{
    if (breq->controller_epoch < ctl->seen_controller_epoch) {
        say_warn("[ctl] dropping a request from controller %d with stale "
                 "epoch %d (seen %d)",
                 (int)breq->controller_id, (int)breq->controller_epoch,
                 (int)ctl->seen_controller_epoch);
        ctl_breq_answer(breq, KERR_STALE_CONTROLLER_EPOCH);
        ctl_breq_free(breq);
        return;
    }
    if (breq->broker_epoch > 0 && breq->broker_epoch < ctl->broker_epoch) {
        say_warn("[ctl] dropping a request for stale broker epoch %lld "
                 "(ours %lld)",
                 (long long)breq->broker_epoch, (long long)ctl->broker_epoch);
        ctl_breq_answer(breq, KERR_STALE_BROKER_EPOCH);
        ctl_breq_free(breq);
        return;
    }
    ctl->seen_controller_epoch = breq->controller_epoch;
    switch (breq->kind) {
    case CTL_BREQ_LEADER_AND_ISR:
        if (ctl->hooks.on_leader_and_isr != NULL && breq->nparts > 0)
            ctl->hooks.on_leader_and_isr(breq->parts, breq->nparts,
                                         ctl->hooks.ud);
        break;
    case CTL_BREQ_STOP_REPLICA:
        for (int i = 0; i < breq->nstops; i++)
            if (ctl->hooks.on_stop_replica != NULL)
                ctl->hooks.on_stop_replica(breq->stops[i].topic,
                                           breq->stops[i].partition,
                                           breq->stops[i].del, ctl->hooks.ud);
        break;
    case CTL_BREQ_UPDATE_METADATA:
        if (ctl->snap != NULL)
            mc_snapshot_put(ctl->snap);
        ctl->snap = breq->snap;
        breq->snap = NULL;
        if (ctl->hooks.on_metadata != NULL)
            ctl->hooks.on_metadata(mc_snapshot_copy(ctl->snap), ctl->hooks.ud);
        ctl_admin_check(ctl);
        break;
    }
    ctl_breq_answer(breq, KERR_NONE);
    ctl_breq_free(breq);
}

/* ---- requests received over the network (any thread) ------------------ */

static ctl_breq_t *
ctl_breq_received(ctl_breq_kind_t kind, const ctl_req_hdr_t *hdr,
                  ctl_req_done_fn done, void *ud)
{
    ctl_breq_t *breq = ctl_breq_new(kind);

    breq->controller_id = hdr->controller_id;
    breq->controller_epoch = hdr->controller_epoch;
    breq->broker_epoch = hdr->broker_epoch;
    breq->done = done;
    breq->done_ud = ud;
    return breq;
}

void
ctl_recv_leader_and_isr(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                        const ctl_partition_state_t *parts, int n,
                        ctl_req_done_fn done, void *ud)
{
    ctl_breq_t *breq =
        ctl_breq_received(CTL_BREQ_LEADER_AND_ISR, hdr, done, ud);

    for (int i = 0; i < n; i++)
        ctl_breq_add_part(breq, &parts[i]);
    ctl_post(ctl, CTL_EV_BREQ, breq);
}

void
ctl_recv_stop_replica(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                      const ctl_stop_partition_t *stops, int n,
                      ctl_req_done_fn done, void *ud)
{
    ctl_breq_t *breq = ctl_breq_received(CTL_BREQ_STOP_REPLICA, hdr, done, ud);

    for (int i = 0; i < n; i++)
        ctl_breq_add_stop(breq, stops[i].topic, stops[i].partition,
                          stops[i].del);
    ctl_post(ctl, CTL_EV_BREQ, breq);
}

void
ctl_recv_update_metadata(ctl_t *ctl, const ctl_req_hdr_t *hdr,
                         mc_snapshot_t *snap, ctl_req_done_fn done, void *ud)
{
    ctl_breq_t *breq =
        ctl_breq_received(CTL_BREQ_UPDATE_METADATA, hdr, done, ud);

    breq->snap = snap;
    ctl_post(ctl, CTL_EV_BREQ, breq);
}

/* ---- AlterIsr and ControlledShutdown for the controller (any thread) --- */

void
ctl_recv_alter_isr(ctl_t *ctl, int32_t broker_id, int64_t broker_epoch,
                   const ctl_isr_change_t *changes, int n,
                   ctl_alter_isr_fn done, void *ud)
{
    ctl_alter_isr_t *req = xcalloc(1, sizeof(*req));

    req->broker_id = broker_id;
    req->broker_epoch = broker_epoch;
    req->n = n > 0 ? n : 0;
    req->changes = xcalloc((size_t)req->n + 1, sizeof(*req->changes));
    req->results = xcalloc((size_t)req->n + 1, sizeof(*req->results));
    for (int i = 0; i < req->n; i++) {
        req->changes[i] = changes[i];
        req->changes[i].topic = xstrdup(changes[i].topic);
        req->changes[i].isr = ctl_ints_dup(changes[i].isr, changes[i].nisr);
        req->results[i].leader = -1;
        req->results[i].leader_epoch = -1;
        req->results[i].zk_version = -1;
    }
    req->done = done;
    req->ud = ud;
    ctl_post(ctl, CTL_EV_ALTER_ISR, req);
}

void
ctl_alter_isr_finish(ctl_alter_isr_t *req, int16_t err)
{
    if (req->done != NULL)
        req->done(err, err == KERR_NONE ? req->results : NULL,
                  err == KERR_NONE ? req->n : 0, req->ud);
    for (int i = 0; i < req->n; i++) {
        free((char *)req->changes[i].topic);
        free((int32_t *)req->changes[i].isr);
        free((int32_t *)req->results[i].isr);
    }
    free(req->changes);
    free(req->results);
    free(req);
}

void
ctl_recv_controlled_shutdown(ctl_t *ctl, int32_t broker_id,
                             int64_t broker_epoch, ctl_shutdown_fn done,
                             void *ud)
{
    ctl_cshut_t *req = xcalloc(1, sizeof(*req));

    req->broker_id = broker_id;
    req->broker_epoch = broker_epoch;
    req->done = done;
    req->ud = ud;
    ctl_post(ctl, CTL_EV_SHUTDOWN, req);
}

void
ctl_cshut_fail(ctl_cshut_t *req, int16_t err)
{
    if (req->done != NULL)
        req->done(err, NULL, 0, req->ud);
    free(req);
}
