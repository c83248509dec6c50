/*
 * transport.h: how a conn moves bytes over its socket (internal to src/net).
 *
 * Layer 3 (CONVENTIONS.md "Layers"): a small vtable so the conn state machine
 * does not care whether bytes are plain or TLS. Only the plaintext transport
 * exists today; a TLS one adds a handshake step and clears can_sendfile, in
 * which case conn reads file chunks with pread and writes them through
 * writev.
 *
 * Return convention of read/writev/sendfile: bytes moved (> 0), 0 for a
 * read at end of stream, or -1 with errno set (EAGAIN when the socket is not
 * ready). Called on the conn's loop thread only.
 */
#ifndef SAMSA_NET_TRANSPORT_H
#define SAMSA_NET_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct transport {
    const char *name;
    bool can_sendfile;
    ssize_t (*read)(void *ctx, int fd, void *buf, size_t len);
    /* @more: more output follows right away (MSG_MORE) */
    ssize_t (*writev)(void *ctx, int fd, const struct iovec *iov, int iovcnt,
                      bool more);
    /* only when can_sendfile; @off is advanced by the bytes sent */
    ssize_t (*sendfile)(void *ctx, int fd, int in_fd, uint64_t *off,
                        size_t len);
    /* releases @ctx and closes @fd */
    void (*close)(void *ctx, int fd);
} transport_t;

extern const transport_t transport_plain;

#endif
