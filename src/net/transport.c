/*
 * transport.c: the plaintext transport (see transport.h): read(2),
 * sendmsg(2) with MSG_NOSIGNAL, sendfile(2), close(2).
 */
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport.h"

static ssize_t
plain_read(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    return read(fd, buf, len);
}

static ssize_t
plain_writev(void *ctx, int fd, const struct iovec *iov, int iovcnt, bool more)
{
    struct msghdr msg;

    (void)ctx;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)iovcnt;
    return sendmsg(fd, &msg, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
}

static ssize_t
plain_sendfile(void *ctx, int fd, int in_fd, uint64_t *off, size_t len)
{
    off_t o = (off_t)*off;
    ssize_t n;

    (void)ctx;
    n = sendfile(fd, in_fd, &o, len);
    if (n > 0)
        *off = (uint64_t)o;
    return n;
}

static void
plain_close(void *ctx, int fd)
{
    (void)ctx;
    close(fd);
}

const transport_t transport_plain = {
    .name = "plaintext",
    .can_sendfile = true,
    .read = plain_read,
    .writev = plain_writev,
    .sendfile = plain_sendfile,
    .close = plain_close,
};
