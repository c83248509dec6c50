/*
 * replmgr.c: the replica manager's partition state and the leader side of
 * replication (see replmgr.h). The follower side (fetcher threads) is
 * fetcher.c.
 *
 * Spec: DESIGN §6 Replication; Kafka 2.8 kafka.cluster.Partition
 * (makeLeader, makeFollower, updateFollowerFetchState,
 * maybeIncrementLeaderHW, checkEnoughReplicasReachOffset,
 * appendRecordsToLeader, lastOffsetForLeaderEpoch, deleteRecordsOnLeader,
 * lowWatermarkIfLeader); KIP-107 (DeleteRecords); KIP-101/279
 * (truncation by leader epoch), KIP-320 (fencing by current leader
 * epoch), KIP-595 (divergence reported in Fetch v12).
 *
 * Replication invariants (tests name the one they check):
 *
 *  R1. A partition's role, leader epoch, replicas and ISR change only in
 *      replmgr_become(), under rp->lock, and never to a leader epoch below
 *      the current one: a stale controller's state is refused.
 *  R2. A leader appends only under rp->lock while it is leader, stamping
 *      every batch with the current leader epoch; the epoch cache's latest
 *      entry is that epoch, starting at or below the batch (it is recorded
 *      at the LEO when the role is taken, as Kafka's makeLeader does).
 *  R3. The leader's high watermark is min(own LEO, the LEO each other ISR
 *      member reported by fetching in the current epoch). It only moves
 *      forward; an ISR member that has not fetched in this epoch (LEO
 *      unknown) holds it where it is. An ISR of the leader alone gives
 *      HW = LEO at once (the single-broker behaviour).
 *  R4. A follower's LEO is recorded only from a fetch that passes the
 *      leader epoch check and does not diverge (KIP-595), and it is the
 *      fetch offset: what the follower already has. With R3, every offset
 *      below the high watermark is on every ISR member.
 *  R5. acks=all answers without error only once the high watermark
 *      covers the last appended offset and the ISR still has at least
 *      min.insync.replicas members (else NOT_ENOUGH_REPLICAS_AFTER_APPEND);
 *      a broker that lost the leadership answers NOT_LEADER_OR_FOLLOWER.
 *  R6. A follower appends only batches fetched from its leader, with the
 *      leader's offsets and epochs (plog I9), under rp->lock, and only if
 *      no become happened since the fetch was sent (rp->gen); before its
 *      first fetch in an epoch it truncates to the leader's end offset for
 *      its latest epoch (KIP-279), and again whenever the leader reports a
 *      divergence.
 *  R7. The epoch cache never names an offset at or past the LEO after a
 *      truncation: every log truncation cuts the cache at the same
 *      offset, and the cache is cut at the LEO when it is loaded (a crash
 *      between an append and its cache update, or recovery truncation),
 *      when the partition becomes a follower and whenever the follower
 *      applies the leader's end offset, even one that cuts no record
 *      (Kafka's Log.truncateTo): only a leader's own current epoch may
 *      start at its LEO.
 *  R8. A follower's high watermark is min(the leader's, its own LEO), and
 *      moves forward only (truncation excepted).
 *  R9. Only the controller changes the ISR (KIP-497): a leader proposes
 *      (AlterIsr, alterisr.c) dropping an ISR follower whose LEO is not
 *      its own and that has not caught up for replica.lag.time.max.ms,
 *      and adding a follower whose LEO reached the high watermark and the
 *      current epoch's start (replmgr_isr_propose); it applies an ISR
 *      only as committed: from the AlterIsr answer for its own proposal at
 *      the same leader epoch, or from LeaderAndIsr. A LeaderAndIsr at the
 *      same epoch with an older state-znode version than the one applied
 *      is ignored. A leader cut off from the controller keeps its ISR.
 * R10. While a proposal is in flight (one per partition) the high
 *      watermark and the acks=all check use the maximal ISR, the current
 *      one plus the proposed additions: a shrink takes effect only once
 *      committed, an expansion at once (Kafka's PendingExpandIsr).
 * R11. The leader's low watermark is min(own log start offset, the log
 *      start offset each follower whose broker is alive -- in the
 *      current metadata -- reported in its last fetch of the current
 *      epoch), recorded under R4's rule; a follower that has not fetched
 *      in this epoch counts as -1 (its state is reset with the LEO when
 *      the leadership is taken, as Kafka's makeLeader does). DeleteRecords
 *      answers without error only once the low watermark reached the
 *      requested offset, so every live replica has raised its log start
 *      and a failover cannot bring the deleted records back.
 *
 * Partition role diagram (replmgr_become; stop = replmgr_stop):
 *
 *            become(leader = me)            become(leader = other)
 *   UNKNOWN ------------------> LEADER <-------------------------.
 *      |                         |   ^                            |
 *      | become(leader = other)  |   | become(leader = me)        |
 *      v                         v   |                            |
 *   FOLLOWER <-------------------'   '---------------------- FOLLOWER
 *   (FS_TRUNCATE -> FS_FETCH, fetcher.c)
 *   any --stop--> forgotten
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replmgr_int.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

void
replmgr_config_defaults(replmgr_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->broker_id = -1;
    cfg->num_replica_fetchers = 1;
    cfg->fetch_max_bytes = 1048576;
    cfg->fetch_response_max_bytes = 10485760;
    cfg->fetch_wait_max_ms = 500;
    cfg->fetch_min_bytes = 1;
    cfg->socket_timeout_ms = 30000;
    cfg->fetch_backoff_ms = 1000;
    cfg->replica_lag_time_max_ms = 30000;
}

replmgr_t *
replmgr_new(const replmgr_config_t *cfg)
{
    replmgr_t *rm = xcalloc(1, sizeof(*rm));

    rm->cfg = *cfg;
    if (rm->cfg.num_replica_fetchers < 1)
        rm->cfg.num_replica_fetchers = 1;
    if (rm->cfg.replica_lag_time_max_ms < 1)
        rm->cfg.replica_lag_time_max_ms = 1;
    pthread_rwlock_init(&rm->map_lock, NULL);
    pthread_mutex_init(&rm->fetchers_lock, NULL);
    pthread_mutex_init(&rm->isr_lock, NULL);
    pthread_cond_init(&rm->isr_cond, NULL);
    if (rm->cfg.alter_isr)
        alterisr_start(rm);
    return rm;
}

void
replmgr_free(replmgr_t *rm)
{
    if (rm == NULL)
        return;
    alterisr_stop(rm);
    fetcher_stop_all(rm);
    for (int i = 0; i < RM_BUCKETS; i++) {
        rpart_t *rp = rm->buckets[i], *next;

        for (; rp != NULL; rp = next) {
            next = rp->next;
            rpart_unref(rp);
        }
    }
    pthread_mutex_destroy(&rm->fetchers_lock);
    pthread_cond_destroy(&rm->isr_cond);
    pthread_mutex_destroy(&rm->isr_lock);
    pthread_rwlock_destroy(&rm->map_lock);
    free(rm->fetchers);
    free(rm);
}

/* ------------------------------------------------------------------ */
/* the partition map                                                   */

static uint32_t
rm_hash(const char *topic, int32_t len, int32_t partition)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (int32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)topic[i]) * 16777619u;
    h = (h ^ (uint32_t)partition) * 16777619u;
    return h;
}

void
rpart_unref(rpart_t *rp)
{
    if (atomic_fetch_sub(&rp->refs, 1) != 1)
        return;
    plog_unref(rp->plog);
    epoch_cache_free(rp->ec);
    pthread_mutex_destroy(&rp->lock);
    free(rp->isr);
    free(rp->replicas);
    free(rp->fol);
    free(rp->pending);
    free(rp->topic);
    free(rp);
}

void
rm_foreach(replmgr_t *rm, void (*fn)(rpart_t *rp, void *ud), void *ud)
{
    pthread_rwlock_rdlock(&rm->map_lock);
    for (int i = 0; i < RM_BUCKETS; i++)
        for (rpart_t *rp = rm->buckets[i]; rp != NULL; rp = rp->next)
            fn(rp, ud);
    pthread_rwlock_unlock(&rm->map_lock);
}

/* the partition with a reference, or NULL */
static rpart_t *
rm_get(replmgr_t *rm, const char *topic, int32_t len, int32_t partition)
{
    uint32_t b = rm_hash(topic, len, partition) % RM_BUCKETS;
    rpart_t *rp;

    pthread_rwlock_rdlock(&rm->map_lock);
    for (rp = rm->buckets[b]; rp != NULL; rp = rp->next)
        if (rp->partition == partition && rp->topic_len == len &&
            memcmp(rp->topic, topic, (size_t)len) == 0)
            break;
    if (rp != NULL)
        atomic_fetch_add(&rp->refs, 1);
    pthread_rwlock_unlock(&rm->map_lock);
    return rp;
}

void
rm_notify(replmgr_t *rm, rpart_t *rp)
{
    if (rm->cfg.on_change != NULL)
        rm->cfg.on_change(rp->topic, rp->partition, rm->cfg.ud);
}

/* finds or creates the partition for @plog (ctl thread) */
static int
rm_get_or_create(replmgr_t *rm, const char *topic, int32_t partition,
                 plog_t *plog, rpart_t **out)
{
    int32_t len = (int32_t)strlen(topic);
    uint32_t b = rm_hash(topic, len, partition) % RM_BUCKETS;
    char err[256];
    epoch_cache_t *ec;
    rpart_t *rp;
    int rc;

    *out = rm_get(rm, topic, len, partition);
    if (*out != NULL)
        return 0;
    rc = epoch_cache_open(&ec, plog_dir(plog), err, sizeof(err));
    if (rc != 0) {
        say_error("%s-%d: %s", topic, partition, err);
        return rc;
    }
    /* R7: recovery may have cut the log below what the cache names */
    epoch_cache_truncate_from_end(ec, plog_log_end_offset(plog));
    epoch_cache_truncate_from_start(ec, plog_log_start_offset(plog));
    rp = xcalloc(1, sizeof(*rp));
    atomic_init(&rp->refs, 2); /* the map's and the caller's */
    rp->topic = xstrdup(topic);
    rp->topic_len = len;
    rp->partition = partition;
    plog_ref(plog);
    rp->plog = plog;
    rp->ec = ec;
    pthread_mutex_init(&rp->lock, NULL);
    rp->role = REPLMGR_UNKNOWN;
    rp->leader_id = -1;
    rp->leader_epoch = -1;
    rp->fetch_lag = -1;
    pthread_rwlock_wrlock(&rm->map_lock);
    rp->next = rm->buckets[b];
    rm->buckets[b] = rp;
    pthread_rwlock_unlock(&rm->map_lock);
    *out = rp;
    return 0;
}

/* ------------------------------------------------------------------ */
/* the high watermark (R3)                                             */

int64_t
replmgr_compute_hw(int32_t self, int64_t leo, int64_t old_hw,
                   const int32_t *isr, const int64_t *follower_leo,
                   int32_t nisr)
{
    int64_t hw = leo;

    for (int32_t i = 0; i < nisr; i++) {
        if (isr[i] == self)
            continue;
        if (follower_leo[i] < 0)
            return old_hw; /* unknown: holds it where it is */
        if (follower_leo[i] < hw)
            hw = follower_leo[i];
    }
    return hw > old_hw ? hw : old_hw;
}

static rfollower_t *
rp_follower(rpart_t *rp, int32_t id)
{
    for (int32_t i = 0; i < rp->nfol; i++)
        if (rp->fol[i].id == id)
            return &rp->fol[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* ISR proposals (R9, R10)                                             */

static bool
ids_contain(const int32_t *v, int32_t n, int32_t x)
{
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

bool
replmgr_isr_propose(int32_t self, const int32_t *isr, int32_t nisr,
                    const replmgr_follower_state_t *fol, int32_t nfol,
                    int64_t leo, int64_t hw, int64_t epoch_start,
                    int64_t now_ms, int64_t lag_ms, int32_t *out, int32_t *nout)
{
    int32_t n = 0;
    bool changed = false;

    for (int32_t i = 0; i < nisr; i++) {
        const replmgr_follower_state_t *f = NULL;

        for (int32_t k = 0; k < nfol; k++)
            if (fol[k].id == isr[i])
                f = &fol[k];
        /* Kafka's isCaughtUp: at our LEO, or caught up within the lag */
        if (isr[i] != self && f != NULL && f->leo != leo &&
            now_ms - f->last_caught_up_ms > lag_ms) {
            changed = true;
            continue;
        }
        out[n++] = isr[i];
    }
    for (int32_t k = 0; k < nfol; k++) {
        const replmgr_follower_state_t *f = &fol[k];

        if (f->id == self || ids_contain(isr, nisr, f->id))
            continue;
        if (f->leo >= 0 && f->leo >= hw && f->leo >= epoch_start) {
            out[n++] = f->id;
            changed = true;
        }
    }
    *nout = n;
    return changed;
}

int32_t
replmgr_maximal_isr(const int32_t *isr, int32_t nisr, const int32_t *pending,
                    int32_t npending, int32_t *out)
{
    int32_t n = 0;

    for (int32_t i = 0; i < nisr; i++)
        out[n++] = isr[i];
    for (int32_t i = 0; i < npending; i++)
        if (!ids_contain(isr, nisr, pending[i]))
            out[n++] = pending[i];
    return n;
}

int32_t
rp_maximal_isr_locked(const rpart_t *rp, int32_t *out)
{
    return replmgr_maximal_isr(rp->isr, rp->nisr,
                               rp->isr_inflight ? rp->pending : NULL,
                               rp->isr_inflight ? rp->npending : 0, out);
}

static int32_t
rp_maximal_count_locked(const rpart_t *rp)
{
    int32_t n = rp->nisr;

    for (int32_t i = 0; rp->isr_inflight && i < rp->npending; i++)
        if (!ids_contain(rp->isr, rp->nisr, rp->pending[i]))
            n++;
    return n;
}

/* leader; rp->lock held. True when the high watermark moved. */
bool
rp_maybe_advance_hw_locked(replmgr_t *rm, rpart_t *rp)
{
    int64_t leos[64], *v = leos, old = plog_high_watermark(rp->plog), hw;
    int32_t ids[64], *isr = ids, n;
    bool moved;

    if (rp->nisr + rp->npending > 64) {
        v = xmalloc((size_t)(rp->nisr + rp->npending) * sizeof(*v));
        isr = xmalloc((size_t)(rp->nisr + rp->npending) * sizeof(*isr));
    }
    n = rp_maximal_isr_locked(rp, isr);
    for (int32_t i = 0; i < n; i++) {
        rfollower_t *f = rp_follower(rp, isr[i]);

        v[i] = isr[i] == rm->cfg.broker_id ? 0 : f ? f->leo : -1;
    }
    hw = replmgr_compute_hw(rm->cfg.broker_id, plog_log_end_offset(rp->plog),
                            old, isr, v, n);
    if (v != leos) {
        free(v);
        free(isr);
    }
    moved = hw > old;
    if (moved)
        plog_set_high_watermark(rp->plog, hw);
    return moved;
}

/* ------------------------------------------------------------------ */
/* LeaderAndIsr                                                        */

static int32_t *
dup_ids(const int32_t *v, int32_t n)
{
    int32_t *c = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(*c));

    if (n > 0)
        memcpy(c, v, (size_t)n * sizeof(*c));
    return c;
}

/* the followers' state for the replica list; kept for known ids when
 * @keep (same epoch), reset otherwise (Kafka resets it in makeLeader) */
static void
rp_set_followers_locked(replmgr_t *rm, rpart_t *rp, bool keep)
{
    rfollower_t *fol = xcalloc((size_t)(rp->nreplicas + 1), sizeof(*fol));
    int32_t n = 0;
    int64_t now = clock_mono_ms();

    for (int32_t i = 0; i < rp->nreplicas; i++) {
        rfollower_t *old = keep ? rp_follower(rp, rp->replicas[i]) : NULL;

        if (rp->replicas[i] == rm->cfg.broker_id)
            continue;
        fol[n].id = rp->replicas[i];
        fol[n].leo = old ? old->leo : -1;
        fol[n].last_caught_up_ms = old ? old->last_caught_up_ms : now;
        fol[n].last_fetch_leader_leo = old ? old->last_fetch_leader_leo : -1;
        fol[n].last_fetch_ms = old ? old->last_fetch_ms : 0;
        fol[n].log_start = old ? old->log_start : -1;
        n++;
    }
    free(rp->fol);
    rp->fol = fol;
    rp->nfol = n;
}

int
replmgr_become(replmgr_t *rm, const ctl_partition_state_t *ps, plog_t *plog)
{
    bool leader = ps->leader == rm->cfg.broker_id, same, fetch = false;
    rpart_t *rp;
    int rc;

    rc = rm_get_or_create(rm, ps->topic, ps->partition, plog, &rp);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&rp->lock);
    /* R1 */
    if (rp->role != REPLMGR_UNKNOWN && ps->leader_epoch < rp->leader_epoch) {
        say_warn("%s-%d: ignoring leader epoch %d below the current %d",
                 ps->topic, ps->partition, ps->leader_epoch, rp->leader_epoch);
        pthread_mutex_unlock(&rp->lock);
        rpart_unref(rp);
        return ERR_STATE;
    }
    same = rp->role == (leader ? REPLMGR_LEADER : REPLMGR_FOLLOWER) &&
           rp->leader_epoch == ps->leader_epoch && rp->leader_id == ps->leader;
    /* R9: an older state of this epoch (an AlterIsr answer was newer) */
    if (same && ps->zk_version < rp->zk_version) {
        pthread_mutex_unlock(&rp->lock);
        rpart_unref(rp);
        return 0;
    }
    rp->zk_version = ps->zk_version;
    rp->isr_inflight = false;
    rp->isr_seq++;
    rp->isr_retry_at_ms = 0;
    /* a new leader or epoch: fetch at once, not after the backoff earned
     * from the old leader (that backoff cost a second per failover) */
    if (!same)
        rp->retry_at_ms = 0;
    rp->stopped = false;
    free(rp->isr);
    free(rp->replicas);
    rp->isr = dup_ids(ps->isr, ps->nisr);
    rp->nisr = ps->nisr;
    rp->replicas = dup_ids(ps->replicas, ps->nreplicas);
    rp->nreplicas = ps->nreplicas;
    rp->leader_id = ps->leader;
    rp->leader_epoch = ps->leader_epoch;
    if (leader) {
        rp->role = REPLMGR_LEADER;
        rp_set_followers_locked(rm, rp, same);
        /* R2: the epoch starts at our log end */
        epoch_cache_assign(rp->ec, ps->leader_epoch,
                           plog_log_end_offset(rp->plog));
        rp_maybe_advance_hw_locked(rm, rp);
    } else {
        rp->role = REPLMGR_FOLLOWER;
        if (!same) {
            rp->gen++;
            rp->fstate = FS_TRUNCATE;
            rp->retry_at_ms = 0;
            rp->fetch_lag = -1;
            /* R7: an epoch we led without appending (a leadership taken
             * and lost at once, e.g. after a SIGSTOP) starts at our LEO
             * and names no batch; kept, it would be our latest epoch, the
             * one every fetch reports, that the new leader never had: it
             * answers a divergence at our LEO forever, the truncation cuts
             * nothing and we never fetch (nor rejoin the ISR) */
            epoch_cache_truncate_from_end(rp->ec,
                                          plog_log_end_offset(rp->plog));
        }
        fetch = ps->leader >= 0;
    }
    pthread_mutex_unlock(&rp->lock);
    say_info("%s-%d: %s, leader %d, epoch %d, isr size %d", ps->topic,
             ps->partition, leader ? "leader" : "follower", ps->leader,
             ps->leader_epoch, ps->nisr);
    if (fetch)
        fetcher_assign(rm, rp, ps->leader);
    else
        fetcher_unassign(rm, rp);
    rm_notify(rm, rp); /* the ISR or the role changed: waiters look again */
    rpart_unref(rp);
    return 0;
}

void
replmgr_stop(replmgr_t *rm, const char *topic, int32_t partition)
{
    int32_t len = (int32_t)strlen(topic);
    uint32_t b = rm_hash(topic, len, partition) % RM_BUCKETS;
    rpart_t **pp, *rp = NULL;

    pthread_rwlock_wrlock(&rm->map_lock);
    for (pp = &rm->buckets[b]; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->partition == partition && (*pp)->topic_len == len &&
            memcmp((*pp)->topic, topic, (size_t)len) == 0) {
            rp = *pp;
            *pp = rp->next;
            break;
        }
    }
    pthread_rwlock_unlock(&rm->map_lock);
    if (rp == NULL)
        return;
    pthread_mutex_lock(&rp->lock);
    rp->stopped = true;
    rp->role = REPLMGR_UNKNOWN;
    rp->gen++;
    pthread_mutex_unlock(&rp->lock);
    fetcher_unassign(rm, rp);
    rm_notify(rm, rp);
    rpart_unref(rp);
}

/* ------------------------------------------------------------------ */
/* the leader side                                                     */

replmgr_role_t
replmgr_role(replmgr_t *rm, const char *topic, int32_t len, int32_t partition,
             int32_t *leader_epoch, int32_t *nisr)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    replmgr_role_t role;

    if (rp == NULL)
        return REPLMGR_UNKNOWN;
    pthread_mutex_lock(&rp->lock);
    role = rp->role;
    if (leader_epoch != NULL)
        *leader_epoch = rp->leader_epoch;
    if (nisr != NULL)
        *nisr = rp->nisr;
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return role;
}

int16_t
replmgr_check_epoch(int32_t current_leader_epoch, int32_t leader_epoch)
{
    if (current_leader_epoch < 0 || current_leader_epoch == leader_epoch)
        return KERR_NONE;
    return current_leader_epoch < leader_epoch ? KERR_FENCED_LEADER_EPOCH
                                               : KERR_UNKNOWN_LEADER_EPOCH;
}

int16_t
replmgr_append_leader(replmgr_t *rm, const char *topic, int32_t len,
                      int32_t partition, uint8_t *batches, size_t blen,
                      int32_t min_isr, plog_append_info_t *info, int *rc)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int16_t kerr = KERR_NONE;

    *rc = 0;
    if (rp == NULL)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER) {
        kerr = KERR_NOT_LEADER_OR_FOLLOWER;
    } else if (min_isr > 0 && rp->nisr < min_isr) {
        kerr = KERR_NOT_ENOUGH_REPLICAS;
    } else {
        /* R2 */
        *rc = plog_append(rp->plog, batches, blen, rp->leader_epoch, info);
        if (*rc != 0) {
            kerr = KERR_KAFKA_STORAGE_ERROR;
        } else {
            epoch_cache_assign(rp->ec, rp->leader_epoch, info->base_offset);
            rp_maybe_advance_hw_locked(rm, rp);
        }
    }
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return kerr;
}

int
replmgr_acks_check(replmgr_t *rm, const char *topic, int32_t len,
                   int32_t partition, int64_t required_offset, int32_t min_isr)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int res = -1;

    if (rp == NULL)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    pthread_mutex_lock(&rp->lock);
    /* R5: Kafka's checkEnoughReplicasReachOffset */
    if (rp->role != REPLMGR_LEADER)
        res = KERR_NOT_LEADER_OR_FOLLOWER;
    else if (plog_high_watermark(rp->plog) >= required_offset)
        res = rp_maximal_count_locked(rp) >= min_isr
                  ? KERR_NONE
                  : KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return res;
}

int16_t
replmgr_follower_fetch(replmgr_t *rm, const char *topic, int32_t len,
                       int32_t partition, int32_t replica_id,
                       int32_t current_leader_epoch, int64_t fetch_offset,
                       int64_t log_start_offset, int32_t last_fetched_epoch,
                       int32_t *div_epoch, int64_t *div_end_offset)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int16_t kerr = KERR_NONE;
    bool moved = false;
    rfollower_t *f;

    *div_epoch = -1;
    *div_end_offset = -1;
    if (rp == NULL)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER) {
        kerr = KERR_NOT_LEADER_OR_FOLLOWER;
        goto out;
    }
    kerr = replmgr_check_epoch(current_leader_epoch, rp->leader_epoch);
    if (kerr != KERR_NONE)
        goto out;
    if (last_fetched_epoch >= 0) {
        int32_t e;
        int64_t end;

        /* KIP-595, as Kafka 2.8's Partition.readRecords */
        epoch_cache_end_offset_for(rp->ec, last_fetched_epoch,
                                   plog_log_end_offset(rp->plog), &e, &end);
        if (e == EPOCH_UNDEFINED || end == EPOCH_OFFSET_UNDEFINED) {
            kerr = KERR_OFFSET_OUT_OF_RANGE;
            goto out;
        }
        if (e < last_fetched_epoch || end < fetch_offset) {
            *div_epoch = e;
            *div_end_offset = end;
            goto out; /* R4: nothing recorded */
        }
    }
    f = rp_follower(rp, replica_id);
    if (f != NULL && fetch_offset <= plog_log_end_offset(rp->plog)) {
        /* R4 */
        int64_t now = clock_mono_ms(), leo = plog_log_end_offset(rp->plog);

        if (fetch_offset > f->leo || f->leo < 0)
            f->leo = fetch_offset;
        /* Kafka's Replica.updateFetchState: caught up now, or with what
         * we had at its previous fetch (under a steady produce load a
         * healthy follower is never exactly at our LEO) */
        if (fetch_offset >= leo)
            f->last_caught_up_ms = now;
        else if (f->last_fetch_ms > 0 &&
                 fetch_offset >= f->last_fetch_leader_leo &&
                 f->last_fetch_ms > f->last_caught_up_ms)
            f->last_caught_up_ms = f->last_fetch_ms;
        f->last_fetch_leader_leo = leo;
        f->last_fetch_ms = now;
        /* R11: as Kafka's Replica.updateFetchState, whatever it says (a
         * replica rebuilt from scratch starts lower again); a parked
         * DeleteRecords looks again when it moved */
        moved = f->log_start != log_start_offset;
        f->log_start = log_start_offset;
        moved |= rp_maybe_advance_hw_locked(rm, rp);
    }
out:
    pthread_mutex_unlock(&rp->lock);
    if (moved)
        rm_notify(rm, rp);
    rpart_unref(rp);
    return kerr;
}

/* ------------------------------------------------------------------ */
/* DeleteRecords: the low watermark (R11)                              */

int64_t
replmgr_compute_low_watermark(int64_t log_start,
                              const replmgr_follower_state_t *fol, int32_t nfol,
                              const mc_snapshot_t *alive)
{
    int64_t lw = log_start;

    for (int32_t i = 0; i < nfol; i++)
        if (fol[i].log_start < lw && mc_broker_find(alive, fol[i].id) != NULL)
            lw = fol[i].log_start;
    return lw;
}

int16_t
replmgr_delete_records(replmgr_t *rm, const char *topic, int32_t len,
                       int32_t partition, int64_t offset,
                       const mc_snapshot_t *alive, int64_t *required,
                       int64_t *low_watermark)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int16_t kerr = KERR_NONE;
    int rc;

    *required = -1;
    *low_watermark = -1;
    if (rp == NULL)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER) {
        kerr = KERR_NOT_LEADER_OR_FOLLOWER;
        goto out;
    }
    if (offset == -1) /* DeleteRecordsRequest.HIGH_WATERMARK */
        offset = plog_high_watermark(rp->plog);
    if (offset < 0) {
        kerr = KERR_OFFSET_OUT_OF_RANGE;
        goto out;
    }
    rc = plog_delete_records(rp->plog, offset);
    if (rc != 0) {
        kerr = kerr_from_err(rc); /* ERR_RANGE: above the high watermark */
        goto out;
    }
    *required = offset;
    *low_watermark = replmgr_compute_low_watermark(
        plog_log_start_offset(rp->plog), rp->fol, rp->nfol, alive);
out:
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return kerr;
}

int16_t
replmgr_low_watermark(replmgr_t *rm, const char *topic, int32_t len,
                      int32_t partition, const mc_snapshot_t *alive,
                      int64_t *low_watermark)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int16_t kerr = KERR_NONE;

    *low_watermark = -1;
    if (rp == NULL)
        return KERR_UNKNOWN_TOPIC_OR_PARTITION; /* HostedPartition.None */
    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER)
        kerr = KERR_NOT_LEADER_OR_FOLLOWER;
    else
        *low_watermark = replmgr_compute_low_watermark(
            plog_log_start_offset(rp->plog), rp->fol, rp->nfol, alive);
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return kerr;
}

bool
replmgr_in_isr(replmgr_t *rm, const char *topic, int32_t len, int32_t partition,
               int32_t replica_id)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    bool in = false;

    if (rp == NULL)
        return false;
    pthread_mutex_lock(&rp->lock);
    in = ids_contain(rp->isr, rp->nisr, replica_id);
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return in;
}

int16_t
replmgr_end_offset_for(replmgr_t *rm, const char *topic, int32_t len,
                       int32_t partition, int32_t current_leader_epoch,
                       int32_t leader_epoch, int32_t *out_epoch,
                       int64_t *out_end_offset)
{
    rpart_t *rp = rm_get(rm, topic, len, partition);
    int16_t kerr;

    *out_epoch = EPOCH_UNDEFINED;
    *out_end_offset = EPOCH_OFFSET_UNDEFINED;
    if (rp == NULL)
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    pthread_mutex_lock(&rp->lock);
    if (rp->role != REPLMGR_LEADER)
        kerr = KERR_NOT_LEADER_OR_FOLLOWER;
    else
        kerr = replmgr_check_epoch(current_leader_epoch, rp->leader_epoch);
    if (kerr == KERR_NONE)
        epoch_cache_end_offset_for(rp->ec, leader_epoch,
                                   plog_log_end_offset(rp->plog), out_epoch,
                                   out_end_offset);
    pthread_mutex_unlock(&rp->lock);
    rpart_unref(rp);
    return kerr;
}

/* ------------------------------------------------------------------ */
/* the follower's truncation rule (KIP-279)                            */

int64_t
replmgr_truncation_offset(epoch_cache_t *ec, int64_t leo, int64_t hw,
                          int32_t leader_epoch, int64_t leader_end, bool *done)
{
    int32_t fe;
    int64_t fend;

    *done = true;
    if (leader_end == EPOCH_OFFSET_UNDEFINED)
        return hw < leo ? hw : leo; /* the leader cannot tell: our HW */
    if (leader_epoch == EPOCH_UNDEFINED)
        return leader_end < leo ? leader_end : leo;
    epoch_cache_end_offset_for(ec, leader_epoch, leo, &fe, &fend);
    if (fend == EPOCH_OFFSET_UNDEFINED || fe == leader_epoch)
        return leader_end < leo ? leader_end : leo;
    /* our largest epoch <= the leader's differs: cut to where ours ends
     * and ask again with the epoch that leaves us */
    if (fend > leo)
        fend = leo;
    *done = false;
    return leader_end < fend ? leader_end : fend;
}
