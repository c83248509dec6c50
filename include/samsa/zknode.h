/*
 * zknode: (de)serialization of every znode samsa reads or writes, in Kafka
 * 2.8's JSON shapes (core/src/main/scala/kafka/zk/ZkData.scala), so tools
 * that read a Kafka tree read samsa's. zk-schema/ has the tree and one JSON
 * Schema per kind.
 *
 * Encoders return a malloc'd NUL-terminated compact JSON string (the caller
 * frees it) and never fail. Decoders take the node's bytes (not necessarily
 * NUL-terminated), return 0 or ERR_CORRUPT with a message naming the field
 * in @errbuf, and never assert on their input: it comes from ZooKeeper.
 * A decoded struct owns its memory; free it with its _fini (safe on a
 * zeroed or partly filled struct).
 *
 * Pure functions, no globals: callable from any thread.
 */
#ifndef SAMSA_ZKNODE_H
#define SAMSA_ZKNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bounds on what we accept from ZooKeeper (jute.maxbuffer is 1 MiB) */
#define ZKNODE_MAX_PARTITIONS 1000000
#define ZKNODE_MAX_REPLICAS 1000

/* ---- paths -------------------------------------------------------------*/
#define ZKNODE_CLUSTER_ID "/cluster/id"
#define ZKNODE_BROKER_IDS "/brokers/ids"
#define ZKNODE_TOPICS "/brokers/topics"
#define ZKNODE_CONTROLLER "/controller"
#define ZKNODE_CONTROLLER_EPOCH "/controller_epoch"
#define ZKNODE_CONFIG_TOPICS "/config/topics"
#define ZKNODE_CONFIG_BROKERS "/config/brokers"
#define ZKNODE_CONFIG_CHANGES "/config/changes"
#define ZKNODE_CONFIG_CHANGE_PREFIX "/config/changes/config_change_"
#define ZKNODE_DELETE_TOPICS "/admin/delete_topics"
#define ZKNODE_ISR_CHANGE "/isr_change_notification"
#define ZKNODE_ISR_CHANGE_PREFIX "/isr_change_notification/isr_change_"
#define ZKNODE_PREFERRED_ELECTION "/admin/preferred_replica_election"
#define ZKNODE_REASSIGN_PARTITIONS "/admin/reassign_partitions"

/* ---- UUIDs (cluster id, topic id): 16 bytes <-> 22 chars base64url ---- */
/* a random version-4 UUID that does not encode with a leading '-' */
void zknode_uuid_random(uint8_t uuid[16]);
/* @out must hold 23 bytes */
void zknode_uuid_encode(const uint8_t uuid[16], char out[23]);
/* 0, or ERR_CORRUPT unless @s is 22 base64url chars */
int zknode_uuid_decode(const char *s, uint8_t uuid[16]);

/* ---- /cluster/id: {"version":"1","id":"<22 chars>"} ---- */
char *zknode_cluster_id_encode(const char *id);
int zknode_cluster_id_decode(const char *data, size_t len, char **id,
                             char *errbuf, size_t errlen);

/* ---- /brokers/ids/<id> (ephemeral), version 5 ---- */
typedef struct zknode_endpoint {
    char *listener;          /* "PLAINTEXT" */
    char *security_protocol; /* "PLAINTEXT" */
    char *host;
    int32_t port;
} zknode_endpoint_t;

typedef struct zknode_broker {
    int32_t version; /* 5 when encoding */
    char *host;      /* first PLAINTEXT endpoint, for old clients */
    int32_t port;
    int32_t jmx_port;  /* -1 */
    int64_t timestamp; /* ms, written as a decimal string */
    char *rack;        /* NULL when unset */
    int32_t nendpoints;
    zknode_endpoint_t *endpoints;
} zknode_broker_t;

char *zknode_broker_encode(const zknode_broker_t *broker);
int zknode_broker_decode(const char *data, size_t len, zknode_broker_t *broker,
                         char *errbuf, size_t errlen);
void zknode_broker_fini(zknode_broker_t *broker);

/* ---- /brokers/topics/<t>: replica assignment, version 3 ---- */
typedef struct zknode_replicas {
    int32_t n;
    int32_t *ids;
} zknode_replicas_t;

typedef struct zknode_topic {
    int32_t version; /* 3 when encoding */
    bool has_id;
    uint8_t id[16];
    int32_t npartitions;         /* partitions 0..n-1, all present */
    zknode_replicas_t *replicas; /* [npartitions] */
    zknode_replicas_t *adding;   /* [npartitions], n == 0 when none */
    zknode_replicas_t *removing; /* [npartitions] */
} zknode_topic_t;

char *zknode_topic_encode(const zknode_topic_t *topic);
int zknode_topic_decode(const char *data, size_t len, zknode_topic_t *topic,
                        char *errbuf, size_t errlen);
void zknode_topic_fini(zknode_topic_t *topic);

/* ---- /brokers/topics/<t>/partitions/<p>/state ---- */
typedef struct zknode_partition_state {
    int32_t controller_epoch;
    int32_t leader; /* -1: no leader */
    int32_t leader_epoch;
    int32_t nisr;
    int32_t *isr;
} zknode_partition_state_t;

char *zknode_partition_state_encode(const zknode_partition_state_t *st);
int zknode_partition_state_decode(const char *data, size_t len,
                                  zknode_partition_state_t *st, char *errbuf,
                                  size_t errlen);
void zknode_partition_state_fini(zknode_partition_state_t *st);

/* ---- /controller (ephemeral): {"version":1,"brokerid":N,"timestamp":"ms"} */
char *zknode_controller_encode(int32_t broker_id, int64_t timestamp);
int zknode_controller_decode(const char *data, size_t len, int32_t *broker_id,
                             char *errbuf, size_t errlen);

/* ---- /controller_epoch: a plain decimal ---- */
char *zknode_controller_epoch_encode(int32_t epoch);
int zknode_controller_epoch_decode(const char *data, size_t len, int32_t *epoch,
                                   char *errbuf, size_t errlen);

/* ---- /config/topics/<t>: {"version":1,"config":{"k":"v",...}} ---- */
typedef struct zknode_config {
    int32_t n;
    char **keys;
    char **values;
} zknode_config_t;

char *zknode_config_encode(const zknode_config_t *cfg);
int zknode_config_decode(const char *data, size_t len, zknode_config_t *cfg,
                         char *errbuf, size_t errlen);
void zknode_config_fini(zknode_config_t *cfg);

/* ---- /config/changes/config_change_NNNNNNNNNN (sequential):
 *      {"version":2,"entity_path":"topics/<t>"} ---- */
char *zknode_config_change_encode(const char *entity_path);
int zknode_config_change_decode(const char *data, size_t len,
                                char **entity_path, char *errbuf,
                                size_t errlen);

/* ---- /isr_change_notification/isr_change_NNNNNNNNNN (sequential):
 *      {"version":1,"partitions":[{"topic":"t","partition":0},...]} ---- */
typedef struct zknode_tp {
    char *topic;
    int32_t partition;
    zknode_replicas_t replicas; /* reassignments only */
} zknode_tp_t;

typedef struct zknode_isr_change {
    int32_t n;
    zknode_tp_t *tps;
} zknode_isr_change_t;

char *zknode_isr_change_encode(const zknode_isr_change_t *chg);
int zknode_isr_change_decode(const char *data, size_t len,
                             zknode_isr_change_t *chg, char *errbuf,
                             size_t errlen);
void zknode_isr_change_fini(zknode_isr_change_t *chg);

/* ---- /admin/reassign_partitions (Kafka's legacy reassignment request):
 *      {"version":1,"partitions":[{"topic":"t","partition":0,
 *      "replicas":[1,2]},...]}; the same list with each target ---- */
char *zknode_reassign_encode(const zknode_isr_change_t *moves);
int zknode_reassign_decode(const char *data, size_t len,
                           zknode_isr_change_t *moves, char *errbuf,
                           size_t errlen);

/*
 * /admin/delete_topics/<t> has no data (Kafka writes null). Nothing to
 * encode; a reader only needs the child names.
 */

/* ---- topic names ---- */
/* Kafka's rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
 * 0, or ERR_INVAL with Kafka's message in @errbuf. */
int zknode_topic_name_check(const char *name, char *errbuf, size_t errlen);
/* true when @a and @b are the same after '.' -> '_' (Kafka's collision) */
bool zknode_topic_names_collide(const char *a, const char *b);

#endif
