/*
 * p_stopreplica: codec for StopReplica (key 5), versions 0-3.
 *
 * Spec: Kafka 2.8.0 StopReplicaRequest.json / StopReplicaResponse.json.
 * v1 adds broker_epoch and groups partitions by topic, v2 is flexible, v3
 * moves delete_partitions into per-partition states with the leader epoch
 * (KIP-570).
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes and fill absent fields with their defaults. Encoders skip
 * fields the version lacks (v0 uses @ungrouped_partitions, v1-2 @topics,
 * v3 @topic_states). Pure functions; any thread.
 */
#ifndef SAMSA_P_STOPREPLICA_H
#define SAMSA_P_STOPREPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct stopreplica_partition_v0 {
    kstr_t topic_name;
    int32_t partition_index;
} stopreplica_partition_v0_t;

typedef struct stopreplica_topic_v1 {
    kstr_t name;
    int32_t npartition_indexes;
    int32_t *partition_indexes;
} stopreplica_topic_v1_t;

typedef struct stopreplica_partition_state {
    int32_t partition_index;
    int32_t leader_epoch; /* default -1 */
    bool delete_partition;
} stopreplica_partition_state_t;

typedef struct stopreplica_topic_state {
    kstr_t topic_name;
    int32_t npartition_states;
    stopreplica_partition_state_t *partition_states;
} stopreplica_topic_state_t;

typedef struct stopreplica_req {
    int32_t controller_id;
    int32_t controller_epoch;
    int64_t broker_epoch;          /* v1+, default -1 */
    bool delete_partitions;        /* v0-2 */
    int32_t nungrouped_partitions; /* v0 */
    stopreplica_partition_v0_t *ungrouped_partitions;
    int32_t ntopics; /* v1-2 */
    stopreplica_topic_v1_t *topics;
    int32_t ntopic_states; /* v3+ */
    stopreplica_topic_state_t *topic_states;
} stopreplica_req_t;

typedef struct stopreplica_partition_error {
    kstr_t topic_name;
    int32_t partition_index;
    int16_t error_code;
} stopreplica_partition_error_t;

typedef struct stopreplica_resp {
    int16_t error_code;
    int32_t npartition_errors;
    stopreplica_partition_error_t *partition_errors;
} stopreplica_resp_t;

int p_stopreplica_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             stopreplica_req_t *req);
void p_stopreplica_req_encode(kwrite_t *kw, int16_t version,
                              const stopreplica_req_t *req);
int p_stopreplica_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              stopreplica_resp_t *resp);
void p_stopreplica_resp_encode(kwrite_t *kw, int16_t version,
                               const stopreplica_resp_t *resp);

#endif
