/*
 * offstore: a group's committed offsets in memory, and the JSON of its
 * samsa node /samsa/groups/<group> (zk-schema/group.schema.json).
 *
 * The offsets themselves live in ZooKeeper at Kafka's classic path
 * /consumers/<group>/offsets/<topic>/<partition> as plain decimals (DESIGN
 * §5); commit metadata, committed leader epochs, commit timestamps and the
 * last completed generation live in the group node:
 *
 *   {"version":1,"generation":7,"protocol_type":"consumer",
 *    "protocol":"range","state_timestamp":1700000000000,
 *    "offsets":[{"topic":"t","partition":0,"leader_epoch":3,
 *                "metadata":"","commit_timestamp":1700000000000}]}
 *
 * Pure functions, no globals; an offstore_t belongs to one thread.
 */
#ifndef SAMSA_OFFSTORE_H
#define SAMSA_OFFSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct offstore_entry {
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch; /* -1: unknown */
    char *metadata;       /* NULL: null */
    int64_t commit_timestamp;
    bool zk_exists; /* the offset znode exists (or is being
                                 * created by a write in flight) */
} offstore_entry_t;

typedef struct offstore {
    int32_t n, cap;
    offstore_entry_t *entries;
    int32_t ntopics; /* topics whose offsets/<t> node exists */
    char **topics;
} offstore_t;

void offstore_init(offstore_t *os);
void offstore_fini(offstore_t *os);
offstore_entry_t *offstore_find(const offstore_t *os, const char *topic,
                                int32_t partition);
/* finds or adds (offset -1, epoch -1, metadata NULL, !zk_exists) */
offstore_entry_t *offstore_get(offstore_t *os, const char *topic,
                               int32_t partition);
void offstore_remove(offstore_t *os, const char *topic, int32_t partition);
/* takes a copy of @metadata */
void offstore_set_metadata(offstore_entry_t *e, const char *metadata);
bool offstore_topic_exists(const offstore_t *os, const char *topic);
void offstore_topic_add(offstore_t *os, const char *topic);
void offstore_topic_remove(offstore_t *os, const char *topic);

/* what the group node holds besides offsets */
typedef struct offstore_group_info {
    int32_t generation;
    char *protocol_type;     /* NULL: none */
    char *protocol;          /* NULL: none */
    int64_t state_timestamp; /* when the group last changed state */
} offstore_group_info_t;

/* the group node's JSON (malloc'd, NUL-terminated) for @info and every
 * entry of @os whose offset is >= 0 */
char *offstore_json_encode(const offstore_group_info_t *info,
                           const offstore_t *os);
/*
 * Parses a group node. Entries go into @os (offset left as found: the
 * offset znode is the source of the offset). Returns 0, or -1 with a
 * message in @errbuf for malformed input. @info's strings are malloc'd
 * (offstore_group_info_fini).
 */
int offstore_json_decode(const char *data, size_t len,
                         offstore_group_info_t *info, offstore_t *os,
                         char *errbuf, size_t errlen);
void offstore_group_info_fini(offstore_group_info_t *info);

/* a plain decimal offset znode; 0 or -1 */
int offstore_parse_offset(const char *data, size_t len, int64_t *offset);

#endif
