/*
 * coord: the group coordinator, hosted by the controller broker (DESIGN
 * §6 Groups).
 *
 * Every broker runs one coord_t: one thread (a netloop named "group") that
 * owns every group and every offset in memory, and its own ZooKeeper
 * session. It is active only while this broker is the controller
 * (ctl_is_controller, polled every 100 ms): on becoming controller it
 * loads every group from ZooKeeper (/samsa/groups/<g> and
 * /consumers/<g>/offsets/<t>/<p>, pipelined) and answers
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile; when it stops being controller
 * it drops them and answers NOT_COORDINATOR. Every ZooKeeper write is one
 * multi-op fenced by a version check on /controller_epoch as read at
 * load, so a deposed controller cannot write (DESIGN §6 fences).
 *
 * Requests arrive as raw bodies (already validated by the IO loop's
 * decoder) with a reply handle; the coordinator decodes them again on its
 * thread, and answers through @reply exactly once, also at coord_stop.
 *
 * Thread-safety: coord_submit from any thread; coord_start/coord_stop from
 * the daemon's main thread.
 */
#ifndef SAMSA_COORD_H
#define SAMSA_COORD_H

#include <stddef.h>
#include <stdint.h>

#include "samsa/ctl.h"
#include "samsa/kwrite.h"

typedef struct coord coord_t;

typedef struct coord_config {
    const char *zk_connect;
    int32_t zk_session_timeout_ms;
    ctl_t *ctl;                         /* controllership (a hint, polled) */
    int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms */
    int32_t max_size;                   /* group.max.size */
    int32_t min_session_timeout_ms;
    int32_t max_session_timeout_ms;
    int64_t offsets_retention_ms; /* offsets.retention.minutes */
} coord_config_t;

/* how one request is answered: begin() gives a writer with the response
 * header written, finish() sends it and releases @ud. Both are called on
 * the coordinator's thread (or coord_stop's caller), once each. */
typedef struct coord_reply {
    kwrite_t *(*begin)(void *ud);
    void (*finish)(void *ud, kwrite_t *kw);
    void *ud;
} coord_reply_t;

/* opens the ZooKeeper session (creating /consumers and /samsa/groups) and
 * starts the thread; 0 or ERR_ZK with a message */
int coord_start(coord_t **out, const coord_config_t *cfg, char *errbuf,
                size_t errlen);
/* answers everything pending with NOT_COORDINATOR, stops the thread and
 * closes the session; later coord_submit calls are answered
 * NOT_COORDINATOR at once, on the caller's thread. NULL is a no-op. */
void coord_stop(coord_t *c);
/* frees a stopped coordinator (after the IO loops stopped). NULL: no-op */
void coord_free(coord_t *c);

/*
 * Queues a group request: @body (copied) is the request body of API
 * @api_key at @version (FindCoordinator excepted: the broker answers that
 * from metadata). @client_id and @client_host are copied (NULL ok).
 * @c NULL (no coordinator) answers NOT_COORDINATOR at once.
 */
void coord_submit(coord_t *c, int16_t api_key, int16_t version,
                  const uint8_t *body, size_t len, const char *client_id,
                  const char *client_host, const coord_reply_t *reply);

#endif
