/*
 * arena: bump allocator for the arrays of one decoded request.
 *
 * Decoded requests are views into their frame; their arrays come from an
 * arena that is reset when the response is queued. Not thread-safe.
 */
#ifndef SAMSA_ARENA_H
#define SAMSA_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block_t;

typedef struct arena {
    arena_block_t *head;
} arena_t;

void arena_init(arena_t *ar);
/* frees every block */
void arena_fini(arena_t *ar);
/* frees everything but keeps the first block for reuse */
void arena_reset(arena_t *ar);
/* zeroed, 16-byte aligned memory valid until reset/fini */
void *arena_alloc(arena_t *ar, size_t size);
/* arena_alloc(nmemb * size), aborting on overflow */
void *arena_calloc(arena_t *ar, size_t nmemb, size_t size);
char *arena_strndup(arena_t *ar, const char *s, size_t n);

#endif
