/*
 * broker_int.h: shared by the files of the broker module (dispatch, the
 * h_*.c handlers, purgatory). Not a public interface.
 */
#ifndef SAMSA_BROKER_INT_H
#define SAMSA_BROKER_INT_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/bconf.h"
#include "samsa/broker.h"
#include "samsa/conn.h"
#include "samsa/ctl.h"
#include "samsa/khdr.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/logmgr.h"
#include "samsa/metacache.h"
#include "samsa/netloop.h"
#include "samsa/plog.h"
#include "samsa/replmgr.h"
#include "samsa/throttle.h"

typedef struct pwaiter pwaiter_t;
typedef struct breq breq_t;

struct broker {
    /* the effective configuration: samsad.conf with the dynamic broker
     * configs over it; swapped atomically (broker_set_dynamic), read with
     * broker_conf(); a replaced one stays allocated until broker_free */
    const bconf_t *conf;
    const bconf_t *base_conf; /* samsad.conf as loaded */
    pthread_mutex_t dyn_lock; /* covers the swap and the retired list */
    int nretired;
    bconf_t **retired;
    logmgr_t *lm;
    ctl_t *ctl;
    int32_t id;
    pthread_mutex_t meta_lock; /* with meta_cond: first metadata arrived */
    pthread_cond_t meta_cond;
    bool have_metadata;
    pthread_mutex_t purg_lock; /* covers the waiter list and wake flags */
    pwaiter_t *waiters;
    atomic_int nwaiters; /* parked requests, for a cheap wake check */
    replmgr_t *rm;       /* roles, high watermarks, fetchers */
    /* replication quotas (KIP-73): leader.replication.throttled.rate, used
     * by h_fetch.c, and follower.replication.throttled.rate, lent to the
     * fetchers; rates set by broker_on_broker_config */
    throttle_t *leader_quota;
    throttle_t *follower_quota;
    struct coord *coord; /* group coordinator (h_group.c) */
};

/*
 * purgatory.c: a request parked on its connection's IO loop until a
 * partition it watches changes, its deadline passes, or the broker stops.
 * The purgatory owns what every parked request has (the connection, the
 * request's arena, the deadline timer, the answer); a kind of request
 * (fetch, acks=all produce, DeleteRecords) embeds a pwaiter_t first in its
 * own struct and
 * supplies two operations:
 *   watches(w, topic, partition)  any thread, under purg_lock, read-only
 *   check(w, expired)             loop thread: answer with purgatory_answer()
 *                                 when satisfied, or always when @expired
 */
struct pwaiter {
    pwaiter_t *next, *prev; /* under purg_lock */
    bool wake_pending;      /* under purg_lock */
    atomic_int refcnt;
    broker_t *b;
    netloop_t *loop;
    conn_t *conn; /* reference held until the answer */
    uint64_t seq;
    int32_t correlation_id;
    int16_t api_key;
    int16_t api_version;
    arena_t arena;  /* the request's arrays, moved from the conn */
    ev_timer timer; /* the request's deadline */
    bool done;      /* answered */
    bool (*watches)(pwaiter_t *w, kstr_t topic, int32_t partition);
    void (*check)(pwaiter_t *w, bool expired);
};

/*
 * Parks @w (xcalloc'd, watches/check set) for @req: takes a connection
 * reference and the request's arena (frame views stay valid until the
 * answer), starts the @timeout_ms deadline, registers, then checks once so
 * a change between the first look and now is not missed. Loop thread.
 */
void purgatory_park(breq_t *req, pwaiter_t *w, int32_t timeout_ms);
/*
 * Answers @w with @kw (a response body begun with bresp_begin), leaves the
 * purgatory and drops the references; the waiter is freed when the last
 * post in flight is done. Loop thread, from check().
 */
void purgatory_answer(pwaiter_t *w, kwrite_t *kw);
/* posts check(expired) to every parked request's loop (any thread) */
void purgatory_expire_all(broker_t *b);

/* per-connection state, kept with conn_set_data() */
typedef struct bconn {
    arena_t arena; /* arrays of the request being handled */
    buf_t scratch; /* decompression output for validation */
} bconn_t;

/* one request being handled */
struct breq {
    broker_t *b;
    conn_t *conn;
    uint64_t seq;
    khdr_t hdr;
    bool flexible;       /* the request uses flexible encoding */
    arena_t *ar;         /* the decoded request's arrays */
    bconn_t *bc;         /* the connection's handler state */
    mc_snapshot_t *snap; /* metadata for this request (ref held) */
};

/*
 * A response that is completed later, possibly on another thread
 * (CreateTopics waiting for the controller). Holds a connection reference.
 */
typedef struct bdefer {
    conn_t *conn;
    uint64_t seq;
    int32_t correlation_id;
    int16_t api_key;
    int16_t api_version;
} bdefer_t;

/* a handler: decodes the body from @kr and replies or parks; ERR_PROTO
 * (malformed body) makes the dispatcher close the connection */
typedef int (*bhandler_fn)(breq_t *req, kread_t *kr);

/* response framing: size, correlation id, header tags when flexible */
kwrite_t *bresp_begin(int32_t correlation_id, int16_t api_key,
                      int16_t api_version);
/* patches the size field once the response is complete */
void bresp_finish(kwrite_t *kw);
/* patches the size and hands the response to the connection (loop thread) */
void breq_reply(breq_t *req, kwrite_t *kw);
/* no response (acks=0), but the connection's order must advance */
void breq_reply_none(breq_t *req);

void bdefer_init(bdefer_t *d, const breq_t *req);
/* patches the size and replies from any thread; drops the conn reference */
void bdefer_reply(bdefer_t *d, kwrite_t *kw);

/* the dispatch table, for ApiVersions */
int broker_api_count(void);
void broker_api_at(int i, int16_t *key, int16_t *min_version,
                   int16_t *max_version);

/* the effective configuration (any thread; never NULL) */
static inline const bconf_t *
broker_conf(const broker_t *b)
{
    return __atomic_load_n(&b->conf, __ATOMIC_ACQUIRE);
}

/* topic name validity (Kafka's rules); NULL or a reason */
const char *broker_topic_name_error(const char *name, int32_t len);

/* a view of a C string (NULL -> null) */
static inline kstr_t
kstr_c(const char *s)
{
    kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}

/*
 * Finds a partition this broker leads: fills *@plog (a reference the caller
 * drops with plog_unref) and *@part. Returns KERR_NONE,
 * KERR_UNKNOWN_TOPIC_OR_PARTITION, KERR_LEADER_NOT_AVAILABLE or
 * KERR_NOT_LEADER_OR_FOLLOWER.
 */
int16_t broker_leader_partition(broker_t *b, const mc_snapshot_t *snap,
                                kstr_t topic, int32_t partition,
                                const mc_partition_t **part, plog_t **plog);

/* the leader epoch of a partition this broker leads: the replica
 * manager's (LeaderAndIsr), else the metadata's */
int32_t broker_leader_epoch(broker_t *b, kstr_t topic,
                            const mc_partition_t *part);

/* handlers, one file per API family */
int h_api_versions(breq_t *req, kread_t *kr);
int h_metadata(breq_t *req, kread_t *kr);
int h_produce(breq_t *req, kread_t *kr);
int h_fetch(breq_t *req, kread_t *kr);
int h_list_offsets(breq_t *req, kread_t *kr);
int h_create_topics(breq_t *req, kread_t *kr);
int h_delete_topics(breq_t *req, kread_t *kr);
int h_create_partitions(breq_t *req, kread_t *kr);
int h_describe_configs(breq_t *req, kread_t *kr);
/* h_alter_configs.c: AlterConfigs and IncrementalAlterConfigs */
int h_alter_configs(breq_t *req, kread_t *kr);
int h_describe_cluster(breq_t *req, kread_t *kr);
int h_offset_for_leader_epoch(breq_t *req, kread_t *kr);
/* h_group.c: FindCoordinator, and the group APIs (to the coordinator) */
int h_find_coordinator(breq_t *req, kread_t *kr);
int h_group(breq_t *req, kread_t *kr);
int h_delete_records(breq_t *req, kread_t *kr);
/* h_controller.c: requests from the controller */
int h_leader_and_isr(breq_t *req, kread_t *kr);
int h_stop_replica(breq_t *req, kread_t *kr);
int h_update_metadata(breq_t *req, kread_t *kr);
/* h_controller.c: controller-only requests */
int h_alter_isr(breq_t *req, kread_t *kr);
int h_controlled_shutdown(breq_t *req, kread_t *kr);
/* h_replicas.c: controller-only ElectLeaders and partition reassignment */
int h_elect_leaders(breq_t *req, kread_t *kr);
int h_alter_partition_reassignments(breq_t *req, kread_t *kr);
int h_list_partition_reassignments(breq_t *req, kread_t *kr);

/* an ApiVersions v0 body carrying UNSUPPORTED_VERSION (KIP-511) */
void h_api_versions_unsupported(breq_t *req);

/* purgatory.c: parked fetches, acks=all produces and DeleteRecords;
 * any thread */
void purgatory_wake(broker_t *b, kstr_t topic, int32_t partition);
/* every parked request of @api_key looks again (the metadata changed) */
void purgatory_wake_api(broker_t *b, int16_t api_key);

#endif
