/*
 * p_deleterecords: codec for DeleteRecords (key 21), versions 0-2.
 *
 * Spec: Kafka 2.8.0 DeleteRecordsRequest.json / DeleteRecordsResponse.json
 * (KIP-107). v1 is v0 (throttling before answering changed, not the
 * layout); v2 is flexible (KIP-482). Offset -1 in a request means the
 * partition's high watermark.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and
 * ignore trailing bytes (as Kafka does). Pure functions; any thread.
 */
#ifndef SAMSA_P_DELETERECORDS_H
#define SAMSA_P_DELETERECORDS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct deleterecords_req_partition {
    int32_t partition_index;
    int64_t offset; /* delete below this; -1 = high watermark */
} deleterecords_req_partition_t;

typedef struct deleterecords_req_topic {
    kstr_t name;
    int32_t npartitions;
    deleterecords_req_partition_t *partitions;
} deleterecords_req_topic_t;

typedef struct deleterecords_req {
    int32_t ntopics;
    deleterecords_req_topic_t *topics;
    int32_t timeout_ms;
} deleterecords_req_t;

typedef struct deleterecords_resp_partition {
    int32_t partition_index;
    int64_t low_watermark;
    int16_t error_code;
} deleterecords_resp_partition_t;

typedef struct deleterecords_resp_topic {
    kstr_t name;
    int32_t npartitions;
    deleterecords_resp_partition_t *partitions;
} deleterecords_resp_topic_t;

typedef struct deleterecords_resp {
    int32_t throttle_time_ms;
    int32_t ntopics;
    deleterecords_resp_topic_t *topics;
} deleterecords_resp_t;

int p_deleterecords_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                               deleterecords_req_t *req);
void p_deleterecords_req_encode(kwrite_t *kw, int16_t version,
                                const deleterecords_req_t *req);
int p_deleterecords_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                deleterecords_resp_t *resp);
void p_deleterecords_resp_encode(kwrite_t *kw, int16_t version,
                                 const deleterecords_resp_t *resp);

#endif
