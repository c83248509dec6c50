/*
 * p_fetch: codec for Fetch (key 1), versions 4-12.
 *
 * Spec: Kafka 2.8.0 FetchRequest.json / FetchResponse.json; KIP-227 (v7
 * fetch sessions), KIP-320 (v9 leader epoch), KIP-392 (v11 rack, preferred
 * read replica), KIP-595 (v12 flexible, last fetched epoch, diverging
 * epoch). samsa stores record batch magic 2 only, so v0-3 are not served.
 *
 * Decoded strings and records are views into the input and arrays come
 * from @ar: the struct is valid while both are. Decoders return 0 or
 * ERR_PROTO, ignore trailing bytes (as Kafka does) and fill absent fields
 * with their defaults. Encoders skip fields the version lacks; tagged
 * fields are written only when they differ from their defaults. Pure
 * functions; any thread.
 */
#ifndef SAMSA_P_FETCH_H
#define SAMSA_P_FETCH_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct fetch_req_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v9+, default -1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* v12+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    int32_t partition_max_bytes;
} fetch_req_partition_t;

typedef struct fetch_req_topic {
    kstr_t topic;
    int32_t npartitions;
    fetch_req_partition_t *partitions;
} fetch_req_topic_t;

typedef struct fetch_req_forgotten {
    kstr_t topic;
    int32_t npartitions;
    int32_t *partitions;
} fetch_req_forgotten_t;

typedef struct fetch_req {
    kstr_t cluster_id; /* v12+ tagged (tag 0), nullable, default null */
    int32_t replica_id;
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;      /* default 0x7fffffff (v3+) */
    int8_t isolation_level; /* default 0 */
    int32_t session_id;     /* v7+, default 0 */
    int32_t session_epoch;  /* v7+, default -1 */
    int32_t ntopics;
    fetch_req_topic_t *topics;
    int32_t nforgotten_topics_data; /* v7+, default empty */
    fetch_req_forgotten_t *forgotten_topics_data;
    kstr_t rack_id; /* v11+, default "" */
} fetch_req_t;

typedef struct fetch_resp_aborted {
    int64_t producer_id;
    int64_t first_offset;
} fetch_resp_aborted_t;

typedef struct fetch_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    /* v12+ tagged (tag 0): DivergingEpoch, defaults -1 */
    struct {
        int32_t epoch;
        int64_t end_offset;
    } diverging_epoch;
    /* v12+ tagged (tag 1): CurrentLeader, defaults -1 */
    struct {
        int32_t leader_id;
        int32_t leader_epoch;
    } current_leader;
    /* v12+ tagged (tag 2): SnapshotId, defaults -1 */
    struct {
        int64_t end_offset;
        int32_t epoch;
    } snapshot_id;
    int32_t naborted_transactions; /* nullable: -1 = null */
    fetch_resp_aborted_t *aborted_transactions;
    int32_t preferred_read_replica; /* v11+, default -1 */
    /*
     * The record data: when records_file.fd >= 0 the encoder sends that
     * file range (kwrite_file, which takes over the reference) and ignores
     * @records; otherwise it sends @records (len -1 = null). Decoders fill
     * @records and set records_file.fd = -1.
     */
    kbytes_t records;
    fslice_t records_file;
} fetch_resp_partition_t;

typedef struct fetch_resp_topic {
    kstr_t topic;
    int32_t npartitions;
    fetch_resp_partition_t *partitions;
} fetch_resp_topic_t;

typedef struct fetch_resp {
    int32_t throttle_time_ms;
    int16_t error_code; /* v7+, default 0 */
    int32_t session_id; /* v7+, default 0 */
    int32_t nresponses;
    fetch_resp_topic_t *responses;
} fetch_resp_t;

int p_fetch_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                       fetch_req_t *req);
void p_fetch_req_encode(kwrite_t *kw, int16_t version, const fetch_req_t *req);
int p_fetch_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                        fetch_resp_t *resp);
/*
 * Encodes @resp. Every partition with records_file.fd >= 0 hands its file
 * reference to @kw (released by kwrite_fini), so encode such a response
 * once. records_file.len must fit in an int32.
 */
void p_fetch_resp_encode(kwrite_t *kw, int16_t version,
                         const fetch_resp_t *resp);

/* sets a partition's fields to their defaults (records null, no file) */
void p_fetch_resp_partition_init(fetch_resp_partition_t *part);

#endif
