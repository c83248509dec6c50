/*
 * p_describecluster: codec for DescribeCluster (key 60), version 0.
 *
 * Spec: Kafka 2.8.0 DescribeClusterRequest.json /
 * DescribeClusterResponse.json (KIP-700); flexible from v0.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and
 * ignore trailing bytes, as Kafka does. Pure functions; any thread.
 */
#ifndef SAMSA_P_DESCRIBECLUSTER_H
#define SAMSA_P_DESCRIBECLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct describecluster_req {
    bool include_cluster_authorized_operations;
} describecluster_req_t;

typedef struct describecluster_resp_broker {
    int32_t broker_id;
    kstr_t host;
    int32_t port;
    kstr_t rack; /* nullable */
} describecluster_resp_broker_t;

typedef struct describecluster_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    kstr_t error_message; /* nullable */
    kstr_t cluster_id;
    int32_t controller_id; /* -1 if unknown */
    int32_t nbrokers;
    describecluster_resp_broker_t *brokers;
    int32_t cluster_authorized_operations; /* INT32_MIN if not requested */
} describecluster_resp_t;

int p_describecluster_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 describecluster_req_t *req);
void p_describecluster_req_encode(kwrite_t *kw, int16_t version,
                                  const describecluster_req_t *req);
int p_describecluster_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                  describecluster_resp_t *resp);
void p_describecluster_resp_encode(kwrite_t *kw, int16_t version,
                                   const describecluster_resp_t *resp);

#endif
