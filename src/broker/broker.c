/*
 * broker.c: the broker object, partition lookup for the handlers, Kafka's
 * topic-name rules, and the controller's decisions applied locally
 * (LeaderAndIsr -> create or open the log and take the role; StopReplica ->
 * stop serving, delete when asked; UpdateMetadata -> install the snapshot).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
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

broker_t *
broker_new(const bconf_t *conf, logmgr_t *lm)
{
    broker_t *b = xcalloc(1, sizeof(*b));
    replmgr_config_t rc;

    b->conf = conf;
    b->lm = lm;
    b->id = conf->broker_id;
    pthread_mutex_init(&b->meta_lock, NULL);
    pthread_cond_init(&b->meta_cond, NULL);
    pthread_mutex_init(&b->purg_lock, NULL);
    atomic_init(&b->nwaiters, 0);
    replmgr_config_defaults(&rc);
    rc.broker_id = conf->broker_id;
    rc.num_replica_fetchers =
        conf->num_replica_fetchers > 0 ? conf->num_replica_fetchers : 1;
    rc.on_change = broker_on_replica_change;
    rc.ud = b;
    b->rm = replmgr_new(&rc);
    return b;
}

void
broker_free(broker_t *b)
{
    /* first: the fetchers append to logs and wake the purgatory */
    replmgr_free(b->rm);
    pthread_mutex_destroy(&b->purg_lock);
    pthread_cond_destroy(&b->meta_cond);
    pthread_mutex_destroy(&b->meta_lock);
    free(b);
}

void
broker_set_ctl(broker_t *b, ctl_t *ctl)
{
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
    switch (replmgr_role(b->rm, topic.ptr, topic.len, partition, NULL,
                         NULL)) {
    case REPLMGR_LEADER:
        break;
    case REPLMGR_FOLLOWER:
        return KERR_NOT_LEADER_OR_FOLLOWER;
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
        const mc_topic_t *t = mc_topic_find(snap, ps->topic,
                                            (int32_t)strlen(ps->topic));
        log_config_t lc;
        plog_t *plog;
        int rc;

        tconf_log_config(b->conf, t, &lc);
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
broker_on_stop_replica(const char *topic, int32_t partition, bool del,
                       void *ud)
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
    tconf_log_config(rc->b->conf, t, &lc);
    plog_set_config(plog, &lc);
}

void
broker_on_metadata(mc_snapshot_t *snap, void *ud)
{
    broker_t *b = ud;
    reconfigure_t rc = {b, snap};

    logmgr_foreach(b->lm, broker_reconfigure_one, &rc);
    metacache_install(snap);
    pthread_mutex_lock(&b->meta_lock);
    b->have_metadata = true;
    pthread_cond_broadcast(&b->meta_cond);
    pthread_mutex_unlock(&b->meta_lock);
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
