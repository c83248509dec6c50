/*
 * ctl_chan_net.c: the controller -> broker channel over the network
 * (Kafka's ControllerChannelManager / RequestSendThread).
 *
 * Owns one queue and, once something must leave the process, one sender
 * thread per remote broker. Does not own what is sent (ctl_ctrl.c decides)
 * nor the broker side (h_controller.c -> ctl_recv_*() -> ctl_breq_apply).
 *
 * A request for a broker of this process (the controller's own, or an
 * in-process test cluster) is posted to its queue as the local channel
 * does. Otherwise it is queued; the sender thread takes the oldest, encodes
 * it (LeaderAndIsr v5, UpdateMetadata v7, StopReplica v3: Kafka 2.8's
 * latest), sends it over a blocking kclient connection and waits for the
 * answer. Any failure (connect, send, receive, a malformed answer) closes
 * the connection and retries the same request after a backoff (100 ms
 * doubling to 2 s), until it is answered or the channel is freed: like
 * Kafka, requests to one broker leave in order and never overtake one
 * another. An answer with an error (STALE_CONTROLLER_EPOCH,
 * STALE_BROKER_EPOCH: the broker fenced us) is logged and the request
 * dropped. UpdateMetadata carries a whole snapshot, so one that has a newer
 * UpdateMetadata behind it in the queue is dropped unsent.
 *
 * Threads: send()/address()/free() on the ctl thread, under the channel's
 * mutex; free() marks the channel stopping and returns at once; the sender
 * thread (detached) frees the queue and the channel when it notices. Every
 * wait of the sender is bounded (connect 2 s, answer 10 s, polled every
 * 200 ms for stopping).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_int.h"
#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kclient.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/kwrite.h"
#include "samsa/p_leaderandisr.h"
#include "samsa/p_stopreplica.h"
#include "samsa/p_updatemetadata.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define NET_LAI_VERSION 5
#define NET_UM_VERSION 7
#define NET_SR_VERSION 3
#define NET_CONNECT_MS 2000
#define NET_ANSWER_MS 10000
#define NET_POLL_MS 200
#define NET_BACKOFF_MIN_MS 100
#define NET_BACKOFF_MAX_MS 2000

typedef struct nq {
    struct nq *next;
    ctl_breq_t *breq;
} nq_t;

typedef struct chan_net {
    ctl_chan_t base;
    int32_t controller_id;
    pthread_mutex_t mu; /* covers everything below */
    pthread_cond_t cv;
    nq_t *head, *tail;
    char *host; /* NULL until address() */
    int32_t port;
    bool stopping;
    bool thread_started;
    /* sender thread only */
    kclient_t *kc;
    int32_t correlation_id;
} chan_net_t;

/* live sender threads of the process, for ctl_chan_net_wait_all */
static pthread_mutex_t net_threads_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t net_threads_cv = PTHREAD_COND_INITIALIZER;
static int net_threads;

/* ---- encoding --------------------------------------------------------- */

static kstr_t
net_str(const char *s)
{
    kstr_t k = {s != NULL ? s : "", s != NULL ? (int32_t)strlen(s) : 0};
    return k;
}

static void
net_encode_lai(kwrite_t *kw, const ctl_breq_t *breq, arena_t *ar)
{
    leaderandisr_req_t req;

    memset(&req, 0, sizeof(req));
    req.controller_id = breq->controller_id;
    req.controller_epoch = breq->controller_epoch;
    req.broker_epoch = breq->broker_epoch;
    req.type = 0; /* incremental */
    req.topic_states =
        arena_calloc(ar, (size_t)breq->nparts + 1, sizeof(*req.topic_states));
    for (int i = 0; i < breq->nparts; i++) {
        const ctl_partition_state_t *ps = &breq->parts[i];
        leaderandisr_topic_state_t *t = NULL;
        leaderandisr_partition_state_t *s;

        for (int32_t k = 0; k < req.ntopic_states; k++)
            if (strcmp(req.topic_states[k].topic_name.ptr, ps->topic) == 0)
                t = &req.topic_states[k];
        if (t == NULL) {
            t = &req.topic_states[req.ntopic_states++];
            t->topic_name = net_str(ps->topic);
            t->partition_states = arena_calloc(ar, (size_t)breq->nparts,
                                               sizeof(*t->partition_states));
        }
        s = &t->partition_states[t->npartition_states++];
        s->partition_index = ps->partition;
        s->controller_epoch = ps->controller_epoch;
        s->leader = ps->leader;
        s->leader_epoch = ps->leader_epoch;
        s->nisr = ps->nisr;
        s->isr = (int32_t *)ps->isr;
        s->zk_version = ps->zk_version;
        s->nreplicas = ps->nreplicas;
        s->replicas = (int32_t *)ps->replicas;
    }
    p_leaderandisr_req_encode(kw, NET_LAI_VERSION, &req);
}

static void
net_encode_sr(kwrite_t *kw, const ctl_breq_t *breq, arena_t *ar)
{
    stopreplica_req_t req;

    memset(&req, 0, sizeof(req));
    req.controller_id = breq->controller_id;
    req.controller_epoch = breq->controller_epoch;
    req.broker_epoch = breq->broker_epoch;
    req.topic_states =
        arena_calloc(ar, (size_t)breq->nstops + 1, sizeof(*req.topic_states));
    for (int i = 0; i < breq->nstops; i++) {
        const ctl_stop_tp_t *st = &breq->stops[i];
        stopreplica_topic_state_t *t = NULL;
        stopreplica_partition_state_t *s;

        for (int32_t k = 0; k < req.ntopic_states; k++)
            if (strcmp(req.topic_states[k].topic_name.ptr, st->topic) == 0)
                t = &req.topic_states[k];
        if (t == NULL) {
            t = &req.topic_states[req.ntopic_states++];
            t->topic_name = net_str(st->topic);
            t->partition_states = arena_calloc(ar, (size_t)breq->nstops,
                                               sizeof(*t->partition_states));
        }
        s = &t->partition_states[t->npartition_states++];
        s->partition_index = st->partition;
        /* Kafka's LeaderAndIsr.EpochDuringDelete for deletions */
        s->leader_epoch = st->del ? -2 : -1;
        s->delete_partition = st->del;
    }
    p_stopreplica_req_encode(kw, NET_SR_VERSION, &req);
}

static void
net_encode_um(kwrite_t *kw, const ctl_breq_t *breq, arena_t *ar)
{
    const mc_snapshot_t *snap = breq->snap;
    updatemetadata_req_t req;

    memset(&req, 0, sizeof(req));
    req.controller_id = breq->controller_id;
    req.controller_epoch = breq->controller_epoch;
    req.broker_epoch = breq->broker_epoch;
    req.ntopic_states = snap->ntopics;
    req.topic_states =
        arena_calloc(ar, (size_t)snap->ntopics + 1, sizeof(*req.topic_states));
    for (int32_t i = 0; i < snap->ntopics; i++) {
        const mc_topic_t *mt = &snap->topics[i];
        updatemetadata_topic_state_t *t = &req.topic_states[i];

        t->topic_name = net_str(mt->name);
        memcpy(t->topic_id, mt->id, 16);
        t->npartition_states = mt->npartitions;
        t->partition_states = arena_calloc(ar, (size_t)mt->npartitions + 1,
                                           sizeof(*t->partition_states));
        for (int32_t p = 0; p < mt->npartitions; p++) {
            const mc_partition_t *mp = &mt->partitions[p];
            updatemetadata_partition_state_t *s = &t->partition_states[p];

            s->topic_name.ptr = NULL;
            s->topic_name.len = -1;
            s->partition_index = mp->partition;
            s->controller_epoch = breq->controller_epoch;
            /* Kafka's LeaderAndIsr.LeaderDuringDelete */
            s->leader = mt->deleting ? -2 : mp->leader;
            s->leader_epoch = mp->leader_epoch;
            s->nisr = mp->nisr;
            s->isr = mp->isr;
            s->nreplicas = mp->nreplicas;
            s->replicas = mp->replicas;
            s->noffline_replicas = mp->noffline;
            s->offline_replicas = mp->offline;
        }
        t->nconfigs = mt->nconfigs;
        t->configs =
            arena_calloc(ar, (size_t)mt->nconfigs + 1, sizeof(*t->configs));
        for (int32_t k = 0; k < mt->nconfigs; k++) {
            t->configs[k].key = net_str(mt->configs[k].key);
            t->configs[k].value = net_str(mt->configs[k].value);
        }
    }
    req.nlive_brokers = snap->nbrokers;
    req.live_brokers =
        arena_calloc(ar, (size_t)snap->nbrokers + 1, sizeof(*req.live_brokers));
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        const mc_broker_t *mb = &snap->brokers[i];
        updatemetadata_broker_t *b = &req.live_brokers[i];

        b->id = mb->id;
        b->nendpoints = 1;
        b->endpoints = arena_calloc(ar, 1, sizeof(*b->endpoints));
        b->endpoints[0].port = mb->port;
        b->endpoints[0].host = net_str(mb->host);
        b->endpoints[0].listener = net_str("PLAINTEXT");
        b->endpoints[0].security_protocol = 0; /* PLAINTEXT */
        if (mb->rack != NULL) {
            b->rack = net_str(mb->rack);
        } else {
            b->rack.ptr = NULL;
            b->rack.len = -1;
        }
    }
    p_updatemetadata_req_encode(kw, NET_UM_VERSION, &req);
}

static void
net_request_kind(const ctl_breq_t *breq, int16_t *key, int16_t *version)
{
    switch (breq->kind) {
    case CTL_BREQ_LEADER_AND_ISR:
        *key = API_LEADER_AND_ISR;
        *version = NET_LAI_VERSION;
        break;
    case CTL_BREQ_STOP_REPLICA:
        *key = API_STOP_REPLICA;
        *version = NET_SR_VERSION;
        break;
    case CTL_BREQ_UPDATE_METADATA:
    default:
        *key = API_UPDATE_METADATA;
        *version = NET_UM_VERSION;
        break;
    }
}

/* the whole frame (without the size) of @breq */
static void
net_encode(chan_net_t *cn, const ctl_breq_t *breq, int32_t correlation_id,
           buf_t *out)
{
    char client_id[48];
    int16_t key, version;
    kwrite_t kw;
    arena_t ar;

    net_request_kind(breq, &key, &version);
    snprintf(client_id, sizeof(client_id), "samsa-controller-%d",
             (int)cn->controller_id);
    arena_init(&ar);
    kwrite_init(&kw);
    khdr_encode_request(&kw, key, version, correlation_id, client_id,
                        kapi_flexible(key, version));
    switch (breq->kind) {
    case CTL_BREQ_LEADER_AND_ISR: net_encode_lai(&kw, breq, &ar); break;
    case CTL_BREQ_STOP_REPLICA: net_encode_sr(&kw, breq, &ar); break;
    case CTL_BREQ_UPDATE_METADATA: net_encode_um(&kw, breq, &ar); break;
    }
    buf_reset(out);
    if (kwrite_flatten(&kw, out) != 0)
        abort(); /* buffer-only writer: cannot fail */
    kwrite_fini(&kw);
    arena_fini(&ar);
}

/* the answer's top-level error code, or ERR_PROTO */
static int
net_decode_answer(const ctl_breq_t *breq, const buf_t *frame,
                  int32_t correlation_id, int16_t *err)
{
    int16_t key, version;
    int32_t cid;
    kread_t kr;
    arena_t ar;
    int rc;

    net_request_kind(breq, &key, &version);
    kread_init(&kr, frame->data, frame->len);
    if (khdr_decode_response(
            &kr, &cid,
            khdr_response_flexible(key, kapi_flexible(key, version))) != 0 ||
        cid != correlation_id)
        return ERR_PROTO;
    arena_init(&ar);
    switch (breq->kind) {
    case CTL_BREQ_LEADER_AND_ISR: {
        leaderandisr_resp_t resp;

        rc = p_leaderandisr_resp_decode(&kr, version, &ar, &resp);
        *err = resp.error_code;
        break;
    }
    case CTL_BREQ_STOP_REPLICA: {
        stopreplica_resp_t resp;

        rc = p_stopreplica_resp_decode(&kr, version, &ar, &resp);
        *err = resp.error_code;
        break;
    }
    case CTL_BREQ_UPDATE_METADATA:
    default: {
        updatemetadata_resp_t resp;

        rc = p_updatemetadata_resp_decode(&kr, version, &ar, &resp);
        *err = resp.error_code;
        break;
    }
    }
    arena_fini(&ar);
    return rc;
}

/* ---- the sender thread ------------------------------------------------ */

static bool
net_stopping(chan_net_t *cn)
{
    bool s;

    pthread_mutex_lock(&cn->mu);
    s = cn->stopping;
    pthread_mutex_unlock(&cn->mu);
    return s;
}

/* one attempt: 0 and *err when answered, else an ERR_* (retry) */
static int
net_exchange(chan_net_t *cn, const ctl_breq_t *breq, const char *host,
             int32_t port, int16_t *err)
{
    char errbuf[256];
    buf_t frame = BUF_INIT;
    int64_t deadline;
    int32_t cid;
    int rc;

    if (cn->kc == NULL) {
        rc = kclient_connect(&cn->kc, host, port, NET_CONNECT_MS, errbuf,
                             sizeof(errbuf));
        if (rc != 0) {
            say_debug("[ctl] broker %d at %s:%d: %s", (int)cn->base.broker_id,
                      host, (int)port, errbuf);
            cn->kc = NULL;
            return rc;
        }
    }
    cid = ++cn->correlation_id;
    net_encode(cn, breq, cid, &frame);
    rc = kclient_send(cn->kc, frame.data, frame.len);
    deadline = clock_mono_ms() + NET_ANSWER_MS;
    while (rc == 0) {
        struct pollfd pfd = {kclient_fd(cn->kc), POLLIN, 0};
        int64_t left = deadline - clock_mono_ms();
        int n;

        if (left <= 0 || net_stopping(cn)) {
            rc = ERR_AGAIN;
            break;
        }
        n = poll(&pfd, 1, left < NET_POLL_MS ? (int)left : NET_POLL_MS);
        if (n > 0) {
            rc = kclient_recv(cn->kc, &frame, (int)left);
            if (rc == 0)
                rc = net_decode_answer(breq, &frame, cid, err);
            break;
        }
    }
    buf_fini(&frame);
    if (rc != 0) {
        kclient_close(cn->kc);
        cn->kc = NULL;
    }
    return rc;
}

static void
net_free_queue_locked(chan_net_t *cn)
{
    nq_t *q;

    while ((q = cn->head) != NULL) {
        cn->head = q->next;
        ctl_breq_free(q->breq);
        free(q);
    }
    cn->tail = NULL;
}

static void
net_destroy(chan_net_t *cn)
{
    pthread_mutex_lock(&cn->mu);
    net_free_queue_locked(cn);
    pthread_mutex_unlock(&cn->mu);
    kclient_close(cn->kc);
    free(cn->host);
    pthread_cond_destroy(&cn->cv);
    pthread_mutex_destroy(&cn->mu);
    free(cn);
}

/* drops queued UpdateMetadata that a later one supersedes (under mu) */
static void
net_coalesce_locked(chan_net_t *cn)
{
    while (cn->head != NULL &&
           cn->head->breq->kind == CTL_BREQ_UPDATE_METADATA) {
        bool later = false;

        for (nq_t *q = cn->head->next; q != NULL && !later; q = q->next)
            later = q->breq->kind == CTL_BREQ_UPDATE_METADATA;
        if (!later)
            break;
        {
            nq_t *q = cn->head;

            cn->head = q->next;
            if (cn->head == NULL)
                cn->tail = NULL;
            ctl_breq_free(q->breq);
            free(q);
        }
    }
}

static void
net_wait_locked(chan_net_t *cn, int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&cn->cv, &cn->mu, &ts);
}

static void *
net_thread_main(void *arg)
{
    chan_net_t *cn = arg;
    int backoff = 0;
    bool failing = false;

    for (;;) {
        ctl_breq_t *breq;
        char *host;
        int32_t port;
        int16_t err = 0;
        int rc;

        pthread_mutex_lock(&cn->mu);
        while (!cn->stopping && (cn->head == NULL || cn->host == NULL))
            net_wait_locked(cn, 1000);
        if (cn->stopping) {
            pthread_mutex_unlock(&cn->mu);
            break;
        }
        net_coalesce_locked(cn);
        breq = cn->head->breq; /* only this thread removes the head */
        host = xstrdup(cn->host);
        port = cn->port;
        pthread_mutex_unlock(&cn->mu);

        rc = net_exchange(cn, breq, host, port, &err);
        if (rc == 0) {
            nq_t *q;

            if (failing)
                say_info("[ctl] broker %d at %s:%d reachable again",
                         (int)cn->base.broker_id, host, (int)port);
            failing = false;
            backoff = 0;
            if (err != KERR_NONE)
                say_warn("[ctl] broker %d answered a controller request "
                         "with %s",
                         (int)cn->base.broker_id, kerr_name(err));
            pthread_mutex_lock(&cn->mu);
            q = cn->head;
            cn->head = q->next;
            if (cn->head == NULL)
                cn->tail = NULL;
            pthread_mutex_unlock(&cn->mu);
            ctl_breq_answer(q->breq, err);
            ctl_breq_free(q->breq);
            free(q);
        } else {
            if (!failing)
                say_warn("[ctl] cannot reach broker %d at %s:%d (%s); "
                         "retrying",
                         (int)cn->base.broker_id, host, (int)port, err_str(rc));
            failing = true;
            backoff = backoff == 0 ? NET_BACKOFF_MIN_MS : 2 * backoff;
            if (backoff > NET_BACKOFF_MAX_MS)
                backoff = NET_BACKOFF_MAX_MS;
            pthread_mutex_lock(&cn->mu);
            if (!cn->stopping)
                net_wait_locked(cn, backoff);
            pthread_mutex_unlock(&cn->mu);
        }
        free(host);
    }
    net_destroy(cn);
    pthread_mutex_lock(&net_threads_mu);
    net_threads--;
    pthread_cond_broadcast(&net_threads_cv);
    pthread_mutex_unlock(&net_threads_mu);
    return NULL;
}

/* ---- the channel (ctl thread) ----------------------------------------- */

static void
net_send(ctl_chan_t *chan, ctl_breq_t *breq)
{
    chan_net_t *cn = (chan_net_t *)chan;
    nq_t *q;

    if (ctl_chan_local_try(chan->broker_id, breq))
        return;
    q = xcalloc(1, sizeof(*q));
    q->breq = breq;
    pthread_mutex_lock(&cn->mu);
    if (cn->tail != NULL)
        cn->tail->next = q;
    else
        cn->head = q;
    cn->tail = q;
    if (!cn->thread_started) {
        pthread_attr_t attr;
        pthread_t th;

        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_mutex_lock(&net_threads_mu);
        if (pthread_create(&th, &attr, net_thread_main, cn) == 0) {
            cn->thread_started = true;
            net_threads++;
        } else {
            say_error("[ctl] cannot start a sender thread for broker %d",
                      (int)chan->broker_id);
        }
        pthread_mutex_unlock(&net_threads_mu);
        pthread_attr_destroy(&attr);
    }
    pthread_cond_signal(&cn->cv);
    pthread_mutex_unlock(&cn->mu);
}

static void
net_address(ctl_chan_t *chan, const char *host, int32_t port)
{
    chan_net_t *cn = (chan_net_t *)chan;

    if (host == NULL || *host == '\0' || port <= 0)
        return;
    pthread_mutex_lock(&cn->mu);
    if (cn->host == NULL || strcmp(cn->host, host) != 0 || cn->port != port) {
        free(cn->host);
        cn->host = xstrdup(host);
        cn->port = port;
        pthread_cond_signal(&cn->cv);
    }
    pthread_mutex_unlock(&cn->mu);
}

static void
net_free(ctl_chan_t *chan)
{
    chan_net_t *cn = (chan_net_t *)chan;
    bool started;

    pthread_mutex_lock(&cn->mu);
    cn->stopping = true;
    started = cn->thread_started;
    pthread_cond_signal(&cn->cv);
    pthread_mutex_unlock(&cn->mu);
    if (!started)
        net_destroy(cn);
    /* else the thread frees it on its way out */
}

ctl_chan_t *
ctl_chan_net_new(int32_t broker_id, int32_t controller_id)
{
    chan_net_t *cn = xcalloc(1, sizeof(*cn));

    cn->base.broker_id = broker_id;
    cn->base.send = net_send;
    cn->base.address = net_address;
    cn->base.free = net_free;
    cn->controller_id = controller_id;
    pthread_mutex_init(&cn->mu, NULL);
    pthread_cond_init(&cn->cv, NULL);
    return &cn->base;
}

void
ctl_chan_net_wait_all(int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;

    pthread_mutex_lock(&net_threads_mu);
    while (net_threads > 0 && clock_mono_ms() < deadline) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&net_threads_cv, &net_threads_mu, &ts);
    }
    pthread_mutex_unlock(&net_threads_mu);
}
