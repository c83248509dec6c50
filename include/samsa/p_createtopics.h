/*
 * p_createtopics: codec for CreateTopics (key 19), versions 0-7.
 *
 * Spec: Kafka 2.8.0 CreateTopicsRequest.json / CreateTopicsResponse.json;
 * KIP-464 (v4 defaults), KIP-525 (v5 flexible, configs in the response),
 * KIP-599 (v6), KIP-516 (v7 topic id in the response). v1 adds
 * validate_only and error_message, v2 throttle time.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes (as Kafka does) and fill absent fields with their
 * defaults. Encoders skip fields the version lacks; the tagged field is
 * written only when not 0. Pure functions; any thread.
 */
#ifndef SAMSA_P_CREATETOPICS_H
#define SAMSA_P_CREATETOPICS_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct createtopics_req_assignment {
    int32_t partition_index;
    int32_t nbroker_ids;
    int32_t *broker_ids;
} createtopics_req_assignment_t;

typedef struct createtopics_req_config {
    kstr_t name;
    kstr_t value; /* nullable */
} createtopics_req_config_t;

typedef struct createtopics_req_topic {
    kstr_t name;
    int32_t num_partitions;     /* -1: default or manual assignment */
    int16_t replication_factor; /* -1: default or manual assignment */
    int32_t nassignments;
    createtopics_req_assignment_t *assignments;
    int32_t nconfigs;
    createtopics_req_config_t *configs;
} createtopics_req_topic_t;

typedef struct createtopics_req {
    int32_t ntopics;
    createtopics_req_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only; /* v1+, default false */
} createtopics_req_t;

typedef struct createtopics_resp_config {
    kstr_t name;
    kstr_t value; /* nullable */
    bool read_only;
    int8_t config_source; /* default -1 */
    bool is_sensitive;
} createtopics_resp_config_t;

typedef struct createtopics_resp_topic {
    kstr_t name;
    uint8_t topic_id[16]; /* v7+, default zero */
    int16_t error_code;
    kstr_t error_message;            /* v1+, nullable, default "" */
    int16_t topic_config_error_code; /* v5+ tagged (tag 0), default 0 */
    int32_t num_partitions;          /* v5+, default -1 */
    int16_t replication_factor;      /* v5+, default -1 */
    int32_t nconfigs;                /* v5+, nullable, default empty */
    createtopics_resp_config_t *configs;
} createtopics_resp_topic_t;

typedef struct createtopics_resp {
    int32_t throttle_time_ms; /* v2+, default 0 */
    int32_t ntopics;
    createtopics_resp_topic_t *topics;
} createtopics_resp_t;

int p_createtopics_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              createtopics_req_t *req);
void p_createtopics_req_encode(kwrite_t *kw, int16_t version,
                               const createtopics_req_t *req);
int p_createtopics_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               createtopics_resp_t *resp);
void p_createtopics_resp_encode(kwrite_t *kw, int16_t version,
                                const createtopics_resp_t *resp);

#endif
