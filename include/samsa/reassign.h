/*
 * reassign: the pure parts of samsa reassign-partitions (src/tools/
 * reassign.c), separate from the command (cmd_reassign-partitions.c) so
 * the unit tests reach them.
 *
 * Owns: the list of partitions with their replicas (and, for a
 * reassignment in progress, the adding and removing ones), Kafka's two
 * JSON files (topics to move; partitions with their replicas) read and
 * written as Kafka's tool does, the checks --execute makes before it talks
 * to the cluster, the replication throttles of a reassignment (which
 * replicas each topic throttles on the leader and follower side, which
 * brokers get a rate) and the status lines of --verify and --list. Does
 * not own: the requests (the command), the replica assignment of
 * --generate (ctl_assign_replicas in ctl.h).
 *
 * Spec: Kafka 2.8 ReassignPartitionsCommand: parseTopicsData,
 * parsePartitionReassignmentData, parseExecuteAssignmentArgs,
 * formatAsReassignmentJson, calculateProposedMoveMap,
 * calculateLeaderThrottles, calculateFollowerThrottles,
 * calculateReassigningBrokers, partitionReassignmentStatesToString,
 * curReassignmentsToString; KIP-73 (replication quotas), KIP-455.
 *
 * Functions that can fail return 0 or ERR_INVAL with Kafka's message (or
 * one that says what is wrong) in @errbuf. Single-threaded use.
 */
#ifndef SAMSA_REASSIGN_H
#define SAMSA_REASSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* one partition; every array and string owned by its list */
typedef struct reassign_part {
    char *topic;
    int32_t partition;
    int32_t nreplicas;
    int32_t *replicas;
    int32_t nadding; /* a reassignment in progress: replicas joining */
    int32_t *adding;
    int32_t nremoving; /* ... and leaving */
    int32_t *removing;
} reassign_part_t;

/* starts as {0} */
typedef struct reassign_list {
    int n;
    int cap;
    reassign_part_t *parts;
    bool sorted; /* since the last add: finds are binary searches */
} reassign_list_t;

/* appends a copy (no adding/removing); the pointer is valid until the
 * next add */
reassign_part_t *reassign_list_add(reassign_list_t *l, const char *topic,
                                   int32_t partition, const int32_t *replicas,
                                   int32_t nreplicas);
/* sets @p's adding and removing replicas (copies) */
void reassign_part_moving(reassign_part_t *p, const int32_t *adding,
                          int32_t nadding, const int32_t *removing,
                          int32_t nremoving);
/* the entry for topic-partition, or NULL (the first one when there are
 * several) */
reassign_part_t *reassign_list_find(const reassign_list_t *l, const char *topic,
                                    int32_t partition);
/* by topic name, then partition (Kafka's compareTopicPartitions) */
void reassign_list_sort(reassign_list_t *l);
void reassign_list_fini(reassign_list_t *l);

/* "1,2,3" (a malloc'd string; "" for none) */
char *reassign_ids_str(const int32_t *ids, int32_t n);

/*
 * --broker-list "0,1,2": ids in the given order. ERR_INVAL for a value
 * that is not a broker id, or Kafka's "Broker list contains duplicate
 * entries: 1".
 */
int reassign_parse_brokers(const char *s, int32_t **ids, int *n, char *errbuf,
                           size_t errlen);

/*
 * --topics-to-move-json-file: {"version":1,"topics":[{"topic":"t"},...]}
 * ("version" may be left out). @topics gets malloc'd names in file order.
 * ERR_INVAL for bad JSON, another version, no topics, or Kafka's "List
 * of topics to reassign contains duplicate entries: t".
 */
int reassign_parse_topics(const char *text, char ***topics, int *ntopics,
                          char *errbuf, size_t errlen);
void reassign_topics_free(char **topics, int ntopics);

/*
 * --reassignment-json-file: {"version":1,"partitions":[{"topic":"t",
 * "partition":0,"replicas":[1,2],"log_dirs":["any","any"]},...]} into
 * @out (appended, file order). "log_dirs" may be left out; when given it
 * has one entry per replica, each "any": moving replicas between the log
 * directories of a broker is not supported. ERR_INVAL for bad JSON,
 * another version, a missing or mistyped field, or an empty list.
 */
int reassign_parse_partitions(const char *text, reassign_list_t *out,
                              char *errbuf, size_t errlen);

/*
 * What --execute checks before it asks anything (Kafka's
 * parseExecuteAssignmentArgs): no partition twice ("Partition
 * reassignment contains duplicate topic partitions: t-0"), no empty
 * replica list, no broker twice in one ("Partition replica lists may not
 * contain duplicate entries: t-0 contains multiple entries for 1").
 */
int reassign_check_execute(const reassign_list_t *l, char *errbuf,
                           size_t errlen);

/*
 * Kafka's formatAsReassignmentJson: {"version":1,"partitions":[...]} with
 * the partitions sorted by topic and partition, "log_dirs" all "any".
 * reassign_json returns a new reference; reassign_json_str a malloc'd
 * compact string, as Kafka prints it.
 */
json_t *reassign_json(const reassign_list_t *l);
char *reassign_json_str(const reassign_list_t *l);

/*
 * The replication throttles of a reassignment (KIP-73). Kafka's move map:
 * for each reassignment in progress (@ongoing, with adding set) the
 * sources are its replicas less the adding ones and the destinations the
 * adding ones; each partition of @proposed is then moved from those
 * sources (when in progress) or from its replicas in @current, to its
 * target replicas that are not sources. Per topic, "leader" lists every
 * source as "partition:broker" and "follower" every destination, each
 * sorted as strings and joined with commas, the values of
 * leader.replication.throttled.replicas and
 * follower.replication.throttled.replicas; @brokers are all the sources
 * and destinations, which get the rates. ERR_INVAL when a proposed
 * partition is in neither @ongoing nor @current.
 */
typedef struct reassign_throttle {
    char *topic;
    char *leader;
    char *follower;
} reassign_throttle_t;

typedef struct reassign_throttles {
    int ntopics;
    reassign_throttle_t *topics; /* by topic name */
    int nbrokers;
    int32_t *brokers; /* ascending */
} reassign_throttles_t;

int reassign_throttles(const reassign_list_t *ongoing,
                       const reassign_list_t *proposed,
                       const reassign_list_t *current,
                       reassign_throttles_t *out, char *errbuf, size_t errlen);
void reassign_throttles_fini(reassign_throttles_t *t);

/*
 * A partition of --verify (Kafka's findPartitionReassignmentStates): in
 * progress while the controller lists it, else complete when its replicas
 * (@current, NULL for an unknown partition) are the target's, in order,
 * else neither (cancelled, or changed since).
 */
typedef enum reassign_state {
    REASSIGN_COMPLETE,
    REASSIGN_IN_PROGRESS,
    REASSIGN_DIFFERENT,
} reassign_state_t;

reassign_state_t reassign_state(const reassign_part_t *target,
                                const reassign_part_t *ongoing,
                                const reassign_part_t *current);
/* Kafka's line for it, e.g. "Reassignment of partition t-0 is complete."
 * (malloc'd, no newline) */
char *reassign_state_line(reassign_state_t st, const reassign_part_t *target,
                          const reassign_part_t *current);
/* --list's line: "t-0: replicas: 1,2,3. adding: 3. removing: 1."
 * (malloc'd, no newline) */
char *reassign_list_line(const reassign_part_t *p);

#endif
