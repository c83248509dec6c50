/*
 * p_int.h: helpers shared by the p_<family>.c codecs, on top of kread/kwrite.
 *
 * Spec: Kafka's generated message code (common/message JSON schemas).
 * A non-nullable string or array read as null is malformed (ERR_PROTO), as
 * in Kafka's generated readers. Not a public interface: only src/proto/p_*.c
 * include this file.
 */
#ifndef SAMSA_P_INT_H
#define SAMSA_P_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "samsa/arena.h"
#include "samsa/err.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* smallest encoding of a string or array length: int16/int32 or uvarint */
#define P_STRMIN(flex) ((flex) ? 1u : 2u)
#define P_ARRMIN(flex) ((flex) ? 1u : 4u)
/* smallest tagged-field section: one uvarint 0 */
#define P_TAGMIN(flex) ((flex) ? 1u : 0u)

static inline kstr_t
p_str_empty(void)
{
    kstr_t s = {"", 0};
    return s;
}

static inline kstr_t
p_str_null(void)
{
    kstr_t s = {NULL, -1};
    return s;
}

/* a non-nullable STRING / COMPACT_STRING */
static inline kstr_t
p_rd_str(kread_t *kr, bool flex)
{
    kstr_t s = kread_str(kr, flex);

    if (s.len < 0) {
        kread_fail(kr);
        return p_str_empty();
    }
    return s;
}

/* a non-nullable array count (never -1) */
static inline int32_t
p_rd_count(kread_t *kr, bool flex, size_t min_elem)
{
    int32_t n = kread_array(kr, flex, min_elem);

    if (n < 0) {
        kread_fail(kr);
        return 0;
    }
    return kr->err ? 0 : n;
}

/* a nullable array count (-1 = null) */
static inline int32_t
p_rd_ncount(kread_t *kr, bool flex, size_t min_elem)
{
    int32_t n = kread_array(kr, flex, min_elem);

    return kr->err ? 0 : n;
}

/* @n zeroed elements of @size from the arena, or NULL for n <= 0 */
static inline void *
p_alloc(arena_t *ar, int32_t n, size_t size)
{
    return n > 0 ? arena_calloc(ar, (size_t)n, size) : NULL;
}

/* an array of int32 (nullable when @nullable; null gives *n = -1) */
static inline int32_t *
p_rd_i32s(kread_t *kr, bool flex, bool nullable, arena_t *ar, int32_t *n)
{
    int32_t *v;

    *n = nullable ? p_rd_ncount(kr, flex, 4) : p_rd_count(kr, flex, 4);
    v = p_alloc(ar, *n, sizeof(*v));
    for (int32_t i = 0; i < *n; i++)
        v[i] = kread_i32(kr);
    return v;
}

static inline int64_t *
p_rd_i64s(kread_t *kr, bool flex, arena_t *ar, int32_t *n)
{
    int64_t *v;

    *n = p_rd_count(kr, flex, 8);
    v = p_alloc(ar, *n, sizeof(*v));
    for (int32_t i = 0; i < *n; i++)
        v[i] = kread_i64(kr);
    return v;
}

/* an array of non-nullable strings */
static inline kstr_t *
p_rd_strs(kread_t *kr, bool flex, bool nullable, arena_t *ar, int32_t *n)
{
    kstr_t *v;

    *n = nullable ? p_rd_ncount(kr, flex, P_STRMIN(flex))
                  : p_rd_count(kr, flex, P_STRMIN(flex));
    v = p_alloc(ar, *n, sizeof(*v));
    for (int32_t i = 0; i < *n; i++)
        v[i] = p_rd_str(kr, flex);
    return v;
}

/* the tagged-field section of a struct when @flex (unknown tags skipped) */
static inline void
p_rd_tags(kread_t *kr, bool flex)
{
    if (flex)
        kread_tags(kr);
}

static inline void
p_wr_tags(kwrite_t *kw, bool flex)
{
    if (flex)
        kwrite_tags_empty(kw);
}

/* array count; a null (-1) array is written empty unless @nullable */
static inline void
p_wr_count(kwrite_t *kw, int32_t n, bool flex, bool nullable)
{
    kwrite_array(kw, (n < 0 && !nullable) ? 0 : n, flex);
}

static inline void
p_wr_i32s(kwrite_t *kw, const int32_t *v, int32_t n, bool flex, bool nullable)
{
    p_wr_count(kw, n, flex, nullable);
    for (int32_t i = 0; i < n; i++)
        kwrite_i32(kw, v[i]);
}

static inline void
p_wr_i64s(kwrite_t *kw, const int64_t *v, int32_t n, bool flex)
{
    p_wr_count(kw, n, flex, false);
    for (int32_t i = 0; i < n; i++)
        kwrite_i64(kw, v[i]);
}

static inline void
p_wr_strs(kwrite_t *kw, const kstr_t *v, int32_t n, bool flex, bool nullable)
{
    p_wr_count(kw, n, flex, nullable);
    for (int32_t i = 0; i < n; i++)
        kwrite_str(kw, v[i], flex);
}

/* a non-nullable string: a null view is written as "" */
static inline void
p_wr_str(kwrite_t *kw, kstr_t s, bool flex)
{
    kwrite_str(kw, s.len < 0 ? p_str_empty() : s, flex);
}

/* BYTES / COMPACT_BYTES from a view: len -1 is null, {NULL, 0} is empty */
static inline void
p_wr_bytes(kwrite_t *kw, kbytes_t b, bool flex)
{
    if (b.len < 0)
        kwrite_bytes(kw, NULL, -1, flex);
    else
        kwrite_bytes(kw, b.ptr != NULL ? b.ptr : (const uint8_t *)"", b.len,
                     flex);
}

/*
 * One tagged field: tag, size, then the bytes already encoded into @field
 * (a scratch writer holding buffer bytes only).
 */
static inline void
p_wr_tag(kwrite_t *kw, uint32_t tag, const kwrite_t *field)
{
    kwrite_tag(kw, tag, field->buf.data, field->buf.len);
}

static inline bool
p_uuid_is_zero(const uint8_t u[16])
{
    static const uint8_t zero[16];

    return memcmp(u, zero, 16) == 0;
}

#endif
