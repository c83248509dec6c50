/*
 * p_listoffsets: codec for ListOffsets (key 2), versions 0-6.
 *
 * Spec: Kafka 2.8.0 ListOffsetsRequest.json / ListOffsetsResponse.json.
 * v0 asks for up to max_num_offsets offsets and answers old_style_offsets;
 * v1+ answer one (timestamp, offset); v2 isolation level and throttle
 * time; v4 leader epochs; v6 flexible.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes (as Kafka does) and fill absent fields with their
 * defaults. Encoders skip fields the version lacks. Pure functions; any
 * thread.
 */
#ifndef SAMSA_P_LISTOFFSETS_H
#define SAMSA_P_LISTOFFSETS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct listoffsets_req_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+, default -1 */
    int64_t timestamp;            /* -1 latest, -2 earliest */
    int32_t max_num_offsets;      /* v0 only, default 1 */
} listoffsets_req_partition_t;

typedef struct listoffsets_req_topic {
    kstr_t name;
    int32_t npartitions;
    listoffsets_req_partition_t *partitions;
} listoffsets_req_topic_t;

typedef struct listoffsets_req {
    int32_t replica_id;
    int8_t isolation_level; /* v2+, default 0 */
    int32_t ntopics;
    listoffsets_req_topic_t *topics;
} listoffsets_req_t;

typedef struct listoffsets_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    int32_t nold_style_offsets; /* v0 only, default empty */
    int64_t *old_style_offsets;
    int64_t timestamp;    /* v1+, default -1 */
    int64_t offset;       /* v1+, default -1 */
    int32_t leader_epoch; /* v4+, default -1 */
} listoffsets_resp_partition_t;

typedef struct listoffsets_resp_topic {
    kstr_t name;
    int32_t npartitions;
    listoffsets_resp_partition_t *partitions;
} listoffsets_resp_topic_t;

typedef struct listoffsets_resp {
    int32_t throttle_time_ms; /* v2+, default 0 */
    int32_t ntopics;
    listoffsets_resp_topic_t *topics;
} listoffsets_resp_t;

int p_listoffsets_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             listoffsets_req_t *req);
void p_listoffsets_req_encode(kwrite_t *kw, int16_t version,
                              const listoffsets_req_t *req);
int p_listoffsets_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              listoffsets_resp_t *resp);
void p_listoffsets_resp_encode(kwrite_t *kw, int16_t version,
                               const listoffsets_resp_t *resp);

#endif
