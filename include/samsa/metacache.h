/*
 * metacache: the broker's view of cluster metadata, as immutable snapshots.
 *
 * The controller (or, in a cluster, UpdateMetadata from the controller)
 * builds a complete mc_snapshot_t and installs it with metacache_install();
 * IO loops take a reference with metacache_get() and read it without locks.
 * A snapshot never changes after it is installed.
 *
 * Thread-safety: metacache_get/install/put may be called from any thread.
 */
#ifndef SAMSA_METACACHE_H
#define SAMSA_METACACHE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mc_broker {
    int32_t id;
    char *host;
    int32_t port;
    char *rack; /* NULL when broker.rack is unset */
} mc_broker_t;

typedef struct mc_partition {
    int32_t partition;
    int32_t leader; /* -1 when no leader */
    int32_t leader_epoch;
    int32_t nreplicas;
    int32_t *replicas; /* assignment order */
    int32_t nisr;
    int32_t *isr;
    int32_t noffline;
    int32_t *offline; /* replicas whose broker is not registered */
} mc_partition_t;

typedef struct mc_config {
    char *key;
    char *value;
} mc_config_t;

typedef struct mc_topic {
    char *name;
    uint8_t id[16]; /* topic id (KIP-516); all zero if unknown */
    int32_t npartitions;
    mc_partition_t *partitions; /* index == partition number */
    int32_t nconfigs;
    mc_config_t *configs; /* topic-level overrides from /config/topics/<t> */
    bool deleting;        /* queued in /admin/delete_topics */
} mc_topic_t;

typedef struct mc_snapshot {
    int refcnt;
    char *cluster_id;
    int32_t controller_id; /* -1 when none */
    int32_t nbrokers;
    mc_broker_t *brokers; /* sorted by id */
    int32_t ntopics;
    mc_topic_t *topics; /* sorted by name */
} mc_snapshot_t;

/*
 * Building a snapshot (controller side): mc_snapshot_new() then fill the
 * arrays with xmalloc'd memory; every pointer is freed by the last put.
 * mc_snapshot_sort() orders brokers and topics for the lookups below.
 */
mc_snapshot_t *mc_snapshot_new(void);
void mc_snapshot_sort(mc_snapshot_t *snap);
/* deep copy, refcnt 1 (for building the next snapshot from the current) */
mc_snapshot_t *mc_snapshot_copy(const mc_snapshot_t *snap);

/* lookups on a snapshot; NULL when absent */
const mc_topic_t *mc_topic_find(const mc_snapshot_t *snap, const char *name,
                                int32_t len);
const mc_broker_t *mc_broker_find(const mc_snapshot_t *snap, int32_t id);
/* the value of a topic-level override, or NULL */
const char *mc_topic_config(const mc_topic_t *topic, const char *key);

void metacache_init(void);
void metacache_fini(void);
/* the current snapshot with a reference taken; never NULL after init */
mc_snapshot_t *metacache_get(void);
void mc_snapshot_put(mc_snapshot_t *snap);
/* replaces the current snapshot; takes ownership of @snap's reference */
void metacache_install(mc_snapshot_t *snap);

#endif
