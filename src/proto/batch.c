/*
 * batch.c: record batch v2 (magic 2) parsing, validation, iteration and
 * building (batch.h).
 *
 * Spec: Kafka protocol guide "Record Batch" / KIP-98. Header layout, with
 * byte offsets:
 *    0 baseOffset INT64        8 batchLength INT32    12 partitionLeaderEpoch
 *   16 magic INT8             17 crc UINT32           21 attributes INT16
 *   23 lastOffsetDelta INT32  27 baseTimestamp INT64  35 maxTimestamp INT64
 *   43 producerId INT64       51 producerEpoch INT16  53 baseSequence INT32
 *   57 records count INT32    61 records...
 * Record: length VARINT, attributes INT8, timestampDelta VARLONG,
 * offsetDelta VARINT, keyLength VARINT, key, valueLength VARINT, value,
 * headers count VARINT, then per header keyLength VARINT (>= 0), key,
 * valueLength VARINT (-1 = null), value.
 *
 * Owns the format; does not know partitions, offsets assignment policy or
 * producer state (storage and the produce handler do). Error codes follow
 * Kafka's LogValidator: framing, CRC and decompression failures are
 * CORRUPT_MESSAGE; inconsistent counts and offset deltas INVALID_RECORD.
 */
#include <string.h>

#include "samsa/batch.h"
#include "samsa/codec.h"
#include "samsa/crc32c.h"
#include "samsa/err.h"
#include "samsa/kerr.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "samsa/varint.h"

#define BATCH_OFF_LENGTH 8
#define BATCH_OFF_EPOCH 12
#define BATCH_OFF_MAGIC 16
#define BATCH_OFF_ATTRIBUTES 21
#define BATCH_OFF_MAX_TIMESTAMP 35
#define BATCH_MAGIC 2
/* batchLength must cover the header past itself: 61 - 12 */
#define BATCH_MIN_LENGTH (BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD)
/* smallest record: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength, headers count; one byte each */
#define BATCH_MIN_RECORD 7
/* smallest header: keyLength and valueLength, one byte each */
#define BATCH_MIN_HEADER 2

static inline uint16_t
get_be16(const uint8_t *p)
{
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static inline uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t
get_be64(const uint8_t *p)
{
    return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void
put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

int
batch_hdr_parse(const uint8_t *p, size_t len, batch_hdr_t *h)
{
    if (len < BATCH_HEADER_SIZE)
        return ERR_AGAIN;
    h->base_offset = (int64_t)get_be64(p);
    h->batch_length = (int32_t)get_be32(p + 8);
    h->partition_leader_epoch = (int32_t)get_be32(p + 12);
    h->magic = (int8_t)p[16];
    h->crc = get_be32(p + 17);
    h->attributes = (int16_t)get_be16(p + 21);
    h->last_offset_delta = (int32_t)get_be32(p + 23);
    h->base_timestamp = (int64_t)get_be64(p + 27);
    h->max_timestamp = (int64_t)get_be64(p + 35);
    h->producer_id = (int64_t)get_be64(p + 43);
    h->producer_epoch = (int16_t)get_be16(p + 51);
    h->base_sequence = (int32_t)get_be32(p + 53);
    h->records_count = (int32_t)get_be32(p + 57);
    if (h->magic != BATCH_MAGIC || h->batch_length < BATCH_MIN_LENGTH)
        return ERR_CORRUPT;
    return 0;
}

bool
batch_crc_ok(const uint8_t *p, const batch_hdr_t *h)
{
    size_t n = batch_size(h) - BATCH_CRC_START;

    return crc32c(0, p + BATCH_CRC_START, n) == h->crc;
}

void
batch_set_base_offset(uint8_t *p, int64_t base_offset)
{
    put_be64(p, (uint64_t)base_offset);
}

void
batch_set_leader_epoch(uint8_t *p, int32_t epoch)
{
    put_be32(p + BATCH_OFF_EPOCH, (uint32_t)epoch);
}

void
batch_set_log_append_time(uint8_t *p, size_t len, int64_t ts)
{
    uint16_t attr;

    if (len < BATCH_HEADER_SIZE)
        return;
    attr = get_be16(p + BATCH_OFF_ATTRIBUTES);
    put_be16(p + BATCH_OFF_ATTRIBUTES,
             (uint16_t)(attr | BATCH_ATTR_TIMESTAMP_LOG_APPEND));
    put_be64(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)ts);
    put_be32(p + BATCH_CRC_OFFSET,
             crc32c(0, p + BATCH_CRC_START, len - BATCH_CRC_START));
}

/*
 * Parses the record at *@pp (before @end) into @rec and advances *@pp.
 * Checks the whole record's framing, headers included, so that later
 * batch_record_header() calls cannot fail on a validated batch.
 * Returns 0 or ERR_CORRUPT.
 */
static int
batch_record_parse(const uint8_t **pp, const uint8_t *end, batch_record_t *rec)
{
    kread_t kr, r;
    int32_t len, n;
    const uint8_t *body, *headers;

    kread_init(&kr, *pp, (size_t)(end - *pp));
    len = kread_varint(&kr);
    if (len < 0)
        kread_fail(&kr);
    body = kread_raw(&kr, (size_t)len);
    if (kr.err)
        return ERR_CORRUPT;
    kread_init(&r, body, (size_t)len);
    rec->attributes = kread_i8(&r);
    rec->timestamp_delta = kread_varlong(&r);
    rec->offset_delta = kread_varint(&r);
    rec->key_len = kread_varint(&r);
    rec->key = NULL;
    if (rec->key_len < -1)
        kread_fail(&r);
    else if (rec->key_len >= 0)
        rec->key = kread_raw(&r, (size_t)rec->key_len);
    rec->value_len = kread_varint(&r);
    rec->value = NULL;
    if (rec->value_len < -1)
        kread_fail(&r);
    else if (rec->value_len >= 0)
        rec->value = kread_raw(&r, (size_t)rec->value_len);
    rec->nheaders = kread_varint(&r);
    if (rec->nheaders < 0 ||
        (size_t)rec->nheaders > kread_left(&r) / BATCH_MIN_HEADER)
        kread_fail(&r);
    headers = r.p;
    for (int32_t i = 0; i < rec->nheaders && !r.err; i++) {
        n = kread_varint(&r);
        if (n < 0)
            kread_fail(&r);
        kread_raw(&r, (size_t)n);
        n = kread_varint(&r);
        if (n < -1)
            kread_fail(&r);
        else if (n > 0)
            kread_raw(&r, (size_t)n);
    }
    rec->headers = headers;
    rec->headers_len = (size_t)(r.p - headers);
    /* the record must end exactly where its length says */
    if (r.err || r.p != r.end)
        return ERR_CORRUPT;
    *pp = kr.p;
    return 0;
}

int
batch_record_header(const batch_record_t *rec, int32_t i, batch_header_kv_t *kv)
{
    kread_t r;

    if (i < 0 || i >= rec->nheaders)
        return ERR_CORRUPT;
    kread_init(&r, rec->headers, rec->headers_len);
    for (int32_t k = 0; k <= i && !r.err; k++) {
        kv->key_len = kread_varint(&r);
        if (kv->key_len < 0)
            kread_fail(&r);
        kv->key = kread_raw(&r, (size_t)kv->key_len);
        kv->value_len = kread_varint(&r);
        kv->value = NULL;
        if (kv->value_len < -1)
            kread_fail(&r);
        else if (kv->value_len >= 0)
            kv->value = kread_raw(&r, (size_t)kv->value_len);
    }
    return r.err ? ERR_CORRUPT : 0;
}

/* walks @count records in [p, end) checking framing and offset deltas */
static int
batch_records_check(const batch_hdr_t *h, const uint8_t *p, const uint8_t *end,
                    unsigned flags)
{
    int64_t prev = -1;

    if ((size_t)h->records_count > (size_t)(end - p) / BATCH_MIN_RECORD)
        return KERR_CORRUPT_MESSAGE;
    for (int32_t i = 0; i < h->records_count; i++) {
        batch_record_t rec;

        if (batch_record_parse(&p, end, &rec) != 0)
            return KERR_CORRUPT_MESSAGE;
        if (flags & BATCH_VALIDATE_REPLICA) {
            if (rec.offset_delta <= prev ||
                rec.offset_delta > h->last_offset_delta)
                return KERR_INVALID_RECORD;
        } else if (rec.offset_delta != i) {
            return KERR_INVALID_RECORD;
        }
        prev = rec.offset_delta;
    }
    /* bytes past the last counted record: the count is wrong */
    return p == end ? KERR_NONE : KERR_CORRUPT_MESSAGE;
}

/* count and lastOffsetDelta consistency (LogValidator.validateBatch) */
static int
batch_counts_check(const batch_hdr_t *h, unsigned flags)
{
    if (flags & BATCH_VALIDATE_REPLICA) {
        if (h->records_count < 0)
            return KERR_CORRUPT_MESSAGE;
        if (h->records_count > 0 &&
            (int64_t)h->records_count > (int64_t)h->last_offset_delta + 1)
            return KERR_INVALID_RECORD;
        return KERR_NONE;
    }
    if (h->records_count <= 0 || h->last_offset_delta < 0 ||
        (int64_t)h->records_count != (int64_t)h->last_offset_delta + 1)
        return KERR_INVALID_RECORD;
    return KERR_NONE;
}

int
batch_validate_flags(const uint8_t *p, size_t len, buf_t *scratch,
                     unsigned flags)
{
    batch_hdr_t h;
    batch_codec_t codec;
    buf_t local = BUF_INIT;
    buf_t *plain = scratch ? scratch : &local;
    int rc;

    if (len < BATCH_HEADER_SIZE)
        return KERR_CORRUPT_MESSAGE;
    /* magic 0/1 in a v3+ Produce: Kafka answers INVALID_RECORD */
    if (p[BATCH_OFF_MAGIC] == 0 || p[BATCH_OFF_MAGIC] == 1)
        return KERR_INVALID_RECORD;
    if (batch_hdr_parse(p, len, &h) != 0 || batch_size(&h) != len)
        return KERR_CORRUPT_MESSAGE;
    if (!batch_crc_ok(p, &h))
        return KERR_CORRUPT_MESSAGE;
    codec = (batch_codec_t)(h.attributes & BATCH_ATTR_CODEC_MASK);
    if (codec > BATCH_CODEC_ZSTD)
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    rc = batch_counts_check(&h, flags);
    if (rc != KERR_NONE)
        return rc;
    if (codec == BATCH_CODEC_NONE)
        return batch_records_check(&h, p + BATCH_HEADER_SIZE, p + len, flags);
    buf_reset(plain);
    if (codec_decompress(codec, p + BATCH_HEADER_SIZE, len - BATCH_HEADER_SIZE,
                         plain, BATCH_MAX_PLAIN) != 0)
        rc = KERR_CORRUPT_MESSAGE;
    else
        rc = batch_records_check(&h, plain->data, plain->data + plain->len,
                                 flags);
    buf_fini(&local);
    return rc;
}

int
batch_validate(const uint8_t *p, size_t len, buf_t *scratch)
{
    return batch_validate_flags(p, len, scratch, 0);
}

int
batch_iter_init(batch_iter_t *it, const uint8_t *p, size_t len)
{
    batch_codec_t codec;
    int rc;

    buf_init(&it->plain);
    it->p = it->end = NULL;
    it->left = 0;
    it->err = 0;
    rc = batch_hdr_parse(p, len, &it->hdr);
    if (rc != 0 || batch_size(&it->hdr) > len || it->hdr.records_count < 0)
        rc = ERR_CORRUPT;
    codec = (batch_codec_t)(it->hdr.attributes & BATCH_ATTR_CODEC_MASK);
    if (rc == 0 && codec == BATCH_CODEC_NONE) {
        it->p = p + BATCH_HEADER_SIZE;
        it->end = p + batch_size(&it->hdr);
    } else if (rc == 0) {
        rc = codec_decompress(codec, p + BATCH_HEADER_SIZE,
                              batch_size(&it->hdr) - BATCH_HEADER_SIZE,
                              &it->plain, BATCH_MAX_PLAIN);
        it->p = it->plain.data;
        it->end = it->plain.data + it->plain.len;
    }
    if (rc != 0) {
        it->err = rc;
        return rc;
    }
    it->left = it->hdr.records_count;
    return 0;
}

int
batch_iter_next(batch_iter_t *it, batch_record_t *rec)
{
    if (it->err)
        return it->err;
    if (it->left == 0) {
        if (it->p != it->end)
            it->err = ERR_CORRUPT; /* more bytes than counted records */
        return it->err;
    }
    if (batch_record_parse(&it->p, it->end, rec) != 0) {
        it->err = ERR_CORRUPT;
        return it->err;
    }
    it->left--;
    return 1;
}

void
batch_iter_fini(batch_iter_t *it)
{
    buf_fini(&it->plain);
}

/* encoded size of one record's body (everything after its length) */
static size_t
batch_record_body_size(const batch_build_record_t *r, int64_t ts_delta,
                       int32_t offset_delta)
{
    size_t n = 1 + varint_size_i64(ts_delta) + varint_size_i32(offset_delta);

    n += varint_size_i32(r->key ? r->key_len : -1);
    n += r->key ? (size_t)r->key_len : 0;
    n += varint_size_i32(r->value ? r->value_len : -1);
    n += r->value ? (size_t)r->value_len : 0;
    n += varint_size_i32(r->nheaders);
    for (int32_t i = 0; i < r->nheaders; i++) {
        const batch_header_kv_t *kv = &r->headers[i];

        n += varint_size_i32(kv->key_len) + (size_t)kv->key_len;
        n += varint_size_i32(kv->value ? kv->value_len : -1);
        n += kv->value ? (size_t)kv->value_len : 0;
    }
    return n;
}

static bool
batch_build_args_ok(batch_codec_t codec, const batch_build_record_t *recs,
                    int32_t nrecs)
{
    if (nrecs < 1 || recs == NULL || (unsigned)codec > BATCH_CODEC_ZSTD)
        return false;
    for (int32_t i = 0; i < nrecs; i++) {
        const batch_build_record_t *r = &recs[i];

        if ((r->key && r->key_len < 0) || (r->value && r->value_len < 0) ||
            r->nheaders < 0 || (r->nheaders > 0 && r->headers == NULL))
            return false;
        for (int32_t k = 0; k < r->nheaders; k++) {
            const batch_header_kv_t *kv = &r->headers[k];

            if (kv->key == NULL || kv->key_len < 0 ||
                (kv->value && kv->value_len < 0))
                return false;
        }
    }
    return true;
}

int
batch_build(buf_t *out, batch_codec_t codec, int64_t base_offset,
            const batch_build_record_t *recs, int32_t nrecs)
{
    kwrite_t kw;
    size_t start = out->len;
    int64_t max_ts;
    uint8_t *h;
    size_t total;
    int rc;

    if (!batch_build_args_ok(codec, recs, nrecs))
        return ERR_INVAL;
    max_ts = recs[0].timestamp;
    kwrite_init(&kw);
    for (int32_t i = 0; i < nrecs; i++) {
        const batch_build_record_t *r = &recs[i];
        int64_t ts_delta = r->timestamp - recs[0].timestamp;
        size_t body = batch_record_body_size(r, ts_delta, i);

        if (r->timestamp > max_ts)
            max_ts = r->timestamp;
        if (body > INT32_MAX || kwrite_len(&kw) > INT32_MAX) {
            kwrite_fini(&kw);
            return ERR_TOOBIG;
        }
        kwrite_varint(&kw, (int32_t)body);
        kwrite_i8(&kw, 0);
        kwrite_varlong(&kw, ts_delta);
        kwrite_varint(&kw, i);
        kwrite_varint(&kw, r->key ? r->key_len : -1);
        if (r->key)
            kwrite_raw(&kw, r->key, (size_t)r->key_len);
        kwrite_varint(&kw, r->value ? r->value_len : -1);
        if (r->value)
            kwrite_raw(&kw, r->value, (size_t)r->value_len);
        kwrite_varint(&kw, r->nheaders);
        for (int32_t k = 0; k < r->nheaders; k++) {
            const batch_header_kv_t *kv = &r->headers[k];

            kwrite_varint(&kw, kv->key_len);
            kwrite_raw(&kw, kv->key, (size_t)kv->key_len);
            kwrite_varint(&kw, kv->value ? kv->value_len : -1);
            if (kv->value)
                kwrite_raw(&kw, kv->value, (size_t)kv->value_len);
        }
    }
    buf_extend(out, BATCH_HEADER_SIZE);
    rc = codec_compress(codec, kw.buf.data, kw.buf.len, out);
    kwrite_fini(&kw);
    total = out->len - start;
    if (rc == 0 && total - BATCH_LOG_OVERHEAD > INT32_MAX)
        rc = ERR_TOOBIG;
    if (rc != 0) {
        out->len = start;
        return rc;
    }
    h = out->data + start;
    put_be64(h, (uint64_t)base_offset);
    put_be32(h + BATCH_OFF_LENGTH, (uint32_t)(total - BATCH_LOG_OVERHEAD));
    put_be32(h + BATCH_OFF_EPOCH, (uint32_t)-1);
    h[BATCH_OFF_MAGIC] = BATCH_MAGIC;
    put_be16(h + BATCH_OFF_ATTRIBUTES, (uint16_t)codec);
    put_be32(h + 23, (uint32_t)(nrecs - 1));
    put_be64(h + 27, (uint64_t)recs[0].timestamp);
    put_be64(h + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)max_ts);
    put_be64(h + 43, (uint64_t)-1); /* producerId */
    put_be16(h + 51, (uint16_t)-1); /* producerEpoch */
    put_be32(h + 53, (uint32_t)-1); /* baseSequence */
    put_be32(h + 57, (uint32_t)nrecs);
    put_be32(h + BATCH_CRC_OFFSET,
             crc32c(0, h + BATCH_CRC_START, total - BATCH_CRC_START));
    return 0;
}
