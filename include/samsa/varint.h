/*
 * varint: variable-length integers as Kafka encodes them.
 *
 * Spec: Kafka protocol guide, "Protocol Primitive Types" (UNSIGNED_VARINT,
 * VARINT, VARLONG) and KIP-98's record format: little-endian base-128
 * groups of 7 bits, high bit = "more follows" (protobuf's encoding);
 * VARINT/VARLONG are zigzag-mapped first (0, -1, 1, -2 ... -> 0, 1, 2, 3).
 *
 * Owns only the byte-level encoding; kread/kwrite build the sticky-error
 * reader and the growable writer on top. Pure functions, thread-safe.
 *
 * Encoders write into a caller buffer that has room for VARINT_MAX32 /
 * VARINT_MAX64 bytes and return the count written. Decoders read at most
 * @len bytes and return the count consumed (> 0), ERR_AGAIN when the input
 * ends inside the number, or ERR_CORRUPT when it is overlong: more than 5
 * (10) bytes, or a last byte carrying bits above 32 (64).
 */
#ifndef SAMSA_VARINT_H
#define SAMSA_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX32 5  /* ceil(32 / 7) */
#define VARINT_MAX64 10 /* ceil(64 / 7) */

static inline uint32_t
varint_zigzag32(int32_t v)
{
    return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

static inline int32_t
varint_unzigzag32(uint32_t v)
{
    return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

static inline uint64_t
varint_zigzag64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
varint_unzigzag64(uint64_t v)
{
    return (int64_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* bytes needed for an unsigned 32/64-bit value */
static inline size_t
varint_size_u32(uint32_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline size_t
varint_size_u64(uint64_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline size_t
varint_size_i32(int32_t v)
{
    return varint_size_u32(varint_zigzag32(v));
}

static inline size_t
varint_size_i64(int64_t v)
{
    return varint_size_u64(varint_zigzag64(v));
}

/* @out has room for VARINT_MAX32 bytes; returns bytes written */
static inline size_t
varint_encode_u32(uint8_t *out, uint32_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* @out has room for VARINT_MAX64 bytes; returns bytes written */
static inline size_t
varint_encode_u64(uint8_t *out, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

static inline size_t
varint_encode_i32(uint8_t *out, int32_t v)
{
    return varint_encode_u32(out, varint_zigzag32(v));
}

static inline size_t
varint_encode_i64(uint8_t *out, int64_t v)
{
    return varint_encode_u64(out, varint_zigzag64(v));
}

/* see the file comment for the return values */
int varint_decode_u32(const uint8_t *p, size_t len, uint32_t *out);
int varint_decode_u64(const uint8_t *p, size_t len, uint64_t *out);
int varint_decode_i32(const uint8_t *p, size_t len, int32_t *out);
int varint_decode_i64(const uint8_t *p, size_t len, int64_t *out);

#endif
