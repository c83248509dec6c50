/*
 * p_controlledshutdown: codec for ControlledShutdown (key 7), versions 0-3.
 *
 * Spec: Kafka 2.8.0 ControlledShutdownRequest.json / ...Response.json.
 * v2 adds broker_epoch, v3 is flexible; the response is the same in every
 * version.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes and fill absent fields with their defaults. Pure
 * functions; any thread.
 */
#ifndef SAMSA_P_CONTROLLEDSHUTDOWN_H
#define SAMSA_P_CONTROLLEDSHUTDOWN_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct controlledshutdown_req {
    int32_t broker_id;
    int64_t broker_epoch; /* v2+, default -1 */
} controlledshutdown_req_t;

typedef struct controlledshutdown_remaining {
    kstr_t topic_name;
    int32_t partition_index;
} controlledshutdown_remaining_t;

typedef struct controlledshutdown_resp {
    int16_t error_code;
    int32_t nremaining_partitions;
    controlledshutdown_remaining_t *remaining_partitions;
} controlledshutdown_resp_t;

int p_controlledshutdown_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                    controlledshutdown_req_t *req);
void p_controlledshutdown_req_encode(kwrite_t *kw, int16_t version,
                                     const controlledshutdown_req_t *req);
int p_controlledshutdown_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                     controlledshutdown_resp_t *resp);
void p_controlledshutdown_resp_encode(kwrite_t *kw, int16_t version,
                                      const controlledshutdown_resp_t *resp);

#endif
