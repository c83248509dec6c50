/*
 * p_joingroup: codec for JoinGroup (key 11), versions 0-7.
 *
 * Spec: Kafka 2.8.0 JoinGroupRequest.json / JoinGroupResponse.json
 * (KIP-394 member id required v4+, KIP-345 group instance id v5+);
 * flexible from v6.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_JOINGROUP_H
#define SAMSA_P_JOINGROUP_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct joingroup_protocol {
    kstr_t name;
    kbytes_t metadata;
} joingroup_protocol_t;

typedef struct joingroup_req {
    kstr_t group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+, -1 before */
    kstr_t member_id;
    kstr_t group_instance_id; /* v5+, nullable */
    kstr_t protocol_type;
    int32_t nprotocols;
    joingroup_protocol_t *protocols;
} joingroup_req_t;

typedef struct joingroup_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* v5+, nullable */
    kbytes_t metadata;
} joingroup_member_t;

typedef struct joingroup_resp {
    int32_t throttle_time_ms; /* v2+ */
    int16_t error_code;
    int32_t generation_id;
    kstr_t protocol_type; /* v7+, nullable */
    kstr_t protocol_name; /* nullable v7+ */
    kstr_t leader;
    kstr_t member_id;
    int32_t nmembers;
    joingroup_member_t *members;
} joingroup_resp_t;

int p_joingroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                           joingroup_req_t *req);
void p_joingroup_req_encode(kwrite_t *kw, int16_t version,
                            const joingroup_req_t *req);
int p_joingroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                            joingroup_resp_t *resp);
void p_joingroup_resp_encode(kwrite_t *kw, int16_t version,
                             const joingroup_resp_t *resp);

#endif
