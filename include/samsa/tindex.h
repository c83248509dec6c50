/*
 * tindex: a segment's time index (<base>.timeindex).
 *
 * Entries are Kafka's: int64 timestamp, int32 offset relative to the
 * segment's base, big-endian, 12 bytes; timestamps increase strictly and
 * offsets never decrease. An entry (T, o) means: every batch up to the
 * one holding offset o has maxTimestamp <= T. So the first record with
 * timestamp >= ts lies after the last entry with T < ts, and a search
 * starts scanning at that entry's offset.
 *
 * Storage and concurrency: idx.h (lock-free lookups, appends under the
 * partition log's lock).
 *
 * Kafka reference: kafka.log.TimeIndex.
 */
#ifndef SAMSA_TINDEX_H
#define SAMSA_TINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/idx.h"

#define TINDEX_ENTRY_SIZE 12

/*
 * Appends (ts, offset) when @ts is above the last entry's timestamp.
 * Returns 0 (appended or not needed), ERR_NOSPC when full, ERR_INVAL when
 * @offset is below the last entry's.
 */
int tindex_maybe_append(idx_t *ix, int64_t base, int64_t ts, int64_t offset);
/* offset of the last entry with timestamp < @ts, or @base */
int64_t tindex_lookup_before(idx_t *ix, int64_t base, int64_t ts);
/* the last entry; false when empty */
bool tindex_last(idx_t *ix, int64_t base, int64_t *ts, int64_t *offset);
/* drops every entry whose offset is >= @offset */
void tindex_truncate_to(idx_t *ix, int64_t base, int64_t offset);
/* last offset >= base and last timestamp >= first. 0 or ERR_CORRUPT */
int tindex_sanity(idx_t *ix, int64_t base);

#endif
