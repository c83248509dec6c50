/*
 * p_deletetopics: codec for DeleteTopics (key 20), versions 0-6.
 *
 * Spec: Kafka 2.8.0 DeleteTopicsRequest.json / DeleteTopicsResponse.json.
 * v1 adds throttle time, v4 is flexible, v5 adds error_message (KIP-599),
 * v6 replaces topic_names with topics (name or id, KIP-516).
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes (as Kafka does) and fill absent fields with their
 * defaults. Encoders skip fields the version lacks (so a v6 request must
 * fill @topics and a v0-5 one @topic_names). Pure functions; any thread.
 */
#ifndef SAMSA_P_DELETETOPICS_H
#define SAMSA_P_DELETETOPICS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct deletetopics_req_topic {
    kstr_t name; /* nullable, default null */
    uint8_t topic_id[16];
} deletetopics_req_topic_t;

typedef struct deletetopics_req {
    int32_t ntopics; /* v6+, default empty */
    deletetopics_req_topic_t *topics;
    int32_t ntopic_names; /* v0-5, default empty */
    kstr_t *topic_names;
    int32_t timeout_ms;
} deletetopics_req_t;

typedef struct deletetopics_resp_topic {
    kstr_t name;          /* nullable in v6+ */
    uint8_t topic_id[16]; /* v6+, default zero */
    int16_t error_code;
    kstr_t error_message; /* v5+, nullable, default null */
} deletetopics_resp_topic_t;

typedef struct deletetopics_resp {
    int32_t throttle_time_ms; /* v1+, default 0 */
    int32_t nresponses;
    deletetopics_resp_topic_t *responses;
} deletetopics_resp_t;

int p_deletetopics_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              deletetopics_req_t *req);
void p_deletetopics_req_encode(kwrite_t *kw, int16_t version,
                               const deletetopics_req_t *req);
int p_deletetopics_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               deletetopics_resp_t *resp);
void p_deletetopics_resp_encode(kwrite_t *kw, int16_t version,
                                const deletetopics_resp_t *resp);

#endif
