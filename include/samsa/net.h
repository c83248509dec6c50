/*
 * net: the listener and its IO loops.
 *
 * net_start() binds one TCP listening socket, starts @nloops netloops
 * (num.network.threads), accepts on the first one and hands accepted
 * connections to the loops round robin. Every connection calls the same
 * on_frame/on_close callbacks (conn.h).
 *
 * Threads: net_start/net_stop on the owning thread; net_port, net_nloops,
 * net_loop and net_stats from any thread.
 */
#ifndef SAMSA_NET_H
#define SAMSA_NET_H

#include <stddef.h>
#include <stdint.h>

#include "samsa/conn.h"
#include "samsa/netloop.h"

typedef struct net net_t;

typedef struct net_config {
    const char *host;          /* NULL or "" = every address */
    int port;                  /* 0 = any free port (see net_port) */
    int nloops;                /* <= 0: one per online CPU */
    int32_t max_request_bytes; /* socket.request.max.bytes; <= 0: 100 MiB */
    int64_t idle_ms;           /* connections.max.idle.ms; <= 0: never */
    conn_frame_fn on_frame;    /* required */
    conn_close_fn on_close;    /* may be NULL */
    void *ud;                  /* passed to both */
} net_config_t;

typedef struct net_stats {
    int64_t conns_active;   /* open connections now */
    int64_t conns_accepted; /* since start */
    int64_t rbuf_max_block; /* largest request buffer ever allocated */
} net_stats_t;

/*
 * Binds host:port (SO_REUSEADDR), listens and starts the loops. @cfg is
 * copied. Returns 0 and *out, or ERR_CONFIG / ERR_IO with a message in
 * @errbuf.
 */
int net_start(net_t **out, const net_config_t *cfg, char *errbuf,
              size_t errlen);

/* the bound port (useful with port 0) */
int net_port(net_t *net);
int net_nloops(net_t *net);
/* loop @i, 0 <= i < net_nloops() */
netloop_t *net_loop(net_t *net, int i);
void net_stats(net_t *net, net_stats_t *out);

/*
 * Stops accepting, closes every connection (on_close is called for each),
 * joins the loops and frees @net. Replies made later to those connections
 * are freed silently; conns still referenced by handlers stay allocated
 * until their last conn_unref(). NULL is a no-op.
 */
void net_stop(net_t *net);

#endif
