/*
 * metacache.c: immutable metadata snapshots swapped under a mutex
 * (see metacache.h). Readers hold a reference; the lock covers only the
 * pointer swap and the reference count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/metacache.h"
#include "samsa/xmalloc.h"

static pthread_mutex_t mc_lock = PTHREAD_MUTEX_INITIALIZER;
static mc_snapshot_t *mc_current;

mc_snapshot_t *
mc_snapshot_new(void)
{
    mc_snapshot_t *snap = xcalloc(1, sizeof(*snap));

    snap->refcnt = 1;
    snap->controller_id = -1;
    return snap;
}

static int
mc_broker_cmp(const void *a, const void *b)
{
    const mc_broker_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int
mc_topic_cmp(const void *a, const void *b)
{
    const mc_topic_t *x = a, *y = b;
    return strcmp(x->name, y->name);
}

void
mc_snapshot_sort(mc_snapshot_t *snap)
{
    if (snap->nbrokers > 1)
        qsort(snap->brokers, snap->nbrokers, sizeof(*snap->brokers),
              mc_broker_cmp);
    if (snap->ntopics > 1)
        qsort(snap->topics, snap->ntopics, sizeof(*snap->topics), mc_topic_cmp);
}

static int32_t *
mc_ints_copy(const int32_t *v, int32_t n)
{
    int32_t *c = xmalloc(sizeof(*c) * (n > 0 ? n : 1));
    if (n > 0)
        memcpy(c, v, sizeof(*c) * n);
    return c;
}

static char *
mc_strdup_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

mc_snapshot_t *
mc_snapshot_copy(const mc_snapshot_t *snap)
{
    mc_snapshot_t *c = mc_snapshot_new();

    c->cluster_id = mc_strdup_null(snap->cluster_id);
    c->controller_id = snap->controller_id;
    c->nbrokers = snap->nbrokers;
    c->brokers = xcalloc(snap->nbrokers + 1, sizeof(*c->brokers));
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        c->brokers[i] = snap->brokers[i];
        c->brokers[i].host = mc_strdup_null(snap->brokers[i].host);
        c->brokers[i].rack = mc_strdup_null(snap->brokers[i].rack);
    }
    c->ntopics = snap->ntopics;
    c->topics = xcalloc(snap->ntopics + 1, sizeof(*c->topics));
    for (int32_t i = 0; i < snap->ntopics; i++) {
        const mc_topic_t *t = &snap->topics[i];
        mc_topic_t *ct = &c->topics[i];

        *ct = *t;
        ct->name = xstrdup(t->name);
        ct->partitions = xcalloc(t->npartitions + 1, sizeof(*ct->partitions));
        for (int32_t p = 0; p < t->npartitions; p++) {
            const mc_partition_t *sp = &t->partitions[p];
            mc_partition_t *cp = &ct->partitions[p];

            *cp = *sp;
            cp->replicas = mc_ints_copy(sp->replicas, sp->nreplicas);
            cp->isr = mc_ints_copy(sp->isr, sp->nisr);
            cp->offline = mc_ints_copy(sp->offline, sp->noffline);
        }
        ct->configs = xcalloc(t->nconfigs + 1, sizeof(*ct->configs));
        for (int32_t k = 0; k < t->nconfigs; k++) {
            ct->configs[k].key = xstrdup(t->configs[k].key);
            ct->configs[k].value = mc_strdup_null(t->configs[k].value);
        }
    }
    return c;
}

static void
mc_snapshot_free(mc_snapshot_t *snap)
{
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        free(snap->brokers[i].host);
        free(snap->brokers[i].rack);
    }
    free(snap->brokers);
    for (int32_t i = 0; i < snap->ntopics; i++) {
        mc_topic_t *t = &snap->topics[i];

        for (int32_t p = 0; p < t->npartitions; p++) {
            free(t->partitions[p].replicas);
            free(t->partitions[p].isr);
            free(t->partitions[p].offline);
        }
        free(t->partitions);
        for (int32_t k = 0; k < t->nconfigs; k++) {
            free(t->configs[k].key);
            free(t->configs[k].value);
        }
        free(t->configs);
        free(t->name);
    }
    free(snap->topics);
    free(snap->cluster_id);
    free(snap);
}

const mc_topic_t *
mc_topic_find(const mc_snapshot_t *snap, const char *name, int32_t len)
{
    int32_t lo = 0, hi = snap->ntopics - 1;

    if (len < 0)
        return NULL;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        const char *tn = snap->topics[mid].name;
        int c = strncmp(tn, name, len);

        if (c == 0 && tn[len] != '\0')
            c = 1;
        if (c == 0)
            return &snap->topics[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

const mc_broker_t *
mc_broker_find(const mc_snapshot_t *snap, int32_t id)
{
    for (int32_t i = 0; i < snap->nbrokers; i++)
        if (snap->brokers[i].id == id)
            return &snap->brokers[i];
    return NULL;
}

const char *
mc_topic_config(const mc_topic_t *topic, const char *key)
{
    for (int32_t k = 0; k < topic->nconfigs; k++)
        if (strcmp(topic->configs[k].key, key) == 0)
            return topic->configs[k].value;
    return NULL;
}

void
metacache_init(void)
{
    pthread_mutex_lock(&mc_lock);
    if (mc_current == NULL)
        mc_current = mc_snapshot_new();
    pthread_mutex_unlock(&mc_lock);
}

void
metacache_fini(void)
{
    mc_snapshot_t *old;

    pthread_mutex_lock(&mc_lock);
    old = mc_current;
    mc_current = NULL;
    pthread_mutex_unlock(&mc_lock);
    if (old != NULL)
        mc_snapshot_put(old);
}

mc_snapshot_t *
metacache_get(void)
{
    mc_snapshot_t *snap;

    pthread_mutex_lock(&mc_lock);
    snap = mc_current;
    snap->refcnt++;
    pthread_mutex_unlock(&mc_lock);
    return snap;
}

void
mc_snapshot_put(mc_snapshot_t *snap)
{
    int left;

    if (snap == NULL)
        return;
    pthread_mutex_lock(&mc_lock);
    left = --snap->refcnt;
    pthread_mutex_unlock(&mc_lock);
    if (left == 0)
        mc_snapshot_free(snap);
}

void
metacache_install(mc_snapshot_t *snap)
{
    mc_snapshot_t *old;

    mc_snapshot_sort(snap);
    pthread_mutex_lock(&mc_lock);
    old = mc_current;
    mc_current = snap;
    pthread_mutex_unlock(&mc_lock);
    mc_snapshot_put(old);
}
