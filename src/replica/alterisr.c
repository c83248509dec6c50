/*
 * alterisr.c: the leader's ISR thread (DESIGN §6 Replication; KIP-497).
 *
 * Owns one thread per replica manager and its blocking kclient connection
 * to the controller (the metadata cache's controller_id, resolved through
 * its broker list). Every tick (replica.lag.time.max.ms / 2, at most
 * 500 ms) it asks replmgr_isr_propose() what each partition it leads
 * should have as ISR; a partition whose proposal differs and has none in
 * flight records it as pending (R10: the maximal ISR counts from now on)
 * and the proposals of one tick leave in one AlterIsr v0 request. The
 * answer's committed ISR is applied per partition if the proposal is
 * still the one in flight (rp->isr_seq: a LeaderAndIsr meanwhile
 * replaces it); an error, an unreachable controller or a lost answer
 * drops the proposal and the partition proposes again after
 * ALTERISR_RETRY_MS, from its state then (R9). Does not own the
 * partitions' state (replmgr.c, under rp->lock).
 *
 * Spec: Kafka 2.8 Partition.maybeShrinkIsr / maybeExpandIsr /
 * sendAlterIsrRequest and AlterIsrManager (one request per batch, the
 * leader epoch and the state znode's version as the fence).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "replmgr_int.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/metacache.h"
#include "samsa/p_alterisr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define ALTERISR_VERSION 0
#define ALTERISR_CLIENT_ID "samsa-alter-isr"
#define ALTERISR_CONNECT_MS 3000
#define ALTERISR_ANSWER_MS 10000
#define ALTERISR_RETRY_MS 500
#define ALTERISR_TICK_MAX_MS 500

/* one proposal of a tick */
typedef struct aitem {
    rpart_t *rp; /* referenced */
    uint64_t seq;
    int32_t leader_epoch;
    int32_t zk_version;
    int32_t n;
    int32_t *isr;
} aitem_t;

typedef struct acollect {
    replmgr_t *rm;
    int64_t now;
    aitem_t *items;
    int n, cap;
} acollect_t;

static void
isr_format(char *out, size_t len, const int32_t *v, int32_t n)
{
    size_t pos = 0;

    out[0] = '\0';
    for (int32_t i = 0; i < n && pos + 12 < len; i++)
        pos += (size_t)snprintf(out + pos, len - pos, "%s%d", i ? "," : "",
                                (int)v[i]);
}

/* map read lock held: records one partition's proposal, if any */
static void
alterisr_collect_one(rpart_t *rp, void *ud)
{
    acollect_t *c = ud;
    replmgr_t *rm = c->rm;
    int32_t *out, nout;
    aitem_t *it;
    char was[128], now[128];

    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER || rp->stopped || rp->isr_inflight ||
        c->now < rp->isr_retry_at_ms) {
        pthread_mutex_unlock(&rp->lock);
        return;
    }
    out = xmalloc((size_t)(rp->nisr + rp->nfol + 1) * sizeof(*out));
    if (!replmgr_isr_propose(
            rm->cfg.broker_id, rp->isr, rp->nisr, rp->fol, rp->nfol,
            plog_log_end_offset(rp->plog), plog_high_watermark(rp->plog),
            epoch_cache_start_offset(rp->ec, rp->leader_epoch), c->now,
            rm->cfg.replica_lag_time_max_ms, out, &nout)) {
        pthread_mutex_unlock(&rp->lock);
        free(out);
        return;
    }
    /* R10: from here the maximal ISR counts */
    rp->isr_inflight = true;
    rp->isr_seq++;
    free(rp->pending);
    rp->pending = out;
    rp->npending = nout;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->items = xrealloc(c->items, (size_t)c->cap * sizeof(*c->items));
    }
    it = &c->items[c->n++];
    atomic_fetch_add(&rp->refs, 1);
    it->rp = rp;
    it->seq = rp->isr_seq;
    it->leader_epoch = rp->leader_epoch;
    it->zk_version = rp->zk_version;
    it->n = nout;
    it->isr = xmalloc((size_t)(nout > 0 ? nout : 1) * sizeof(*it->isr));
    memcpy(it->isr, out, (size_t)nout * sizeof(*it->isr));
    isr_format(was, sizeof(was), rp->isr, rp->nisr);
    isr_format(now, sizeof(now), out, nout);
    pthread_mutex_unlock(&rp->lock);
    say_info("%s-%d: proposing ISR [%s] (was [%s], leader epoch %d, zk "
             "version %d)",
             rp->topic, rp->partition, now, was, it->leader_epoch,
             it->zk_version);
}

/* drops a proposal that was not committed; retried after a backoff */
static void
alterisr_drop(replmgr_t *rm, aitem_t *it)
{
    rpart_t *rp = it->rp;

    pthread_mutex_lock(&rp->lock);
    if (rp->isr_inflight && rp->isr_seq == it->seq) {
        rp->isr_inflight = false;
        rp->isr_retry_at_ms = clock_mono_ms() + ALTERISR_RETRY_MS;
    }
    pthread_mutex_unlock(&rp->lock);
    rm_notify(rm, rp);
}

static bool
ids_in(const int32_t *v, int32_t n, int32_t x)
{
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* applies the controller's answer for one proposal (R9) */
static void
alterisr_apply(replmgr_t *rm, aitem_t *it, const alterisr_resp_partition_t *r)
{
    rpart_t *rp = it->rp;
    char isr[128];
    bool applied = false;

    if (r->error_code != KERR_NONE) {
        say_info("%s-%d: the controller refused ISR change: %s", rp->topic,
                 rp->partition, kerr_name(r->error_code));
        alterisr_drop(rm, it);
        return;
    }
    pthread_mutex_lock(&rp->lock);
    if (rp->isr_inflight && rp->isr_seq == it->seq &&
        rp->role == REPLMGR_LEADER && r->leader_epoch == rp->leader_epoch &&
        r->current_isr_version >= rp->zk_version &&
        ids_in(r->isr, r->nisr, rm->cfg.broker_id)) {
        free(rp->isr);
        rp->isr =
            xmalloc((size_t)(r->nisr > 0 ? r->nisr : 1) * sizeof(*rp->isr));
        memcpy(rp->isr, r->isr, (size_t)r->nisr * sizeof(*rp->isr));
        rp->nisr = r->nisr;
        rp->zk_version = r->current_isr_version;
        rp->isr_inflight = false;
        rp_maybe_advance_hw_locked(rm, rp);
        applied = true;
        isr_format(isr, sizeof(isr), rp->isr, rp->nisr);
    } else if (rp->isr_inflight && rp->isr_seq == it->seq) {
        rp->isr_inflight = false;
        rp->isr_retry_at_ms = clock_mono_ms() + ALTERISR_RETRY_MS;
    }
    pthread_mutex_unlock(&rp->lock);
    if (applied)
        say_info("%s-%d: ISR now [%s] (zk version %d)", rp->topic,
                 rp->partition, isr, r->current_isr_version);
    /* the high watermark or the ISR size changed: acks=all looks again */
    rm_notify(rm, rp);
}

static void
alterisr_disconnect(replmgr_t *rm)
{
    kclient_t *kc;

    pthread_mutex_lock(&rm->isr_lock);
    kc = rm->isr_kc;
    rm->isr_kc = NULL;
    pthread_mutex_unlock(&rm->isr_lock);
    kclient_close(kc);
}

/* a connection to the current controller; 0 or an ERR_* code */
static int
alterisr_connect(replmgr_t *rm, char *errbuf, size_t errlen)
{
    mc_snapshot_t *snap = metacache_get();
    const mc_broker_t *mb;
    char host[256];
    int32_t cid = snap->controller_id;
    kclient_t *kc;
    int port, rc;

    if (rm->isr_kc != NULL && rm->isr_kc_broker != cid)
        alterisr_disconnect(rm);
    if (rm->isr_kc != NULL) {
        mc_snapshot_put(snap);
        return 0;
    }
    mb = cid >= 0 ? mc_broker_find(snap, cid) : NULL;
    if (mb == NULL || mb->host == NULL) {
        mc_snapshot_put(snap);
        snprintf(errbuf, errlen, "no controller known");
        return ERR_NOTFOUND;
    }
    snprintf(host, sizeof(host), "%s", mb->host);
    port = mb->port;
    mc_snapshot_put(snap);
    rc = kclient_connect(&kc, host, port, ALTERISR_CONNECT_MS, errbuf, errlen);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&rm->isr_lock);
    if (rm->isr_stop) {
        pthread_mutex_unlock(&rm->isr_lock);
        kclient_close(kc);
        snprintf(errbuf, errlen, "stopping");
        return ERR_STATE;
    }
    rm->isr_kc = kc;
    rm->isr_kc_broker = cid;
    pthread_mutex_unlock(&rm->isr_lock);
    return 0;
}

/* one AlterIsr round trip for @items; 0 (answers applied) or ERR_* */
static int
alterisr_send(replmgr_t *rm, aitem_t *items, int n, buf_t *frame, char *errbuf,
              size_t errlen)
{
    alterisr_req_topic_t *topics = xcalloc((size_t)n, sizeof(*topics));
    alterisr_req_partition_t *parts = xcalloc((size_t)n, sizeof(*parts));
    alterisr_req_t req = {.broker_id = rm->cfg.broker_id,
                          .broker_epoch = rm->cfg.broker_epoch != NULL
                                              ? rm->cfg.broker_epoch(rm->cfg.ud)
                                              : -1,
                          .ntopics = n,
                          .topics = topics};
    alterisr_resp_t resp;
    bool *done = xcalloc((size_t)n, sizeof(*done));
    int32_t corr;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    int rc;

    arena_init(&ar);
    rc = alterisr_connect(rm, errbuf, errlen);
    if (rc != 0)
        goto out;
    for (int i = 0; i < n; i++) {
        topics[i].name.ptr = items[i].rp->topic;
        topics[i].name.len = items[i].rp->topic_len;
        topics[i].npartitions = 1;
        topics[i].partitions = &parts[i];
        parts[i].partition_index = items[i].rp->partition;
        parts[i].leader_epoch = items[i].leader_epoch;
        parts[i].nnew_isr = items[i].n;
        parts[i].new_isr = items[i].isr;
        parts[i].current_isr_version = items[i].zk_version;
    }
    corr = ++rm->isr_corr;
    kwrite_init(&kw);
    khdr_encode_request(&kw, API_ALTER_ISR, ALTERISR_VERSION, corr,
                        ALTERISR_CLIENT_ID,
                        kapi_flexible(API_ALTER_ISR, ALTERISR_VERSION));
    p_alterisr_req_encode(&kw, ALTERISR_VERSION, &req);
    buf_reset(frame);
    rc = kwrite_flatten(&kw, frame);
    kwrite_fini(&kw);
    if (rc == 0)
        rc = kclient_send(rm->isr_kc, frame->data, frame->len);
    if (rc == 0)
        rc = kclient_recv(rm->isr_kc, frame, ALTERISR_ANSWER_MS);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s", err_str(rc));
        alterisr_disconnect(rm);
        goto out;
    }
    kread_init(&kr, frame->data, frame->len);
    rc = khdr_decode_response(
        &kr, &corr,
        khdr_response_flexible(API_ALTER_ISR,
                               kapi_flexible(API_ALTER_ISR, ALTERISR_VERSION)));
    if (rc == 0 && corr != rm->isr_corr)
        rc = ERR_PROTO;
    if (rc == 0)
        rc = p_alterisr_resp_decode(&kr, ALTERISR_VERSION, &ar, &resp);
    if (rc != 0) {
        snprintf(errbuf, errlen, "malformed answer");
        alterisr_disconnect(rm);
        goto out;
    }
    if (resp.error_code != KERR_NONE) {
        snprintf(errbuf, errlen, "%s", kerr_name(resp.error_code));
        /* NOT_CONTROLLER: ask the metadata again next time */
        alterisr_disconnect(rm);
        rc = ERR_STATE;
        goto out;
    }
    for (int32_t t = 0; t < resp.ntopics; t++) {
        const alterisr_resp_topic_t *tp = &resp.topics[t];

        for (int32_t p = 0; p < tp->npartitions; p++) {
            const alterisr_resp_partition_t *r = &tp->partitions[p];

            for (int i = 0; i < n; i++) {
                rpart_t *rp = items[i].rp;

                if (done[i] || rp->partition != r->partition_index ||
                    rp->topic_len != tp->name.len ||
                    memcmp(rp->topic, tp->name.ptr, (size_t)tp->name.len) != 0)
                    continue;
                done[i] = true;
                alterisr_apply(rm, &items[i], r);
                break;
            }
        }
    }
    /* proposals the answer did not mention */
    for (int i = 0; i < n; i++)
        if (!done[i])
            alterisr_drop(rm, &items[i]);
out:
    if (rc != 0)
        for (int i = 0; i < n; i++)
            alterisr_drop(rm, &items[i]);
    arena_fini(&ar);
    free(done);
    free(topics);
    free(parts);
    return rc;
}

static void *
alterisr_main(void *arg)
{
    replmgr_t *rm = arg;
    int64_t tick = rm->cfg.replica_lag_time_max_ms / 2;
    bool failing = false;
    buf_t frame = BUF_INIT;

    if (tick > ALTERISR_TICK_MAX_MS)
        tick = ALTERISR_TICK_MAX_MS;
    if (tick < 10)
        tick = 10;
    for (;;) {
        acollect_t c = {.rm = rm};
        struct timespec ts;
        char err[256];
        bool stop;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)tick * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&rm->isr_lock);
        if (!rm->isr_stop)
            pthread_cond_timedwait(&rm->isr_cond, &rm->isr_lock, &ts);
        stop = rm->isr_stop;
        pthread_mutex_unlock(&rm->isr_lock);
        if (stop)
            break;
        c.now = clock_mono_ms();
        rm_foreach(rm, alterisr_collect_one, &c);
        if (c.n == 0)
            continue;
        if (alterisr_send(rm, c.items, c.n, &frame, err, sizeof(err)) != 0) {
            if (!failing)
                say_warn("AlterIsr to the controller failed: %s; retrying",
                         err);
            failing = true;
        } else {
            failing = false;
        }
        for (int i = 0; i < c.n; i++) {
            rpart_unref(c.items[i].rp);
            free(c.items[i].isr);
        }
        free(c.items);
    }
    buf_fini(&frame);
    alterisr_disconnect(rm);
    return NULL;
}

void
alterisr_start(replmgr_t *rm)
{
    if (pthread_create(&rm->isr_th, NULL, alterisr_main, rm) != 0)
        abort(); /* like an allocation failure */
    rm->isr_started = true;
}

void
alterisr_stop(replmgr_t *rm)
{
    if (!rm->isr_started)
        return;
    pthread_mutex_lock(&rm->isr_lock);
    rm->isr_stop = true;
    /* interrupts a blocking send or receive */
    if (rm->isr_kc != NULL)
        shutdown(kclient_fd(rm->isr_kc), SHUT_RDWR);
    pthread_cond_broadcast(&rm->isr_cond);
    pthread_mutex_unlock(&rm->isr_lock);
    pthread_join(rm->isr_th, NULL);
    rm->isr_started = false;
}
