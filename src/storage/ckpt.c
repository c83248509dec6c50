/*
 * ckpt.c: offset checkpoint files (see ckpt.h).
 *
 * Owns: the file format and its atomic replacement. Does not own: which
 * offsets are written or when (logmgr.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samsa/ckpt.h"
#include "samsa/err.h"
#include "samsa/say.h"
#include "samsa/xmalloc.h"

void
ckpt_add(ckpt_t *ck, const char *topic, int32_t partition, int64_t offset)
{
    if (ck->n == ck->cap) {
        ck->cap = ck->cap ? ck->cap * 2 : 16;
        ck->v = xrealloc(ck->v, (size_t)ck->cap * sizeof(*ck->v));
    }
    ck->v[ck->n].topic = xstrdup(topic);
    ck->v[ck->n].partition = partition;
    ck->v[ck->n].offset = offset;
    ck->n++;
    ck->sorted = false;
}

static int
ckpt_cmp(const void *a, const void *b)
{
    const ckpt_entry_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);

    if (c != 0)
        return c;
    return x->partition < y->partition ? -1 : x->partition > y->partition;
}

bool
ckpt_get(ckpt_t *ck, const char *topic, int32_t partition, int64_t *offset)
{
    ckpt_entry_t key = {(char *)topic, partition, 0}, *e;

    if (ck->n == 0)
        return false;
    if (!ck->sorted) {
        qsort(ck->v, (size_t)ck->n, sizeof(*ck->v), ckpt_cmp);
        ck->sorted = true;
    }
    e = bsearch(&key, ck->v, (size_t)ck->n, sizeof(*ck->v), ckpt_cmp);
    if (e == NULL)
        return false;
    *offset = e->offset;
    return true;
}

void
ckpt_fini(ckpt_t *ck)
{
    for (int i = 0; i < ck->n; i++)
        free(ck->v[i].topic);
    free(ck->v);
    ck->v = NULL;
    ck->n = ck->cap = 0;
}

/* one line without its newline; false at EOF */
static bool
ckpt_line(FILE *f, char *line, size_t len)
{
    size_t n;

    if (fgets(line, (int)len, f) == NULL)
        return false;
    n = strlen(line);
    if (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    return true;
}

int
ckpt_read(const char *path, ckpt_t *ck, char *errbuf, size_t errlen)
{
    char line[512], topic[300], extra;
    long long version, count, offset;
    int partition;
    FILE *f;
    int rc = ERR_CORRUPT;

    f = fopen(path, "re");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        snprintf(errbuf, errlen, "open %s: %s", path, strerror(errno));
        return ERR_IO;
    }
    if (!ckpt_line(f, line, sizeof(line)) ||
        sscanf(line, "%lld%c", &version, &extra) != 1 ||
        version != CKPT_VERSION) {
        snprintf(errbuf, errlen, "%s: bad version line", path);
        goto out;
    }
    if (!ckpt_line(f, line, sizeof(line)) ||
        sscanf(line, "%lld%c", &count, &extra) != 1 || count < 0 ||
        count > INT32_MAX) {
        snprintf(errbuf, errlen, "%s: bad count line", path);
        goto out;
    }
    for (long long i = 0; i < count; i++) {
        if (!ckpt_line(f, line, sizeof(line)) ||
            sscanf(line, "%299s %d %lld%c", topic, &partition, &offset,
                   &extra) != 3 ||
            partition < 0) {
            snprintf(errbuf, errlen, "%s: bad entry on line %lld", path, i + 3);
            goto out;
        }
        ckpt_add(ck, topic, partition, offset);
    }
    if (ckpt_line(f, line, sizeof(line)) && line[0] != '\0') {
        snprintf(errbuf, errlen, "%s: more entries than the count", path);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

static int
ckpt_fsync_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0 || fsync(fd) < 0) {
        say_error("fsync directory of %s: %s", path, strerror(errno));
        rc = ERR_IO;
    }
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

int
ckpt_write(const char *path, const ckpt_t *ck)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    int rc = ERR_IO;

    if (f == NULL) {
        say_error("create %s: %s", tmp, strerror(errno));
        free(tmp);
        return ERR_IO;
    }
    fprintf(f, "%d\n%d\n", CKPT_VERSION, ck->n);
    for (int i = 0; i < ck->n; i++)
        fprintf(f, "%s %" PRId32 " %" PRId64 "\n", ck->v[i].topic,
                ck->v[i].partition, ck->v[i].offset);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        say_error("write %s: %s", tmp, strerror(errno));
        fclose(f);
        unlink(tmp);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        say_error("replace %s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = ckpt_fsync_dir(path);
out:
    free(tmp);
    return rc;
}
