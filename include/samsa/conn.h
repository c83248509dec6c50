/*
 * conn: one accepted client connection — Kafka's 4-byte size framing, the
 * in-order response queue, writev/sendfile output, backpressure and idle
 * expiry.
 *
 * Layer 2 (CONVENTIONS.md "Layers"). A conn belongs to one netloop and,
 * unless a function says otherwise, is used only on that loop's thread.
 * Connections are created by the listener (net.h); handlers see them only
 * through the on_frame callback.
 *
 * Framing (protocol guide, "Protocol Primitive Types" / "Requests and
 * Responses"): every request is int32 Size followed by Size bytes. The size
 * is checked against socket.request.max.bytes before anything is allocated.
 * on_frame gets a request without its size; a response is handed over
 * whole, size included (kwrite_mark_i32/kwrite_patch_i32 at offset 0), so
 * it goes out without an extra iovec.
 *
 * Requests are numbered per connection by @seq (0, 1, 2, ... in arrival
 * order). Every request gets exactly one conn_reply(), and responses leave in
 * seq order no matter in which order the replies are made (pipelining).
 */
#ifndef SAMSA_CONN_H
#define SAMSA_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/kwrite.h"
#include "samsa/netloop.h"

typedef struct conn conn_t;

/*
 * Called on the conn's loop for every complete request frame. @frame is the
 * request without its 4-byte size (request header + body); it is writable
 * and stays valid until conn_reply(conn, seq, ...) has been called, even if
 * the connection closes meanwhile. A request not answered inside the
 * callback must hold a conn_ref() until it is.
 */
typedef void (*conn_frame_fn)(conn_t *conn, uint64_t seq, uint8_t *frame,
                              size_t len, void *ud);

/* called once, on the conn's loop, when the connection closes for any reason */
typedef void (*conn_close_fn)(conn_t *conn, void *ud);

/*
 * Answers request @seq. Takes ownership of @resp, a heap-allocated kwrite_t
 * holding the whole response: int32 Size (= bytes after it; asserted),
 * response header, body. conn calls
 * kwrite_finish() on it, and kwrite_fini() + free() once it is sent or the
 * connection is gone. @resp NULL: the request has no response (Produce with
 * acks=0), but the call is still required. Ends the validity of the
 * request's frame. Loop thread only; never calls back into on_frame.
 */
void conn_reply(conn_t *conn, uint64_t seq, kwrite_t *resp);

/* conn_reply() from any thread: posted to the conn's loop (holds a ref) */
void conn_reply_async(conn_t *conn, uint64_t seq, kwrite_t *resp);

/*
 * References keep the conn_t alive (not the socket). Thread-safe. The last
 * unref frees the conn and calls the free_fn given to conn_set_data(), on
 * the thread that drops it.
 */
void conn_ref(conn_t *conn);
void conn_unref(conn_t *conn);

/*
 * Closes the socket, drops queued responses and calls on_close. @why goes
 * into the debug log line. Idempotent; loop thread only.
 */
void conn_close(conn_t *conn, const char *why);
bool conn_is_closed(conn_t *conn);

netloop_t *conn_loop(conn_t *conn);
/* "127.0.0.1:54321" / "[::1]:54321"; valid for the conn's lifetime */
const char *conn_peer(conn_t *conn);

/*
 * Per-connection handler state. @free_fn (may be NULL) is called with the
 * data when the conn is freed, or when the data is replaced.
 */
void conn_set_data(conn_t *conn, void *data, void (*free_fn)(void *));
void *conn_get_data(conn_t *conn);

#endif
