/*
 * kapi: the table of Kafka APIs samsa serves and their version ranges.
 *
 * Spec: DESIGN.md section 7 -- the ranges of Apache Kafka 2.8.0, except that
 * Produce starts at v3 and Fetch at v4 (only record batch magic 2 is
 * stored). first_flexible is the first version using compact strings and
 * arrays, tagged fields and request header v2 / response header v1 (-1:
 * never). The dispatch table and the ApiVersions response are built from
 * this table so the advertised ranges cannot drift from the codecs.
 *
 * Immutable data; safe from any thread.
 */
#ifndef SAMSA_KAPI_H
#define SAMSA_KAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* API keys, Kafka's names (protocol guide "Api Keys") */
enum kapi_key {
    API_PRODUCE = 0,
    API_FETCH = 1,
    API_LIST_OFFSETS = 2,
    API_METADATA = 3,
    API_LEADER_AND_ISR = 4,
    API_STOP_REPLICA = 5,
    API_UPDATE_METADATA = 6,
    API_CONTROLLED_SHUTDOWN = 7,
    API_OFFSET_COMMIT = 8,
    API_OFFSET_FETCH = 9,
    API_FIND_COORDINATOR = 10,
    API_JOIN_GROUP = 11,
    API_HEARTBEAT = 12,
    API_LEAVE_GROUP = 13,
    API_SYNC_GROUP = 14,
    API_DESCRIBE_GROUPS = 15,
    API_LIST_GROUPS = 16,
    API_SASL_HANDSHAKE = 17,
    API_API_VERSIONS = 18,
    API_CREATE_TOPICS = 19,
    API_DELETE_TOPICS = 20,
    API_DELETE_RECORDS = 21,
    API_INIT_PRODUCER_ID = 22,
    API_OFFSET_FOR_LEADER_EPOCH = 23,
    API_DESCRIBE_ACLS = 29,
    API_CREATE_ACLS = 30,
    API_DELETE_ACLS = 31,
    API_DESCRIBE_CONFIGS = 32,
    API_ALTER_CONFIGS = 33,
    API_SASL_AUTHENTICATE = 36,
    API_CREATE_PARTITIONS = 37,
    API_DELETE_GROUPS = 42,
    API_ELECT_LEADERS = 43,
    API_INCREMENTAL_ALTER_CONFIGS = 44,
    API_ALTER_PARTITION_REASSIGNMENTS = 45,
    API_LIST_PARTITION_REASSIGNMENTS = 46,
    API_OFFSET_DELETE = 47,
    API_ALTER_ISR = 56,
    API_DESCRIBE_CLUSTER = 60,
};

typedef struct kapi {
    int16_t key;
    const char *name; /* Kafka's name, e.g. "Metadata" */
    int16_t min_version;
    int16_t max_version;
    int16_t first_flexible; /* -1: never flexible */
} kapi_t;

/* the entry for @key, or NULL if samsa does not serve it */
const kapi_t *kapi_find(int16_t key);
/* every entry, in ascending key order; *n receives the count */
const kapi_t *kapi_all(size_t *n);
/* true if @version of @key is within the served range */
bool kapi_supported(int16_t key, int16_t version);
/* true if @version of @key uses the flexible encoding */
bool kapi_flexible(int16_t key, int16_t version);

#endif
