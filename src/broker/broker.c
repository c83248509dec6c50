/*
 * broker.c: the broker object, partition lookup for the handlers, Kafka's
 * topic-name rules, and the controller's decisions applied locally
 * (LeaderAndIsr -> create or open the log and take the role; StopReplica ->
 * stop serving, delete when asked; UpdateMetadata -> install the snapshot).
 */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "broker_int.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/say.h"
#include "samsa/tconf.h"
#include "samsa/xmalloc.h"

/* Kafka's limit: 249 so that "<topic>-<partition>" fits a file name */
#define TOPIC_NAME_MAX 249

broker_t *
broker_new(const bconf_t *conf, logmgr_t *lm)
{
    broker_t *b = xcalloc(1, sizeof(*b));

    b->conf = conf;
    b->lm = lm;
    b->id = conf->broker_id;
    pthread_mutex_init(&b->meta_lock, NULL);
    pthread_cond_init(&b->meta_cond, NULL);
    pthread_mutex_init(&b->purg_lock, NULL);
    atomic_init(&b->nwaiters, 0);
    return b;
}

void
broker_free(broker_t *b)
{
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
    if ((*part)->leader < 0)
        return KERR_LEADER_NOT_AVAILABLE;
    if ((*part)->leader != b->id)
        return KERR_NOT_LEADER_OR_FOLLOWER;
    memcpy(name, topic.ptr, topic.len);
    name[topic.len] = '\0';
    *plog = logmgr_get(b->lm, name, partition);
    /* led here by the metadata but the log is not open yet */
    return *plog ? KERR_NONE : KERR_NOT_LEADER_OR_FOLLOWER;
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
         * A leader whose ISR is itself alone has every in-sync copy:
         * the high watermark is its log end (acknowledged acks=1 data
         * that reached the disk before a crash becomes visible again).
         */
        if (ps->leader == b->id && ps->nisr == 1 && ps->isr[0] == b->id)
            plog_set_high_watermark(plog, plog_log_end_offset(plog));
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
    pthread_mutex_lock(&b->meta_lock);
    while (!b->have_metadata &&
           pthread_cond_timedwait(&b->meta_cond, &b->meta_lock,
                                  &deadline) == 0)
        ;
    have = b->have_metadata;
    pthread_mutex_unlock(&b->meta_lock);
    return have;
}
