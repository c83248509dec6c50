/*
 * buf: a growable byte buffer.
 *
 * Fields are public: callers read data/len directly and may write into
 * data[len..cap) after buf_reserve(), then advance len.
 * Not thread-safe; one owner at a time.
 */
#ifndef SAMSA_BUF_H
#define SAMSA_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                               \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void buf_init(buf_t *b);
/* frees the storage; the buffer is empty and reusable afterwards */
void buf_fini(buf_t *b);
/* ensures room for @extra more bytes past len */
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *data, size_t len);
/* appends @len bytes of zeroes and returns a pointer to them */
uint8_t *buf_extend(buf_t *b, size_t len);
/* drops @n bytes from the front */
void buf_consume(buf_t *b, size_t n);
/* len = 0, storage kept */
static inline void
buf_reset(buf_t *b)
{
    b->len = 0;
}

#endif
