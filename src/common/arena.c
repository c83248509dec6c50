/*
 * arena.c: bump allocator (see arena.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/xmalloc.h"

/* 16 KiB covers the arrays of almost every request in one block */
#define ARENA_BLOCK 16384

struct arena_block {
    arena_block_t *next;
    size_t size;
    size_t used;
    unsigned char data[] __attribute__((aligned(16)));
};

void
arena_init(arena_t *ar)
{
    ar->head = NULL;
}

void
arena_fini(arena_t *ar)
{
    arena_block_t *b = ar->head, *next;

    for (; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    ar->head = NULL;
}

void
arena_reset(arena_t *ar)
{
    arena_block_t *keep = ar->head;

    if (keep == NULL)
        return;
    /* keep the last (oldest, standard-sized) block */
    while (keep->next != NULL) {
        arena_block_t *b = keep;
        keep = keep->next;
        free(b);
    }
    keep->used = 0;
    ar->head = keep;
}

void *
arena_alloc(arena_t *ar, size_t size)
{
    arena_block_t *b = ar->head;
    void *p;

    size = (size + 15) & ~(size_t)15;
    if (b == NULL || b->size - b->used < size) {
        size_t bsize = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        b = xmalloc(sizeof(*b) + bsize);
        b->size = bsize;
        b->used = 0;
        b->next = ar->head;
        ar->head = b;
    }
    p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void *
arena_calloc(arena_t *ar, size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        abort();
    return arena_alloc(ar, nmemb * size);
}

char *
arena_strndup(arena_t *ar, const char *s, size_t n)
{
    char *p = arena_alloc(ar, n + 1);
    memcpy(p, s, n);
    return p;
}
