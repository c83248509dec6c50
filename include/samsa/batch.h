/*
 * batch: Kafka record batch v2 (magic 2): header access, CRC32C, validation
 * and record iteration.
 *
 * Spec: Kafka protocol guide / "Record Batch" (KIP-98 format):
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 |
 *   magic int8 (=2) | crc uint32 | attributes int16 | lastOffsetDelta int32 |
 *   baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
 *   producerEpoch int16 | baseSequence int32 | records [count int32, ...]
 * The CRC32C covers attributes..end; baseOffset and partitionLeaderEpoch are
 * outside it, so the leader rewrites them without re-checksumming.
 *
 * Pure functions over byte ranges; thread-safe.
 */
#ifndef SAMSA_BATCH_H
#define SAMSA_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/buf.h"

#define BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength */
#define BATCH_HEADER_SIZE 61  /* everything up to the first record */
#define BATCH_CRC_OFFSET 17   /* where the crc field starts */
#define BATCH_CRC_START 21    /* the CRC covers from here to the end */

/* attributes bits */
#define BATCH_ATTR_CODEC_MASK 0x07
#define BATCH_ATTR_TIMESTAMP_LOG_APPEND 0x08
#define BATCH_ATTR_TRANSACTIONAL 0x10
#define BATCH_ATTR_CONTROL 0x20

typedef enum batch_codec {
    BATCH_CODEC_NONE = 0,
    BATCH_CODEC_GZIP = 1,
    BATCH_CODEC_SNAPPY = 2,
    BATCH_CODEC_LZ4 = 3,
    BATCH_CODEC_ZSTD = 4,
} batch_codec_t;

typedef struct batch_hdr {
    int64_t base_offset;
    int32_t batch_length; /* bytes after this field */
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
} batch_hdr_t;

/* total bytes of the batch on disk / on the wire */
static inline size_t
batch_size(const batch_hdr_t *h)
{
    return (size_t)h->batch_length + BATCH_LOG_OVERHEAD;
}

static inline int64_t
batch_last_offset(const batch_hdr_t *h)
{
    return h->base_offset + h->last_offset_delta;
}

/*
 * Parses the 61-byte header at @p (@len bytes available). Returns 0, or
 * ERR_AGAIN when fewer than BATCH_HEADER_SIZE bytes are given, or
 * ERR_CORRUPT when magic != 2 or batchLength is too small to hold the header.
 * Does not check the CRC.
 */
int batch_hdr_parse(const uint8_t *p, size_t len, batch_hdr_t *h);

/* true when the stored CRC32C matches; @p holds the whole batch */
bool batch_crc_ok(const uint8_t *p, const batch_hdr_t *h);

/* rewrite fields outside the CRC in place */
void batch_set_base_offset(uint8_t *p, int64_t base_offset);
void batch_set_leader_epoch(uint8_t *p, int32_t epoch);
/* sets maxTimestamp and the LogAppendTime attribute bit, and recomputes CRC */
void batch_set_log_append_time(uint8_t *p, size_t len, int64_t ts);

/*
 * Validates one whole batch as a broker must before appending it: header,
 * CRC, records count, and each record's framing (decompressing when the
 * batch is compressed) with offset deltas 0..lastOffsetDelta in order.
 * Returns a Kafka error code (KERR_NONE, KERR_CORRUPT_MESSAGE,
 * KERR_INVALID_RECORD, KERR_UNSUPPORTED_COMPRESSION_TYPE ...) from kerr.h.
 * @scratch is reused for decompression output.
 */
int batch_validate(const uint8_t *p, size_t len, buf_t *scratch);

/*
 * The rules above are Kafka's for batches from clients (LogValidator,
 * AppendOrigin.Client): records_count == lastOffsetDelta + 1 > 0 and
 * offset deltas 0, 1, 2 ... BATCH_VALIDATE_REPLICA relaxes them to what
 * a leader's (possibly compacted) log may hold: records_count >= 0 and
 * offset deltas strictly increasing within 0..lastOffsetDelta. Use it for
 * replica fetches and log recovery. @len must be exactly the batch's size
 * (batch_size()); a longer or shorter range is KERR_CORRUPT_MESSAGE.
 * Uncompressed batches are checked in place without allocating.
 */
#define BATCH_VALIDATE_REPLICA 0x1u
int batch_validate_flags(const uint8_t *p, size_t len, buf_t *scratch,
                         unsigned flags);

/*
 * Decompressed records beyond this are refused (KERR_CORRUPT_MESSAGE from
 * validation, ERR_TOOBIG from the iterator): a bound on what one batch may
 * make us allocate. 256 MiB = message.max.bytes' 1 MiB default at a 256:1
 * compression ratio.
 */
#define BATCH_MAX_PLAIN ((size_t)256 << 20)

/* one record, as views into the (decompressed) records area */
typedef struct batch_header_kv {
    const uint8_t *key; /* NULL = null */
    int32_t key_len;
    const uint8_t *value; /* NULL = null */
    int32_t value_len;
} batch_header_kv_t;

typedef struct batch_record {
    int8_t attributes;
    int64_t timestamp_delta;
    int32_t offset_delta;
    const uint8_t *key; /* NULL = null */
    int32_t key_len;
    const uint8_t *value; /* NULL = null */
    int32_t value_len;
    int32_t nheaders;
    const uint8_t *headers; /* raw header bytes; see batch_record_header() */
    size_t headers_len;
} batch_record_t;

typedef struct batch_iter {
    batch_hdr_t hdr;
    const uint8_t *p; /* next record */
    const uint8_t *end;
    int32_t left; /* records still to read */
    int err;      /* ERR_CORRUPT once a record fails to parse */
    buf_t plain;  /* decompressed records when compressed */
} batch_iter_t;

/*
 * Iterates the records of one whole batch at @p (@len >= its size bytes),
 * decompressing first if needed. Returns 0 or ERR_CORRUPT / ERR_INVAL
 * (unknown codec) / ERR_TOOBIG (over BATCH_MAX_PLAIN); @it needs
 * batch_iter_fini() whatever the result. Does not check the CRC.
 * batch_iter_next() returns 1 with @rec filled, 0 at the end, or a negative
 * ERR_* code. batch_iter_fini() frees the decompression buffer.
 */
int batch_iter_init(batch_iter_t *it, const uint8_t *p, size_t len);
int batch_iter_next(batch_iter_t *it, batch_record_t *rec);
void batch_iter_fini(batch_iter_t *it);
/* the @i'th header of @rec; 0 or ERR_CORRUPT */
int batch_record_header(const batch_record_t *rec, int32_t i,
                        batch_header_kv_t *kv);

/*
 * Builds one batch v2 from records (for tests, tools and compaction):
 * appends the encoded batch to @out with the given codec and base offset,
 * as a producer without idempotence writes it: CreateTime, producer id,
 * epoch and base sequence -1, partitionLeaderEpoch -1, baseTimestamp =
 * the first record's, maxTimestamp = the largest, offset deltas 0..n-1.
 * Returns 0, ERR_INVAL (nrecs < 1, unknown codec, a NULL header key) or
 * ERR_TOOBIG (over 2 GiB); on error @out is left as it was.
 */
typedef struct batch_build_record {
    const void *key; /* NULL = null key */
    int32_t key_len;
    const void *value; /* NULL = null value */
    int32_t value_len;
    int64_t timestamp;
    int32_t nheaders;
    const batch_header_kv_t *headers;
} batch_build_record_t;

int batch_build(buf_t *out, batch_codec_t codec, int64_t base_offset,
                const batch_build_record_t *recs, int32_t nrecs);

#endif
