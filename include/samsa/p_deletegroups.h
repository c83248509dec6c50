/*
 * p_deletegroups: codec for DeleteGroups (key 42), versions 0-2.
 *
 * Spec: Kafka 2.8.0 DeleteGroupsRequest.json / DeleteGroupsResponse.json; flexible from
 * v2.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_DELETEGROUPS_H
#define SAMSA_P_DELETEGROUPS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct deletegroups_req {
    int32_t ngroups_names;
    kstr_t *groups_names;
} deletegroups_req_t;

typedef struct deletegroups_result {
    kstr_t group_id;
    int16_t error_code;
} deletegroups_result_t;

typedef struct deletegroups_resp {
    int32_t throttle_time_ms;
    int32_t nresults;
    deletegroups_result_t *results;
} deletegroups_resp_t;

int p_deletegroups_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              deletegroups_req_t *req);
void p_deletegroups_req_encode(kwrite_t *kw, int16_t version,
                               const deletegroups_req_t *req);
int p_deletegroups_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               deletegroups_resp_t *resp);
void p_deletegroups_resp_encode(kwrite_t *kw, int16_t version,
                                const deletegroups_resp_t *resp);

#endif
