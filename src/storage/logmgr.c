/*
 * logmgr.c: the log manager (see logmgr.h).
 *
 * Owns: log dirs, their locks, markers and checkpoints, the partition map,
 * placement, deletion of whole logs and the background thread. Does not
 * own: anything inside a log (plog.c).
 * Spec: Kafka 2.8 kafka.log.LogManager (dir layout, checkpoints, the
 * clean-shutdown marker, "-delete" directories).
 *
 * Background thread, each pass (at most a second apart):
 *   remove queued "-delete" dirs -> per log: roll by age, flush (time
 *   policy and rolled segments), retention when due -> checkpoints every
 *   LOGMGR_CKPT_INTERVAL_MS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/ckpt.h"
#include "samsa/clock.h"
#include "samsa/err.h"
#include "samsa/logmgr.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

typedef struct logmgr_dir {
    char *path;
    int lock_fd;
    int nparts; /* under map_lock */
} logmgr_dir_t;

typedef struct logmgr_node {
    struct logmgr_node *next;
    uint64_t hash;
    int dir;
    plog_t *plog;
} logmgr_node_t;

struct logmgr {
    logmgr_dir_t *dirs;
    int ndirs;
    log_config_t defaults;

    pthread_rwlock_t map_lock;
    logmgr_node_t **buckets;
    size_t nbuckets;
    size_t count;

    pthread_mutex_t ckpt_lock; /* one checkpoint writer at a time */

    pthread_mutex_t bg_lock; /* stop, delq */
    pthread_cond_t bg_cond;
    pthread_t bg_thread;
    bool bg_running;
    bool bg_stop;
    int64_t retention_interval_ms;
    char **delq;
    int ndelq;
};

/* ------------------------------------------------------------------ */
/* map                                                                 */

static uint64_t
logmgr_hash(const char *topic, int32_t partition)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */

    for (const char *p = topic; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    for (int i = 0; i < 4; i++)
        h = (h ^ (uint8_t)((uint32_t)partition >> (8 * i))) * 1099511628211ULL;
    return h;
}

/* map_lock held */
static logmgr_node_t **
logmgr_slot(logmgr_t *lm, const char *topic, int32_t partition, uint64_t h)
{
    logmgr_node_t **np = &lm->buckets[h & (lm->nbuckets - 1)];

    for (; *np != NULL; np = &(*np)->next) {
        plog_t *plog = (*np)->plog;
        if ((*np)->hash == h && plog_partition(plog) == partition &&
            strcmp(plog_topic(plog), topic) == 0)
            break;
    }
    return np;
}

/* map_lock held exclusively; takes the caller's reference */
static void
logmgr_insert(logmgr_t *lm, plog_t *plog, int dir)
{
    logmgr_node_t *node = xcalloc(1, sizeof(*node));

    if (lm->count + 1 > lm->nbuckets) {
        size_t nb = lm->nbuckets * 2;
        logmgr_node_t **b = xcalloc(nb, sizeof(*b));
        for (size_t i = 0; i < lm->nbuckets; i++) {
            logmgr_node_t *n = lm->buckets[i], *next;
            for (; n != NULL; n = next) {
                next = n->next;
                n->next = b[n->hash & (nb - 1)];
                b[n->hash & (nb - 1)] = n;
            }
        }
        free(lm->buckets);
        lm->buckets = b;
        lm->nbuckets = nb;
    }
    node->hash = logmgr_hash(plog_topic(plog), plog_partition(plog));
    node->dir = dir;
    node->plog = plog;
    node->next = lm->buckets[node->hash & (lm->nbuckets - 1)];
    lm->buckets[node->hash & (lm->nbuckets - 1)] = node;
    lm->count++;
    lm->dirs[dir].nparts++;
}

plog_t *
logmgr_get(logmgr_t *lm, const char *topic, int32_t partition)
{
    uint64_t h = logmgr_hash(topic, partition);
    plog_t *plog = NULL;
    logmgr_node_t **np;

    pthread_rwlock_rdlock(&lm->map_lock);
    np = logmgr_slot(lm, topic, partition, h);
    if (*np != NULL) {
        plog = (*np)->plog;
        plog_ref(plog);
    }
    pthread_rwlock_unlock(&lm->map_lock);
    return plog;
}

int
logmgr_count(logmgr_t *lm)
{
    int n;

    pthread_rwlock_rdlock(&lm->map_lock);
    n = (int)lm->count;
    pthread_rwlock_unlock(&lm->map_lock);
    return n;
}

/* every log, referenced, with its dir; the caller unrefs and frees */
static int
logmgr_snapshot(logmgr_t *lm, plog_t ***plogs, int **dirs)
{
    int n = 0;

    pthread_rwlock_rdlock(&lm->map_lock);
    *plogs = xmalloc((lm->count + 1) * sizeof(**plogs));
    if (dirs != NULL)
        *dirs = xmalloc((lm->count + 1) * sizeof(**dirs));
    for (size_t i = 0; i < lm->nbuckets; i++) {
        for (logmgr_node_t *node = lm->buckets[i]; node; node = node->next) {
            plog_ref(node->plog);
            (*plogs)[n] = node->plog;
            if (dirs != NULL)
                (*dirs)[n] = node->dir;
            n++;
        }
    }
    pthread_rwlock_unlock(&lm->map_lock);
    return n;
}

static void
logmgr_snapshot_free(plog_t **plogs, int *dirs, int n)
{
    for (int i = 0; i < n; i++)
        plog_unref(plogs[i]);
    free(plogs);
    free(dirs);
}

void
logmgr_foreach(logmgr_t *lm, void (*fn)(plog_t *, void *), void *arg)
{
    plog_t **plogs;
    int n = logmgr_snapshot(lm, &plogs, NULL);

    for (int i = 0; i < n; i++)
        fn(plogs[i], arg);
    logmgr_snapshot_free(plogs, NULL, n);
}

/* ------------------------------------------------------------------ */
/* files and directories                                               */

static int
logmgr_mkdirs(const char *path, char *errbuf, size_t errlen)
{
    char *p = xstrdup(path);
    int rc = 0;

    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                snprintf(errbuf, errlen, "mkdir %s: %s", p, strerror(errno));
                rc = ERR_IO;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}

static int
logmgr_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0 || fsync(fd) < 0) {
        say_error("fsync %s: %s", path, strerror(errno));
        rc = ERR_IO;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

static int
logmgr_rm_one(const char *path, const struct stat *st, int flag,
              struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) < 0 && errno != ENOENT)
        say_warn("remove %s: %s", path, strerror(errno));
    return 0;
}

static void
logmgr_rmtree(const char *path)
{
    nftw(path, logmgr_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
logmgr_queue_delete(logmgr_t *lm, char *path)
{
    pthread_mutex_lock(&lm->bg_lock);
    lm->delq = xrealloc(lm->delq, (size_t)(lm->ndelq + 1) * sizeof(char *));
    lm->delq[lm->ndelq++] = path;
    pthread_cond_signal(&lm->bg_cond);
    pthread_mutex_unlock(&lm->bg_lock);
}

static void
logmgr_drain_deletes(logmgr_t *lm)
{
    char **q;
    int n;

    pthread_mutex_lock(&lm->bg_lock);
    q = lm->delq;
    n = lm->ndelq;
    lm->delq = NULL;
    lm->ndelq = 0;
    pthread_mutex_unlock(&lm->bg_lock);
    for (int i = 0; i < n; i++) {
        say_info("removing deleted log %s", q[i]);
        logmgr_rmtree(q[i]);
        free(q[i]);
    }
    free(q);
}

/* "<topic>-<partition>"; false for anything else */
static bool
logmgr_parse_dirname(const char *name, char *topic, size_t topic_len,
                     int32_t *partition)
{
    const char *dash = strrchr(name, '-');
    long long p = 0;

    if (dash == NULL || dash == name || dash[1] == '\0' ||
        (size_t)(dash - name) >= topic_len)
        return false;
    for (const char *s = dash + 1; *s; s++) {
        if (*s < '0' || *s > '9' || p > INT32_MAX)
            return false;
        p = p * 10 + (*s - '0');
    }
    if (p > INT32_MAX)
        return false;
    memcpy(topic, name, (size_t)(dash - name));
    topic[dash - name] = '\0';
    *partition = (int32_t)p;
    return true;
}

static bool
logmgr_valid_topic(const char *topic)
{
    size_t n = strlen(topic);

    if (n == 0 || n > 249 || strcmp(topic, ".") == 0 ||
        strcmp(topic, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = topic[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* checkpoints                                                         */

int
logmgr_checkpoint(logmgr_t *lm)
{
    plog_t **plogs;
    int *dirs;
    int n = logmgr_snapshot(lm, &plogs, &dirs), rc = 0;

    pthread_mutex_lock(&lm->ckpt_lock);
    for (int d = 0; d < lm->ndirs; d++) {
        ckpt_t rp = CKPT_INIT, hw = CKPT_INIT, lso = CKPT_INIT;
        char *path;

        for (int i = 0; i < n; i++) {
            const char *t = plog_topic(plogs[i]);
            int32_t p = plog_partition(plogs[i]);
            if (dirs[i] != d)
                continue;
            ckpt_add(&rp, t, p, plog_recovery_point(plogs[i]));
            ckpt_add(&hw, t, p, plog_high_watermark(plogs[i]));
            ckpt_add(&lso, t, p, plog_log_start_offset(plogs[i]));
        }
        path = xasprintf("%s/%s", lm->dirs[d].path, LOGMGR_RECOVERY_CKPT);
        if (ckpt_write(path, &rp) != 0)
            rc = ERR_IO;
        free(path);
        path = xasprintf("%s/%s", lm->dirs[d].path, LOGMGR_HW_CKPT);
        if (ckpt_write(path, &hw) != 0)
            rc = ERR_IO;
        free(path);
        path = xasprintf("%s/%s", lm->dirs[d].path, LOGMGR_LSO_CKPT);
        if (ckpt_write(path, &lso) != 0)
            rc = ERR_IO;
        free(path);
        ckpt_fini(&rp);
        ckpt_fini(&hw);
        ckpt_fini(&lso);
    }
    pthread_mutex_unlock(&lm->ckpt_lock);
    logmgr_snapshot_free(plogs, dirs, n);
    return rc;
}

static void
logmgr_read_ckpt(const char *dir, const char *name, ckpt_t *ck)
{
    char *path = xasprintf("%s/%s", dir, name);
    char err[256];

    if (ckpt_read(path, ck, err, sizeof(err)) != 0) {
        /* offsets then default to "recover everything" */
        say_warn("ignoring checkpoint: %s", err);
        ckpt_fini(ck);
    }
    free(path);
}

/* ------------------------------------------------------------------ */
/* open and close                                                      */

static int
logmgr_load_dir(logmgr_t *lm, int d, char *errbuf, size_t errlen)
{
    const char *path = lm->dirs[d].path;
    ckpt_t rp = CKPT_INIT, hw = CKPT_INIT, lso = CKPT_INIT;
    char *marker = xasprintf("%s/%s", path, LOGMGR_CLEAN_MARKER);
    bool clean = access(marker, F_OK) == 0, warned = false;
    struct dirent *de;
    DIR *dp;
    int rc = 0;

    logmgr_read_ckpt(path, LOGMGR_RECOVERY_CKPT, &rp);
    logmgr_read_ckpt(path, LOGMGR_HW_CKPT, &hw);
    logmgr_read_ckpt(path, LOGMGR_LSO_CKPT, &lso);
    dp = opendir(path);
    if (dp == NULL) {
        snprintf(errbuf, errlen, "opendir %s: %s", path, strerror(errno));
        rc = ERR_IO;
        goto out;
    }
    while (rc == 0 && (de = readdir(dp)) != NULL) {
        char topic[256], *sub;
        plog_open_opts_t opts;
        int32_t partition;
        struct stat st;
        plog_t *plog;
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.')
            continue;
        sub = xasprintf("%s/%s", path, de->d_name);
        if (stat(sub, &st) < 0 || !S_ISDIR(st.st_mode)) {
            free(sub);
            continue;
        }
        if (len > 7 && strcmp(de->d_name + len - 7, "-delete") == 0) {
            logmgr_queue_delete(lm, sub);
            continue;
        }
        if (!logmgr_parse_dirname(de->d_name, topic, sizeof(topic),
                                  &partition)) {
            say_warn("ignoring %s: not <topic>-<partition>", sub);
            free(sub);
            continue;
        }
        if (!clean && !warned) {
            say_warn("log dir %s was not shut down cleanly; recovering", path);
            warned = true;
        }
        opts.clean = clean;
        if (!ckpt_get(&rp, topic, partition, &opts.recovery_point))
            opts.recovery_point = 0;
        if (!ckpt_get(&hw, topic, partition, &opts.high_watermark))
            opts.high_watermark = 0;
        if (!ckpt_get(&lso, topic, partition, &opts.log_start_offset))
            opts.log_start_offset = -1;
        rc = plog_open(&plog, sub, topic, partition, &lm->defaults, &opts,
                       errbuf, errlen);
        free(sub);
        if (rc != 0)
            break;
        pthread_rwlock_wrlock(&lm->map_lock);
        if (*logmgr_slot(lm, topic, partition, logmgr_hash(topic, partition)) !=
            NULL) {
            snprintf(errbuf, errlen, "%s-%d is in more than one log dir", topic,
                     partition);
            rc = ERR_EXISTS;
            plog_unref(plog);
        } else {
            logmgr_insert(lm, plog, d);
        }
        pthread_rwlock_unlock(&lm->map_lock);
    }
    closedir(dp);
    /* running from here on: a crash now is unclean */
    if (rc == 0 && clean) {
        if (unlink(marker) < 0 || logmgr_fsync_dir(path) != 0) {
            snprintf(errbuf, errlen, "remove %s: %s", marker, strerror(errno));
            rc = ERR_IO;
        }
    }
out:
    ckpt_fini(&rp);
    ckpt_fini(&hw);
    ckpt_fini(&lso);
    free(marker);
    return rc;
}

static logmgr_t *
logmgr_new(char *const *dirs, int ndirs, const log_config_t *defaults)
{
    logmgr_t *lm = xcalloc(1, sizeof(*lm));
    pthread_rwlockattr_t ra;

    lm->ndirs = ndirs;
    lm->dirs = xcalloc((size_t)ndirs, sizeof(*lm->dirs));
    for (int i = 0; i < ndirs; i++) {
        lm->dirs[i].path = xstrdup(dirs[i]);
        lm->dirs[i].lock_fd = -1;
    }
    lm->defaults = *defaults;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lm->map_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    lm->nbuckets = 64;
    lm->buckets = xcalloc(lm->nbuckets, sizeof(*lm->buckets));
    pthread_mutex_init(&lm->ckpt_lock, NULL);
    pthread_mutex_init(&lm->bg_lock, NULL);
    pthread_cond_init(&lm->bg_cond, NULL);
    return lm;
}

static void
logmgr_free(logmgr_t *lm)
{
    for (size_t i = 0; i < lm->nbuckets; i++) {
        logmgr_node_t *n = lm->buckets[i], *next;
        for (; n != NULL; n = next) {
            next = n->next;
            plog_unref(n->plog);
            free(n);
        }
    }
    free(lm->buckets);
    for (int i = 0; i < lm->ndirs; i++) {
        if (lm->dirs[i].lock_fd >= 0)
            close(lm->dirs[i].lock_fd); /* releases the flock */
        free(lm->dirs[i].path);
    }
    free(lm->dirs);
    for (int i = 0; i < lm->ndelq; i++)
        free(lm->delq[i]);
    free(lm->delq);
    pthread_rwlock_destroy(&lm->map_lock);
    pthread_mutex_destroy(&lm->ckpt_lock);
    pthread_mutex_destroy(&lm->bg_lock);
    pthread_cond_destroy(&lm->bg_cond);
    free(lm);
}

int
logmgr_open(logmgr_t **out, char *const *dirs, int ndirs,
            const log_config_t *defaults, char *errbuf, size_t errlen)
{
    logmgr_t *lm;
    int rc = 0;

    if (ndirs <= 0) {
        snprintf(errbuf, errlen, "no log dirs configured");
        return ERR_INVAL;
    }
    lm = logmgr_new(dirs, ndirs, defaults);
    for (int i = 0; i < ndirs && rc == 0; i++) {
        char *lock = xasprintf("%s/%s", dirs[i], LOGMGR_LOCK_FILE);
        rc = logmgr_mkdirs(dirs[i], errbuf, errlen);
        if (rc == 0) {
            lm->dirs[i].lock_fd =
                open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
            if (lm->dirs[i].lock_fd < 0) {
                snprintf(errbuf, errlen, "open %s: %s", lock, strerror(errno));
                rc = ERR_IO;
            } else if (flock(lm->dirs[i].lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                    snprintf(errbuf, errlen,
                             "log dir %s is in use by "
                             "another process (%s is locked); is another "
                             "broker running on it?",
                             dirs[i], lock);
                else
                    snprintf(errbuf, errlen, "flock %s: %s", lock,
                             strerror(errno));
                rc = errno == EWOULDBLOCK ? ERR_STATE : ERR_IO;
            }
        }
        free(lock);
    }
    for (int i = 0; i < ndirs && rc == 0; i++)
        rc = logmgr_load_dir(lm, i, errbuf, errlen);
    if (rc != 0) {
        say_error("log manager: %s", errbuf);
        logmgr_free(lm);
        return rc;
    }
    say_info("log manager: %d log(s) in %d dir(s)", (int)lm->count, ndirs);
    *out = lm;
    return 0;
}

static void
logmgr_stop(logmgr_t *lm)
{
    pthread_mutex_lock(&lm->bg_lock);
    if (!lm->bg_running) {
        pthread_mutex_unlock(&lm->bg_lock);
        return;
    }
    lm->bg_stop = true;
    pthread_cond_signal(&lm->bg_cond);
    pthread_mutex_unlock(&lm->bg_lock);
    pthread_join(lm->bg_thread, NULL);
    lm->bg_running = false;
}

void
logmgr_close(logmgr_t *lm)
{
    plog_t **plogs;
    int *dirs, n;
    bool *dir_ok;

    if (lm == NULL)
        return;
    logmgr_stop(lm);
    dir_ok = xmalloc((size_t)lm->ndirs * sizeof(*dir_ok));
    for (int d = 0; d < lm->ndirs; d++)
        dir_ok[d] = true;
    n = logmgr_snapshot(lm, &plogs, &dirs);
    for (int i = 0; i < n; i++) {
        if (plog_close(plogs[i]) != 0) {
            say_error("%s-%d: close failed; its dir will recover on open",
                      plog_topic(plogs[i]), plog_partition(plogs[i]));
            dir_ok[dirs[i]] = false;
        }
    }
    if (logmgr_checkpoint(lm) != 0)
        for (int d = 0; d < lm->ndirs; d++)
            dir_ok[d] = false;
    for (int d = 0; d < lm->ndirs; d++) {
        char *marker;
        int fd;

        if (!dir_ok[d])
            continue;
        marker = xasprintf("%s/%s", lm->dirs[d].path, LOGMGR_CLEAN_MARKER);
        fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || fsync(fd) < 0)
            say_error("write %s: %s", marker, strerror(errno));
        if (fd >= 0)
            close(fd);
        logmgr_fsync_dir(lm->dirs[d].path);
        free(marker);
    }
    logmgr_snapshot_free(plogs, dirs, n);
    free(dir_ok);
    logmgr_drain_deletes(lm);
    logmgr_free(lm);
}

/* ------------------------------------------------------------------ */
/* create and delete                                                   */

int
logmgr_create(logmgr_t *lm, const char *topic, int32_t partition,
              const log_config_t *cfg, plog_t **out)
{
    plog_open_opts_t opts = {true, 0, -1, 0};
    logmgr_node_t **np;
    char err[256], *path;
    plog_t *plog;
    int d = 0, rc;

    *out = NULL;
    if (!logmgr_valid_topic(topic) || partition < 0)
        return ERR_INVAL;
    pthread_rwlock_wrlock(&lm->map_lock);
    np = logmgr_slot(lm, topic, partition, logmgr_hash(topic, partition));
    if (*np != NULL) {
        *out = (*np)->plog;
        plog_ref(*out);
        pthread_rwlock_unlock(&lm->map_lock);
        return ERR_EXISTS;
    }
    for (int i = 1; i < lm->ndirs; i++)
        if (lm->dirs[i].nparts < lm->dirs[d].nparts)
            d = i;
    path = xasprintf("%s/%s-%d", lm->dirs[d].path, topic, partition);
    rc = plog_open(&plog, path, topic, partition, cfg ? cfg : &lm->defaults,
                   &opts, err, sizeof(err));
    if (rc == 0) {
        logmgr_insert(lm, plog, d);
        plog_ref(plog);
        *out = plog;
        say_info("created log %s", path);
    } else {
        say_error("create log %s: %s", path, err);
    }
    pthread_rwlock_unlock(&lm->map_lock);
    free(path);
    return rc;
}

int
logmgr_delete(logmgr_t *lm, const char *topic, int32_t partition)
{
    logmgr_node_t **np, *node;
    uint8_t rnd[16];
    char hex[33], *to;
    plog_t *plog;

    pthread_rwlock_wrlock(&lm->map_lock);
    np = logmgr_slot(lm, topic, partition, logmgr_hash(topic, partition));
    node = *np;
    if (node == NULL) {
        pthread_rwlock_unlock(&lm->map_lock);
        return ERR_NOTFOUND;
    }
    *np = node->next;
    lm->count--;
    lm->dirs[node->dir].nparts--;
    pthread_rwlock_unlock(&lm->map_lock);

    plog = node->plog;
    plog_mark_deleted(plog);
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        for (size_t i = 0; i < sizeof(rnd); i++)
            rnd[i] = (uint8_t)(clock_mono_us() >> (i % 8));
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    to = xasprintf("%s/%s-%d.%s-delete", lm->dirs[node->dir].path, topic,
                   partition, hex);
    if (rename(plog_dir(plog), to) < 0) {
        say_error("rename %s to %s: %s", plog_dir(plog), to, strerror(errno));
        free(to);
        to = xstrdup(plog_dir(plog));
    }
    logmgr_fsync_dir(lm->dirs[node->dir].path);
    say_info("log %s-%d deleted; files go in the background", topic, partition);
    logmgr_queue_delete(lm, to);
    plog_unref(plog);
    free(node);
    return 0;
}

/* ------------------------------------------------------------------ */
/* background thread                                                   */

static void *
logmgr_bg_main(void *arg)
{
    logmgr_t *lm = arg;
    int64_t next_retention = clock_mono_ms() + lm->retention_interval_ms;
    int64_t next_ckpt = clock_mono_ms() + LOGMGR_CKPT_INTERVAL_MS;
    int64_t tick =
        lm->retention_interval_ms < 1000 ? lm->retention_interval_ms : 1000;

    if (tick < 1)
        tick = 1;
    for (;;) {
        struct timespec ts;
        plog_t **plogs;
        int64_t now_mono, now_wall;
        bool retain;
        int n;

        pthread_mutex_lock(&lm->bg_lock);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += tick / 1000;
        ts.tv_nsec += (tick % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        while (!lm->bg_stop && lm->ndelq == 0 &&
               pthread_cond_timedwait(&lm->bg_cond, &lm->bg_lock, &ts) == 0)
            ;
        if (lm->bg_stop) {
            pthread_mutex_unlock(&lm->bg_lock);
            break;
        }
        pthread_mutex_unlock(&lm->bg_lock);

        logmgr_drain_deletes(lm);
        now_mono = clock_mono_ms();
        now_wall = clock_wall_ms();
        retain = now_mono >= next_retention;
        if (retain)
            next_retention = now_mono + lm->retention_interval_ms;
        n = logmgr_snapshot(lm, &plogs, NULL);
        for (int i = 0; i < n; i++) {
            plog_maybe_roll(plogs[i], now_wall);
            plog_maybe_flush(plogs[i], now_mono);
            if (retain)
                plog_retain(plogs[i], now_wall);
        }
        logmgr_snapshot_free(plogs, NULL, n);
        if (now_mono >= next_ckpt) {
            logmgr_checkpoint(lm);
            next_ckpt = now_mono + LOGMGR_CKPT_INTERVAL_MS;
        }
    }
    return NULL;
}

int
logmgr_start(logmgr_t *lm, int64_t retention_check_interval_ms)
{
    int rc;

    pthread_mutex_lock(&lm->bg_lock);
    if (lm->bg_running) {
        pthread_mutex_unlock(&lm->bg_lock);
        return ERR_STATE;
    }
    lm->retention_interval_ms =
        retention_check_interval_ms > 0 ? retention_check_interval_ms : 300000;
    lm->bg_stop = false;
    rc = pthread_create(&lm->bg_thread, NULL, logmgr_bg_main, lm);
    if (rc == 0)
        lm->bg_running = true;
    pthread_mutex_unlock(&lm->bg_lock);
    if (rc != 0) {
        say_error("log manager: pthread_create: %s", strerror(rc));
        return ERR_IO;
    }
    return 0;
}
