/*
 * fetcher.c: replica fetcher threads, the follower side of replication
 * (DESIGN §3 "Replica fetchers", §6).
 *
 * Owns: one thread per (leader broker, fetcher id), the fetcher id being
 * the partition's hash modulo num.replica.fetchers (Kafka's
 * AbstractFetcherManager), each holding one blocking kclient connection to
 * its leader, resolved from the metadata cache. Does not own the
 * partitions' state (replmgr.c; every change is applied under rp->lock and
 * dropped when rp->gen moved meanwhile, R6).
 *
 * Spec: Kafka 2.8 ReplicaFetcherThread / AbstractFetcherThread; Fetch v12
 * with replica_id = our broker id, current_leader_epoch and
 * last_fetched_epoch (KIP-320, KIP-595); OffsetForLeaderEpoch v3
 * (KIP-101, KIP-279).
 *
 * A follower partition's states (rp->fstate):
 *
 *   become(follower) --> FS_TRUNCATE --OffsetForLeaderEpoch answer,
 *                          ^   |        truncated (replmgr_truncation_
 *                          |   |        offset, done)--> FS_FETCH
 *                          |   '--not done: truncated, ask again
 *                          |                                 |
 *                          '-- diverging epoch (not done), ---'
 *                              append out of order,     fetch: append,
 *                              offset out of range      HW = min(leader's,
 *                                                       LEO)
 *
 *   An error from the leader (not leader, fenced or unknown epoch ...)
 *   backs the partition off for replica.fetch.backoff.ms in either state;
 *   a new LeaderAndIsr (become) restarts at FS_TRUNCATE.
 *
 * Replication throttling (KIP-73; Kafka 2.8 ReplicaFetcherThread
 * .buildFetch, shouldFollowerThrottle, processPartitionData): a partition
 * that the topic's follower.replication.throttled.replicas names for this
 * broker ("<partition>:<id>" or "*") is left out of the fetch while the
 * follower quota (follower.replication.throttled.rate) is exceeded,
 * unless it is in sync by the fetcher's own measure, as in Kafka: its lag
 * to the leader's high watermark was 0 after the last fetch that brought
 * records (rp->fetch_lag; ISR membership plays no part on this side).
 * The records received for throttled partitions are recorded into the
 * quota. A fetch left with no partition waits replica.fetch.backoff.ms,
 * as Kafka's does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "replmgr_int.h"
#include "samsa/batch.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kerr.h"
#include "samsa/khdr.h"
#include "samsa/metacache.h"
#include "samsa/p_fetch.h"
#include "samsa/p_offsetforleaderepoch.h"
#include "samsa/say.h"
#include "samsa/throttle.h"
#include "samsa/xmalloc.h"

#define FETCHER_CLIENT_ID "samsa-replica-fetcher"
#define FETCHER_OFLE_VERSION 3
#define FETCHER_FETCH_VERSION 12
#define FETCHER_CONNECT_MS 5000

struct fetcher {
    replmgr_t *rm;
    int32_t leader_id;
    int fid;
    pthread_t th;
    pthread_mutex_t lock; /* covers the fields below */
    pthread_cond_t cond;
    rpart_t **parts; /* each referenced */
    int n, cap;
    bool stop;
    kclient_t *kc; /* replaced only by the thread, under lock */
    /* the thread's own */
    int32_t corr;
    buf_t frame;
    buf_t scratch;
};

/* what one pass knows about one partition */
typedef struct fitem {
    rpart_t *rp; /* referenced */
    uint64_t gen;
    rp_fstate_t fstate;
    bool ready; /* follower of our leader, not backing off */
    int32_t leader_epoch;
    int32_t last_epoch;
    int64_t leo;
    int64_t lso;
    bool in_sync;   /* rp->fetch_lag == 0 */
    bool throttled; /* named by follower.replication.throttled.replicas */
} fitem_t;

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static void
fetcher_sleep(fetcher_t *f, int64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&f->lock);
    if (!f->stop)
        pthread_cond_timedwait(&f->cond, &f->lock, &ts);
    pthread_mutex_unlock(&f->lock);
}

static void
fetcher_disconnect(fetcher_t *f)
{
    kclient_t *kc;

    pthread_mutex_lock(&f->lock);
    kc = f->kc;
    f->kc = NULL;
    pthread_mutex_unlock(&f->lock);
    kclient_close(kc);
}

static int
fetcher_connect(fetcher_t *f)
{
    mc_snapshot_t *snap;
    const mc_broker_t *mb;
    char host[256], err[256];
    kclient_t *kc;
    int port, rc;

    if (f->kc != NULL)
        return 0;
    snap = metacache_get();
    mb = mc_broker_find(snap, f->leader_id);
    if (mb == NULL || mb->host == NULL) {
        mc_snapshot_put(snap);
        return ERR_NOTFOUND;
    }
    snprintf(host, sizeof(host), "%s", mb->host);
    port = mb->port;
    mc_snapshot_put(snap);
    rc = kclient_connect(&kc, host, port, FETCHER_CONNECT_MS, err, sizeof(err));
    if (rc != 0) {
        say_warn("replica fetcher %d-%d: cannot reach broker %d at %s:%d: "
                 "%s",
                 f->leader_id, f->fid, f->leader_id, host, port, err);
        return rc;
    }
    pthread_mutex_lock(&f->lock);
    if (f->stop) {
        pthread_mutex_unlock(&f->lock);
        kclient_close(kc);
        return ERR_STATE;
    }
    f->kc = kc;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

/* sends @kw (a request built after req_begin) and reads the answer into
 * f->frame; positions @kr at the body */
static int
fetcher_roundtrip(fetcher_t *f, kwrite_t *kw, int16_t key, int16_t version,
                  kread_t *kr)
{
    int32_t corr;
    int rc;

    buf_reset(&f->frame);
    rc = kwrite_flatten(kw, &f->frame);
    kwrite_fini(kw);
    if (rc == 0)
        rc = kclient_send(f->kc, f->frame.data, f->frame.len);
    if (rc == 0)
        rc = kclient_recv(f->kc, &f->frame,
                          f->rm->cfg.fetch_wait_max_ms +
                              f->rm->cfg.socket_timeout_ms);
    if (rc != 0)
        return rc;
    kread_init(kr, f->frame.data, f->frame.len);
    rc = khdr_decode_response(
        kr, &corr, khdr_response_flexible(key, kapi_flexible(key, version)));
    if (rc == 0 && corr != f->corr)
        rc = ERR_PROTO;
    return rc;
}

static void
fetcher_req_begin(fetcher_t *f, kwrite_t *kw, int16_t key, int16_t version)
{
    kwrite_init(kw);
    khdr_encode_request(kw, key, version, ++f->corr, FETCHER_CLIENT_ID,
                        kapi_flexible(key, version));
}

static fitem_t *
fitem_find(fitem_t *items, int n, kstr_t topic, int32_t partition)
{
    for (int i = 0; i < n; i++)
        if (items[i].rp->partition == partition &&
            items[i].rp->topic_len == topic.len &&
            memcmp(items[i].rp->topic, topic.ptr, (size_t)topic.len) == 0)
            return &items[i];
    return NULL;
}

/*
 * Locks the partition if it is still in the state the item saw (R6);
 * false (unlocked) otherwise.
 */
static bool
fitem_lock(fetcher_t *f, fitem_t *it)
{
    rpart_t *rp = it->rp;

    pthread_mutex_lock(&rp->lock);
    if (rp->gen == it->gen && rp->role == REPLMGR_FOLLOWER && !rp->stopped &&
        rp->leader_id == f->leader_id)
        return true;
    pthread_mutex_unlock(&rp->lock);
    return false;
}

/* rp->lock held */
static void
rp_backoff_locked(fetcher_t *f, rpart_t *rp)
{
    rp->retry_at_ms = clock_mono_ms() + f->rm->cfg.fetch_backoff_ms;
}

/* truncates log and epoch cache together (R7); rp->lock held */
static int
rp_truncate_locked(rpart_t *rp, int64_t offset)
{
    int rc = plog_truncate_to(rp->plog, offset);

    if (rc == 0)
        epoch_cache_truncate_from_end(rp->ec, plog_log_end_offset(rp->plog));
    return rc;
}

/* ------------------------------------------------------------------ */
/* truncation (FS_TRUNCATE)                                            */

/* applies a leader's (epoch, end offset) answer; rp->lock held */
static void
rp_apply_epoch_end_locked(fetcher_t *f, rpart_t *rp, int32_t epoch, int64_t end)
{
    int64_t leo = plog_log_end_offset(rp->plog), to;
    bool done;

    to = replmgr_truncation_offset(rp->ec, leo, plog_high_watermark(rp->plog),
                                   epoch, end, &done);
    if (to < leo) {
        say_info("%s-%d: truncating to %" PRId64 " (leader %d says epoch %d "
                 "ends at %" PRId64 ")",
                 rp->topic, rp->partition, to, f->leader_id, epoch, end);
        if (rp_truncate_locked(rp, to) != 0) {
            rp_backoff_locked(f, rp);
            return;
        }
    } else {
        /* R7: nothing to cut from the log, but an epoch entry at our LEO
         * (one we led without appending) must go, or it stays the latest
         * epoch we fetch with and the leader reports a divergence at our
         * LEO forever (Kafka's Log.truncateTo does the same) */
        epoch_cache_truncate_from_end(rp->ec, leo);
    }
    rp->fstate = done ? FS_FETCH : FS_TRUNCATE;
}

static void
fetcher_truncate(fetcher_t *f, fitem_t *items, int n)
{
    ofle_req_topic_t *topics = xcalloc((size_t)n, sizeof(*topics));
    ofle_req_partition_t *parts = xcalloc((size_t)n, sizeof(*parts));
    ofle_req_t req = {.replica_id = f->rm->cfg.broker_id, .topics = topics};
    ofle_resp_t resp;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    int rc;

    for (int i = 0; i < n; i++) {
        fitem_t *it = &items[i];

        if (!it->ready || it->fstate != FS_TRUNCATE)
            continue;
        if (it->last_epoch < 0) {
            /* no epochs (an empty or pre-epoch log): our high watermark */
            if (fitem_lock(f, it)) {
                rp_truncate_locked(it->rp, plog_high_watermark(it->rp->plog));
                it->rp->fstate = FS_FETCH;
                pthread_mutex_unlock(&it->rp->lock);
            }
            continue;
        }
        parts[req.ntopics].partition = it->rp->partition;
        parts[req.ntopics].current_leader_epoch = it->leader_epoch;
        parts[req.ntopics].leader_epoch = it->last_epoch;
        topics[req.ntopics].topic.ptr = it->rp->topic;
        topics[req.ntopics].topic.len = it->rp->topic_len;
        topics[req.ntopics].npartitions = 1;
        topics[req.ntopics].partitions = &parts[req.ntopics];
        req.ntopics++;
    }
    if (req.ntopics == 0)
        goto out;
    fetcher_req_begin(f, &kw, API_OFFSET_FOR_LEADER_EPOCH,
                      FETCHER_OFLE_VERSION);
    p_offsetforleaderepoch_req_encode(&kw, FETCHER_OFLE_VERSION, &req);
    rc = fetcher_roundtrip(f, &kw, API_OFFSET_FOR_LEADER_EPOCH,
                           FETCHER_OFLE_VERSION, &kr);
    arena_init(&ar);
    if (rc == 0)
        rc = p_offsetforleaderepoch_resp_decode(&kr, FETCHER_OFLE_VERSION, &ar,
                                                &resp);
    if (rc != 0) {
        say_warn("replica fetcher %d-%d: OffsetForLeaderEpoch failed: %s",
                 f->leader_id, f->fid, err_str(rc));
        arena_fini(&ar);
        fetcher_disconnect(f);
        fetcher_sleep(f, f->rm->cfg.fetch_backoff_ms);
        goto out;
    }
    for (int32_t t = 0; t < resp.ntopics; t++) {
        for (int32_t p = 0; p < resp.topics[t].npartitions; p++) {
            ofle_resp_partition_t *rp = &resp.topics[t].partitions[p];
            fitem_t *it =
                fitem_find(items, n, resp.topics[t].topic, rp->partition);

            if (it == NULL || !fitem_lock(f, it))
                continue;
            if (rp->error_code != KERR_NONE) {
                say_debug("%s-%d: OffsetForLeaderEpoch: %s", it->rp->topic,
                          it->rp->partition, kerr_name(rp->error_code));
                rp_backoff_locked(f, it->rp);
            } else {
                rp_apply_epoch_end_locked(f, it->rp, rp->leader_epoch,
                                          rp->end_offset);
            }
            pthread_mutex_unlock(&it->rp->lock);
        }
    }
    arena_fini(&ar);
out:
    free(topics);
    free(parts);
}

/* ------------------------------------------------------------------ */
/* fetching (FS_FETCH)                                                 */

/* appends what the leader sent; rp->lock held */
static void
rp_apply_records_locked(fetcher_t *f, rpart_t *rp,
                        const fetch_resp_partition_t *fp)
{
    uint8_t *p = (uint8_t *)fp->records.ptr;
    size_t len = fp->records.len > 0 ? (size_t)fp->records.len : 0, pos = 0;
    plog_append_info_t info;
    batch_hdr_t h;
    int64_t hw, leo;
    int rc;

    /* whole, valid batches only; a trailing partial one is fetched again */
    while (pos < len) {
        if (batch_hdr_parse(p + pos, len - pos, &h) != 0 ||
            batch_size(&h) > len - pos)
            break;
        if (batch_validate_flags(p + pos, batch_size(&h), &f->scratch,
                                 BATCH_VALIDATE_REPLICA) != KERR_NONE) {
            say_error("%s-%d: corrupt batch at %" PRId64 " from leader %d",
                      rp->topic, rp->partition, h.base_offset, f->leader_id);
            break;
        }
        pos += batch_size(&h);
    }
    if (pos > 0) {
        rc = plog_append_replica(rp->plog, p, pos, &info);
        if (rc == ERR_RANGE) {
            /* I9 refused it: our log no longer matches; resynchronise */
            say_warn("%s-%d: fetched batches do not continue the log at "
                     "%" PRId64 "; truncating again",
                     rp->topic, rp->partition, plog_log_end_offset(rp->plog));
            rp->fstate = FS_TRUNCATE;
            return;
        }
        if (rc != 0) {
            say_error("%s-%d: replica append failed: %s", rp->topic,
                      rp->partition, err_str(rc));
            rp_backoff_locked(f, rp);
            return;
        }
        for (size_t q = 0; q < pos; q += batch_size(&h)) {
            batch_hdr_parse(p + q, pos - q, &h);
            epoch_cache_assign(rp->ec, h.partition_leader_epoch, h.base_offset);
        }
    }
    /* R8 */
    leo = plog_log_end_offset(rp->plog);
    if (pos > 0)
        rp->fetch_lag = fp->high_watermark > leo ? fp->high_watermark - leo : 0;
    hw = fp->high_watermark < leo ? fp->high_watermark : leo;
    if (hw > plog_high_watermark(rp->plog))
        plog_set_high_watermark(rp->plog, hw);
    if (fp->log_start_offset > plog_log_start_offset(rp->plog) &&
        fp->log_start_offset <= plog_high_watermark(rp->plog)) {
        plog_delete_records(rp->plog, fp->log_start_offset);
        epoch_cache_truncate_from_start(rp->ec, fp->log_start_offset);
    }
}

static void
rp_apply_fetch_locked(fetcher_t *f, rpart_t *rp,
                      const fetch_resp_partition_t *fp)
{
    switch (fp->error_code) {
    case KERR_NONE:
        if (fp->diverging_epoch.epoch >= 0 ||
            fp->diverging_epoch.end_offset >= 0) {
            /* KIP-595: the leader says where our last epoch ends */
            rp_apply_epoch_end_locked(f, rp, fp->diverging_epoch.epoch,
                                      fp->diverging_epoch.end_offset);
            return;
        }
        rp_apply_records_locked(f, rp, fp);
        return;
    case KERR_OFFSET_OUT_OF_RANGE:
        if (fp->log_start_offset > plog_log_end_offset(rp->plog)) {
            /* we are behind the leader's log start: start over there */
            if (plog_truncate_fully(rp->plog, fp->log_start_offset) == 0)
                epoch_cache_truncate_from_end(rp->ec, 0);
            else
                rp_backoff_locked(f, rp);
        } else {
            rp->fstate = FS_TRUNCATE;
            rp_backoff_locked(f, rp);
        }
        return;
    default:
        say_debug("%s-%d: fetch from %d: %s", rp->topic, rp->partition,
                  f->leader_id, kerr_name(fp->error_code));
        rp_backoff_locked(f, rp);
        return;
    }
}

/* follower.replication.throttled.replicas names @rp for this broker */
static bool
fetcher_throttled(fetcher_t *f, const mc_snapshot_t *snap, const rpart_t *rp)
{
    const mc_topic_t *t = mc_topic_find(snap, rp->topic, rp->topic_len);

    return t != NULL &&
           throttle_replicas_match(
               mc_topic_config(t, "follower.replication.throttled.replicas"),
               rp->partition, f->rm->cfg.broker_id);
}

static void
fetcher_fetch(fetcher_t *f, fitem_t *items, int n)
{
    fetch_req_topic_t *topics = xcalloc((size_t)n, sizeof(*topics));
    fetch_req_partition_t *parts = xcalloc((size_t)n, sizeof(*parts));
    fetch_req_t req = {
        .cluster_id = {NULL, -1},
        .replica_id = f->rm->cfg.broker_id,
        .max_wait_ms = f->rm->cfg.fetch_wait_max_ms,
        .min_bytes = f->rm->cfg.fetch_min_bytes,
        .max_bytes = f->rm->cfg.fetch_response_max_bytes,
        .session_id = 0,
        .session_epoch = -1, /* no session: full fetches (KIP-227) */
        .topics = topics,
        .rack_id = {"", 0},
    };
    throttle_t *quota = f->rm->cfg.follower_quota;
    mc_snapshot_t *snap = quota != NULL ? metacache_get() : NULL;
    int exceeded = -1, nheld = 0; /* quota looked at once per fetch */
    fetch_resp_t resp;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    int rc;

    for (int i = 0; i < n; i++) {
        fitem_t *it = &items[i];
        fetch_req_partition_t *fp = &parts[req.ntopics];

        if (!it->ready || it->fstate != FS_FETCH)
            continue;
        it->throttled = snap != NULL && fetcher_throttled(f, snap, it->rp);
        if (it->throttled && !it->in_sync) {
            /* shouldFollowerThrottle */
            if (exceeded < 0)
                exceeded = throttle_exceeded(quota);
            if (exceeded) {
                nheld++;
                continue;
            }
        }
        fp->partition = it->rp->partition;
        fp->current_leader_epoch = it->leader_epoch;
        fp->fetch_offset = it->leo;
        fp->last_fetched_epoch = it->last_epoch;
        fp->log_start_offset = it->lso;
        fp->partition_max_bytes = f->rm->cfg.fetch_max_bytes;
        topics[req.ntopics].topic.ptr = it->rp->topic;
        topics[req.ntopics].topic.len = it->rp->topic_len;
        topics[req.ntopics].npartitions = 1;
        topics[req.ntopics].partitions = fp;
        req.ntopics++;
    }
    if (snap != NULL)
        mc_snapshot_put(snap);
    if (req.ntopics == 0) {
        /* every partition held back by the quota: Kafka's maybeFetch
         * waits fetchBackOffMs when it has nothing to ask */
        if (nheld > 0)
            fetcher_sleep(f, f->rm->cfg.fetch_backoff_ms);
        goto out;
    }
    fetcher_req_begin(f, &kw, API_FETCH, FETCHER_FETCH_VERSION);
    p_fetch_req_encode(&kw, FETCHER_FETCH_VERSION, &req);
    rc = fetcher_roundtrip(f, &kw, API_FETCH, FETCHER_FETCH_VERSION, &kr);
    arena_init(&ar);
    if (rc == 0)
        rc = p_fetch_resp_decode(&kr, FETCHER_FETCH_VERSION, &ar, &resp);
    if (rc == 0 && resp.error_code != KERR_NONE)
        rc = ERR_STATE;
    if (rc != 0) {
        say_warn("replica fetcher %d-%d: fetch failed: %s", f->leader_id,
                 f->fid, err_str(rc));
        arena_fini(&ar);
        fetcher_disconnect(f);
        fetcher_sleep(f, f->rm->cfg.fetch_backoff_ms);
        goto out;
    }
    for (int32_t t = 0; t < resp.nresponses; t++) {
        for (int32_t p = 0; p < resp.responses[t].npartitions; p++) {
            fetch_resp_partition_t *fp = &resp.responses[t].partitions[p];
            fitem_t *it = fitem_find(items, n, resp.responses[t].topic,
                                     fp->partition_index);

            if (it != NULL && it->throttled && fp->error_code == KERR_NONE &&
                fp->records.len > 0)
                throttle_record(quota, fp->records.len);
            if (it == NULL || !fitem_lock(f, it))
                continue;
            rp_apply_fetch_locked(f, it->rp, fp);
            pthread_mutex_unlock(&it->rp->lock);
        }
    }
    arena_fini(&ar);
out:
    free(topics);
    free(parts);
}

/* ------------------------------------------------------------------ */
/* the thread                                                          */

/* one pass's view of our partitions; returns how many are ready and the
 * earliest retry time of the others in *@wake_at */
static int
fetcher_snapshot(fetcher_t *f, fitem_t **items, int *n, int64_t *wake_at)
{
    int64_t now = clock_mono_ms();
    int ready = 0;

    pthread_mutex_lock(&f->lock);
    *n = f->n;
    *items = xcalloc((size_t)(f->n > 0 ? f->n : 1), sizeof(**items));
    for (int i = 0; i < f->n; i++) {
        atomic_fetch_add(&f->parts[i]->refs, 1);
        (*items)[i].rp = f->parts[i];
    }
    pthread_mutex_unlock(&f->lock);
    *wake_at = now + 100;
    for (int i = 0; i < *n; i++) {
        fitem_t *it = &(*items)[i];
        rpart_t *rp = it->rp;

        pthread_mutex_lock(&rp->lock);
        it->gen = rp->gen;
        it->fstate = rp->fstate;
        it->leader_epoch = rp->leader_epoch;
        it->ready = rp->role == REPLMGR_FOLLOWER && !rp->stopped &&
                    rp->leader_id == f->leader_id && rp->retry_at_ms <= now;
        it->in_sync = rp->fetch_lag == 0;
        if (rp->retry_at_ms > now && rp->retry_at_ms < *wake_at)
            *wake_at = rp->retry_at_ms;
        pthread_mutex_unlock(&rp->lock);
        it->last_epoch = epoch_cache_latest_epoch(rp->ec);
        it->leo = plog_log_end_offset(rp->plog);
        it->lso = plog_log_start_offset(rp->plog);
        ready += it->ready;
    }
    return ready;
}

static void *
fetcher_main(void *arg)
{
    fetcher_t *f = arg;

    for (;;) {
        fitem_t *items;
        int n, ready;
        int64_t wake_at;
        bool stop;

        pthread_mutex_lock(&f->lock);
        while (!f->stop && f->n == 0)
            pthread_cond_wait(&f->cond, &f->lock);
        stop = f->stop;
        pthread_mutex_unlock(&f->lock);
        if (stop)
            break;
        ready = fetcher_snapshot(f, &items, &n, &wake_at);
        if (ready == 0) {
            int64_t left = wake_at - clock_mono_ms();
            fetcher_sleep(f, left > 0 ? left : 1);
        } else if (fetcher_connect(f) != 0) {
            fetcher_sleep(f, f->rm->cfg.fetch_backoff_ms);
        } else {
            fetcher_truncate(f, items, n);
            /* truncation may have moved the LEO: look again */
            for (int i = 0; i < n; i++) {
                fitem_t *it = &items[i];

                if (!it->ready)
                    continue;
                pthread_mutex_lock(&it->rp->lock);
                if (it->rp->gen != it->gen || it->rp->retry_at_ms > 0)
                    it->ready = it->rp->gen == it->gen &&
                                it->rp->retry_at_ms <= clock_mono_ms();
                it->fstate = it->rp->fstate;
                pthread_mutex_unlock(&it->rp->lock);
                it->last_epoch = epoch_cache_latest_epoch(it->rp->ec);
                it->leo = plog_log_end_offset(it->rp->plog);
            }
            if (f->kc != NULL)
                fetcher_fetch(f, items, n);
        }
        for (int i = 0; i < n; i++)
            rpart_unref(items[i].rp);
        free(items);
    }
    fetcher_disconnect(f);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* assignment (rm->fetchers_lock)                                      */

static void
fetcher_remove_locked(fetcher_t *f, rpart_t *rp)
{
    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < f->n; i++) {
        if (f->parts[i] == rp) {
            f->parts[i] = f->parts[--f->n];
            rpart_unref(rp);
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
}

void
fetcher_assign(replmgr_t *rm, rpart_t *rp, int32_t leader_id)
{
    int fid = (int)((uint32_t)(rp->partition * 31 + rp->topic_len) %
                    (uint32_t)rm->cfg.num_replica_fetchers);
    fetcher_t *f = NULL;

    pthread_mutex_lock(&rm->fetchers_lock);
    if (rp->fetcher != NULL && rp->fetcher->leader_id == leader_id) {
        pthread_mutex_lock(&rp->fetcher->lock);
        pthread_cond_broadcast(&rp->fetcher->cond);
        pthread_mutex_unlock(&rp->fetcher->lock);
        pthread_mutex_unlock(&rm->fetchers_lock);
        return;
    }
    if (rp->fetcher != NULL)
        fetcher_remove_locked(rp->fetcher, rp);
    for (int i = 0; i < rm->nfetchers; i++)
        if (rm->fetchers[i]->leader_id == leader_id &&
            rm->fetchers[i]->fid == fid)
            f = rm->fetchers[i];
    if (f == NULL) {
        f = xcalloc(1, sizeof(*f));
        f->rm = rm;
        f->leader_id = leader_id;
        f->fid = fid;
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->cond, NULL);
        buf_init(&f->frame);
        buf_init(&f->scratch);
        rm->fetchers = xrealloc(rm->fetchers, (size_t)(rm->nfetchers + 1) *
                                                  sizeof(*rm->fetchers));
        rm->fetchers[rm->nfetchers++] = f;
        if (pthread_create(&f->th, NULL, fetcher_main, f) != 0)
            abort(); /* like an allocation failure */
        say_info("started replica fetcher %d-%d", leader_id, fid);
    }
    pthread_mutex_lock(&f->lock);
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->parts = xrealloc(f->parts, (size_t)f->cap * sizeof(*f->parts));
    }
    atomic_fetch_add(&rp->refs, 1);
    f->parts[f->n++] = rp;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
    rp->fetcher = f;
    pthread_mutex_unlock(&rm->fetchers_lock);
}

void
fetcher_unassign(replmgr_t *rm, rpart_t *rp)
{
    pthread_mutex_lock(&rm->fetchers_lock);
    if (rp->fetcher != NULL)
        fetcher_remove_locked(rp->fetcher, rp);
    rp->fetcher = NULL;
    pthread_mutex_unlock(&rm->fetchers_lock);
}

void
fetcher_stop_all(replmgr_t *rm)
{
    pthread_mutex_lock(&rm->fetchers_lock);
    for (int i = 0; i < rm->nfetchers; i++) {
        fetcher_t *f = rm->fetchers[i];

        pthread_mutex_lock(&f->lock);
        f->stop = true;
        /* interrupts a blocking send or receive */
        if (f->kc != NULL)
            shutdown(kclient_fd(f->kc), SHUT_RDWR);
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
    }
    pthread_mutex_unlock(&rm->fetchers_lock);
    for (int i = 0; i < rm->nfetchers; i++) {
        fetcher_t *f = rm->fetchers[i];

        pthread_join(f->th, NULL);
        for (int j = 0; j < f->n; j++) {
            f->parts[j]->fetcher = NULL;
            rpart_unref(f->parts[j]);
        }
        free(f->parts);
        buf_fini(&f->frame);
        buf_fini(&f->scratch);
        pthread_cond_destroy(&f->cond);
        pthread_mutex_destroy(&f->lock);
        free(f);
    }
    rm->nfetchers = 0;
}
