/*
 * p_offsetcommit: codec for OffsetCommit (key 8), versions 0-8.
 *
 * Spec: Kafka 2.8.0 OffsetCommitRequest.json / OffsetCommitResponse.json; flexible from
 * v8.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_OFFSETCOMMIT_H
#define SAMSA_P_OFFSETCOMMIT_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct offsetcommit_req_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+, -1 before */
    int64_t commit_timestamp;       /* v1 only, -1 otherwise */
    kstr_t committed_metadata;      /* nullable */
} offsetcommit_req_partition_t;

typedef struct offsetcommit_req_topic {
    kstr_t name;
    int32_t npartitions;
    offsetcommit_req_partition_t *partitions;
} offsetcommit_req_topic_t;

typedef struct offsetcommit_req {
    kstr_t group_id;
    int32_t generation_id;     /* v1+, -1 before */
    kstr_t member_id;          /* v1+, "" before */
    kstr_t group_instance_id;  /* v7+, nullable */
    int64_t retention_time_ms; /* v2-4, -1 otherwise */
    int32_t ntopics;
    offsetcommit_req_topic_t *topics;
} offsetcommit_req_t;

typedef struct offsetcommit_resp_partition {
    int32_t partition_index;
    int16_t error_code;
} offsetcommit_resp_partition_t;

typedef struct offsetcommit_resp_topic {
    kstr_t name;
    int32_t npartitions;
    offsetcommit_resp_partition_t *partitions;
} offsetcommit_resp_topic_t;

typedef struct offsetcommit_resp {
    int32_t throttle_time_ms; /* v3+ */
    int32_t ntopics;
    offsetcommit_resp_topic_t *topics;
} offsetcommit_resp_t;

int p_offsetcommit_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              offsetcommit_req_t *req);
void p_offsetcommit_req_encode(kwrite_t *kw, int16_t version,
                               const offsetcommit_req_t *req);
int p_offsetcommit_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               offsetcommit_resp_t *resp);
void p_offsetcommit_resp_encode(kwrite_t *kw, int16_t version,
                                const offsetcommit_resp_t *resp);

#endif
