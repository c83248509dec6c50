/*
 * p_group_int.h: helpers shared by the group codecs (p_joingroup.c,
 * p_syncgroup.c, p_describegroups.c, ...) on top of p_int.h. Not a public
 * interface.
 */
#ifndef SAMSA_P_GROUP_INT_H
#define SAMSA_P_GROUP_INT_H

#include "p_int.h"

/* a non-nullable BYTES / COMPACT_BYTES (null is malformed) */
static inline kbytes_t
p_rd_bytes(kread_t *kr, bool flex)
{
    kbytes_t b = kread_bytes(kr, flex);

    if (b.len < 0) {
        kread_fail(kr);
        b.ptr = NULL;
        b.len = 0;
    }
    return b;
}

/* a nullable string field present from version @since on (null before) */
static inline kstr_t
p_rd_nstr_since(kread_t *kr, bool flex, int16_t version, int16_t since)
{
    return version >= since ? kread_str(kr, flex) : p_str_null();
}

static inline void
p_wr_nstr_since(kwrite_t *kw, kstr_t s, bool flex, int16_t version,
                int16_t since)
{
    if (version >= since)
        kwrite_str(kw, s, flex);
}

#endif
