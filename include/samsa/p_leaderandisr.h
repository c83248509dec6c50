/*
 * p_leaderandisr: codec for LeaderAndIsr (key 4), versions 0-5.
 *
 * Spec: Kafka 2.8.0 LeaderAndIsrRequest.json / LeaderAndIsrResponse.json.
 * v1 adds is_new, v2 adds broker_epoch and groups partitions by topic, v3
 * adds adding/removing replicas, v4 is flexible, v5 adds type and topic ids
 * (KIP-516) and groups the response's partition errors by topic id.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes and fill absent fields with their defaults. Encoders skip
 * fields the version lacks (so a v2+ request must fill @topic_states and a
 * v0-1 one @ungrouped_partition_states). Pure functions; any thread.
 */
#ifndef SAMSA_P_LEADERANDISR_H
#define SAMSA_P_LEADERANDISR_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct leaderandisr_partition_state {
    kstr_t topic_name; /* v0-1 only (ungrouped states) */
    int32_t partition_index;
    int32_t controller_epoch;
    int32_t leader;
    int32_t leader_epoch;
    int32_t nisr;
    int32_t *isr;
    int32_t zk_version;
    int32_t nreplicas;
    int32_t *replicas;
    int32_t nadding_replicas; /* v3+, default empty */
    int32_t *adding_replicas;
    int32_t nremoving_replicas; /* v3+, default empty */
    int32_t *removing_replicas;
    bool is_new; /* v1+, default false */
} leaderandisr_partition_state_t;

typedef struct leaderandisr_topic_state {
    kstr_t topic_name;
    uint8_t topic_id[16]; /* v5+, default zero */
    int32_t npartition_states;
    leaderandisr_partition_state_t *partition_states;
} leaderandisr_topic_state_t;

typedef struct leaderandisr_live_leader {
    int32_t broker_id;
    kstr_t host_name;
    int32_t port;
} leaderandisr_live_leader_t;

typedef struct leaderandisr_req {
    int32_t controller_id;
    int32_t controller_epoch;
    int64_t broker_epoch;                /* v2+, default -1 */
    int8_t type;                         /* v5+, default 0 */
    int32_t nungrouped_partition_states; /* v0-1 */
    leaderandisr_partition_state_t *ungrouped_partition_states;
    int32_t ntopic_states; /* v2+ */
    leaderandisr_topic_state_t *topic_states;
    int32_t nlive_leaders;
    leaderandisr_live_leader_t *live_leaders;
} leaderandisr_req_t;

typedef struct leaderandisr_partition_error {
    kstr_t topic_name; /* v0-4 */
    int32_t partition_index;
    int16_t error_code;
} leaderandisr_partition_error_t;

typedef struct leaderandisr_resp_topic {
    uint8_t topic_id[16];
    int32_t npartition_errors;
    leaderandisr_partition_error_t *partition_errors;
} leaderandisr_resp_topic_t;

typedef struct leaderandisr_resp {
    int16_t error_code;
    int32_t npartition_errors; /* v0-4 */
    leaderandisr_partition_error_t *partition_errors;
    int32_t ntopics; /* v5+ */
    leaderandisr_resp_topic_t *topics;
} leaderandisr_resp_t;

int p_leaderandisr_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              leaderandisr_req_t *req);
void p_leaderandisr_req_encode(kwrite_t *kw, int16_t version,
                               const leaderandisr_req_t *req);
int p_leaderandisr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               leaderandisr_resp_t *resp);
void p_leaderandisr_resp_encode(kwrite_t *kw, int16_t version,
                                const leaderandisr_resp_t *resp);

#endif
