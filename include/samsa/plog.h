/*
 * plog: one partition's log: an ordered list of segments (segment.h), the
 * last one active, with offset assignment, reads as file slices, flush
 * policy, truncation, retention and recovery on open.
 *
 * Owns: everything under one <topic>-<partition>/ directory except the
 * leader-epoch checkpoint. Does not own: which directory it lives in,
 * checkpoint files, the background thread (logmgr.h), batch validation
 * (batch.h; appended batches arrive validated).
 *
 * Thread safety: every function is thread-safe. A partition mutex covers
 * offset assignment, the write and the index update (plog_append), and
 * nothing slow except the fsync that flush.interval.messages=1 demands,
 * which happens after the mutex is released. Readers (plog_read,
 * plog_offset_for_timestamp) take only a reader lock on the segment list
 * and return a slice holding a segment reference, so sendfile runs with no
 * lock held. Durability invariants: top of plog.c.
 *
 * Kafka reference: kafka.log.Log (2.8).
 */
#ifndef SAMSA_PLOG_H
#define SAMSA_PLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/kwrite.h"

typedef struct log_config {
    int64_t segment_bytes;           /* log.segment.bytes 1073741824 */
    int64_t segment_ms;              /* log.roll.ms 604800000 */
    int64_t retention_ms;            /* log.retention.ms; -1 unlimited */
    int64_t retention_bytes;         /* log.retention.bytes; -1 unlimited */
    int64_t flush_interval_messages; /* log.flush.interval.messages */
    int64_t flush_interval_ms;       /* log.flush.interval.ms; -1 none */
    int32_t index_interval_bytes;    /* log.index.interval.bytes 4096 */
    int32_t segment_index_bytes;     /* log.index.size.max.bytes 10485760 */
    int32_t max_message_bytes;       /* message.max.bytes 1048588 */
} log_config_t;

/* Kafka 2.8's defaults */
void log_config_defaults(log_config_t *cfg);

typedef struct plog plog_t;

typedef struct plog_append_info {
    int64_t base_offset;     /* first offset assigned */
    int64_t last_offset;     /* last offset assigned */
    int64_t log_append_time; /* -1: CreateTime */
    int64_t log_start_offset;
} plog_append_info_t;

/* what the log manager knows about a log before opening it */
typedef struct plog_open_opts {
    bool clean;               /* the dir had a clean-shutdown marker */
    int64_t recovery_point;   /* from the checkpoint; 0 when unknown */
    int64_t log_start_offset; /* from the checkpoint; -1 when unknown */
    int64_t high_watermark;   /* from the checkpoint; 0 when unknown */
} plog_open_opts_t;

/*
 * Opens (creating when @dir is empty) the log in @dir, recovering it as
 * plog.c's recovery diagram says. Copies @topic and @cfg. On success *out
 * holds one reference. Returns 0, ERR_IO or ERR_CORRUPT with detail in
 * @errbuf.
 */
int plog_open(plog_t **out, const char *dir, const char *topic,
              int32_t partition, const log_config_t *cfg,
              const plog_open_opts_t *opts, char *errbuf, size_t errlen);

void plog_ref(plog_t *plog);
/* the last unref closes the files (segments still read by a fetch stay) */
void plog_unref(plog_t *plog);

/*
 * Flushes, adds the final time-index entry and trims the active indexes so
 * the next open can trust them. For a clean shutdown; appends fail with
 * ERR_STATE afterwards. 0 or ERR_IO.
 */
int plog_close(plog_t *plog);

/*
 * Appends @batches (@len bytes of one or more validated v2 batches, as
 * received). Rewrites each batch's baseOffset and partitionLeaderEpoch in
 * place, rolls the segment when size, age or index space demand it, writes
 * every byte with one pwrite, updates the indexes and the log end offset,
 * and fsyncs when flush.interval.messages is reached. @info may be NULL.
 * Returns 0, ERR_CORRUPT (framing), ERR_TOOBIG (a batch above
 * max_message_bytes or the whole above segment_bytes), ERR_INVAL (empty),
 * ERR_STATE (closed or deleted), ERR_NOSPC, ERR_IO.
 */
int plog_append(plog_t *plog, uint8_t *batches, size_t len,
                int32_t leader_epoch, plog_append_info_t *info);

/*
 * A follower's append (I9 in plog.c): @batches (validated v2 batches, as
 * fetched from the leader) keep their baseOffset and partitionLeaderEpoch.
 * The first baseOffset must be the log end offset and the batches must be
 * contiguous, else ERR_RANGE and nothing is written. Otherwise as
 * plog_append (rolling, indexes, flush policy, the same errors); the high
 * watermark is not touched (the replica manager sets it).
 */
int plog_append_replica(plog_t *plog, uint8_t *batches, size_t len,
                        plog_append_info_t *info);

/*
 * Whole batches from the one holding @offset: at most @max_bytes, except
 * that the first batch is always whole (KIP-74), none with baseOffset >=
 * @max_offset, all from one segment. @out->len is 0 (and nothing is held)
 * when there is nothing to return; otherwise the caller owns @out's
 * reference and calls out->unref(out->ref) when done. Returns 0, ERR_RANGE
 * (offset below the log start or above the log end), ERR_IO, ERR_CORRUPT.
 */
int plog_read(plog_t *plog, int64_t offset, int32_t max_bytes,
              int64_t max_offset, fslice_t *out);

int64_t plog_log_end_offset(plog_t *plog);
int64_t plog_log_start_offset(plog_t *plog);
int64_t plog_high_watermark(plog_t *plog);
int64_t plog_recovery_point(plog_t *plog);
/* raises the high watermark (never lowers it; truncation does), clamped to
 * [log start, log end] */
void plog_set_high_watermark(plog_t *plog, int64_t hw);
/* bytes in all segments */
int64_t plog_size(plog_t *plog);
int plog_segment_count(plog_t *plog);

/*
 * ListOffsets by timestamp: the earliest offset whose record timestamp is
 * >= @ts, and that timestamp. ERR_NOTFOUND when there is none.
 */
int plog_offset_for_timestamp(plog_t *plog, int64_t ts, int64_t *offset,
                              int64_t *found_ts);

/* fsyncs every segment below the log end; advances the recovery point */
int plog_flush(plog_t *plog);
/* same, for segments below @offset only (after a roll) */
int plog_flush_to(plog_t *plog, int64_t offset);

/*
 * Removes every offset >= @offset (for a follower matching its leader):
 * later segments are deleted, the segment holding @offset is cut before
 * the batch holding it. The high watermark and recovery point follow the
 * new log end. 0 or ERR_IO.
 */
int plog_truncate_to(plog_t *plog, int64_t offset);

/*
 * Removes every segment and starts the log empty at @offset (Kafka's
 * truncateFullyAndStartAt, for a follower whose log end fell below the
 * leader's log start): log start, log end, high watermark and recovery
 * point all become @offset. 0, ERR_INVAL, ERR_IO.
 */
int plog_truncate_fully(plog_t *plog, int64_t offset);

/*
 * DeleteRecords: raises the log start offset to @offset; whole segments
 * below it go at the next retention pass. ERR_RANGE when @offset is above
 * the high watermark.
 */
int plog_delete_records(plog_t *plog, int64_t offset);

const char *plog_topic(plog_t *plog);
int32_t plog_partition(plog_t *plog);
const char *plog_dir(plog_t *plog);
void plog_config(plog_t *plog, log_config_t *cfg);
void plog_set_config(plog_t *plog, const log_config_t *cfg);

/*
 * Background work, called by the log manager's thread.
 * plog_retain(): deletes whole non-active segments by log start offset,
 * time and size retention (Kafka's deleteOldSegments); returns how many.
 * plog_maybe_roll(): rolls a non-empty active segment older than
 * segment_ms. plog_maybe_flush(): flushes rolled segments, and everything
 * when flush.interval.ms has passed since the last flush with data pending.
 */
int plog_retain(plog_t *plog, int64_t now_ms);
int plog_maybe_roll(plog_t *plog, int64_t now_ms);
int plog_maybe_flush(plog_t *plog, int64_t now_mono_ms);

/*
 * Marks the log deleted (appends fail with ERR_STATE; nothing more is
 * written) before the log manager renames its directory.
 */
void plog_mark_deleted(plog_t *plog);

#endif
