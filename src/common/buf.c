/*
 * buf.c: growable byte buffer (see buf.h).
 */
#include <string.h>

#include "samsa/buf.h"
#include <stdlib.h>

#include "samsa/xmalloc.h"

void
buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_fini(buf_t *b)
{
    free(b->data);
    buf_init(b);
}

void
buf_reserve(buf_t *b, size_t extra)
{
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;

    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void
buf_append(buf_t *b, const void *data, size_t len)
{
    if (len == 0)
        return;
    buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

uint8_t *
buf_extend(buf_t *b, size_t len)
{
    uint8_t *p;

    buf_reserve(b, len);
    p = b->data + b->len;
    memset(p, 0, len);
    b->len += len;
    return p;
}

void
buf_consume(buf_t *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}
