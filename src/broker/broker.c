/*
 * broker.c: the broker object, partition lookup for the handlers, Kafka's
 * topic-name rules, and the controller's decisions applied locally
 * (LeaderAndIsr -> create or open the log and take the role; StopReplica ->
 * stop serving, delete when asked; UpdateMetadata -> install the snapshot),
 * and the client side of a controlled shutdown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/clock.h"
#include "samsa/coord.h"
#include "samsa/err.h"
#include "samsa/kapi.h"
#include "samsa/kclient.h"
#include "samsa/kerr.h"
#include "samsa/p_controlledshutdown.h"
#include "samsa/say.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"

/* Kafka's limit: 249 so that "<topic>-<partition>" fits a file name */
#define TOPIC_NAME_MAX 249

/* replmgr's on_change: parked requests on the partition look again */
static void
broker_on_replica_change(const char *topic, int32_t partition, void *ud)
{
    purgatory_wake(ud, kstr_c(topic), partition);
}

/* replmgr's broker_epoch: our registration's, once registered */
static int64_t
broker_epoch_of(void *ud)
{
    broker_t *b = ud;
    ctl_t *ctl = __atomic_load_n(&b->ctl, __ATOMIC_ACQUIRE);

    return ctl != NULL ? ctl_broker_epoch(ctl) : -1;
}

broker_t *
broker_new(const bconf_t *conf, logmgr_t *lm)
{
    broker_t *b = xcalloc(1, sizeof(*b));
    int64_t window_ms =
        (int64_t)conf->replication_quota_window_size_seconds * 1000;
    replmgr_config_t rc;

    b->conf = conf;
    b->base_conf = conf;
    pthread_mutex_init(&b->dyn_lock, NULL);
    b->lm = lm;
    b->id = conf->broker_id;
    pthread_mutex_init(&b->meta_lock, NULL);
    pthread_cond_init(&b->meta_cond, NULL);
    pthread_mutex_init(&b->purg_lock, NULL);
    atomic_init(&b->nwaiters, 0);
    b->leader_quota = throttle_new("leader", conf->replication_quota_window_num,
                                   window_ms, NULL, NULL);
    b->follower_quota = throttle_new(
        "follower", conf->replication_quota_window_num, window_ms, NULL, NULL);
    replmgr_config_defaults(&rc);
    rc.broker_id = conf->broker_id;
    rc.num_replica_fetchers =
        conf->num_replica_fetchers > 0 ? conf->num_replica_fetchers : 1;
    rc.replica_lag_time_max_ms = conf->replica_lag_time_max_ms;
    rc.alter_isr = true;
    rc.follower_quota = b->follower_quota;
    rc.on_change = broker_on_replica_change;
    rc.broker_epoch = broker_epoch_of;
    rc.ud = b;
    b->rm = replmgr_new(&rc);
    return b;
}

void
broker_free(broker_t *b)
{
    /* first: the fetchers append to logs and wake the purgatory */
    replmgr_free(b->rm);
    throttle_free(b->follower_quota);
    throttle_free(b->leader_quota);
    coord_free(b->coord);
    pthread_mutex_destroy(&b->purg_lock);
    for (int i = 0; i < b->nretired; i++)
        bconf_dynamic_free(b->retired[i]);
    free(b->retired);
    pthread_mutex_destroy(&b->dyn_lock);
    pthread_cond_destroy(&b->meta_cond);
    pthread_mutex_destroy(&b->meta_lock);
    free(b);
}

void
broker_set_ctl(broker_t *b, ctl_t *ctl)
{
    /* the group coordinator lives while the controller handle does: it
     * polls ctl_is_controller (DESIGN §6 Groups) */
    if (ctl != NULL && b->coord == NULL) {
        coord_config_t cc = {
            .zk_connect = b->conf->zookeeper_connect,
            .zk_session_timeout_ms = b->conf->zookeeper_session_timeout_ms,
            .ctl = ctl,
            .initial_rebalance_delay_ms =
                b->conf->group_initial_rebalance_delay_ms,
            .max_size = b->conf->group_max_size,
            .min_session_timeout_ms = b->conf->group_min_session_timeout_ms,
            .max_session_timeout_ms = b->conf->group_max_session_timeout_ms,
            .offsets_retention_ms = b->conf->offsets_retention_minutes * 60000,
        };
        coord_t *c = NULL;
        char err[256];

        if (coord_start(&c, &cc, err, sizeof(err)) != 0)
            say_error("group coordinator not started: %s", err);
        __atomic_store_n(&b->coord, c, __ATOMIC_RELEASE);
    } else if (ctl == NULL) {
        coord_stop(b->coord); /* before the controller handle goes */
    }
    __atomic_store_n(&b->ctl, ctl, __ATOMIC_RELEASE);
}

const char *
broker_topic_name_error(const char *name, int32_t len)
{
    if (name == NULL || len <= 0)
        return "the topic name is empty";
    if (len > TOPIC_NAME_MAX)
        return "the topic name is longer than 249 characters";
    if ((len == 1 && name[0] == '.') ||
        (len == 2 && name[0] == '.' && name[1] == '.'))
        return "the topic name cannot be '.' or '..'";
    for (int32_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return "the topic name may contain only ASCII letters, digits, "
                   "'.', '_' and '-'";
    }
    return NULL;
}

int16_t
broker_leader_partition(broker_t *b, const mc_snapshot_t *snap, kstr_t topic,
                        int32_t partition, const mc_partition_t **part,
                        plog_t **plog)
{
    const mc_topic_t *t = mc_topic_find(snap, topic.ptr, topic.len);
    char name[TOPIC_NAME_MAX + 1];

    *plog = NULL;
    if (t == NULL || t->deleting || partition < 0 ||
        partition >= t->npartitions)
        return KERR_UNKNOWN_TOPIC_OR_PARTITION;
    *part = &t->partitions[partition];
    /* the controller's LeaderAndIsr, when it came, decides over the
     * metadata (which may lag it, as in Kafka) */
    switch (replmgr_role(b->rm, topic.ptr, topic.len, partition, NULL, NULL)) {
    case REPLMGR_LEADER: break;
    case REPLMGR_FOLLOWER: return KERR_NOT_LEADER_OR_FOLLOWER;
    case REPLMGR_UNKNOWN:
        if ((*part)->leader < 0)
            return KERR_LEADER_NOT_AVAILABLE;
        if ((*part)->leader != b->id)
            return KERR_NOT_LEADER_OR_FOLLOWER;
        break;
    }
    memcpy(name, topic.ptr, topic.len);
    name[topic.len] = '\0';
    *plog = logmgr_get(b->lm, name, partition);
    /* led here by the metadata but the log is not open yet */
    return *plog ? KERR_NONE : KERR_NOT_LEADER_OR_FOLLOWER;
}

int32_t
broker_leader_epoch(broker_t *b, kstr_t topic, const mc_partition_t *part)
{
    int32_t epoch;

    if (replmgr_role(b->rm, topic.ptr, topic.len, part->partition, &epoch,
                     NULL) != REPLMGR_UNKNOWN)
        return epoch;
    return part->leader_epoch;
}

bool
broker_topic_config_valid(const char *key, const char *value, char *err,
                          size_t errlen)
{
    return tconf_valid(key, value, err, errlen);
}

void
broker_on_leader_and_isr(const ctl_partition_state_t *parts, int n, void *ud)
{
    broker_t *b = ud;
    mc_snapshot_t *snap = metacache_get();

    for (int i = 0; i < n; i++) {
        const ctl_partition_state_t *ps = &parts[i];
        const mc_topic_t *t =
            mc_topic_find(snap, ps->topic, (int32_t)strlen(ps->topic));
        log_config_t lc;
        plog_t *plog;
        int rc;

        tconf_log_config(broker_conf(b), t, &lc);
        rc = logmgr_create(b->lm, ps->topic, ps->partition, &lc, &plog);
        if (rc != 0 && rc != ERR_EXISTS) {
            say_error("cannot create the log of %s-%d: %s", ps->topic,
                      ps->partition, err_str(rc));
            continue;
        }
        /*
         * The role, epoch and ISR go to the replica manager. A leader
         * whose ISR is itself alone has every in-sync copy: its high
         * watermark becomes its log end at once (acknowledged acks=1 data
         * that reached the disk before a crash becomes visible again).
         */
        rc = replmgr_become(b->rm, ps, plog);
        if (rc != 0 && rc != ERR_STATE)
            say_error("%s-%d: cannot take the role: %s", ps->topic,
                      ps->partition, err_str(rc));
        say_debug("%s-%d: leader %d, epoch %d", ps->topic, ps->partition,
                  ps->leader, ps->leader_epoch);
        plog_unref(plog);
    }
    mc_snapshot_put(snap);
}

void
broker_on_stop_replica(const char *topic, int32_t partition, bool del, void *ud)
{
    broker_t *b = ud;
    int rc;

    replmgr_stop(b->rm, topic, partition);
    if (!del)
        return;
    rc = logmgr_delete(b->lm, topic, partition);
    if (rc != 0 && rc != ERR_NOTFOUND)
        say_error("cannot delete the log of %s-%d: %s", topic, partition,
                  err_str(rc));
    else if (rc == 0)
        say_info("deleted the log of %s-%d", topic, partition);
}

typedef struct reconfigure {
    broker_t *b;
    const mc_snapshot_t *snap;
} reconfigure_t;

/* applies topic-level overrides to one local log */
static void
broker_reconfigure_one(plog_t *plog, void *ud)
{
    reconfigure_t *rc = ud;
    const char *topic = plog_topic(plog);
    const mc_topic_t *t =
        mc_topic_find(rc->snap, topic, (int32_t)strlen(topic));
    log_config_t lc;

    if (t == NULL)
        return;
    tconf_log_config(broker_conf(rc->b), t, &lc);
    plog_set_config(plog, &lc);
}

void
broker_on_metadata(mc_snapshot_t *snap, void *ud)
{
    broker_t *b = ud;
    reconfigure_t rc = {b, snap};

    logmgr_foreach(b->lm, broker_reconfigure_one, &rc);
    metacache_install(snap);
    /* a parked DeleteRecords waits only for the live followers
     * (replmgr.c R11): one that left the metadata no longer counts */
    purgatory_wake_api(b, API_DELETE_RECORDS);
    pthread_mutex_lock(&b->meta_lock);
    b->have_metadata = true;
    pthread_cond_broadcast(&b->meta_cond);
    pthread_mutex_unlock(&b->meta_lock);
}

/* one replication quota's rate from @conf (unset: unlimited) */
static void
broker_set_throttle(throttle_t *t, const char *key, int64_t rate)
{
    if (rate == BCONF_UNSET)
        rate = THROTTLE_UNLIMITED;
    if (throttle_rate(t) == rate)
        return;
    throttle_set_rate(t, rate);
    if (rate == THROTTLE_UNLIMITED)
        say_info("%s: unlimited", key);
    else
        say_info("%s: %lld bytes/s", key, (long long)rate);
}

void
broker_on_broker_config(const char *const *dkeys, const char *const *dvals,
                        int nd, const char *const *bkeys,
                        const char *const *bvals, int nb, void *ud)
{
    broker_t *b = ud;
    bconf_t *conf =
        bconf_dynamic_new(b->base_conf, nd, dkeys, dvals, nb, bkeys, bvals);
    mc_snapshot_t *snap;
    reconfigure_t rc = {b, NULL};

    /* the old struct may still be read by an IO loop: kept until
     * broker_free (one small struct per change) */
    pthread_mutex_lock(&b->dyn_lock);
    b->retired = xrealloc(b->retired, sizeof(*b->retired) * (b->nretired + 1));
    b->retired[b->nretired++] = conf;
    __atomic_store_n(&b->conf, conf, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&b->dyn_lock);
    say_info("dynamic broker configs: %d cluster-wide, %d for broker %d "
             "(%d applied)",
             nd, nb, (int)b->id, (int)conf->ndynamic);
    /* Kafka's BrokerConfigHandler: the broker's own value, else the
     * cluster-wide one, else none */
    broker_set_throttle(b->leader_quota, "leader.replication.throttled.rate",
                        conf->leader_replication_throttled_rate);
    broker_set_throttle(b->follower_quota,
                        "follower.replication.throttled.rate",
                        conf->follower_replication_throttled_rate);
    /* the topic defaults of every open log follow */
    snap = metacache_get();
    rc.snap = snap;
    logmgr_foreach(b->lm, broker_reconfigure_one, &rc);
    mc_snapshot_put(snap);
}

void
broker_quiesce(broker_t *b, int64_t timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;

    purgatory_expire_all(b);
    while (atomic_load(&b->nwaiters) > 0 && clock_mono_ms() < deadline) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&b->nwaiters) > 0)
        say_warn("%d parked request(s) still waiting at shutdown",
                 atomic_load(&b->nwaiters));
}

bool
broker_wait_metadata(broker_t *b, int64_t timeout_ms)
{
    struct timespec deadline;
    bool have;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    /*
     * The metadata of a broker that is not the controller arrives over the
     * network (UpdateMetadata), so only once it listens: when another
     * broker is known to be the controller, stop waiting (checked every
     * 100 ms) and let the caller start listening.
     */
    pthread_mutex_lock(&b->meta_lock);
    while (!b->have_metadata) {
        ctl_t *ctl = __atomic_load_n(&b->ctl, __ATOMIC_ACQUIRE);
        struct timespec slice;
        int32_t cid;

        if (ctl != NULL && (cid = ctl_controller_id(ctl)) >= 0 &&
            cid != b->id) {
            pthread_mutex_unlock(&b->meta_lock);
            return true;
        }
        clock_gettime(CLOCK_REALTIME, &slice);
        slice.tv_nsec += 100 * 1000000L;
        if (slice.tv_nsec >= 1000000000L) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000L;
        }
        if (slice.tv_sec > deadline.tv_sec ||
            (slice.tv_sec == deadline.tv_sec &&
             slice.tv_nsec > deadline.tv_nsec))
            slice = deadline;
        if (pthread_cond_timedwait(&b->meta_cond, &b->meta_lock, &slice) ==
                ETIMEDOUT &&
            slice.tv_sec == deadline.tv_sec &&
            slice.tv_nsec == deadline.tv_nsec)
            break;
    }
    have = b->have_metadata;
    pthread_mutex_unlock(&b->meta_lock);
    return have;
}

/* ---- controlled shutdown (the broker asking its controller) ---------- */

#define CS_VERSION 3
#define CS_CONNECT_MS 2000
#define CS_ANSWER_MS 5000

/* the controller's id (ZooKeeper's /controller as ctl last read it, else
 * the metadata's) and address; false when unknown */
static bool
cs_controller(broker_t *b, int32_t *cid, char *host, size_t hostlen, int *port)
{
    ctl_t *ctl = __atomic_load_n(&b->ctl, __ATOMIC_ACQUIRE);
    mc_snapshot_t *snap = metacache_get();
    const mc_broker_t *mb;

    *cid = ctl != NULL ? ctl_controller_id(ctl) : -1;
    if (*cid < 0)
        *cid = snap->controller_id;
    mb = *cid >= 0 ? mc_broker_find(snap, *cid) : NULL;
    if (mb != NULL && mb->host != NULL) {
        snprintf(host, hostlen, "%s", mb->host);
        *port = mb->port;
    }
    mc_snapshot_put(snap);
    return mb != NULL && mb->host != NULL;
}

/* one attempt: 0 with the answer's error and remaining count, or ERR_* */
static int
cs_attempt(broker_t *b, const char *host, int port, int16_t *err,
           int32_t *nremaining, char *errbuf, size_t errlen)
{
    ctl_t *ctl = __atomic_load_n(&b->ctl, __ATOMIC_ACQUIRE);
    controlledshutdown_req_t req = {
        .broker_id = b->id,
        .broker_epoch = ctl != NULL ? ctl_broker_epoch(ctl) : -1,
    };
    controlledshutdown_resp_t resp;
    bool flex = kapi_flexible(API_CONTROLLED_SHUTDOWN, CS_VERSION);
    buf_t frame = BUF_INIT;
    kclient_t *kc;
    int32_t corr;
    kwrite_t kw;
    kread_t kr;
    arena_t ar;
    int rc;

    rc = kclient_connect(&kc, host, port, CS_CONNECT_MS, errbuf, errlen);
    if (rc != 0)
        return rc;
    arena_init(&ar);
    kwrite_init(&kw);
    khdr_encode_request(&kw, API_CONTROLLED_SHUTDOWN, CS_VERSION, 1,
                        "samsa-controlled-shutdown", flex);
    p_controlledshutdown_req_encode(&kw, CS_VERSION, &req);
    rc = kwrite_flatten(&kw, &frame);
    kwrite_fini(&kw);
    if (rc == 0)
        rc = kclient_send(kc, frame.data, frame.len);
    if (rc == 0)
        rc = kclient_recv(kc, &frame, CS_ANSWER_MS);
    if (rc == 0) {
        kread_init(&kr, frame.data, frame.len);
        rc = khdr_decode_response(
            &kr, &corr, khdr_response_flexible(API_CONTROLLED_SHUTDOWN, flex));
        if (rc == 0 && corr != 1)
            rc = ERR_PROTO;
        if (rc == 0)
            rc = p_controlledshutdown_resp_decode(&kr, CS_VERSION, &ar, &resp);
        if (rc == 0) {
            *err = resp.error_code;
            *nremaining = resp.nremaining_partitions;
        }
    }
    if (rc != 0)
        snprintf(errbuf, errlen, "%s", err_str(rc));
    arena_fini(&ar);
    buf_fini(&frame);
    kclient_close(kc);
    return rc;
}

bool
broker_controlled_shutdown(broker_t *b, int32_t max_retries, int64_t backoff_ms)
{
    for (int32_t attempt = 1; attempt <= max_retries; attempt++) {
        char host[256], errbuf[256] = "no controller known";
        int32_t cid = -1, nremaining = 0, now_cid;
        int16_t err = KERR_NONE;
        int port = 0, rc = ERR_NOTFOUND;
        int64_t until;

        if (cs_controller(b, &cid, host, sizeof(host), &port))
            rc = cs_attempt(b, host, port, &err, &nremaining, errbuf,
                            sizeof(errbuf));
        if (rc == 0 && err == KERR_NONE && nremaining == 0) {
            say_info("controlled shutdown succeeded (controller %d)", (int)cid);
            return true;
        }
        if (rc == 0 && err == KERR_NONE)
            say_warn("controlled shutdown attempt %d of %d: %d partition(s) "
                     "still led here",
                     (int)attempt, (int)max_retries, (int)nremaining);
        else
            say_warn("controlled shutdown attempt %d of %d (controller %d): "
                     "%s",
                     (int)attempt, (int)max_retries, (int)cid,
                     rc == 0 ? kerr_name(err) : errbuf);
        if (attempt == max_retries)
            break;
        /* the backoff, cut short when another controller is elected */
        until = clock_mono_ms() + backoff_ms;
        while (clock_mono_ms() < until) {
            struct timespec ts = {0, 100 * 1000000L};

            nanosleep(&ts, NULL);
            if (cs_controller(b, &now_cid, host, sizeof(host), &port) &&
                now_cid != cid)
                break;
        }
    }
    say_warn("controlled shutdown did not complete; stopping anyway");
    return false;
}
