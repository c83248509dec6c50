/*
 * conn.c: a client connection (see conn.h) — framing, dispatch, the in-order
 * response queue, output, backpressure and idle expiry.
 *
 * Owns: the socket (through its transport), the libev watchers embedded
 * below, the request read buffers and the queued responses. Does not own
 * what on_frame does with a request, nor the listener (net.c).
 *
 * Spec: Kafka protocol guide, "Requests and Responses" (int32 size framing,
 * responses in request order per connection), broker configs
 * socket.request.max.bytes and connections.max.idle.ms.
 *
 * Connection states (conn->state):
 *
 *                 conn_new()
 *                     |
 *                     v
 *   +-----------> READING ---- ring full (64 in flight) or -----+
 *   |                 |        > 8 MiB queued output            |
 *   |                 |        [conn_update_read]               v
 *   |                 |                                      PAUSED
 *   |                 |                                         |
 *   +-----------------|------ <= 32 in flight and <= 4 MiB -----+
 *                     |       queued [conn_update_read]         |
 *                     |                                         |
 *                     +--- EOF, I/O error, bad size, idle, -----+
 *                     |    conn_close()  [conn_close]
 *                     v
 *                  CLOSED   socket gone; struct kept while refs remain
 *                     |     (parked requests), replies freed silently
 *                     | last conn_unref()  [conn_free]
 *                     v
 *                   (freed)
 *
 * Output is a sub-state of READING/PAUSED: while a write would block the
 * write watcher (wio) is active and replies wait for it; otherwise replies
 * to the oldest request put the conn on its set's flush list, drained once
 * per loop iteration by one ev_prepare, so responses made in the same
 * iteration leave in one writev.
 *
 * Request buffers: the socket is read in 64 KiB blocks (rblock_t) and frames
 * are handed to on_frame in place, so a request costs no allocation of its
 * own. Each dispatched frame holds a reference on its block until its
 * conn_reply(); the conn holds one on the block it reads into. A block that
 * is still referenced by a parked frame is never moved: the unparsed tail is
 * copied to a fresh block instead.
 *
 * The ring holds every dispatched request until its response has been
 * written: slots head_seq..next_seq-1, indexed by seq % CONN_RING. That
 * bounds both pipelining depth and memory per connection.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "conn_int.h"
#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

#define CONN_RING 64 /* requests in flight; power of two */
#define CONN_RING_LOW (CONN_RING / 2)
#define CONN_OUT_HIGH (8u << 20)     /* stop reading above 8 MiB queued */
#define CONN_OUT_LOW (4u << 20)      /* ...and resume at 4 MiB */
#define RBLOCK_SIZE (64u << 10)      /* default read block */
#define RBLOCK_MINREAD (4u << 10)    /* smaller room: move to a new block */
#define CONN_IOV 128                 /* iovecs per writev */
#define CONN_FLUSH_BUDGET (4u << 20) /* bytes per flush before yielding */
#define CONN_SCRATCH (64u << 10)     /* pread buffer without sendfile */

typedef enum conn_state {
    CONN_READING,
    CONN_PAUSED,
    CONN_CLOSED,
} conn_state_t;

/* a read buffer; refs: the conn while it reads into it + unreplied frames */
typedef struct rblock {
    int refs;
    size_t cap;
    uint8_t data[];
} rblock_t;

/* one request in flight */
typedef struct creq {
    rblock_t *blk;  /* the frame's block until replied */
    kwrite_t *resp; /* owned once replied; NULL = nothing to send */
    bool replied;
} creq_t;

struct conn {
    ev_io rio;
    ev_io wio;
    ev_timer idle;
    conn_set_t *set; /* only while open */
    netloop_t *nl;
    conn_t *prev, *next; /* set->head list, while open */
    conn_t *flush_next;  /* set->flush_head list, while flush_queued */
    bool flush_queued;   /* holds a ref while queued */
    bool dispatching;    /* inside conn_pump: no nested dispatch */
    conn_state_t state;
    atomic_int refs;
    int fd;
    const transport_t *tp;
    void *tpctx;

    rblock_t *rblk; /* block being read into; NULL until needed */
    size_t rpos;    /* first unparsed byte */
    size_t rend;    /* end of bytes read */

    uint64_t head_seq; /* oldest request not fully written */
    uint64_t next_seq; /* seq of the next frame dispatched */
    int unreplied;
    int wpiece;  /* head response: chunk being written */
    size_t woff; /* bytes of that chunk already written */
    size_t outq; /* bytes replied and not yet written */
    ev_tstamp last_active;
    uint8_t *scratch; /* file bytes for transports without sendfile */

    void *data;
    void (*data_free)(void *);
    creq_t ring[CONN_RING];
    char peer[64];
};

static void conn_flush(conn_t *conn);
static int conn_pump(conn_t *conn);

/* ---- read blocks ---- */

/* keeps the rbuf_max_block statistic */
static void
conn_note_block(conn_t *conn, size_t cap)
{
    atomic_llong *max = &conn->set->opts->rbuf_max_block;
    long long cur = atomic_load(max);

    while ((long long)cap > cur &&
           !atomic_compare_exchange_weak(max, &cur, (long long)cap))
        ;
}

static rblock_t *
rblock_new(conn_t *conn, size_t cap)
{
    rblock_t *blk = xmalloc(sizeof(*blk) + cap);

    blk->refs = 1;
    blk->cap = cap;
    conn_note_block(conn, cap);
    return blk;
}

static void
rblock_put(rblock_t *blk)
{
    if (blk != NULL && --blk->refs == 0)
        free(blk);
}

static inline uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/*
 * Bytes wanted at rpos for the next frame: 4 without a size yet, else
 * 4 + size. Checks the size before anything is allocated for it; a bad one
 * closes the conn and returns -1.
 */
static ssize_t
conn_need(conn_t *conn)
{
    int32_t size;

    if (conn->rblk == NULL || conn->rend - conn->rpos < 4)
        return 4;
    size = (int32_t)be32(conn->rblk->data + conn->rpos);
    if (size < 0 || size > conn->set->opts->max_request_bytes) {
        say_warn("net: %s: request size %d outside 0..%d "
                 "(socket.request.max.bytes), closing",
                 conn->peer, (int)size,
                 (int)conn->set->opts->max_request_bytes);
        conn_close(conn, "bad request size");
        return -1;
    }
    return 4 + (ssize_t)size;
}

/* makes room after rend for the rest of a frame of @need bytes at rpos */
static void
conn_make_room(conn_t *conn, size_t need)
{
    rblock_t *blk = conn->rblk, *nb;
    size_t unparsed, room, want = need > RBLOCK_SIZE ? need : RBLOCK_SIZE;

    if (blk == NULL) {
        conn->rblk = rblock_new(conn, want);
        conn->rpos = conn->rend = 0;
        return;
    }
    unparsed = conn->rend - conn->rpos;
    if (unparsed == 0 && blk->refs == 1)
        conn->rpos = conn->rend = 0;
    room = blk->cap - conn->rend;
    if (blk->cap - conn->rpos >= need &&
        room >= (need - unparsed < RBLOCK_MINREAD ? need - unparsed
                                                  : RBLOCK_MINREAD))
        return;
    if (blk->refs == 1 && (blk->cap <= RBLOCK_SIZE || need > RBLOCK_SIZE)) {
        /* ours alone and the right size class: compact, grow if needed */
        memmove(blk->data, blk->data + conn->rpos, unparsed);
        conn->rpos = 0;
        conn->rend = unparsed;
        if (blk->cap < need) {
            rblock_t *grown = xrealloc(blk, sizeof(*blk) + need);
            grown->cap = need;
            conn->rblk = grown;
            conn_note_block(conn, need);
        }
        return;
    }
    /* pinned by parked frames, or oversized: the tail moves to a new block */
    nb = rblock_new(conn, want);
    memcpy(nb->data, blk->data + conn->rpos, unparsed);
    rblock_put(blk);
    conn->rblk = nb;
    conn->rpos = 0;
    conn->rend = unparsed;
}

/* ---- state ---- */

static inline uint64_t
conn_inflight(const conn_t *conn)
{
    return conn->next_seq - conn->head_seq;
}

/* may another frame be dispatched now? */
static inline bool
conn_can_dispatch(const conn_t *conn)
{
    return conn->state != CONN_CLOSED && conn_inflight(conn) < CONN_RING &&
           conn->outq <= CONN_OUT_HIGH;
}

/* READING <-> PAUSED, with hysteresis so the watcher does not flap */
static void
conn_update_read(conn_t *conn)
{
    struct ev_loop *loop = netloop_ev(conn->nl);

    if (conn->state == CONN_READING && !conn_can_dispatch(conn)) {
        ev_io_stop(loop, &conn->rio);
        conn->state = CONN_PAUSED;
    } else if (conn->state == CONN_PAUSED &&
               conn_inflight(conn) <= CONN_RING_LOW &&
               conn->outq <= CONN_OUT_LOW) {
        ev_io_start(loop, &conn->rio);
        conn->state = CONN_READING;
    }
}

/*
 * Hands every complete buffered frame to on_frame while the limits allow.
 * Returns the number dispatched. May close the conn (bad size, or on_frame
 * closing it); callers hold a ref.
 */
static int
conn_pump(conn_t *conn)
{
    conn_opts_t *opts;
    int n = 0;

    if (conn->dispatching || conn->state == CONN_CLOSED)
        return 0;
    opts = conn->set->opts;
    conn->dispatching = true;
    while (conn_can_dispatch(conn)) {
        ssize_t need = conn_need(conn);
        uint64_t seq;
        creq_t *q;
        uint8_t *frame;

        if (need < 0 || conn->rblk == NULL ||
            conn->rend - conn->rpos < (size_t)need)
            break;
        seq = conn->next_seq++;
        q = &conn->ring[seq & (CONN_RING - 1)];
        q->blk = conn->rblk;
        q->blk->refs++;
        q->resp = NULL;
        q->replied = false;
        conn->unreplied++;
        frame = conn->rblk->data + conn->rpos + 4;
        conn->rpos += (size_t)need;
        opts->on_frame(conn, seq, frame, (size_t)need - 4, opts->ud);
        n++;
    }
    conn->dispatching = false;
    if (conn->state != CONN_CLOSED)
        conn_update_read(conn);
    return n;
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    conn_t *conn = w->data;
    ssize_t need, n;

    (void)revents;
    need = conn_need(conn);
    if (need < 0)
        return;
    if (conn->rblk != NULL && conn->rend - conn->rpos >= (size_t)need) {
        /* a whole frame is already buffered: dispatch before reading */
        conn_ref(conn);
        conn_pump(conn);
        conn_unref(conn);
        return;
    }
    conn_make_room(conn, (size_t)need);
    n = conn->tp->read(conn->tpctx, conn->fd, conn->rblk->data + conn->rend,
                       conn->rblk->cap - conn->rend);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0)
            conn_close(conn, strerror(errno));
        else if (conn->rend > conn->rpos)
            conn_close(conn, "peer closed inside a request");
        else
            conn_close(conn, "peer closed");
        return;
    }
    conn->rend += (size_t)n;
    conn->last_active = ev_now(loop);
    conn_ref(conn);
    conn_pump(conn);
    conn_unref(conn);
}

/* ---- output ---- */

static void
conn_queue_flush(conn_t *conn)
{
    if (conn->flush_queued || ev_is_active(&conn->wio))
        return;
    conn_ref(conn);
    conn->flush_queued = true;
    conn->flush_next = conn->set->flush_head;
    conn->set->flush_head = conn;
}

static void
conn_resp_free(kwrite_t *resp)
{
    if (resp != NULL) {
        kwrite_fini(resp);
        free(resp);
    }
}

/*
 * Consumes @n written bytes from the head of the ring, completing (and
 * freeing) every response written in full and skipping replies without
 * one. With @n 0 it only skips what is already complete.
 */
static void
conn_advance(conn_t *conn, size_t n)
{
    while (conn->head_seq < conn->next_seq) {
        creq_t *q = &conn->ring[conn->head_seq & (CONN_RING - 1)];
        size_t rem, take;

        if (!q->replied)
            break;
        if (q->resp == NULL || conn->wpiece >= q->resp->nchunks) {
            conn_resp_free(q->resp);
            q->resp = NULL;
            q->replied = false;
            conn->head_seq++;
            conn->wpiece = 0;
            conn->woff = 0;
            continue;
        }
        rem = q->resp->chunks[conn->wpiece].len - conn->woff;
        if (rem == 0) {
            conn->wpiece++;
            conn->woff = 0;
            continue;
        }
        if (n == 0)
            break;
        take = rem < n ? rem : n;
        conn->woff += take;
        conn->outq -= take;
        n -= take;
    }
}

/*
 * Fills @iov from the head of the ring: buffer pieces of consecutive
 * replied responses, stopping before a file chunk. *fch is set instead when
 * the very first piece is a file chunk. *more: output remains after these.
 */
static int
conn_gather(conn_t *conn, struct iovec *iov, size_t *want, const kchunk_t **fch,
            bool *more)
{
    uint64_t s = conn->head_seq;
    int piece = conn->wpiece, cnt = 0;
    size_t off = conn->woff;

    *want = 0;
    *fch = NULL;
    *more = false;
    for (; s < conn->next_seq; s++, piece = 0, off = 0) {
        creq_t *q = &conn->ring[s & (CONN_RING - 1)];
        kwrite_t *kw = q->resp;

        if (!q->replied)
            return cnt;
        if (kw == NULL)
            continue;
        for (; piece < kw->nchunks; piece++, off = 0) {
            const kchunk_t *ch = &kw->chunks[piece];
            size_t len = ch->len;

            if (len == off)
                continue;
            if (ch->fd >= 0) {
                if (cnt == 0)
                    *fch = ch;
                else
                    *more = true;
                return cnt;
            }
            if (cnt == CONN_IOV) {
                *more = true;
                return cnt;
            }
            iov[cnt].iov_base = kw->buf.data + ch->boff + off;
            iov[cnt].iov_len = len - off;
            *want += len - off;
            cnt++;
        }
    }
    return cnt;
}

/* writes the head file chunk from offset conn->woff */
static ssize_t
conn_send_file(conn_t *conn, const kchunk_t *ch, size_t *want)
{
    uint64_t off = ch->foff + conn->woff;
    size_t len = ch->len - conn->woff;
    struct iovec iov;
    ssize_t n;

    if (conn->tp->can_sendfile) {
        *want = len;
        return conn->tp->sendfile(conn->tpctx, conn->fd, ch->fd, &off, len);
    }
    if (conn->scratch == NULL)
        conn->scratch = xmalloc(CONN_SCRATCH);
    if (len > CONN_SCRATCH)
        len = CONN_SCRATCH;
    n = pread(ch->fd, conn->scratch, len, (off_t)off);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    iov.iov_base = conn->scratch;
    iov.iov_len = (size_t)n;
    *want = (size_t)n;
    return conn->tp->writev(conn->tpctx, conn->fd, &iov, 1, true);
}

/*
 * Writes as much queued output as the socket takes (up to a budget, for
 * fairness between connections). Starts the write watcher when the socket
 * is full, stops it when nothing is left. May close the conn.
 */
static void
conn_flush(conn_t *conn)
{
    struct ev_loop *loop = netloop_ev(conn->nl);
    struct iovec iov[CONN_IOV];
    size_t budget = CONN_FLUSH_BUDGET;

    while (conn->state != CONN_CLOSED) {
        const kchunk_t *fch;
        size_t want;
        bool more;
        ssize_t n;
        int cnt;

        conn_advance(conn, 0);
        cnt = conn_gather(conn, iov, &want, &fch, &more);
        if (cnt == 0 && fch == NULL) {
            ev_io_stop(loop, &conn->wio);
            return;
        }
        if (cnt > 0)
            n = conn->tp->writev(conn->tpctx, conn->fd, iov, cnt, more);
        else
            n = conn_send_file(conn, fch, &want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            ev_io_start(loop, &conn->wio);
            return;
        }
        if (n <= 0) {
            /* sendfile/pread 0: the file is shorter than the slice */
            conn_close(conn, n < 0 ? strerror(errno)
                                   : "file chunk shorter than promised");
            return;
        }
        conn->last_active = ev_now(loop);
        conn_advance(conn, (size_t)n);
        if ((size_t)n < want || (size_t)n >= budget) {
            /* socket buffer full (or our turn is over): wait for EV_WRITE */
            ev_io_start(loop, &conn->wio);
            return;
        }
        budget -= (size_t)n;
    }
}

/* flush, then dispatch frames the flush made room for, until stable */
static void
conn_flush_and_pump(conn_t *conn)
{
    conn_ref(conn);
    do
        conn_flush(conn);
    while (conn->state != CONN_CLOSED && !ev_is_active(&conn->wio) &&
           conn_pump(conn) > 0);
    if (conn->state == CONN_PAUSED)
        conn_update_read(conn);
    conn_unref(conn);
}

static void
conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    conn_t *conn = w->data;

    (void)loop;
    (void)revents;
    conn_flush_and_pump(conn);
}

static void
conn_set_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    conn_set_t *set = w->data;
    conn_t *conn;

    (void)loop;
    (void)revents;
    /* replies made while draining push more conns; loop until empty */
    while ((conn = set->flush_head) != NULL) {
        set->flush_head = conn->flush_next;
        conn->flush_next = NULL;
        conn->flush_queued = false;
        if (conn->state != CONN_CLOSED)
            conn_flush_and_pump(conn);
        conn_unref(conn); /* the queue's ref */
    }
}

void
conn_reply(conn_t *conn, uint64_t seq, kwrite_t *resp)
{
    creq_t *q = &conn->ring[seq & (CONN_RING - 1)];
    size_t total = 0;

    assert(seq >= conn->head_seq && seq < conn->next_seq && !q->replied);
    rblock_put(q->blk);
    q->blk = NULL;
    q->replied = true;
    conn->unreplied--;
    if (conn->state == CONN_CLOSED) {
        conn_resp_free(resp);
        return;
    }
    assert(netloop_is_current(conn->nl));
    if (resp != NULL) {
        kwrite_finish(resp);
        for (int i = 0; i < resp->nchunks; i++)
            total += resp->chunks[i].len;
        /* the caller wrote the size: int32 total - 4, in the first run */
        assert(
            total >= 4 && resp->chunks[0].fd < 0 && resp->chunks[0].len >= 4 &&
            (uint32_t)(resp->buf.data[resp->chunks[0].boff] << 24 |
                       resp->buf.data[resp->chunks[0].boff + 1] << 16 |
                       resp->buf.data[resp->chunks[0].boff + 2] << 8 |
                       resp->buf.data[resp->chunks[0].boff + 3]) == total - 4);
        q->resp = resp;
        conn->outq += total;
    }
    if (seq == conn->head_seq)
        conn_queue_flush(conn);
}

typedef struct conn_reply_msg {
    conn_t *conn;
    uint64_t seq;
    kwrite_t *resp;
} conn_reply_msg_t;

static void
conn_reply_msg(void *arg)
{
    conn_reply_msg_t *m = arg;

    conn_reply(m->conn, m->seq, m->resp);
    conn_unref(m->conn);
    free(m);
}

void
conn_reply_async(conn_t *conn, uint64_t seq, kwrite_t *resp)
{
    conn_reply_msg_t *m = xmalloc(sizeof(*m));

    m->conn = conn;
    m->seq = seq;
    m->resp = resp;
    conn_ref(conn);
    netloop_post(conn->nl, conn_reply_msg, m);
}

/* ---- idle expiry ---- */

static void
conn_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    conn_t *conn = w->data;
    ev_tstamp now = ev_now(loop), left;

    (void)revents;
    /* a parked request (long-poll fetch, acks=all) is not idleness */
    if (conn->unreplied > 0)
        conn->last_active = now;
    left = conn->last_active + (double)conn->set->opts->idle_ms / 1e3 - now;
    if (left <= 0) {
        say_debug("net: %s: idle for %lld ms, closing", conn->peer,
                  (long long)conn->set->opts->idle_ms);
        conn_close(conn, "idle");
        return;
    }
    /* an idle conn gives its empty read block back */
    if (conn->rblk != NULL && conn->rblk->refs == 1 &&
        conn->rpos == conn->rend && now - conn->last_active > 1.0) {
        rblock_put(conn->rblk);
        conn->rblk = NULL;
        conn->rpos = conn->rend = 0;
    }
    w->repeat = left;
    ev_timer_again(loop, w);
}

/* ---- lifetime ---- */

conn_t *
conn_new(conn_set_t *set, int fd, const char *peer)
{
    struct ev_loop *loop = netloop_ev(set->nl);
    conn_t *conn = xcalloc(1, sizeof(*conn));

    conn->set = set;
    conn->nl = set->nl;
    conn->fd = fd;
    conn->tp = set->opts->tp;
    conn->state = CONN_READING;
    atomic_init(&conn->refs, 1); /* the open connection's own ref */
    snprintf(conn->peer, sizeof(conn->peer), "%s", peer);
    conn->last_active = ev_now(loop);
    ev_io_init(&conn->rio, conn_read_cb, fd, EV_READ);
    conn->rio.data = conn;
    ev_io_init(&conn->wio, conn_write_cb, fd, EV_WRITE);
    conn->wio.data = conn;
    ev_init(&conn->idle, conn_idle_cb);
    conn->idle.data = conn;
    conn->next = set->head;
    if (set->head != NULL)
        set->head->prev = conn;
    set->head = conn;
    atomic_fetch_add(&set->opts->conns_active, 1);
    atomic_fetch_add(&set->opts->conns_accepted, 1);
    ev_io_start(loop, &conn->rio);
    if (set->opts->idle_ms > 0) {
        conn->idle.repeat = (double)set->opts->idle_ms / 1e3;
        ev_timer_again(loop, &conn->idle);
    }
    say_debug("net: %s: connected", conn->peer);
    return conn;
}

void
conn_close(conn_t *conn, const char *why)
{
    conn_set_t *set = conn->set;
    struct ev_loop *loop;

    if (conn->state == CONN_CLOSED)
        return;
    loop = netloop_ev(conn->nl);
    conn->state = CONN_CLOSED;
    say_debug("net: %s: closed: %s", conn->peer, why);
    ev_io_stop(loop, &conn->rio);
    ev_io_stop(loop, &conn->wio);
    ev_timer_stop(loop, &conn->idle);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        set->head = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    atomic_fetch_sub(&set->opts->conns_active, 1);
    conn->tp->close(conn->tpctx, conn->fd);
    conn->fd = -1;
    /* drop responses not yet written; unreplied frames keep their blocks */
    for (uint64_t s = conn->head_seq; s < conn->next_seq; s++) {
        creq_t *q = &conn->ring[s & (CONN_RING - 1)];
        conn_resp_free(q->resp);
        q->resp = NULL;
    }
    conn->outq = 0;
    rblock_put(conn->rblk);
    conn->rblk = NULL;
    conn->rpos = conn->rend = 0;
    if (set->opts->on_close != NULL)
        set->opts->on_close(conn, set->opts->ud);
    conn->set = NULL;
    conn_unref(conn);
}

static void
conn_free(conn_t *conn)
{
    assert(conn->state == CONN_CLOSED);
    for (uint64_t s = conn->head_seq; s < conn->next_seq; s++) {
        creq_t *q = &conn->ring[s & (CONN_RING - 1)];
        rblock_put(q->blk);
        conn_resp_free(q->resp);
    }
    if (conn->data_free != NULL)
        conn->data_free(conn->data);
    free(conn->scratch);
    free(conn);
}

void
conn_ref(conn_t *conn)
{
    atomic_fetch_add_explicit(&conn->refs, 1, memory_order_relaxed);
}

void
conn_unref(conn_t *conn)
{
    if (conn != NULL &&
        atomic_fetch_sub_explicit(&conn->refs, 1, memory_order_acq_rel) == 1)
        conn_free(conn);
}

bool
conn_is_closed(conn_t *conn)
{
    return conn->state == CONN_CLOSED;
}

netloop_t *
conn_loop(conn_t *conn)
{
    return conn->nl;
}

const char *
conn_peer(conn_t *conn)
{
    return conn->peer;
}

void
conn_set_data(conn_t *conn, void *data, void (*free_fn)(void *))
{
    if (conn->data_free != NULL && conn->data != data)
        conn->data_free(conn->data);
    conn->data = data;
    conn->data_free = free_fn;
}

void *
conn_get_data(conn_t *conn)
{
    return conn->data;
}

/* ---- per-loop set ---- */

void
conn_set_init(conn_set_t *set, netloop_t *nl, conn_opts_t *opts)
{
    memset(set, 0, sizeof(*set));
    set->nl = nl;
    set->opts = opts;
    ev_prepare_init(&set->prep, conn_set_prepare_cb);
    set->prep.data = set;
    ev_prepare_start(netloop_ev(nl), &set->prep);
}

void
conn_set_close_all(conn_set_t *set, const char *why)
{
    while (set->head != NULL)
        conn_close(set->head, why);
}

void
conn_set_fini(conn_set_t *set)
{
    conn_t *conn;

    conn_set_close_all(set, "shutdown");
    while ((conn = set->flush_head) != NULL) {
        set->flush_head = conn->flush_next;
        conn->flush_queued = false;
        conn_unref(conn);
    }
    ev_prepare_stop(netloop_ev(set->nl), &set->prep);
}
