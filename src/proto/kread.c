/*
 * kread.c: Kafka protocol primitive reader with a sticky error (kread.h).
 *
 * Owns the primitive types of the protocol guide ("Protocol Primitive
 * Types") and KIP-482's flexible encodings (compact strings/bytes/arrays,
 * tagged fields). Does not know any request's layout; the p_*.c codecs do.
 *
 * Every failure goes through kread_fail(), which sets kr->err = ERR_PROTO
 * and moves p to end, so every later read sees zero bytes left and returns
 * a zero value without touching memory. Decoders therefore need no early
 * returns: they read straight through and check kr->err once.
 */
#include <string.h>

#include "samsa/err.h"
#include "samsa/kread.h"
#include "samsa/varint.h"
#include "samsa/xmalloc.h"

void
kread_init(kread_t *kr, const void *data, size_t len)
{
    kr->p = data;
    kr->end = kr->p + len;
    kr->err = 0;
}

void
kread_fail(kread_t *kr)
{
    kr->err = ERR_PROTO;
    kr->p = kr->end;
}

/* the next @n bytes, or NULL (and the error set) */
static inline const uint8_t *
kread_take(kread_t *kr, size_t n)
{
    const uint8_t *p = kr->p;

    if ((size_t)(kr->end - p) < n) {
        kread_fail(kr);
        return NULL;
    }
    kr->p = p + n;
    return p;
}

const uint8_t *
kread_raw(kread_t *kr, size_t n)
{
    if (kr->err)
        return NULL;
    return kread_take(kr, n);
}

int8_t
kread_i8(kread_t *kr)
{
    const uint8_t *p = kread_take(kr, 1);

    return p ? (int8_t)p[0] : 0;
}

int16_t
kread_i16(kread_t *kr)
{
    const uint8_t *p = kread_take(kr, 2);

    return p ? (int16_t)(((uint16_t)p[0] << 8) | p[1]) : 0;
}

uint32_t
kread_u32(kread_t *kr)
{
    const uint8_t *p = kread_take(kr, 4);

    if (p == NULL)
        return 0;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

int32_t
kread_i32(kread_t *kr)
{
    return (int32_t)kread_u32(kr);
}

int64_t
kread_i64(kread_t *kr)
{
    const uint8_t *p = kread_take(kr, 8);
    uint64_t v = 0;

    if (p == NULL)
        return 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

bool
kread_bool(kread_t *kr)
{
    return kread_i8(kr) != 0;
}

double
kread_f64(kread_t *kr)
{
    uint64_t u = (uint64_t)kread_i64(kr);
    double d;

    memcpy(&d, &u, 8);
    return d;
}

uint32_t
kread_uvarint(kread_t *kr)
{
    uint32_t v = 0;
    int n = varint_decode_u32(kr->p, kread_left(kr), &v);

    if (n < 0) {
        kread_fail(kr);
        return 0;
    }
    kr->p += n;
    return v;
}

int32_t
kread_varint(kread_t *kr)
{
    int32_t v = 0;
    int n = varint_decode_i32(kr->p, kread_left(kr), &v);

    if (n < 0) {
        kread_fail(kr);
        return 0;
    }
    kr->p += n;
    return v;
}

int64_t
kread_varlong(kread_t *kr)
{
    int64_t v = 0;
    int n = varint_decode_i64(kr->p, kread_left(kr), &v);

    if (n < 0) {
        kread_fail(kr);
        return 0;
    }
    kr->p += n;
    return v;
}

void
kread_uuid(kread_t *kr, uint8_t out[16])
{
    const uint8_t *p = kread_take(kr, 16);

    if (p == NULL)
        memset(out, 0, 16);
    else
        memcpy(out, p, 16);
}

/*
 * A length prefix: int16/int32 with -1 = null, or a compact uvarint N+1
 * with 0 = null. Returns -1 for null, -2 after an error, else the length,
 * which is at most @max and at most the bytes left.
 */
static int32_t
kread_len(kread_t *kr, bool flexible, bool wide, int32_t max)
{
    int64_t len;

    if (flexible) {
        len = (int64_t)kread_uvarint(kr) - 1;
    } else if (wide) {
        len = kread_i32(kr);
    } else {
        len = kread_i16(kr);
    }
    if (kr->err)
        return -2;
    if (len == -1)
        return -1;
    if (len < -1 || len > max || (uint64_t)len > kread_left(kr)) {
        kread_fail(kr);
        return -2;
    }
    return (int32_t)len;
}

kstr_t
kread_str(kread_t *kr, bool flexible)
{
    kstr_t s = {NULL, -1};
    /* Kafka caps every string at 32767 bytes, compact ones included */
    int32_t len = kread_len(kr, flexible, false, INT16_MAX);

    if (len >= 0) {
        s.ptr = (const char *)kr->p;
        s.len = len;
        kr->p += len;
    }
    return s;
}

kbytes_t
kread_bytes(kread_t *kr, bool flexible)
{
    kbytes_t b = {NULL, -1};
    int32_t len = kread_len(kr, flexible, true, INT32_MAX);

    if (len >= 0) {
        b.ptr = kr->p;
        b.len = len;
        kr->p += len;
    }
    return b;
}

int32_t
kread_array(kread_t *kr, bool flexible, size_t min_elem_size)
{
    int64_t n;

    /* every protocol type takes at least one byte */
    if (min_elem_size == 0)
        min_elem_size = 1;
    if (flexible)
        n = (int64_t)kread_uvarint(kr) - 1;
    else
        n = kread_i32(kr);
    if (kr->err)
        return 0;
    if (n == -1)
        return -1;
    if (n < -1 || (uint64_t)n > kread_left(kr) / min_elem_size) {
        kread_fail(kr);
        return 0;
    }
    return (int32_t)n;
}

uint32_t
kread_tag(kread_t *kr, kread_t *field)
{
    uint32_t tag = kread_uvarint(kr);
    uint32_t size = kread_uvarint(kr);
    const uint8_t *p = kread_raw(kr, size);

    kread_init(field, p, p ? size : 0);
    field->err = kr->err;
    return tag;
}

void
kread_tags(kread_t *kr)
{
    uint32_t n = kread_uvarint(kr);

    for (uint32_t i = 0; i < n && !kr->err; i++) {
        kread_t field;

        (void)kread_tag(kr, &field);
    }
}

char *
kstr_dup(kstr_t s)
{
    if (s.len < 0 || s.ptr == NULL)
        return NULL;
    return xstrndup(s.ptr, (size_t)s.len);
}

bool
kstr_eq(kstr_t s, const char *cstr)
{
    size_t n;

    if (s.len < 0 || cstr == NULL)
        return s.len < 0 && cstr == NULL;
    n = strlen(cstr);
    return n == (size_t)s.len && memcmp(s.ptr, cstr, n) == 0;
}
