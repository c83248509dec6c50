/*
 * p_alterisr: codec for AlterIsr (key 56), version 0 (KIP-497).
 *
 * Spec: Kafka 2.8.0 AlterIsrRequest.json / AlterIsrResponse.json; v0 is
 * flexible. A partition leader asks the controller to change the ISR of
 * the partitions it leads, naming its leader epoch and the version of the
 * partition-state znode it last saw; the answer carries, per partition,
 * an error or the committed leader, epoch, ISR and znode version.
 *
 * Decoded strings are views into the input and arrays come from @ar: the
 * struct is valid while both are. Decoders return 0 or ERR_PROTO, ignore
 * trailing bytes. Pure functions; any thread.
 */
#ifndef SAMSA_P_ALTERISR_H
#define SAMSA_P_ALTERISR_H

#include <stdint.h>

#include "samsa/arena.h"
#include "samsa/kread.h"
#include "samsa/kwrite.h"

typedef struct alterisr_req_partition {
    int32_t partition_index;
    int32_t leader_epoch;
    int32_t nnew_isr;
    int32_t *new_isr;
    int32_t current_isr_version;
} alterisr_req_partition_t;

typedef struct alterisr_req_topic {
    kstr_t name;
    int32_t npartitions;
    alterisr_req_partition_t *partitions;
} alterisr_req_topic_t;

typedef struct alterisr_req {
    int32_t broker_id;
    int64_t broker_epoch; /* default -1 */
    int32_t ntopics;
    alterisr_req_topic_t *topics;
} alterisr_req_t;

typedef struct alterisr_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t nisr;
    int32_t *isr;
    int32_t current_isr_version;
} alterisr_resp_partition_t;

typedef struct alterisr_resp_topic {
    kstr_t name;
    int32_t npartitions;
    alterisr_resp_partition_t *partitions;
} alterisr_resp_topic_t;

typedef struct alterisr_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    int32_t ntopics;
    alterisr_resp_topic_t *topics;
} alterisr_resp_t;

int p_alterisr_req_decode(kread_t *kr, int16_t version, arena_t *ar,
                          alterisr_req_t *req);
void p_alterisr_req_encode(kwrite_t *kw, int16_t version,
                           const alterisr_req_t *req);
int p_alterisr_resp_decode(kread_t *kr, int16_t version, arena_t *ar,
                           alterisr_resp_t *resp);
void p_alterisr_resp_encode(kwrite_t *kw, int16_t version,
                            const alterisr_resp_t *resp);

#endif
