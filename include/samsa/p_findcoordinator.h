/*
 * p_findcoordinator: codec for FindCoordinator (key 10), versions 0-3.
 *
 * Spec: Kafka 2.8.0 FindCoordinatorRequest.json / FindCoordinatorResponse.json
 * (KIP-98 key type v1+); flexible from v3.
 *
 * Decoded strings are views into the input: the struct is valid while the
 * input is. Decoders return 0 or ERR_PROTO and ignore trailing bytes, as
 * Kafka does. Pure functions; any thread.
 */
#ifndef SAMSA_P_FINDCOORDINATOR_H
#define SAMSA_P_FINDCOORDINATOR_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct findcoordinator_req {
    kstr_t key;
    int8_t key_type; /* v1+: 0 group, 1 transaction */
} findcoordinator_req_t;

typedef struct findcoordinator_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    kstr_t error_message; /* v1+, nullable */
    int32_t node_id;
    kstr_t host;
    int32_t port;
} findcoordinator_resp_t;

int p_findcoordinator_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 findcoordinator_req_t *req);
void p_findcoordinator_req_encode(kwrite_t *kw, int16_t version,
                                  const findcoordinator_req_t *req);
int p_findcoordinator_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                  findcoordinator_resp_t *resp);
void p_findcoordinator_resp_encode(kwrite_t *kw, int16_t version,
                                   const findcoordinator_resp_t *resp);

#endif
