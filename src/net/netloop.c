/*
 * netloop.c: a libev loop on its own pthread with an ordered mailbox.
 *
 * Owns: the ev_loop, its thread, the mailbox (two arrays swapped under one
 * mutex, so posting never allocates once the arrays have grown) and the
 * ev_async that wakes the loop. Does not own the watchers others start on
 * the loop.
 *
 * Stopping is a flag read under the mailbox mutex: the async callback runs
 * every message it took from the mailbox and then, if the flag was set when
 * it took them, breaks the loop. So a stop never overtakes a post made
 * before it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "samsa/err.h"
#include "samsa/netloop.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

typedef struct nl_msg {
    void (*fn)(void *arg);
    void *arg;
} nl_msg_t;

struct netloop {
    struct ev_loop *loop;
    ev_async wake; /* mailbox doorbell */
    pthread_t thread;
    bool started;       /* thread created and not yet joined */
    pthread_mutex_t mu; /* guards q, qlen, qcap, stop */
    nl_msg_t *q;        /* posted, not yet taken */
    size_t qlen, qcap;
    nl_msg_t *runq; /* taken by the loop; swapped with q */
    size_t runcap;
    bool stop;
    char name[16];
};

static __thread netloop_t *nl_current;

/* takes the mailbox; returns the number of messages now in nl->runq */
static size_t
nl_take(netloop_t *nl, bool *stop)
{
    nl_msg_t *tmp;
    size_t n, cap;

    pthread_mutex_lock(&nl->mu);
    n = nl->qlen;
    tmp = nl->q;
    cap = nl->qcap;
    nl->q = nl->runq;
    nl->qcap = nl->runcap;
    nl->qlen = 0;
    nl->runq = tmp;
    nl->runcap = cap;
    *stop = nl->stop;
    pthread_mutex_unlock(&nl->mu);
    return n;
}

static void
nl_run_messages(netloop_t *nl, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nl->runq[i].fn(nl->runq[i].arg);
}

static void
nl_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    netloop_t *nl = w->data;
    bool stop;
    size_t n = nl_take(nl, &stop);

    (void)revents;
    nl_run_messages(nl, n);
    if (stop)
        ev_break(loop, EVBREAK_ALL);
}

netloop_t *
netloop_new(void)
{
    netloop_t *nl = xcalloc(1, sizeof(*nl));

    /* EVFLAG_NOSIGMASK: no sigprocmask per iteration; we use no ev_signal */
    nl->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOSIGMASK);
    if (nl->loop == NULL) {
        say_error("netloop: ev_loop_new(epoll) failed");
        abort();
    }
    pthread_mutex_init(&nl->mu, NULL);
    ev_async_init(&nl->wake, nl_wake_cb);
    nl->wake.data = nl;
    ev_async_start(nl->loop, &nl->wake);
    return nl;
}

static void *
nl_thread_main(void *arg)
{
    netloop_t *nl = arg;

    nl_current = nl;
    ev_run(nl->loop, 0);
    nl_current = NULL;
    return NULL;
}

int
netloop_start(netloop_t *nl, const char *name)
{
    sigset_t all, old;
    int rc;

    if (nl->started)
        return ERR_STATE;
    snprintf(nl->name, sizeof(nl->name), "%s", name ? name : "netloop");
    pthread_mutex_lock(&nl->mu);
    nl->stop = false;
    pthread_mutex_unlock(&nl->mu);
    /*
     * The thread inherits a full signal mask: signals belong to the main
     * thread, and a SIGPIPE raised by sendfile() on a reset socket stays
     * pending instead of killing the process (the call returns EPIPE).
     */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&nl->thread, NULL, nl_thread_main, nl);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        say_error("netloop %s: pthread_create: %s", nl->name, strerror(rc));
        return ERR_IO;
    }
    pthread_setname_np(nl->thread, nl->name);
    nl->started = true;
    return 0;
}

void
netloop_stop(netloop_t *nl)
{
    if (!nl->started)
        return;
    pthread_mutex_lock(&nl->mu);
    nl->stop = true;
    pthread_mutex_unlock(&nl->mu);
    ev_async_send(nl->loop, &nl->wake);
    pthread_join(nl->thread, NULL);
    nl->started = false;
}

void
netloop_free(netloop_t *nl)
{
    netloop_t *saved = nl_current;
    bool stop;
    size_t n;

    if (nl == NULL)
        return;
    netloop_stop(nl);
    /* leftovers may post more (e.g. a reply that frees a conn); drain all */
    nl_current = nl;
    while ((n = nl_take(nl, &stop)) > 0)
        nl_run_messages(nl, n);
    nl_current = saved;
    ev_async_stop(nl->loop, &nl->wake);
    ev_loop_destroy(nl->loop);
    pthread_mutex_destroy(&nl->mu);
    free(nl->q);
    free(nl->runq);
    free(nl);
}

struct ev_loop *
netloop_ev(netloop_t *nl)
{
    return nl->loop;
}

void
netloop_post(netloop_t *nl, void (*fn)(void *arg), void *arg)
{
    bool first;

    pthread_mutex_lock(&nl->mu);
    if (nl->qlen == nl->qcap) {
        nl->qcap = nl->qcap ? nl->qcap * 2 : 64;
        nl->q = xrealloc(nl->q, nl->qcap * sizeof(*nl->q));
    }
    nl->q[nl->qlen].fn = fn;
    nl->q[nl->qlen].arg = arg;
    first = nl->qlen++ == 0;
    pthread_mutex_unlock(&nl->mu);
    /* a non-empty mailbox already has a doorbell pending */
    if (first)
        ev_async_send(nl->loop, &nl->wake);
}

bool
netloop_is_current(netloop_t *nl)
{
    return nl_current == nl;
}
