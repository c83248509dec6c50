/*
 * ctl_ctrl.c: the active controller (only on the elected broker).
 *
 * Owns the controller's view of the cluster (live brokers, topics,
 * assignments, partition states), the partition state machine, topic
 * deletion, and what is batched for each broker's channel. Runs only on
 * the ctl thread. Spec: Kafka 2.8 KafkaController / PartitionStateMachine /
 * TopicDeletionManager, simplified to reconciliation: every change read
 * from ZooKeeper updates the view; when no read is in flight,
 * ctrl_reconcile() compares the view with what it should be and writes
 * the difference, fenced by the controller epoch (DESIGN §6).
 *
 * Loading (failover): children of /brokers/ids, /brokers/topics and
 * /admin/delete_topics (watched), then every broker, topic (watched),
 * config and partition state read with pipelined async calls: the
 * failover takes a few round trips, not one per znode.
 *
 * Partition states (Kafka's PartitionStateMachine):
 *
 *     NonExistent --assignment read, no state znode--> New
 *     New --a replica is live: create state {leader = first live replica,
 *            isr = live replicas, leader_epoch 0}--> Online
 *     Online --leader's broker gone: next live ISR replica leads,
 *            leader_epoch + 1--> Online
 *     Online --no live ISR replica: leader -1, leader_epoch + 1--> Offline
 *     Offline --an ISR replica is live again: it leads--> Online
 *     any --topic deletion: StopReplica(delete) to every replica (a dead
 *            one's broker when it is back); once all answered, the
 *            znodes are removed--> NonExistent
 *
 * Transitions: ctrl_create_states (New -> Online), ctrl_write_state (the
 * others), ctrl_delete_topic (deletion). Dead ISR members leave the ISR
 * (except the last, as in Kafka), which also bumps the leader epoch; so do
 * brokers in a controlled shutdown (ctl_ctrl_controlled_shutdown) when an
 * eligible member stays, and they lose their leaderships to it. Online ->
 * Online with the same leader and epoch: ctrl_write_isr, a leader's
 * AlterIsr (KIP-497, ctl_ctrl_alter_isr), checked against the leader,
 * leader epoch and state znode version the leader names.
 *
 * Fences: every write is a multi with a version check on /controller_epoch;
 * state updates are conditional on the state znode's version. A failed
 * epoch check resigns at once (another controller was elected).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

/* one call's context */
typedef struct cop {
    ctl_t *ctl;
    uint64_t term;
    char *topic;
    int32_t partition;
    int32_t broker;
    int32_t n; /* create states: partitions */
    int32_t *parts;
    ctl_write_fn done; /* write state: ctl_ctrl_set_leader's */
    void *done_ud;
    bool bump; /* write state: it carries a bump (cpart_t.bump) */
} cop_t;

static void ctrl_maybe_reconcile(ctl_t *ctl);
static cop_t *ctrl_write_state(ctl_t *ctl, ctopic_t *t, int32_t p,
                               int32_t leader, const int32_t *isr,
                               int32_t nisr);
static void ctrl_answer_shutdowns(ctl_ctrl_t *ctrl);

/* ---- small helpers ---------------------------------------------------- */

static cop_t *
cop_new(ctl_t *ctl, const char *topic, int32_t partition)
{
    cop_t *op = xcalloc(1, sizeof(*op));

    op->ctl = ctl;
    op->term = ctl->term;
    op->topic = topic != NULL ? xstrdup(topic) : NULL;
    op->partition = partition;
    return op;
}

static void
cop_free(cop_t *op)
{
    free(op->topic);
    free(op->parts);
    free(op);
}

/* the controller this op belongs to, or NULL when it resigned since */
static ctl_ctrl_t *
cop_ctrl(const cop_t *op)
{
    ctl_t *ctl = op->ctl;

    return ctl->ctrl != NULL && ctl->ctrl->term == op->term ? ctl->ctrl : NULL;
}

int32_t
ctl_ctrl_epoch(const ctl_ctrl_t *ctrl)
{
    return ctrl->epoch;
}

void
ctl_ctrl_fenced(ctl_t *ctl)
{
    ctl_resign(ctl, "controller epoch changed in ZooKeeper");
    ctl_elect(ctl);
}

cbroker_t *
ctl_ctrl_broker(ctl_ctrl_t *ctrl, int32_t id)
{
    for (int i = 0; i < ctrl->nbrokers; i++)
        if (ctrl->brokers[i]->id == id)
            return ctrl->brokers[i];
    return NULL;
}

bool
ctl_ctrl_live(ctl_ctrl_t *ctrl, int32_t id)
{
    cbroker_t *b = ctl_ctrl_broker(ctrl, id);

    return b != NULL && b->live;
}

bool
ctl_ctrl_eligible(ctl_ctrl_t *ctrl, int32_t id)
{
    cbroker_t *b = ctl_ctrl_broker(ctrl, id);

    return b != NULL && b->live && !b->shutting_down;
}

ctopic_t *
ctl_ctrl_topic(ctl_ctrl_t *ctrl, const char *name)
{
    for (int i = 0; i < ctrl->ntopics; i++)
        if (strcmp(ctrl->topics[i]->name, name) == 0)
            return ctrl->topics[i];
    return NULL;
}

static void
cpart_fini(cpart_t *p)
{
    free(p->replicas);
    free(p->adding);
    free(p->removing);
    free(p->stray);
    free(p->isr);
}

static void
ctopic_free(ctopic_t *t)
{
    for (int32_t p = 0; p < t->npartitions; p++)
        cpart_fini(&t->parts[p]);
    free(t->parts);
    free(t->stop_wait);
    zknode_config_fini(&t->config);
    free(t->name);
    free(t);
}

static void
cbroker_free(cbroker_t *b)
{
    zknode_broker_fini(&b->info);
    ctl_breq_free(b->lai);
    ctl_breq_free(b->stop);
    if (b->chan != NULL)
        b->chan->free(b->chan);
    free(b);
}

static void
ctrl_remove_topic(ctl_ctrl_t *ctrl, ctopic_t *t)
{
    for (int i = 0; i < ctrl->ntopics; i++) {
        if (ctrl->topics[i] == t) {
            ctrl->topics[i] = ctrl->topics[--ctrl->ntopics];
            break;
        }
    }
    ctopic_free(t);
    ctrl->md_dirty = true;
}

static void
ctrl_remove_broker(ctl_ctrl_t *ctrl, cbroker_t *b)
{
    for (int i = 0; i < ctrl->nbrokers; i++) {
        if (ctrl->brokers[i] == b) {
            ctrl->brokers[i] = ctrl->brokers[--ctrl->nbrokers];
            break;
        }
    }
    if (b->live)
        say_info("[ctl] broker %d is gone", (int)b->id);
    cbroker_free(b);
    ctrl->md_dirty = true;
}

void
ctl_ctrl_free(ctl_ctrl_t *ctrl)
{
    if (ctrl == NULL)
        return;
    for (int i = 0; i < ctrl->nbrokers; i++)
        cbroker_free(ctrl->brokers[i]);
    free(ctrl->brokers);
    for (int i = 0; i < ctrl->ntopics; i++)
        ctopic_free(ctrl->topics[i]);
    free(ctrl->topics);
    for (int i = 0; i < ctrl->ndel; i++)
        free(ctrl->del[i]);
    free(ctrl->del);
    free(ctrl->del_busy);
    while (ctrl->cshut != NULL) {
        ctl_cshut_t *req = ctrl->cshut;

        ctrl->cshut = req->next;
        ctl_cshut_fail(req, KERR_NOT_CONTROLLER);
    }
    ctl_reassign_free(ctrl);
    free(ctrl);
}

/* ---- batching for the channels ---------------------------------------- */

static void
ctrl_part_state(const ctl_ctrl_t *ctrl, const ctopic_t *t, int32_t p,
                ctl_partition_state_t *ps)
{
    const cpart_t *cp = &t->parts[p];

    ps->topic = t->name;
    ps->partition = p;
    ps->leader = cp->leader;
    ps->leader_epoch = cp->leader_epoch;
    ps->controller_epoch = cp->controller_epoch;
    ps->nisr = cp->nisr;
    ps->isr = cp->isr;
    ps->nreplicas = cp->nreplicas;
    ps->replicas = cp->replicas;
    ps->zk_version = cp->zkversion;
}

static void
ctrl_queue_lai_to(ctl_ctrl_t *ctrl, cbroker_t *b, const ctopic_t *t, int32_t p)
{
    ctl_partition_state_t ps;

    ctl_breq_forget(b->stop, t->name, p);
    ctl_breq_forget(b->lai, t->name, p);
    if (b->lai == NULL)
        b->lai = ctl_breq_new(CTL_BREQ_LEADER_AND_ISR);
    ctrl_part_state(ctrl, t, p, &ps);
    ctl_breq_add_part(b->lai, &ps);
}

/* LeaderAndIsr for @p to each of its live replicas */
static void
ctrl_queue_lai(ctl_ctrl_t *ctrl, const ctopic_t *t, int32_t p)
{
    const cpart_t *cp = &t->parts[p];

    for (int32_t i = 0; i < cp->nreplicas; i++) {
        cbroker_t *b = ctl_ctrl_broker(ctrl, cp->replicas[i]);

        if (b != NULL && b->live && b->announced)
            ctrl_queue_lai_to(ctrl, b, t, p);
    }
    ctrl->md_dirty = true;
}

void
ctl_ctrl_queue_stop(ctl_ctrl_t *ctrl, int32_t broker, const char *topic,
                    int32_t p, bool del)
{
    cbroker_t *b = ctl_ctrl_broker(ctrl, broker);

    if (b == NULL || !b->live)
        return;
    ctl_breq_forget(b->lai, topic, p);
    ctl_breq_forget(b->stop, topic, p);
    if (b->stop == NULL)
        b->stop = ctl_breq_new(CTL_BREQ_STOP_REPLICA);
    ctl_breq_add_stop(b->stop, topic, p, del);
}

static mc_snapshot_t *
ctrl_snapshot(ctl_t *ctl, ctl_ctrl_t *ctrl)
{
    mc_snapshot_t *snap = mc_snapshot_new();
    int nb = 0, nt = 0;

    snap->cluster_id = xstrdup(ctl->cluster_id);
    snap->controller_id = ctl->cfg.broker_id;
    snap->brokers = xcalloc(ctrl->nbrokers + 1, sizeof(*snap->brokers));
    for (int i = 0; i < ctrl->nbrokers; i++) {
        const cbroker_t *b = ctrl->brokers[i];
        mc_broker_t *mb = &snap->brokers[nb];
        const char *host = b->info.host;
        int32_t port = b->info.port;

        if (!b->live)
            continue;
        if ((host == NULL || port < 0) && b->info.nendpoints > 0) {
            host = b->info.endpoints[0].host;
            port = b->info.endpoints[0].port;
        }
        mb->id = b->id;
        mb->host = xstrdup(host != NULL ? host : "");
        mb->port = port;
        mb->rack = b->info.rack != NULL ? xstrdup(b->info.rack) : NULL;
        nb++;
    }
    snap->nbrokers = nb;
    snap->topics = xcalloc(ctrl->ntopics + 1, sizeof(*snap->topics));
    for (int i = 0; i < ctrl->ntopics; i++) {
        const ctopic_t *t = ctrl->topics[i];
        mc_topic_t *mt = &snap->topics[nt];
        int32_t np = 0;

        if (!t->loaded)
            continue;
        /* only the prefix of partitions whose state is known */
        while (np < t->npartitions && t->parts[np].has_state)
            np++;
        if (np == 0)
            continue;
        mt->name = xstrdup(t->name);
        if (t->has_id)
            memcpy(mt->id, t->id, 16);
        mt->npartitions = np;
        mt->partitions = xcalloc(np + 1, sizeof(*mt->partitions));
        for (int32_t p = 0; p < np; p++) {
            const cpart_t *cp = &t->parts[p];
            mc_partition_t *mp = &mt->partitions[p];

            mp->partition = p;
            mp->leader = cp->leader;
            mp->leader_epoch = cp->leader_epoch;
            mp->nreplicas = cp->nreplicas;
            mp->replicas = ctl_ints_dup(cp->replicas, cp->nreplicas);
            mp->nisr = cp->nisr;
            mp->isr = ctl_ints_dup(cp->isr, cp->nisr);
            mp->offline = xmalloc(sizeof(int32_t) * (cp->nreplicas + 1));
            for (int32_t r = 0; r < cp->nreplicas; r++)
                if (!ctl_ctrl_live(ctrl, cp->replicas[r]))
                    mp->offline[mp->noffline++] = cp->replicas[r];
        }
        mt->nconfigs = t->config.n;
        mt->configs = xcalloc(t->config.n + 1, sizeof(*mt->configs));
        for (int32_t k = 0; k < t->config.n; k++) {
            mt->configs[k].key = xstrdup(t->config.keys[k]);
            mt->configs[k].value = xstrdup(t->config.values[k]);
        }
        mt->deleting = t->deleting;
        nt++;
    }
    snap->ntopics = nt;
    mc_snapshot_sort(snap);
    return snap;
}

static void
ctrl_send(ctl_t *ctl, ctl_ctrl_t *ctrl, cbroker_t *b, ctl_breq_t *breq)
{
    const char *host = b->info.host;
    int32_t port = b->info.port;

    if ((host == NULL || port < 0) && b->info.nendpoints > 0) {
        host = b->info.endpoints[0].host;
        port = b->info.endpoints[0].port;
    }
    breq->controller_id = ctl->cfg.broker_id;
    breq->controller_epoch = ctrl->epoch;
    breq->broker_epoch = b->epoch;
    if (b->chan->address != NULL)
        b->chan->address(b->chan, host, port);
    b->chan->send(b->chan, breq);
}

void
ctl_stop_ack_free(ctl_stop_ack_t *ack)
{
    for (int i = 0; i < ack->n; i++)
        free(ack->stops[i].topic);
    free(ack->stops);
    free(ack);
}

/* the broker answered (or the request was dropped): back to our thread */
static void
ctrl_stop_answered(int16_t error_code, void *ud)
{
    ctl_stop_ack_t *ack = ud;

    ack->error_code = error_code;
    if (!ctl_registry_post(ack->controller_id, CTL_EV_STOP_ACK, ack))
        ctl_stop_ack_free(ack);
}

/* a StopReplica with deletions reports its answer (topic deletion waits
 * for every replica's) */
static void
ctrl_stop_track(ctl_t *ctl, int32_t broker_id, ctl_breq_t *stop)
{
    ctl_stop_ack_t *ack;
    int n = 0;

    for (int i = 0; i < stop->nstops; i++)
        n += stop->stops[i].del;
    if (n == 0)
        return;
    ack = xcalloc(1, sizeof(*ack));
    ack->controller_id = ctl->cfg.broker_id;
    ack->term = ctl->term;
    ack->broker_id = broker_id;
    ack->stops = xcalloc(n, sizeof(*ack->stops));
    for (int i = 0; i < stop->nstops; i++) {
        if (!stop->stops[i].del)
            continue;
        ack->stops[ack->n] = stop->stops[i];
        ack->stops[ack->n].topic = xstrdup(stop->stops[i].topic);
        ack->n++;
    }
    stop->done = ctrl_stop_answered;
    stop->done_ud = ack;
}

void
ctl_ctrl_flush(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    mc_snapshot_t *snap = NULL;

    if (ctrl == NULL || !ctrl->loaded || ctrl->writes > 0)
        return;
    for (int i = 0; i < ctrl->nbrokers; i++) {
        cbroker_t *b = ctrl->brokers[i];

        if (!b->live)
            continue;
        if (b->stop != NULL) {
            ctrl_stop_track(ctl, b->id, b->stop);
            ctrl_send(ctl, ctrl, b, b->stop);
            b->stop = NULL;
        }
        if (b->lai != NULL) {
            ctrl_send(ctl, ctrl, b, b->lai);
            b->lai = NULL;
        }
    }
    if (!ctrl->md_dirty) {
        if (ctrl->cshut != NULL && ctrl->reads == 0)
            ctrl_answer_shutdowns(ctrl);
        return;
    }
    ctrl->md_dirty = false;
    snap = ctrl_snapshot(ctl, ctrl);
    for (int i = 0; i < ctrl->nbrokers; i++) {
        cbroker_t *b = ctrl->brokers[i];
        ctl_breq_t *um;

        if (!b->live)
            continue;
        um = ctl_breq_new(CTL_BREQ_UPDATE_METADATA);
        um->snap = mc_snapshot_copy(snap);
        ctrl_send(ctl, ctrl, b, um);
    }
    mc_snapshot_put(snap);
    if (ctrl->cshut != NULL && ctrl->reads == 0)
        ctrl_answer_shutdowns(ctrl);
}

/* ---- reads ------------------------------------------------------------ */

static void ctrl_read_state(ctl_t *ctl, ctopic_t *t, int32_t p);

/* a read finished: maybe the view is complete */
static void
ctrl_read_done(ctl_t *ctl, ctl_ctrl_t *ctrl)
{
    ctrl->reads--;
    ctrl_maybe_reconcile(ctl);
}

static void
ctrl_broker_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    cbroker_t *b;
    char err[256];

    if (ctrl == NULL)
        goto out;
    b = ctl_ctrl_broker(ctrl, op->broker);
    if (b == NULL) {
        /* removed meanwhile */
    } else if (res->rc == ZOK) {
        zknode_broker_t info;

        if (zknode_broker_decode(res->data, res->datalen, &info, err,
                                 sizeof(err)) != 0) {
            say_error("[ctl] broker %d: %s", (int)b->id, err);
        } else {
            zknode_broker_fini(&b->info);
            b->info = info;
            if (b->live && b->epoch != res->stat->czxid) {
                say_info("[ctl] broker %d restarted", (int)b->id);
                b->announced = false; /* bounced: tell it everything */
                b->shutting_down = false;
            }
            if (!b->live)
                say_info("[ctl] broker %d is up", (int)b->id);
            b->epoch = res->stat->czxid;
            b->live = true;
            ctrl->md_dirty = true;
        }
    } else if (res->rc == ZNONODE) {
        ctrl_remove_broker(ctrl, b);
    } else {
        say_warn("[ctl] reading broker %d: %s", (int)op->broker,
                 zk_strerror(res->rc));
    }
    ctrl_read_done(op->ctl, ctrl);
out:
    cop_free(op);
}

static void ctrl_list_brokers(ctl_t *ctl);

static void
ctrl_brokers_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;

    if (ctrl == NULL)
        goto out;
    if (res->rc != ZOK) {
        say_warn("[ctl] listing brokers: %s", zk_strerror(res->rc));
        if (res->rc != ZSESSIONEXPIRED && res->rc != ZCLOSING)
            ctrl_list_brokers(ctl);
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    for (int i = 0; i < ctrl->nbrokers; i++)
        ctrl->brokers[i]->seen = false;
    for (int i = 0; i < res->nchildren; i++) {
        char *end;
        long id = strtol(res->children[i], &end, 10);
        cbroker_t *b;
        cop_t *gop;
        char *path;

        if (*end != '\0' || id < 0 || id > INT32_MAX) {
            say_warn("[ctl] ignoring /brokers/ids/%s", res->children[i]);
            continue;
        }
        b = ctl_ctrl_broker(ctrl, (int32_t)id);
        if (b == NULL) {
            b = xcalloc(1, sizeof(*b));
            b->id = (int32_t)id;
            b->chan = ctl_chan_net_new(b->id, ctl->cfg.broker_id);
            ctrl->brokers = xrealloc(ctrl->brokers, sizeof(*ctrl->brokers) *
                                                        (ctrl->nbrokers + 1));
            ctrl->brokers[ctrl->nbrokers++] = b;
        }
        b->seen = true;
        /* read every registration: a changed czxid is a bounce */
        gop = cop_new(ctl, NULL, -1);
        gop->broker = b->id;
        path = xasprintf("%s/%ld", ZKNODE_BROKER_IDS, id);
        ctrl->reads++;
        zk_get(zk, path, false, ctrl_broker_get_done, gop);
        free(path);
    }
    for (int i = 0; i < ctrl->nbrokers;) {
        if (!ctrl->brokers[i]->seen)
            ctrl_remove_broker(ctrl, ctrl->brokers[i]);
        else
            i++;
    }
    ctrl_read_done(ctl, ctrl);
out:
    cop_free(op);
}

static void
ctrl_list_brokers(ctl_t *ctl)
{
    ctl->ctrl->reads++;
    zk_children(ctl->zk, ZKNODE_BROKER_IDS, true, ctrl_brokers_done,
                cop_new(ctl, NULL, -1));
}

static void
ctrl_state_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctopic_t *t;
    cpart_t *cp;
    char err[256];

    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (t == NULL || op->partition >= t->npartitions) {
        ctrl_read_done(op->ctl, ctrl);
        goto out;
    }
    cp = &t->parts[op->partition];
    cp->busy = false;
    if (res->rc == ZOK) {
        zknode_partition_state_t st;

        if (zknode_partition_state_decode(res->data, res->datalen, &st, err,
                                          sizeof(err)) != 0) {
            say_error("[ctl] %s-%d: %s", t->name, (int)op->partition, err);
        } else {
            free(cp->isr);
            cp->leader = st.leader;
            cp->leader_epoch = st.leader_epoch;
            cp->controller_epoch = st.controller_epoch;
            cp->nisr = st.nisr;
            cp->isr = st.isr;
            cp->zkversion = res->stat->version;
            cp->has_state = true;
            cp->missing = false;
            ctrl->md_dirty = true;
        }
    } else if (res->rc == ZNONODE) {
        cp->missing = true;
    } else {
        say_warn("[ctl] reading state of %s-%d: %s", t->name,
                 (int)op->partition, zk_strerror(res->rc));
    }
    ctrl_read_done(op->ctl, ctrl);
out:
    cop_free(op);
}

static void
ctrl_read_state(ctl_t *ctl, ctopic_t *t, int32_t p)
{
    char *path =
        xasprintf("%s/%s/partitions/%d/state", ZKNODE_TOPICS, t->name, (int)p);

    t->parts[p].busy = true;
    ctl->ctrl->reads++;
    zk_get(ctl->zk, path, false, ctrl_state_get_done, cop_new(ctl, t->name, p));
    free(path);
}

static void
ctrl_config_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctopic_t *t;
    char err[256];

    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (t != NULL && res->rc == ZOK) {
        zknode_config_t cfg;

        if (zknode_config_decode(res->data, res->datalen, &cfg, err,
                                 sizeof(err)) != 0) {
            say_error("[ctl] config of %s: %s", t->name, err);
        } else {
            zknode_config_fini(&t->config);
            t->config = cfg;
            ctrl->md_dirty = true;
        }
    }
    ctrl_read_done(op->ctl, ctrl);
out:
    cop_free(op);
}

/* adding_replicas / removing_replicas of partition @p as ZooKeeper has
 * them */
static void
ctrl_take_moves(cpart_t *cp, const zknode_topic_t *zt, int32_t p)
{
    free(cp->adding);
    free(cp->removing);
    cp->nadding = zt->adding != NULL ? zt->adding[p].n : 0;
    cp->adding = ctl_ints_dup(zt->adding != NULL ? zt->adding[p].ids : NULL,
                              cp->nadding);
    cp->nremoving = zt->removing != NULL ? zt->removing[p].n : 0;
    cp->removing = ctl_ints_dup(
        zt->removing != NULL ? zt->removing[p].ids : NULL, cp->nremoving);
}

static void
ctrl_topic_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;
    zknode_topic_t zt;
    ctopic_t *t;
    char err[256];

    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (t == NULL) {
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    if (res->rc == ZNONODE) {
        if (!t->delete_started)
            ctrl_remove_topic(ctrl, t);
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    if (res->rc != ZOK) {
        say_warn("[ctl] reading topic %s: %s", t->name, zk_strerror(res->rc));
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    if (zknode_topic_decode(res->data, res->datalen, &zt, err, sizeof(err)) !=
        0) {
        say_error("[ctl] topic %s: %s", t->name, err);
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    t->has_id = zt.has_id;
    memcpy(t->id, zt.id, 16);
    t->zkversion = res->stat->version;
    if (zt.npartitions < t->npartitions)
        say_warn("[ctl] topic %s shrank from %d to %d partitions in "
                 "ZooKeeper; ignoring the missing ones",
                 t->name, (int)t->npartitions, (int)zt.npartitions);
    if (zt.npartitions > t->npartitions) {
        int32_t old = t->npartitions;

        t->parts = xrealloc(t->parts, sizeof(*t->parts) * zt.npartitions);
        memset(&t->parts[old], 0, sizeof(*t->parts) * (zt.npartitions - old));
        t->npartitions = zt.npartitions;
        for (int32_t p = old; p < zt.npartitions; p++) {
            t->parts[p].leader = -1;
            t->parts[p].replicas =
                ctl_ints_dup(zt.replicas[p].ids, zt.replicas[p].n);
            t->parts[p].nreplicas = zt.replicas[p].n;
            ctrl_take_moves(&t->parts[p], &zt, p);
            ctrl_read_state(ctl, t, p);
        }
        if (old > 0)
            say_info("[ctl] topic %s: %d -> %d partitions", t->name, (int)old,
                     (int)zt.npartitions);
    }
    /* memory ahead of ZooKeeper (a reassignment being written) wins;
     * otherwise ZooKeeper's assignment is the truth */
    for (int32_t p = 0;
         t->assign_gen == t->assign_written && !t->assign_writing &&
         p < zt.npartitions && p < t->npartitions;
         p++) {
        cpart_t *cp = &t->parts[p];

        if (cp->nreplicas != zt.replicas[p].n ||
            memcmp(cp->replicas, zt.replicas[p].ids,
                   sizeof(int32_t) * cp->nreplicas) != 0) {
            free(cp->replicas);
            cp->replicas = ctl_ints_dup(zt.replicas[p].ids, zt.replicas[p].n);
            cp->nreplicas = zt.replicas[p].n;
        }
        ctrl_take_moves(cp, &zt, p);
    }
    t->loaded = true;
    ctrl->md_dirty = true;
    zknode_topic_fini(&zt);
    ctrl_read_done(ctl, ctrl);
out:
    cop_free(op);
}

void
ctl_ctrl_read_topic(ctl_t *ctl, const char *name, bool with_config)
{
    char *path = xasprintf("%s/%s", ZKNODE_TOPICS, name);

    ctl->ctrl->reads++;
    zk_get(ctl->zk, path, true, ctrl_topic_get_done, cop_new(ctl, name, -1));
    free(path);
    if (with_config) {
        path = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, name);
        ctl->ctrl->reads++;
        zk_get(ctl->zk, path, false, ctrl_config_get_done,
               cop_new(ctl, name, -1));
        free(path);
    }
}

void
ctl_ctrl_reload_config(ctl_t *ctl, const char *topic)
{
    char *path;

    if (ctl->ctrl == NULL || ctl_ctrl_topic(ctl->ctrl, topic) == NULL)
        return;
    path = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, topic);
    ctl->ctrl->reads++;
    zk_get(ctl->zk, path, false, ctrl_config_get_done, cop_new(ctl, topic, -1));
    free(path);
}

static void ctrl_list_topics(ctl_t *ctl);

static void
ctrl_topics_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;
    bool *seen;
    int nold;

    if (ctrl == NULL)
        goto out;
    if (res->rc != ZOK) {
        say_warn("[ctl] listing topics: %s", zk_strerror(res->rc));
        if (res->rc != ZSESSIONEXPIRED && res->rc != ZCLOSING)
            ctrl_list_topics(ctl);
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    nold = ctrl->ntopics;
    seen = xcalloc(nold + 1, sizeof(bool));
    for (int i = 0; i < res->nchildren; i++) {
        const char *name = res->children[i];
        bool found = false;

        for (int k = 0; k < nold; k++) {
            if (strcmp(ctrl->topics[k]->name, name) == 0) {
                seen[k] = true;
                found = true;
                break;
            }
        }
        if (!found) {
            ctopic_t *t = xcalloc(1, sizeof(*t));

            t->name = xstrdup(name);
            ctrl->topics = xrealloc(ctrl->topics, sizeof(*ctrl->topics) *
                                                      (ctrl->ntopics + 1));
            ctrl->topics[ctrl->ntopics++] = t;
            ctl_ctrl_read_topic(ctl, name, true);
        }
    }
    /* topics gone from ZooKeeper (deleted by us or by hand); new ones were
     * appended after the first nold */
    {
        ctopic_t **gone = xcalloc(nold + 1, sizeof(*gone));
        int ng = 0;

        for (int k = 0; k < nold; k++)
            if (!seen[k] && !ctrl->topics[k]->delete_started)
                gone[ng++] = ctrl->topics[k];
        for (int k = 0; k < ng; k++)
            ctrl_remove_topic(ctrl, gone[k]);
        free(gone);
    }
    free(seen);
    ctrl_read_done(ctl, ctrl);
out:
    cop_free(op);
}

static void
ctrl_list_topics(ctl_t *ctl)
{
    ctl->ctrl->reads++;
    zk_children(ctl->zk, ZKNODE_TOPICS, true, ctrl_topics_done,
                cop_new(ctl, NULL, -1));
}

static void ctrl_list_deletes(ctl_t *ctl);

static void
ctrl_deletes_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;

    if (ctrl == NULL)
        goto out;
    if (res->rc != ZOK) {
        say_warn("[ctl] listing topic deletions: %s", zk_strerror(res->rc));
        if (res->rc != ZSESSIONEXPIRED && res->rc != ZCLOSING)
            ctrl_list_deletes(ctl);
        ctrl_read_done(ctl, ctrl);
        goto out;
    }
    for (int i = 0; i < res->nchildren; i++) {
        const char *name = res->children[i];
        bool known = false;

        for (int k = 0; k < ctrl->ndel; k++)
            if (strcmp(ctrl->del[k], name) == 0)
                known = true;
        if (known)
            continue;
        ctrl->del = xrealloc(ctrl->del, sizeof(char *) * (ctrl->ndel + 1));
        ctrl->del_busy =
            xrealloc(ctrl->del_busy, sizeof(bool) * (ctrl->ndel + 1));
        ctrl->del[ctrl->ndel] = xstrdup(name);
        ctrl->del_busy[ctrl->ndel] = false;
        ctrl->ndel++;
        say_info("[ctl] topic %s is queued for deletion", name);
    }
    ctrl_read_done(ctl, ctrl);
out:
    cop_free(op);
}

static void
ctrl_list_deletes(ctl_t *ctl)
{
    ctl->ctrl->reads++;
    zk_children(ctl->zk, ZKNODE_DELETE_TOPICS, true, ctrl_deletes_done,
                cop_new(ctl, NULL, -1));
}

void
ctl_ctrl_watch(ctl_t *ctl, int type, const char *path)
{
    size_t tl = strlen(ZKNODE_TOPICS);

    if (ctl_elect_watch(ctl, path) || ctl_reassign_watch(ctl, path))
        return;
    if (strcmp(path, ZKNODE_BROKER_IDS) == 0) {
        ctrl_list_brokers(ctl);
    } else if (strcmp(path, ZKNODE_TOPICS) == 0) {
        ctrl_list_topics(ctl);
    } else if (strcmp(path, ZKNODE_DELETE_TOPICS) == 0) {
        ctrl_list_deletes(ctl);
    } else if (strncmp(path, ZKNODE_TOPICS, tl) == 0 && path[tl] == '/' &&
               strchr(path + tl + 1, '/') == NULL &&
               type == ZOO_CHANGED_EVENT) {
        /* partitions added (CreatePartitions by any broker) */
        if (ctl_ctrl_topic(ctl->ctrl, path + tl + 1) != NULL)
            ctl_ctrl_read_topic(ctl, path + tl + 1, false);
    }
}

/* ---- writes: partition states ----------------------------------------- */

void
ctl_ctrl_write_done(ctl_t *ctl, ctl_ctrl_t *ctrl)
{
    ctrl->writes--;
    ctrl_maybe_reconcile(ctl);
}

static void
ctrl_create_states_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;
    ctopic_t *t;

    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (res->nops > 0 && res->ops[0].rc != ZOK &&
        res->ops[0].rc != ZRUNTIMEINCONSISTENCY && !ctl_zk_transient(res->rc)) {
        ctrl->writes--;
        ctl_ctrl_fenced(ctl);
        goto out;
    }
    for (int32_t i = 0; t != NULL && i < op->n; i++) {
        int32_t p = op->parts[i];
        cpart_t *cp;

        if (p >= t->npartitions)
            continue;
        cp = &t->parts[p];
        cp->busy = false;
        if (res->rc == ZOK) {
            cp->has_state = true;
            cp->missing = false;
            cp->zkversion = 0;
            ctrl_queue_lai(ctrl, t, p);
        }
    }
    if (res->rc != ZOK && t != NULL) {
        say_warn("[ctl] creating partition states of %s: %s", t->name,
                 zk_strerror(res->rc));
        /* reload what is there; reconcile tries again */
        for (int32_t i = 0; i < op->n; i++)
            if (op->parts[i] < t->npartitions) {
                cpart_t *cp = &t->parts[op->parts[i]];

                cp->has_state = false;
                free(cp->isr);
                cp->isr = NULL;
                cp->nisr = 0;
                ctrl_read_state(ctl, t, op->parts[i]);
            }
    } else if (t != NULL) {
        say_info("[ctl] %s: %d partition(s) online", t->name, (int)op->n);
    }
    ctl_ctrl_write_done(ctl, ctrl);
out:
    cop_free(op);
}

/* New -> Online for the listed partitions of @t, one fenced multi */
static void
ctrl_create_states(ctl_t *ctl, ctopic_t *t, const int32_t *ps, int32_t n)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    zk_op_t *ops = xcalloc(n + 1, sizeof(*ops));
    char **bufs = xcalloc(2 * n + 1, sizeof(char *));
    char *parent = xasprintf("%s/%s/partitions", ZKNODE_TOPICS, t->name);
    cop_t *op = cop_new(ctl, t->name, -1);

    /* parents first, unfenced (Kafka's createRecursive); the session
     * keeps request order, so they exist before the multi runs */
    zk_create(ctl->zk, parent, NULL, 0, 0, NULL, NULL);
    ops[0].kind = ZK_OP_CHECK;
    ops[0].path = ZKNODE_CONTROLLER_EPOCH;
    ops[0].version = ctrl->epoch_zkversion;
    op->n = n;
    op->parts = ctl_ints_dup(ps, n);
    for (int32_t i = 0; i < n; i++) {
        cpart_t *cp = &t->parts[ps[i]];
        zknode_partition_state_t st;
        char *ppath = xasprintf("%s/%d", parent, (int)ps[i]);

        zk_create(ctl->zk, ppath, NULL, 0, 0, NULL, NULL);
        free(cp->isr);
        cp->isr = xmalloc(sizeof(int32_t) * (cp->nreplicas + 1));
        cp->nisr = 0;
        for (int32_t r = 0; r < cp->nreplicas; r++)
            if (ctl_ctrl_live(ctrl, cp->replicas[r]))
                cp->isr[cp->nisr++] = cp->replicas[r];
        cp->leader = cp->isr[0];
        cp->leader_epoch = 0;
        cp->controller_epoch = ctrl->epoch;
        cp->busy = true;
        st.controller_epoch = ctrl->epoch;
        st.leader = cp->leader;
        st.leader_epoch = 0;
        st.nisr = cp->nisr;
        st.isr = cp->isr;
        bufs[2 * i] = xasprintf("%s/state", ppath);
        bufs[2 * i + 1] = zknode_partition_state_encode(&st);
        ops[i + 1].kind = ZK_OP_CREATE;
        ops[i + 1].path = bufs[2 * i];
        ops[i + 1].data = bufs[2 * i + 1];
        ops[i + 1].datalen = (int)strlen(bufs[2 * i + 1]);
        free(ppath);
    }
    ctrl->writes++;
    zk_multi(ctl->zk, ops, n + 1, ctrl_create_states_done, op);
    for (int32_t i = 0; i < 2 * n; i++)
        free(bufs[i]);
    free(bufs);
    free(ops);
    free(parent);
}

static void
ctrl_write_state_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    cop_t *op = ud;
    ctl_ctrl_t *ctrl = cop_ctrl(op);
    ctl_t *ctl = op->ctl;
    ctopic_t *t;
    cpart_t *cp;
    bool ok = false;

    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (res->nops > 0 && res->ops[0].rc != ZOK &&
        res->ops[0].rc != ZRUNTIMEINCONSISTENCY && !ctl_zk_transient(res->rc)) {
        ctrl->writes--;
        ctl_ctrl_fenced(ctl);
        goto out;
    }
    if (t == NULL || op->partition >= t->npartitions) {
        ctl_ctrl_write_done(ctl, ctrl);
        goto out;
    }
    cp = &t->parts[op->partition];
    cp->busy = false;
    if (res->rc == ZOK) {
        ok = true;
        free(cp->isr);
        cp->leader = op->broker;
        cp->leader_epoch++;
        cp->controller_epoch = ctrl->epoch;
        cp->nisr = op->n;
        cp->isr = op->parts;
        op->parts = NULL;
        cp->zkversion = res->ops[1].stat.version;
        if (op->bump)
            cp->bump = false;
        say_info("[ctl] %s-%d: leader %d, leader epoch %d", t->name,
                 (int)op->partition, (int)cp->leader, (int)cp->leader_epoch);
        ctrl_queue_lai(ctrl, t, op->partition);
    } else {
        say_warn("[ctl] writing state of %s-%d: %s; reading it again", t->name,
                 (int)op->partition, zk_strerror(res->rc));
        ctrl_read_state(ctl, t, op->partition);
    }
    ctl_ctrl_write_done(ctl, ctrl);
out:
    if (op->done != NULL)
        op->done(ctl, ok, op->done_ud);
    cop_free(op);
}

/* Online/Offline transitions: conditional on the state's version */
static cop_t *
ctrl_write_state(ctl_t *ctl, ctopic_t *t, int32_t p, int32_t leader,
                 const int32_t *isr, int32_t nisr)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    cpart_t *cp = &t->parts[p];
    zknode_partition_state_t st = {ctrl->epoch, leader, cp->leader_epoch + 1,
                                   nisr, (int32_t *)isr};
    char *json = zknode_partition_state_encode(&st);
    char *path =
        xasprintf("%s/%s/partitions/%d/state", ZKNODE_TOPICS, t->name, (int)p);
    zk_op_t ops[2] = {
        {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
         ctrl->epoch_zkversion},
        {ZK_OP_SET, path, json, (int)strlen(json), 0, cp->zkversion},
    };
    cop_t *op = cop_new(ctl, t->name, p);

    op->broker = leader;
    op->bump = cp->bump;
    op->n = nisr;
    op->parts = ctl_ints_dup(isr, nisr);
    cp->busy = true;
    ctrl->writes++;
    zk_multi(ctl->zk, ops, 2, ctrl_write_state_done, op);
    free(json);
    free(path);
    return op;
}

/* unclean.leader.election.enable for @t: the topic's config, else this
 * broker's dynamic config, else its static one (Kafka's LogConfig) */
static bool
ctrl_unclean(ctl_t *ctl, const ctopic_t *t)
{
    static const char key[] = "unclean.leader.election.enable";
    const char *v = NULL;

    for (int32_t i = 0; i < t->config.n && v == NULL; i++)
        if (strcmp(t->config.keys[i], key) == 0)
            v = t->config.values[i];
    if (v == NULL)
        v = ctl_config_broker_value(ctl, key);
    if (v == NULL)
        return ctl->cfg.unclean_leader_election_enable;
    return strcmp(v, "true") == 0;
}

/*
 * What the state of @cp should be with the current live brokers and
 * replica set: dead replicas and replicas no longer assigned leave the
 * ISR (the last one stays, as in Kafka); the leader stays if live and in
 * the ISR, else the first live ISR replica in assignment order leads,
 * else, when unclean election is enabled for the topic, the first live
 * replica leads with an ISR of itself (records only the old ISR had are
 * lost), else none (-1). @isr holds nisr + 1 entries. True if that
 * differs.
 */
static bool
ctrl_desired(ctl_t *ctl, const ctopic_t *t, const cpart_t *cp, int32_t *leader,
             int32_t *isr, int32_t *nisr)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    int32_t n = 0, l = -1, neligible = 0;

    for (int32_t i = 0; i < cp->nisr; i++) {
        if (!ctl_ints_has(cp->replicas, cp->nreplicas, cp->isr[i]))
            continue;
        if (ctl_ctrl_live(ctrl, cp->isr[i]))
            isr[n++] = cp->isr[i];
        neligible += ctl_ctrl_eligible(ctrl, cp->isr[i]);
    }
    /* controlled shutdown: brokers shutting down leave the ISR when
     * someone eligible stays in it */
    if (neligible > 0 && neligible < n) {
        int32_t m = 0;

        for (int32_t i = 0; i < n; i++)
            if (ctl_ctrl_eligible(ctrl, isr[i]))
                isr[m++] = isr[i];
        n = m;
    }
    if (n == 0) {
        /* nobody live: keep the last member (as Kafka), assigned ones
         * first */
        if (cp->leader >= 0 && ctl_ints_has(cp->isr, cp->nisr, cp->leader) &&
            ctl_ints_has(cp->replicas, cp->nreplicas, cp->leader)) {
            isr[n++] = cp->leader;
        } else {
            for (int32_t i = 0; i < cp->nisr; i++)
                if (ctl_ints_has(cp->replicas, cp->nreplicas, cp->isr[i]))
                    isr[n++] = cp->isr[i];
            if (n == 0) {
                memcpy(isr, cp->isr, sizeof(int32_t) * cp->nisr);
                n = cp->nisr;
            }
        }
    }
    if (cp->leader >= 0 && ctl_ctrl_eligible(ctrl, cp->leader) &&
        ctl_ints_has(isr, n, cp->leader) &&
        ctl_ints_has(cp->replicas, cp->nreplicas, cp->leader)) {
        l = cp->leader;
    } else if (neligible == 0 && cp->leader >= 0 &&
               ctl_ctrl_live(ctrl, cp->leader) &&
               ctl_ints_has(isr, n, cp->leader) &&
               ctl_ints_has(cp->replicas, cp->nreplicas, cp->leader)) {
        l = cp->leader; /* shutting down, but nobody can take over */
    } else {
        for (int32_t r = 0; r < cp->nreplicas && l < 0; r++)
            if (ctl_ctrl_live(ctrl, cp->replicas[r]) &&
                ctl_ints_has(isr, n, cp->replicas[r]))
                l = cp->replicas[r];
    }
    if (l < 0 && ctrl_unclean(ctl, t)) {
        for (int32_t r = 0; r < cp->nreplicas && l < 0; r++) {
            if (!ctl_ctrl_eligible(ctrl, cp->replicas[r]))
                continue;
            l = cp->replicas[r];
            isr[0] = l;
            n = 1;
            say_warn("[ctl] %s-%d: unclean leader election: broker %d "
                     "leads with an ISR of itself; records it lacks are "
                     "lost",
                     t->name, (int)(cp - t->parts), (int)l);
        }
    }
    *leader = l;
    *nisr = n;
    return l != cp->leader || n != cp->nisr ||
           memcmp(isr, cp->isr, sizeof(int32_t) * n) != 0;
}

/* ---- deletion --------------------------------------------------------- */

/* a fenced recursive delete: children first, each node deleted in a multi
 * with the epoch check (Kafka's deleteRecursive with the epoch fence) */
typedef struct rdel {
    ctl_t *ctl;
    uint64_t term;
    char *path;
    struct rdel *parent;
    int children_left;
    int rc;
    void (*done)(ctl_t *ctl, const char *topic, int rc);
    char *topic;
} rdel_t;

static void rdel_list(rdel_t *r);

static void
rdel_finish(rdel_t *r, int rc)
{
    ctl_t *ctl = r->ctl;
    rdel_t *parent = r->parent;
    bool live = ctl->ctrl != NULL && ctl->ctrl->term == r->term;

    if (live)
        ctl->ctrl->writes--;
    if (parent != NULL) {
        if (rc != ZOK && parent->rc == ZOK)
            parent->rc = rc;
        if (--parent->children_left == 0) {
            if (parent->rc == ZOK && live) {
                parent->children_left = -1;
                rdel_list(parent); /* list again: then delete itself */
            } else {
                rdel_finish(parent, parent->rc != ZOK ? parent->rc : ZCLOSING);
            }
        }
    } else if (live) {
        r->done(ctl, r->topic, rc);
    }
    free(r->path);
    free(r->topic);
    free(r);
}

static void
rdel_delete_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    rdel_t *r = ud;
    ctl_t *ctl = r->ctl;

    if (res->rc == ZOK || (res->nops > 1 && res->ops[1].rc == ZNONODE)) {
        rdel_finish(r, ZOK);
    } else if (res->nops > 1 && res->ops[1].rc == ZNOTEMPTY) {
        r->children_left = -1;
        rdel_list(r); /* a child appeared */
    } else if (res->nops > 0 && res->ops[0].rc != ZOK &&
               res->ops[0].rc != ZRUNTIMEINCONSISTENCY &&
               !ctl_zk_transient(res->rc)) {
        rdel_finish(r, ZBADVERSION);
        if (ctl->ctrl != NULL && ctl->ctrl->term == r->term)
            ctl_ctrl_fenced(ctl);
    } else {
        rdel_finish(r, res->rc);
    }
}

static void
rdel_delete(rdel_t *r)
{
    ctl_ctrl_t *ctrl = r->ctl->ctrl;
    zk_op_t ops[2] = {
        {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
         ctrl->epoch_zkversion},
        {ZK_OP_DELETE, r->path, NULL, 0, 0, -1},
    };

    zk_multi(r->ctl->zk, ops, 2, rdel_delete_done, r);
}

static rdel_t *rdel_new(ctl_t *ctl, const char *path, rdel_t *parent);

static void
rdel_children_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    rdel_t *r = ud;
    ctl_t *ctl = r->ctl;

    if (ctl->ctrl == NULL || ctl->ctrl->term != r->term) {
        rdel_finish(r, ZCLOSING);
        return;
    }
    if (res->rc == ZNONODE) {
        rdel_finish(r, ZOK);
        return;
    }
    if (res->rc != ZOK) {
        rdel_finish(r, res->rc);
        return;
    }
    if (res->nchildren == 0) {
        rdel_delete(r);
        return;
    }
    r->children_left = res->nchildren;
    r->rc = ZOK;
    for (int i = 0; i < res->nchildren; i++) {
        char *cpath = xasprintf("%s/%s", r->path, res->children[i]);

        rdel_list(rdel_new(ctl, cpath, r));
        free(cpath);
    }
}

static rdel_t *
rdel_new(ctl_t *ctl, const char *path, rdel_t *parent)
{
    rdel_t *r = xcalloc(1, sizeof(*r));

    r->ctl = ctl;
    r->term = ctl->term;
    r->path = xstrdup(path);
    r->parent = parent;
    ctl->ctrl->writes++;
    return r;
}

static void
rdel_list(rdel_t *r)
{
    zk_children(r->ctl->zk, r->path, false, rdel_children_done, r);
}

static void
ctrl_delete_tree(ctl_t *ctl, const char *path, const char *topic,
                 void (*done)(ctl_t *, const char *, int))
{
    rdel_t *r = rdel_new(ctl, path, NULL);

    r->topic = xstrdup(topic);
    r->done = done;
    rdel_list(r);
}

static void
ctrl_del_forget(ctl_ctrl_t *ctrl, const char *topic)
{
    for (int i = 0; i < ctrl->ndel; i++) {
        if (strcmp(ctrl->del[i], topic) == 0) {
            free(ctrl->del[i]);
            ctrl->del[i] = ctrl->del[ctrl->ndel - 1];
            ctrl->del_busy[i] = ctrl->del_busy[ctrl->ndel - 1];
            ctrl->ndel--;
            return;
        }
    }
}

static void
ctrl_delete_admin_done(ctl_t *ctl, const char *topic, int rc)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    ctopic_t *t = ctl_ctrl_topic(ctrl, topic);

    if (rc != ZOK) {
        say_error("[ctl] deleting topic %s: %s", topic, zk_strerror(rc));
        return;
    }
    if (t != NULL) {
        say_info("[ctl] topic %s deleted", topic);
        ctrl_remove_topic(ctrl, t);
    }
    ctrl_del_forget(ctrl, topic);
    ctrl->md_dirty = true;
}

static void
ctrl_delete_config_done(ctl_t *ctl, const char *topic, int rc)
{
    char *path;

    if (rc != ZOK) {
        say_error("[ctl] deleting the config of topic %s: %s", topic,
                  zk_strerror(rc));
        return;
    }
    path = xasprintf("%s/%s", ZKNODE_DELETE_TOPICS, topic);
    ctrl_delete_tree(ctl, path, topic, ctrl_delete_admin_done);
    free(path);
}

static void
ctrl_delete_topic_done(ctl_t *ctl, const char *topic, int rc)
{
    char *path;

    if (rc != ZOK) {
        say_error("[ctl] deleting the znodes of topic %s: %s", topic,
                  zk_strerror(rc));
        return;
    }
    path = xasprintf("%s/%s", ZKNODE_CONFIG_TOPICS, topic);
    ctrl_delete_tree(ctl, path, topic, ctrl_delete_config_done);
    free(path);
}

/* StopReplica(delete) to every replica (Kafka's TopicDeletionManager:
 * a dead replica's broker gets it when it is back, so no log files stay
 * behind), then, once all answered, the znodes: the topic, its config,
 * and last the admin node (so a new controller resumes) */
static void
ctrl_delete_topic(ctl_t *ctl, ctopic_t *t)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    int n = 0;

    say_info("[ctl] deleting topic %s", t->name);
    t->delete_started = true;
    for (int32_t p = 0; p < t->npartitions; p++)
        n += t->parts[p].nreplicas;
    t->stop_wait = xcalloc(n + 1, sizeof(*t->stop_wait));
    for (int32_t p = 0; p < t->npartitions; p++) {
        const cpart_t *cp = &t->parts[p];

        for (int32_t r = 0; r < cp->nreplicas; r++) {
            t->stop_wait[t->nstop_wait][0] = cp->replicas[r];
            t->stop_wait[t->nstop_wait][1] = p;
            t->nstop_wait++;
            if (!ctl_ctrl_live(ctrl, cp->replicas[r]))
                say_info("[ctl] deleting topic %s waits for broker %d, "
                         "a replica of partition %d",
                         t->name, (int)cp->replicas[r], (int)p);
            ctl_ctrl_queue_stop(ctrl, cp->replicas[r], t->name, p, true);
        }
    }
    ctrl->md_dirty = true;
}

/* the znodes, once every replica's deletion is answered */
static void
ctrl_delete_znodes(ctl_t *ctl, ctopic_t *t)
{
    char *path = xasprintf("%s/%s", ZKNODE_TOPICS, t->name);

    t->znodes_deleting = true;
    ctrl_delete_tree(ctl, path, t->name, ctrl_delete_topic_done);
    free(path);
}

void
ctl_ctrl_stop_acked(ctl_t *ctl, ctl_stop_ack_t *ack)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;

    if (ctrl == NULL || ctrl->term != ack->term ||
        ack->error_code != KERR_NONE) {
        /* dropped or fenced: a broker that comes back is asked again */
        ctl_stop_ack_free(ack);
        return;
    }
    for (int i = 0; i < ack->n; i++) {
        ctopic_t *t = ctl_ctrl_topic(ctrl, ack->stops[i].topic);

        /* a replica a reassignment removed */
        if (t != NULL && !t->delete_started &&
            ack->stops[i].partition < t->npartitions)
            ctl_reassign_stray_gone(t, ack->stops[i].partition, ack->broker_id);
        for (int k = 0; t != NULL && t->delete_started && k < t->nstop_wait;
             k++) {
            if (t->stop_wait[k][0] == ack->broker_id &&
                t->stop_wait[k][1] == ack->stops[i].partition) {
                t->stop_wait[k][0] = t->stop_wait[t->nstop_wait - 1][0];
                t->stop_wait[k][1] = t->stop_wait[t->nstop_wait - 1][1];
                t->nstop_wait--;
                break;
            }
        }
    }
    ctl_stop_ack_free(ack);
    ctrl_maybe_reconcile(ctl);
}

/* ---- reconciliation --------------------------------------------------- */

static void
ctrl_reconcile(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;

    /* brokers that (re)joined: everything they replicate, then metadata */
    for (int i = 0; i < ctrl->nbrokers; i++) {
        cbroker_t *b = ctrl->brokers[i];

        if (!b->live || b->announced)
            continue;
        b->announced = true;
        for (int k = 0; k < ctrl->ntopics; k++) {
            ctopic_t *t = ctrl->topics[k];

            for (int32_t p = 0; t->loaded && p < t->npartitions; p++) {
                if (!ctl_ints_has(t->parts[p].replicas, t->parts[p].nreplicas,
                                  b->id)) {
                    /* a replica a reassignment removed while it was down */
                    if (!t->deleting)
                        ctl_reassign_strays(ctrl, t, p, b->id);
                    continue;
                }
                /* a topic being deleted: its replicas only get deleted
                 * (a broker back while the znodes go may still hold it) */
                if (t->delete_started)
                    ctl_ctrl_queue_stop(ctrl, b->id, t->name, p, true);
                else if (t->parts[p].has_state && !t->deleting)
                    ctrl_queue_lai_to(ctrl, b, t, p);
            }
        }
        ctrl->md_dirty = true;
    }
    /* reassignments that caught up move their replica sets first */
    ctl_reassign_complete(ctl);
    /* partition state machine */
    for (int k = 0; k < ctrl->ntopics; k++) {
        ctopic_t *t = ctrl->topics[k];
        int32_t *news, nnew = 0;

        if (!t->loaded || t->deleting)
            continue;
        news = xmalloc(sizeof(int32_t) * (t->npartitions + 1));
        for (int32_t p = 0; p < t->npartitions; p++) {
            cpart_t *cp = &t->parts[p];

            if (cp->busy)
                continue;
            if (cp->missing) {
                for (int32_t r = 0; r < cp->nreplicas; r++) {
                    if (ctl_ctrl_live(ctrl, cp->replicas[r])) {
                        news[nnew++] = p;
                        break;
                    }
                }
            } else if (cp->has_state) {
                int32_t leader, nisr;
                int32_t *isr = xmalloc(sizeof(int32_t) * (cp->nisr + 1));

                if (ctrl_desired(ctl, t, cp, &leader, isr, &nisr) || cp->bump)
                    ctrl_write_state(ctl, t, p, leader, isr, nisr);
                free(isr);
            }
        }
        if (nnew > 0)
            ctrl_create_states(ctl, t, news, nnew);
        free(news);
    }
    /* deletions */
    for (int i = 0; i < ctrl->ndel; i++) {
        ctopic_t *t = ctl_ctrl_topic(ctrl, ctrl->del[i]);

        if (t != NULL) {
            if (!t->deleting) {
                t->deleting = true;
                ctrl->md_dirty = true;
            }
            if (t->loaded && !t->delete_started)
                ctrl_delete_topic(ctl, t);
            else if (t->delete_started && t->nstop_wait == 0 &&
                     !t->znodes_deleting)
                ctrl_delete_znodes(ctl, t);
        } else if (!ctrl->del_busy[i]) {
            /* not a topic (any more): just drop the request */
            char *path = xasprintf("%s/%s", ZKNODE_DELETE_TOPICS, ctrl->del[i]);

            ctrl->del_busy[i] = true;
            ctrl_delete_tree(ctl, path, ctrl->del[i], ctrl_delete_admin_done);
            free(path);
        }
    }
    /* assignments ahead of ZooKeeper, once their states are written */
    ctl_reassign_flush(ctl);
}

void
ctl_ctrl_kick(ctl_t *ctl)
{
    ctrl_maybe_reconcile(ctl);
}

static void
ctrl_maybe_reconcile(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;

    if (ctrl == NULL || ctrl->reads > 0)
        return;
    if (!ctrl->loaded) {
        int nparts = 0;

        for (int i = 0; i < ctrl->ntopics; i++)
            nparts += ctrl->topics[i]->npartitions;
        ctrl->loaded = true;
        ctrl->md_dirty = true;
        say_info("[ctl] controller loaded %d broker(s), %d topic(s), %d "
                 "partition(s) in %lld ms",
                 ctrl->nbrokers, ctrl->ntopics, nparts,
                 (long long)(clock_mono_ms() - ctrl->started_ms));
    }
    ctrl_reconcile(ctl);
}

void
ctl_ctrl_become(ctl_t *ctl, int32_t epoch, int32_t zkversion)
{
    ctl_ctrl_t *ctrl = xcalloc(1, sizeof(*ctrl));

    ctl->term++;
    ctrl->term = ctl->term;
    ctrl->epoch = epoch;
    ctrl->epoch_zkversion = zkversion;
    ctrl->started_ms = clock_mono_ms();
    ctl->ctrl = ctrl;
    __atomic_store_n(&ctl->is_controller, 1, __ATOMIC_RELEASE);
    say_info("[ctl] broker %d is the controller (epoch %d)",
             (int)ctl->cfg.broker_id, (int)epoch);
    /* pipelined: three lists, then every node under them */
    ctrl_list_brokers(ctl);
    ctrl_list_topics(ctl);
    ctrl_list_deletes(ctl);
}

/* ---- AlterIsr (KIP-497) ----------------------------------------------- */

typedef struct isrop {
    ctl_t *ctl;
    uint64_t term;
    ctl_alter_isr_t *req;
    int idx;
    int32_t nisr;
    int32_t *isr;
} isrop_t;

static void
ctrl_isr_result(ctl_isr_result_t *r, int16_t err, const cpart_t *cp)
{
    r->error_code = err;
    if (err != KERR_NONE || cp == NULL)
        return;
    r->leader = cp->leader;
    r->leader_epoch = cp->leader_epoch;
    free((int32_t *)r->isr);
    r->isr = ctl_ints_dup(cp->isr, cp->nisr);
    r->nisr = cp->nisr;
    r->zk_version = cp->zkversion;
}

static void
ctrl_isr_one_done(ctl_alter_isr_t *req)
{
    if (--req->pending == 0)
        ctl_alter_isr_finish(req, KERR_NONE);
}

static void
ctrl_write_isr_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    isrop_t *op = ud;
    ctl_t *ctl = op->ctl;
    ctl_ctrl_t *ctrl =
        ctl->ctrl != NULL && ctl->ctrl->term == op->term ? ctl->ctrl : NULL;
    ctl_isr_result_t *r = &op->req->results[op->idx];
    const ctl_isr_change_t *ch = &op->req->changes[op->idx];
    ctopic_t *t;
    cpart_t *cp;

    (void)zk;
    if (ctrl == NULL) {
        r->error_code = KERR_NOT_CONTROLLER;
        goto out;
    }
    if (res->nops > 0 && res->ops[0].rc != ZOK &&
        res->ops[0].rc != ZRUNTIMEINCONSISTENCY && !ctl_zk_transient(res->rc)) {
        r->error_code = KERR_NOT_CONTROLLER;
        ctrl->writes--;
        ctl_ctrl_fenced(ctl);
        goto out;
    }
    t = ctl_ctrl_topic(ctrl, ch->topic);
    if (t == NULL || ch->partition >= t->npartitions) {
        r->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        ctl_ctrl_write_done(ctl, ctrl);
        goto out;
    }
    cp = &t->parts[ch->partition];
    cp->busy = false;
    if (res->rc == ZOK) {
        free(cp->isr);
        cp->isr = op->isr;
        cp->nisr = op->nisr;
        op->isr = NULL;
        cp->controller_epoch = ctrl->epoch;
        cp->zkversion = res->ops[1].stat.version;
        say_info("[ctl] %s-%d: ISR changed by leader %d (zk version %d)",
                 t->name, (int)ch->partition, (int)cp->leader,
                 (int)cp->zkversion);
        ctrl_isr_result(r, KERR_NONE, cp);
        ctrl_queue_lai(ctrl, t, ch->partition);
    } else {
        say_warn("[ctl] writing the ISR of %s-%d: %s; reading it again",
                 t->name, (int)ch->partition, zk_strerror(res->rc));
        r->error_code = res->rc == ZBADVERSION ? KERR_INVALID_UPDATE_VERSION
                                               : KERR_REQUEST_TIMED_OUT;
        ctrl_read_state(ctl, t, ch->partition);
    }
    ctl_ctrl_write_done(ctl, ctrl);
out:
    ctrl_isr_one_done(op->req);
    free(op->isr);
    free(op);
}

/* the ISR write: same leader and epoch, conditional on the version */
static void
ctrl_write_isr(ctl_t *ctl, ctopic_t *t, int32_t p, ctl_alter_isr_t *req,
               int idx, const int32_t *isr, int32_t nisr)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    cpart_t *cp = &t->parts[p];
    zknode_partition_state_t st = {ctrl->epoch, cp->leader, cp->leader_epoch,
                                   nisr, (int32_t *)isr};
    char *json = zknode_partition_state_encode(&st);
    char *path =
        xasprintf("%s/%s/partitions/%d/state", ZKNODE_TOPICS, t->name, (int)p);
    zk_op_t ops[2] = {
        {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
         ctrl->epoch_zkversion},
        {ZK_OP_SET, path, json, (int)strlen(json), 0, cp->zkversion},
    };
    isrop_t *op = xcalloc(1, sizeof(*op));

    op->ctl = ctl;
    op->term = ctl->term;
    op->req = req;
    op->idx = idx;
    op->nisr = nisr;
    op->isr = ctl_ints_dup(isr, nisr);
    cp->busy = true;
    ctrl->writes++;
    req->pending++;
    zk_multi(ctl->zk, ops, 2, ctrl_write_isr_done, op);
    free(json);
    free(path);
}

/* checks one change; KERR_NONE with the ISR to write in @isr/@n, or an
 * error (a no-op change answers KERR_NONE with *@n = -1) */
static int16_t
ctrl_isr_check(ctl_ctrl_t *ctrl, int32_t broker_id, const ctl_isr_change_t *ch,
               ctopic_t **tout, int32_t *isr, int32_t *n)
{
    ctopic_t *t = ctl_ctrl_topic(ctrl, ch->topic);
    cpart_t *cp;
    int32_t m = 0;

    *tout = t;
    *n = -1;
    if (t == NULL || !t->loaded || t->deleting || ch->partition < 0 ||
        ch->partition >= t->npartitions || !t->parts[ch->partition].has_state)
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    cp = &t->parts[ch->partition];
    if (cp->leader != broker_id)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    if (ch->leader_epoch != cp->leader_epoch)
        return KERR_FENCED_LEADER_EPOCH;
    if (!ctl_ints_has(ch->isr, ch->nisr, broker_id))
        return KERR_INVALID_REQUEST;
    for (int32_t i = 0; i < ch->nisr; i++) {
        int32_t id = ch->isr[i];

        if (!ctl_ints_has(cp->replicas, cp->nreplicas, id) ||
            ctl_ints_has(isr, m, id))
            return KERR_INVALID_REQUEST;
        /* nobody joins who is gone or shutting down */
        if (!ctl_ints_has(cp->isr, cp->nisr, id) &&
            !ctl_ctrl_eligible(ctrl, id))
            continue;
        isr[m++] = id;
    }
    if (m == cp->nisr) {
        bool same = true;

        for (int32_t i = 0; i < m && same; i++)
            same = ctl_ints_has(cp->isr, cp->nisr, isr[i]);
        if (same)
            return KERR_NONE; /* already so: answer the current state */
    }
    if (ch->zk_version != cp->zkversion)
        return KERR_INVALID_UPDATE_VERSION;
    if (cp->busy)
        return KERR_OPERATION_NOT_ATTEMPTED;
    *n = m;
    return KERR_NONE;
}

void
ctl_ctrl_alter_isr(ctl_t *ctl, ctl_alter_isr_t *req)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    cbroker_t *b;

    if (ctrl == NULL || !ctrl->loaded) {
        ctl_alter_isr_finish(req, KERR_NOT_CONTROLLER);
        return;
    }
    b = ctl_ctrl_broker(ctrl, req->broker_id);
    if (b == NULL || !b->live ||
        (req->broker_epoch > 0 && req->broker_epoch != b->epoch)) {
        ctl_alter_isr_finish(req, KERR_STALE_BROKER_EPOCH);
        return;
    }
    req->pending = 1; /* held until every write is issued */
    for (int i = 0; i < req->n; i++) {
        const ctl_isr_change_t *ch = &req->changes[i];
        int32_t *isr = xmalloc(sizeof(int32_t) * (ch->nisr + 1)), n;
        ctopic_t *t;
        int16_t err = ctrl_isr_check(ctrl, req->broker_id, ch, &t, isr, &n);

        if (err != KERR_NONE)
            say_info("[ctl] AlterIsr of %s-%d from broker %d: %s", ch->topic,
                     (int)ch->partition, (int)req->broker_id, kerr_name(err));
        if (err == KERR_NONE && n >= 0)
            ctrl_write_isr(ctl, t, ch->partition, req, i, isr, n);
        else
            ctrl_isr_result(&req->results[i], err,
                            err == KERR_NONE ? &t->parts[ch->partition] : NULL);
        free(isr);
    }
    ctrl_isr_one_done(req);
}

/* ---- ControlledShutdown ----------------------------------------------- */

/*
 * The partitions @id still leads that another eligible ISR member could
 * take over (Kafka answers every replicated partition it leads; samsa
 * leaves out those nobody can take, so the last broker of a cluster does
 * not retry in vain).
 */
static int
ctrl_remaining(ctl_ctrl_t *ctrl, int32_t id, ctl_tp_t **out)
{
    int n = 0, cap = 0;

    *out = NULL;
    for (int k = 0; k < ctrl->ntopics; k++) {
        const ctopic_t *t = ctrl->topics[k];

        for (int32_t p = 0; t->loaded && p < t->npartitions; p++) {
            const cpart_t *cp = &t->parts[p];
            bool movable = false;

            if (!cp->has_state || cp->leader != id || cp->nreplicas < 2)
                continue;
            for (int32_t i = 0; i < cp->nisr && !movable; i++)
                movable =
                    cp->isr[i] != id && ctl_ctrl_eligible(ctrl, cp->isr[i]);
            if (!movable)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                *out = xrealloc(*out, sizeof(**out) * cap);
            }
            (*out)[n].topic = t->name;
            (*out)[n].partition = p;
            n++;
        }
    }
    return n;
}

void
ctl_ctrl_controlled_shutdown(ctl_t *ctl, ctl_cshut_t *req)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    cbroker_t *b;

    if (ctrl == NULL || !ctrl->loaded) {
        ctl_cshut_fail(req, KERR_NOT_CONTROLLER);
        return;
    }
    b = ctl_ctrl_broker(ctrl, req->broker_id);
    if (b == NULL || !b->live) {
        ctl_cshut_fail(req, KERR_BROKER_NOT_AVAILABLE);
        return;
    }
    if (req->broker_epoch > 0 && req->broker_epoch < b->epoch) {
        ctl_cshut_fail(req, KERR_STALE_BROKER_EPOCH);
        return;
    }
    if (!b->shutting_down)
        say_info("[ctl] broker %d shuts down: moving its leaderships",
                 (int)b->id);
    b->shutting_down = true;
    ctrl->md_dirty = true;
    req->next = ctrl->cshut;
    ctrl->cshut = req;
    ctrl_maybe_reconcile(ctl);
}

/* after the writes the shutdown caused: answer (from ctl_ctrl_flush) */
static void
ctrl_answer_shutdowns(ctl_ctrl_t *ctrl)
{
    while (ctrl->cshut != NULL) {
        ctl_cshut_t *req = ctrl->cshut;
        ctl_tp_t *rem;
        int n;

        ctrl->cshut = req->next;
        n = ctrl_remaining(ctrl, req->broker_id, &rem);
        say_info("[ctl] controlled shutdown of broker %d: %d partition(s) "
                 "still led by it",
                 (int)req->broker_id, n);
        if (req->done != NULL)
            req->done(KERR_NONE, rem, n, req->ud);
        free(rem);
        free(req);
    }
}

/* ---- the view for ctl_elect.c (ctl_int.h) ----------------------------- */

bool
ctl_ctrl_loaded(const ctl_ctrl_t *ctrl)
{
    return ctrl != NULL && ctrl->loaded;
}

int32_t
ctl_ctrl_epoch_zkversion(const ctl_ctrl_t *ctrl)
{
    return ctrl->epoch_zkversion;
}

static void
ctrl_view(const ctopic_t *t, int32_t p, ctl_part_view_t *v)
{
    const cpart_t *cp = &t->parts[p];

    v->topic = t->name;
    v->partition = p;
    v->nreplicas = cp->nreplicas;
    v->replicas = cp->replicas;
    v->leader = cp->leader;
    v->leader_epoch = cp->leader_epoch;
    v->nisr = cp->nisr;
    v->isr = cp->isr;
    v->busy = cp->busy;
}

int16_t
ctl_ctrl_part(ctl_ctrl_t *ctrl, const char *topic, int32_t p,
              ctl_part_view_t *v)
{
    ctopic_t *t = ctl_ctrl_topic(ctrl, topic);

    if (t == NULL || !t->loaded || t->deleting || p < 0 ||
        p >= t->npartitions || !t->parts[p].has_state)
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    ctrl_view(t, p, v);
    return KERR_NONE;
}

void
ctl_ctrl_each_part(ctl_ctrl_t *ctrl,
                   void (*fn)(const ctl_part_view_t *v, void *ud), void *ud)
{
    for (int k = 0; k < ctrl->ntopics; k++) {
        const ctopic_t *t = ctrl->topics[k];

        for (int32_t p = 0; t->loaded && !t->deleting && p < t->npartitions;
             p++) {
            ctl_part_view_t v;

            if (!t->parts[p].has_state)
                continue;
            ctrl_view(t, p, &v);
            fn(&v, ud);
        }
    }
}

void
ctl_ctrl_set_leader(ctl_t *ctl, const char *topic, int32_t p, int32_t leader,
                    const int32_t *isr, int32_t nisr, ctl_write_fn done,
                    void *ud)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    ctopic_t *t = ctrl != NULL ? ctl_ctrl_topic(ctrl, topic) : NULL;
    cop_t *op;

    if (t == NULL || p < 0 || p >= t->npartitions || t->parts[p].busy ||
        !t->parts[p].has_state) {
        if (done != NULL)
            done(ctl, false, ud);
        return;
    }
    op = ctrl_write_state(ctl, t, p, leader, isr, nisr);
    op->done = done;
    op->done_ud = ud;
}
