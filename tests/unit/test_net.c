/*
 * test_net.c: netloop, conn, net and kclient from src/net.
 *
 * Each test starts a listener on 127.0.0.1 port 0 whose on_frame acts on
 * the first byte of the request:
 *   'E' echo the frame        'N' no response (acks=0)
 *   'R' park; every 10th frame answers the 10 parked ones in reverse order
 *       through netloop_post + conn_reply_async
 *   'F' "F<" + a file slice of the whole test file + ">" (sendfile)
 *   'B' a 6 MiB in-memory response
 *   'P' the peer name conn_peer() reports
 * and the test thread talks to it with kclient.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "samsa/clock.h"
#include "samsa/conn.h"
#include "samsa/err.h"
#include "samsa/kclient.h"
#include "samsa/kwrite.h"
#include "samsa/net.h"
#include "samsa/netloop.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"
#include "unit.h"

#define TFILE_LEN (3 * 1024 * 1024 + 17)
#define TBIG_LEN (6 * 1024 * 1024)
#define TGROUP 10

typedef struct tnet {
    net_t *net;
    atomic_int closes;
    atomic_int unrefs; /* file slices released */
    int file_fd;
    char *dir;
} tnet_t;

/* the 'R' frames parked on one connection (its conn data) */
typedef struct tgroup {
    conn_t *conn;
    int n;
    uint64_t seq[TGROUP];
    uint8_t *frame[TGROUP];
    size_t len[TGROUP];
} tgroup_t;

static uint8_t
tpattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 13));
}

static kwrite_t *
tresp_new(void)
{
    kwrite_t *kw = xmalloc(sizeof(*kw));

    kwrite_init(kw);
    kwrite_mark_i32(kw);
    return kw;
}

static kwrite_t *
tresp_done(kwrite_t *kw)
{
    kwrite_patch_i32(kw, 0, (int32_t)(kwrite_len(kw) - 4));
    return kw;
}

static kwrite_t *
techo(const uint8_t *frame, size_t len)
{
    kwrite_t *kw = tresp_new();

    kwrite_raw(kw, frame, len);
    return tresp_done(kw);
}

static void
tslice_unref(void *ref)
{
    atomic_fetch_add((atomic_int *)ref, 1);
}

/* on the loop, a little later: the parked frames answered last first */
static void
tgroup_reply_reverse(void *arg)
{
    tgroup_t *g = arg;

    for (int i = g->n - 1; i >= 0; i--) {
        /* the frame is still valid: conn_reply has not been called yet */
        conn_reply_async(g->conn, g->seq[i], techo(g->frame[i], g->len[i]));
        conn_unref(g->conn); /* the park's ref; the async reply holds one */
    }
    free(g);
}

static void
ton_frame(conn_t *conn, uint64_t seq, uint8_t *frame, size_t len, void *ud)
{
    tnet_t *t = ud;
    kwrite_t *kw;

    if (!netloop_is_current(conn_loop(conn)))
        abort();
    switch (len ? frame[0] : 0) {
    case 'N': conn_reply(conn, seq, NULL); return;
    case 'R': {
        tgroup_t *g = conn_get_data(conn);

        if (g == NULL) {
            g = xcalloc(1, sizeof(*g));
            g->conn = conn;
            conn_set_data(conn, g, free);
        }
        conn_ref(conn);
        g->seq[g->n] = seq;
        g->frame[g->n] = frame;
        g->len[g->n] = len;
        if (++g->n == TGROUP) {
            tgroup_t *full = xmalloc(sizeof(*full));
            memcpy(full, g, sizeof(*full));
            g->n = 0;
            netloop_post(conn_loop(conn), tgroup_reply_reverse, full);
        }
        return;
    }
    case 'F': {
        fslice_t fs = {.fd = t->file_fd,
                       .off = 0,
                       .len = TFILE_LEN,
                       .unref = tslice_unref,
                       .ref = &t->unrefs};
        kw = tresp_new();
        kwrite_raw(kw, "F<", 2);
        kwrite_file(kw, &fs);
        kwrite_raw(kw, ">", 1);
        conn_reply(conn, seq, tresp_done(kw));
        return;
    }
    case 'B': {
        kw = tresp_new();
        for (size_t i = 0; i < TBIG_LEN; i++)
            kwrite_i8(kw, (int8_t)tpattern(i));
        conn_reply(conn, seq, tresp_done(kw));
        return;
    }
    case 'P':
        kw = tresp_new();
        kwrite_raw(kw, conn_peer(conn), strlen(conn_peer(conn)));
        conn_reply(conn, seq, tresp_done(kw));
        return;
    default: conn_reply(conn, seq, techo(frame, len));
    }
}

static void
ton_close(conn_t *conn, void *ud)
{
    tnet_t *t = ud;
    tgroup_t *g = conn_get_data(conn);

    /* parked requests are answered (into the void) and released */
    while (g != NULL && g->n > 0) {
        g->n--;
        conn_reply(conn, g->seq[g->n], NULL);
        conn_unref(conn);
    }
    atomic_fetch_add(&t->closes, 1);
}

static void
tnet_start(tnet_t *t, int32_t max_request, int64_t idle_ms)
{
    net_config_t cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .nloops = 2,
        .max_request_bytes = max_request,
        .idle_ms = idle_ms,
        .on_frame = ton_frame,
        .on_close = ton_close,
        .ud = t,
    };
    char errbuf[256], path[512];
    uint8_t *data;
    int rc;

    memset(t, 0, sizeof(*t));
    say_set_level(SAY_WARN); /* no "listening on" line per test */
    t->dir = unit_tmpdir("net");
    snprintf(path, sizeof(path), "%s/slice", t->dir);
    t->file_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(t->file_fd >= 0);
    data = xmalloc(TFILE_LEN);
    for (size_t i = 0; i < TFILE_LEN; i++)
        data[i] = tpattern(i + 1);
    CU_ASSERT_FATAL(write(t->file_fd, data, TFILE_LEN) == TFILE_LEN);
    free(data);
    rc = net_start(&t->net, &cfg, errbuf, sizeof(errbuf));
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(net_port(t->net) > 0);
    CU_ASSERT_EQUAL(net_nloops(t->net), 2);
}

static void
tnet_stop(tnet_t *t)
{
    net_stop(t->net);
    say_set_level(SAY_INFO);
    close(t->file_fd);
    unit_rmtree(t->dir);
    free(t->dir);
}

static kclient_t *
tconnect(tnet_t *t)
{
    kclient_t *kc = NULL;
    char errbuf[256];

    CU_ASSERT_EQUAL_FATAL(kclient_connect(&kc, "127.0.0.1", net_port(t->net),
                                          2000, errbuf, sizeof(errbuf)),
                          0);
    return kc;
}

/* waits up to 2 s for @cond; returns it */
#define TWAIT(cond)                                                            \
    ({                                                                         \
        int64_t _end = clock_mono_ms() + 2000;                                 \
        while (!(cond) && clock_mono_ms() < _end)                              \
            usleep(1000);                                                      \
        (cond);                                                                \
    })

static int64_t
tactive(tnet_t *t)
{
    net_stats_t st;

    net_stats(t->net, &st);
    return st.conns_active;
}

static void
techo_ok(kclient_t *kc, const char *msg)
{
    buf_t b = BUF_INIT;

    CU_ASSERT_EQUAL(kclient_send(kc, msg, strlen(msg)), 0);
    CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 2000), 0);
    CU_ASSERT_EQUAL(b.len, strlen(msg));
    CU_ASSERT(b.len == strlen(msg) && memcmp(b.data, msg, b.len) == 0);
    buf_fini(&b);
}

/* ---- netloop ---- */

typedef struct tpost {
    netloop_t *nl;
    int next;
    bool in_order;
    bool on_loop;
} tpost_t;

static tpost_t tpost_state;
static int tpost_vals[1000];

static void
tpost_cb(void *arg)
{
    int v = *(int *)arg;

    tpost_state.in_order &= v == tpost_state.next;
    tpost_state.on_loop &= netloop_is_current(tpost_state.nl);
    tpost_state.next = v + 1;
}

static void
test_netloop_post_runs_in_order_on_loop_thread(void)
{
    netloop_t *nl = netloop_new();

    tpost_state.nl = nl;
    tpost_state.next = 0;
    tpost_state.in_order = true;
    tpost_state.on_loop = true;
    CU_ASSERT_EQUAL(netloop_start(nl, "test-loop"), 0);
    CU_ASSERT_EQUAL(netloop_start(nl, "test-loop"), ERR_STATE);
    CU_ASSERT_FALSE(netloop_is_current(nl));
    for (int i = 0; i < 1000; i++) {
        tpost_vals[i] = i;
        netloop_post(nl, tpost_cb, &tpost_vals[i]);
        if (i % 100 == 0)
            usleep(100);
    }
    netloop_stop(nl); /* runs everything posted before it */
    CU_ASSERT_EQUAL(tpost_state.next, 1000);
    CU_ASSERT(tpost_state.in_order);
    CU_ASSERT(tpost_state.on_loop);
    netloop_stop(nl);
    netloop_free(nl);
    netloop_free(NULL);
}

/* ---- net + conn ---- */

static void
test_net_round_trip_and_peer_name(void)
{
    tnet_t t;
    kclient_t *kc;
    buf_t b = BUF_INIT;

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    techo_ok(kc, "Ehello, samsa");
    CU_ASSERT_EQUAL(kclient_send(kc, "P", 1), 0);
    CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 2000), 0);
    CU_ASSERT(b.len > 10 && memcmp(b.data, "127.0.0.1:", 10) == 0);
    /* an empty frame is a frame too */
    CU_ASSERT_EQUAL(kclient_send(kc, "", 0), 0);
    CU_ASSERT_EQUAL(kclient_recv(kc, &b, 2000), 0);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(tactive(&t), 1);
    kclient_close(kc);
    CU_ASSERT(TWAIT(atomic_load(&t.closes) == 1));
    CU_ASSERT(TWAIT(tactive(&t) == 0));
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_pipelined_replies_leave_in_request_order(void)
{
    tnet_t t;
    kclient_t *kc;
    buf_t b = BUF_INIT;
    uint8_t req[64];

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    /* 100 parked requests answered in reverse groups of 10, off-thread */
    for (int i = 0; i < 100; i++) {
        memset(req, 0, sizeof(req));
        req[0] = 'R';
        memcpy(req + 1, &i, sizeof(i));
        CU_ASSERT_EQUAL(kclient_send(kc, req, 1 + sizeof(i) + i % 50), 0);
    }
    for (int i = 0; i < 100; i++) {
        int got = -1;

        CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 3000), 0);
        CU_ASSERT_EQUAL(b.len, 1 + sizeof(i) + i % 50);
        memcpy(&got, b.data + 1, sizeof(got));
        CU_ASSERT_EQUAL(got, i);
    }
    /* parked frames pin their read blocks; larger ones span several */
    for (int i = 0; i < 100; i++) {
        size_t len = 1000 + (size_t)(i * 997) % 9000;
        uint8_t *big = xmalloc(len);

        for (size_t j = 0; j < len; j++)
            big[j] = tpattern(j + (size_t)i);
        big[0] = 'R';
        memcpy(big + 1, &i, sizeof(i));
        CU_ASSERT_EQUAL(kclient_send(kc, big, len), 0);
        free(big);
    }
    for (int i = 0; i < 100; i++) {
        size_t len = 1000 + (size_t)(i * 997) % 9000;
        bool same = true;
        int got = -1;

        CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 3000), 0);
        CU_ASSERT_EQUAL_FATAL(b.len, len);
        memcpy(&got, b.data + 1, sizeof(got));
        CU_ASSERT_EQUAL(got, i);
        for (size_t j = 1 + sizeof(i); j < len && same; j++)
            same = b.data[j] == tpattern(j + (size_t)i);
        CU_ASSERT(same);
    }
    /* 1000 small echo requests written before any is read; 'N' in between */
    for (int i = 0; i < 1000; i++) {
        memset(req, 'x', sizeof(req));
        req[0] = i % 10 == 9 ? 'N' : 'E';
        memcpy(req + 1, &i, sizeof(i));
        CU_ASSERT_EQUAL(kclient_send(kc, req, sizeof(req)), 0);
    }
    for (int i = 0; i < 1000; i++) {
        int got = -1;

        if (i % 10 == 9)
            continue;
        CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 3000), 0);
        memcpy(&got, b.data + 1, sizeof(got));
        CU_ASSERT_EQUAL(got, i);
    }
    CU_ASSERT_EQUAL(kclient_recv(kc, &b, 50), ERR_AGAIN);
    kclient_close(kc);
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_oversized_frame_closes_without_allocating(void)
{
    tnet_t t;
    kclient_t *kc, *other;
    buf_t b = BUF_INIT;
    net_stats_t st;
    /* 64 MiB announced, 1 MiB allowed: only the size is ever sent */
    const uint8_t big[4] = {0x04, 0x00, 0x00, 0x00};

    tnet_start(&t, 1 << 20, 0);
    other = tconnect(&t);
    kc = tconnect(&t);
    techo_ok(kc, "Efirst");
    CU_ASSERT_EQUAL(kclient_send_raw(kc, big, 4), 0);
    CU_ASSERT_EQUAL(kclient_recv(kc, &b, 2000), ERR_IO);
    net_stats(t.net, &st);
    CU_ASSERT(st.rbuf_max_block < (1 << 20) + 4);
    CU_ASSERT(TWAIT(atomic_load(&t.closes) == 1));
    techo_ok(other, "Estill here");
    kclient_close(kc);
    kclient_close(other);
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_negative_frame_size_closes(void)
{
    tnet_t t;
    kclient_t *kc;
    buf_t b = BUF_INIT;
    const uint8_t neg[8] = {0xff, 0xff, 0xff, 0xf0, 'E', 'x', 'y', 'z'};

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    CU_ASSERT_EQUAL(kclient_send_raw(kc, neg, sizeof(neg)), 0);
    CU_ASSERT_EQUAL(kclient_recv(kc, &b, 2000), ERR_IO);
    CU_ASSERT(TWAIT(tactive(&t) == 0));
    kclient_close(kc);
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_truncated_frame_then_close_is_harmless(void)
{
    tnet_t t;
    kclient_t *kc;
    const uint8_t part[14] = {0, 0, 0, 100, 'E', 1, 2, 3, 4, 5, 6, 7, 8, 9};

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    CU_ASSERT_EQUAL(kclient_send_raw(kc, part, sizeof(part)), 0);
    kclient_close(kc);
    CU_ASSERT(TWAIT(atomic_load(&t.closes) == 1));
    CU_ASSERT(TWAIT(tactive(&t) == 0));
    kc = tconnect(&t);
    techo_ok(kc, "Eafter");
    kclient_close(kc);
    tnet_stop(&t);
}

static void
test_net_idle_connection_is_closed(void)
{
    tnet_t t;
    kclient_t *kc, *busy;
    buf_t b = BUF_INIT;
    int64_t start;

    tnet_start(&t, 1 << 20, 200);
    kc = tconnect(&t);
    busy = tconnect(&t);
    techo_ok(kc, "Eactive once");
    start = clock_mono_ms();
    /* the busy one keeps talking every 50 ms and survives */
    for (int i = 0; i < 8; i++) {
        usleep(50 * 1000);
        techo_ok(busy, "Estill busy");
    }
    CU_ASSERT_EQUAL(kclient_recv(kc, &b, 3000), ERR_IO);
    CU_ASSERT(clock_mono_ms() - start >= 150);
    CU_ASSERT_EQUAL(atomic_load(&t.closes), 1);
    techo_ok(busy, "Estill busy");
    kclient_close(kc);
    kclient_close(busy);
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_file_chunk_arrives_intact_via_sendfile(void)
{
    tnet_t t;
    kclient_t *kc;
    buf_t b = BUF_INIT;
    bool same = true;

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    for (int round = 0; round < 2; round++) {
        CU_ASSERT_EQUAL(kclient_send(kc, "F", 1), 0);
        CU_ASSERT_EQUAL_FATAL(kclient_recv(kc, &b, 5000), 0);
        CU_ASSERT_EQUAL_FATAL(b.len, TFILE_LEN + 3);
        CU_ASSERT(memcmp(b.data, "F<", 2) == 0);
        CU_ASSERT_EQUAL(b.data[TFILE_LEN + 2], '>');
        for (size_t i = 0; i < TFILE_LEN && same; i++)
            same = b.data[2 + i] == tpattern(i + 1);
        CU_ASSERT(same);
    }
    techo_ok(kc, "Eafter the file");
    CU_ASSERT(TWAIT(atomic_load(&t.unrefs) == 2));
    kclient_close(kc);
    buf_fini(&b);
    tnet_stop(&t);
}

/* reads one frame in 16 KiB sips with pauses: a slow consumer */
static int
tslow_recv(int fd, buf_t *out)
{
    uint8_t hdr[4];
    size_t got = 0, need;

    while (got < 4) {
        ssize_t n = recv(fd, hdr + got, 4 - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    need = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 |
           hdr[3];
    buf_reset(out);
    buf_reserve(out, need);
    while (out->len < need) {
        size_t want = need - out->len < 16384 ? need - out->len : 16384;
        ssize_t n = recv(fd, out->data + out->len, want, 0);
        if (n <= 0)
            return -1;
        out->len += (size_t)n;
        if (out->len % (256 * 1024) < 16384)
            usleep(2000);
    }
    return 0;
}

static void
test_net_large_response_to_slow_reader_completes(void)
{
    tnet_t t;
    kclient_t *kc;
    buf_t b = BUF_INIT;
    bool same = true;

    tnet_start(&t, 1 << 20, 0);
    kc = tconnect(&t);
    CU_ASSERT_EQUAL(kclient_send(kc, "B", 1), 0);
    CU_ASSERT_EQUAL(kclient_send(kc, "Eafter big", 10), 0);
    CU_ASSERT_EQUAL(kclient_send(kc, "F", 1), 0);
    usleep(200 * 1000); /* let the server fill the socket and wait */
    CU_ASSERT_EQUAL_FATAL(tslow_recv(kclient_fd(kc), &b), 0);
    CU_ASSERT_EQUAL_FATAL(b.len, TBIG_LEN);
    for (size_t i = 0; i < TBIG_LEN && same; i++)
        same = b.data[i] == tpattern(i);
    CU_ASSERT(same);
    CU_ASSERT_EQUAL_FATAL(tslow_recv(kclient_fd(kc), &b), 0);
    CU_ASSERT(b.len == 10 && memcmp(b.data, "Eafter big", 10) == 0);
    CU_ASSERT_EQUAL_FATAL(tslow_recv(kclient_fd(kc), &b), 0);
    CU_ASSERT_EQUAL(b.len, TFILE_LEN + 3);
    kclient_close(kc);
    buf_fini(&b);
    tnet_stop(&t);
}

static void
test_net_stop_with_open_connections_frees_everything(void)
{
    tnet_t t;
    kclient_t *idle, *parked, *partial, *unread;
    buf_t b = BUF_INIT;
    const uint8_t part[6] = {0, 0, 0, 50, 'E', 'x'};

    tnet_start(&t, 1 << 20, 0);
    idle = tconnect(&t);
    parked = tconnect(&t);
    partial = tconnect(&t);
    unread = tconnect(&t);
    techo_ok(idle, "Ehi");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(kclient_send(parked, "R", 1), 0);
    CU_ASSERT_EQUAL(kclient_send_raw(partial, part, sizeof(part)), 0);
    CU_ASSERT_EQUAL(kclient_send(unread, "B", 1), 0);
    CU_ASSERT_EQUAL(kclient_send(unread, "F", 1), 0);
    CU_ASSERT(TWAIT(tactive(&t) == 4));
    usleep(100 * 1000);
    net_stop(t.net);
    CU_ASSERT_EQUAL(atomic_load(&t.closes), 4);
    CU_ASSERT_EQUAL(kclient_recv(idle, &b, 2000), ERR_IO);
    CU_ASSERT_EQUAL(kclient_recv(parked, &b, 2000), ERR_IO);
    kclient_close(idle);
    kclient_close(parked);
    kclient_close(partial);
    kclient_close(unread);
    close(t.file_fd);
    unit_rmtree(t.dir);
    free(t.dir);
    buf_fini(&b);
}

static void
test_net_start_reports_bind_failure(void)
{
    tnet_t t;
    net_t *net2 = NULL;
    net_config_t cfg = {
        .host = "127.0.0.1", .nloops = 1, .on_frame = ton_frame};
    char errbuf[256] = "";

    tnet_start(&t, 1 << 20, 0);
    cfg.port = net_port(t.net);
    CU_ASSERT_EQUAL(net_start(&net2, &cfg, errbuf, sizeof(errbuf)), ERR_IO);
    CU_ASSERT_PTR_NULL(net2);
    CU_ASSERT(strstr(errbuf, "in use") != NULL);
    cfg.on_frame = NULL;
    CU_ASSERT_EQUAL(net_start(&net2, &cfg, errbuf, sizeof(errbuf)), ERR_CONFIG);
    tnet_stop(&t);
}

void
suite_net(void)
{
    CU_pSuite s = unit_suite("net");

    UNIT_TEST(s, test_netloop_post_runs_in_order_on_loop_thread);
    UNIT_TEST(s, test_net_round_trip_and_peer_name);
    UNIT_TEST(s, test_net_pipelined_replies_leave_in_request_order);
    UNIT_TEST(s, test_net_oversized_frame_closes_without_allocating);
    UNIT_TEST(s, test_net_negative_frame_size_closes);
    UNIT_TEST(s, test_net_truncated_frame_then_close_is_harmless);
    UNIT_TEST(s, test_net_idle_connection_is_closed);
    UNIT_TEST(s, test_net_file_chunk_arrives_intact_via_sendfile);
    UNIT_TEST(s, test_net_large_response_to_slow_reader_completes);
    UNIT_TEST(s, test_net_stop_with_open_connections_frees_everything);
    UNIT_TEST(s, test_net_start_reports_bind_failure);
}
