/*
 * p_offsetfetch: codec for OffsetFetch (key 9), versions 0-7.
 *
 * Spec: Kafka 2.8.0 OffsetFetchRequest.json / OffsetFetchResponse.json; flexible from
 * v6.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_OFFSETFETCH_H
#define SAMSA_P_OFFSETFETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct offsetfetch_req_topic {
    kstr_t name;
    int32_t npartition_indexes;
    int32_t *partition_indexes;
} offsetfetch_req_topic_t;

typedef struct offsetfetch_req {
    kstr_t group_id;
    int32_t ntopics; /* -1: null = every partition (v2+) */
    offsetfetch_req_topic_t *topics;
    bool require_stable; /* v7+ */
} offsetfetch_req_t;

typedef struct offsetfetch_resp_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v5+, -1 before */
    kstr_t metadata;                /* nullable */
    int16_t error_code;
} offsetfetch_resp_partition_t;

typedef struct offsetfetch_resp_topic {
    kstr_t name;
    int32_t npartitions;
    offsetfetch_resp_partition_t *partitions;
} offsetfetch_resp_topic_t;

typedef struct offsetfetch_resp {
    int32_t throttle_time_ms; /* v3+ */
    int32_t ntopics;
    offsetfetch_resp_topic_t *topics;
    int16_t error_code; /* v2+ */
} offsetfetch_resp_t;

int p_offsetfetch_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             offsetfetch_req_t *req);
void p_offsetfetch_req_encode(kwrite_t *kw, int16_t version,
                              const offsetfetch_req_t *req);
int p_offsetfetch_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              offsetfetch_resp_t *resp);
void p_offsetfetch_resp_encode(kwrite_t *kw, int16_t version,
                               const offsetfetch_resp_t *resp);

#endif
