/*
 * conn_int.h: what the listener (net.c) needs from conn.c. Internal to
 * src/net.
 *
 * A conn_set is the per-loop half of the network layer: the list of open
 * connections on one netloop, the list of connections with output to flush
 * before the loop sleeps, and the one ev_prepare that flushes them. Loop
 * thread only, except init (before the loop runs) and fini (after it
 * stopped).
 */
#ifndef SAMSA_NET_CONN_INT_H
#define SAMSA_NET_CONN_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include <ev.h>

#include "samsa/conn.h"
#include "transport.h"

/* shared by every connection of one listener; counters are atomics */
typedef struct conn_opts {
    int32_t max_request_bytes;
    int64_t idle_ms; /* <= 0: no idle timer */
    conn_frame_fn on_frame;
    conn_close_fn on_close;
    void *ud;
    const transport_t *tp;
    atomic_llong conns_active;
    atomic_llong conns_accepted;
    atomic_llong rbuf_max_block;
} conn_opts_t;

typedef struct conn_set {
    netloop_t *nl;
    conn_opts_t *opts;
    conn_t *head;       /* open connections (conn->prev/next) */
    conn_t *flush_head; /* queued for conn_flush (conn->flush_next) */
    ev_prepare prep;    /* drains flush_head before the loop polls */
} conn_set_t;

/* starts the set's ev_prepare on @nl (before the loop runs, or on it) */
void conn_set_init(conn_set_t *set, netloop_t *nl, conn_opts_t *opts);
/* closes every connection of the set; loop thread */
void conn_set_close_all(conn_set_t *set, const char *why);
/* after the loop stopped: releases the flush list, stops the prepare */
void conn_set_fini(conn_set_t *set);

/*
 * Wraps accepted socket @fd (non-blocking, TCP_NODELAY already set) in a
 * conn on @set's loop and starts reading. Loop thread. Takes @fd.
 */
conn_t *conn_new(conn_set_t *set, int fd, const char *peer);

#endif
