/*
 * p_describeconfigs: codec for DescribeConfigs (key 32), versions 0-4.
 *
 * Spec: Kafka 2.8.0 DescribeConfigsRequest.json /
 * DescribeConfigsResponse.json; KIP-226 (v1 synonyms and config source),
 * KIP-569 (v3 documentation and type), v4 flexible. v0 has is_default
 * instead of config_source.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes (as Kafka does) and fill absent fields with their
 * defaults. Encoders skip fields the version lacks. Pure functions; any
 * thread.
 */
#ifndef SAMSA_P_DESCRIBECONFIGS_H
#define SAMSA_P_DESCRIBECONFIGS_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct describeconfigs_req_resource {
    int8_t resource_type; /* 2 topic, 4 broker, 8 broker logger */
    kstr_t resource_name;
    int32_t nconfiguration_keys; /* nullable: -1 = every key */
    kstr_t *configuration_keys;
} describeconfigs_req_resource_t;

typedef struct describeconfigs_req {
    int32_t nresources;
    describeconfigs_req_resource_t *resources;
    bool include_synonyms;      /* v1+, default false */
    bool include_documentation; /* v3+, default false */
} describeconfigs_req_t;

typedef struct describeconfigs_resp_synonym {
    kstr_t name;
    kstr_t value; /* nullable */
    int8_t source;
} describeconfigs_resp_synonym_t;

typedef struct describeconfigs_resp_config {
    kstr_t name;
    kstr_t value; /* nullable */
    bool read_only;
    bool is_default;      /* v0 only, default false */
    int8_t config_source; /* v1+, default -1 */
    bool is_sensitive;
    int32_t nsynonyms; /* v1+, default empty */
    describeconfigs_resp_synonym_t *synonyms;
    int8_t config_type;   /* v3+, default 0 */
    kstr_t documentation; /* v3+, nullable, default "" */
} describeconfigs_resp_config_t;

typedef struct describeconfigs_resp_result {
    int16_t error_code;
    kstr_t error_message; /* nullable */
    int8_t resource_type;
    kstr_t resource_name;
    int32_t nconfigs;
    describeconfigs_resp_config_t *configs;
} describeconfigs_resp_result_t;

typedef struct describeconfigs_resp {
    int32_t throttle_time_ms;
    int32_t nresults;
    describeconfigs_resp_result_t *results;
} describeconfigs_resp_t;

int p_describeconfigs_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 describeconfigs_req_t *req);
void p_describeconfigs_req_encode(kwrite_t *kw, int16_t version,
                                  const describeconfigs_req_t *req);
int p_describeconfigs_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                  describeconfigs_resp_t *resp);
void p_describeconfigs_resp_encode(kwrite_t *kw, int16_t version,
                                   const describeconfigs_resp_t *resp);

#endif
