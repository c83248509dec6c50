/*
 * p_produce: codec for Produce (key 0), versions 3-9.
 *
 * Spec: Kafka 2.8.0 ProduceRequest.json / ProduceResponse.json. samsa
 * stores record batch magic 2 only, so v0-2 are not served (DESIGN.md 7).
 * v5 adds log_start_offset, v8 record errors and error_message, v9 is
 * flexible.
 *
 * Decoded strings and records are views into the input and arrays come
 * from @ar: the struct is valid while both are. The records view points
 * into the request frame, which the caller owns and may modify: the broker
 * rewrites base offsets (and, for LogAppendTime, timestamps and CRCs) in
 * place before appending. Decoders return 0 or ERR_PROTO, ignore trailing
 * bytes (as Kafka does) and fill absent fields with their defaults.
 * Encoders skip fields the version lacks. Pure functions; any thread.
 */
#ifndef SAMSA_P_PRODUCE_H
#define SAMSA_P_PRODUCE_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct produce_req_partition {
    int32_t index;
    kbytes_t records; /* nullable (len -1) */
} produce_req_partition_t;

typedef struct produce_req_topic {
    kstr_t name;
    int32_t npartition_data;
    produce_req_partition_t *partition_data;
} produce_req_topic_t;

typedef struct produce_req {
    kstr_t transactional_id; /* nullable */
    int16_t acks;
    int32_t timeout_ms;
    int32_t ntopic_data;
    produce_req_topic_t *topic_data;
} produce_req_t;

typedef struct produce_resp_record_error {
    int32_t batch_index;
    kstr_t batch_index_error_message; /* nullable, default null */
} produce_resp_record_error_t;

typedef struct produce_resp_partition {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    int32_t nrecord_errors;     /* v8+, default empty */
    produce_resp_record_error_t *record_errors;
    kstr_t error_message; /* v8+, nullable, default null */
} produce_resp_partition_t;

typedef struct produce_resp_topic {
    kstr_t name;
    int32_t npartition_responses;
    produce_resp_partition_t *partition_responses;
} produce_resp_topic_t;

typedef struct produce_resp {
    int32_t nresponses;
    produce_resp_topic_t *responses;
    int32_t throttle_time_ms;
} produce_resp_t;

int p_produce_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                         produce_req_t *req);
void p_produce_req_encode(kwrite_t *kw, int16_t version,
                          const produce_req_t *req);
int p_produce_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                          produce_resp_t *resp);
void p_produce_resp_encode(kwrite_t *kw, int16_t version,
                           const produce_resp_t *resp);

#endif
