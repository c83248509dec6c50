/*
 * replmgr_int.h: shared by replmgr.c (partition state, leader side) and
 * fetcher.c (follower side). Not a public interface.
 */
#ifndef SAMSA_REPLMGR_INT_H
#define SAMSA_REPLMGR_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "samsa/buf.h"
#include "samsa/kclient.h"
#include "samsa/replmgr.h"

#define RM_BUCKETS 1024

typedef struct fetcher fetcher_t;

typedef struct rfollower {
    int32_t id;
    int64_t leo;               /* -1 until it fetches in this epoch */
    int64_t last_caught_up_ms; /* last fetch at or past our LEO then */
} rfollower_t;

/* a follower partition's fetch state (see the diagram in fetcher.c) */
typedef enum rp_fstate {
    FS_TRUNCATE, /* ask OffsetForLeaderEpoch, truncate */
    FS_FETCH,    /* fetch from the LEO */
} rp_fstate_t;

typedef struct rpart {
    struct rpart *next;        /* bucket chain, under rm->map_lock */
    atomic_int refs;
    char *topic;
    int32_t topic_len;
    int32_t partition;
    plog_t *plog;
    epoch_cache_t *ec;
    pthread_mutex_t lock;
    /* under lock */
    replmgr_role_t role;
    bool stopped;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t nisr, *isr;
    int32_t nreplicas, *replicas;
    rfollower_t *fol;          /* replicas other than this broker */
    int32_t nfol;
    rp_fstate_t fstate;
    uint64_t gen;              /* bumped by every become: stale work drops */
    int64_t retry_at_ms;       /* follower backoff (monotonic) */
    /* under rm->fetchers_lock */
    fetcher_t *fetcher;
} rpart_t;

struct replmgr {
    replmgr_config_t cfg;
    pthread_rwlock_t map_lock;
    rpart_t *buckets[RM_BUCKETS];
    pthread_mutex_t fetchers_lock;
    fetcher_t **fetchers;
    int nfetchers;
};

void rpart_unref(rpart_t *rp);
void rm_notify(replmgr_t *rm, rpart_t *rp);

/* fetcher.c; rm->fetchers_lock is taken inside */
void fetcher_assign(replmgr_t *rm, rpart_t *rp, int32_t leader_id);
void fetcher_unassign(replmgr_t *rm, rpart_t *rp);
void fetcher_stop_all(replmgr_t *rm);

#endif
