/*
 * kclient: a minimal blocking Kafka-framing client for tests and tools.
 *
 * One TCP connection; kclient_send() writes one frame (adding the int32
 * size), kclient_recv() reads one (removing it). Blocking socket, every wait
 * bounded by poll() with a timeout. No request/response matching: that is
 * the caller's (correlation ids live inside the frames).
 *
 * Not thread-safe; one owner at a time.
 */
#ifndef SAMSA_KCLIENT_H
#define SAMSA_KCLIENT_H

#include <stddef.h>

#include "samsa/buf.h"

typedef struct kclient kclient_t;

/* largest frame kclient_recv() accepts (it allocates the size it reads) */
#define KCLIENT_MAX_FRAME (256 * 1024 * 1024)

/*
 * Connects to host:port within @timeout_ms (also used as the send timeout).
 * Returns 0 and *out, or ERR_IO / ERR_AGAIN (timed out) / ERR_CONFIG
 * (cannot resolve) with a message in @errbuf.
 */
int kclient_connect(kclient_t **out, const char *host, int port, int timeout_ms,
                    char *errbuf, size_t errlen);

/* sends the int32 size then @frame. Returns 0, ERR_AGAIN or ERR_IO */
int kclient_send(kclient_t *kc, const void *frame, size_t len);

/* sends @len raw bytes, no framing (for tests of malformed input) */
int kclient_send_raw(kclient_t *kc, const void *data, size_t len);

/*
 * Receives one frame into @out (replacing its contents), without the size.
 * Returns 0; ERR_AGAIN if nothing complete arrived within @timeout_ms;
 * ERR_IO if the peer closed or the socket failed; ERR_PROTO for a negative
 * size; ERR_TOOBIG above KCLIENT_MAX_FRAME. After an error other than
 * ERR_AGAIN the connection is unusable.
 */
int kclient_recv(kclient_t *kc, buf_t *out, int timeout_ms);

/* the socket, for tests that read slowly or poll */
int kclient_fd(kclient_t *kc);

/* closes and frees; NULL is a no-op */
void kclient_close(kclient_t *kc);

#endif
