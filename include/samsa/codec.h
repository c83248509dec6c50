/*
 * codec: the record batch compression codecs Kafka uses (attributes bits
 * 0-2 of a batch): gzip, snappy, lz4, zstd.
 *
 * Wire formats, as Kafka's Java client writes them and librdkafka reads:
 * - gzip: RFC 1952 gzip members (GZIPOutputStream); several concatenated
 *   members are read as one stream.
 * - snappy: snappy-java's (xerial) stream: magic "\x82SNAPPY\0", INT32
 *   version 1, INT32 compatible version 1, then blocks of
 *   [INT32 compressed length][raw snappy]. librdkafka sends raw snappy
 *   without that framing, and Kafka (like librdkafka's reader) accepts
 *   both: no magic means the whole input is one raw snappy block.
 * - lz4: the LZ4 frame format (KIP-57; Kafka's KafkaLZ4BlockOutputStream):
 *   64 KiB independent blocks, no content size. The broken header
 *   checksum of KAFKA-3160 concerns magic 0/1 messages only, not batches.
 * - zstd: zstd frames (KIP-110), decompressed as a stream because the
 *   frame content size is optional.
 *
 * Output is appended to @out. Decompression stops with ERR_TOOBIG as soon
 * as it would produce more than @max_out bytes, so a small "bomb" cannot
 * make it allocate more than max_out (+ one growth step). Errors:
 * ERR_CORRUPT (bad or truncated input), ERR_TOOBIG, ERR_INVAL (unknown
 * codec). On error @out may hold partial output past its old length.
 *
 * Thread-safe. lz4 and zstd contexts are cached per thread and reused;
 * codec_thread_fini() frees the calling thread's (call it before a
 * thread exits; leaving them is harmless for the main thread).
 */
#ifndef SAMSA_CODEC_H
#define SAMSA_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "samsa/batch.h"
#include "samsa/buf.h"

/* "none", "gzip", "snappy", "lz4", "zstd", or "unknown" */
const char *codec_name(batch_codec_t c);

int codec_decompress(batch_codec_t c, const uint8_t *in, size_t inlen,
                     buf_t *out, size_t max_out);
/* BATCH_CODEC_NONE copies; returns 0, ERR_INVAL or ERR_TOOBIG (> 2 GiB) */
int codec_compress(batch_codec_t c, const uint8_t *in, size_t inlen,
                   buf_t *out);

void codec_thread_fini(void);

#endif
