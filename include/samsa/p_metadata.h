/*
 * p_metadata: codec for Metadata (key 3), versions 0-11.
 *
 * Spec: Kafka 2.8.0 MetadataRequest.json / MetadataResponse.json. v1 adds
 * null topics (= all), rack, controller and is_internal; v2 cluster_id; v3
 * throttle time; v4 allow_auto_topic_creation; v5 offline replicas; v7
 * leader epoch; v8 authorized operations; v9 flexible; v10 topic ids; v11
 * drops the cluster authorized operations (KIP-700).
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes (as Kafka does) and fill fields absent from the version
 * with their defaults. Encoders skip fields the version lacks. Arrays are
 * `n<name>` + pointer; a nullable array uses n = -1 for null. Pure
 * functions; any thread.
 */
#ifndef SAMSA_P_METADATA_H
#define SAMSA_P_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct metadata_req_topic {
    uint8_t topic_id[16]; /* v10+, default zero */
    kstr_t name;          /* nullable in v10+ */
} metadata_req_topic_t;

typedef struct metadata_req {
    /*
     * v0: non-nullable, empty = every topic. v1+: null (-1) = every topic,
     * empty = none. Encoding v0 writes a null array as empty.
     */
    int32_t ntopics;
    metadata_req_topic_t *topics;
    bool allow_auto_topic_creation;             /* v4+, default true */
    bool include_cluster_authorized_operations; /* v8-10, default false */
    bool include_topic_authorized_operations;   /* v8+, default false */
} metadata_req_t;

typedef struct metadata_resp_broker {
    int32_t node_id;
    kstr_t host;
    int32_t port;
    kstr_t rack; /* v1+, nullable, default null */
} metadata_resp_broker_t;

typedef struct metadata_resp_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* v7+, default -1 */
    int32_t nreplica_nodes;
    int32_t *replica_nodes;
    int32_t nisr_nodes;
    int32_t *isr_nodes;
    int32_t noffline_replicas; /* v5+, default empty */
    int32_t *offline_replicas;
} metadata_resp_partition_t;

typedef struct metadata_resp_topic {
    int16_t error_code;
    kstr_t name;
    uint8_t topic_id[16]; /* v10+, default zero */
    bool is_internal;     /* v1+, default false */
    int32_t npartitions;
    metadata_resp_partition_t *partitions;
    int32_t topic_authorized_operations; /* v8+, default INT32_MIN */
} metadata_resp_topic_t;

typedef struct metadata_resp {
    int32_t throttle_time_ms; /* v3+, default 0 */
    int32_t nbrokers;
    metadata_resp_broker_t *brokers;
    kstr_t cluster_id;     /* v2+, nullable, default null */
    int32_t controller_id; /* v1+, default -1 */
    int32_t ntopics;
    metadata_resp_topic_t *topics;
    int32_t cluster_authorized_operations; /* v8-10, default INT32_MIN */
} metadata_resp_t;

int p_metadata_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          metadata_req_t *req);
void p_metadata_req_encode(kwrite_t *kw, int16_t version,
                           const metadata_req_t *req);
int p_metadata_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           metadata_resp_t *resp);
void p_metadata_resp_encode(kwrite_t *kw, int16_t version,
                            const metadata_resp_t *resp);

/* true if @req (decoded at @version) asks for every topic */
bool p_metadata_req_all_topics(const metadata_req_t *req, int16_t version);

#endif
