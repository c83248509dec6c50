/*
 * p_describegroups: codec for DescribeGroups (key 15), versions 0-5.
 *
 * Spec: Kafka 2.8.0 DescribeGroupsRequest.json / DescribeGroupsResponse.json; flexible from
 * v5.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_DESCRIBEGROUPS_H
#define SAMSA_P_DESCRIBEGROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct describegroups_req {
    int32_t ngroups;
    kstr_t *groups;
    bool include_authorized_operations; /* v3+ */
} describegroups_req_t;

typedef struct describegroups_member {
    kstr_t member_id;
    kstr_t group_instance_id; /* v4+, nullable */
    kstr_t client_id;
    kstr_t client_host;
    kbytes_t member_metadata;
    kbytes_t member_assignment;
} describegroups_member_t;

typedef struct describegroups_group {
    int16_t error_code;
    kstr_t group_id;
    kstr_t group_state;
    kstr_t protocol_type;
    kstr_t protocol_data;
    int32_t nmembers;
    describegroups_member_t *members;
    int32_t authorized_operations; /* v3+, INT32_MIN before */
} describegroups_group_t;

typedef struct describegroups_resp {
    int32_t throttle_time_ms; /* v1+ */
    int32_t ngroups;
    describegroups_group_t *groups;
} describegroups_resp_t;

int p_describegroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                describegroups_req_t *req);
void p_describegroups_req_encode(kwrite_t *kw, int16_t version,
                                 const describegroups_req_t *req);
int p_describegroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 describegroups_resp_t *resp);
void p_describegroups_resp_encode(kwrite_t *kw, int16_t version,
                                  const describegroups_resp_t *resp);

#endif
