/*
 * p_updatemetadata: codec for UpdateMetadata (key 6), versions 0-7.
 *
 * Spec: Kafka 2.8.0 UpdateMetadataRequest.json / UpdateMetadataResponse.json.
 * v1 replaces v0's host/port with endpoints, v2 adds the rack, v3 the
 * listener name, v4 offline replicas, v5 adds broker_epoch and groups
 * partitions by topic, v6 is flexible, v7 adds topic ids. The response is
 * an error code in every version.
 *
 * samsa extension (flexible versions only, ignored by Kafka as an unknown
 * tag): a topic state may carry the topic's configuration overrides from
 * /config/topics/<t> in tagged field UPDATEMETADATA_TAG_TOPIC_CONFIGS, a
 * COMPACT_ARRAY of {COMPACT_STRING key, COMPACT_STRING value, tags}, so
 * brokers apply topic-level log settings without reading ZooKeeper.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes and fill absent fields with their defaults. Encoders skip
 * fields the version lacks (a v5+ request must fill @topic_states, a v0-4
 * one @ungrouped_partition_states). Pure functions; any thread.
 */
#ifndef SAMSA_P_UPDATEMETADATA_H
#define SAMSA_P_UPDATEMETADATA_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

#define UPDATEMETADATA_TAG_TOPIC_CONFIGS 10000u

typedef struct updatemetadata_partition_state {
    kstr_t topic_name; /* v0-4 only (ungrouped states) */
    int32_t partition_index;
    int32_t controller_epoch;
    int32_t leader; /* -2: the topic is being deleted */
    int32_t leader_epoch;
    int32_t nisr;
    int32_t *isr;
    int32_t zk_version;
    int32_t nreplicas;
    int32_t *replicas;
    int32_t noffline_replicas; /* v4+, default empty */
    int32_t *offline_replicas;
} updatemetadata_partition_state_t;

typedef struct updatemetadata_config {
    kstr_t key;
    kstr_t value;
} updatemetadata_config_t;

typedef struct updatemetadata_topic_state {
    kstr_t topic_name;
    uint8_t topic_id[16]; /* v7+, default zero */
    int32_t npartition_states;
    updatemetadata_partition_state_t *partition_states;
    int32_t nconfigs; /* samsa tag, v6+, default empty */
    updatemetadata_config_t *configs;
} updatemetadata_topic_state_t;

typedef struct updatemetadata_endpoint {
    int32_t port;
    kstr_t host;
    kstr_t listener; /* v3+, default "" */
    int16_t security_protocol;
} updatemetadata_endpoint_t;

typedef struct updatemetadata_broker {
    int32_t id;
    kstr_t v0_host;     /* v0 only */
    int32_t v0_port;    /* v0 only */
    int32_t nendpoints; /* v1+ */
    updatemetadata_endpoint_t *endpoints;
    kstr_t rack; /* v2+, nullable, default null */
} updatemetadata_broker_t;

typedef struct updatemetadata_req {
    int32_t controller_id;
    int32_t controller_epoch;
    int64_t broker_epoch;                /* v5+, default -1 */
    int32_t nungrouped_partition_states; /* v0-4 */
    updatemetadata_partition_state_t *ungrouped_partition_states;
    int32_t ntopic_states; /* v5+ */
    updatemetadata_topic_state_t *topic_states;
    int32_t nlive_brokers;
    updatemetadata_broker_t *live_brokers;
} updatemetadata_req_t;

typedef struct updatemetadata_resp {
    int16_t error_code;
} updatemetadata_resp_t;

int p_updatemetadata_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                                updatemetadata_req_t *req);
void p_updatemetadata_req_encode(kwrite_t *kw, int16_t version,
                                 const updatemetadata_req_t *req);
int p_updatemetadata_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                                 updatemetadata_resp_t *resp);
void p_updatemetadata_resp_encode(kwrite_t *kw, int16_t version,
                                  const updatemetadata_resp_t *resp);

#endif
