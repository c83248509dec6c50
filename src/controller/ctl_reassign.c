/*
 * ctl_reassign.c: partition reassignment (KIP-455) on the active
 * controller: AlterPartitionReassignments, ListPartitionReassignments and
 * the legacy /admin/reassign_partitions znode.
 *
 * Owns: the replica sets of a reassignment (Kafka 2.8 ReplicaAssignment:
 * the full set written to /brokers/topics/<t> while it runs, with
 * adding_replicas and removing_replicas), the completion test and the
 * leader/ISR on completion, the checks of a requested target, writing
 * assignments that memory holds ahead of ZooKeeper, the requests waiting
 * for those writes, and the znode. Does not own the partition states
 * (ctl_ctrl.c writes them: its ctrl_desired keeps the ISR and the leader
 * inside the replica set). Runs on the ctl thread; the pure functions on
 * any thread.
 *
 * Spec: Kafka 2.8 KafkaController.onPartitionReassignment (steps U1-U3,
 * A1-A2, B1-B8), ReplicaAssignment.fromOriginalAndTarget,
 * validateReassignment, maybeRemoveFromZkReassignment.
 *
 *     idle --target T (original O)--> memory: replicas = T ++ (O - T),
 *            adding = T - O, removing = O - T; replicas no longer
 *            needed become strays
 *     memory ahead --topic znode written (fenced, versioned)--> running:
 *            the request is answered; the state is written with leader
 *            epoch + 1 (LeaderAndIsr tells every replica the new set, the
 *            adding replicas start fetching); StopReplica(delete) to strays
 *     running --every replica of T in the ISR, an eligible leader in T-->
 *            memory: replicas = T; the state is written first (leader in
 *            T, ISR & T, leader epoch + 1), then the topic znode, then
 *            StopReplica(delete) to the removed replicas and the znode
 *            entry is dropped
 *     running --cancel--> a reassignment to O (the adding become strays)
 *
 * A controller failover resumes from the topic znodes: a partition with
 * adding or removing replicas is running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define REASSIGN_TIMEOUT_MS 60000 /* when the request gives none */

void
ctl_reassign_plan(const int32_t *orig, int32_t norig, const int32_t *target,
                  int32_t ntarget, int32_t *full, int32_t *nfull,
                  int32_t *adding, int32_t *nadding, int32_t *removing,
                  int32_t *nremoving)
{
    *nfull = *nadding = *nremoving = 0;
    for (int32_t i = 0; i < ntarget; i++) {
        full[(*nfull)++] = target[i];
        if (!ctl_ints_has(orig, norig, target[i]))
            adding[(*nadding)++] = target[i];
    }
    for (int32_t i = 0; i < norig; i++) {
        if (ctl_ints_has(target, ntarget, orig[i]))
            continue;
        full[(*nfull)++] = orig[i];
        removing[(*nremoving)++] = orig[i];
    }
}

void
ctl_reassign_original(const int32_t *full, int32_t nfull, const int32_t *adding,
                      int32_t nadding, int32_t *out, int32_t *nout)
{
    *nout = 0;
    for (int32_t i = 0; i < nfull; i++)
        if (!ctl_ints_has(adding, nadding, full[i]))
            out[(*nout)++] = full[i];
}

void
ctl_reassign_target(const int32_t *full, int32_t nfull, const int32_t *removing,
                    int32_t nremoving, int32_t *out, int32_t *nout)
{
    *nout = 0;
    for (int32_t i = 0; i < nfull; i++)
        if (!ctl_ints_has(removing, nremoving, full[i]))
            out[(*nout)++] = full[i];
}

bool
ctl_reassign_caught_up(const int32_t *target, int32_t ntarget,
                       const int32_t *isr, int32_t nisr)
{
    for (int32_t i = 0; i < ntarget; i++)
        if (!ctl_ints_has(isr, nisr, target[i]))
            return false;
    return ntarget > 0;
}

int16_t
ctl_reassign_finish(const int32_t *target, int32_t ntarget,
                    const bool *eligible, const int32_t *isr, int32_t nisr,
                    int32_t leader, int32_t *new_leader, int32_t *new_isr,
                    int32_t *new_nisr)
{
    int32_t l = -1;

    *new_nisr = 0;
    for (int32_t i = 0; i < nisr; i++)
        if (ctl_ints_has(target, ntarget, isr[i]))
            new_isr[(*new_nisr)++] = isr[i];
    for (int32_t i = 0; i < ntarget; i++)
        if (target[i] == leader && eligible[i] &&
            ctl_ints_has(new_isr, *new_nisr, leader))
            l = leader;
    for (int32_t i = 0; l < 0 && i < ntarget; i++)
        if (eligible[i] && ctl_ints_has(new_isr, *new_nisr, target[i]))
            l = target[i];
    *new_leader = l;
    return l >= 0 ? KERR_NONE : KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
}

int16_t
ctl_reassign_check(const int32_t *target, int32_t ntarget,
                   const int32_t *brokers, int32_t nbrokers)
{
    if (ntarget <= 0)
        return KERR_INVALID_REPLICA_ASSIGNMENT;
    for (int32_t i = 0; i < ntarget; i++) {
        if (target[i] < 0 || ctl_ints_has(target, i, target[i]))
            return KERR_INVALID_REPLICA_ASSIGNMENT;
        if (brokers != NULL && !ctl_ints_has(brokers, nbrokers, target[i]))
            return KERR_INVALID_REPLICA_ASSIGNMENT;
    }
    return KERR_NONE;
}

/* ---- requests ---------------------------------------------------------- */

typedef struct ritem {
    char *topic;
    int32_t partition;
    int32_t nreplicas; /* -1: cancel */
    int32_t *replicas;
    bool done;
    int16_t error_code;
    char *error_message;
    uint64_t gen; /* the topic's assignment generation to see written */
} ritem_t;

struct ctl_reassign_req {
    ctl_reassign_req_t *next;
    bool list;
    int n; /* list: -1 = every reassignment */
    ritem_t *items;
    int64_t deadline; /* mono ms */
    ctl_reassign_fn done;
    ctl_reassignments_fn list_done;
    void *ud;
};

/* one entry of /admin/reassign_partitions this controller runs */
typedef struct zentry {
    char *topic;
    int32_t partition;
    int32_t nreplicas;
    int32_t *replicas;
} zentry_t;

typedef struct ctl_reassign_state {
    ctl_reassign_req_t *waiting;
    bool watching; /* the znode watch is set in this term */
    int nzk;
    zentry_t *zk;  /* the znode's partitions still running */
    bool zk_dirty; /* some of them finished: rewrite the znode */
    bool zk_writing;
} rstate_t;

static ctl_reassign_req_t *
rreq_new(bool list, int n, int32_t timeout_ms)
{
    ctl_reassign_req_t *req = xcalloc(1, sizeof(*req));

    req->list = list;
    req->n = n;
    req->items = xcalloc(n > 0 ? n : 1, sizeof(*req->items));
    req->deadline =
        clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : REASSIGN_TIMEOUT_MS);
    return req;
}

static void
rreq_free(ctl_reassign_req_t *req)
{
    for (int i = 0; i < req->n; i++) {
        free(req->items[i].topic);
        free(req->items[i].replicas);
        free(req->items[i].error_message);
    }
    free(req->items);
    free(req);
}

static void
ritem_finish(ritem_t *it, int16_t err, char *message)
{
    it->done = true;
    it->error_code = err;
    free(it->error_message);
    it->error_message = message;
}

/* answers an alter request with what its items say, or @err on all */
static void
rreq_answer(ctl_reassign_req_t *req, int16_t err)
{
    ctl_reassign_result_t *res = xcalloc(req->n + 1, sizeof(*res));

    for (int i = 0; i < req->n; i++) {
        const ritem_t *it = &req->items[i];

        res[i].topic = it->topic;
        res[i].partition = it->partition;
        res[i].error_code = it->done ? it->error_code : KERR_REQUEST_TIMED_OUT;
        res[i].error_message = it->done ? it->error_message : NULL;
    }
    if (req->done != NULL)
        req->done(err, err == KERR_NONE ? res : NULL,
                  err == KERR_NONE ? req->n : 0, req->ud);
    free(res);
    rreq_free(req);
}

void
ctl_reassign_req_fail(ctl_reassign_req_t *req, int16_t err)
{
    if (req->list) {
        if (req->list_done != NULL)
            req->list_done(err, NULL, 0, req->ud);
        rreq_free(req);
        return;
    }
    rreq_answer(req, err);
}

void
ctl_alter_reassignments(ctl_t *ctl, const ctl_reassign_target_t *targets, int n,
                        int32_t timeout_ms, ctl_reassign_fn done, void *ud)
{
    ctl_reassign_req_t *req = rreq_new(false, n, timeout_ms);

    req->done = done;
    req->ud = ud;
    for (int i = 0; i < n; i++) {
        ritem_t *it = &req->items[i];

        it->topic = xstrdup(targets[i].topic != NULL ? targets[i].topic : "");
        it->partition = targets[i].partition;
        it->nreplicas = targets[i].nreplicas;
        if (it->nreplicas >= 0)
            it->replicas = ctl_ints_dup(targets[i].replicas, it->nreplicas);
    }
    ctl_post(ctl, CTL_EV_REASSIGN, req);
}

void
ctl_list_reassignments(ctl_t *ctl, const ctl_tp_t *tps, int n,
                       ctl_reassignments_fn done, void *ud)
{
    ctl_reassign_req_t *req = rreq_new(true, tps != NULL ? n : -1, 0);

    req->list_done = done;
    req->ud = ud;
    for (int i = 0; i < req->n; i++) {
        req->items[i].topic = xstrdup(tps[i].topic != NULL ? tps[i].topic : "");
        req->items[i].partition = tps[i].partition;
    }
    ctl_post(ctl, CTL_EV_REASSIGN, req);
}

/* ---- the state --------------------------------------------------------- */

static rstate_t *
rstate(ctl_ctrl_t *ctrl)
{
    if (ctrl->reassign == NULL)
        ctrl->reassign = xcalloc(1, sizeof(*ctrl->reassign));
    return ctrl->reassign;
}

static void
zentry_fini(zentry_t *e)
{
    free(e->topic);
    free(e->replicas);
}

void
ctl_reassign_free(ctl_ctrl_t *ctrl)
{
    rstate_t *rs = ctrl->reassign;

    if (rs == NULL)
        return;
    while (rs->waiting != NULL) {
        ctl_reassign_req_t *req = rs->waiting;

        rs->waiting = req->next;
        rreq_answer(req, KERR_NOT_CONTROLLER);
    }
    for (int i = 0; i < rs->nzk; i++)
        zentry_fini(&rs->zk[i]);
    free(rs->zk);
    free(rs);
    ctrl->reassign = NULL;
}

static bool
moving(const cpart_t *cp)
{
    return cp->nadding > 0 || cp->nremoving > 0;
}

/* "1,2,3" (malloc'd) */
static char *
ids_text(const int32_t *v, int32_t n)
{
    size_t cap = 12 * (size_t)(n > 0 ? n : 0) + 1, len = 0;
    char *out = xmalloc(cap);

    out[0] = '\0';
    for (int32_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%d", i > 0 ? "," : "",
                                (int)v[i]);
    return out;
}

/*
 * Kafka's validateReassignment: INVALID_REPLICA_ASSIGNMENT (with a
 * message in *@msg) for an empty list, a repeated or negative id, or a
 * broker that is not alive.
 */
static int16_t
reassign_validate(ctl_ctrl_t *ctrl, const int32_t *target, int32_t n,
                  char **msg)
{
    char *ids = ids_text(target, n);
    int16_t err = ctl_reassign_check(target, n, NULL, 0);

    *msg = NULL;
    if (n <= 0) {
        *msg = xstrdup("Empty replica list specified in partition "
                       "reassignment.");
    } else if (err != KERR_NONE) {
        bool negative = false;

        for (int32_t i = 0; i < n; i++)
            negative |= target[i] < 0;
        *msg = negative
                   ? xasprintf("Invalid broker id in replica list: %s", ids)
                   : xasprintf("Duplicate replica ids in partition "
                               "reassignment replica list: %s",
                               ids);
    } else {
        for (int32_t i = 0; i < n && *msg == NULL; i++) {
            if (ctl_ctrl_live(ctrl, target[i]))
                continue;
            err = KERR_INVALID_REPLICA_ASSIGNMENT;
            *msg = xasprintf("Replica assignment has brokers that are not "
                             "alive. Replica list: %s, live broker: %d is "
                             "not among them",
                             ids, (int)target[i]);
        }
    }
    free(ids);
    return err;
}

/* replaces an id array */
static void
ints_set(int32_t **v, int32_t *n, const int32_t *src, int32_t nsrc)
{
    free(*v);
    *v = ctl_ints_dup(src, nsrc);
    *n = nsrc;
}

static void
stray_add(cpart_t *cp, int32_t id)
{
    if (ctl_ints_has(cp->stray, cp->nstray, id))
        return;
    cp->stray = xrealloc(cp->stray, sizeof(int32_t) * (cp->nstray + 1));
    cp->stray[cp->nstray++] = id;
}

/* drops strays that are replicas again */
static void
stray_prune(cpart_t *cp)
{
    int32_t m = 0;

    for (int32_t i = 0; i < cp->nstray; i++)
        if (!ctl_ints_has(cp->replicas, cp->nreplicas, cp->stray[i]))
            cp->stray[m++] = cp->stray[i];
    cp->nstray = m;
}

/*
 * Kafka's updateCurrentReassignment: the assignment in memory moves
 * towards @target (NULL: cancel, back to the original replicas); a change
 * bumps the topic's assign_gen, so the topic znode gets written.
 */
static int16_t
reassign_apply(ctopic_t *t, int32_t p, const int32_t *target, int32_t ntarget)
{
    cpart_t *cp = &t->parts[p];
    int32_t cap = cp->nreplicas + (ntarget > 0 ? ntarget : 0) + 1;
    int32_t *orig = xmalloc(sizeof(int32_t) * cap);
    int32_t *full = xmalloc(sizeof(int32_t) * 2 * cap);
    int32_t *adding = xmalloc(sizeof(int32_t) * 2 * cap);
    int32_t *removing = xmalloc(sizeof(int32_t) * 2 * cap);
    int32_t norig, nfull, nadding, nremoving;
    char *text;

    ctl_reassign_original(cp->replicas, cp->nreplicas, cp->adding, cp->nadding,
                          orig, &norig);
    if (target == NULL) {
        if (!moving(cp)) {
            free(orig);
            free(full);
            free(adding);
            free(removing);
            return KERR_NO_REASSIGNMENT_IN_PROGRESS;
        }
        target = orig;
        ntarget = norig;
    }
    ctl_reassign_plan(orig, norig, target, ntarget, full, &nfull, adding,
                      &nadding, removing, &nremoving);
    if (nfull != cp->nreplicas ||
        memcmp(full, cp->replicas, sizeof(int32_t) * nfull) != 0 ||
        nadding != cp->nadding ||
        memcmp(adding, cp->adding, sizeof(int32_t) * nadding) != 0 ||
        nremoving != cp->nremoving ||
        memcmp(removing, cp->removing, sizeof(int32_t) * nremoving) != 0) {
        /* replicas a running reassignment added that this one does not
         * need are deleted once the new assignment is written */
        for (int32_t i = 0; i < cp->nreplicas; i++)
            if (!ctl_ints_has(full, nfull, cp->replicas[i]))
                stray_add(cp, cp->replicas[i]);
        ints_set(&cp->replicas, &cp->nreplicas, full, nfull);
        ints_set(&cp->adding, &cp->nadding, adding, nadding);
        ints_set(&cp->removing, &cp->nremoving, removing, nremoving);
        stray_prune(cp);
        cp->bump_after = true;
        cp->gen = ++t->assign_gen;
        text = ids_text(full, nfull);
        say_info("[ctl] %s-%d: reassignment: replicas %s (%d adding, %d "
                 "removing)",
                 t->name, (int)p, text, (int)nadding, (int)nremoving);
        free(text);
    }
    free(orig);
    free(full);
    free(adding);
    free(removing);
    return KERR_NONE;
}

/* one partition of a request or of the znode: KERR_NONE, or an error
 * with a message (may be NULL) in *@msg */
static int16_t
reassign_one(ctl_ctrl_t *ctrl, const char *topic, int32_t p,
             const int32_t *target, int32_t ntarget, ctopic_t **tout,
             char **msg)
{
    ctopic_t *t = ctl_ctrl_topic(ctrl, topic);
    int16_t err;

    *msg = NULL;
    *tout = t;
    if (t == NULL || !t->loaded || t->deleting || p < 0 ||
        p >= t->npartitions) {
        *msg = xstrdup("The partition does not exist.");
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (target != NULL) {
        err = reassign_validate(ctrl, target, ntarget, msg);
        if (err != KERR_NONE)
            return err;
    }
    err = reassign_apply(t, p, target, ntarget);
    if (err == KERR_NO_REASSIGNMENT_IN_PROGRESS)
        *msg = xstrdup("No reassignment is in progress for this partition.");
    return err;
}

/* answers the alter requests whose writes are done or timed out */
static void
reassign_answer(ctl_t *ctl)
{
    rstate_t *rs = rstate(ctl->ctrl);
    ctl_reassign_req_t **pp = &rs->waiting;
    int64_t now = clock_mono_ms();

    while (*pp != NULL) {
        ctl_reassign_req_t *req = *pp;
        bool pending = false;

        for (int i = 0; i < req->n; i++) {
            ritem_t *it = &req->items[i];
            ctopic_t *t;

            if (it->done)
                continue;
            t = ctl_ctrl_topic(ctl->ctrl, it->topic);
            if (t == NULL || t->deleting)
                ritem_finish(it, KERR_UNKNOWN_TOPIC_OR_PARTITION,
                             xstrdup("The topic is being deleted."));
            else if (t->assign_written >= it->gen)
                ritem_finish(it, KERR_NONE, NULL);
            else
                pending = true;
        }
        if (pending && now < req->deadline) {
            pp = &req->next;
            continue;
        }
        *pp = req->next;
        rreq_answer(req, KERR_NONE);
    }
}

static void
reassign_list(ctl_t *ctl, ctl_reassign_req_t *req)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    ctl_reassignment_t *out = NULL;
    int n = 0, cap = 0;

    for (int k = 0; k < ctrl->ntopics; k++) {
        const ctopic_t *t = ctrl->topics[k];

        for (int32_t p = 0; t->loaded && !t->deleting && p < t->npartitions;
             p++) {
            const cpart_t *cp = &t->parts[p];
            bool wanted = req->n < 0;

            for (int i = 0; i < req->n && !wanted; i++)
                wanted = req->items[i].partition == p &&
                         strcmp(req->items[i].topic, t->name) == 0;
            if (!wanted || !moving(cp))
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                out = xrealloc(out, sizeof(*out) * cap);
            }
            out[n].topic = t->name;
            out[n].partition = p;
            out[n].nreplicas = cp->nreplicas;
            out[n].replicas = cp->replicas;
            out[n].nadding = cp->nadding;
            out[n].adding = cp->adding;
            out[n].nremoving = cp->nremoving;
            out[n].removing = cp->removing;
            n++;
        }
    }
    if (req->list_done != NULL)
        req->list_done(KERR_NONE, out, n, req->ud);
    free(out);
    rreq_free(req);
}

void
ctl_reassign_start(ctl_t *ctl, ctl_reassign_req_t *req)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    rstate_t *rs;

    if (!ctl_ctrl_loaded(ctrl)) {
        ctl_reassign_req_fail(req, KERR_NOT_CONTROLLER);
        return;
    }
    if (req->list) {
        reassign_list(ctl, req);
        return;
    }
    rs = rstate(ctrl);
    for (int i = 0; i < req->n; i++) {
        ritem_t *it = &req->items[i];
        ctopic_t *t;
        char *msg;
        int16_t err;

        for (int k = 0; k < i; k++)
            if (req->items[k].partition == it->partition &&
                strcmp(req->items[k].topic, it->topic) == 0)
                ritem_finish(it, KERR_INVALID_REQUEST,
                             xstrdup("Duplicate partition in request."));
        if (it->done)
            continue;
        err = reassign_one(ctrl, it->topic, it->partition,
                           it->nreplicas >= 0 ? it->replicas : NULL,
                           it->nreplicas, &t, &msg);
        if (err != KERR_NONE) {
            say_info("[ctl] reassignment of %s-%d: %s%s%s", it->topic,
                     (int)it->partition, kerr_name(err), msg ? ": " : "",
                     msg ? msg : "");
            ritem_finish(it, err, msg);
            continue;
        }
        it->gen = t->assign_gen;
    }
    req->next = rs->waiting;
    rs->waiting = req;
    ctl_ctrl_kick(ctl);
    reassign_answer(ctl);
}

/* ---- completion -------------------------------------------------------- */

void
ctl_reassign_complete(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;

    for (int k = 0; k < ctrl->ntopics; k++) {
        ctopic_t *t = ctrl->topics[k];

        if (!t->loaded || t->deleting || t->assign_writing)
            continue;
        for (int32_t p = 0; p < t->npartitions; p++) {
            cpart_t *cp = &t->parts[p];
            int32_t *target, ntarget, *isr, nisr, leader;
            bool *eligible;
            int16_t err;

            if (!moving(cp) || cp->busy || !cp->has_state || cp->bump ||
                cp->bump_after)
                continue;
            target = xmalloc(sizeof(int32_t) * (cp->nreplicas + 1));
            isr = xmalloc(sizeof(int32_t) * (cp->nisr + 1));
            eligible = xcalloc(cp->nreplicas + 1, sizeof(bool));
            ctl_reassign_target(cp->replicas, cp->nreplicas, cp->removing,
                                cp->nremoving, target, &ntarget);
            for (int32_t i = 0; i < ntarget; i++)
                eligible[i] = ctl_ctrl_eligible(ctrl, target[i]);
            err = KERR_NONE;
            if (!ctl_reassign_caught_up(target, ntarget, cp->isr, cp->nisr))
                err = KERR_REASSIGNMENT_IN_PROGRESS;
            else
                err = ctl_reassign_finish(target, ntarget, eligible, cp->isr,
                                          cp->nisr, cp->leader, &leader, isr,
                                          &nisr);
            if (err == KERR_NONE) {
                char *text = ids_text(target, ntarget);

                /* B2: the replicas become the target; ctrl_desired keeps
                 * the leader and the ISR inside it, the bump writes the
                 * state before the topic znode (B3 before B6) */
                for (int32_t i = 0; i < cp->nremoving; i++)
                    stray_add(cp, cp->removing[i]);
                ints_set(&cp->replicas, &cp->nreplicas, target, ntarget);
                ints_set(&cp->adding, &cp->nadding, NULL, 0);
                ints_set(&cp->removing, &cp->nremoving, NULL, 0);
                cp->bump = true;
                cp->gen = ++t->assign_gen;
                say_info("[ctl] %s-%d: reassignment caught up: replicas %s",
                         t->name, (int)p, text);
                free(text);
            }
            free(target);
            free(isr);
            free(eligible);
        }
    }
}

/* ---- writing the topic znode ------------------------------------------- */

typedef struct wop {
    ctl_t *ctl;
    uint64_t term;
    char *topic;
    uint64_t gen;
} wop_t;

static ctl_ctrl_t *
wop_ctrl(const wop_t *op)
{
    ctl_ctrl_t *ctrl = op->ctl->ctrl;

    return ctrl != NULL && ctrl->term == op->term ? ctrl : NULL;
}

static void reassign_zk_sync(ctl_t *ctl);

static void
reassign_written(zk_t *zk, const zk_result_t *res, void *ud)
{
    wop_t *op = ud;
    ctl_t *ctl = op->ctl;
    ctl_ctrl_t *ctrl = wop_ctrl(op);
    ctopic_t *t;

    (void)zk;
    if (ctrl == NULL)
        goto out;
    t = ctl_ctrl_topic(ctrl, op->topic);
    if (t != NULL)
        t->assign_writing = false;
    if (res->nops > 0 && res->ops[0].rc != ZOK &&
        res->ops[0].rc != ZRUNTIMEINCONSISTENCY && !ctl_zk_transient(res->rc)) {
        ctrl->writes--;
        ctl_ctrl_fenced(ctl);
        goto out;
    }
    if (t != NULL && res->rc == ZOK) {
        t->zkversion = res->ops[1].stat.version;
        t->assign_written = op->gen;
        for (int32_t p = 0; p < t->npartitions; p++) {
            cpart_t *cp = &t->parts[p];

            if (cp->gen > op->gen)
                continue; /* changed while this write was in flight */
            /* A1: the replicas learn the new set (leader epoch + 1) */
            if (cp->bump_after) {
                cp->bump_after = false;
                cp->bump = true;
            }
            /* B5: replicas no longer assigned are deleted; a down
             * broker's when it is back (ctl_reassign_strays) */
            ctl_reassign_strays(ctrl, t, p, -1);
        }
        ctrl->md_dirty = true;
        rstate(ctrl)->zk_dirty = true;
    } else if (t != NULL) {
        say_warn("[ctl] writing the assignment of %s: %s; reading it again",
                 t->name, zk_strerror(res->rc));
        ctl_ctrl_read_topic(ctl, t->name, false);
    }
    ctl_ctrl_write_done(ctl, ctrl);
out:
    free(op->topic);
    free(op);
}

/* U1 / B6: /brokers/topics/<t> from memory, fenced and versioned */
static void
reassign_write(ctl_t *ctl, ctopic_t *t)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    zknode_topic_t zt;
    wop_t *op = xcalloc(1, sizeof(*op));
    char *json, *path = xasprintf("%s/%s", ZKNODE_TOPICS, t->name);

    memset(&zt, 0, sizeof(zt));
    zt.version = t->has_id ? 3 : 2;
    zt.has_id = t->has_id;
    memcpy(zt.id, t->id, 16);
    zt.npartitions = t->npartitions;
    zt.replicas = xcalloc(t->npartitions + 1, sizeof(*zt.replicas));
    zt.adding = xcalloc(t->npartitions + 1, sizeof(*zt.adding));
    zt.removing = xcalloc(t->npartitions + 1, sizeof(*zt.removing));
    for (int32_t p = 0; p < t->npartitions; p++) {
        const cpart_t *cp = &t->parts[p];

        zt.replicas[p] = (zknode_replicas_t){cp->nreplicas, cp->replicas};
        zt.adding[p] = (zknode_replicas_t){cp->nadding, cp->adding};
        zt.removing[p] = (zknode_replicas_t){cp->nremoving, cp->removing};
    }
    json = zknode_topic_encode(&zt);
    {
        zk_op_t ops[2] = {
            {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
             ctrl->epoch_zkversion},
            {ZK_OP_SET, path, json, (int)strlen(json), 0, t->zkversion},
        };

        op->ctl = ctl;
        op->term = ctrl->term;
        op->topic = xstrdup(t->name);
        op->gen = t->assign_gen;
        t->assign_writing = true;
        ctrl->writes++;
        zk_multi(ctl->zk, ops, 2, reassign_written, op);
    }
    free(zt.replicas);
    free(zt.adding);
    free(zt.removing);
    free(json);
    free(path);
}

void
ctl_reassign_strays(ctl_ctrl_t *ctrl, ctopic_t *t, int32_t p, int32_t broker)
{
    cpart_t *cp = &t->parts[p];

    if (cp->gen > t->assign_written)
        return; /* not written yet */
    for (int32_t i = 0; i < cp->nstray; i++) {
        int32_t id = cp->stray[i];

        if ((broker >= 0 && id != broker) || !ctl_ctrl_live(ctrl, id))
            continue;
        say_info("[ctl] %s-%d: deleting the replica on broker %d", t->name,
                 (int)p, (int)id);
        ctl_ctrl_queue_stop(ctrl, id, t->name, p, true);
    }
}

void
ctl_reassign_stray_gone(ctopic_t *t, int32_t p, int32_t broker)
{
    cpart_t *cp = &t->parts[p];
    int32_t m = 0;

    for (int32_t i = 0; i < cp->nstray; i++)
        if (cp->stray[i] != broker)
            cp->stray[m++] = cp->stray[i];
    cp->nstray = m;
}

void
ctl_reassign_flush(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;

    for (int k = 0; k < ctrl->ntopics; k++) {
        ctopic_t *t = ctrl->topics[k];
        bool ready = true;

        if (!t->loaded || t->deleting || t->assign_writing ||
            t->assign_gen == t->assign_written)
            continue;
        /* a completion's state write goes first */
        for (int32_t p = 0; p < t->npartitions && ready; p++)
            ready = !t->parts[p].busy && !t->parts[p].bump;
        if (ready)
            reassign_write(ctl, t);
    }
    reassign_zk_sync(ctl);
    reassign_answer(ctl);
}

/* ---- /admin/reassign_partitions ---------------------------------------- */

static bool zentry_running(ctl_ctrl_t *ctrl, const zentry_t *e);

static void
zk_node_written(zk_t *zk, const zk_result_t *res, void *ud)
{
    wop_t *op = ud;
    ctl_ctrl_t *ctrl = wop_ctrl(op);

    (void)zk;
    if (ctrl != NULL) {
        rstate(ctrl)->zk_writing = false;
        if (res->rc != ZOK && !(res->nops > 1 && res->ops[1].rc == ZNONODE))
            say_warn("[ctl] updating %s: %s", ZKNODE_REASSIGN_PARTITIONS,
                     zk_strerror(res->rc));
    }
    free(op);
}

/* Kafka's maybeRemoveFromZkReassignment: finished partitions leave the
 * znode; the znode goes when none is left */
static void
reassign_zk_sync(ctl_t *ctl)
{
    ctl_ctrl_t *ctrl = ctl->ctrl;
    rstate_t *rs = rstate(ctrl);
    zknode_isr_change_t left;
    wop_t *op;
    char *json = NULL;
    int m = 0;

    if (!rs->zk_dirty || rs->zk_writing || rs->nzk == 0)
        return;
    rs->zk_dirty = false;
    for (int i = 0; i < rs->nzk; i++) {
        if (zentry_running(ctrl, &rs->zk[i])) {
            rs->zk[m++] = rs->zk[i];
        } else {
            say_info("[ctl] reassignment of %s-%d from %s is done",
                     rs->zk[i].topic, (int)rs->zk[i].partition,
                     ZKNODE_REASSIGN_PARTITIONS);
            zentry_fini(&rs->zk[i]);
        }
    }
    if (m == rs->nzk)
        return;
    rs->nzk = m;
    if (m > 0) {
        left.n = m;
        left.tps = xcalloc(m, sizeof(*left.tps));
        for (int i = 0; i < m; i++) {
            left.tps[i].topic = rs->zk[i].topic;
            left.tps[i].partition = rs->zk[i].partition;
            left.tps[i].replicas.n = rs->zk[i].nreplicas;
            left.tps[i].replicas.ids = rs->zk[i].replicas;
        }
        json = zknode_reassign_encode(&left);
        free(left.tps);
    }
    {
        zk_op_t ops[2] = {
            {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
             ctrl->epoch_zkversion},
            {m > 0 ? ZK_OP_SET : ZK_OP_DELETE, ZKNODE_REASSIGN_PARTITIONS, json,
             json != NULL ? (int)strlen(json) : 0, 0, -1},
        };

        op = xcalloc(1, sizeof(*op));
        op->ctl = ctl;
        op->term = ctrl->term;
        rs->zk_writing = true;
        zk_multi(ctl->zk, ops, 2, zk_node_written, op);
    }
    free(json);
}

/* still running: known, moving or not yet written */
static bool
zentry_running(ctl_ctrl_t *ctrl, const zentry_t *e)
{
    ctopic_t *t = ctl_ctrl_topic(ctrl, e->topic);

    if (t == NULL || t->deleting || e->partition >= t->npartitions)
        return false;
    return moving(&t->parts[e->partition]) ||
           t->assign_gen != t->assign_written;
}

static void
zk_node_read(zk_t *zk, const zk_result_t *res, void *ud)
{
    wop_t *op = ud;
    ctl_t *ctl = op->ctl;
    ctl_ctrl_t *ctrl = wop_ctrl(op);
    zknode_isr_change_t moves;
    rstate_t *rs;
    char err[256];

    (void)zk;
    free(op);
    if (ctrl == NULL || res->rc != ZOK) {
        if (ctrl != NULL && res->rc != ZNONODE)
            say_warn("[ctl] reading %s: %s", ZKNODE_REASSIGN_PARTITIONS,
                     zk_strerror(res->rc));
        return;
    }
    rs = rstate(ctrl);
    if (zknode_reassign_decode(res->data, res->datalen, &moves, err,
                               sizeof(err)) != 0) {
        say_error("[ctl] %s: %s; deleting it", ZKNODE_REASSIGN_PARTITIONS, err);
        moves.n = 0;
        moves.tps = NULL;
    }
    for (int32_t i = 0; i < moves.n; i++) {
        const zknode_tp_t *tp = &moves.tps[i];
        ctopic_t *t;
        char *msg;
        int16_t ec;
        bool known = false;

        ec = reassign_one(ctrl, tp->topic, tp->partition, tp->replicas.ids,
                          tp->replicas.n, &t, &msg);
        if (ec != KERR_NONE) {
            say_error("[ctl] %s: %s-%d: %s%s%s; dropping it",
                      ZKNODE_REASSIGN_PARTITIONS, tp->topic, (int)tp->partition,
                      kerr_name(ec), msg ? ": " : "", msg ? msg : "");
            free(msg);
            continue;
        }
        for (int k = 0; k < rs->nzk && !known; k++)
            known = rs->zk[k].partition == tp->partition &&
                    strcmp(rs->zk[k].topic, tp->topic) == 0;
        if (known)
            continue;
        rs->zk = xrealloc(rs->zk, sizeof(*rs->zk) * (rs->nzk + 1));
        rs->zk[rs->nzk].topic = xstrdup(tp->topic);
        rs->zk[rs->nzk].partition = tp->partition;
        rs->zk[rs->nzk].nreplicas = tp->replicas.n;
        rs->zk[rs->nzk].replicas =
            ctl_ints_dup(tp->replicas.ids, tp->replicas.n);
        rs->nzk++;
    }
    zknode_isr_change_fini(&moves);
    /* entries that were dropped or are already done leave the znode;
     * with none left it goes */
    rs->zk_dirty = true;
    if (rs->nzk == 0) {
        zk_op_t ops[2] = {
            {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
             ctrl->epoch_zkversion},
            {ZK_OP_DELETE, ZKNODE_REASSIGN_PARTITIONS, NULL, 0, 0, -1},
        };

        op = xcalloc(1, sizeof(*op));
        op->ctl = ctl;
        op->term = ctrl->term;
        rs->zk_writing = true;
        zk_multi(ctl->zk, ops, 2, zk_node_written, op);
    }
    ctl_ctrl_kick(ctl);
}

static void
zk_node_exists(zk_t *zk, const zk_result_t *res, void *ud)
{
    wop_t *op = ud;

    if (wop_ctrl(op) != NULL && res->rc == ZOK) {
        zk_get(zk, ZKNODE_REASSIGN_PARTITIONS, false, zk_node_read, op);
        return;
    }
    if (wop_ctrl(op) != NULL && res->rc != ZNONODE)
        say_warn("[ctl] watching %s: %s", ZKNODE_REASSIGN_PARTITIONS,
                 zk_strerror(res->rc));
    free(op);
}

static void
reassign_zk_watch(ctl_t *ctl)
{
    wop_t *op = xcalloc(1, sizeof(*op));

    op->ctl = ctl;
    op->term = ctl->ctrl->term;
    zk_exists(ctl->zk, ZKNODE_REASSIGN_PARTITIONS, true, zk_node_exists, op);
}

bool
ctl_reassign_watch(ctl_t *ctl, const char *path)
{
    if (strcmp(path, ZKNODE_REASSIGN_PARTITIONS) != 0)
        return false;
    if (ctl_ctrl_loaded(ctl->ctrl))
        reassign_zk_watch(ctl);
    return true;
}

/* ---- ticks ------------------------------------------------------------- */

void
ctl_reassign_tick(ctl_t *ctl)
{
    rstate_t *rs;

    if (!ctl_ctrl_loaded(ctl->ctrl))
        return;
    rs = rstate(ctl->ctrl);
    if (!rs->watching) {
        rs->watching = true;
        reassign_zk_watch(ctl);
    }
    if (rs->waiting != NULL)
        reassign_answer(ctl);
}

int64_t
ctl_reassign_next_deadline(ctl_t *ctl)
{
    int64_t next = INT64_MAX;

    if (ctl->ctrl == NULL || ctl->ctrl->reassign == NULL)
        return next;
    for (const ctl_reassign_req_t *req = ctl->ctrl->reassign->waiting;
         req != NULL; req = req->next)
        if (req->deadline < next)
            next = req->deadline;
    return next;
}
