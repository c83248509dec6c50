/*
 * bconf: samsad's configuration (samsad.conf, Kafka's broker key names).
 *
 * bconf_load() fills a bconf_t from defaults, the file and --override
 * options, then checks and derives (listeners -> host/port, the
 * ms/minutes/hours precedence of log.roll.* and log.retention.*).
 * The table in bconf.c is the one list of keys: --help, samsad.conf(5) and
 * its consistency test come from it. Read-only after startup.
 *
 * Dynamic broker configs (KIP-226): a few keys (bconf_dynamic_key) may be
 * set in ZooKeeper at /config/brokers/<default> (cluster-wide) and
 * /config/brokers/<id> (this broker, wins). bconf_dynamic_new() makes a new
 * immutable bconf_t with them applied over the file's values; the broker
 * swaps it in atomically, so readers never see a half-updated struct.
 */
#ifndef SAMSA_BCONF_H
#define SAMSA_BCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samsa/conf.h"

/* an integer key that was not given (Kafka's "null" defaults) */
#define BCONF_UNSET INT64_MIN

typedef struct bconf {
    int32_t broker_id;
    char *listeners;
    char *advertised_listeners;
    char *log_dir;
    char *log_dirs;
    char *zookeeper_connect;
    int32_t zookeeper_session_timeout_ms;
    int32_t num_network_threads;
    int32_t num_partitions;
    int32_t default_replication_factor;
    int32_t min_insync_replicas;
    int32_t num_replica_fetchers;
    bool auto_create_topics_enable;
    bool delete_topic_enable;
    bool unclean_leader_election_enable;
    bool auto_leader_rebalance_enable;
    int64_t leader_imbalance_check_interval_seconds;
    int32_t leader_imbalance_per_broker_percentage;
    int32_t message_max_bytes;
    int32_t socket_request_max_bytes;
    int64_t log_segment_bytes;
    int64_t log_roll_ms;
    int64_t log_roll_hours;
    int64_t log_retention_ms;
    int64_t log_retention_minutes;
    int64_t log_retention_hours;
    int64_t log_retention_bytes;
    int64_t log_retention_check_interval_ms;
    int64_t log_flush_interval_messages;
    int64_t log_flush_interval_ms;
    int64_t log_flush_scheduler_interval_ms;
    int32_t log_index_interval_bytes;
    int32_t log_index_size_max_bytes;
    int64_t connections_max_idle_ms;
    int64_t replica_lag_time_max_ms;
    /* dynamic only (bconf_dynamic_new); BCONF_UNSET = unlimited */
    int64_t leader_replication_throttled_rate;
    int64_t follower_replication_throttled_rate;
    int32_t replication_quota_window_num;
    int32_t replication_quota_window_size_seconds;
    bool controlled_shutdown_enable;
    int32_t controlled_shutdown_max_retries;
    int64_t controlled_shutdown_retry_backoff_ms;
    char *broker_rack;
    char *log_level; /* samsa's own: debug, info, warn, error */
    int32_t group_initial_rebalance_delay_ms;
    int32_t group_max_size;
    int32_t group_min_session_timeout_ms;
    int32_t group_max_session_timeout_ms;
    int64_t offsets_retention_minutes;

    /* derived by bconf_load() */
    char *listen_host; /* bind address; "" = all interfaces */
    int32_t listen_port;
    char *advertised_host;
    int32_t advertised_port;
    char **dirs; /* log.dirs split on ',' */
    int ndirs;
    int64_t roll_ms;      /* effective log.roll */
    int64_t retention_ms; /* effective log.retention; -1 unlimited */
    int64_t flush_ms;     /* effective log.flush.interval.ms */

    /* dynamic overrides applied (bconf_dynamic_new); 0/NULL otherwise */
    int32_t ndynamic;
    char **dynamic_keys;
    int8_t *dynamic_sources; /* BCONF_SOURCE_DYNAMIC_* */
} bconf_t;

/* Kafka's ConfigSource numbers of the two dynamic broker levels */
#define BCONF_SOURCE_DYNAMIC_BROKER 2
#define BCONF_SOURCE_DYNAMIC_DEFAULT 3

extern const conf_key_t bconf_keys[];
extern const size_t bconf_nkeys;

/*
 * Loads and checks the configuration; 0, or ERR_CONFIG / ERR_IO with a
 * message naming file, line and key. On error @conf is freed.
 */
int bconf_load(bconf_t *conf, const char *path, char *const *overrides,
               int noverrides, char *errbuf, size_t errlen);
void bconf_free(bconf_t *conf);

/* true when @name may be changed at runtime (the dynamic subset) */
bool bconf_dynamic_key(const char *name);
/*
 * Checks a dynamic broker config: the key is in the dynamic subset and
 * the value parses within the key's bounds. false with a message in @err
 * (*@not_dynamic set when the key is known but not updatable at runtime,
 * or unknown). Any thread.
 */
bool bconf_dynamic_valid(const char *name, const char *value, bool *not_dynamic,
                         char *err, size_t errlen);
/*
 * A new configuration: @base with the cluster-wide defaults (@dkeys/@dvals)
 * and then this broker's own (@bkeys/@bvals) applied; entries that fail
 * bconf_dynamic_valid are skipped with a warning. Shallow: the strings are
 * @base's, which must outlive the result. Free with bconf_dynamic_free.
 */
bconf_t *bconf_dynamic_new(const bconf_t *base, int nd,
                           const char *const *dkeys, const char *const *dvals,
                           int nb, const char *const *bkeys,
                           const char *const *bvals);
void bconf_dynamic_free(bconf_t *conf);
/* the source of @name's value: BCONF_SOURCE_DYNAMIC_*, or 0 (static) */
int8_t bconf_dynamic_source(const bconf_t *conf, const char *name);

#endif
