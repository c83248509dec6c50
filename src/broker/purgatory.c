/*
 * purgatory.c: requests parked until a partition changes (DESIGN §3).
 *
 * A parked request embeds a pwaiter_t first (broker_int.h) and lives on
 * the IO loop of its connection. Whoever advances a partition (the produce
 * path or a fetcher, on any thread) calls purgatory_wake(), which posts a
 * check to each watching waiter's loop through that loop's mailbox
 * (ev_async); a new metadata snapshot posts one to every request of a kind
 * whose condition reads it (purgatory_wake_api: DeleteRecords counts the
 * live brokers). A waiter has at most one wake-up post pending; its timer
 * covers the deadline. References: the purgatory's (until answered) and
 * one per post in flight; the last one frees the waiter and its arena.
 *
 * The list is short (one entry per long-polling consumer), so a linear scan
 * under one mutex is cheaper than any index; a broker with no parked
 * request pays one atomic load per append.
 */
#include <stdlib.h>

#include "broker_int.h"

static void
pwaiter_unref(pwaiter_t *w)
{
    if (atomic_fetch_sub(&w->refcnt, 1) == 1) {
        arena_fini(&w->arena);
        free(w);
    }
}

/* unregisters @w if registered (loop thread); drops that reference */
static void
purgatory_remove(broker_t *b, pwaiter_t *w)
{
    bool listed;

    pthread_mutex_lock(&b->purg_lock);
    listed = w->prev != NULL || b->waiters == w;
    if (listed) {
        if (w->prev != NULL)
            w->prev->next = w->next;
        else
            b->waiters = w->next;
        if (w->next != NULL)
            w->next->prev = w->prev;
        w->next = w->prev = NULL;
    }
    pthread_mutex_unlock(&b->purg_lock);
    if (listed) {
        atomic_fetch_sub(&b->nwaiters, 1);
        pwaiter_unref(w);
    }
}

static void
purgatory_timeout(struct ev_loop *loop, ev_timer *timer, int revents)
{
    pwaiter_t *w = timer->data;

    (void)loop;
    (void)revents;
    if (!w->done)
        w->check(w, true);
}

void
purgatory_park(breq_t *req, pwaiter_t *w, int32_t timeout_ms)
{
    broker_t *b = req->b;

    w->b = b;
    w->loop = conn_loop(req->conn);
    atomic_init(&w->refcnt, 2); /* the parker's and the purgatory's */
    conn_ref(req->conn);
    w->conn = req->conn;
    w->seq = req->seq;
    w->correlation_id = req->hdr.correlation_id;
    w->api_key = req->hdr.request_api_key;
    w->api_version = req->hdr.request_api_version;
    /* the decoded arrays move with the request; the conn gets a new arena */
    w->arena = *req->ar;
    arena_init(req->ar);
    ev_timer_init(&w->timer, purgatory_timeout,
                  (timeout_ms > 0 ? timeout_ms : 0) / 1000.0, 0);
    w->timer.data = w;
    ev_timer_start(netloop_ev(w->loop), &w->timer);
    pthread_mutex_lock(&b->purg_lock);
    w->next = b->waiters;
    if (b->waiters != NULL)
        b->waiters->prev = w;
    b->waiters = w;
    pthread_mutex_unlock(&b->purg_lock);
    atomic_fetch_add(&b->nwaiters, 1);
    /* a change between the handler's first look and now is not missed */
    w->check(w, false);
    pwaiter_unref(w);
}

void
purgatory_answer(pwaiter_t *w, kwrite_t *kw)
{
    conn_t *conn = w->conn;

    w->done = true;
    w->conn = NULL;
    ev_timer_stop(netloop_ev(w->loop), &w->timer);
    bresp_finish(kw);
    conn_reply(conn, w->seq, kw);
    conn_unref(conn);
    /* last: dropping the purgatory's reference may free @w (the timer's
     * callback holds none; wake and expire posts hold their own) */
    purgatory_remove(w->b, w);
}

static void
purgatory_wake_cb(void *arg)
{
    pwaiter_t *w = arg;

    pthread_mutex_lock(&w->b->purg_lock);
    w->wake_pending = false;
    pthread_mutex_unlock(&w->b->purg_lock);
    if (!w->done)
        w->check(w, false);
    pwaiter_unref(w);
}

static void
purgatory_expire_cb(void *arg)
{
    pwaiter_t *w = arg;

    if (!w->done)
        w->check(w, true);
    pwaiter_unref(w);
}

void
purgatory_expire_all(broker_t *b)
{
    pthread_mutex_lock(&b->purg_lock);
    for (pwaiter_t *w = b->waiters; w != NULL; w = w->next) {
        atomic_fetch_add(&w->refcnt, 1);
        netloop_post(w->loop, purgatory_expire_cb, w);
    }
    pthread_mutex_unlock(&b->purg_lock);
}

void
purgatory_wake_api(broker_t *b, int16_t api_key)
{
    if (atomic_load(&b->nwaiters) == 0)
        return;
    pthread_mutex_lock(&b->purg_lock);
    for (pwaiter_t *w = b->waiters; w != NULL; w = w->next) {
        if (w->wake_pending || w->api_key != api_key)
            continue;
        w->wake_pending = true;
        atomic_fetch_add(&w->refcnt, 1);
        netloop_post(w->loop, purgatory_wake_cb, w);
    }
    pthread_mutex_unlock(&b->purg_lock);
}

void
purgatory_wake(broker_t *b, kstr_t topic, int32_t partition)
{
    if (atomic_load(&b->nwaiters) == 0)
        return;
    pthread_mutex_lock(&b->purg_lock);
    for (pwaiter_t *w = b->waiters; w != NULL; w = w->next) {
        if (w->wake_pending || !w->watches(w, topic, partition))
            continue;
        w->wake_pending = true;
        atomic_fetch_add(&w->refcnt, 1);
        netloop_post(w->loop, purgatory_wake_cb, w);
    }
    pthread_mutex_unlock(&b->purg_lock);
}
