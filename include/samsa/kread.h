/*
 * kread: reader for Kafka protocol primitives, with a sticky error flag.
 *
 * Spec: Kafka protocol guide, "Protocol Primitive Types". All integers are
 * big-endian; VARINT/VARLONG are zigzag; UNSIGNED_VARINT is plain LEB128;
 * COMPACT_* lengths are N+1 (0 = null). A read past the end, a negative
 * length other than -1 (null), or an array count that could not fit in the
 * bytes left sets kr->err and makes every later read return zero/empty.
 * Decoders check kr->err once at the end.
 *
 * Strings and bytes are views into the input (not NUL-terminated), valid as
 * long as the input is. Not thread-safe; one reader per decode.
 */
#ifndef SAMSA_KREAD_H
#define SAMSA_KREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kread {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
    int err;            /* 0, or ERR_PROTO once anything failed */
} kread_t;

/* a string view; len == -1 means null */
typedef struct kstr {
    const char *ptr;
    int32_t len;
} kstr_t;

/* a bytes view; len == -1 means null */
typedef struct kbytes {
    const uint8_t *ptr;
    int32_t len;
} kbytes_t;

void kread_init(kread_t *kr, const void *data, size_t len);
/* sets the sticky error (ERR_PROTO) and empties the reader */
void kread_fail(kread_t *kr);
static inline size_t
kread_left(const kread_t *kr)
{
    return (size_t)(kr->end - kr->p);
}

int8_t kread_i8(kread_t *kr);
int16_t kread_i16(kread_t *kr);
int32_t kread_i32(kread_t *kr);
int64_t kread_i64(kread_t *kr);
uint32_t kread_u32(kread_t *kr);
bool kread_bool(kread_t *kr);
double kread_f64(kread_t *kr);
int32_t kread_varint(kread_t *kr);   /* zigzag */
int64_t kread_varlong(kread_t *kr);  /* zigzag */
uint32_t kread_uvarint(kread_t *kr); /* unsigned, max 5 bytes */
/* 16-byte UUID copied into @out */
void kread_uuid(kread_t *kr, uint8_t out[16]);

/* STRING/NULLABLE_STRING (int16 length), or COMPACT_* when @flexible */
kstr_t kread_str(kread_t *kr, bool flexible);
/* BYTES/NULLABLE_BYTES (int32 length), or COMPACT_* when @flexible */
kbytes_t kread_bytes(kread_t *kr, bool flexible);
/*
 * Array length: int32, or COMPACT (uvarint N+1) when @flexible. Returns -1
 * for null. Sets the error if count * @min_elem_size exceeds the bytes left,
 * so callers may allocate count elements safely.
 */
int32_t kread_array(kread_t *kr, bool flexible, size_t min_elem_size);
/* skips a tagged-field section (uvarint count, then tag/size/bytes) */
void kread_tags(kread_t *kr);
/*
 * For decoders that read some tags: after n = kread_uvarint(kr), call this
 * n times (while !kr->err). Reads one field's tag and size, points @field
 * at its bytes (a reader of its own) and advances @kr past them. Returns
 * the tag; unknown tags are simply not looked at.
 */
uint32_t kread_tag(kread_t *kr, kread_t *field);
/* returns a pointer to the next @n bytes and advances, or NULL on error */
const uint8_t *kread_raw(kread_t *kr, size_t n);

/* a NUL-terminated copy of @s (null -> NULL) in malloc'd memory */
char *kstr_dup(kstr_t s);
/* compare a view with a C string */
bool kstr_eq(kstr_t s, const char *cstr);

#endif
