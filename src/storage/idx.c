/*
 * idx.c: memory-mapped file of fixed-size index entries (see idx.h).
 *
 * Owns: open/preallocate/trim/map of one .index or .timeindex file.
 * Does not own: the meaning of entries (oindex.c, tindex.c), locking (the
 * partition log's).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "samsa/err.h"
#include "samsa/idx.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

static int
idx_map(idx_t *ix, size_t len)
{
    void *m;

    if (ix->map != NULL)
        munmap(ix->map, ix->map_len);
    ix->map = NULL;
    ix->map_len = 0;
    if (len == 0)
        return 0;
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ix->fd, 0);
    if (m == MAP_FAILED) {
        say_error("mmap %s: %s", ix->path, strerror(errno));
        return ERR_IO;
    }
    ix->map = m;
    ix->map_len = len;
    return 0;
}

int
idx_open(idx_t *ix, const char *path, size_t esz, bool create)
{
    struct stat st;
    int rc;

    memset(ix, 0, sizeof(*ix));
    ix->fd = -1;
    ix->esz = esz;
    ix->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (ix->fd < 0) {
        if (errno == ENOENT && !create)
            return ERR_NOTFOUND;
        say_error("open %s: %s", path, strerror(errno));
        return ERR_IO;
    }
    ix->path = xstrdup(path);
    if (fstat(ix->fd, &st) < 0) {
        say_error("fstat %s: %s", path, strerror(errno));
        return ERR_IO;
    }
    if ((size_t)st.st_size % esz != 0)
        return ERR_CORRUPT;
    if ((uint64_t)st.st_size / esz > UINT32_MAX)
        return ERR_CORRUPT;
    rc = idx_map(ix, (size_t)st.st_size);
    if (rc != 0)
        return rc;
    ix->max = (uint32_t)((size_t)st.st_size / esz);
    atomic_store(&ix->n, ix->max);
    return 0;
}

void
idx_close(idx_t *ix)
{
    if (ix->map != NULL)
        munmap(ix->map, ix->map_len);
    ix->map = NULL;
    ix->map_len = 0;
    if (ix->fd >= 0)
        close(ix->fd);
    ix->fd = -1;
    free(ix->path);
    ix->path = NULL;
}

int
idx_make_writable(idx_t *ix, size_t max_bytes)
{
    size_t max = max_bytes / ix->esz;
    uint32_t n = atomic_load(&ix->n);
    int rc;

    if (max < 1)
        max = 1;
    if (max > UINT32_MAX)
        max = UINT32_MAX;
    if (max < n)
        max = n;
    if (ftruncate(ix->fd, (off_t)(max * ix->esz)) < 0) {
        say_error("ftruncate %s: %s", ix->path, strerror(errno));
        return ERR_IO;
    }
    rc = idx_map(ix, max * ix->esz);
    if (rc != 0)
        return rc;
    ix->max = (uint32_t)max;
    ix->writable = true;
    return 0;
}

int
idx_trim(idx_t *ix)
{
    uint32_t n = atomic_load(&ix->n);

    /* the mapping stays: nobody reads entries at or past n */
    if (ftruncate(ix->fd, (off_t)((size_t)n * ix->esz)) < 0) {
        say_error("ftruncate %s: %s", ix->path, strerror(errno));
        return ERR_IO;
    }
    ix->writable = false;
    ix->max = n;
    return 0;
}

int
idx_reset(idx_t *ix)
{
    atomic_store_explicit(&ix->n, 0, memory_order_release);
    if (!ix->writable) {
        ix->max = 0;
        if (ftruncate(ix->fd, 0) < 0) {
            say_error("ftruncate %s: %s", ix->path, strerror(errno));
            return ERR_IO;
        }
    }
    return 0;
}

void
idx_truncate(idx_t *ix, uint32_t n)
{
    if (n < atomic_load(&ix->n))
        atomic_store_explicit(&ix->n, n, memory_order_release);
}

int
idx_flush(idx_t *ix)
{
    uint32_t n = atomic_load(&ix->n);

    if (ix->map != NULL && n > 0 &&
        msync(ix->map, (size_t)n * ix->esz, MS_SYNC) < 0) {
        say_error("msync %s: %s", ix->path, strerror(errno));
        return ERR_IO;
    }
    if (fdatasync(ix->fd) < 0) {
        say_error("fdatasync %s: %s", ix->path, strerror(errno));
        return ERR_IO;
    }
    return 0;
}

int
idx_append(idx_t *ix, const uint8_t *entry)
{
    uint32_t n = atomic_load_explicit(&ix->n, memory_order_relaxed);

    if (!ix->writable || n >= ix->max)
        return ERR_NOSPC;
    memcpy(ix->map + (size_t)n * ix->esz, entry, ix->esz);
    /* publish the entry before the count (idx.h) */
    atomic_store_explicit(&ix->n, n + 1, memory_order_release);
    return 0;
}
