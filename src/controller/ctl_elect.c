/*
 * ctl_elect.c: leader elections the controller runs on request or by
 * itself: ElectLeaders (key 43; preferred or unclean), the
 * /admin/preferred_replica_election znode, and the automatic preferred
 * leader rebalance.
 *
 * Owns: the election requests in progress and the per-controller-term
 * state (the znode watch, the rebalance timer). Does not own the partition
 * states: it reads them through ctl_ctrl_part()/ctl_ctrl_each_part() and
 * writes through ctl_ctrl_set_leader() (fenced, conditional on the state
 * version, leader epoch + 1, LeaderAndIsr and UpdateMetadata follow).
 * Runs on the ctl thread only.
 *
 * Spec: Kafka 2.8 KafkaController.onReplicaElection /
 * processReplicaLeaderElection / checkAndTriggerAutoLeaderRebalance,
 * PartitionLeaderElectionAlgorithms; KIP-183 (ElectLeaders), KIP-460
 * (election types). The znode is Kafka's
 * {"version":1,"partitions":[{"topic":"t","partition":0},...]}: the
 * controller elects the preferred leaders it names, then deletes it
 * (fenced by the controller epoch), also when it finds the node on
 * failover.
 *
 * A request's partitions (items):
 *
 *     TODO --partition busy--> TODO (retried after the next event, until
 *       |                           the deadline: REQUEST_TIMED_OUT)
 *       |--no election / error--> DONE (ELECTION_NOT_NEEDED & co)
 *       v
 *     WRITING --written--> DONE (NONE)
 *             --write failed, same controller--> TODO
 *             --controller resigned--> DONE (NOT_CONTROLLER)
 *
 * The request is answered once every item is DONE.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "samsa/clock.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define ELECT_AUTO_FIRST_MS 5000 /* Kafka: first check 5 s after start */

enum { ITEM_TODO, ITEM_WRITING, ITEM_DONE };

typedef struct eitem {
    char *topic;
    int32_t partition;
    int state;
    int16_t error_code;
} eitem_t;

struct ctl_elect_req {
    ctl_elect_req_t *next;
    int8_t type;
    bool all;        /* null partitions: every partition */
    const char *why; /* "ElectLeaders", "znode", "auto" */
    int n, cap;
    eitem_t *items;
    int64_t deadline; /* mono ms */
    uint64_t term;    /* the controller term it runs in */
    int pending;      /* writes in flight */
    ctl_elect_fn done;
    void *ud;
    bool delete_znode; /* from /admin/preferred_replica_election */
};

typedef struct ctl_elect_state {
    ctl_elect_req_t *reqs;
    uint64_t term;     /* controller term the watch belongs to */
    int64_t next_auto; /* mono ms, 0 = off */
    bool running;      /* inside elect_process */
} elect_state_t;

typedef struct ewrite {
    ctl_elect_req_t *req;
    int idx;
} ewrite_t;

static void elect_process(ctl_t *ctl);

/* ---- the pure parts ---------------------------------------------------- */

int16_t
ctl_elect_choose(int8_t type, const int32_t *replicas, int32_t nreplicas,
                 const bool *eligible, const int32_t *isr, int32_t nisr,
                 int32_t leader, int32_t *new_leader, int32_t *new_isr,
                 int32_t *new_nisr)
{
    *new_leader = -1;
    *new_nisr = 0;
    if (nreplicas <= 0)
        return type == 0 ? KERR_PREFERRED_LEADER_NOT_AVAILABLE
                         : KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
    if (type == 0) {
        if (leader == replicas[0])
            return KERR_ELECTION_NOT_NEEDED;
        if (!eligible[0] || !ctl_ints_has(isr, nisr, replicas[0]))
            return KERR_PREFERRED_LEADER_NOT_AVAILABLE;
        *new_leader = replicas[0];
        memcpy(new_isr, isr, sizeof(int32_t) * nisr);
        *new_nisr = nisr;
        return KERR_NONE;
    }
    for (int32_t i = 0; i < nreplicas; i++)
        if (replicas[i] == leader && eligible[i] &&
            ctl_ints_has(isr, nisr, leader))
            return KERR_ELECTION_NOT_NEEDED;
    for (int32_t i = 0; i < nreplicas; i++) {
        if (eligible[i] && ctl_ints_has(isr, nisr, replicas[i])) {
            *new_leader = replicas[i];
            memcpy(new_isr, isr, sizeof(int32_t) * nisr);
            *new_nisr = nisr;
            return KERR_NONE;
        }
    }
    for (int32_t i = 0; i < nreplicas; i++) {
        if (eligible[i]) {
            *new_leader = replicas[i];
            new_isr[0] = replicas[i];
            *new_nisr = 1;
            return KERR_NONE;
        }
    }
    return KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
}

bool
ctl_elect_imbalanced(int32_t not_led, int32_t preferred, int32_t percentage)
{
    if (preferred <= 0)
        return false;
    /* Kafka: imbalanceRatio = notLed / preferred > percentage / 100.0 */
    return (int64_t)not_led * 100 > (int64_t)percentage * preferred;
}

/* ---- requests ---------------------------------------------------------- */

static elect_state_t *
elect_state(ctl_t *ctl)
{
    if (ctl->elect == NULL)
        ctl->elect = xcalloc(1, sizeof(*ctl->elect));
    return ctl->elect;
}

static ctl_elect_req_t *
ereq_new(int8_t type, const char *why, int32_t timeout_ms)
{
    ctl_elect_req_t *req = xcalloc(1, sizeof(*req));

    req->type = type;
    req->why = why;
    req->deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 60000);
    return req;
}

static void
ereq_add(ctl_elect_req_t *req, const char *topic, int32_t partition)
{
    for (int i = 0; i < req->n; i++)
        if (req->items[i].partition == partition &&
            strcmp(req->items[i].topic, topic) == 0)
            return; /* named twice: one election */
    if (req->n == req->cap) {
        req->cap = req->cap ? 2 * req->cap : 8;
        req->items = xrealloc(req->items, sizeof(*req->items) * req->cap);
    }
    memset(&req->items[req->n], 0, sizeof(*req->items));
    req->items[req->n].topic = xstrdup(topic);
    req->items[req->n].partition = partition;
    req->n++;
}

static void
ereq_free(ctl_elect_req_t *req)
{
    for (int i = 0; i < req->n; i++)
        free(req->items[i].topic);
    free(req->items);
    free(req);
}

/* calls done (with @err, or the items' results) */
static void
ereq_answer(ctl_elect_req_t *req, int16_t err)
{
    ctl_elect_result_t *res;
    int m = 0;

    if (req->done == NULL)
        return;
    res = xcalloc(req->n + 1, sizeof(*res));
    for (int i = 0; i < req->n && err == KERR_NONE; i++) {
        const eitem_t *it = &req->items[i];

        /* "every partition": only those that needed an election */
        if (req->all &&
            (it->error_code == KERR_ELECTION_NOT_NEEDED ||
             (req->type != 0 &&
              it->error_code == KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE)))
            continue;
        res[m].topic = it->topic;
        res[m].partition = it->partition;
        res[m].error_code = it->error_code;
        m++;
    }
    req->done(err, res, m, req->ud);
    req->done = NULL;
    free(res);
}

void
ctl_elect_req_fail(ctl_elect_req_t *req, int16_t err)
{
    ereq_answer(req, err);
    ereq_free(req);
}

void
ctl_elect_leaders(ctl_t *ctl, int8_t type, const ctl_tp_t *tps, int n,
                  int32_t timeout_ms, ctl_elect_fn done, void *ud)
{
    ctl_elect_req_t *req = ereq_new(type, "ElectLeaders", timeout_ms);

    req->done = done;
    req->ud = ud;
    req->all = n < 0 || tps == NULL;
    for (int i = 0; !req->all && i < n; i++)
        ereq_add(req, tps[i].topic != NULL ? tps[i].topic : "",
                 tps[i].partition);
    ctl_post(ctl, CTL_EV_ELECT, req);
}

static void
elect_add_all(const ctl_part_view_t *v, void *ud)
{
    ereq_add(ud, v->topic, v->partition);
}

void
ctl_elect_start(ctl_t *ctl, ctl_elect_req_t *req)
{
    elect_state_t *es = elect_state(ctl);

    if (req->type != 0 && req->type != 1) {
        /* Kafka: InvalidRequestException for an unknown election type */
        ctl_elect_req_fail(req, KERR_INVALID_REQUEST);
        return;
    }
    if (!ctl_ctrl_loaded(ctl->ctrl)) {
        ctl_elect_req_fail(req, KERR_NOT_CONTROLLER);
        return;
    }
    if (req->all)
        ctl_ctrl_each_part(ctl->ctrl, elect_add_all, req);
    req->term = ctl->term;
    req->next = es->reqs;
    es->reqs = req;
    if (req->n > 0)
        say_info("[ctl] %s election of %d partition(s) (%s)",
                 req->type == 0 ? "preferred" : "unclean", req->n, req->why);
    elect_process(ctl);
}

static void
elect_written(ctl_t *ctl, bool ok, void *ud)
{
    ewrite_t *w = ud;
    ctl_elect_req_t *req = w->req;
    eitem_t *it = &req->items[w->idx];

    req->pending--;
    if (ok) {
        it->state = ITEM_DONE;
        it->error_code = KERR_NONE;
    } else if (ctl->ctrl != NULL && ctl->term == req->term) {
        it->state = ITEM_TODO; /* the state changed under us: again */
    } else {
        it->state = ITEM_DONE;
        it->error_code = KERR_NOT_CONTROLLER;
    }
    free(w);
    elect_process(ctl);
}

/* one TODO item: done, still TODO (busy) or WRITING */
static void
elect_item(ctl_t *ctl, ctl_elect_req_t *req, int idx)
{
    eitem_t *it = &req->items[idx];
    ctl_part_view_t v;
    int16_t err = ctl_ctrl_part(ctl->ctrl, it->topic, it->partition, &v);
    int32_t leader, nisr, *isr;
    bool *eligible;
    ewrite_t *w;

    if (err != KERR_NONE) {
        it->state = ITEM_DONE;
        it->error_code = err;
        return;
    }
    if (v.busy)
        return;
    eligible = xcalloc(v.nreplicas + 1, sizeof(bool));
    isr = xmalloc(sizeof(int32_t) * (v.nisr + 1));
    for (int32_t i = 0; i < v.nreplicas; i++)
        eligible[i] = ctl_ctrl_eligible(ctl->ctrl, v.replicas[i]);
    err = ctl_elect_choose(req->type, v.replicas, v.nreplicas, eligible, v.isr,
                           v.nisr, v.leader, &leader, isr, &nisr);
    if (err != KERR_NONE) {
        it->state = ITEM_DONE;
        it->error_code = err;
    } else {
        say_info("[ctl] %s-%d: %s election: leader %d -> %d", it->topic,
                 (int)it->partition, req->type == 0 ? "preferred" : "unclean",
                 (int)v.leader, (int)leader);
        it->state = ITEM_WRITING;
        req->pending++;
        w = xmalloc(sizeof(*w));
        w->req = req;
        w->idx = idx;
        ctl_ctrl_set_leader(ctl, it->topic, it->partition, leader, isr, nisr,
                            elect_written, w);
    }
    free(isr);
    free(eligible);
}

static void elect_znode_delete(ctl_t *ctl);

/* advances every request; answers and frees those that are done */
static void
elect_process(ctl_t *ctl)
{
    elect_state_t *es = ctl->elect;
    ctl_elect_req_t **pp;
    int64_t now = clock_mono_ms();

    /* a write's completion inside a pass would re-enter: that pass
     * already looks at everything */
    if (es == NULL || es->running)
        return;
    es->running = true;
    pp = &es->reqs;
    while (*pp != NULL) {
        ctl_elect_req_t *req = *pp;
        bool live = ctl->ctrl != NULL && ctl->term == req->term;
        bool finished = true;

        for (int i = 0; i < req->n; i++) {
            eitem_t *it = &req->items[i];

            if (it->state == ITEM_TODO) {
                if (!live) {
                    it->state = ITEM_DONE;
                    it->error_code = KERR_NOT_CONTROLLER;
                } else if (now >= req->deadline) {
                    it->state = ITEM_DONE;
                    it->error_code = KERR_REQUEST_TIMED_OUT;
                } else {
                    elect_item(ctl, req, i);
                }
            }
            if (it->state != ITEM_DONE)
                finished = false;
        }
        if (!finished || req->pending > 0) {
            pp = &req->next;
            continue;
        }
        *pp = req->next;
        if (req->delete_znode && live)
            elect_znode_delete(ctl);
        ereq_answer(req, KERR_NONE);
        ereq_free(req);
    }
    es->running = false;
}

/* ---- /admin/preferred_replica_election -------------------------------- */

typedef struct zop {
    ctl_t *ctl;
    uint64_t term;
} zop_t;

static zop_t *
zop_new(ctl_t *ctl)
{
    zop_t *op = xmalloc(sizeof(*op));

    op->ctl = ctl;
    op->term = ctl->term;
    return op;
}

static bool
zop_live(const zop_t *op)
{
    return op->ctl->ctrl != NULL && op->ctl->term == op->term;
}

static void
elect_znode_deleted(zk_t *zk, const zk_result_t *res, void *ud)
{
    zop_t *op = ud;

    (void)zk;
    if (res->rc != ZOK && !(res->nops > 1 && res->ops[1].rc == ZNONODE))
        say_warn("[ctl] deleting %s: %s", ZKNODE_PREFERRED_ELECTION,
                 zk_strerror(res->rc));
    free(op);
}

/* Kafka deletes the node once the election is done, fenced by the epoch */
static void
elect_znode_delete(ctl_t *ctl)
{
    zk_op_t ops[2] = {
        {ZK_OP_CHECK, ZKNODE_CONTROLLER_EPOCH, NULL, 0, 0,
         ctl_ctrl_epoch_zkversion(ctl->ctrl)},
        {ZK_OP_DELETE, ZKNODE_PREFERRED_ELECTION, NULL, 0, 0, -1},
    };

    zk_multi(ctl->zk, ops, 2, elect_znode_deleted, zop_new(ctl));
}

static void
elect_znode_get_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    zop_t *op = ud;
    ctl_t *ctl = op->ctl;
    zknode_isr_change_t chg;
    ctl_elect_req_t *req;
    char err[256];

    (void)zk;
    if (!zop_live(op) || res->rc != ZOK) {
        if (zop_live(op) && res->rc != ZNONODE)
            say_warn("[ctl] reading %s: %s", ZKNODE_PREFERRED_ELECTION,
                     zk_strerror(res->rc));
        free(op);
        return;
    }
    free(op);
    /* the same shape as an ISR change notification */
    if (zknode_isr_change_decode(res->data, res->datalen, &chg, err,
                                 sizeof(err)) != 0) {
        say_error("[ctl] %s: %s; deleting it", ZKNODE_PREFERRED_ELECTION, err);
        elect_znode_delete(ctl);
        return;
    }
    req = ereq_new(0, "znode", 60000);
    req->delete_znode = true;
    for (int32_t i = 0; i < chg.n; i++)
        ereq_add(req, chg.tps[i].topic, chg.tps[i].partition);
    zknode_isr_change_fini(&chg);
    ctl_elect_start(ctl, req);
}

static void
elect_znode_exists_done(zk_t *zk, const zk_result_t *res, void *ud)
{
    zop_t *op = ud;

    if (zop_live(op) && res->rc == ZOK) {
        zk_get(zk, ZKNODE_PREFERRED_ELECTION, false, elect_znode_get_done, op);
        return;
    }
    if (zop_live(op) && res->rc != ZNONODE)
        say_warn("[ctl] watching %s: %s", ZKNODE_PREFERRED_ELECTION,
                 zk_strerror(res->rc));
    free(op);
}

static void
elect_znode_watch(ctl_t *ctl)
{
    zk_exists(ctl->zk, ZKNODE_PREFERRED_ELECTION, true, elect_znode_exists_done,
              zop_new(ctl));
}

bool
ctl_elect_watch(ctl_t *ctl, const char *path)
{
    if (strcmp(path, ZKNODE_PREFERRED_ELECTION) != 0)
        return false;
    if (ctl_ctrl_loaded(ctl->ctrl))
        elect_znode_watch(ctl);
    return true;
}

/* ---- automatic rebalance ----------------------------------------------- */

typedef struct imb {
    int n;
    int32_t *ids;
    int32_t *preferred; /* partitions whose first replica is the id */
    int32_t *not_led;   /* ... that it does not lead */
    ctl_ctrl_t *ctrl;
    ctl_elect_req_t *req;   /* second pass: what to elect */
    const bool *imbalanced; /* second pass */
} imb_t;

static int
imb_slot(imb_t *m, int32_t id)
{
    for (int i = 0; i < m->n; i++)
        if (m->ids[i] == id)
            return i;
    m->ids = xrealloc(m->ids, sizeof(int32_t) * (m->n + 1));
    m->preferred = xrealloc(m->preferred, sizeof(int32_t) * (m->n + 1));
    m->not_led = xrealloc(m->not_led, sizeof(int32_t) * (m->n + 1));
    m->ids[m->n] = id;
    m->preferred[m->n] = 0;
    m->not_led[m->n] = 0;
    return m->n++;
}

static void
imb_count(const ctl_part_view_t *v, void *ud)
{
    imb_t *m = ud;
    int i;

    if (v->nreplicas == 0)
        return;
    i = imb_slot(m, v->replicas[0]);
    m->preferred[i]++;
    if (v->leader != v->replicas[0])
        m->not_led[i]++;
}

static void
imb_pick(const ctl_part_view_t *v, void *ud)
{
    imb_t *m = ud;
    int32_t pref;

    if (v->nreplicas == 0 || v->leader == v->replicas[0] || v->busy)
        return;
    pref = v->replicas[0];
    /* Kafka: only where the preferred replica is live and in the ISR */
    if (!m->imbalanced[imb_slot(m, pref)] ||
        !ctl_ctrl_eligible(m->ctrl, pref) ||
        !ctl_ints_has(v->isr, v->nisr, pref))
        return;
    ereq_add(m->req, v->topic, v->partition);
}

static void
elect_auto(ctl_t *ctl)
{
    imb_t m;
    bool *imbalanced, any = false;
    int32_t pct = ctl->cfg.leader_imbalance_per_broker_percentage;

    memset(&m, 0, sizeof(m));
    m.ctrl = ctl->ctrl;
    ctl_ctrl_each_part(ctl->ctrl, imb_count, &m);
    imbalanced = xcalloc(m.n + 1, sizeof(bool));
    for (int i = 0; i < m.n; i++) {
        imbalanced[i] = ctl_elect_imbalanced(m.not_led[i], m.preferred[i], pct);
        if (imbalanced[i]) {
            say_info("[ctl] broker %d leads %d of the %d partition(s) it "
                     "prefers: rebalancing",
                     (int)m.ids[i], (int)(m.preferred[i] - m.not_led[i]),
                     (int)m.preferred[i]);
            any = true;
        }
    }
    if (any) {
        m.req = ereq_new(0, "auto", 60000);
        m.imbalanced = imbalanced;
        ctl_ctrl_each_part(ctl->ctrl, imb_pick, &m);
        if (m.req->n > 0)
            ctl_elect_start(ctl, m.req);
        else
            ereq_free(m.req);
    }
    free(imbalanced);
    free(m.ids);
    free(m.preferred);
    free(m.not_led);
}

static int64_t
elect_interval_ms(const ctl_t *ctl)
{
    int32_t s = ctl->cfg.leader_imbalance_check_interval_s;

    return (int64_t)(s > 0 ? s : 300) * 1000;
}

/* ---- ticks ------------------------------------------------------------- */

void
ctl_elect_tick(ctl_t *ctl)
{
    elect_state_t *es = elect_state(ctl);
    int64_t now = clock_mono_ms();

    if (!ctl_ctrl_loaded(ctl->ctrl)) {
        es->next_auto = 0;
        if (es->reqs != NULL)
            elect_process(ctl);
        return;
    }
    if (es->term != ctl->term) {
        /* a new controller term: watch the znode (and handle one left
         * from before), start the rebalance timer */
        es->term = ctl->term;
        elect_znode_watch(ctl);
        es->next_auto = 0;
        if (ctl->cfg.auto_leader_rebalance_enable) {
            int64_t first = elect_interval_ms(ctl);

            es->next_auto =
                now +
                (first < ELECT_AUTO_FIRST_MS ? first : ELECT_AUTO_FIRST_MS);
        }
    }
    if (es->next_auto != 0 && now >= es->next_auto) {
        es->next_auto = now + elect_interval_ms(ctl);
        elect_auto(ctl);
    }
    if (es->reqs != NULL)
        elect_process(ctl);
}

int64_t
ctl_elect_next_deadline(ctl_t *ctl)
{
    elect_state_t *es = ctl->elect;
    int64_t next = INT64_MAX;

    if (es == NULL)
        return next;
    if (es->next_auto != 0)
        next = es->next_auto;
    for (const ctl_elect_req_t *req = es->reqs; req != NULL; req = req->next)
        if (req->deadline < next)
            next = req->deadline;
    return next;
}

void
ctl_elect_fini(ctl_t *ctl)
{
    elect_state_t *es = ctl->elect;

    if (es == NULL)
        return;
    while (es->reqs != NULL) {
        ctl_elect_req_t *req = es->reqs;

        es->reqs = req->next;
        /* writes still in flight were completed by ctl_drain */
        ctl_elect_req_fail(req, KERR_NOT_CONTROLLER);
    }
    free(es);
    ctl->elect = NULL;
}
