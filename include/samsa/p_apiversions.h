/*
 * p_apiversions: codec for ApiVersions (key 18), versions 0-3.
 *
 * Spec: Kafka 2.8.0 ApiVersionsRequest.json / ApiVersionsResponse.json;
 * KIP-511 (v3: client software name/version, flexible). Body only; the
 * request/response headers are khdr's. Note that Kafka always sends the
 * ApiVersions response with header v0, even for v3.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO and ignore
 * trailing bytes, as Kafka does. Encoders skip fields the version lacks.
 * Pure functions; any thread.
 */
#ifndef SAMSA_P_APIVERSIONS_H
#define SAMSA_P_APIVERSIONS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct apiversions_req {
    kstr_t client_software_name;    /* v3+, default "" */
    kstr_t client_software_version; /* v3+, default "" */
} apiversions_req_t;

typedef struct apiversions_resp_key {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
} apiversions_resp_key_t;

/*
 * The v3 tagged fields SupportedFeatures (0), FinalizedFeaturesEpoch (1)
 * and FinalizedFeatures (2) are never sent and skipped when decoded.
 */
typedef struct apiversions_resp {
    int16_t error_code;
    int32_t napi_keys;
    apiversions_resp_key_t *api_keys;
    int32_t throttle_time_ms; /* v1+, default 0 */
} apiversions_resp_t;

int p_apiversions_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                             apiversions_req_t *req);
void p_apiversions_req_encode(kwrite_t *kw, int16_t version,
                              const apiversions_req_t *req);
int p_apiversions_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                              apiversions_resp_t *resp);
void p_apiversions_resp_encode(kwrite_t *kw, int16_t version,
                               const apiversions_resp_t *resp);

#endif
