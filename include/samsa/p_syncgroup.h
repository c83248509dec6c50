/*
 * p_syncgroup: codec for SyncGroup (key 14), versions 0-5.
 *
 * Spec: Kafka 2.8.0 SyncGroupRequest.json / SyncGroupResponse.json; flexible from
 * v4.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_SYNCGROUP_H
#define SAMSA_P_SYNCGROUP_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct syncgroup_assignment {
    kstr_t member_id;
    kbytes_t assignment;
} syncgroup_assignment_t;

typedef struct syncgroup_req {
    kstr_t group_id;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id; /* v3+, nullable */
    kstr_t protocol_type;     /* v5+, nullable */
    kstr_t protocol_name;     /* v5+, nullable */
    int32_t nassignments;
    syncgroup_assignment_t *assignments;
} syncgroup_req_t;

typedef struct syncgroup_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    kstr_t protocol_type; /* v5+, nullable */
    kstr_t protocol_name; /* v5+, nullable */
    kbytes_t assignment;
} syncgroup_resp_t;

int p_syncgroup_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                           syncgroup_req_t *req);
void p_syncgroup_req_encode(kwrite_t *kw, int16_t version,
                            const syncgroup_req_t *req);
int p_syncgroup_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                            syncgroup_resp_t *resp);
void p_syncgroup_resp_encode(kwrite_t *kw, int16_t version,
                             const syncgroup_resp_t *resp);

#endif
