/*
 * ckpt: Kafka's offset checkpoint files (recovery-point-offset-checkpoint,
 * replication-offset-checkpoint, log-start-offset-checkpoint):
 *
 *     0                      <- version
 *     2                      <- number of entries
 *     orders 0 1234          <- topic partition offset
 *     orders 1 77
 *
 * Owns: parsing and atomic replacement of one such file. Does not own: what
 * the offsets mean (logmgr.c). Pure file functions, no shared state;
 * a ckpt_t has one owner at a time.
 *
 * Kafka reference: kafka.server.checkpoints.OffsetCheckpointFile.
 */
#ifndef SAMSA_CKPT_H
#define SAMSA_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CKPT_VERSION 0

typedef struct ckpt_entry {
    char *topic;
    int32_t partition;
    int64_t offset;
} ckpt_entry_t;

typedef struct ckpt {
    ckpt_entry_t *v;
    int n;
    int cap;
    bool sorted;
} ckpt_t;

#define CKPT_INIT                                                              \
    {                                                                          \
        NULL, 0, 0, false                                                      \
    }

/* copies @topic */
void ckpt_add(ckpt_t *ck, const char *topic, int32_t partition, int64_t offset);
/* the entry for (@topic, @partition); false when absent */
bool ckpt_get(ckpt_t *ck, const char *topic, int32_t partition,
              int64_t *offset);
void ckpt_fini(ckpt_t *ck);

/*
 * Reads @path into @ck (appending). A missing file is an empty checkpoint.
 * Returns 0, ERR_IO, or ERR_CORRUPT (bad version, count, or line; detail
 * in @errbuf).
 */
int ckpt_read(const char *path, ckpt_t *ck, char *errbuf, size_t errlen);
/*
 * Replaces @path atomically: writes <path>.tmp, fsyncs it, renames it over
 * @path and fsyncs the directory. Returns 0 or ERR_IO.
 */
int ckpt_write(const char *path, const ckpt_t *ck);

#endif
