/*
 * p_offsetforleaderepoch: codec for OffsetForLeaderEpoch (key 23),
 * versions 0-4.
 *
 * Spec: Kafka 2.8.0 OffsetForLeaderEpochRequest.json /
 * OffsetForLeaderEpochResponse.json; KIP-101 (v0), KIP-279 (v1: the
 * answer names its epoch), KIP-320 (v2: current leader epoch, throttle
 * time), v3 replica id (-2 for a consumer, the broker id for a follower),
 * v4 flexible.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes and fill absent fields with their defaults. Encoders
 * skip fields the version lacks. Pure functions; any thread.
 */
#ifndef SAMSA_P_OFFSETFORLEADEREPOCH_H
#define SAMSA_P_OFFSETFORLEADEREPOCH_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* Kafka's OffsetsForLeaderEpochRequest.CONSUMER_REPLICA_ID */
#define OFLE_CONSUMER_REPLICA_ID (-2)

typedef struct ofle_req_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v2+, default -1 */
    int32_t leader_epoch;
} ofle_req_partition_t;

typedef struct ofle_req_topic {
    kstr_t topic;
    int32_t npartitions;
    ofle_req_partition_t *partitions;
} ofle_req_topic_t;

typedef struct ofle_req {
    int32_t replica_id; /* v3+, default -2 */
    int32_t ntopics;
    ofle_req_topic_t *topics;
} ofle_req_t;

typedef struct ofle_resp_partition {
    int16_t error_code;
    int32_t partition;
    int32_t leader_epoch; /* v1+, default -1 */
    int64_t end_offset;   /* default -1 */
} ofle_resp_partition_t;

typedef struct ofle_resp_topic {
    kstr_t topic;
    int32_t npartitions;
    ofle_resp_partition_t *partitions;
} ofle_resp_topic_t;

typedef struct ofle_resp {
    int32_t throttle_time_ms; /* v2+, default 0 */
    int32_t ntopics;
    ofle_resp_topic_t *topics;
} ofle_resp_t;

int p_offsetforleaderepoch_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                      ofle_req_t *req);
void p_offsetforleaderepoch_req_encode(kwrite_t *kw, int16_t version,
                                       const ofle_req_t *req);
int p_offsetforleaderepoch_resp_decode(kread_t *kr, int16_t version,
                                       arena_t *ar, ofle_resp_t *resp);
void p_offsetforleaderepoch_resp_encode(kwrite_t *kw, int16_t version,
                                        const ofle_resp_t *resp);

#endif
