/*
 * kwrite.c: Kafka protocol primitive writer and its chunk list (kwrite.h).
 *
 * Owns the strings/bytes/arrays encodings (plain and KIP-482 compact) and
 * the output's shape: one growable buffer plus a list of chunks in which
 * file slices (kwrite_file) sit between runs of buffer bytes. The fixed
 * width and varint primitives are inline in kwrite.h.
 *
 * Chunk invariant: chunks[0..nchunks) cover buf[0..flushed) and every file
 * slice, in output order; buf[flushed..len) is the pending run that
 * kwrite_finish() (or the next kwrite_file()) closes. Buffer chunks hold
 * offsets, not pointers, so the buffer may move as it grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "samsa/err.h"
#include "samsa/kwrite.h"
#include "samsa/xmalloc.h"

void
kwrite_init(kwrite_t *kw)
{
    buf_init(&kw->buf);
    kw->chunks = NULL;
    kw->nchunks = 0;
    kw->chunks_cap = 0;
    kw->flushed = 0;
    kw->total = 0;
}

static void
kwrite_unref_all(kwrite_t *kw)
{
    for (int i = 0; i < kw->nchunks; i++) {
        kchunk_t *c = &kw->chunks[i];

        if (c->fd >= 0 && c->unref != NULL)
            c->unref(c->ref);
    }
    kw->nchunks = 0;
}

void
kwrite_fini(kwrite_t *kw)
{
    kwrite_unref_all(kw);
    free(kw->chunks);
    buf_fini(&kw->buf);
    kwrite_init(kw);
}

void
kwrite_reset(kwrite_t *kw)
{
    kwrite_unref_all(kw);
    buf_reset(&kw->buf);
    kw->flushed = 0;
    kw->total = 0;
}

static kchunk_t *
kwrite_chunk_new(kwrite_t *kw)
{
    if (kw->nchunks == kw->chunks_cap) {
        kw->chunks_cap = kw->chunks_cap ? kw->chunks_cap * 2 : 8;
        kw->chunks =
            xrealloc(kw->chunks, (size_t)kw->chunks_cap * sizeof(kchunk_t));
    }
    return &kw->chunks[kw->nchunks++];
}

/* closes the pending buffer run, if any, as a chunk */
static void
kwrite_close_run(kwrite_t *kw)
{
    kchunk_t *c;

    if (kw->flushed == kw->buf.len)
        return;
    c = kwrite_chunk_new(kw);
    c->boff = kw->flushed;
    c->len = kw->buf.len - kw->flushed;
    c->fd = -1;
    c->foff = 0;
    c->unref = NULL;
    c->ref = NULL;
    kw->flushed = kw->buf.len;
}

void
kwrite_finish(kwrite_t *kw)
{
    kwrite_close_run(kw);
}

void
kwrite_file(kwrite_t *kw, const fslice_t *fs)
{
    kchunk_t *c;

    if (fs->len == 0) {
        /* nothing to send; we own the reference, so drop it now */
        if (fs->unref != NULL)
            fs->unref(fs->ref);
        return;
    }
    kwrite_close_run(kw);
    c = kwrite_chunk_new(kw);
    c->boff = 0;
    c->len = fs->len;
    c->fd = fs->fd;
    c->foff = fs->off;
    c->unref = fs->unref;
    c->ref = fs->ref;
    kw->total += fs->len;
}

void
kwrite_cstr(kwrite_t *kw, const char *s, bool flexible)
{
    kstr_t v = {s, -1};

    if (s != NULL)
        v.len = (int32_t)strlen(s);
    kwrite_str(kw, v, flexible);
}

void
kwrite_str(kwrite_t *kw, kstr_t s, bool flexible)
{
    if (s.len < 0) {
        if (flexible)
            kwrite_uvarint(kw, 0);
        else
            kwrite_i16(kw, -1);
        return;
    }
    if (flexible)
        kwrite_uvarint(kw, (uint32_t)s.len + 1);
    else
        kwrite_i16(kw, (int16_t)s.len);
    kwrite_raw(kw, s.ptr, (size_t)s.len);
}

void
kwrite_bytes(kwrite_t *kw, const void *data, int32_t len, bool flexible)
{
    if (data == NULL || len < 0) {
        if (flexible)
            kwrite_uvarint(kw, 0);
        else
            kwrite_i32(kw, -1);
        return;
    }
    if (flexible)
        kwrite_uvarint(kw, (uint32_t)len + 1);
    else
        kwrite_i32(kw, len);
    kwrite_raw(kw, data, (size_t)len);
}

void
kwrite_array(kwrite_t *kw, int32_t n, bool flexible)
{
    if (flexible)
        kwrite_uvarint(kw, n < 0 ? 0 : (uint32_t)n + 1);
    else
        kwrite_i32(kw, n < 0 ? -1 : n);
}

void
kwrite_tags_empty(kwrite_t *kw)
{
    kwrite_i8(kw, 0);
}

void
kwrite_tag(kwrite_t *kw, uint32_t tag, const void *data, size_t len)
{
    kwrite_uvarint(kw, tag);
    kwrite_uvarint(kw, (uint32_t)len);
    kwrite_raw(kw, data, len);
}

size_t
kwrite_mark_i32(kwrite_t *kw)
{
    size_t mark = kw->buf.len;

    kwrite_i32(kw, 0);
    return mark;
}

void
kwrite_patch_i32(kwrite_t *kw, size_t mark, int32_t v)
{
    uint8_t *p = kw->buf.data + mark;
    uint32_t u = (uint32_t)v;

    p[0] = (uint8_t)(u >> 24);
    p[1] = (uint8_t)(u >> 16);
    p[2] = (uint8_t)(u >> 8);
    p[3] = (uint8_t)u;
}

static int
kwrite_pread_all(int fd, uint8_t *dst, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pread(fd, dst, len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ERR_IO; /* error, or the file is shorter than the slice */
        dst += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int
kwrite_flatten(kwrite_t *kw, buf_t *out)
{
    kwrite_finish(kw);
    buf_reserve(out, kw->total);
    for (int i = 0; i < kw->nchunks; i++) {
        const kchunk_t *c = &kw->chunks[i];

        if (c->fd < 0) {
            buf_append(out, kw->buf.data + c->boff, c->len);
            continue;
        }
        buf_reserve(out, c->len);
        if (kwrite_pread_all(c->fd, out->data + out->len, c->len, c->foff))
            return ERR_IO;
        out->len += c->len;
    }
    return 0;
}
