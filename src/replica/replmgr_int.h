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

typedef replmgr_follower_state_t rfollower_t;

/* a follower partition's fetch state (see the diagram in fetcher.c) */
typedef enum rp_fstate {
    FS_TRUNCATE, /* ask OffsetForLeaderEpoch, truncate */
    FS_FETCH,    /* fetch from the LEO */
} rp_fstate_t;

typedef struct rpart {
    struct rpart *next; /* bucket chain, under rm->map_lock */
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
    rfollower_t *fol; /* replicas other than this broker */
    int32_t nfol;
    rp_fstate_t fstate;
    uint64_t gen;        /* bumped by every become: stale work drops */
    int64_t retry_at_ms; /* follower backoff (monotonic) */
    /* follower: the leader's high watermark minus our LEO after the last
     * fetch that brought records; -1 unknown (Kafka's
     * PartitionFetchState.lag; 0 is its isReplicaInSync, which exempts
     * the partition from the follower throttle) */
    int64_t fetch_lag;
    int32_t zk_version; /* of the state znode, from LeaderAndIsr */
    /* leader: an AlterIsr in flight (R10) */
    bool isr_inflight;
    uint64_t isr_seq;           /* bumped by every proposal and become */
    int32_t npending, *pending; /* the proposed ISR */
    int64_t isr_retry_at_ms;    /* after a refused or failed proposal */
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
    /* the ISR thread (alterisr.c) */
    pthread_mutex_t isr_lock;
    pthread_cond_t isr_cond;
    pthread_t isr_th;
    bool isr_started;
    bool isr_stop;         /* under isr_lock */
    kclient_t *isr_kc;     /* to the controller; under isr_lock */
    int32_t isr_kc_broker; /* whom isr_kc reaches */
    int32_t isr_corr;
};

void rpart_unref(rpart_t *rp);
void rm_notify(replmgr_t *rm, rpart_t *rp);

/* fetcher.c; rm->fetchers_lock is taken inside */
void fetcher_assign(replmgr_t *rm, rpart_t *rp, int32_t leader_id);
void fetcher_unassign(replmgr_t *rm, rpart_t *rp);
void fetcher_stop_all(replmgr_t *rm);

/* alterisr.c: the ISR thread, started by replmgr_new when cfg.alter_isr */
void alterisr_start(replmgr_t *rm);
void alterisr_stop(replmgr_t *rm);
/* rp->lock held: the ISR used for the high watermark and acks=all (R10);
 * @out has room for rp->nisr + rp->npending */
int32_t rp_maximal_isr_locked(const rpart_t *rp, int32_t *out);
bool rp_maybe_advance_hw_locked(replmgr_t *rm, rpart_t *rp);
/* walks every partition with a reference taken (read lock held) */
void rm_foreach(replmgr_t *rm, void (*fn)(rpart_t *rp, void *ud), void *ud);

#endif
