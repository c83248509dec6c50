/*
 * epoch_cache: one partition's leader-epoch cache (KIP-101, KIP-279):
 * the ordered list of (leader epoch, start offset) pairs saying at which
 * offset each leader epoch began, persisted in the partition directory as
 * Kafka's `leader-epoch-checkpoint` file:
 *
 *     0                      <- version
 *     2                      <- number of entries
 *     0 0                    <- epoch start offset
 *     3 1200
 *
 * Owns: that file and the list. Does not own: when entries are added or
 * cut (replmgr.c, which keeps the cache in step with the log: a leader
 * records its epoch when it takes the role and when it appends the first
 * batch of an epoch, a follower for each batch with a new
 * partitionLeaderEpoch, and both cut it when the log is truncated).
 *
 * Entries rise strictly in epoch and in start offset (checked on every
 * assign: a conflicting tail is removed first, as Kafka does). Every change
 * is written to disk before the call returns (tmp + fsync + rename).
 *
 * Thread safety: every function is thread-safe (one mutex per cache).
 * Kafka reference: kafka.server.epoch.LeaderEpochFileCache (2.8).
 */
#ifndef SAMSA_EPOCH_CACHE_H
#define SAMSA_EPOCH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EPOCH_CACHE_FILE "leader-epoch-checkpoint"
/* Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET */
#define EPOCH_UNDEFINED (-1)
#define EPOCH_OFFSET_UNDEFINED (-1LL)

typedef struct epoch_entry {
    int32_t epoch;
    int64_t start_offset;
} epoch_entry_t;

typedef struct epoch_cache epoch_cache_t;

/*
 * Loads <@dir>/leader-epoch-checkpoint (a missing file is an empty cache).
 * Returns 0, ERR_IO, or ERR_CORRUPT (bad version, count, line or order;
 * detail in @errbuf).
 */
int epoch_cache_open(epoch_cache_t **out, const char *dir, char *errbuf,
                     size_t errlen);
/* NULL is a no-op; nothing is written */
void epoch_cache_free(epoch_cache_t *ec);

/*
 * Records that @epoch starts at @start_offset. A no-op when @epoch is the
 * latest epoch already or older (negative epochs are ignored); otherwise
 * entries with epoch >= @epoch or start >= @start_offset are removed, the
 * entry added and the file rewritten. Returns true when the cache changed.
 */
bool epoch_cache_assign(epoch_cache_t *ec, int32_t epoch, int64_t start_offset);

/* the latest epoch, or EPOCH_UNDEFINED when empty */
int32_t epoch_cache_latest_epoch(epoch_cache_t *ec);
/* the start offset of @epoch, or EPOCH_OFFSET_UNDEFINED */
int64_t epoch_cache_start_offset(epoch_cache_t *ec, int32_t epoch);

/*
 * Kafka's endOffsetFor (what OffsetForLeaderEpoch answers): when @epoch
 * is the latest, (@epoch, @log_end_offset); otherwise the start offset of
 * the first epoch above @epoch, with *@out_epoch the largest cached epoch
 * <= @epoch (@epoch itself when there is none). Both undefined when @epoch
 * is undefined or no cached epoch is above it (an empty cache included).
 */
void epoch_cache_end_offset_for(epoch_cache_t *ec, int32_t epoch,
                                int64_t log_end_offset, int32_t *out_epoch,
                                int64_t *out_offset);

/* removes entries starting at or after @end_offset (log truncated there) */
void epoch_cache_truncate_from_end(epoch_cache_t *ec, int64_t end_offset);
/*
 * The log start moved to @start_offset: entries that end before it are
 * removed and the one covering it starts there.
 */
void epoch_cache_truncate_from_start(epoch_cache_t *ec, int64_t start_offset);

/* copies up to @max entries into @out; returns how many there are */
int epoch_cache_entries(epoch_cache_t *ec, epoch_entry_t *out, int max);

#endif
