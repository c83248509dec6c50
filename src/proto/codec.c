/*
 * codec.c: gzip (zlib), snappy (libsnappy), lz4 (liblz4 frames) and zstd
 * (libzstd) for record batches (codec.h).
 *
 * Owns the byte formats and the output bound; does not know batches (see
 * batch.c). Streaming decoders grow the output geometrically but never
 * past max_out + 1 bytes: the extra byte is how an over-long stream is
 * told apart from one that ends exactly at the limit.
 */
#include <limits.h>
#include <pthread.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "samsa/codec.h"
#include "samsa/err.h"

#define CODEC_MIN_STEP (64u * 1024)
/* one compressed input at most 2 GiB: every Kafka size is an INT32 */
#define CODEC_MAX_IN ((size_t)INT32_MAX)
/* snappy-java's block size (SnappyOutputStream default, 32 KiB) */
#define SNAPPY_JAVA_BLOCK (32u * 1024)
#define SNAPPY_JAVA_HDRLEN 16

static const uint8_t snappy_java_magic[8] = {0x82, 'S', 'N', 'A',
                                             'P',  'P', 'Y', 0};

/*
 * Codec contexts are per thread and reused; a thread-specific key whose
 * destructor is codec_thread_fini() frees them when the thread exits (IO
 * loops, the controller), so no owner has to remember to.
 */
static __thread LZ4F_dctx *codec_lz4_dctx;
static __thread ZSTD_DCtx *codec_zstd_dctx;
static __thread ZSTD_CCtx *codec_zstd_cctx;
static pthread_key_t codec_key;
static pthread_once_t codec_key_once = PTHREAD_ONCE_INIT;

static void
codec_key_destroy(void *unused)
{
    (void)unused;
    codec_thread_fini();
}

static void
codec_key_create(void)
{
    pthread_key_create(&codec_key, codec_key_destroy);
}

/* arranges for this thread's contexts to be freed at its exit */
static void
codec_thread_arm(void)
{
    pthread_once(&codec_key_once, codec_key_create);
    pthread_setspecific(codec_key, &codec_key);
}

const char *
codec_name(batch_codec_t c)
{
    switch (c) {
    case BATCH_CODEC_NONE: return "none";
    case BATCH_CODEC_GZIP: return "gzip";
    case BATCH_CODEC_SNAPPY: return "snappy";
    case BATCH_CODEC_LZ4: return "lz4";
    case BATCH_CODEC_ZSTD: return "zstd";
    }
    return "unknown";
}

void
codec_thread_fini(void)
{
    LZ4F_freeDecompressionContext(codec_lz4_dctx);
    codec_lz4_dctx = NULL;
    ZSTD_freeDCtx(codec_zstd_dctx);
    codec_zstd_dctx = NULL;
    ZSTD_freeCCtx(codec_zstd_cctx);
    codec_zstd_cctx = NULL;
}

static inline uint32_t
codec_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline void
codec_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/*
 * Room for the next piece of streamed output: at least one byte, at most
 * what keeps the total produced since @start within max_out + 1.
 */
static size_t
codec_room(buf_t *out, size_t start, size_t max_out)
{
    size_t produced = out->len - start;
    size_t limit = max_out + 1 - produced;
    size_t step = produced > CODEC_MIN_STEP ? produced : CODEC_MIN_STEP;
    size_t room;

    if (out->cap - out->len < CODEC_MIN_STEP / 4)
        buf_reserve(out, step < limit ? step : limit);
    room = out->cap - out->len;
    if (room > limit)
        room = limit;
    if (room > UINT_MAX)
        room = UINT_MAX; /* zlib counts in uInt */
    return room;
}

static int
codec_gunzip(const uint8_t *in, size_t inlen, buf_t *out, size_t max_out)
{
    z_stream zs;
    size_t start = out->len;
    int rc = 0;

    memset(&zs, 0, sizeof(zs));
    /* 15-bit window; +32 = accept the gzip or the zlib header */
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return ERR_CORRUPT;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)inlen;
    for (;;) {
        size_t room = codec_room(out, start, max_out);
        int zrc;

        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        if (out->len - start > max_out) {
            rc = ERR_TOOBIG;
            break;
        }
        if (zrc == Z_STREAM_END) {
            /* another gzip member follows (GZIPInputStream reads it) */
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f &&
                zs.next_in[1] == 0x8b && inflateReset(&zs) == Z_OK)
                continue;
            break;
        }
        if (zrc != Z_OK) {
            /* Z_BUF_ERROR here means the input ended mid-stream */
            rc = ERR_CORRUPT;
            break;
        }
    }
    inflateEnd(&zs);
    return rc;
}

static int
codec_gzip(const uint8_t *in, size_t inlen, buf_t *out)
{
    z_stream zs;
    uLong bound;
    int zrc;

    memset(&zs, 0, sizeof(zs));
    /* level 6 (zlib's default, as Java's Deflater); +16 = gzip wrapper */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return ERR_INVAL;
    bound = deflateBound(&zs, (uLong)inlen);
    buf_reserve(out, bound);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)inlen;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    out->len += bound - zs.avail_out;
    deflateEnd(&zs);
    return zrc == Z_STREAM_END ? 0 : ERR_INVAL;
}

/* one raw snappy block, bounded */
static int
codec_unsnappy_block(const uint8_t *in, size_t inlen, buf_t *out, size_t start,
                     size_t max_out)
{
    size_t ulen;

    if (snappy_uncompressed_length((const char *)in, inlen, &ulen) != SNAPPY_OK)
        return ERR_CORRUPT;
    if (ulen > max_out - (out->len - start))
        return ERR_TOOBIG;
    buf_reserve(out, ulen);
    if (snappy_uncompress((const char *)in, inlen, (char *)out->data + out->len,
                          &ulen) != SNAPPY_OK)
        return ERR_CORRUPT;
    out->len += ulen;
    return 0;
}

static int
codec_unsnappy(const uint8_t *in, size_t inlen, buf_t *out, size_t max_out)
{
    size_t start = out->len;
    size_t pos = SNAPPY_JAVA_HDRLEN;

    if (inlen < SNAPPY_JAVA_HDRLEN ||
        memcmp(in, snappy_java_magic, sizeof(snappy_java_magic)) != 0)
        return codec_unsnappy_block(in, inlen, out, start, max_out);
    while (pos < inlen) {
        uint32_t blen;
        int rc;

        if (inlen - pos < 4)
            return ERR_CORRUPT;
        blen = codec_be32(in + pos);
        pos += 4;
        if (blen > inlen - pos)
            return ERR_CORRUPT;
        rc = codec_unsnappy_block(in + pos, blen, out, start, max_out);
        if (rc)
            return rc;
        pos += blen;
    }
    return 0;
}

static int
codec_snappy(const uint8_t *in, size_t inlen, buf_t *out)
{
    uint8_t *hdr;
    size_t pos = 0;

    hdr = memcpy(buf_extend(out, SNAPPY_JAVA_HDRLEN), snappy_java_magic, 8);
    codec_put_be32(hdr + 8, 1);  /* version */
    codec_put_be32(hdr + 12, 1); /* minimum compatible version */
    while (pos < inlen) {
        size_t n =
            inlen - pos < SNAPPY_JAVA_BLOCK ? inlen - pos : SNAPPY_JAVA_BLOCK;
        size_t clen = snappy_max_compressed_length(n);
        uint8_t *lenp;

        buf_reserve(out, 4 + clen);
        lenp = out->data + out->len;
        if (snappy_compress((const char *)in + pos, n, (char *)lenp + 4,
                            &clen) != SNAPPY_OK)
            return ERR_INVAL;
        codec_put_be32(lenp, (uint32_t)clen);
        out->len += 4 + clen;
        pos += n;
    }
    return 0;
}

static int
codec_unlz4(const uint8_t *in, size_t inlen, buf_t *out, size_t max_out)
{
    size_t start = out->len;
    LZ4F_dctx *dctx = codec_lz4_dctx;

    if (dctx == NULL) {
        if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
            return ERR_CORRUPT;
        codec_lz4_dctx = dctx;
        codec_thread_arm();
    } else {
        LZ4F_resetDecompressionContext(dctx);
    }
    for (;;) {
        size_t room = codec_room(out, start, max_out);
        size_t dst = room;
        size_t src = inlen;
        size_t r =
            LZ4F_decompress(dctx, out->data + out->len, &dst, in, &src, NULL);

        if (LZ4F_isError(r)) {
            LZ4F_resetDecompressionContext(dctx);
            return ERR_CORRUPT;
        }
        if (src == 0 && dst == 0 && r != 0 && inlen > 0) {
            LZ4F_resetDecompressionContext(dctx);
            return ERR_CORRUPT; /* no progress; never loop forever */
        }
        in += src;
        inlen -= src;
        out->len += dst;
        if (out->len - start > max_out) {
            LZ4F_resetDecompressionContext(dctx);
            return ERR_TOOBIG;
        }
        if (r == 0 && inlen == 0)
            return 0; /* frame complete; r == 0 with input left: next frame */
        if (r != 0 && inlen == 0 && dst < room) {
            LZ4F_resetDecompressionContext(dctx);
            return ERR_CORRUPT; /* truncated: wants input, has room */
        }
    }
}

static int
codec_lz4(const uint8_t *in, size_t inlen, buf_t *out)
{
    LZ4F_preferences_t prefs;
    size_t bound, n;

    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    bound = LZ4F_compressFrameBound(inlen, &prefs);
    buf_reserve(out, bound);
    n = LZ4F_compressFrame(out->data + out->len, bound, in, inlen, &prefs);
    if (LZ4F_isError(n))
        return ERR_INVAL;
    out->len += n;
    return 0;
}

static int
codec_unzstd(const uint8_t *in, size_t inlen, buf_t *out, size_t max_out)
{
    size_t start = out->len;
    ZSTD_DCtx *dctx = codec_zstd_dctx;
    ZSTD_inBuffer ib = {in, inlen, 0};

    if (dctx == NULL) {
        dctx = ZSTD_createDCtx();
        if (dctx == NULL)
            return ERR_CORRUPT;
        codec_zstd_dctx = dctx;
        codec_thread_arm();
    } else {
        ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
    }
    for (;;) {
        size_t room = codec_room(out, start, max_out);
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        size_t r = ZSTD_decompressStream(dctx, &ob, &ib);

        if (ZSTD_isError(r))
            return ERR_CORRUPT;
        out->len += ob.pos;
        if (out->len - start > max_out)
            return ERR_TOOBIG;
        if (r == 0 && ib.pos == ib.size)
            return 0; /* r == 0 with input left: another frame follows */
        if (r != 0 && ib.pos == ib.size && ob.pos < ob.size)
            return ERR_CORRUPT; /* truncated */
    }
}

static int
codec_zstd(const uint8_t *in, size_t inlen, buf_t *out)
{
    size_t bound = ZSTD_compressBound(inlen);
    size_t n;

    if (codec_zstd_cctx == NULL) {
        codec_zstd_cctx = ZSTD_createCCtx();
        codec_thread_arm();
        if (codec_zstd_cctx == NULL)
            return ERR_INVAL;
    }
    buf_reserve(out, bound);
    /* level 3: zstd's and Kafka's default */
    n = ZSTD_compressCCtx(codec_zstd_cctx, out->data + out->len, bound, in,
                          inlen, 3);
    if (ZSTD_isError(n))
        return ERR_INVAL;
    out->len += n;
    return 0;
}

int
codec_decompress(batch_codec_t c, const uint8_t *in, size_t inlen, buf_t *out,
                 size_t max_out)
{
    if (inlen > CODEC_MAX_IN)
        return ERR_TOOBIG;
    if (max_out > SIZE_MAX / 2)
        max_out = SIZE_MAX / 2; /* keeps max_out + 1 from wrapping */
    switch (c) {
    case BATCH_CODEC_NONE:
        if (inlen > max_out)
            return ERR_TOOBIG;
        buf_append(out, in, inlen);
        return 0;
    case BATCH_CODEC_GZIP: return codec_gunzip(in, inlen, out, max_out);
    case BATCH_CODEC_SNAPPY: return codec_unsnappy(in, inlen, out, max_out);
    case BATCH_CODEC_LZ4: return codec_unlz4(in, inlen, out, max_out);
    case BATCH_CODEC_ZSTD: return codec_unzstd(in, inlen, out, max_out);
    }
    return ERR_INVAL;
}

int
codec_compress(batch_codec_t c, const uint8_t *in, size_t inlen, buf_t *out)
{
    if (inlen > CODEC_MAX_IN)
        return ERR_TOOBIG;
    switch (c) {
    case BATCH_CODEC_NONE: buf_append(out, in, inlen); return 0;
    case BATCH_CODEC_GZIP: return codec_gzip(in, inlen, out);
    case BATCH_CODEC_SNAPPY: return codec_snappy(in, inlen, out);
    case BATCH_CODEC_LZ4: return codec_lz4(in, inlen, out);
    case BATCH_CODEC_ZSTD: return codec_zstd(in, inlen, out);
    }
    return ERR_INVAL;
}
