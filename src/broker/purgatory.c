/*
 * purgatory.c: requests parked until a partition changes (DESIGN §3).
 *
 * A parked request embeds a pwaiter_t and lives on the IO loop of its
 * connection. Whoever advances a partition (the produce path, on any loop)
 * calls purgatory_wake(), which posts wake() to each watching waiter's loop
 * through that loop's mailbox (ev_async). A waiter is woken at most once
 * per pending post; its own timer covers the deadline.
 *
 * The list is short (one entry per long-polling consumer), so a linear scan
 * under one mutex is cheaper than any index; a broker with no parked
 * request pays one atomic load per append.
 */
#include "broker_int.h"

void
pwaiter_init(pwaiter_t *w, netloop_t *loop)
{
    w->next = w->prev = NULL;
    w->loop = loop;
    atomic_init(&w->refcnt, 1);
    w->wake_pending = false;
}

void
pwaiter_unref(pwaiter_t *w)
{
    if (atomic_fetch_sub(&w->refcnt, 1) == 1)
        w->free(w);
}

void
purgatory_add(broker_t *b, pwaiter_t *w)
{
    atomic_fetch_add(&w->refcnt, 1);
    pthread_mutex_lock(&b->purg_lock);
    w->prev = NULL;
    w->next = b->waiters;
    if (b->waiters != NULL)
        b->waiters->prev = w;
    b->waiters = w;
    pthread_mutex_unlock(&b->purg_lock);
    atomic_fetch_add(&b->nwaiters, 1);
}

void
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
purgatory_wake_cb(void *arg)
{
    pwaiter_t *w = arg;

    w->wake(w);
    pwaiter_unref(w);
}

static void
purgatory_expire_cb(void *arg)
{
    pwaiter_t *w = arg;

    w->expire(w);
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

void
purgatory_woken(broker_t *b, pwaiter_t *w)
{
    pthread_mutex_lock(&b->purg_lock);
    w->wake_pending = false;
    pthread_mutex_unlock(&b->purg_lock);
}
