/*
 * net.c: the listener (see net.h) — one listening socket accepted on loop 0,
 * connections handed to the loops round robin.
 *
 * Owns: the listening socket, the netloops and their conn_sets, the shared
 * conn_opts. Does not own the connections' handlers (on_frame/on_close).
 *
 * Shutdown order (net_stop): stop accepting (posted to loop 0), close every
 * connection (posted to each loop, after anything already posted there),
 * stop and join the loops, then free. A connection accepted on loop 0 but
 * not yet adopted by its loop when the stop flag rises is closed unopened.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "conn_int.h"
#include "samsa/err.h"
#include "samsa/net.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define NET_ACCEPT_BATCH 64    /* accepts per wakeup */
#define NET_ACCEPT_BACKOFF 0.1 /* seconds paused after EMFILE */
#define NET_DEFAULT_MAX_REQUEST (100 * 1024 * 1024) /* Kafka's default */

struct net {
    conn_opts_t opts;
    int lfd;
    int port;
    int nloops;
    netloop_t **loops;
    conn_set_t *sets; /* one per loop */
    ev_io accept_w;   /* on loops[0] */
    ev_timer backoff; /* restarts accept_w after EMFILE */
    unsigned next;    /* round robin; loop 0 only */
    atomic_bool stopping;
};

/* a connection accepted on loop 0, on its way to another loop */
typedef struct net_adopt {
    net_t *net;
    int idx;
    int fd;
    char peer[64];
} net_adopt_t;

static void
net_format_peer(const struct sockaddr *sa, socklen_t len, char *out,
                size_t outlen)
{
    char host[48], serv[8];

    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "?");
        return;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, outlen, "[%s]:%s", host, serv);
    else
        snprintf(out, outlen, "%s:%s", host, serv);
}

static void
net_adopt_msg(void *arg)
{
    net_adopt_t *a = arg;

    if (atomic_load(&a->net->stopping))
        close(a->fd);
    else
        conn_new(&a->net->sets[a->idx], a->fd, a->peer);
    free(a);
}

static void
net_backoff_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    net_t *net = w->data;

    (void)revents;
    ev_io_start(loop, &net->accept_w);
}

static void
net_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    net_t *net = w->data;

    (void)revents;
    for (int i = 0; i < NET_ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char peer[64];
        int fd, one = 1, idx;

        fd = accept4(net->lfd, (struct sockaddr *)&ss, &sl,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            say_warn("net: accept on port %d: %s; pausing %.0f ms", net->port,
                     strerror(errno), NET_ACCEPT_BACKOFF * 1e3);
            ev_io_stop(loop, &net->accept_w);
            ev_timer_set(&net->backoff, NET_ACCEPT_BACKOFF, 0.);
            ev_timer_start(loop, &net->backoff);
            return;
        }
        /* responses are written whole; Nagle would only add latency */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        net_format_peer((struct sockaddr *)&ss, sl, peer, sizeof(peer));
        idx = (int)(net->next++ % (unsigned)net->nloops);
        if (idx == 0) {
            conn_new(&net->sets[0], fd, peer);
        } else {
            net_adopt_t *a = xmalloc(sizeof(*a));
            a->net = net;
            a->idx = idx;
            a->fd = fd;
            memcpy(a->peer, peer, sizeof(peer));
            netloop_post(net->loops[idx], net_adopt_msg, a);
        }
    }
}

static int
net_listen(net_t *net, const char *host, int port, char *errbuf, size_t errlen)
{
    struct addrinfo hints, *res, *ai;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char serv[16];
    int rc, fd = -1, one = 1, err = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(serv, sizeof(serv), "%d", port);
    rc = getaddrinfo(host, serv, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "listen %s:%d: %s", host ? host : "*", port,
                 gai_strerror(rc));
        return ERR_CONFIG;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, SOMAXCONN) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(errbuf, errlen, "listen %s:%d: %s", host ? host : "*", port,
                 strerror(err));
        return ERR_IO;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        net->port = ntohs(ss.ss_family == AF_INET6
                              ? ((struct sockaddr_in6 *)&ss)->sin6_port
                              : ((struct sockaddr_in *)&ss)->sin_port);
    net->lfd = fd;
    return 0;
}

int
net_start(net_t **out, const net_config_t *cfg, char *errbuf, size_t errlen)
{
    const char *host = cfg->host && cfg->host[0] ? cfg->host : NULL;
    net_t *net;
    int rc;

    *out = NULL;
    if (cfg->on_frame == NULL) {
        snprintf(errbuf, errlen, "net: no on_frame callback");
        return ERR_CONFIG;
    }
    net = xcalloc(1, sizeof(*net));
    net->lfd = -1;
    rc = net_listen(net, host, cfg->port, errbuf, errlen);
    if (rc != 0) {
        free(net);
        return rc;
    }
    net->opts.max_request_bytes = cfg->max_request_bytes > 0
                                      ? cfg->max_request_bytes
                                      : NET_DEFAULT_MAX_REQUEST;
    net->opts.idle_ms = cfg->idle_ms;
    net->opts.on_frame = cfg->on_frame;
    net->opts.on_close = cfg->on_close;
    net->opts.ud = cfg->ud;
    net->opts.tp = &transport_plain;
    net->nloops = cfg->nloops;
    if (net->nloops <= 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        net->nloops = ncpu > 0 ? (int)ncpu : 1;
    }
    net->loops = xcalloc((size_t)net->nloops, sizeof(*net->loops));
    net->sets = xcalloc((size_t)net->nloops, sizeof(*net->sets));
    for (int i = 0; i < net->nloops; i++) {
        net->loops[i] = netloop_new();
        conn_set_init(&net->sets[i], net->loops[i], &net->opts);
    }
    ev_io_init(&net->accept_w, net_accept_cb, net->lfd, EV_READ);
    net->accept_w.data = net;
    ev_init(&net->backoff, net_backoff_cb);
    net->backoff.data = net;
    ev_io_start(netloop_ev(net->loops[0]), &net->accept_w);
    for (int i = 0; i < net->nloops; i++) {
        char name[32];

        snprintf(name, sizeof(name), "samsa-net-%d", i);
        rc = netloop_start(net->loops[i], name);
        if (rc != 0) {
            snprintf(errbuf, errlen, "net: cannot start loop thread %d", i);
            net_stop(net);
            return rc;
        }
    }
    say_info("net: listening on %s:%d with %d loop(s)", host ? host : "*",
             net->port, net->nloops);
    *out = net;
    return 0;
}

int
net_port(net_t *net)
{
    return net->port;
}

int
net_nloops(net_t *net)
{
    return net->nloops;
}

netloop_t *
net_loop(net_t *net, int i)
{
    return i >= 0 && i < net->nloops ? net->loops[i] : NULL;
}

void
net_stats(net_t *net, net_stats_t *out)
{
    out->conns_active = atomic_load(&net->opts.conns_active);
    out->conns_accepted = atomic_load(&net->opts.conns_accepted);
    out->rbuf_max_block = atomic_load(&net->opts.rbuf_max_block);
}

static void
net_stop_accept_msg(void *arg)
{
    net_t *net = arg;
    struct ev_loop *loop = netloop_ev(net->loops[0]);

    ev_io_stop(loop, &net->accept_w);
    ev_timer_stop(loop, &net->backoff);
}

static void
net_close_all_msg(void *arg)
{
    conn_set_close_all(arg, "shutdown");
}

void
net_stop(net_t *net)
{
    if (net == NULL)
        return;
    atomic_store(&net->stopping, true);
    netloop_post(net->loops[0], net_stop_accept_msg, net);
    for (int i = 0; i < net->nloops; i++)
        netloop_post(net->loops[i], net_close_all_msg, &net->sets[i]);
    for (int i = 0; i < net->nloops; i++)
        netloop_stop(net->loops[i]);
    /*
     * Loops stopped after running the messages above; netloop_free runs any
     * posted later (late adoptions, replies to closed conns).
     */
    for (int i = 0; i < net->nloops; i++) {
        conn_set_fini(&net->sets[i]);
        netloop_free(net->loops[i]);
    }
    close(net->lfd);
    free(net->sets);
    free(net->loops);
    free(net);
}
