/*
 * p_createpartitions: codec for CreatePartitions (key 37), versions 0-3.
 *
 * Spec: Kafka 2.8.0 CreatePartitionsRequest.json /
 * CreatePartitionsResponse.json. v1 only changes throttling behaviour, v2
 * is flexible, v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and
 * ignore trailing bytes, as Kafka does. Pure functions; any thread.
 */
#ifndef SAMSA_P_CREATEPARTITIONS_H
#define SAMSA_P_CREATEPARTITIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct createpartitions_req_assignment {
    int32_t nbroker_ids;
    int32_t *broker_ids;
} createpartitions_req_assignment_t;

typedef struct createpartitions_req_topic {
    kstr_t name;
    int32_t count;
    int32_t nassignments; /* nullable: -1 = null (automatic placement) */
    createpartitions_req_assignment_t *assignments;
} createpartitions_req_topic_t;

typedef struct createpartitions_req {
    int32_t ntopics;
    createpartitions_req_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only;
} createpartitions_req_t;

typedef struct createpartitions_resp_result {
    kstr_t name;
    int16_t error_code;
    kstr_t error_message; /* nullable */
} createpartitions_resp_result_t;

typedef struct createpartitions_resp {
    int32_t throttle_time_ms;
    int32_t nresults;
    createpartitions_resp_result_t *results;
} createpartitions_resp_t;

int p_createpartitions_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                  createpartitions_req_t *req);
void p_createpartitions_req_encode(kwrite_t *kw, int16_t version,
                                   const createpartitions_req_t *req);
int p_createpartitions_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                   createpartitions_resp_t *resp);
void p_createpartitions_resp_encode(kwrite_t *kw, int16_t version,
                                    const createpartitions_resp_t *resp);

#endif
