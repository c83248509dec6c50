/*
 * kwrite: writer for Kafka protocol primitives, producing a chain of chunks.
 *
 * Bytes go into one growable buffer; kwrite_file() appends a reference to a
 * file range instead, so a Fetch response can be sent with writev + sendfile
 * without copying log data. A finished kwrite_t is a whole response: the
 * network layer sends its chunks in order and then calls kwrite_fini(), which
 * releases the file references.
 *
 * Not thread-safe; one owner at a time (ownership moves with the pointer).
 */
#ifndef SAMSA_KWRITE_H
#define SAMSA_KWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "samsa/buf.h"
#include "samsa/kread.h"
#include "samsa/varint.h"

/*
 * A reference to @len bytes at offset @off of file @fd. The holder calls
 * unref(ref) when done; the file stays open until then.
 */
typedef struct fslice {
    int fd;
    uint64_t off;
    size_t len;
    void (*unref)(void *ref);
    void *ref;
} fslice_t;

/* one piece of output: bytes of kw->buf, or a file slice (fd >= 0) */
typedef struct kchunk {
    size_t boff; /* offset into kw->buf when fd < 0 */
    size_t len;
    int fd; /* -1 for buffer bytes */
    uint64_t foff;
    void (*unref)(void *ref);
    void *ref;
} kchunk_t;

typedef struct kwrite {
    buf_t buf;        /* every in-memory byte, in order */
    kchunk_t *chunks; /* file chunks and the buffer runs between them */
    int nchunks;
    int chunks_cap;
    size_t flushed; /* buf bytes already covered by a chunk */
    size_t total;   /* bytes written so far, buffer and files */
} kwrite_t;

void kwrite_init(kwrite_t *kw);
/* releases the buffer and every file reference */
void kwrite_fini(kwrite_t *kw);
/* kwrite_fini() + kwrite_init(), keeping the buffer's storage */
void kwrite_reset(kwrite_t *kw);
/* total bytes so far (buffer and file chunks) */
static inline size_t
kwrite_len(const kwrite_t *kw)
{
    return kw->total;
}

/*
 * Fixed-width and varint primitives are inline: they are on every
 * response's hot path. Each one reserves its bytes (growing kw->buf only
 * when full; no other allocation) and appends big-endian.
 */
static inline uint8_t *
kwrite_room(kwrite_t *kw, size_t n)
{
    if (kw->buf.cap - kw->buf.len < n)
        buf_reserve(&kw->buf, n);
    return kw->buf.data + kw->buf.len;
}

static inline void
kwrite_advance(kwrite_t *kw, size_t n)
{
    kw->buf.len += n;
    kw->total += n;
}

static inline void
kwrite_raw(kwrite_t *kw, const void *data, size_t len)
{
    if (len == 0)
        return;
    memcpy(kwrite_room(kw, len), data, len);
    kwrite_advance(kw, len);
}

static inline void
kwrite_i8(kwrite_t *kw, int8_t v)
{
    *kwrite_room(kw, 1) = (uint8_t)v;
    kwrite_advance(kw, 1);
}

static inline void
kwrite_i16(kwrite_t *kw, int16_t v)
{
    uint8_t *p = kwrite_room(kw, 2);

    p[0] = (uint8_t)((uint16_t)v >> 8);
    p[1] = (uint8_t)v;
    kwrite_advance(kw, 2);
}

static inline void
kwrite_u32(kwrite_t *kw, uint32_t v)
{
    uint8_t *p = kwrite_room(kw, 4);

    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    kwrite_advance(kw, 4);
}

static inline void
kwrite_i32(kwrite_t *kw, int32_t v)
{
    kwrite_u32(kw, (uint32_t)v);
}

static inline void
kwrite_i64(kwrite_t *kw, int64_t v)
{
    uint8_t *p = kwrite_room(kw, 8);
    uint64_t u = (uint64_t)v;

    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(u >> (56 - 8 * i));
    kwrite_advance(kw, 8);
}

static inline void
kwrite_bool(kwrite_t *kw, bool v)
{
    kwrite_i8(kw, v ? 1 : 0);
}

static inline void
kwrite_f64(kwrite_t *kw, double v)
{
    int64_t u;

    memcpy(&u, &v, 8);
    kwrite_i64(kw, u);
}

static inline void
kwrite_uvarint(kwrite_t *kw, uint32_t v)
{
    kwrite_advance(kw, varint_encode_u32(kwrite_room(kw, VARINT_MAX32), v));
}

static inline void
kwrite_varint(kwrite_t *kw, int32_t v)
{
    kwrite_advance(kw, varint_encode_i32(kwrite_room(kw, VARINT_MAX32), v));
}

static inline void
kwrite_varlong(kwrite_t *kw, int64_t v)
{
    kwrite_advance(kw, varint_encode_i64(kwrite_room(kw, VARINT_MAX64), v));
}

static inline void
kwrite_uuid(kwrite_t *kw, const uint8_t uuid[16])
{
    kwrite_raw(kw, uuid, 16);
}

/* STRING (or COMPACT_STRING when @flexible); @s NULL writes a null string */
void kwrite_cstr(kwrite_t *kw, const char *s, bool flexible);
/* same for a view (len -1 = null) */
void kwrite_str(kwrite_t *kw, kstr_t s, bool flexible);
/* BYTES (or COMPACT_BYTES); @data NULL writes null */
void kwrite_bytes(kwrite_t *kw, const void *data, int32_t len, bool flexible);
/* array length (or COMPACT); -1 writes null */
void kwrite_array(kwrite_t *kw, int32_t n, bool flexible);
/* an empty tagged-field section (uvarint 0) */
void kwrite_tags_empty(kwrite_t *kw);
/*
 * One tagged field whose value is already encoded (@len bytes); write the
 * section's count with kwrite_uvarint() first, tags in increasing order.
 */
void kwrite_tag(kwrite_t *kw, uint32_t tag, const void *data, size_t len);

/*
 * Reserves 4 bytes for an int32 to be filled in later (a length that is
 * known only after the data). Returns the buffer offset for kwrite_patch_i32.
 * Measure what follows with kwrite_len() differences, not buffer offsets:
 * file chunks count in kwrite_len() but not in kw->buf.
 */
size_t kwrite_mark_i32(kwrite_t *kw);
void kwrite_patch_i32(kwrite_t *kw, size_t mark, int32_t v);

/*
 * Appends the file slice @fs as the next @fs->len bytes of output. Takes
 * ownership of the reference (fs->unref is called by kwrite_fini).
 */
void kwrite_file(kwrite_t *kw, const fslice_t *fs);

/*
 * Closes the chunk list: after this kw->chunks covers every byte in order.
 * Called by the sender before it walks the chunks; idempotent.
 */
void kwrite_finish(kwrite_t *kw);

/*
 * Copies the whole output, reading file chunks with pread, into @out
 * (appended). For tests and for transports that cannot sendfile.
 * Returns 0 or ERR_IO.
 */
int kwrite_flatten(kwrite_t *kw, buf_t *out);

#endif
