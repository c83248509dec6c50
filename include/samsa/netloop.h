/*
 * netloop: one libev event loop (epoll backend) on its own thread, plus a
 * mailbox for handing work to it from other threads.
 *
 * Layer 1 of the network stack (CONVENTIONS.md "Layers"): knows about libev
 * and pthreads, nothing about Kafka or sockets. Connections (conn.h) and the
 * listener (net.h) put their watchers on a netloop's ev_loop.
 *
 * Threads: netloop_new/start/stop/free belong to the owning (creating)
 * thread; netloop_post() and netloop_is_current() are safe from any thread.
 * Everything else that touches the ev_loop runs on the loop's own thread.
 */
#ifndef SAMSA_NETLOOP_H
#define SAMSA_NETLOOP_H

#include <stdbool.h>

struct ev_loop;
typedef struct netloop netloop_t;

/* a new, not yet running loop (epoll backend); aborts if libev cannot */
netloop_t *netloop_new(void);

/*
 * Starts the loop's thread, named @name (15 characters are kept). Watchers
 * may be started on netloop_ev() before this call from the creating thread.
 * The thread blocks every signal. Returns 0, ERR_STATE if already started,
 * or ERR_IO if the thread cannot be created.
 */
int netloop_start(netloop_t *nl, const char *name);

/*
 * Stops the loop after every message posted before this call has run, and
 * joins its thread. Thread-safe, but not callable from the loop's own thread.
 * No-op if the loop is not running.
 */
void netloop_stop(netloop_t *nl);

/*
 * Stops the loop if needed, runs messages that were posted after it stopped
 * (on the calling thread, with netloop_is_current() true for @nl, and the
 * loop not running: they should only release resources), then frees it.
 * Watchers still on the loop are the owner's bug. NULL is a no-op.
 */
void netloop_free(netloop_t *nl);

/* the libev loop, for starting watchers on the loop's thread */
struct ev_loop *netloop_ev(netloop_t *nl);

/*
 * Queues fn(arg) to run on @nl's thread. Messages run in post order (one
 * mutex + ev_async; no allocation per message). Thread-safe, also from
 * the loop's own thread (the message then runs on a later loop iteration).
 */
void netloop_post(netloop_t *nl, void (*fn)(void *arg), void *arg);

/* true when called on @nl's thread */
bool netloop_is_current(netloop_t *nl);

#endif
