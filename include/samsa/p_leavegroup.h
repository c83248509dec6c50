/*
 * p_leavegroup: codec for LeaveGroup (key 13), versions 0-4.
 *
 * Spec: Kafka 2.8.0 LeaveGroupRequest.json / LeaveGroupResponse.json; flexible from
 * v4.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_LEAVEGROUP_H
#define SAMSA_P_LEAVEGROUP_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct leavegroup_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* nullable */
    int16_t error_code;       /* response only */
} leavegroup_member_t;

typedef struct leavegroup_req {
    kstr_t group_id;
    kstr_t member_id; /* v0-2 */
    int32_t nmembers; /* v3+ (batch leave, KIP-345) */
    leavegroup_member_t *members;
} leavegroup_req_t;

typedef struct leavegroup_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    int32_t nmembers; /* v3+ */
    leavegroup_member_t *members;
} leavegroup_resp_t;

int p_leavegroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                            leavegroup_req_t *req);
void p_leavegroup_req_encode(kwrite_t *kw, int16_t version,
                             const leavegroup_req_t *req);
int p_leavegroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                             leavegroup_resp_t *resp);
void p_leavegroup_resp_encode(kwrite_t *kw, int16_t version,
                              const leavegroup_resp_t *resp);

#endif
