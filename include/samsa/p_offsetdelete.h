/*
 * p_offsetdelete: codec for OffsetDelete (key 47), version 0.
 *
 * Spec: Kafka 2.8.0 OffsetDeleteRequest.json / OffsetDeleteResponse.json
 * (KIP-496); no flexible version.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_OFFSETDELETE_H
#define SAMSA_P_OFFSETDELETE_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* Kafka's key; kapi.h does not list it yet */
#define P_OFFSETDELETE_KEY 47

typedef struct offsetdelete_partition {
    int32_t partition_index;
    int16_t error_code; /* response only */
} offsetdelete_partition_t;

typedef struct offsetdelete_topic {
    kstr_t name;
    int32_t npartitions;
    offsetdelete_partition_t *partitions;
} offsetdelete_topic_t;

typedef struct offsetdelete_req {
    kstr_t group_id;
    int32_t ntopics;
    offsetdelete_topic_t *topics;
} offsetdelete_req_t;

typedef struct offsetdelete_resp {
    int16_t error_code;
    int32_t throttle_time_ms;
    int32_t ntopics;
    offsetdelete_topic_t *topics;
} offsetdelete_resp_t;

int p_offsetdelete_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              offsetdelete_req_t *req);
void p_offsetdelete_req_encode(kwrite_t *kw, int16_t version,
                               const offsetdelete_req_t *req);
int p_offsetdelete_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               offsetdelete_resp_t *resp);
void p_offsetdelete_resp_encode(kwrite_t *kw, int16_t version,
                                const offsetdelete_resp_t *resp);

#endif
