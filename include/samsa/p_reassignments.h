/*
 * p_reassignments: codecs for AlterPartitionReassignments (key 45) and
 * ListPartitionReassignments (key 46), version 0 (KIP-455).
 *
 * Spec: Kafka 2.8.0 AlterPartitionReassignments{Request,Response}.json and
 * ListPartitionReassignments{Request,Response}.json; v0 is flexible. In an
 * alter request, null replicas cancel the partition's reassignment; in a
 * list request, null topics ask for every reassignment in progress.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_REASSIGNMENTS_H
#define SAMSA_P_REASSIGNMENTS_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

/* ---- AlterPartitionReassignments ---- */
typedef struct apr_req_partition {
    int32_t partition_index;
    int32_t nreplicas; /* -1: null (cancel) */
    int32_t *replicas;
} apr_req_partition_t;

typedef struct apr_req_topic {
    kstr_t name;
    int32_t npartitions;
    apr_req_partition_t *partitions;
} apr_req_topic_t;

typedef struct apr_req {
    int32_t timeout_ms;
    int32_t ntopics;
    apr_req_topic_t *topics;
} apr_req_t;

typedef struct apr_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    kstr_t error_message; /* nullable */
} apr_resp_partition_t;

typedef struct apr_resp_topic {
    kstr_t name;
    int32_t npartitions;
    apr_resp_partition_t *partitions;
} apr_resp_topic_t;

typedef struct apr_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    kstr_t error_message; /* nullable */
    int32_t nresponses;
    apr_resp_topic_t *responses;
} apr_resp_t;

int p_apr_req_decode(kread_t *kr, int16_t version, arena_t *ar, apr_req_t *req);
void p_apr_req_encode(kwrite_t *kw, int16_t version, const apr_req_t *req);
int p_apr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                      apr_resp_t *resp);
void p_apr_resp_encode(kwrite_t *kw, int16_t version, const apr_resp_t *resp);

/* ---- ListPartitionReassignments ---- */
typedef struct lpr_req_topic {
    kstr_t name;
    int32_t npartition_indexes;
    int32_t *partition_indexes;
} lpr_req_topic_t;

typedef struct lpr_req {
    int32_t timeout_ms;
    int32_t ntopics; /* -1: null (every reassignment) */
    lpr_req_topic_t *topics;
} lpr_req_t;

typedef struct lpr_resp_partition {
    int32_t partition_index;
    int32_t nreplicas;
    int32_t *replicas;
    int32_t nadding_replicas;
    int32_t *adding_replicas;
    int32_t nremoving_replicas;
    int32_t *removing_replicas;
} lpr_resp_partition_t;

typedef struct lpr_resp_topic {
    kstr_t name;
    int32_t npartitions;
    lpr_resp_partition_t *partitions;
} lpr_resp_topic_t;

typedef struct lpr_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    kstr_t error_message; /* nullable */
    int32_t ntopics;
    lpr_resp_topic_t *topics;
} lpr_resp_t;

int p_lpr_req_decode(kread_t *kr, int16_t version, arena_t *ar, lpr_req_t *req);
void p_lpr_req_encode(kwrite_t *kw, int16_t version, const lpr_req_t *req);
int p_lpr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                      lpr_resp_t *resp);
void p_lpr_resp_encode(kwrite_t *kw, int16_t version, const lpr_resp_t *resp);

#endif
