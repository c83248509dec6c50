/*
 * varint.c: decoding of Kafka's base-128 varints (see varint.h).
 *
 * Encoders are inline in the header. Decoders are strict: a 32-bit value
 * takes at most 5 bytes and the fifth may carry only 4 value bits (32 =
 * 4 * 7 + 4); a 64-bit value takes at most 10 bytes and the tenth may
 * carry only 1 bit (64 = 9 * 7 + 1). Anything longer is ERR_CORRUPT, so
 * a reader never loops over an unbounded run of continuation bytes.
 */
#include "samsa/varint.h"

#include "samsa/err.h"

int
varint_decode_u32(const uint8_t *p, size_t len, uint32_t *out)
{
    uint32_t v = 0;

    if (len > 0 && p[0] < 0x80) {
        *out = p[0];
        return 1;
    }
    for (size_t i = 0; i < VARINT_MAX32; i++) {
        uint8_t b;

        if (i >= len)
            return ERR_AGAIN;
        b = p[i];
        if (i == VARINT_MAX32 - 1 && b > 0x0f)
            return ERR_CORRUPT;
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *out = v;
            return (int)i + 1;
        }
    }
    return ERR_CORRUPT; /* not reached: the fifth byte check above */
}

int
varint_decode_u64(const uint8_t *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len > 0 && p[0] < 0x80) {
        *out = p[0];
        return 1;
    }
    for (size_t i = 0; i < VARINT_MAX64; i++) {
        uint8_t b;

        if (i >= len)
            return ERR_AGAIN;
        b = p[i];
        if (i == VARINT_MAX64 - 1 && b > 0x01)
            return ERR_CORRUPT;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *out = v;
            return (int)i + 1;
        }
    }
    return ERR_CORRUPT;
}

int
varint_decode_i32(const uint8_t *p, size_t len, int32_t *out)
{
    uint32_t u;
    int n = varint_decode_u32(p, len, &u);

    if (n > 0)
        *out = varint_unzigzag32(u);
    return n;
}

int
varint_decode_i64(const uint8_t *p, size_t len, int64_t *out)
{
    uint64_t u;
    int n = varint_decode_u64(p, len, &u);

    if (n > 0)
        *out = varint_unzigzag64(u);
    return n;
}
