/*
 * kclient.c: blocking framing client (see kclient.h).
 *
 * Owns one socket and the partial frame being received, so a recv that
 * times out halfway can be resumed by the next call.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kclient.h"
#include "samsa/xmalloc.h"

struct kclient {
    int fd;
    int timeout_ms; /* for sends */
    uint8_t hdr[4];
    size_t hlen; /* bytes of hdr received */
    size_t need; /* body size once hlen == 4 */
    buf_t body;  /* body bytes received so far */
};

/* waits for @events until @deadline (mono ms); 0, ERR_AGAIN or ERR_IO */
static int
kc_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = events};
        int64_t left = deadline - clock_mono_ms();
        int rc;

        if (left < 0)
            left = 0;
        rc = poll(&pfd, 1, (int)left);
        if (rc > 0)
            return 0;
        if (rc == 0)
            return ERR_AGAIN;
        if (errno != EINTR)
            return ERR_IO;
    }
}

static int
kc_connect_one(const struct addrinfo *ai, int timeout_ms, int *fdp)
{
    int fd, rc, err = 0, one = 1;
    socklen_t el = sizeof(err);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0)
        return ERR_IO;
    rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
        rc = kc_wait(fd, POLLOUT, clock_mono_ms() + timeout_ms);
        if (rc != 0) {
            close(fd);
            return rc;
        }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err != 0) {
            close(fd);
            errno = err;
            return ERR_IO;
        }
    } else if (rc < 0) {
        err = errno;
        close(fd);
        errno = err;
        return ERR_IO;
    }
    /* blocking from here on; poll bounds every wait */
    fcntl(fd, F_SETFL, 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *fdp = fd;
    return 0;
}

int
kclient_connect(kclient_t **out, const char *host, int port, int timeout_ms,
                char *errbuf, size_t errlen)
{
    struct addrinfo hints, *res, *ai;
    char serv[16];
    int rc, fd = -1;

    *out = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(serv, sizeof(serv), "%d", port);
    rc = getaddrinfo(host, serv, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s:%d: %s", host, port, gai_strerror(rc));
        return ERR_CONFIG;
    }
    rc = ERR_IO;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        rc = kc_connect_one(ai, timeout_ms, &fd);
        if (rc == 0)
            break;
    }
    freeaddrinfo(res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "connect %s:%d: %s", host, port,
                 rc == ERR_AGAIN ? "timed out" : strerror(errno));
        return rc;
    }
    *out = xcalloc(1, sizeof(**out));
    (*out)->fd = fd;
    (*out)->timeout_ms = timeout_ms;
    return 0;
}

int
kclient_send_raw(kclient_t *kc, const void *data, size_t len)
{
    const uint8_t *p = data;
    int64_t deadline = clock_mono_ms() + kc->timeout_ms;

    while (len > 0) {
        ssize_t n = send(kc->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = kc_wait(kc->fd, POLLOUT, deadline);
            if (rc != 0)
                return rc;
            continue;
        }
        return ERR_IO;
    }
    return 0;
}

int
kclient_send(kclient_t *kc, const void *frame, size_t len)
{
    uint8_t hdr[4];
    int rc;

    if (len > INT32_MAX)
        return ERR_TOOBIG;
    hdr[0] = (uint8_t)(len >> 24);
    hdr[1] = (uint8_t)(len >> 16);
    hdr[2] = (uint8_t)(len >> 8);
    hdr[3] = (uint8_t)len;
    rc = kclient_send_raw(kc, hdr, 4);
    return rc != 0 ? rc : kclient_send_raw(kc, frame, len);
}

/* reads up to @len bytes into @dst, waiting until @deadline */
static ssize_t
kc_read_some(kclient_t *kc, void *dst, size_t len, int64_t deadline, int *err)
{
    for (;;) {
        ssize_t n = recv(kc->fd, dst, len, MSG_DONTWAIT);

        if (n > 0)
            return n;
        if (n == 0) {
            *err = ERR_IO;
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            *err = ERR_IO;
            return -1;
        }
        *err = kc_wait(kc->fd, POLLIN, deadline);
        if (*err != 0)
            return -1;
    }
}

int
kclient_recv(kclient_t *kc, buf_t *out, int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    int err = 0;
    ssize_t n;

    while (kc->hlen < 4) {
        n = kc_read_some(kc, kc->hdr + kc->hlen, 4 - kc->hlen, deadline, &err);
        if (n < 0)
            return err;
        kc->hlen += (size_t)n;
        if (kc->hlen == 4) {
            int32_t size = (int32_t)((uint32_t)kc->hdr[0] << 24 |
                                     (uint32_t)kc->hdr[1] << 16 |
                                     (uint32_t)kc->hdr[2] << 8 | kc->hdr[3]);
            if (size < 0)
                return ERR_PROTO;
            if (size > KCLIENT_MAX_FRAME)
                return ERR_TOOBIG;
            kc->need = (size_t)size;
            buf_reset(&kc->body);
            buf_reserve(&kc->body, kc->need);
        }
    }
    while (kc->body.len < kc->need) {
        n = kc_read_some(kc, kc->body.data + kc->body.len,
                         kc->need - kc->body.len, deadline, &err);
        if (n < 0)
            return err;
        kc->body.len += (size_t)n;
    }
    /* hand the body over by swapping storage: no copy */
    {
        buf_t tmp = *out;
        *out = kc->body;
        kc->body = tmp;
    }
    buf_reset(&kc->body);
    kc->hlen = 0;
    kc->need = 0;
    buf_reset(&kc->body);
    return 0;
}

int
kclient_fd(kclient_t *kc)
{
    return kc->fd;
}

void
kclient_close(kclient_t *kc)
{
    if (kc == NULL)
        return;
    close(kc->fd);
    buf_fini(&kc->body);
    free(kc);
}
