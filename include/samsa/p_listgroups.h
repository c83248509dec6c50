/*
 * p_listgroups: codec for ListGroups (key 16), versions 0-4.
 *
 * Spec: Kafka 2.8.0 ListGroupsRequest.json / ListGroupsResponse.json; flexible from
 * v3.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_LISTGROUPS_H
#define SAMSA_P_LISTGROUPS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct listgroups_req {
    int32_t nstates_filter; /* v4+ (KIP-518) */
    kstr_t *states_filter;
} listgroups_req_t;

typedef struct listgroups_group {
    kstr_t group_id;
    kstr_t protocol_type;
    kstr_t group_state; /* v4+ */
} listgroups_group_t;

typedef struct listgroups_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    int32_t ngroups;
    listgroups_group_t *groups;
} listgroups_resp_t;

int p_listgroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                            listgroups_req_t *req);
void p_listgroups_req_encode(kwrite_t *kw, int16_t version,
                             const listgroups_req_t *req);
int p_listgroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                             listgroups_resp_t *resp);
void p_listgroups_resp_encode(kwrite_t *kw, int16_t version,
                              const listgroups_resp_t *resp);

#endif
