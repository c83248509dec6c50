/*
 * oindex: a segment's sparse offset index (<base>.index).
 *
 * Entries are Kafka's: int32 offset relative to the segment's base offset,
 * int32 byte position in the .log file, big-endian, 8 bytes. Both fields
 * increase strictly from entry to entry. An entry (o, p) means: the batch
 * starting at position p has baseOffset <= o (Kafka writes the last offset
 * of the batch or append there). A lookup therefore returns a position at
 * or before the batch holding the target, from which one scans forward.
 *
 * Storage and concurrency: idx.h. Lookups are binary searches and take no
 * lock; appends and truncation run under the partition log's lock.
 *
 * Kafka reference: kafka.log.OffsetIndex.
 */
#ifndef SAMSA_OINDEX_H
#define SAMSA_OINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/idx.h"

#define OINDEX_ENTRY_SIZE 8

/* entry @i as an absolute offset and a position */
void oindex_entry(idx_t *ix, int64_t base, uint32_t i, int64_t *offset,
                  uint32_t *pos);
/*
 * Slot of the last entry with offset <= @target among the first @n, or -1.
 */
int64_t oindex_slot_for_offset(idx_t *ix, uint32_t n, int64_t base,
                               int64_t target);
/* slot of the last entry with position <= @pos among the first @n, or -1 */
int64_t oindex_slot_for_pos(idx_t *ix, uint32_t n, uint64_t pos);
/*
 * Position to start scanning from for @target: the last entry with offset
 * <= @target, or 0. @offset (may be NULL) receives that entry's offset, or
 * @base.
 */
uint32_t oindex_lookup(idx_t *ix, int64_t base, int64_t target,
                       int64_t *offset);
/*
 * Appends (offset, pos) when both exceed the last entry. Returns 0,
 * ERR_NOSPC (full: the caller skips the entry, which only makes lookups
 * scan further) or ERR_INVAL (not increasing, or offset - base not an
 * int32).
 */
int oindex_append(idx_t *ix, int64_t base, int64_t offset, uint32_t pos);
/* drops every entry whose offset is >= @offset */
void oindex_truncate_to(idx_t *ix, int64_t base, int64_t offset);
/*
 * Kafka's sanity check on load: last entry's offset >= base, entries
 * increasing at the tail, position within @log_size. 0 or ERR_CORRUPT.
 */
int oindex_sanity(idx_t *ix, int64_t base, uint64_t log_size);

#endif
