/*
 * p_heartbeat: codec for Heartbeat (key 12), versions 0-4.
 *
 * Spec: Kafka 2.8.0 HeartbeatRequest.json / HeartbeatResponse.json; flexible from
 * v4.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_HEARTBEAT_H
#define SAMSA_P_HEARTBEAT_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct heartbeat_req {
    kstr_t group_id;
    int32_t generation_id;
    kstr_t member_id;
    kstr_t group_instance_id; /* v3+, nullable */
} heartbeat_req_t;

typedef struct heartbeat_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
} heartbeat_resp_t;

int p_heartbeat_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                           heartbeat_req_t *req);
void p_heartbeat_req_encode(kwrite_t *kw, int16_t version,
                            const heartbeat_req_t *req);
int p_heartbeat_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                            heartbeat_resp_t *resp);
void p_heartbeat_resp_encode(kwrite_t *kw, int16_t version,
                             const heartbeat_resp_t *resp);

#endif
