/*
 * p_electleaders: codec for ElectLeaders (key 43), versions 0-2 (KIP-183,
 * KIP-460).
 *
 * Spec: Kafka 2.8.0 ElectLeadersRequest.json / ElectLeadersResponse.json;
 * v1 adds the election type and the top-level error code, v2 is flexible.
 * A null topic list asks for every partition of the cluster.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_ELECTLEADERS_H
#define SAMSA_P_ELECTLEADERS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* ElectionType */
#define ELECTION_PREFERRED 0
#define ELECTION_UNCLEAN 1

typedef struct electleaders_req_topic {
    kstr_t topic;
    int32_t npartitions;
    int32_t *partitions;
} electleaders_req_topic_t;

typedef struct electleaders_req {
    int8_t election_type;      /* v1+; v0 is preferred */
    int32_t ntopic_partitions; /* -1: null (every partition) */
    electleaders_req_topic_t *topic_partitions;
    int32_t timeout_ms;
} electleaders_req_t;

typedef struct electleaders_resp_partition {
    int32_t partition_id;
    int16_t error_code;
    kstr_t error_message; /* nullable */
} electleaders_resp_partition_t;

typedef struct electleaders_resp_topic {
    kstr_t topic;
    int32_t npartition_result;
    electleaders_resp_partition_t *partition_result;
} electleaders_resp_topic_t;

typedef struct electleaders_resp {
    int32_t throttle_time_ms;
    int16_t error_code; /* v1+ */
    int32_t nreplica_election_results;
    electleaders_resp_topic_t *replica_election_results;
} electleaders_resp_t;

int p_electleaders_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              electleaders_req_t *req);
void p_electleaders_req_encode(kwrite_t *kw, int16_t version,
                               const electleaders_req_t *req);
int p_electleaders_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               electleaders_resp_t *resp);
void p_electleaders_resp_encode(kwrite_t *kw, int16_t version,
                                const electleaders_resp_t *resp);

#endif
