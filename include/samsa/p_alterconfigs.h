/*
 * p_alterconfigs: codecs for AlterConfigs (key 33), versions 0-2, and
 * IncrementalAlterConfigs (key 44), versions 0-1.
 *
 * Spec: Kafka 2.8.0 AlterConfigsRequest.json / AlterConfigsResponse.json
 * (v2 flexible) and IncrementalAlterConfigsRequest.json /
 * IncrementalAlterConfigsResponse.json (KIP-339, v1 flexible). Both
 * responses have the same layout; one struct serves them.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and
 * ignore trailing bytes (as Kafka does). Pure functions; any thread.
 */
#ifndef SAMSA_P_ALTERCONFIGS_H
#define SAMSA_P_ALTERCONFIGS_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* IncrementalAlterConfigs' ConfigOperation (KIP-339) */
enum {
    ALTERCONFIGS_OP_SET = 0,
    ALTERCONFIGS_OP_DELETE = 1,
    ALTERCONFIGS_OP_APPEND = 2,
    ALTERCONFIGS_OP_SUBTRACT = 3,
};

typedef struct alterconfigs_req_config {
    kstr_t name;
    int8_t config_operation; /* incremental only; 0 (SET) for AlterConfigs */
    kstr_t value;            /* nullable */
} alterconfigs_req_config_t;

typedef struct alterconfigs_req_resource {
    int8_t resource_type; /* 2 topic, 4 broker, 8 broker logger */
    kstr_t resource_name;
    int32_t nconfigs;
    alterconfigs_req_config_t *configs;
} alterconfigs_req_resource_t;

typedef struct alterconfigs_req {
    int32_t nresources;
    alterconfigs_req_resource_t *resources;
    bool validate_only;
} alterconfigs_req_t;

typedef struct alterconfigs_resp_response {
    int16_t error_code;
    kstr_t error_message; /* nullable */
    int8_t resource_type;
    kstr_t resource_name;
} alterconfigs_resp_response_t;

typedef struct alterconfigs_resp {
    int32_t throttle_time_ms;
    int32_t nresponses;
    alterconfigs_resp_response_t *responses;
} alterconfigs_resp_t;

/* AlterConfigs (33) */
int p_alterconfigs_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                              alterconfigs_req_t *req);
void p_alterconfigs_req_encode(kwrite_t *kw, int16_t version,
                               const alterconfigs_req_t *req);
int p_alterconfigs_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                               alterconfigs_resp_t *resp);
void p_alterconfigs_resp_encode(kwrite_t *kw, int16_t version,
                                const alterconfigs_resp_t *resp);

/* IncrementalAlterConfigs (44): same structs, config_operation on the wire */
int p_incrementalalterconfigs_req_decode(kread_t *kr, int16_t version,
                                         arena_t *ar, alterconfigs_req_t *req);
void p_incrementalalterconfigs_req_encode(kwrite_t *kw, int16_t version,
                                          const alterconfigs_req_t *req);
int p_incrementalalterconfigs_resp_decode(kread_t *kr, int16_t version,
                                          arena_t *ar,
                                          alterconfigs_resp_t *resp);
void p_incrementalalterconfigs_resp_encode(kwrite_t *kw, int16_t version,
                                           const alterconfigs_resp_t *resp);

#endif
