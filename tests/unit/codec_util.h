/*
 * codec_util.h: what the codec suites (test_p_api.c, test_p_group.c,
 * test_p_cluster.c) share: a table entry describing one message type of one
 * API, the wrappers that give every p_<family>_<dir> codec one signature,
 * and flat encode / exact-length decode helpers.
 */
#ifndef SAMSA_TEST_CODEC_UTIL_H
#define SAMSA_TEST_CODEC_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/buf.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"
#include "unit.h"

typedef struct codec {
    const char *name;
    int16_t vmin, vmax; /* the version range, when the table gives it */
    int16_t key;        /* the API key, when the range comes from kapi */
    bool request;
    size_t size;
    void (*fill)(arena_t *ar, void *msg);
    int (*decode)(kread_t *kr, int16_t v, arena_t *ar, void *msg);
    void (*encode)(kwrite_t *kw, int16_t v, const void *msg);
    void (*check)(int16_t v, const void *orig, const void *got);
} codec_t;

/* dec_<fam>_<dir> and enc_<fam>_<dir> with the table's signatures */
#define CODEC_WRAP(fam, dir, type)                                             \
    static int dec_##fam##_##dir(kread_t *kr, int16_t v, arena_t *ar, void *m) \
    {                                                                          \
        return p_##fam##_##dir##_decode(kr, v, ar, (type *)m);                 \
    }                                                                          \
    static void enc_##fam##_##dir(kwrite_t *kw, int16_t v, const void *m)      \
    {                                                                          \
        p_##fam##_##dir##_encode(kw, v, (const type *)m);                      \
    }

/* encodes @msg at @v into @out (flattened) */
static inline void
encode_flat(const codec_t *c, int16_t v, const void *msg, buf_t *out)
{
    kwrite_t kw;

    kwrite_init(&kw);
    c->encode(&kw, v, msg);
    CU_ASSERT_EQUAL_FATAL(kwrite_flatten(&kw, out), 0);
    kwrite_fini(&kw);
}

/* decodes exactly @len bytes (a private copy, so valgrind sees overreads) */
static inline int
decode_copy(const codec_t *c, int16_t v, const uint8_t *data, size_t len,
            arena_t *ar, void *msg)
{
    uint8_t *copy = malloc(len ? len : 1);
    kread_t kr;
    int rc;

    memcpy(copy, data, len);
    kread_init(&kr, copy, len);
    rc = c->decode(&kr, v, ar, msg);
    free(copy);
    return rc;
}

#endif
