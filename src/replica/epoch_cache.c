/*
 * epoch_cache.c: the leader-epoch cache and its checkpoint file (see
 * epoch_cache.h).
 *
 * Owns: <partition dir>/leader-epoch-checkpoint. Spec: KIP-101, KIP-279;
 * Kafka 2.8 LeaderEpochFileCache and LeaderEpochCheckpointFile (version 0,
 * count, then "epoch offset" lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/epoch_cache.h"
#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

/* a bound on the file: far above any real number of leader changes */
#define EPOCH_CACHE_MAX_ENTRIES 1000000

struct epoch_cache {
    pthread_mutex_t lock;
    char *path;
    epoch_entry_t *v; /* strictly rising in epoch and start offset */
    int n;
    int cap;
};

static void
ec_push(epoch_cache_t *ec, int32_t epoch, int64_t start)
{
    if (ec->n == ec->cap) {
        ec->cap = ec->cap ? ec->cap * 2 : 8;
        ec->v = xrealloc(ec->v, (size_t)ec->cap * sizeof(*ec->v));
    }
    ec->v[ec->n].epoch = epoch;
    ec->v[ec->n].start_offset = start;
    ec->n++;
}

static int
ec_load(epoch_cache_t *ec, char *errbuf, size_t errlen)
{
    FILE *f = fopen(ec->path, "r");
    long long version, count, start;
    long epoch;
    int rc = 0;

    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        snprintf(errbuf, errlen, "open %s: %s", ec->path, strerror(errno));
        return ERR_IO;
    }
    if (fscanf(f, "%lld\n%lld\n", &version, &count) != 2 || version != 0 ||
        count < 0 || count > EPOCH_CACHE_MAX_ENTRIES) {
        snprintf(errbuf, errlen, "%s: bad version or count", ec->path);
        rc = ERR_CORRUPT;
        goto out;
    }
    for (long long i = 0; i < count; i++) {
        if (fscanf(f, "%ld %lld\n", &epoch, &start) != 2 || epoch < 0 ||
            epoch > INT32_MAX || start < 0 ||
            (ec->n > 0 && (epoch <= ec->v[ec->n - 1].epoch ||
                           start < ec->v[ec->n - 1].start_offset))) {
            snprintf(errbuf, errlen, "%s: bad entry %lld", ec->path, i + 1);
            rc = ERR_CORRUPT;
            goto out;
        }
        ec_push(ec, (int32_t)epoch, start);
    }
out:
    fclose(f);
    return rc;
}

/* rewrites the file atomically; lock held. Failure is logged, not fatal:
 * the log itself is intact and the cache is rebuilt from it by the leader's
 * next epoch (Kafka treats it as a storage error; we keep serving). */
static void
ec_persist_locked(epoch_cache_t *ec)
{
    size_t plen = strlen(ec->path);
    char *tmp = xmalloc(plen + 5);
    FILE *f;
    int dfd;
    char *slash;

    memcpy(tmp, ec->path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    f = fopen(tmp, "w");
    if (f == NULL)
        goto fail;
    fprintf(f, "0\n%d\n", ec->n);
    for (int i = 0; i < ec->n; i++)
        fprintf(f, "%" PRId32 " %" PRId64 "\n", ec->v[i].epoch,
                ec->v[i].start_offset);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        goto fail;
    }
    if (fclose(f) != 0 || rename(tmp, ec->path) != 0)
        goto fail;
    slash = strrchr(tmp, '/');
    if (slash != NULL) {
        *slash = '\0';
        dfd = open(tmp, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    return;
fail:
    say_error("cannot write %s: %s", ec->path, strerror(errno));
    free(tmp);
}

int
epoch_cache_open(epoch_cache_t **out, const char *dir, char *errbuf,
                 size_t errlen)
{
    epoch_cache_t *ec = xcalloc(1, sizeof(*ec));
    size_t dlen = strlen(dir);
    int rc;

    pthread_mutex_init(&ec->lock, NULL);
    ec->path = xmalloc(dlen + sizeof(EPOCH_CACHE_FILE) + 1);
    memcpy(ec->path, dir, dlen);
    ec->path[dlen] = '/';
    memcpy(ec->path + dlen + 1, EPOCH_CACHE_FILE, sizeof(EPOCH_CACHE_FILE));
    rc = ec_load(ec, errbuf, errlen);
    if (rc != 0) {
        epoch_cache_free(ec);
        return rc;
    }
    *out = ec;
    return 0;
}

void
epoch_cache_free(epoch_cache_t *ec)
{
    if (ec == NULL)
        return;
    pthread_mutex_destroy(&ec->lock);
    free(ec->v);
    free(ec->path);
    free(ec);
}

bool
epoch_cache_assign(epoch_cache_t *ec, int32_t epoch, int64_t start_offset)
{
    bool changed = false;

    if (epoch < 0 || start_offset < 0)
        return false;
    pthread_mutex_lock(&ec->lock);
    if (ec->n == 0 || epoch > ec->v[ec->n - 1].epoch) {
        /* Kafka's assign: drop a tail that conflicts with the new entry */
        while (ec->n > 0 && (ec->v[ec->n - 1].epoch >= epoch ||
                             ec->v[ec->n - 1].start_offset >= start_offset))
            ec->n--;
        ec_push(ec, epoch, start_offset);
        ec_persist_locked(ec);
        changed = true;
    }
    pthread_mutex_unlock(&ec->lock);
    return changed;
}

int32_t
epoch_cache_latest_epoch(epoch_cache_t *ec)
{
    int32_t e;

    pthread_mutex_lock(&ec->lock);
    e = ec->n > 0 ? ec->v[ec->n - 1].epoch : EPOCH_UNDEFINED;
    pthread_mutex_unlock(&ec->lock);
    return e;
}

int64_t
epoch_cache_start_offset(epoch_cache_t *ec, int32_t epoch)
{
    int64_t off = EPOCH_OFFSET_UNDEFINED;

    pthread_mutex_lock(&ec->lock);
    for (int i = 0; i < ec->n; i++)
        if (ec->v[i].epoch == epoch)
            off = ec->v[i].start_offset;
    pthread_mutex_unlock(&ec->lock);
    return off;
}

void
epoch_cache_end_offset_for(epoch_cache_t *ec, int32_t epoch,
                           int64_t log_end_offset, int32_t *out_epoch,
                           int64_t *out_offset)
{
    int higher = -1, floor = -1;

    *out_epoch = EPOCH_UNDEFINED;
    *out_offset = EPOCH_OFFSET_UNDEFINED;
    if (epoch == EPOCH_UNDEFINED)
        return;
    pthread_mutex_lock(&ec->lock);
    if (ec->n > 0 && epoch == ec->v[ec->n - 1].epoch) {
        *out_epoch = epoch;
        *out_offset = log_end_offset;
        goto out;
    }
    for (int i = 0; i < ec->n; i++) {
        if (ec->v[i].epoch <= epoch)
            floor = i;
        else if (higher < 0)
            higher = i;
    }
    if (higher < 0)
        goto out; /* above everything we know (or empty) */
    *out_epoch = floor >= 0 ? ec->v[floor].epoch : epoch;
    *out_offset = ec->v[higher].start_offset;
out:
    pthread_mutex_unlock(&ec->lock);
}

void
epoch_cache_truncate_from_end(epoch_cache_t *ec, int64_t end_offset)
{
    int n;

    if (end_offset < 0)
        return;
    pthread_mutex_lock(&ec->lock);
    n = ec->n;
    while (ec->n > 0 && ec->v[ec->n - 1].start_offset >= end_offset)
        ec->n--;
    if (ec->n != n)
        ec_persist_locked(ec);
    pthread_mutex_unlock(&ec->lock);
}

void
epoch_cache_truncate_from_start(epoch_cache_t *ec, int64_t start_offset)
{
    int drop = 0;

    pthread_mutex_lock(&ec->lock);
    /* entries wholly below the new start: every one whose successor
     * starts at or below it */
    while (drop + 1 < ec->n && ec->v[drop + 1].start_offset <= start_offset)
        drop++;
    if (drop > 0 || (ec->n > 0 && ec->v[0].start_offset < start_offset)) {
        memmove(ec->v, ec->v + drop, (size_t)(ec->n - drop) * sizeof(*ec->v));
        ec->n -= drop;
        if (ec->v[0].start_offset < start_offset)
            ec->v[0].start_offset = start_offset;
        ec_persist_locked(ec);
    }
    pthread_mutex_unlock(&ec->lock);
}

int
epoch_cache_entries(epoch_cache_t *ec, epoch_entry_t *out, int max)
{
    int n;

    pthread_mutex_lock(&ec->lock);
    n = ec->n;
    for (int i = 0; i < n && i < max; i++)
        out[i] = ec->v[i];
    pthread_mutex_unlock(&ec->lock);
    return n;
}
