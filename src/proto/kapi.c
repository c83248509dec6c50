/*
 * kapi.c: the served API version table (see kapi.h).
 *
 * Spec: DESIGN.md section 7, Kafka 2.8.0's ApiVersions response. Keep the
 * entries sorted by key: kapi_find() stops at the first larger key.
 */
#include <stddef.h>

#include "samsa/kapi.h"

static const kapi_t kapi_table[] = {
    {API_PRODUCE, "Produce", 3, 9, 9},
    {API_FETCH, "Fetch", 4, 12, 12},
    {API_LIST_OFFSETS, "ListOffsets", 0, 6, 6},
    {API_METADATA, "Metadata", 0, 11, 9},
    {API_LEADER_AND_ISR, "LeaderAndIsr", 0, 5, 4},
    {API_STOP_REPLICA, "StopReplica", 0, 3, 2},
    {API_UPDATE_METADATA, "UpdateMetadata", 0, 7, 6},
    {API_CONTROLLED_SHUTDOWN, "ControlledShutdown", 0, 3, 3},
    {API_OFFSET_COMMIT, "OffsetCommit", 0, 8, 8},
    {API_OFFSET_FETCH, "OffsetFetch", 0, 7, 6},
    {API_FIND_COORDINATOR, "FindCoordinator", 0, 3, 3},
    {API_JOIN_GROUP, "JoinGroup", 0, 7, 6},
    {API_HEARTBEAT, "Heartbeat", 0, 4, 4},
    {API_LEAVE_GROUP, "LeaveGroup", 0, 4, 4},
    {API_SYNC_GROUP, "SyncGroup", 0, 5, 4},
    {API_DESCRIBE_GROUPS, "DescribeGroups", 0, 5, 5},
    {API_LIST_GROUPS, "ListGroups", 0, 4, 3},
    {API_SASL_HANDSHAKE, "SaslHandshake", 0, 1, -1},
    {API_API_VERSIONS, "ApiVersions", 0, 3, 3},
    {API_CREATE_TOPICS, "CreateTopics", 0, 7, 5},
    {API_DELETE_TOPICS, "DeleteTopics", 0, 6, 4},
    {API_DELETE_RECORDS, "DeleteRecords", 0, 2, 2},
    {API_INIT_PRODUCER_ID, "InitProducerId", 0, 4, 2},
    {API_OFFSET_FOR_LEADER_EPOCH, "OffsetForLeaderEpoch", 0, 4, 4},
    {API_DESCRIBE_ACLS, "DescribeAcls", 0, 2, 2},
    {API_CREATE_ACLS, "CreateAcls", 0, 2, 2},
    {API_DELETE_ACLS, "DeleteAcls", 0, 2, 2},
    {API_DESCRIBE_CONFIGS, "DescribeConfigs", 0, 4, 4},
    {API_ALTER_CONFIGS, "AlterConfigs", 0, 2, 2},
    {API_SASL_AUTHENTICATE, "SaslAuthenticate", 0, 2, 2},
    {API_CREATE_PARTITIONS, "CreatePartitions", 0, 3, 2},
    {API_DELETE_GROUPS, "DeleteGroups", 0, 2, 2},
    {API_ELECT_LEADERS, "ElectLeaders", 0, 2, 2},
    {API_INCREMENTAL_ALTER_CONFIGS, "IncrementalAlterConfigs", 0, 1, 1},
    {API_ALTER_PARTITION_REASSIGNMENTS, "AlterPartitionReassignments", 0, 0, 0},
    {API_LIST_PARTITION_REASSIGNMENTS, "ListPartitionReassignments", 0, 0, 0},
    {API_OFFSET_DELETE, "OffsetDelete", 0, 0, -1},
    {API_ALTER_ISR, "AlterIsr", 0, 0, 0},
    {API_DESCRIBE_CLUSTER, "DescribeCluster", 0, 0, 0},
};

#define KAPI_N (sizeof(kapi_table) / sizeof(kapi_table[0]))

const kapi_t *
kapi_find(int16_t key)
{
    /* 37 entries: a linear scan is a few cache lines and needs no init */
    for (size_t i = 0; i < KAPI_N; i++) {
        if (kapi_table[i].key == key)
            return &kapi_table[i];
        if (kapi_table[i].key > key)
            break;
    }
    return NULL;
}

const kapi_t *
kapi_all(size_t *n)
{
    *n = KAPI_N;
    return kapi_table;
}

bool
kapi_supported(int16_t key, int16_t version)
{
    const kapi_t *api = kapi_find(key);

    return api != NULL && version >= api->min_version &&
           version <= api->max_version;
}

bool
kapi_flexible(int16_t key, int16_t version)
{
    const kapi_t *api = kapi_find(key);

    return api != NULL && api->first_flexible >= 0 &&
           version >= api->first_flexible;
}
